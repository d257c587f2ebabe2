//! Fuzzes the AMQP frame decoder and everything behind it: arbitrary bytes go to the frame layer, the
//! performative and message decoders, and the whole connection state machine (after a valid header, so
//! the fuzzer reaches open/begin/attach/transfer handling). Nothing may panic, and a closed connection
//! must stay closed.
#![no_main]

use bytes::{Bytes, BytesMut};
use libfuzzer_sys::fuzz_target;
use mqgate_amqp::codec::frame::{decode_frame, AMQP_HEADER};
use mqgate_amqp::codec::message::decode_message;
use mqgate_amqp::codec::performative::{decode_performative, decode_sasl};
use mqgate_amqp::codec::DecodeLimits;
use mqgate_amqp::session::{Connection, ConnectionConfig, Event};
use std::time::Instant;

fuzz_target!(|data: &[u8]| {
    let limits = DecodeLimits::default();
    let mut buf = BytesMut::from(data);
    while let Ok(Some(f)) = decode_frame(&mut buf, 64 * 1024) {
        let _ = decode_performative(f.body.clone(), limits);
        let _ = decode_sasl(f.body.clone(), limits);
    }
    let _ = decode_message(Bytes::copy_from_slice(data), limits);

    let now = Instant::now();
    let mut conn = Connection::new(ConnectionConfig::default(), now);
    conn.handle_input(&AMQP_HEADER, now);
    // Feed in two pieces so partial frames are exercised too.
    let cut = data.first().map_or(0, |b| *b as usize % (data.len() + 1));
    conn.handle_input(&data[..cut], now);
    conn.handle_input(&data[cut..], now);
    let mut links = Vec::new();
    while let Some(ev) = conn.poll_event() {
        if let Event::Attach { link, attach } = ev {
            links.push((link, attach));
        }
    }
    for (link, a) in links {
        conn.answer_attach(link, &a, a.source.clone(), a.target.clone(), None, Vec::new());
        let _ = conn.send_delivery(link, b"x", &[0u8; 100], 1, false);
    }
    conn.handle_timeout(now + std::time::Duration::from_secs(120));
    let _ = conn.take_output(now);
});
