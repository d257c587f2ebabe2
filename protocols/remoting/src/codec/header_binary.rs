//! The ROCKETMQ binary header (digest §1.3): `int16 code | int8 language | int16 version | int32 opaque |
//! int32 flag | int32 remarkLen | remark | int32 extLen | { int16 keyLen | key | int32 valLen | val }*`.
//! Every length is checked against what is left; nothing is trusted.

use super::command::{Command, SerializeType};
use crate::error::CodecError;
use bytes::{BufMut, Bytes};
use std::collections::HashMap;

/// RocketMQ `LanguageCode` names by their byte value.
const LANGUAGES: [&str; 14] = [
    "JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP",
    "OMS", "RUST", "NODE_JS",
];

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        if self.buf.len() - self.at < n {
            return Err(CodecError::BadBinaryHeader {
                offset: self.at,
                what,
            });
        }
        let s = &self.buf[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn i16(&mut self, what: &'static str) -> Result<i16, CodecError> {
        let b = self.take(2, what)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }
    fn i32(&mut self, what: &'static str) -> Result<i32, CodecError> {
        let b = self.take(4, what)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn len32(&mut self, what: &'static str) -> Result<usize, CodecError> {
        let n = self.i32(what)?;
        usize::try_from(n).map_err(|_| CodecError::BadBinaryHeader {
            offset: self.at - 4,
            what,
        })
    }
    fn string(&mut self, n: usize, what: &'static str) -> Result<String, CodecError> {
        let at = self.at;
        let b = self.take(n, what)?;
        String::from_utf8(b.to_vec()).map_err(|_| CodecError::BadBinaryHeader { offset: at, what })
    }
}

/// Parses a binary header.
pub fn decode(header: &[u8]) -> Result<Command, CodecError> {
    let mut r = Reader { buf: header, at: 0 };
    let code = r.i16("code")? as i32;
    let language = r.take(1, "language")?[0];
    let version = r.i16("version")? as i32;
    let opaque = r.i32("opaque")?;
    let flag = r.i32("flag")?;
    let remark_len = r.len32("remark length")?;
    let remark = if remark_len > 0 {
        Some(r.string(remark_len, "remark")?)
    } else {
        None
    };
    let ext_len = r.len32("extFields length")?;
    let ext = r.take(ext_len, "extFields")?;
    let mut e = Reader { buf: ext, at: 0 };
    let mut ext_fields = HashMap::new();
    while e.at < ext.len() {
        let klen = e.i16("key length")?;
        let klen = usize::try_from(klen).map_err(|_| CodecError::BadBinaryHeader {
            offset: r.at - ext_len + e.at,
            what: "key length",
        })?;
        let key = e.string(klen, "key")?;
        let vlen = e.len32("value length")?;
        let val = e.string(vlen, "value")?;
        ext_fields.insert(key, val);
    }
    Ok(Command {
        code,
        language: LANGUAGES
            .get(language as usize)
            .unwrap_or(&"OTHER")
            .to_string(),
        version,
        opaque,
        flag,
        remark,
        ext_fields,
        body: Bytes::new(),
        serialize_type: SerializeType::RocketMq,
    })
}

/// Writes `cmd`'s header in the binary layout.
pub fn encode(cmd: &Command) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.put_i16(cmd.code as i16);
    out.put_u8(
        LANGUAGES
            .iter()
            .position(|l| *l == cmd.language)
            .unwrap_or(0) as u8,
    );
    out.put_i16(cmd.version as i16);
    out.put_i32(cmd.opaque);
    out.put_i32(cmd.flag);
    let remark = cmd.remark.as_deref().unwrap_or("");
    out.put_i32(remark.len() as i32);
    out.put_slice(remark.as_bytes());
    let ext_len: usize = cmd
        .ext_fields
        .iter()
        .map(|(k, v)| 2 + k.len() + 4 + v.len())
        .sum();
    out.put_i32(ext_len as i32);
    for (k, v) in &cmd.ext_fields {
        out.put_i16(k.len() as i16);
        out.put_slice(k.as_bytes());
        out.put_i32(v.len() as i32);
        out.put_slice(v.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_lengths_past_the_header() {
        let c = Command::request(10, 1).with_remark("abc");
        let mut h = encode(&c);
        h[13..17].copy_from_slice(&1000i32.to_be_bytes());
        assert!(decode(&h).is_err());
        h[13..17].copy_from_slice(&(-1i32).to_be_bytes());
        assert!(decode(&h).is_err());
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let c = Command::request(310, 77)
            .with_field("a", "group")
            .with_field("b", "topic");
        let h = encode(&c);
        assert_eq!(decode(&h).unwrap().ext_fields["b"], "topic");
        for cut in 0..h.len() {
            assert!(decode(&h[..cut]).is_err(), "cut at {cut}");
        }
    }
}
