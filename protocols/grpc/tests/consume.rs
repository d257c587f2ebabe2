//! Send, receive and ack over real HTTP/2 with the generated client: routes that auto-create topics, tag and
//! SQL filters, change-invisible and redelivery, and an ack with a handle from before a restart.
mod common;

use common::*;

#[tokio::test]
async fn route_auto_creates_and_messages_round_trip_with_ack() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    let mut c = client(s.addr).await;
    let route = c
        .query_route(req(QueryRouteRequest {
            topic: Some(res("Orders")),
            endpoints: Some(endpoints(s.addr)),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(&route.status), Code::Ok);
    assert_eq!(route.message_queues.len(), 8);
    assert_eq!(route.message_queues[0].broker.as_ref().unwrap().id, 0);

    let sent = send(&mut c, message("Orders", "ID-1", "TagA", "hello")).await;
    assert_eq!(code(&sent.status), Code::Ok);
    assert_eq!(sent.entries[0].message_id, "ID-1");
    send(&mut c, message("Orders", "ID-2", "TagB", "other")).await;

    let tag_a = FilterExpression {
        r#type: FilterType::Tag as i32,
        expression: "TagA".into(),
    };
    let (st, msgs) = receive(&mut c, "G1", "Orders", Some(tag_a), 30).await;
    assert_eq!(st, Code::Ok);
    assert_eq!(msgs.len(), 1);
    let sp = msgs[0].system_properties.as_ref().unwrap();
    assert_eq!(sp.message_id, "ID-1");
    assert_eq!(sp.tag.as_deref(), Some("TagA"));
    assert_eq!(sp.delivery_attempt, Some(1));
    assert_eq!(
        msgs[0].user_properties.get("region").map(String::as_str),
        Some("eu")
    );
    assert_eq!(&msgs[0].body[..], b"hello");
    let a = ack(&mut c, "G1", "Orders", handle(&msgs[0])).await;
    assert_eq!(code(&a.status), Code::Ok);

    let sql = FilterExpression {
        r#type: FilterType::Sql as i32,
        expression: "region = 'eu'".into(),
    };
    let (st, msgs) = receive(&mut c, "G2", "Orders", Some(sql), 30).await;
    assert_eq!((st, msgs.len()), (Code::Ok, 2));
    let (st, msgs) = receive(&mut c, "G2", "Orders", None, 30).await;
    assert_eq!((st, msgs.len()), (Code::MessageNotFound, 0));
    s.accept.abort();
}

#[tokio::test]
async fn change_invisible_redelivers_with_a_higher_attempt_and_old_handle_stays_ackable() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    let mut c = client(s.addr).await;
    s.engine.topic_or_create("Retry").unwrap();
    send(&mut c, message("Retry", "R-1", "T", "x")).await;
    let (_, msgs) = receive(&mut c, "G", "Retry", None, 30).await;
    let first = handle(&msgs[0]);
    let change = ChangeInvisibleDurationRequest {
        group: Some(res("G")),
        topic: Some(res("Retry")),
        receipt_handle: first.clone(),
        invisible_duration: Some(prost_types::Duration {
            seconds: 0,
            nanos: 0,
        }),
        message_id: "R-1".into(),
        lite_topic: None,
        suspend: None,
    };
    let r = c
        .change_invisible_duration(req(change))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(&r.status), Code::Ok);
    assert_ne!(r.receipt_handle, first);
    let (_, again) = receive(&mut c, "G", "Retry", None, 30).await;
    assert_eq!(again.len(), 1);
    assert_eq!(
        again[0]
            .system_properties
            .as_ref()
            .unwrap()
            .delivery_attempt,
        Some(2)
    );
    // The first delivery's handle no longer names the live delivery.
    assert_eq!(
        code(&ack(&mut c, "G", "Retry", first).await.status),
        Code::InvalidReceiptHandle
    );
    assert_eq!(
        code(&ack(&mut c, "G", "Retry", handle(&again[0])).await.status),
        Code::Ok
    );
    s.accept.abort();
}

#[test]
fn an_ack_after_a_restart_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    };
    // First life: receive, then stop everything (dropping the runtime ends every task holding the engine).
    let first = runtime();
    let h = first.block_on(async {
        let s = start(dir.path()).await;
        let mut c = client(s.addr).await;
        s.engine.topic_or_create("Restart").unwrap();
        send(&mut c, message("Restart", "RS-1", "T", "x")).await;
        let (_, msgs) = receive(&mut c, "G", "Restart", None, 60).await;
        s.engine.shutdown().unwrap();
        handle(&msgs[0])
    });
    drop(first);
    // Second life on the same data directory: the handle from the first life still acks.
    runtime().block_on(async {
        let s = start(dir.path()).await;
        let mut c = client(s.addr).await;
        assert_eq!(code(&ack(&mut c, "G", "Restart", h).await.status), Code::Ok);
        s.accept.abort();
    });
}
