//! The decoded remoting command: what a frame carries once its header is parsed. Requests and responses share
//! the shape; `ext_fields` hold the per-code "custom header" as strings.

use bytes::Bytes;
use std::collections::HashMap;

use super::codes::{FLAG_ONEWAY, FLAG_RESPONSE, SERVER_VERSION};

/// How a header was serialized on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerializeType {
    /// JSON (type byte 0); mqgate always answers in JSON.
    Json,
    /// RocketMQ's binary layout (type byte 1).
    RocketMq,
}

/// One remoting command.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// Request code, or response code in a response.
    pub code: i32,
    /// Sender language name (`JAVA`, `GO`, `CPP`, …).
    pub language: String,
    /// Sender version (`MQVersion` ordinal).
    pub version: i32,
    /// Request id; a response echoes the request's.
    pub opaque: i32,
    /// Flag bits (response, oneway).
    pub flag: i32,
    /// Error text, if any.
    pub remark: Option<String>,
    /// Custom header fields.
    pub ext_fields: HashMap<String, String>,
    /// Body bytes (a slice of the read buffer).
    pub body: Bytes,
    /// How the header arrived.
    pub serialize_type: SerializeType,
}

impl Command {
    /// A request from mqgate (broker-to-client calls such as transaction checks).
    pub fn request(code: i32, opaque: i32) -> Self {
        Command {
            code,
            language: "JAVA".into(),
            version: SERVER_VERSION,
            opaque,
            flag: 0,
            remark: None,
            ext_fields: HashMap::new(),
            body: Bytes::new(),
            serialize_type: SerializeType::Json,
        }
    }

    /// A response with `code` to a request with `opaque`.
    pub fn response(code: i32, opaque: i32) -> Self {
        Command {
            flag: FLAG_RESPONSE,
            ..Command::request(code, opaque)
        }
    }

    /// True for responses.
    pub fn is_response(&self) -> bool {
        self.flag & FLAG_RESPONSE != 0
    }

    /// True for oneway requests (no answer expected).
    pub fn is_oneway(&self) -> bool {
        self.flag & FLAG_ONEWAY != 0
    }

    /// Marks the request oneway.
    pub fn oneway(mut self) -> Self {
        self.flag |= FLAG_ONEWAY;
        self
    }

    /// Sets a header field.
    pub fn with_field(mut self, name: &str, value: impl ToString) -> Self {
        self.ext_fields.insert(name.to_string(), value.to_string());
        self
    }

    /// Sets the remark.
    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }
}
