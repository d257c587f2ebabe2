//! The codec layer: pure functions from bytes to remoting commands and typed headers and back. No I/O, no
//! async; everything here is unit-tested and fuzzed (`protocols/remoting/fuzz`).

pub mod bodies;
pub mod codes;
pub mod command;
pub mod fields;
pub mod frame;
pub mod header_binary;
pub mod header_json;
pub mod messages;

pub use command::{Command, SerializeType};
pub use frame::FrameLimits;
