//! Bad input gets the documented v2 status codes inside OK responses, or INVALID_ARGUMENT on a Telemetry stream.
mod common;

use common::*;

#[tokio::test]
async fn bad_input_gets_documented_status_codes() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    let mut c = client(s.addr).await;
    // No client id.
    let r = c
        .query_route(tonic::Request::new(QueryRouteRequest {
            topic: Some(res("T")),
            endpoints: Some(endpoints(s.addr)),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(&r.status), Code::ClientIdRequired);
    // Bad topic name.
    let r = c
        .query_route(req(QueryRouteRequest {
            topic: Some(res("bad/topic")),
            endpoints: Some(endpoints(s.addr)),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(&r.status), Code::IllegalTopic);
    // Empty body.
    let mut m = message("T", "E-1", "T", "");
    m.body = Default::default();
    assert_eq!(code(&send(&mut c, m).await.status), Code::MessageBodyEmpty);
    // Oversize body.
    let mut m = message("T", "E-2", "T", "");
    m.body = vec![b'x'; (4 << 20) + 1].into();
    assert_eq!(
        code(&send(&mut c, m).await.status),
        Code::MessageBodyTooLarge
    );
    // Bad receipt handle.
    assert_eq!(
        code(&ack(&mut c, "G", "T", "v1_bogus".into()).await.status),
        Code::InvalidReceiptHandle
    );
    // Invisible time out of range.
    s.engine.topic_or_create("T").unwrap();
    let (st, _) = receive(&mut c, "G", "T", None, 1).await;
    assert_eq!(st, Code::IllegalInvisibleTime);
    // Bad SQL.
    let sql = FilterExpression {
        r#type: FilterType::Sql as i32,
        expression: "a >".into(),
    };
    let (st, _) = receive(&mut c, "G", "T", Some(sql), 30).await;
    assert_eq!(st, Code::IllegalFilterExpression);
    // Unknown client type.
    let hb = c
        .heartbeat(req(HeartbeatRequest {
            group: None,
            client_type: 0,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(code(&hb.status), Code::UnrecognizedClientType);
    // Settings without publishing or subscription close the stream with INVALID_ARGUMENT.
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.send(TelemetryCommand {
        status: None,
        command: Some(telemetry_command::Command::Settings(Settings {
            client_type: Some(ClientType::Producer as i32),
            ..Default::default()
        })),
    })
    .await
    .unwrap();
    let mut r = tonic::Request::new(tokio_stream::wrappers::ReceiverStream::new(rx));
    r.metadata_mut()
        .insert("x-mq-client-id", "bad@1".parse().unwrap());
    let mut tele = c.telemetry(r).await.unwrap().into_inner();
    let first = tele.message().await.unwrap().unwrap();
    assert_eq!(code(&first.status), Code::BadRequest);
    assert_eq!(
        tele.message().await.unwrap_err().code(),
        tonic::Code::InvalidArgument
    );
    s.accept.abort();
}

#[tokio::test]
async fn a_telemetry_stream_without_settings_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let settings = GrpcSettings {
        settings_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let s = start_with(dir.path(), settings).await;
    let mut c = client(s.addr).await;
    let (_tx, rx) = tokio::sync::mpsc::channel::<TelemetryCommand>(1);
    let mut r = tonic::Request::new(tokio_stream::wrappers::ReceiverStream::new(rx));
    r.metadata_mut()
        .insert("x-mq-client-id", "silent@1".parse().unwrap());
    let mut tele = c.telemetry(r).await.unwrap().into_inner();
    let end = tokio::time::timeout(Duration::from_secs(5), tele.message())
        .await
        .expect("the server closes the stream");
    assert_eq!(end.unwrap_err().code(), tonic::Code::InvalidArgument);
    s.accept.abort();
}
