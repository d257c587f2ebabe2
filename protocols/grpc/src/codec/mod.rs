//! Pure mapping between the v2 protobuf types and the engine's model: no I/O, no async.

pub mod message_in;
pub mod message_out;
pub mod properties;
pub mod resource;
pub mod route;
pub mod time;
