//! Remoting framing (digest §1.1): `int32 length | int32 headerInfo | header | body`, big-endian, where
//! `length` counts everything after itself and `headerInfo` is `serializeType << 24 | headerLength`.
//! Pure functions: no I/O. Decoding is bounded by [`FrameLimits`]; anything malformed is an error and the
//! caller closes the connection.

use super::command::{Command, SerializeType};
use super::{header_binary, header_json};
use crate::error::CodecError;
use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Size limits applied while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLimits {
    /// Largest accepted frame (bytes after the length field); RocketMQ's default is 16 MiB.
    pub max_frame: usize,
    /// Largest accepted header.
    pub max_header: usize,
}

impl Default for FrameLimits {
    fn default() -> Self {
        FrameLimits {
            max_frame: 16 << 20,
            max_header: 64 << 10,
        }
    }
}

/// Takes one complete frame off the front of `buf` and decodes it; `Ok(None)` when more bytes are needed.
pub fn decode(buf: &mut BytesMut, limits: &FrameLimits) -> Result<Option<Command>, CodecError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let length = i32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    if length < 4 {
        return Err(CodecError::BadLength(length));
    }
    let length = length as usize;
    if length > limits.max_frame {
        return Err(CodecError::FrameTooLarge {
            size: length,
            limit: limits.max_frame,
        });
    }
    if buf.len() < 4 + length {
        buf.reserve(4 + length - buf.len());
        return Ok(None);
    }
    buf.advance(4);
    let frame = buf.split_to(length).freeze();
    decode_frame(frame, limits).map(Some)
}

/// Decodes a frame without its length prefix.
pub fn decode_frame(mut frame: Bytes, limits: &FrameLimits) -> Result<Command, CodecError> {
    let length = frame.len();
    if length < 4 {
        return Err(CodecError::BadLength(length as i32));
    }
    let info = frame.get_u32();
    let kind = (info >> 24) as u8;
    let header_len = (info & 0x00FF_FFFF) as usize;
    if header_len > length - 4 || header_len > limits.max_header {
        return Err(CodecError::BadHeaderLength {
            header: header_len,
            frame: length,
            limit: limits.max_header,
        });
    }
    let header = frame.split_to(header_len);
    let body = frame;
    let mut cmd = match kind {
        0 => header_json::decode(&header)?,
        1 => header_binary::decode(&header)?,
        other => return Err(CodecError::UnknownSerializeType(other)),
    };
    cmd.body = body;
    debug_assert!(matches!(
        cmd.serialize_type,
        SerializeType::Json | SerializeType::RocketMq
    ));
    Ok(cmd)
}

/// Appends `cmd` as a frame with a JSON header (the form every client reads, C++ included).
pub fn encode(cmd: &Command, out: &mut BytesMut) {
    let header = header_json::encode(cmd);
    encode_with_header(&header, 0, &cmd.body, out);
}

/// Appends `cmd` as a frame with a ROCKETMQ binary header (used by the load generator and tests).
pub fn encode_binary(cmd: &Command, out: &mut BytesMut) {
    let header = header_binary::encode(cmd);
    encode_with_header(&header, 1, &cmd.body, out);
}

/// Appends the length, header-info word and JSON header of `cmd` for a body of `body_len` bytes that the caller
/// writes separately (pull answers send log bytes without copying them into the frame).
pub fn encode_head(cmd: &Command, body_len: usize, out: &mut BytesMut) {
    let header = header_json::encode(cmd);
    out.reserve(8 + header.len());
    out.put_u32((4 + header.len() + body_len) as u32);
    out.put_u32(header.len() as u32 & 0x00FF_FFFF);
    out.put_slice(&header);
}

fn encode_with_header(header: &[u8], kind: u32, body: &[u8], out: &mut BytesMut) {
    out.reserve(8 + header.len() + body.len());
    out.put_u32((4 + header.len() + body.len()) as u32);
    out.put_u32((kind << 24) | (header.len() as u32 & 0x00FF_FFFF));
    out.put_slice(header);
    out.put_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_of(header: &[u8], kind: u8, body: &[u8]) -> BytesMut {
        let mut b = BytesMut::new();
        b.put_u32((4 + header.len() + body.len()) as u32);
        b.put_u8(kind);
        b.put_uint(header.len() as u64, 3);
        b.put_slice(header);
        b.put_slice(body);
        b
    }

    #[test]
    fn decodes_a_java_json_request_and_leaves_the_rest() {
        let h = br#"{"code":105,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":479}"#;
        let mut buf = frame_of(h, 0, b"xy");
        buf.put_slice(&[0, 0]);
        let cmd = decode(&mut buf, &FrameLimits::default()).unwrap().unwrap();
        assert_eq!((cmd.code, cmd.opaque, cmd.version), (105, 7, 479));
        assert_eq!(cmd.ext_fields["topic"], "T");
        assert_eq!(&cmd.body[..], b"xy");
        assert_eq!(&buf[..], &[0, 0]);
    }

    #[test]
    fn waits_for_a_partial_frame() {
        let h = br#"{"code":34,"opaque":1}"#;
        let full = frame_of(h, 0, b"");
        for cut in 0..full.len() {
            let mut part = BytesMut::from(&full[..cut]);
            assert_eq!(decode(&mut part, &FrameLimits::default()).unwrap(), None);
        }
    }

    #[test]
    fn rejects_negative_and_oversized_lengths() {
        let mut neg = BytesMut::from(&[0xFF, 0xFF, 0xFF, 0xF0, 0, 0, 0, 0][..]);
        assert_eq!(
            decode(&mut neg, &FrameLimits::default()),
            Err(CodecError::BadLength(-16))
        );
        let mut big = BytesMut::from(&[0x7F, 0, 0, 0][..]);
        assert!(matches!(
            decode(&mut big, &FrameLimits::default()),
            Err(CodecError::FrameTooLarge { .. })
        ));
    }

    #[test]
    fn rejects_a_header_longer_than_the_frame() {
        let mut b = BytesMut::new();
        b.put_u32(8);
        b.put_u32(100);
        b.put_u32(0);
        assert!(matches!(
            decode(&mut b, &FrameLimits::default()),
            Err(CodecError::BadHeaderLength { .. })
        ));
    }

    #[test]
    fn response_round_trips_in_json_and_binary() {
        let cmd = Command::response(19, 42)
            .with_field("nextBeginOffset", 5)
            .with_remark("OFFSET_OVERFLOW_ONE")
            .with_body(&b"body"[..]);
        for binary in [false, true] {
            let mut out = BytesMut::new();
            if binary {
                encode_binary(&cmd, &mut out);
            } else {
                encode(&cmd, &mut out);
            }
            let back = decode(&mut out, &FrameLimits::default()).unwrap().unwrap();
            assert_eq!(back.code, 19);
            assert_eq!(back.opaque, 42);
            assert!(back.is_response());
            assert_eq!(back.remark.as_deref(), Some("OFFSET_OVERFLOW_ONE"));
            assert_eq!(back.ext_fields["nextBeginOffset"], "5");
            assert_eq!(&back.body[..], b"body");
        }
    }
}
