//! An in-memory AMQP client for driving the connection state machine in tests: it encodes frames with the
//! crate's own codec and decodes what the server sends back, on a virtual clock.
#![allow(dead_code)]

use bytes::{Bytes, BytesMut};
use mqgate_amqp::codec::frame::{self, decode_frame, encode_frame, TYPE_AMQP, TYPE_SASL};
use mqgate_amqp::codec::performative::{decode_performative, decode_sasl};
use mqgate_amqp::codec::{
    Attach, Begin, DecodeLimits, Open, Performative, SaslFrame, Source, Target, Transfer,
};
use mqgate_amqp::session::{Connection, ConnectionConfig, Event, LinkRef};
use std::time::Instant;

pub struct Peer {
    pub conn: Connection,
    pub now: Instant,
    pub inbox: BytesMut,
}

impl Peer {
    pub fn new(config: ConnectionConfig) -> Self {
        let now = Instant::now();
        Peer {
            conn: Connection::new(config, now),
            now,
            inbox: BytesMut::new(),
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.conn.handle_input(bytes, self.now);
        let out = self.conn.take_output(self.now);
        self.inbox.extend_from_slice(&out);
    }

    pub fn send(&mut self, channel: u16, p: Performative) {
        let payload = match &p {
            Performative::Transfer(_, payload) => payload.clone(),
            _ => Bytes::new(),
        };
        let mut body = BytesMut::new();
        p.encode(&mut body);
        let mut f = BytesMut::new();
        encode_frame(TYPE_AMQP, channel, &[&body, &payload], &mut f);
        self.send_raw(&f);
    }

    /// Frames the server sent since the last call (heartbeats skipped).
    pub fn received(&mut self) -> Vec<Performative> {
        let mut out = Vec::new();
        while let Ok(Some(f)) = decode_frame(&mut self.inbox, u32::MAX) {
            if f.kind == TYPE_AMQP && !f.body.is_empty() {
                out.push(decode_performative(f.body, DecodeLimits::default()).unwrap());
            }
        }
        out
    }

    pub fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.conn.poll_event()).collect()
    }

    /// SASL PLAIN, open, begin on channel 0.
    pub fn open(config: ConnectionConfig) -> Peer {
        let mut p = Peer::new(config);
        p.send_raw(&frame::SASL_HEADER);
        assert!(p.inbox.starts_with(&frame::SASL_HEADER));
        p.inbox.clear();
        let mut body = BytesMut::new();
        SaslFrame::Init {
            mechanism: "PLAIN".into(),
            initial_response: Some(Bytes::from_static(b"\0guest\0secret")),
            hostname: None,
        }
        .encode(&mut body);
        let mut f = BytesMut::new();
        encode_frame(TYPE_SASL, 0, &[&body], &mut f);
        p.send_raw(&f);
        let outcome = decode_frame(&mut p.inbox, 1024).unwrap().unwrap();
        assert_eq!(
            decode_sasl(outcome.body, DecodeLimits::default()).unwrap(),
            SaslFrame::Outcome(0)
        );
        p.send_raw(&frame::AMQP_HEADER);
        assert!(p.inbox.starts_with(&frame::AMQP_HEADER));
        let _ = p.inbox.split_to(8);
        p.send(
            0,
            Performative::Open(Open {
                container_id: "client-1".into(),
                max_frame_size: 1024,
                channel_max: 10,
                idle_time_out: 10_000,
                ..Default::default()
            }),
        );
        p.send(
            0,
            Performative::Begin(Begin {
                remote_channel: None,
                next_outgoing_id: 0,
                incoming_window: 100,
                outgoing_window: 100,
                handle_max: 10,
            }),
        );
        let frames = p.received();
        assert!(matches!(frames[0], Performative::Open(_)));
        assert!(matches!(frames[1], Performative::Begin(ref b) if b.remote_channel == Some(0)));
        let events = p.events();
        assert!(
            matches!(&events[0], Event::Opened { container_id, user, .. }
            if container_id == "client-1" && user.as_deref() == Some("guest"))
        );
        p
    }

    pub fn attach(&mut self, name: &str, handle: u32, client_receives: bool) -> (LinkRef, Attach) {
        let a = Attach {
            name: name.into(),
            handle,
            role: client_receives,
            snd_settle_mode: 0,
            source: Some(Source {
                address: Some("q".into()),
                ..Default::default()
            }),
            target: Some(Target {
                address: Some("q".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        self.send(0, Performative::Attach(Box::new(a)));
        match self.events().pop() {
            Some(Event::Attach { link, attach }) => (link, *attach),
            other => panic!("expected an attach, got {other:?}"),
        }
    }

    pub fn closed_with(&mut self) -> Option<String> {
        self.received().into_iter().find_map(|p| match p {
            Performative::Close(e) => Some(e.map(|e| e.condition).unwrap_or_default()),
            _ => None,
        })
    }
}

pub fn transfer(handle: u32, id: Option<u32>, more: bool, payload: &'static [u8]) -> Performative {
    Performative::Transfer(
        Transfer {
            handle,
            delivery_id: id,
            delivery_tag: id.map(|i| Bytes::copy_from_slice(&i.to_be_bytes())),
            more,
            ..Default::default()
        },
        Bytes::from_static(payload),
    )
}
