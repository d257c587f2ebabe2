//! AMQP 1.0 framing: the 8-byte protocol headers and the frame layer (size, data offset, type, channel,
//! body). A frame with an empty body is a heartbeat. Pure; sizes are checked before anything is buffered.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Protocol header of plain AMQP 1.0.
pub const AMQP_HEADER: [u8; 8] = *b"AMQP\x00\x01\x00\x00";
/// Protocol header of the SASL layer.
pub const SASL_HEADER: [u8; 8] = *b"AMQP\x03\x01\x00\x00";
/// Frame type of AMQP frames.
pub const TYPE_AMQP: u8 = 0;
/// Frame type of SASL frames.
pub const TYPE_SASL: u8 = 1;
/// The smallest max-frame-size a peer may set (spec: 512).
pub const MIN_MAX_FRAME_SIZE: u32 = 512;

/// Which protocol header arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolHeader {
    /// `AMQP 0 1 0 0`.
    Amqp,
    /// `AMQP 3 1 0 0`.
    Sasl,
    /// Anything else (including TLS `AMQP 2 1 0 0` and other versions): answer with our header and close.
    Other([u8; 8]),
}

/// Parses 8 header bytes.
pub fn parse_header(b: &[u8; 8]) -> ProtocolHeader {
    match *b {
        AMQP_HEADER => ProtocolHeader::Amqp,
        SASL_HEADER => ProtocolHeader::Sasl,
        other => ProtocolHeader::Other(other),
    }
}

/// A frame whose body is not decoded yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrame {
    /// [`TYPE_AMQP`] or [`TYPE_SASL`].
    pub kind: u8,
    /// Channel (AMQP frames).
    pub channel: u16,
    /// Performative plus payload; empty for a heartbeat.
    pub body: Bytes,
}

/// A frame the peer should not have sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Larger than the negotiated max-frame-size.
    #[error("frame of {size} bytes exceeds max-frame-size {max}")]
    TooLarge {
        /// Claimed size.
        size: u32,
        /// Limit.
        max: u32,
    },
    /// Data offset below 2 or beyond the frame.
    #[error("invalid data offset {doff} in a frame of {size} bytes")]
    BadDataOffset {
        /// Data offset in 4-byte words.
        doff: u8,
        /// Frame size.
        size: u32,
    },
}

/// Takes one frame off the front of `buf`, or `None` when it has not fully arrived. `max_frame` bounds the
/// size field before waiting for the rest, so a peer cannot make us buffer more.
pub fn decode_frame(buf: &mut BytesMut, max_frame: u32) -> Result<Option<RawFrame>, FrameError> {
    if buf.len() < 8 {
        return Ok(None);
    }
    let size = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    let doff = buf[4];
    if size > max_frame {
        return Err(FrameError::TooLarge {
            size,
            max: max_frame,
        });
    }
    if doff < 2 || (doff as u32) * 4 > size {
        return Err(FrameError::BadDataOffset { doff, size });
    }
    if buf.len() < size as usize {
        return Ok(None);
    }
    let kind = buf[5];
    let channel = u16::from_be_bytes([buf[6], buf[7]]);
    let mut frame = buf.split_to(size as usize);
    frame.advance(doff as usize * 4);
    Ok(Some(RawFrame {
        kind,
        channel,
        body: frame.freeze(),
    }))
}

/// Appends a frame with `body` parts (performative encoding, then payload) to `out`.
pub fn encode_frame(kind: u8, channel: u16, parts: &[&[u8]], out: &mut BytesMut) {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    out.reserve(8 + len);
    out.put_u32((8 + len) as u32);
    out.put_u8(2);
    out.put_u8(kind);
    out.put_u16(channel);
    for p in parts {
        out.put_slice(p);
    }
}

/// An empty AMQP frame: the heartbeat.
pub fn encode_heartbeat(out: &mut BytesMut) {
    encode_frame(TYPE_AMQP, 0, &[], out);
}
