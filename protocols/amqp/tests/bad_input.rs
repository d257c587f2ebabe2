//! Bad input to the connection state machine: wrong protocol header, failed SASL, frames over the
//! max-frame-size, transfers on unknown handles or without credit, malformed and deeply nested values,
//! duplicate handles, oversized messages. Each gets the spec's error condition (then a close), never a panic.

mod common;

use bytes::BytesMut;
use common::{transfer, Peer};
use mqgate_amqp::codec::frame::{self, decode_frame, encode_frame, TYPE_AMQP, TYPE_SASL};
use mqgate_amqp::codec::performative::decode_sasl;
use mqgate_amqp::codec::{condition, Attach, DecodeLimits, Performative, SaslFrame, Value};
use mqgate_amqp::session::ConnectionConfig;

#[test]
fn wrong_protocol_header_gets_our_header_and_the_connection_ends() {
    let mut p = Peer::new(ConnectionConfig::default());
    p.send_raw(b"GET / HTTP/1.1\r\n");
    assert_eq!(&p.inbox[..], &frame::SASL_HEADER);
    assert!(p.conn.is_closed());
    let mut p = Peer::new(ConnectionConfig::default());
    p.send_raw(b"AMQP\x01\x01\x00\x00");
    assert!(p.conn.is_closed());
}

#[test]
fn bad_sasl_credentials_fail_with_auth_outcome() {
    struct Deny;
    impl mqgate_amqp::session::Authenticator for Deny {
        fn check(&self, _: Option<&str>, _: &[u8]) -> bool {
            false
        }
        fn allow_anonymous(&self) -> bool {
            false
        }
    }
    let mut p = Peer::new(ConnectionConfig {
        authenticator: std::sync::Arc::new(Deny),
        ..Default::default()
    });
    p.send_raw(&frame::SASL_HEADER);
    let _ = p.inbox.split_to(8);
    let mech = decode_frame(&mut p.inbox, 1024).unwrap().unwrap();
    assert_eq!(
        decode_sasl(mech.body, DecodeLimits::default()).unwrap(),
        SaslFrame::Mechanisms(vec!["PLAIN".into()])
    );
    let mut body = BytesMut::new();
    SaslFrame::Init {
        mechanism: "ANONYMOUS".into(),
        initial_response: None,
        hostname: None,
    }
    .encode(&mut body);
    let mut f = BytesMut::new();
    encode_frame(TYPE_SASL, 0, &[&body], &mut f);
    p.send_raw(&f);
    let outcome = decode_frame(&mut p.inbox, 1024).unwrap().unwrap();
    assert_eq!(
        decode_sasl(outcome.body, DecodeLimits::default()).unwrap(),
        SaslFrame::Outcome(1)
    );
    assert!(p.conn.is_closed());
}

#[test]
fn frame_over_max_frame_size_closes_with_framing_error() {
    let mut p = Peer::open(ConnectionConfig {
        max_frame_size: 4096,
        ..Default::default()
    });
    p.send_raw(&[0, 1, 0, 0, 2, 0, 0, 0]);
    assert_eq!(p.closed_with().as_deref(), Some(condition::FRAMING_ERROR));
    assert!(p.conn.is_closed());
}

#[test]
fn transfer_on_an_unattached_handle_closes_with_unattached_handle() {
    let mut p = Peer::open(ConnectionConfig::default());
    p.send(0, transfer(7, Some(0), false, b"x"));
    assert_eq!(
        p.closed_with().as_deref(),
        Some(condition::UNATTACHED_HANDLE)
    );
}

#[test]
fn transfer_beyond_the_credit_closes_with_transfer_limit_exceeded() {
    let mut p = Peer::open(ConnectionConfig {
        incoming_credit: 1,
        ..Default::default()
    });
    let (link, a) = p.attach("producer", 0, false);
    p.conn
        .answer_attach(link, &a, a.source.clone(), a.target.clone(), None, vec![]);
    p.send(0, transfer(0, Some(0), false, b"one"));
    p.send(0, transfer(0, Some(1), false, b"two"));
    assert_eq!(
        p.closed_with().as_deref(),
        Some(condition::TRANSFER_LIMIT_EXCEEDED)
    );
}

#[test]
fn malformed_and_deeply_nested_performatives_close_with_decode_error() {
    let mut p = Peer::open(ConnectionConfig::default());
    let mut f = BytesMut::new();
    encode_frame(
        TYPE_AMQP,
        0,
        &[&[0x00, 0x53, 0x12, 0xc0, 0x05, 0x09]],
        &mut f,
    );
    p.send_raw(&f);
    assert_eq!(p.closed_with().as_deref(), Some(condition::DECODE_ERROR));

    let mut p = Peer::open(ConnectionConfig::default());
    let mut nested = Value::Null;
    for _ in 0..200 {
        nested = Value::List(vec![nested]);
    }
    let perf = Value::described_list(0x13, vec![nested]).to_bytes();
    let mut f = BytesMut::new();
    encode_frame(TYPE_AMQP, 0, &[&perf], &mut f);
    p.send_raw(&f);
    assert_eq!(p.closed_with().as_deref(), Some(condition::DECODE_ERROR));
}

#[test]
fn frames_before_begin_and_duplicate_handles_are_protocol_errors() {
    let mut p = Peer::open(ConnectionConfig::default());
    p.send(5, transfer(0, Some(0), false, b"x"));
    assert_eq!(p.closed_with().as_deref(), Some(condition::FRAMING_ERROR));

    let mut p = Peer::open(ConnectionConfig::default());
    p.attach("a", 0, false);
    let dup = Attach {
        name: "b".into(),
        handle: 0,
        ..Default::default()
    };
    p.send(0, Performative::Attach(Box::new(dup)));
    assert_eq!(p.closed_with().as_deref(), Some(condition::HANDLE_IN_USE));
}

#[test]
fn oversized_message_detaches_the_link() {
    let mut p = Peer::open(ConnectionConfig {
        max_message_size: 4,
        ..Default::default()
    });
    let (link, a) = p.attach("producer", 0, false);
    p.conn
        .answer_attach(link, &a, a.source.clone(), a.target.clone(), None, vec![]);
    p.received();
    p.send(0, transfer(0, Some(0), false, b"too long"));
    let frames = p.received();
    assert!(frames.iter().any(|f| matches!(f, Performative::Detach(d) if d.error.as_ref().is_some_and(|e| e.condition == "amqp:link:message-size-exceeded"))));
    assert!(!p.conn.is_closed());
}
