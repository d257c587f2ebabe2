//! Codec vectors: a TextMessage captured from Qpid JMS 2.7.0 on the wire, round trips of every type, and
//! malformed input that must be an error (never a panic).

use bytes::{Bytes, BytesMut};
use mqgate_amqp::codec::decode::{decode_one, DecodeError, DecodeLimits};
use mqgate_amqp::codec::frame::{decode_frame, encode_frame, FrameError};
use mqgate_amqp::codec::message::{decode_message, encode_message};
use mqgate_amqp::codec::{Body, Value};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Transfer payload of `session.createTextMessage("hello 0")` with properties, JMSType, JMSCorrelationID
/// and priority 7, as Qpid JMS 2.7.0 sent it (PN_TRACE_FRM capture).
const QPID_TEXT_MESSAGE: &str = "005370c00402415007005372c12904a30e782d6f70742d6a6d732d646573745100a312782d6f70742d6a6d732d6d73672d747970655105005373d0000000630000000aa12f49443a66323430343431382d616634302d346261332d383366352d3339653336613937316533343a313a313a312d3140a10c723631666565622d6175746fa1086772656574696e6740a106636f72722d3040404083000001a2125056d7005374c12908a104666c616741a105636f6c6f72a103726564a1016e5400a105726174696f824004000000000000005377a10768656c6c6f2030";

#[test]
fn qpid_jms_text_message_capture_decodes_every_section() {
    let msg = decode_message(
        Bytes::from(unhex(QPID_TEXT_MESSAGE)),
        DecodeLimits::default(),
    )
    .unwrap();
    let h = msg.header.clone().unwrap();
    assert!(h.durable);
    assert_eq!(h.priority, 7);
    assert_eq!(msg.annotations.len(), 2);
    assert_eq!(msg.annotations[1].0, Value::sym("x-opt-jms-msg-type"));
    assert_eq!(msg.annotations[1].1, Value::Byte(5));
    let p = msg.properties.clone().unwrap();
    assert_eq!(
        p.message_id,
        Value::str("ID:f2404418-af40-4ba3-83f5-39e36a971e34:1:1:1-1")
    );
    assert_eq!(p.to.as_deref(), Some("r61feeb-auto"));
    assert_eq!(p.subject.as_deref(), Some("greeting"));
    assert_eq!(p.correlation_id, Value::str("corr-0"));
    assert!(p.creation_time.is_some());
    let names: Vec<_> = msg
        .application_properties
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(names, ["flag", "color", "n", "ratio"]);
    assert_eq!(msg.application_properties[2].1, Value::Int(0));
    assert_eq!(msg.application_properties[3].1, Value::Double(2.5));
    assert_eq!(msg.body, Body::Text("hello 0".into()));
    // Re-encoding gives a message that decodes to the same thing.
    let (prefix, body) = encode_message(&msg);
    let mut again = prefix.to_vec();
    again.extend_from_slice(&body);
    let round = decode_message(Bytes::from(again), DecodeLimits::default()).unwrap();
    assert_eq!(round, msg);
}

#[test]
fn every_type_round_trips() {
    let values = vec![
        Value::Null,
        Value::Bool(true),
        Value::Bool(false),
        Value::Ubyte(200),
        Value::Ushort(65000),
        Value::Uint(0),
        Value::Uint(255),
        Value::Uint(70000),
        Value::Ulong(0),
        Value::Ulong(3),
        Value::Ulong(u64::MAX),
        Value::Byte(-3),
        Value::Short(-300),
        Value::Int(-5),
        Value::Int(1 << 20),
        Value::Long(-7),
        Value::Long(i64::MIN),
        Value::Float(1.5),
        Value::Double(-2.25),
        Value::Decimal32(1),
        Value::Decimal64(2),
        Value::Decimal128([3; 16]),
        Value::Char('λ'),
        Value::Timestamp(1_700_000_000_000),
        Value::Uuid([9; 16]),
        Value::Binary(Bytes::from(vec![0u8; 300])),
        Value::str("short"),
        Value::String("x".repeat(300)),
        Value::sym("amqp:accepted:list"),
        Value::List(vec![]),
        Value::List(vec![Value::Int(1), Value::str("two")]),
        Value::Map(vec![(Value::sym("k"), Value::List(vec![Value::Null]))]),
        Value::Array(vec![Value::sym("queue"), Value::sym("topic")]),
        Value::Array(vec![Value::Ulong(1), Value::Ulong(2)]),
        Value::described_list(0x24, vec![]),
    ];
    for v in values {
        let bytes = v.to_bytes();
        assert_eq!(
            decode_one(bytes.clone(), DecodeLimits::default()).unwrap(),
            v,
            "{bytes:02x?}"
        );
    }
}

#[test]
fn truncated_and_invalid_input_is_an_error() {
    for bad in [
        &b""[..],
        &[0xa1, 5, b'a'],                // string longer than the input
        &[0xb0, 0xff, 0xff, 0xff, 0xff], // 4 GiB binary claim
        &[0xc0, 3, 200, 0x40],           // list count larger than its bytes
        &[0xd1, 0, 0, 0, 4, 0, 0, 0, 1], // map with an odd count
        &[0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x40], // billions of nulls in a 5-byte array
        &[0x00],                         // descriptor missing
        &[0x00, 0x53, 0x10],             // described value missing
        &[0x56, 7],                      // boolean that is neither 0 nor 1
        &[0xa1, 1, 0xff],                // invalid UTF-8
        &[0x73, 0, 0x11, 0, 0],          // not a code point
        &[0x01],                         // reserved format code
        &[0xc0, 1, 1],                   // list whose only element is missing
    ] {
        assert!(
            decode_one(Bytes::copy_from_slice(bad), DecodeLimits::default()).is_err(),
            "{bad:02x?}"
        );
    }
}

#[test]
fn nesting_beyond_the_limit_is_rejected() {
    let mut v = Value::Null;
    for _ in 0..100 {
        v = Value::List(vec![v]);
    }
    let err = decode_one(v.to_bytes(), DecodeLimits::default()).unwrap_err();
    assert!(matches!(err, DecodeError::TooDeep { .. }), "{err}");
    let mut d = Value::Null;
    for _ in 0..100 {
        d = Value::Described(Box::new(Value::Ulong(1)), Box::new(d));
    }
    assert!(decode_one(d.to_bytes(), DecodeLimits::default()).is_err());
}

#[test]
fn frames_over_the_limit_are_refused_before_buffering() {
    let mut buf = BytesMut::new();
    encode_frame(0, 3, &[b"abc"], &mut buf);
    let f = decode_frame(&mut buf.clone(), 512).unwrap().unwrap();
    assert_eq!((f.kind, f.channel, &f.body[..]), (0, 3, &b"abc"[..]));
    let mut partial = BytesMut::from(&buf[..9]);
    assert_eq!(decode_frame(&mut partial, 512).unwrap(), None);
    let mut huge = BytesMut::from(&[0x7f, 0xff, 0xff, 0xff, 2, 0, 0, 0][..]);
    assert!(matches!(
        decode_frame(&mut huge, 512),
        Err(FrameError::TooLarge { .. })
    ));
    let mut bad_doff = BytesMut::from(&[0, 0, 0, 8, 1, 0, 0, 0][..]);
    assert!(matches!(
        decode_frame(&mut bad_doff, 512),
        Err(FrameError::BadDataOffset { .. })
    ));
}
