//! The connection state machine driven in memory with a virtual clock: handshake, same-name links, credit
//! both ways, multi-frame transfers, dispositions, drain, detach with unsettled deliveries, heartbeats.

mod common;

use common::{transfer, Peer};
use mqgate_amqp::codec::{condition, DeliveryState, Detach, Disposition, Flow, Performative};
use mqgate_amqp::session::{ConnectionConfig, Event};
use std::time::Duration;

#[test]
fn sender_and_receiver_links_with_the_same_name_coexist() {
    let mut p = Peer::open(ConnectionConfig::default());
    let (rx, a1) = p.attach("same", 0, true);
    let (tx, a2) = p.attach("same", 1, false);
    assert_ne!(rx, tx);
    p.conn
        .answer_attach(rx, &a1, a1.source.clone(), a1.target.clone(), None, vec![]);
    p.conn
        .answer_attach(tx, &a2, a2.source.clone(), a2.target.clone(), None, vec![]);
    p.conn.handle_input(&[], p.now);
    let out = p.conn.take_output(p.now);
    p.inbox.extend_from_slice(&out);
    let frames = p.received();
    let attaches = frames
        .iter()
        .filter(|f| matches!(f, Performative::Attach(_)))
        .count();
    assert_eq!(attaches, 2);
    assert!(frames
        .iter()
        .any(|f| matches!(f, Performative::Flow(fl) if fl.link_credit == Some(500))));
}

#[test]
fn multi_frame_transfer_is_reassembled_and_settled() {
    let mut p = Peer::open(ConnectionConfig::default());
    let (link, a) = p.attach("producer", 0, false);
    p.conn
        .answer_attach(link, &a, a.source.clone(), a.target.clone(), None, vec![]);
    p.send(0, transfer(0, Some(0), true, b"hello "));
    assert!(p.events().is_empty());
    p.send(0, transfer(0, None, false, b"world"));
    let events = p.events();
    assert!(
        matches!(&events[0], Event::Message { payload, delivery_id: 0, settled: false, .. } if &payload[..] == b"hello world")
    );
    p.conn
        .settle_incoming(link, 0, Some(DeliveryState::Accepted));
    let out = p.conn.take_output(p.now);
    p.inbox.extend_from_slice(&out);
    assert!(p.received().iter().any(|f| matches!(f, Performative::Disposition(d) if d.settled && d.state == Some(DeliveryState::Accepted))));
}

#[test]
fn outgoing_delivery_is_split_under_the_peer_max_frame_and_uses_credit() {
    let mut p = Peer::open(ConnectionConfig::default());
    let (link, a) = p.attach("consumer", 0, true);
    p.conn
        .answer_attach(link, &a, a.source.clone(), a.target.clone(), None, vec![]);
    assert_eq!(p.conn.credit(link), 0);
    assert!(
        !p.conn.send_delivery(link, b"x", b"", 1, false),
        "sent without credit"
    );
    p.send(
        0,
        Performative::Flow(Flow {
            next_incoming_id: Some(0),
            incoming_window: 100,
            next_outgoing_id: 0,
            outgoing_window: 100,
            handle: Some(0),
            delivery_count: Some(0),
            link_credit: Some(1),
            ..Default::default()
        }),
    );
    assert!(matches!(
        p.events()[..],
        [Event::Credit {
            credit: 1,
            drain: false,
            ..
        }]
    ));
    p.received();
    let body = vec![7u8; 3000];
    assert!(p.conn.send_delivery(link, b"", &body, 42, false));
    assert_eq!(p.conn.credit(link), 0);
    let out = p.conn.take_output(p.now);
    p.inbox.extend_from_slice(&out);
    let frames = p.received();
    let transfers: Vec<_> = frames
        .iter()
        .filter_map(|f| match f {
            Performative::Transfer(t, payload) => Some((t.more, payload.len())),
            _ => None,
        })
        .collect();
    assert!(transfers.len() >= 4, "{transfers:?}");
    assert_eq!(transfers.iter().map(|t| t.1).sum::<usize>(), 3000);
    assert!(!transfers.last().unwrap().0);
    // The client accepts it: the token comes back.
    p.send(
        0,
        Performative::Disposition(Disposition {
            role: true,
            first: 0,
            last: None,
            settled: true,
            state: Some(DeliveryState::Accepted),
        }),
    );
    assert!(matches!(
        &p.events()[..],
        [Event::Outcome {
            token: 42,
            state: Some(DeliveryState::Accepted),
            ..
        }]
    ));
}

#[test]
fn drain_uses_up_the_remaining_credit() {
    let mut p = Peer::open(ConnectionConfig::default());
    let (link, a) = p.attach("consumer", 0, true);
    p.conn
        .answer_attach(link, &a, a.source.clone(), a.target.clone(), None, vec![]);
    p.send(
        0,
        Performative::Flow(Flow {
            next_incoming_id: Some(0),
            incoming_window: 100,
            handle: Some(0),
            delivery_count: Some(0),
            link_credit: Some(5),
            drain: true,
            ..Default::default()
        }),
    );
    assert!(matches!(
        p.events()[..],
        [Event::Credit {
            credit: 5,
            drain: true,
            ..
        }]
    ));
    p.received();
    p.conn.drained(link);
    let out = p.conn.take_output(p.now);
    p.inbox.extend_from_slice(&out);
    let frames = p.received();
    assert!(frames.iter().any(|f| matches!(f, Performative::Flow(fl) if fl.link_credit == Some(0) && fl.delivery_count == Some(5))));
}

#[test]
fn unsettled_deliveries_come_back_when_the_link_detaches() {
    let mut p = Peer::open(ConnectionConfig::default());
    let (link, a) = p.attach("consumer", 0, true);
    p.conn
        .answer_attach(link, &a, a.source.clone(), a.target.clone(), None, vec![]);
    p.send(
        0,
        Performative::Flow(Flow {
            incoming_window: 100,
            handle: Some(0),
            delivery_count: Some(0),
            link_credit: Some(2),
            ..Default::default()
        }),
    );
    p.events();
    assert!(p.conn.send_delivery(link, b"a", b"", 1, false));
    assert!(p.conn.send_delivery(link, b"b", b"", 2, false));
    p.send(
        0,
        Performative::Detach(Detach {
            handle: 0,
            closed: true,
            error: None,
        }),
    );
    match &p.events()[..] {
        [Event::Detached {
            closed: true,
            unsettled,
            ..
        }] => {
            let mut u = unsettled.clone();
            u.sort();
            assert_eq!(u, vec![1, 2]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn heartbeats_are_sent_and_a_silent_peer_is_closed() {
    let config = ConnectionConfig {
        idle_timeout_ms: 8_000,
        ..Default::default()
    };
    let mut p = Peer::open(config);
    p.inbox.clear();
    // The client asked for 10 s: we must send something every 5 s.
    p.now += Duration::from_millis(5_000);
    p.conn.handle_timeout(p.now);
    let out = p.conn.take_output(p.now);
    assert_eq!(
        &out[..],
        &[0, 0, 0, 8, 2, 0, 0, 0],
        "an empty frame is the heartbeat"
    );
    assert!(!p.conn.is_closed());
    // Nothing received for our 8 s limit: closed with resource-limit-exceeded.
    p.now += Duration::from_millis(3_000);
    p.conn.handle_timeout(p.now);
    let out = p.conn.take_output(p.now);
    p.inbox.extend_from_slice(&out);
    assert_eq!(
        p.closed_with().as_deref(),
        Some(condition::RESOURCE_LIMIT_EXCEEDED)
    );
    assert!(p.conn.is_closed());
}
