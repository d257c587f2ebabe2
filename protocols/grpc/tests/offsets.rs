//! The offset RPCs Apache's proxy never shipped, called directly with the generated client: PullMessage,
//! UpdateOffset, GetOffset and QueryOffset.
mod common;

use common::*;

#[tokio::test]
async fn offset_rpcs_pull_commit_and_query() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    let mut c = client(s.addr).await;
    s.engine
        .create_topic(mqgate_engine::TopicConfig::new("Pull", 1))
        .unwrap();
    for i in 0..3 {
        send(&mut c, message("Pull", &format!("P-{i}"), "T", "x")).await;
    }
    let mq = MessageQueue {
        topic: Some(res("Pull")),
        id: 0,
        ..Default::default()
    };
    let pull = PullMessageRequest {
        group: Some(res("PG")),
        message_queue: Some(mq.clone()),
        offset: 1,
        batch_size: 10,
        filter_expression: None,
        long_polling_timeout: Some(prost_types::Duration {
            seconds: 1,
            nanos: 0,
        }),
    };
    let mut stream = c.pull_message(req(pull)).await.unwrap().into_inner();
    let mut items = Vec::new();
    while let Some(i) = stream.message().await.unwrap() {
        items.push(i.content.unwrap());
    }
    assert!(
        matches!(&items[0], pull_message_response::Content::Status(st) if st.code == Code::Ok as i32)
    );
    assert_eq!(items.len(), 4, "status, two messages, next offset");
    assert!(matches!(
        items[3],
        pull_message_response::Content::NextOffset(3)
    ));

    let got = c
        .get_offset(req(GetOffsetRequest {
            group: Some(res("PG")),
            message_queue: Some(mq.clone()),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(&got.status), Code::OffsetNotFound);
    let up = c
        .update_offset(req(UpdateOffsetRequest {
            group: Some(res("PG")),
            message_queue: Some(mq.clone()),
            offset: 3,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(&up.status), Code::Ok);
    let got = c
        .get_offset(req(GetOffsetRequest {
            group: Some(res("PG")),
            message_queue: Some(mq.clone()),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((code(&got.status), got.offset), (Code::Ok, 3));
    for (policy, want) in [
        (QueryOffsetPolicy::Beginning, 0),
        (QueryOffsetPolicy::End, 3),
    ] {
        let q = c
            .query_offset(req(QueryOffsetRequest {
                message_queue: Some(mq.clone()),
                query_offset_policy: policy as i32,
                timestamp: None,
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!((code(&q.status), q.offset), (Code::Ok, want));
    }
    s.accept.abort();
}
