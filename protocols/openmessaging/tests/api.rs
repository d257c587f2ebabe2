//! The HTTP API end to end against an in-process server: produce forms, consume with long poll and filters,
//! ack and nack, offset reads, CloudEvents, health, and HTTP/2.

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::{b64, start, unb64};

#[tokio::test]
async fn produce_then_consume_keeps_tag_keys_properties_and_ack_removes_it() {
    let s = start().await;
    let r = s
        .send(
            "POST",
            "/oms/v1/topics/T1/messages",
            &[
                ("content-type", "text/plain"),
                ("x-oms-h-tag", "TagA"),
                ("x-oms-h-keys", "k1,k2"),
                ("x-oms-h-priority", "5"),
                ("x-oms-p-color", "red"),
            ],
            b"hello",
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.json()["messageId"].as_str().unwrap().to_string();
    assert_eq!(r.header("x-oms-h-messageid"), Some(id.as_str()));
    assert!(r.header("x-oms-h-queueoffset").is_some());

    let r = s.get("/oms/v1/topics/T1/messages?group=G1&wait=1000").await;
    assert_eq!(r.status, 200);
    let m = &r.json()["messages"][0];
    assert_eq!(m["messageId"], id.as_str());
    assert_eq!(m["tag"], "TagA");
    assert_eq!(m["keys"], json!(["k1", "k2"]));
    assert_eq!(m["properties"]["color"], "red");
    assert_eq!(m["properties"]["PRIORITY"], "5");
    assert_eq!(m["deliveryAttempt"], 1);
    assert_eq!(unb64(&m["body"]), "hello");

    let ack = json!({"group": "G1", "receiptHandles": [m["receiptHandle"]]});
    let r = s.post_json("/oms/v1/topics/T1/ack", &ack).await;
    assert_eq!((r.status, r.json()["acked"].as_i64()), (200, Some(1)));
    let r = s.get("/oms/v1/topics/T1/messages?group=G1").await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn long_poll_wakes_when_a_message_arrives() {
    let s = std::sync::Arc::new(start().await);
    let s2 = s.clone();
    let t0 = Instant::now();
    let waiter = tokio::spawn(async move {
        s2.get("/oms/v1/topics/LP/messages?group=G&wait=10000")
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = s
        .send("POST", "/oms/v1/topics/LP/messages", &[], b"x")
        .await;
    assert_eq!(r.status, 201);
    let r = waiter.await.unwrap();
    assert_eq!(r.status, 200);
    assert!(
        t0.elapsed() < Duration::from_secs(8),
        "long poll did not wake: {:?}",
        t0.elapsed()
    );
    let t0 = Instant::now();
    let r = s
        .get("/oms/v1/topics/LP/messages?group=Other&wait=300&tag=none")
        .await;
    assert_eq!(r.status, 204);
    assert!(t0.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn sql_filter_selects_by_property_and_reports_the_position_of_errors() {
    let s = start().await;
    for p in 1..=4 {
        let prio = p.to_string();
        let r = s
            .send(
                "POST",
                "/oms/v1/topics/F/messages",
                &[("x-oms-h-priority", &prio)],
                b"x",
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let r = s
        .get("/oms/v1/topics/F/messages?group=G&max=10&filter=PRIORITY%20%3E%202")
        .await;
    let got: Vec<String> = r.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["properties"]["PRIORITY"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|p| p == "3" || p == "4"));

    let r = s
        .get("/oms/v1/topics/F/messages?group=G&filter=PRIORITY%20%3E")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let p = r.json();
    assert_eq!(p["code"], "invalid-filter");
    assert!(p["position"]["column"].as_u64().unwrap() >= 1, "{p}");
}

#[tokio::test]
async fn nack_redelivers_with_a_higher_attempt() {
    let s = start().await;
    s.send("POST", "/oms/v1/topics/N/messages", &[], b"x").await;
    let r = s.get("/oms/v1/topics/N/messages?group=G").await;
    let h = r.json()["messages"][0]["receiptHandle"].clone();
    let r = s
        .post_json(
            "/oms/v1/topics/N/nack",
            &json!({"group": "G", "receiptHandles": [h], "delay": 0}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = s.get("/oms/v1/topics/N/messages?group=G&wait=3000").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["messages"][0]["deliveryAttempt"], 2);
    // The first attempt's handle is stale now.
    let r = s
        .post_json(
            "/oms/v1/topics/N/ack",
            &json!({"group": "G", "receiptHandles": [h]}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (409, json!("receipt-handle-expired"))
    );
}

#[tokio::test]
async fn bad_receipt_handles_and_bodies_get_problem_answers() {
    let s = start().await;
    let r = s
        .post_json(
            "/oms/v1/topics/T/ack",
            &json!({"group": "G", "receiptHandles": ["garbage"]}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], "invalid-receipt-handle");
    assert_eq!(r.json()["failures"][0]["receiptHandle"], "garbage");
    let r = s
        .post_json("/oms/v1/topics/T/ack", &json!({"group": "G"}))
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("invalid-json"))
    );
    let r = s.send("POST", "/oms/v1/topics/T/ack", &[], b"{").await;
    assert_eq!(r.status, 400);
    let r = s.get("/oms/v1/topics/T/messages").await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("bad-request"))
    );
    let r = s.get("/oms/v1/topics/bad%20name/messages?group=G").await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("invalid-name"))
    );
    let r = s
        .send("DELETE", "/oms/v1/topics/T/messages", &[], b"")
        .await;
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, POST")));
    let r = s.get("/nothing/here").await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (404, json!("not-found"))
    );
}

#[tokio::test]
async fn envelope_batch_is_stored_in_order_with_headers_and_properties() {
    let s = start().await;
    let batch = json!([
        {"headers": {"tag": "A", "messageId": "M-1"}, "properties": {"Case": "Kept"}, "body": b64("one")},
        {"headers": {"tag": "B", "messageGroup": "g"}, "body": b64("two")}
    ]);
    let r = s.post_json("/oms/v1/topics/B/messages", &batch).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let results = r.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["messageId"], "M-1");
    let (q, off) = (
        results[0]["queueId"].as_i64().unwrap(),
        results[0]["queueOffset"].as_i64().unwrap(),
    );
    let r = s
        .get(&format!(
            "/oms/v1/topics/B/queues/{q}/messages?offset={off}&max=1"
        ))
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["status"], "found");
    assert_eq!(v["nextOffset"], off + 1);
    let m = &v["messages"][0];
    assert_eq!(
        (m["messageId"].clone(), m["properties"]["Case"].clone()),
        (json!("M-1"), json!("Kept"))
    );
    assert!(m.get("receiptHandle").is_none());
    let r = s.get("/oms/v1/topics/B/queues").await;
    assert_eq!(r.json()["queues"].as_array().unwrap().len(), 8);
    let r = s.get("/oms/v1/topics/B/queues/99/messages").await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (404, json!("queue-not-found"))
    );
}

#[tokio::test]
async fn cloudevents_in_every_mode_come_back_as_cloudevents() {
    let s = start().await;
    let structured = json!({"specversion": "1.0", "id": "S-1", "source": "/s", "type": "t.s",
                            "datacontenttype": "application/json", "data": {"n": 1}});
    let r = s
        .send(
            "POST",
            "/oms/v1/topics/CE/messages",
            &[("content-type", "application/cloudevents+json")],
            structured.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = s
        .send(
            "POST",
            "/oms/v1/topics/CE/messages",
            &[
                ("ce-specversion", "1.0"),
                ("ce-id", "B-1"),
                ("ce-source", "/b"),
                ("ce-type", "t.b"),
                ("ce-subject", "sub%20ject"),
                ("content-type", "text/plain"),
            ],
            b"binary data",
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let batch = json!([{"specversion": "1.0", "id": "C-1", "source": "/c", "type": "t.c", "data_base64": b64("raw")}]);
    let r = s
        .send(
            "POST",
            "/oms/v1/topics/CE/messages",
            &[("content-type", "application/cloudevents-batch+json")],
            batch.to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = s
        .get("/oms/v1/topics/CE/messages?group=G&max=10&format=cloudevents")
        .await;
    assert_eq!(
        r.header("content-type"),
        Some("application/cloudevents-batch+json")
    );
    let events = r.json();
    let by_id = |id: &str| {
        events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_id("S-1")["data"], json!({"n": 1}));
    assert_eq!(by_id("B-1")["data"], "binary data");
    assert_eq!(by_id("B-1")["subject"], "sub ject");
    assert_eq!(by_id("C-1")["data_base64"], b64("raw"));
    assert!(by_id("C-1")["receipthandle"].is_string());
    let bad = s
        .send(
            "POST",
            "/oms/v1/topics/CE/messages",
            &[("content-type", "application/cloudevents+json")],
            br#"{"specversion":"1.0","id":"x"}"#,
        )
        .await;
    assert_eq!(
        (bad.status, bad.json()["code"].clone()),
        (400, json!("invalid-cloudevent"))
    );
}

#[tokio::test]
async fn health_readiness_openapi_and_http2_answer() {
    let s = start().await;
    assert_eq!(s.get("/healthz").await.json()["status"], "up");
    assert_eq!(s.get("/readyz").await.json()["status"], "ready");
    let doc = s.get("/oms/v1/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.0.3");
    let r = s
        .send_h2(
            "POST",
            "/oms/v1/topics/H2/messages",
            &[("x-oms-p-via", "h2")],
            b"x",
        )
        .await;
    assert_eq!(r.status, 201);
    let r = s
        .send_h2("GET", "/oms/v1/topics/H2/messages?group=G", &[], b"")
        .await;
    assert_eq!(r.json()["messages"][0]["properties"]["via"], "h2");
}

#[tokio::test]
async fn delayed_messages_report_their_delivery_time_instead_of_a_queue() {
    let s = start().await;
    let r = s
        .send(
            "POST",
            "/oms/v1/topics/D/messages",
            &[("x-oms-h-delayTime", "60000")],
            b"x",
        )
        .await;
    assert_eq!(r.status, 201);
    let v = r.json();
    assert!(
        v["queueId"].is_null() && v["deliverAt"].as_i64().unwrap() > 0,
        "{v}"
    );
    assert_eq!(s.get("/oms/v1/topics/D/messages?group=G").await.status, 204);
    let r = s
        .send(
            "POST",
            "/oms/v1/topics/D/messages",
            &[("x-oms-h-delayTime", "nope")],
            b"x",
        )
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("invalid-header"))
    );
}
