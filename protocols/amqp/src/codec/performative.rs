//! The nine AMQP performatives (open, begin, attach, flow, transfer, disposition, detach, end, close) and
//! the SASL frames, decoded from a frame body and encoded into one. A transfer's payload is a slice of the
//! frame body, never copied.

use super::decode::{DecodeError, DecodeLimits, Decoder};
use super::descriptor as d;
use super::fields::{composite, opt, symbol_array, Fields};
use super::state::{AmqpError, DeliveryState};
use super::terminus::{Source, Target};
use super::value::Value;
use bytes::{Bytes, BytesMut};

/// `open`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Open {
    pub container_id: String,
    pub hostname: Option<String>,
    pub max_frame_size: u32,
    pub channel_max: u16,
    /// Idle time-out in ms; 0 = none.
    pub idle_time_out: u32,
    pub offered_capabilities: Vec<String>,
    pub desired_capabilities: Vec<String>,
    /// Connection properties (a symbol-keyed map) or `null`.
    pub properties: Value,
}

/// `begin`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Begin {
    pub remote_channel: Option<u16>,
    pub next_outgoing_id: u32,
    pub incoming_window: u32,
    pub outgoing_window: u32,
    pub handle_max: u32,
}

/// `attach`. `role` false = sender, true = receiver (of the frame's sender).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attach {
    pub name: String,
    pub handle: u32,
    pub role: bool,
    /// 0 unsettled, 1 settled, 2 mixed.
    pub snd_settle_mode: u8,
    /// 0 first, 1 second.
    pub rcv_settle_mode: u8,
    pub source: Option<Source>,
    pub target: Option<Target>,
    pub initial_delivery_count: Option<u32>,
    pub max_message_size: Option<u64>,
    pub offered_capabilities: Vec<String>,
    pub desired_capabilities: Vec<String>,
}

/// `flow`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    pub next_incoming_id: Option<u32>,
    pub incoming_window: u32,
    pub next_outgoing_id: u32,
    pub outgoing_window: u32,
    pub handle: Option<u32>,
    pub delivery_count: Option<u32>,
    pub link_credit: Option<u32>,
    pub available: Option<u32>,
    pub drain: bool,
    pub echo: bool,
}

/// `transfer`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transfer {
    pub handle: u32,
    pub delivery_id: Option<u32>,
    pub delivery_tag: Option<Bytes>,
    pub message_format: Option<u32>,
    pub settled: Option<bool>,
    pub more: bool,
    pub state: Option<DeliveryState>,
    pub aborted: bool,
}

/// `disposition`.
#[derive(Debug, Clone, PartialEq)]
pub struct Disposition {
    pub role: bool,
    pub first: u32,
    pub last: Option<u32>,
    pub settled: bool,
    pub state: Option<DeliveryState>,
}

/// `detach`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detach {
    pub handle: u32,
    pub closed: bool,
    pub error: Option<AmqpError>,
}

/// A decoded AMQP frame body.
#[derive(Debug, Clone, PartialEq)]
pub enum Performative {
    Open(Open),
    Begin(Begin),
    Attach(Box<Attach>),
    Flow(Flow),
    /// The transfer and its payload (a slice of the frame).
    Transfer(Transfer, Bytes),
    Disposition(Disposition),
    Detach(Detach),
    End(Option<AmqpError>),
    Close(Option<AmqpError>),
}

/// A decoded SASL frame body.
#[derive(Debug, Clone, PartialEq)]
pub enum SaslFrame {
    /// Mechanisms the server offers.
    Mechanisms(Vec<String>),
    /// The client's choice and initial response.
    Init {
        mechanism: String,
        initial_response: Option<Bytes>,
        hostname: Option<String>,
    },
    /// A response to a challenge.
    Response(Bytes),
    /// The outcome: 0 ok, 1 auth, 2 sys, 3 sys-perm, 4 sys-temp.
    Outcome(u8),
}

/// A frame body that is not what it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The bytes are not valid AMQP encoding.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Valid encoding, but not a known performative, or a mandatory field missing.
    #[error("invalid {what}")]
    Invalid {
        /// What.
        what: &'static str,
    },
}

fn invalid(what: &'static str) -> BodyError {
    BodyError::Invalid { what }
}

fn u16_field(f: &Fields<'_>, i: usize) -> Option<u16> {
    f.u64(i).and_then(|v| u16::try_from(v).ok())
}

/// Decodes an AMQP frame body.
pub fn decode_performative(body: Bytes, limits: DecodeLimits) -> Result<Performative, BodyError> {
    let mut dec = Decoder::new(body, limits);
    let v = dec.value()?;
    let code = v.descriptor_code().ok_or(invalid("performative"))?;
    let f = Fields::of(&v, code).ok_or(invalid("performative"))?;
    Ok(match code {
        d::OPEN => Performative::Open(Open {
            container_id: f.string(0).ok_or(invalid("open.container-id"))?,
            hostname: f.string(1),
            max_frame_size: f.u32(2).unwrap_or(u32::MAX),
            channel_max: u16_field(&f, 3).unwrap_or(u16::MAX),
            idle_time_out: f.u32(4).unwrap_or(0),
            offered_capabilities: f.symbols(7),
            desired_capabilities: f.symbols(8),
            properties: f.get(9).clone(),
        }),
        d::BEGIN => Performative::Begin(Begin {
            remote_channel: u16_field(&f, 0),
            next_outgoing_id: f.u32(1).ok_or(invalid("begin.next-outgoing-id"))?,
            incoming_window: f.u32(2).ok_or(invalid("begin.incoming-window"))?,
            outgoing_window: f.u32(3).ok_or(invalid("begin.outgoing-window"))?,
            handle_max: f.u32(4).unwrap_or(u32::MAX),
        }),
        d::ATTACH => Performative::Attach(Box::new(Attach {
            name: f.string(0).ok_or(invalid("attach.name"))?,
            handle: f.u32(1).ok_or(invalid("attach.handle"))?,
            role: f.bool(2).ok_or(invalid("attach.role"))?,
            snd_settle_mode: f.u64(3).map_or(2, |v| v.min(2) as u8),
            rcv_settle_mode: f.u64(4).map_or(0, |v| v.min(1) as u8),
            source: Source::from_value(f.get(5)),
            target: Target::from_value(f.get(6)),
            initial_delivery_count: f.u32(9),
            max_message_size: f.u64(10),
            offered_capabilities: f.symbols(11),
            desired_capabilities: f.symbols(12),
        })),
        d::FLOW => Performative::Flow(Flow {
            next_incoming_id: f.u32(0),
            incoming_window: f.u32(1).ok_or(invalid("flow.incoming-window"))?,
            next_outgoing_id: f.u32(2).ok_or(invalid("flow.next-outgoing-id"))?,
            outgoing_window: f.u32(3).ok_or(invalid("flow.outgoing-window"))?,
            handle: f.u32(4),
            delivery_count: f.u32(5),
            link_credit: f.u32(6),
            available: f.u32(7),
            drain: f.bool(8).unwrap_or(false),
            echo: f.bool(9).unwrap_or(false),
        }),
        d::TRANSFER => {
            let t = Transfer {
                handle: f.u32(0).ok_or(invalid("transfer.handle"))?,
                delivery_id: f.u32(1),
                delivery_tag: f.binary(2),
                message_format: f.u32(3),
                settled: f.bool(4),
                more: f.bool(5).unwrap_or(false),
                state: DeliveryState::from_value(f.get(7)),
                aborted: f.bool(9).unwrap_or(false),
            };
            let payload = dec.rest();
            Performative::Transfer(t, payload)
        }
        d::DISPOSITION => Performative::Disposition(Disposition {
            role: f.bool(0).ok_or(invalid("disposition.role"))?,
            first: f.u32(1).ok_or(invalid("disposition.first"))?,
            last: f.u32(2),
            settled: f.bool(3).unwrap_or(false),
            state: DeliveryState::from_value(f.get(4)),
        }),
        d::DETACH => Performative::Detach(Detach {
            handle: f.u32(0).ok_or(invalid("detach.handle"))?,
            closed: f.bool(1).unwrap_or(false),
            error: AmqpError::from_value(f.get(2)),
        }),
        d::END => Performative::End(AmqpError::from_value(f.get(0))),
        d::CLOSE => Performative::Close(AmqpError::from_value(f.get(0))),
        _ => return Err(invalid("performative descriptor")),
    })
}

/// Decodes a SASL frame body.
pub fn decode_sasl(body: Bytes, limits: DecodeLimits) -> Result<SaslFrame, BodyError> {
    let v = Decoder::new(body, limits).value()?;
    let code = v.descriptor_code().ok_or(invalid("sasl frame"))?;
    let f = Fields::of(&v, code).ok_or(invalid("sasl frame"))?;
    Ok(match code {
        d::SASL_MECHANISMS => SaslFrame::Mechanisms(f.symbols(0)),
        d::SASL_INIT => SaslFrame::Init {
            mechanism: f.string(0).ok_or(invalid("sasl-init.mechanism"))?,
            initial_response: f.binary(1),
            hostname: f.string(2),
        },
        d::SASL_RESPONSE => SaslFrame::Response(f.binary(0).unwrap_or_default()),
        d::SASL_OUTCOME => SaslFrame::Outcome(f.u64(0).unwrap_or(0).min(4) as u8),
        _ => return Err(invalid("sasl frame descriptor")),
    })
}

impl Performative {
    /// Encodes the performative (without payload) into `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        self.to_value().encode(out)
    }

    fn to_value(&self) -> Value {
        match self {
            Performative::Open(o) => composite(
                d::OPEN,
                vec![
                    Value::str(&o.container_id),
                    opt(o.hostname.as_deref(), Value::str),
                    Value::Uint(o.max_frame_size),
                    Value::Ushort(o.channel_max),
                    if o.idle_time_out > 0 {
                        Value::Uint(o.idle_time_out)
                    } else {
                        Value::Null
                    },
                    Value::Null,
                    Value::Null,
                    symbol_array(&o.offered_capabilities),
                    symbol_array(&o.desired_capabilities),
                    o.properties.clone(),
                ],
            ),
            Performative::Begin(b) => composite(
                d::BEGIN,
                vec![
                    opt(b.remote_channel, Value::Ushort),
                    Value::Uint(b.next_outgoing_id),
                    Value::Uint(b.incoming_window),
                    Value::Uint(b.outgoing_window),
                    Value::Uint(b.handle_max),
                ],
            ),
            Performative::Attach(a) => composite(
                d::ATTACH,
                vec![
                    Value::str(&a.name),
                    Value::Uint(a.handle),
                    Value::Bool(a.role),
                    Value::Ubyte(a.snd_settle_mode),
                    Value::Ubyte(a.rcv_settle_mode),
                    opt(a.source.as_ref(), Source::to_value),
                    opt(a.target.as_ref(), Target::to_value),
                    Value::Null,
                    Value::Null,
                    opt(a.initial_delivery_count, Value::Uint),
                    opt(a.max_message_size, Value::Ulong),
                    symbol_array(&a.offered_capabilities),
                    symbol_array(&a.desired_capabilities),
                ],
            ),
            Performative::Flow(f) => composite(
                d::FLOW,
                vec![
                    opt(f.next_incoming_id, Value::Uint),
                    Value::Uint(f.incoming_window),
                    Value::Uint(f.next_outgoing_id),
                    Value::Uint(f.outgoing_window),
                    opt(f.handle, Value::Uint),
                    opt(f.delivery_count, Value::Uint),
                    opt(f.link_credit, Value::Uint),
                    opt(f.available, Value::Uint),
                    Value::Bool(f.drain),
                    Value::Bool(f.echo),
                ],
            ),
            Performative::Transfer(t, _) => composite(
                d::TRANSFER,
                vec![
                    Value::Uint(t.handle),
                    opt(t.delivery_id, Value::Uint),
                    opt(t.delivery_tag.clone(), Value::Binary),
                    opt(t.message_format, Value::Uint),
                    opt(t.settled, Value::Bool),
                    Value::Bool(t.more),
                    Value::Null,
                    opt(t.state.as_ref(), DeliveryState::to_value),
                    Value::Null,
                    Value::Bool(t.aborted),
                ],
            ),
            Performative::Disposition(x) => composite(
                d::DISPOSITION,
                vec![
                    Value::Bool(x.role),
                    Value::Uint(x.first),
                    opt(x.last, Value::Uint),
                    Value::Bool(x.settled),
                    opt(x.state.as_ref(), DeliveryState::to_value),
                ],
            ),
            Performative::Detach(x) => composite(
                d::DETACH,
                vec![
                    Value::Uint(x.handle),
                    Value::Bool(x.closed),
                    opt(x.error.as_ref(), AmqpError::to_value),
                ],
            ),
            Performative::End(e) => composite(d::END, vec![opt(e.as_ref(), AmqpError::to_value)]),
            Performative::Close(e) => {
                composite(d::CLOSE, vec![opt(e.as_ref(), AmqpError::to_value)])
            }
        }
    }
}

impl SaslFrame {
    /// Encodes the SASL frame body.
    pub fn encode(&self, out: &mut BytesMut) {
        let v = match self {
            SaslFrame::Mechanisms(m) => composite(d::SASL_MECHANISMS, vec![symbol_array(m)]),
            SaslFrame::Init {
                mechanism,
                initial_response,
                hostname,
            } => composite(
                d::SASL_INIT,
                vec![
                    Value::sym(mechanism),
                    opt(initial_response.clone(), Value::Binary),
                    opt(hostname.as_deref(), Value::str),
                ],
            ),
            SaslFrame::Response(r) => composite(d::SASL_RESPONSE, vec![Value::Binary(r.clone())]),
            SaslFrame::Outcome(code) => composite(d::SASL_OUTCOME, vec![Value::Ubyte(*code)]),
        };
        v.encode(out)
    }
}
