//! Message encodings that travel in remoting bodies: the batch body of SEND_BATCH_MESSAGE (digest §3.5), and
//! the stored-message layout (§3.3) for bodies mqgate builds itself (transaction checks, whose topic is the real
//! topic rather than the half topic). PULL answers never come through here: they are the log's bytes as stored.

use crate::error::RequestError;
use bytes::{Buf, BufMut, Bytes, BytesMut};
use mqgate_engine::store::record::{decode_properties, encode_properties, properties_len};
use mqgate_engine::{Properties, StoredMessage};
use std::net::{IpAddr, SocketAddr};

/// One message inside a batch body.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    /// User flag.
    pub flag: i32,
    /// Payload (a slice of the request body).
    pub body: Bytes,
    /// Its own properties (tags, keys, unique id).
    pub properties: Properties,
}

/// Splits a batch body into its messages:
/// `{ int32 totalSize | int32 magic | int32 bodyCRC | int32 flag | int32 bodyLen | body | int16 propLen | props }*`.
pub fn decode_batch(body: &Bytes) -> Result<Vec<BatchItem>, RequestError> {
    let bad = |what: &str| RequestError::BadBody(format!("batch body: {what}"));
    let mut rest = body.clone();
    let mut items = Vec::new();
    while rest.has_remaining() {
        if rest.remaining() < 20 {
            return Err(bad("truncated entry header"));
        }
        let total = rest.get_i32();
        if total < 22 || total as usize - 4 > rest.remaining() {
            return Err(bad("entry size out of range"));
        }
        let mut entry = rest.split_to(total as usize - 4);
        entry.advance(8); // magic, body CRC
        let flag = entry.get_i32();
        let body_len = entry.get_i32();
        if body_len < 0 || body_len as usize + 2 > entry.remaining() {
            return Err(bad("body length out of range"));
        }
        let msg_body = entry.split_to(body_len as usize);
        let props_len = entry.get_i16();
        if props_len < 0 || props_len as usize > entry.remaining() {
            return Err(bad("properties length out of range"));
        }
        let properties = decode_properties(&entry[..props_len as usize]);
        items.push(BatchItem {
            flag,
            body: msg_body,
            properties,
        });
    }
    if items.is_empty() {
        return Err(bad("no messages"));
    }
    Ok(items)
}

/// Encodes messages as a batch body (the inverse of [`decode_batch`]; used by the load generator and tests).
pub fn encode_batch(items: &[BatchItem], out: &mut BytesMut) {
    for it in items {
        let plen = properties_len(&it.properties);
        let total = 4 + 4 + 4 + 4 + 4 + it.body.len() + 2 + plen;
        out.put_i32(total as i32);
        out.put_i32(0);
        out.put_i32(0);
        out.put_i32(it.flag);
        out.put_i32(it.body.len() as i32);
        out.put_slice(&it.body);
        out.put_i16(plen as i16);
        encode_properties(&it.properties, out);
    }
}

fn put_host(out: &mut BytesMut, addr: &SocketAddr) {
    match addr.ip() {
        IpAddr::V4(ip) => out.put_slice(&ip.octets()),
        IpAddr::V6(ip) => out.put_slice(&ip.octets()),
    }
    out.put_i32(addr.port() as i32);
}

/// Encodes `msg` in the stored-message layout under another `topic` and `queue_id`, with `properties`
/// (what a client sees; the engine's record checksum is not included).
pub fn encode_stored_as(
    msg: &StoredMessage,
    topic: &str,
    queue_id: i32,
    properties: &Properties,
) -> Bytes {
    let host_len = |a: &SocketAddr| if a.is_ipv4() { 8 } else { 20 };
    let v2 = topic.len() > 127;
    let plen = properties_len(properties).min(i16::MAX as usize);
    let size = 4 * 5
        + 8 * 2
        + 4
        + 8
        + host_len(&msg.born_host)
        + 8
        + host_len(&msg.store_host)
        + 4
        + 8
        + 4
        + msg.body.len()
        + if v2 { 2 } else { 1 }
        + topic.len()
        + 2
        + plen;
    let mut out = BytesMut::with_capacity(size);
    out.put_i32(size as i32);
    out.put_i32(if v2 {
        mqgate_engine::store::record::MAGIC_V2
    } else {
        mqgate_engine::store::record::MAGIC_V1
    });
    out.put_i32(0);
    out.put_i32(queue_id);
    out.put_i32(msg.flag);
    out.put_i64(msg.queue_offset);
    out.put_i64(msg.commit_log_offset as i64);
    out.put_i32(msg.sys_flag);
    out.put_i64(msg.born_timestamp);
    put_host(&mut out, &msg.born_host);
    out.put_i64(msg.store_timestamp);
    put_host(&mut out, &msg.store_host);
    out.put_i32(msg.reconsume_times);
    out.put_i64(msg.prepared_transaction_offset);
    out.put_i32(msg.body.len() as i32);
    out.put_slice(&msg.body);
    if v2 {
        out.put_u16(topic.len() as u16);
    } else {
        out.put_u8(topic.len() as u8);
    }
    out.put_slice(topic.as_bytes());
    out.put_i16(plen as i16);
    let mut props = BytesMut::with_capacity(plen);
    encode_properties(properties, &mut props);
    out.put_slice(&props[..plen]);
    out.freeze()
}

/// The parts of a stored record a client needs: queue offset, store time and body (a slice, no copy).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordView {
    /// Offset within the queue.
    pub queue_offset: i64,
    /// Store time, ms.
    pub store_timestamp: i64,
    /// Payload.
    pub body: Bytes,
}

/// Splits a pull/query body (concatenated stored records, digest §3.3) into records, without checksums, as
/// any client does; stops at the first inconsistent record.
pub fn split_records(body: &Bytes) -> Vec<RecordView> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while body.len() - at >= 4 {
        let total = i32::from_be_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]);
        if total < 60 || at + total as usize > body.len() {
            break;
        }
        let rec = body.slice(at..at + total as usize);
        at += total as usize;
        let mut b: &[u8] = &rec[..];
        b.advance(4 + 4 + 4 + 4 + 4);
        let queue_offset = b.get_i64();
        b.advance(8);
        let sys_flag = b.get_i32();
        b.advance(8);
        let born_host = if sys_flag & 0x10 != 0 { 20 } else { 8 };
        if b.remaining() < born_host + 8 {
            break;
        }
        b.advance(born_host);
        let store_timestamp = b.get_i64();
        let store_host = if sys_flag & 0x20 != 0 { 20 } else { 8 };
        if b.remaining() < store_host + 4 + 8 + 4 {
            break;
        }
        b.advance(store_host + 4 + 8);
        let body_len = b.get_i32();
        if body_len < 0 || body_len as usize > b.remaining() {
            break;
        }
        let start = rec.len() - b.remaining();
        out.push(RecordView {
            queue_offset,
            store_timestamp,
            body: rec.slice(start..start + body_len as usize),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_round_trips() {
        let mut p = Properties::new();
        p.set("TAGS", "a");
        p.set("UNIQ_KEY", "X1");
        let items = vec![
            BatchItem {
                flag: 1,
                body: Bytes::from_static(b"one"),
                properties: p.clone(),
            },
            BatchItem {
                flag: 0,
                body: Bytes::from_static(b""),
                properties: Properties::new(),
            },
        ];
        let mut out = BytesMut::new();
        encode_batch(&items, &mut out);
        assert_eq!(decode_batch(&out.freeze()).unwrap(), items);
    }

    #[test]
    fn truncated_batches_are_errors() {
        let items = vec![BatchItem {
            flag: 0,
            body: Bytes::from_static(b"payload"),
            properties: Properties::new(),
        }];
        let mut out = BytesMut::new();
        encode_batch(&items, &mut out);
        let full = out.freeze();
        for cut in 1..full.len() {
            assert!(decode_batch(&full.slice(..cut)).is_err(), "cut {cut}");
        }
    }
}
