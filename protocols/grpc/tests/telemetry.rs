//! The Telemetry handshake (settings answers for producers and FIFO consumer groups) and transactions: commit
//! through EndTransaction, and a check pushed to the producer's stream for an unresolved half message.
mod common;

use common::*;

#[tokio::test]
async fn transactions_commit_and_checks_reach_the_producer_stream() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    let mut c = client(s.addr).await;
    s.engine.topic_or_create("Tx").unwrap();
    // Telemetry handshake as a producer of Tx.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let settings = Settings {
        client_type: Some(ClientType::Producer as i32),
        pub_sub: Some(settings::PubSub::Publishing(Publishing {
            topics: vec![res("Tx")],
            ..Default::default()
        })),
        ..Default::default()
    };
    tx.send(TelemetryCommand {
        status: None,
        command: Some(telemetry_command::Command::Settings(settings)),
    })
    .await
    .unwrap();
    let mut r = tonic::Request::new(tokio_stream::wrappers::ReceiverStream::new(rx));
    r.metadata_mut()
        .insert("x-mq-client-id", "test-client@1".parse().unwrap());
    let mut tele = c.telemetry(r).await.unwrap().into_inner();
    let answer = tokio::time::timeout(Duration::from_secs(3), tele.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(code(&answer.status), Code::Ok);
    let Some(telemetry_command::Command::Settings(reply)) = answer.command else {
        panic!("settings reply")
    };
    assert!(matches!(
        reply.backoff_policy.unwrap().strategy,
        Some(retry_policy::Strategy::ExponentialBackoff(_))
    ));

    let mut m = message("Tx", "TX-1", "T", "committed");
    m.system_properties.as_mut().unwrap().message_type = MessageType::Transaction as i32;
    let sent = send(&mut c, m.clone()).await;
    assert_eq!(code(&sent.status), Code::Ok);
    let tx_id = sent.entries[0].transaction_id.clone();
    assert!(!tx_id.is_empty());
    let (st, _) = receive(&mut c, "TG", "Tx", None, 30).await;
    assert_eq!(st, Code::MessageNotFound, "a half message is invisible");
    let end = EndTransactionRequest {
        topic: Some(res("Tx")),
        message_id: "TX-1".into(),
        transaction_id: tx_id,
        resolution: TransactionResolution::Commit as i32,
        source: TransactionSource::SourceClient as i32,
        trace_context: String::new(),
    };
    assert_eq!(
        code(
            &c.end_transaction(req(end))
                .await
                .unwrap()
                .into_inner()
                .status
        ),
        Code::Ok
    );
    let (_, msgs) = receive(&mut c, "TG", "Tx", None, 30).await;
    assert_eq!(msgs.len(), 1);

    // An unresolved half message is checked through the producer's Telemetry stream.
    m.system_properties.as_mut().unwrap().message_id = "TX-2".into();
    send(&mut c, m).await;
    // (An earlier check may name TX-1, whose immunity ran out during the long poll above.)
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let cmd = loop {
        let check = tokio::time::timeout_at(deadline, tele.message())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let Some(telemetry_command::Command::RecoverOrphanedTransactionCommand(cmd)) =
            check.command
        else {
            panic!("transaction check expected, got {check:?}")
        };
        if cmd
            .message
            .as_ref()
            .unwrap()
            .system_properties
            .as_ref()
            .unwrap()
            .message_id
            == "TX-2"
        {
            break cmd;
        }
    };
    assert!(!cmd.transaction_id.is_empty());
    drop(tx);
    s.accept.abort();
}

#[tokio::test]
async fn fifo_groups_get_the_fifo_flag_in_settings() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path()).await;
    let mut g = GroupConfig::new("FG", 3);
    g.fifo = true;
    s.engine.put_group(g).unwrap();
    let mut c = client(s.addr).await;
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.send(TelemetryCommand {
        status: None,
        command: Some(telemetry_command::Command::Settings(Settings {
            client_type: Some(ClientType::PushConsumer as i32),
            pub_sub: Some(settings::PubSub::Subscription(Subscription {
                group: Some(res("FG")),
                ..Default::default()
            })),
            ..Default::default()
        })),
    })
    .await
    .unwrap();
    let mut r = tonic::Request::new(tokio_stream::wrappers::ReceiverStream::new(rx));
    r.metadata_mut()
        .insert("x-mq-client-id", "fifo@1".parse().unwrap());
    let mut tele = c.telemetry(r).await.unwrap().into_inner();
    let answer = tele.message().await.unwrap().unwrap();
    let Some(telemetry_command::Command::Settings(reply)) = answer.command else {
        panic!("settings")
    };
    let Some(settings::PubSub::Subscription(sub)) = reply.pub_sub else {
        panic!("subscription")
    };
    assert_eq!(sub.fifo, Some(true));
    assert_eq!(reply.backoff_policy.unwrap().max_attempts, 4);
    s.accept.abort();
}
