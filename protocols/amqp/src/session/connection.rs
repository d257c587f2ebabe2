//! The connection state machine, quinn-proto style: bytes and time go in ([`Connection::handle_input`],
//! [`Connection::handle_timeout`]), events and bytes to send come out ([`Connection::poll_event`],
//! [`Connection::take_output`]). No I/O and no clock of its own, so tests drive it without sockets or sleeps.
//! This file holds the protocol headers, SASL, open/close and heartbeats; sessions and links are in
//! `endpoint.rs`. A protocol violation queues a `close` carrying the spec's error condition; it never panics.

use super::endpoint::SessionState;
use super::types::{ConnectionConfig, Event};
use crate::codec::frame::{self, ProtocolHeader, TYPE_AMQP, TYPE_SASL};
use crate::codec::performative::{decode_performative, decode_sasl};
use crate::codec::{condition, AmqpError, Open, Performative, SaslFrame};
use bytes::{Bytes, BytesMut};
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Waiting for the first protocol header.
    Header,
    /// SASL header exchanged; waiting for sasl-init.
    SaslInit,
    /// SASL done; waiting for the AMQP header.
    HeaderAfterSasl,
    /// Waiting for the peer's open.
    AwaitOpen,
    /// Open.
    Open,
    /// We sent close; nothing more is processed.
    Closed,
}

/// One AMQP connection's protocol state.
pub struct Connection {
    pub(super) config: ConnectionConfig,
    pub(super) phase: Phase,
    input: BytesMut,
    pub(super) output: BytesMut,
    pub(super) events: VecDeque<Event>,
    /// Negotiated: the largest frame we may send.
    pub(super) peer_max_frame: u32,
    peer_idle_ms: u32,
    last_received: Instant,
    last_sent: Instant,
    pub(super) sessions: BTreeMap<u16, SessionState>,
    user: Option<String>,
    close_sent: bool,
}

impl Connection {
    /// A connection that has received nothing yet.
    pub fn new(config: ConnectionConfig, now: Instant) -> Self {
        Connection {
            config,
            phase: Phase::Header,
            input: BytesMut::new(),
            output: BytesMut::new(),
            events: VecDeque::new(),
            peer_max_frame: frame::MIN_MAX_FRAME_SIZE,
            peer_idle_ms: 0,
            last_received: now,
            last_sent: now,
            sessions: BTreeMap::new(),
            user: None,
            close_sent: false,
        }
    }

    /// True once the connection is over; flush [`Connection::take_output`] and drop the socket.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// The next event for the owner.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// True when [`Connection::poll_event`] has something.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Bytes to write to the peer (`now` is when they are written, for heartbeats).
    pub fn take_output(&mut self, now: Instant) -> Bytes {
        if !self.output.is_empty() {
            self.last_sent = now;
        }
        self.output.split().freeze()
    }

    /// Bytes queued for the peer but not taken yet.
    pub fn pending_output(&self) -> usize {
        self.output.len()
    }

    /// Feeds bytes read from the peer.
    pub fn handle_input(&mut self, data: &[u8], now: Instant) {
        if self.phase == Phase::Closed {
            return;
        }
        self.last_received = now;
        self.input.extend_from_slice(data);
        while self.phase != Phase::Closed && self.step() {}
    }

    /// Processes one header or frame; false when more bytes are needed.
    fn step(&mut self) -> bool {
        match self.phase {
            Phase::Header | Phase::HeaderAfterSasl => self.read_header(),
            _ => {
                let max = self.config.max_frame_size;
                match frame::decode_frame(&mut self.input, max) {
                    Ok(Some(f)) => {
                        self.on_frame(f);
                        true
                    }
                    Ok(None) => false,
                    Err(e) => {
                        self.close_with(condition::FRAMING_ERROR, e.to_string());
                        false
                    }
                }
            }
        }
    }

    fn read_header(&mut self) -> bool {
        if self.input.len() < 8 {
            // A peer that sends something else entirely is told our version as soon as it differs.
            if !frame::AMQP_HEADER.starts_with(&self.input)
                && !frame::SASL_HEADER.starts_with(&self.input)
            {
                self.refuse_header();
            }
            return false;
        }
        let mut h = [0u8; 8];
        h.copy_from_slice(&self.input.split_to(8));
        match (self.phase, frame::parse_header(&h)) {
            (Phase::Header, ProtocolHeader::Sasl) => {
                self.output.extend_from_slice(&frame::SASL_HEADER);
                let mut mechs = vec!["PLAIN".to_string()];
                if self.config.authenticator.allow_anonymous() {
                    mechs.insert(0, "ANONYMOUS".into());
                }
                self.send_sasl(SaslFrame::Mechanisms(mechs));
                self.phase = Phase::SaslInit;
            }
            (Phase::Header, ProtocolHeader::Amqp) if !self.config.require_sasl => {
                self.output.extend_from_slice(&frame::AMQP_HEADER);
                self.phase = Phase::AwaitOpen;
            }
            (Phase::HeaderAfterSasl, ProtocolHeader::Amqp) => {
                self.output.extend_from_slice(&frame::AMQP_HEADER);
                self.phase = Phase::AwaitOpen;
            }
            _ => {
                self.refuse_header();
                return false;
            }
        }
        true
    }

    /// Spec §2.2: answer an unsupported header with the header we do support, then close the socket.
    fn refuse_header(&mut self) {
        let ours = if self.config.require_sasl || self.phase == Phase::Header {
            frame::SASL_HEADER
        } else {
            frame::AMQP_HEADER
        };
        self.output.extend_from_slice(&ours);
        self.phase = Phase::Closed;
        self.events.push_back(Event::Closed {
            error: Some(AmqpError::new(
                condition::NOT_ALLOWED,
                "unsupported protocol header",
            )),
        });
    }

    fn send_sasl(&mut self, f: SaslFrame) {
        let mut body = BytesMut::new();
        f.encode(&mut body);
        frame::encode_frame(TYPE_SASL, 0, &[&body], &mut self.output);
    }

    pub(super) fn send_performative(&mut self, channel: u16, p: &Performative, payload: &[u8]) {
        let mut body = BytesMut::with_capacity(64);
        p.encode(&mut body);
        frame::encode_frame(TYPE_AMQP, channel, &[&body, payload], &mut self.output);
    }

    fn on_frame(&mut self, f: frame::RawFrame) {
        match (self.phase, f.kind) {
            (Phase::SaslInit, TYPE_SASL) => self.on_sasl(f.body),
            (Phase::AwaitOpen | Phase::Open, TYPE_AMQP) if f.body.is_empty() => {} // heartbeat
            (Phase::AwaitOpen | Phase::Open, TYPE_AMQP) => {
                match decode_performative(f.body, self.config.limits) {
                    Ok(p) => self.on_performative(f.channel, p),
                    Err(e) => self.close_with(condition::DECODE_ERROR, e.to_string()),
                }
            }
            _ => self.close_with(condition::FRAMING_ERROR, "unexpected frame type"),
        }
    }

    fn on_sasl(&mut self, body: Bytes) {
        let (user, ok) = match decode_sasl(body, self.config.limits) {
            Ok(SaslFrame::Init {
                mechanism,
                initial_response,
                ..
            }) => match mechanism.as_str() {
                "ANONYMOUS" if self.config.authenticator.allow_anonymous() => (None, true),
                "PLAIN" => {
                    // authzid NUL authcid NUL password
                    let resp = initial_response.unwrap_or_default();
                    let mut parts = resp.split(|b| *b == 0);
                    let (_authz, user, pass) = (parts.next(), parts.next(), parts.next());
                    match (user.map(std::str::from_utf8), pass) {
                        (Some(Ok(u)), Some(p)) => (
                            Some(u.to_string()),
                            self.config.authenticator.check(Some(u), p),
                        ),
                        _ => (None, false),
                    }
                }
                _ => (None, false),
            },
            _ => (None, false),
        };
        if ok {
            self.user = user;
            self.send_sasl(SaslFrame::Outcome(0));
            self.phase = Phase::HeaderAfterSasl;
        } else {
            self.send_sasl(SaslFrame::Outcome(1));
            self.phase = Phase::Closed;
            self.events.push_back(Event::Closed {
                error: Some(AmqpError::new(
                    condition::UNAUTHORIZED_ACCESS,
                    "authentication failed",
                )),
            });
        }
    }

    fn on_performative(&mut self, channel: u16, p: Performative) {
        match (self.phase, p) {
            (Phase::AwaitOpen, Performative::Open(open)) => self.on_open(open),
            (Phase::AwaitOpen, _) => self.close_with(condition::FRAMING_ERROR, "expected open"),
            (Phase::Open, Performative::Open(_)) => {
                self.close_with(condition::FRAMING_ERROR, "second open")
            }
            (Phase::Open, Performative::Close(error)) => {
                if !self.close_sent {
                    self.close_sent = true;
                    self.send_performative(0, &Performative::Close(None), &[]);
                }
                self.finish(error);
            }
            (Phase::Open, other) => self.on_session_frame(channel, other),
            _ => {}
        }
    }

    fn on_open(&mut self, open: Open) {
        self.peer_max_frame = open.max_frame_size.max(frame::MIN_MAX_FRAME_SIZE);
        self.peer_idle_ms = open.idle_time_out;
        let ours = Open {
            container_id: self.config.container_id.clone(),
            hostname: None,
            max_frame_size: self.config.max_frame_size,
            channel_max: self.config.channel_max,
            // Announce half our limit: the peer then sends at least twice within our limit.
            idle_time_out: self.config.idle_timeout_ms / 2,
            offered_capabilities: self.config.offered_capabilities.clone(),
            desired_capabilities: Vec::new(),
            properties: self.config.properties.clone(),
        };
        self.send_performative(0, &Performative::Open(ours), &[]);
        self.phase = Phase::Open;
        self.events.push_back(Event::Opened {
            container_id: open.container_id,
            desired_capabilities: open.desired_capabilities,
            user: self.user.clone(),
        });
    }

    /// Closes the connection with an error condition (protocol violation or owner's decision).
    pub fn close_with(&mut self, cond: &str, description: impl Into<String>) {
        let error = AmqpError::new(cond, description);
        self.close(Some(error));
    }

    /// Closes the connection.
    pub fn close(&mut self, error: Option<AmqpError>) {
        if self.phase == Phase::Closed {
            return;
        }
        if matches!(self.phase, Phase::AwaitOpen | Phase::Open) && !self.close_sent {
            if self.phase == Phase::AwaitOpen {
                // A close must follow an open of ours.
                let open = Open {
                    container_id: self.config.container_id.clone(),
                    max_frame_size: self.config.max_frame_size,
                    channel_max: self.config.channel_max,
                    ..Default::default()
                };
                self.send_performative(0, &Performative::Open(open), &[]);
            }
            self.close_sent = true;
            self.send_performative(0, &Performative::Close(error.clone()), &[]);
        }
        self.finish(error);
    }

    fn finish(&mut self, error: Option<AmqpError>) {
        let channels: Vec<u16> = self.sessions.keys().copied().collect();
        for ch in channels {
            self.drop_session(ch);
        }
        self.phase = Phase::Closed;
        self.events.push_back(Event::Closed { error });
    }

    /// When [`Connection::handle_timeout`] must next be called.
    pub fn next_timeout(&self) -> Option<Instant> {
        if self.phase == Phase::Closed {
            return None;
        }
        let mut t = self.last_received + Duration::from_millis(self.config.idle_timeout_ms.into());
        if self.peer_idle_ms > 0 {
            t = t
                .min(self.last_sent + Duration::from_millis((self.peer_idle_ms / 2).max(1).into()));
        }
        Some(t)
    }

    /// Runs timers: closes an idle peer, sends heartbeats to keep ours alive.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.phase == Phase::Closed {
            return;
        }
        let limit = Duration::from_millis(self.config.idle_timeout_ms.into());
        if self.config.idle_timeout_ms > 0 && now.duration_since(self.last_received) >= limit {
            self.close_with(
                condition::RESOURCE_LIMIT_EXCEEDED,
                "local-idle-timeout expired",
            );
            return;
        }
        if self.phase == Phase::Open && self.peer_idle_ms > 0 {
            let every = Duration::from_millis((self.peer_idle_ms / 2).max(1).into());
            if now.duration_since(self.last_sent) >= every && self.output.is_empty() {
                frame::encode_heartbeat(&mut self.output);
                self.last_sent = now;
            }
        }
    }
}
