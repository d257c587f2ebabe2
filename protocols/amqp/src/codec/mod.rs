//! The AMQP 1.0 codec: pure functions from bytes to typed values, frames, performatives and messages and
//! back. No I/O, no async, no panics on any input; every decoder is bounded (frame size, nesting depth,
//! element counts).

pub mod decode;
pub mod descriptor;
pub mod fields;
pub mod frame;
pub mod message;
pub mod performative;
pub mod state;
pub mod terminus;
pub mod value;

pub use decode::{DecodeError, DecodeLimits};
pub use frame::{RawFrame, AMQP_HEADER, SASL_HEADER};
pub use message::{AmqpMessage, Body, Header, Properties};
pub use performative::{
    Attach, Begin, BodyError, Detach, Disposition, Flow, Open, Performative, SaslFrame, Transfer,
};
pub use state::{condition, AmqpError, DeliveryState};
pub use terminus::{Source, Target};
pub use value::Value;
