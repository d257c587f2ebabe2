//! The stored-record codec: RocketMQ's stored-message layout (big-endian; protocol digest §3.3), so a remoting
//! PULL answer is a run of log bytes sent as they are. Pure functions, no I/O.
//!
//! Every record ends with the property `__CRC32#` holding a CRC32 (10 decimal digits) of all record bytes
//! before the digits, as RocketMQ brokers do with `enabledAppendPropCRC`; recovery and reads check it, so a torn
//! or damaged record is never served.

use crate::message::{keys, Message, Properties, StoredMessage};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Magic code of records with a 1-byte topic length.
pub const MAGIC_V1: i32 = 0xDAA320A7_u32 as i32;
/// Magic code of records with a 2-byte topic length (topics over 127 bytes).
pub const MAGIC_V2: i32 = 0xDAA320AB_u32 as i32;
/// sysFlag: born host is IPv6.
pub const SYSFLAG_BORNHOST_V6: i32 = 0x10;
/// sysFlag: store host is IPv6.
pub const SYSFLAG_STOREHOST_V6: i32 = 0x20;
/// sysFlag transaction bits.
pub const SYSFLAG_TX_MASK: i32 = 0xC;
/// sysFlag: transactional half message.
pub const SYSFLAG_TX_PREPARED: i32 = 0x4;
/// sysFlag: committed transactional message.
pub const SYSFLAG_TX_COMMIT: i32 = 0x8;
/// sysFlag: rolled-back transactional message.
pub const SYSFLAG_TX_ROLLBACK: i32 = 0xC;

/// The smallest possible record (IPv4 hosts, empty topic, body and properties).
pub const MIN_RECORD_SIZE: usize =
    4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 4 + 1 + 2;
/// Length of the checksum's value: ten decimal digits.
const CRC_DIGITS: usize = 10;
/// Bytes the checksum property adds: name, 0x01, digits, 0x02.
const CRC_PROPERTY_LEN: usize = keys::CRC32.len() + 1 + CRC_DIGITS + 1;
/// Largest properties section RocketMQ accepts (int16 length).
pub const MAX_PROPERTIES_LEN: usize = i16::MAX as usize;

/// Where the engine puts a new record.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    /// Queue id.
    pub queue_id: i32,
    /// Offset within the queue.
    pub queue_offset: i64,
    /// Offset of the record in the commit log.
    pub commit_log_offset: u64,
    /// Store time, ms.
    pub store_timestamp: i64,
    /// The store host to write.
    pub store_host: SocketAddr,
    /// Transaction sysFlag bits to add.
    pub tx_flag: i32,
    /// Half-message offset for committed transactional messages.
    pub prepared_transaction_offset: i64,
}

/// Why a byte run is not a valid record.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Fewer bytes than the record claims; at the log's tail this is a torn write.
    #[error("truncated: need {need} bytes, have {have}")]
    Truncated { need: usize, have: usize },
    /// Not a record: bad magic or impossible size.
    #[error("bad header: {0}")]
    BadHeader(&'static str),
    /// Structure is inconsistent or the checksum does not match.
    #[error("damaged: {0}")]
    Damaged(&'static str),
}

/// Encodes `props` in RocketMQ's `name\x01value\x02` form.
pub fn encode_properties(props: &Properties, out: &mut BytesMut) {
    for (k, v) in props.iter() {
        out.put_slice(k.as_bytes());
        out.put_u8(1);
        out.put_slice(v.as_bytes());
        out.put_u8(2);
    }
}

/// Length of [`encode_properties`]' output.
pub fn properties_len(props: &Properties) -> usize {
    props.iter().map(|(k, v)| k.len() + v.len() + 2).sum()
}

/// Parses RocketMQ's property string; segments without a separator are skipped, as upstream does.
pub fn decode_properties(bytes: &[u8]) -> Properties {
    let mut out = Vec::new();
    for seg in bytes.split(|b| *b == 2) {
        if seg.len() < 2 {
            continue;
        }
        if let Some(pos) = seg.iter().position(|b| *b == 1) {
            let (k, v) = (&seg[..pos], &seg[pos + 1..]);
            if k.is_empty() {
                continue;
            }
            out.push((
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            ));
        }
    }
    Properties(out)
}

fn host_len(addr: &SocketAddr) -> usize {
    if addr.is_ipv4() {
        8
    } else {
        20
    }
}

fn put_host(out: &mut BytesMut, addr: &SocketAddr) {
    match addr.ip() {
        IpAddr::V4(ip) => out.put_slice(&ip.octets()),
        IpAddr::V6(ip) => out.put_slice(&ip.octets()),
    }
    out.put_i32(addr.port() as i32);
}

/// The encoded size of `msg` once stored with `store_host`.
pub fn encoded_len(msg: &Message, store_host: &SocketAddr) -> usize {
    let topic_len_size = if msg.topic.len() > 127 { 2 } else { 1 };
    4 + 4
        + 4
        + 4
        + 4
        + 8
        + 8
        + 4
        + 8
        + host_len(&msg.born_host)
        + 8
        + host_len(store_host)
        + 4
        + 8
        + 4
        + msg.body.len()
        + topic_len_size
        + msg.topic.len()
        + 2
        + properties_len(&msg.properties)
        + CRC_PROPERTY_LEN
}

/// Checks what can be checked before placing `msg`: sizes that must fit the layout.
pub fn validate(msg: &Message, max_body: usize) -> Result<(), String> {
    if msg.body.len() > max_body {
        return Err(format!(
            "body of {} bytes exceeds the limit of {max_body}",
            msg.body.len()
        ));
    }
    if msg.topic.is_empty() || msg.topic.len() > u16::MAX as usize / 2 {
        return Err("topic length out of range".into());
    }
    if properties_len(&msg.properties) + CRC_PROPERTY_LEN > MAX_PROPERTIES_LEN {
        return Err("properties exceed 32767 bytes".into());
    }
    if msg
        .properties
        .iter()
        .any(|(k, v)| k.is_empty() || k.bytes().chain(v.bytes()).any(|b| b == 1 || b == 2))
    {
        return Err("property names and values must not contain \\u0001 or \\u0002".into());
    }
    Ok(())
}

/// Appends the record for `msg` at `at` to `out`; returns its size. The caller has run [`validate`].
pub fn encode(msg: &Message, at: &Placement, out: &mut BytesMut) -> usize {
    let size = encoded_len(msg, &at.store_host);
    let start = out.len();
    out.reserve(size);
    let mut sys_flag = (msg.sys_flag
        & !(SYSFLAG_BORNHOST_V6 | SYSFLAG_STOREHOST_V6 | SYSFLAG_TX_MASK))
        | at.tx_flag;
    if msg.born_host.is_ipv6() {
        sys_flag |= SYSFLAG_BORNHOST_V6;
    }
    if at.store_host.is_ipv6() {
        sys_flag |= SYSFLAG_STOREHOST_V6;
    }
    let v2 = msg.topic.len() > 127;
    out.put_i32(size as i32);
    out.put_i32(if v2 { MAGIC_V2 } else { MAGIC_V1 });
    out.put_i32((crc32fast::hash(&msg.body) & 0x7FFF_FFFF) as i32);
    out.put_i32(at.queue_id);
    out.put_i32(msg.flag);
    out.put_i64(at.queue_offset);
    out.put_i64(at.commit_log_offset as i64);
    out.put_i32(sys_flag);
    out.put_i64(msg.born_timestamp);
    put_host(out, &msg.born_host);
    out.put_i64(at.store_timestamp);
    put_host(out, &at.store_host);
    out.put_i32(msg.reconsume_times);
    out.put_i64(at.prepared_transaction_offset);
    out.put_i32(msg.body.len() as i32);
    out.put_slice(&msg.body);
    if v2 {
        out.put_u16(msg.topic.len() as u16);
    } else {
        out.put_u8(msg.topic.len() as u8);
    }
    out.put_slice(msg.topic.as_bytes());
    out.put_i16((properties_len(&msg.properties) + CRC_PROPERTY_LEN) as i16);
    encode_properties(&msg.properties, out);
    out.put_slice(keys::CRC32.as_bytes());
    out.put_u8(1);
    let crc = crc32fast::hash(&out[start..]);
    out.put_slice(format!("{crc:010}").as_bytes());
    out.put_u8(2);
    debug_assert_eq!(out.len() - start, size);
    size
}

/// Reads the size field of the record starting at `bytes[0]`, checking magic and bounds only.
pub fn peek_size(bytes: &[u8]) -> Result<usize, RecordError> {
    if bytes.len() < 8 {
        return Err(RecordError::Truncated {
            need: 8,
            have: bytes.len(),
        });
    }
    let size = i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let magic = i32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if magic != MAGIC_V1 && magic != MAGIC_V2 {
        return Err(RecordError::BadHeader("magic code"));
    }
    if size < MIN_RECORD_SIZE as i32 {
        return Err(RecordError::BadHeader("size below minimum"));
    }
    Ok(size as usize)
}

/// Verifies the checksum of one complete record (`bytes.len()` is its size).
pub fn verify(bytes: &[u8]) -> Result<(), RecordError> {
    if bytes.len() < MIN_RECORD_SIZE + CRC_PROPERTY_LEN {
        return Err(RecordError::Damaged("too short for a checksum"));
    }
    let digits_at = bytes.len() - 1 - CRC_DIGITS;
    let name_at = digits_at - 1 - keys::CRC32.len();
    if bytes[bytes.len() - 1] != 2
        || bytes[digits_at - 1] != 1
        || &bytes[name_at..digits_at - 1] != keys::CRC32.as_bytes()
    {
        return Err(RecordError::Damaged("checksum property missing"));
    }
    let stored: u64 = std::str::from_utf8(&bytes[digits_at..bytes.len() - 1])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(RecordError::Damaged("checksum not a number"))?;
    if stored != crc32fast::hash(&bytes[..digits_at]) as u64 {
        return Err(RecordError::Damaged("checksum mismatch"));
    }
    Ok(())
}

fn get_host(buf: &mut &[u8], v6: bool) -> Result<SocketAddr, RecordError> {
    let need = if v6 { 20 } else { 8 };
    if buf.remaining() < need {
        return Err(RecordError::Damaged("host"));
    }
    let ip = if v6 {
        let mut o = [0u8; 16];
        buf.copy_to_slice(&mut o);
        IpAddr::V6(Ipv6Addr::from(o))
    } else {
        let mut o = [0u8; 4];
        buf.copy_to_slice(&mut o);
        IpAddr::V4(Ipv4Addr::from(o))
    };
    Ok(SocketAddr::new(ip, buf.get_i32() as u16))
}

/// Parses and verifies one complete record. `raw` must be exactly the record.
pub fn decode(raw: Bytes) -> Result<StoredMessage, RecordError> {
    let size = peek_size(&raw)?;
    if size != raw.len() {
        return Err(RecordError::Truncated {
            need: size,
            have: raw.len(),
        });
    }
    verify(&raw)?;
    let mut b: &[u8] = &raw;
    let damaged = |what| RecordError::Damaged(what);
    let need = |b: &[u8], n: usize, what| {
        if b.len() < n {
            Err(damaged(what))
        } else {
            Ok(())
        }
    };
    b.advance(4);
    let magic = b.get_i32();
    let _body_crc = b.get_i32();
    let queue_id = b.get_i32();
    let flag = b.get_i32();
    let queue_offset = b.get_i64();
    let commit_log_offset = b.get_i64() as u64;
    let sys_flag = b.get_i32();
    let born_timestamp = b.get_i64();
    let born_host = get_host(&mut b, sys_flag & SYSFLAG_BORNHOST_V6 != 0)?;
    need(b, 8, "store timestamp")?;
    let store_timestamp = b.get_i64();
    let store_host = get_host(&mut b, sys_flag & SYSFLAG_STOREHOST_V6 != 0)?;
    need(b, 16, "reconsume times")?;
    let reconsume_times = b.get_i32();
    let prepared_transaction_offset = b.get_i64();
    let body_len = b.get_i32();
    if body_len < 0 || body_len as usize > b.len() {
        return Err(damaged("body length"));
    }
    let body_at = raw.len() - b.len();
    let body = raw.slice(body_at..body_at + body_len as usize);
    b.advance(body_len as usize);
    let topic_len = if magic == MAGIC_V2 {
        need(b, 2, "topic length")?;
        b.get_u16() as usize
    } else {
        need(b, 1, "topic length")?;
        b.get_u8() as usize
    };
    need(b, topic_len, "topic")?;
    let topic = std::str::from_utf8(&b[..topic_len])
        .map_err(|_| damaged("topic is not UTF-8"))?
        .to_string();
    b.advance(topic_len);
    need(b, 2, "properties length")?;
    let props_len = b.get_i16();
    if props_len < CRC_PROPERTY_LEN as i16 || props_len as usize != b.len() {
        return Err(damaged("properties length"));
    }
    let mut properties = decode_properties(&b[..b.len() - CRC_PROPERTY_LEN]);
    properties.remove(keys::CRC32);
    Ok(StoredMessage {
        raw,
        topic,
        queue_id,
        queue_offset,
        commit_log_offset,
        flag,
        sys_flag,
        born_timestamp,
        born_host,
        store_timestamp,
        store_host,
        reconsume_times,
        prepared_transaction_offset,
        body,
        properties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement() -> Placement {
        Placement {
            queue_id: 3,
            queue_offset: 42,
            commit_log_offset: 4096,
            store_timestamp: 1_700_000_000_000,
            store_host: "127.0.0.1:9876".parse().unwrap(),
            tx_flag: 0,
            prepared_transaction_offset: 0,
        }
    }

    #[test]
    fn encode_then_decode_round_trips_every_field() {
        let mut msg = Message::new("orders", &b"hello"[..])
            .with_tag("TagA")
            .with_keys(&["k1", "k2"]);
        msg.flag = 7;
        msg.born_timestamp = 123;
        msg.born_host = "[::1]:5555".parse().unwrap();
        msg.reconsume_times = 2;
        let mut buf = BytesMut::new();
        let n = encode(&msg, &placement(), &mut buf);
        assert_eq!(n, buf.len());
        let m = decode(buf.freeze()).unwrap();
        assert_eq!(m.topic, "orders");
        assert_eq!(&m.body[..], b"hello");
        assert_eq!(
            (m.queue_id, m.queue_offset, m.commit_log_offset),
            (3, 42, 4096)
        );
        assert_eq!(m.flag, 7);
        assert_eq!(m.born_host, msg.born_host);
        assert_eq!(m.sys_flag & SYSFLAG_BORNHOST_V6, SYSFLAG_BORNHOST_V6);
        assert_eq!(m.reconsume_times, 2);
        assert_eq!(m.tag(), Some("TagA"));
        assert_eq!(m.keys().collect::<Vec<_>>(), vec!["k1", "k2"]);
        assert_eq!(m.properties.get(keys::CRC32), None);
    }

    #[test]
    fn long_topics_use_the_v2_magic() {
        let topic = "t".repeat(200);
        let mut buf = BytesMut::new();
        encode(
            &Message::new(topic.clone(), &b"x"[..]),
            &placement(),
            &mut buf,
        );
        assert_eq!(i32::from_be_bytes(buf[4..8].try_into().unwrap()), MAGIC_V2);
        assert_eq!(decode(buf.freeze()).unwrap().topic, topic);
    }

    #[test]
    fn any_flipped_byte_is_detected() {
        let mut buf = BytesMut::new();
        encode(
            &Message::new("t", &b"payload"[..]).with_tag("a"),
            &placement(),
            &mut buf,
        );
        for i in 0..buf.len() {
            let mut copy = buf.clone();
            copy[i] ^= 0x40;
            assert!(
                decode(copy.freeze()).is_err(),
                "flip at byte {i} went unnoticed"
            );
        }
    }

    #[test]
    fn properties_parser_skips_malformed_segments() {
        let p = decode_properties(b"a\x01b\x02junk\x02\x01x\x02c\x01\x02");
        assert_eq!(p.0, vec![("a".into(), "b".into()), ("c".into(), "".into())]);
    }
}
