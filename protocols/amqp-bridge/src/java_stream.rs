//! A small reader and writer for Java's `ObjectOutputStream` format (Java Object Serialization Specification,
//! chapter 6), as much as RabbitMQ's JMS client puts in a message body: block data holding `writeUTF`,
//! `writeInt` … values, with serialized objects (its `RMQDestination`) between the blocks.
//!
//! Pure and bounded: no I/O, no allocation larger than the input, recursion and handle counts capped. It never
//! instantiates anything; objects come back as a tree of class names and field values. It must never panic on
//! hostile input: every read is checked and fails with a [`JavaStreamError`] that says where.

use std::sync::Arc;

const MAGIC: [u8; 4] = [0xAC, 0xED, 0x00, 0x05];
const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_ARRAY: u8 = 0x75;
const TC_CLASS: u8 = 0x76;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_RESET: u8 = 0x79;
const TC_BLOCKDATALONG: u8 = 0x7A;
const TC_LONGSTRING: u8 = 0x7C;
const TC_PROXYCLASSDESC: u8 = 0x7D;
const TC_ENUM: u8 = 0x7E;
const BASE_HANDLE: u32 = 0x7E_0000;
const SC_WRITE_METHOD: u8 = 0x01;
const SC_SERIALIZABLE: u8 = 0x02;
const SC_EXTERNALIZABLE: u8 = 0x04;
const SC_BLOCK_DATA: u8 = 0x08;
/// Deepest object nesting accepted.
const MAX_DEPTH: usize = 32;
/// Most handles (objects, strings, class descriptors) one stream may define.
const MAX_HANDLES: usize = 4096;

/// Why a stream could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("java stream at byte {offset}: {what}")]
pub struct JavaStreamError {
    /// Byte offset in the input.
    pub offset: usize,
    /// What was expected or wrong.
    pub what: String,
}

/// A value read from the stream.
#[derive(Debug, Clone, PartialEq)]
pub enum JavaValue {
    /// `null`.
    Null,
    /// A `String`.
    Str(String),
    /// A primitive field value, as Java prints it.
    Primitive(String),
    /// An object: its class and its serializable fields (superclass fields first).
    Object {
        /// Class name.
        class: String,
        /// Field name and value.
        fields: Vec<(String, JavaValue)>,
    },
    /// An array.
    Array(Vec<JavaValue>),
    /// An enum constant.
    Enum(String),
    /// A reference to an object met earlier, or a `Class`.
    Other,
}

impl JavaValue {
    /// The value of the string field `name` of an object.
    pub fn string_field(&self, name: &str) -> Option<&str> {
        match self {
            JavaValue::Object { fields, .. } => fields.iter().find_map(|(n, v)| match v {
                JavaValue::Str(s) if n == name => Some(s.as_str()),
                _ => None,
            }),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct ClassDesc {
    name: String,
    flags: u8,
    fields: Vec<(u8, String)>,
    parent: Option<Arc<ClassDesc>>,
}

#[derive(Debug, Clone)]
enum Handle {
    Class(Arc<ClassDesc>),
    Str(String),
    Other,
}

/// Reads an `ObjectOutputStream`: primitive data through its block-data framing, objects between blocks.
pub struct JavaReader<'a> {
    buf: &'a [u8],
    pos: usize,
    block_left: usize,
    handles: Vec<Handle>,
    depth: usize,
}

impl<'a> JavaReader<'a> {
    /// True when `buf` starts with the stream magic and version.
    pub fn is_stream(buf: &[u8]) -> bool {
        buf.starts_with(&MAGIC)
    }

    /// A reader positioned after the stream header.
    pub fn new(buf: &'a [u8]) -> Result<Self, JavaStreamError> {
        if !Self::is_stream(buf) {
            return Err(JavaStreamError {
                offset: 0,
                what: "no ObjectOutputStream header".into(),
            });
        }
        Ok(JavaReader {
            buf,
            pos: MAGIC.len(),
            block_left: 0,
            handles: Vec::new(),
            depth: 0,
        })
    }

    fn err<T>(&self, what: impl Into<String>) -> Result<T, JavaStreamError> {
        Err(JavaStreamError {
            offset: self.pos,
            what: what.into(),
        })
    }

    fn raw(&mut self, n: usize) -> Result<&'a [u8], JavaStreamError> {
        if self.buf.len() - self.pos < n {
            return self.err(format!(
                "need {n} bytes, have {}",
                self.buf.len() - self.pos
            ));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn raw_u8(&mut self) -> Result<u8, JavaStreamError> {
        Ok(self.raw(1)?[0])
    }

    fn raw_u16(&mut self) -> Result<u16, JavaStreamError> {
        let b = self.raw(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn raw_i32(&mut self) -> Result<i32, JavaStreamError> {
        let b = self.raw(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn raw_i64(&mut self) -> Result<i64, JavaStreamError> {
        let b = self.raw(8)?;
        Ok(i64::from_be_bytes(b.try_into().unwrap_or([0; 8])))
    }

    /// Moves to the next data block when the current one is used up.
    fn enter_block(&mut self) -> Result<(), JavaStreamError> {
        while self.block_left == 0 {
            match self.raw_u8()? {
                TC_BLOCKDATA => self.block_left = self.raw_u8()? as usize,
                TC_BLOCKDATALONG => {
                    let n = self.raw_i32()?;
                    if n < 0 {
                        return self.err("negative block length");
                    }
                    self.block_left = n as usize;
                }
                TC_RESET => self.handles.clear(),
                t => {
                    self.pos -= 1;
                    return self.err(format!("expected block data, found tag 0x{t:02x}"));
                }
            }
        }
        Ok(())
    }

    /// Reads `n` bytes of primitive data, across block boundaries.
    pub fn data(&mut self, n: usize) -> Result<Vec<u8>, JavaStreamError> {
        if n > self.buf.len() {
            return self.err(format!("length {n} exceeds the stream"));
        }
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            self.enter_block()?;
            let take = (n - out.len()).min(self.block_left);
            out.extend_from_slice(self.raw(take)?);
            self.block_left -= take;
        }
        Ok(out)
    }

    fn data_array<const N: usize>(&mut self) -> Result<[u8; N], JavaStreamError> {
        let v = self.data(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(&v);
        Ok(a)
    }

    /// `readBoolean`.
    pub fn read_bool(&mut self) -> Result<bool, JavaStreamError> {
        Ok(self.data_array::<1>()?[0] != 0)
    }
    /// `readByte`.
    pub fn read_i8(&mut self) -> Result<i8, JavaStreamError> {
        Ok(self.data_array::<1>()?[0] as i8)
    }
    /// `readShort`.
    pub fn read_i16(&mut self) -> Result<i16, JavaStreamError> {
        Ok(i16::from_be_bytes(self.data_array()?))
    }
    /// `readChar`.
    pub fn read_char(&mut self) -> Result<u16, JavaStreamError> {
        Ok(u16::from_be_bytes(self.data_array()?))
    }
    /// `readInt`.
    pub fn read_i32(&mut self) -> Result<i32, JavaStreamError> {
        Ok(i32::from_be_bytes(self.data_array()?))
    }
    /// `readLong`.
    pub fn read_i64(&mut self) -> Result<i64, JavaStreamError> {
        Ok(i64::from_be_bytes(self.data_array()?))
    }
    /// `readFloat`.
    pub fn read_f32(&mut self) -> Result<f32, JavaStreamError> {
        Ok(f32::from_be_bytes(self.data_array()?))
    }
    /// `readDouble`.
    pub fn read_f64(&mut self) -> Result<f64, JavaStreamError> {
        Ok(f64::from_be_bytes(self.data_array()?))
    }
    /// `readUTF`: a u16 length and modified UTF-8.
    pub fn read_utf(&mut self) -> Result<String, JavaStreamError> {
        let n = u16::from_be_bytes(self.data_array()?) as usize;
        let at = self.pos;
        let bytes = self.data(n)?;
        decode_modified_utf8(&bytes).ok_or(JavaStreamError {
            offset: at,
            what: "invalid modified UTF-8".into(),
        })
    }

    /// True when all block data read so far is consumed (the next byte is a tag or raw bytes).
    pub fn at_block_boundary(&self) -> bool {
        self.block_left == 0
    }

    /// The bytes after the last block (where the JMS client writes a BytesMessage body unframed).
    pub fn rest(&self) -> Result<&'a [u8], JavaStreamError> {
        if self.block_left != 0 {
            return self.err(format!("{} bytes of block data unread", self.block_left));
        }
        Ok(&self.buf[self.pos..])
    }

    fn new_handle(&mut self, h: Handle) -> Result<usize, JavaStreamError> {
        if self.handles.len() >= MAX_HANDLES {
            return self.err("too many objects");
        }
        self.handles.push(h);
        Ok(self.handles.len() - 1)
    }

    fn handle(&mut self) -> Result<Handle, JavaStreamError> {
        let h = self.raw_i32()? as u32;
        let idx = h.wrapping_sub(BASE_HANDLE) as usize;
        match self.handles.get(idx) {
            Some(h) => Ok(h.clone()),
            None => self.err(format!("unknown handle 0x{h:x}")),
        }
    }

    fn raw_utf(&mut self, long: bool) -> Result<String, JavaStreamError> {
        let n = if long {
            let n = self.raw_i64()?;
            if n < 0 {
                return self.err("negative string length");
            }
            n as usize
        } else {
            self.raw_u16()? as usize
        };
        if n > self.buf.len() - self.pos {
            return self.err("string longer than the stream");
        }
        let at = self.pos;
        let b = self.raw(n)?;
        decode_modified_utf8(b).ok_or(JavaStreamError {
            offset: at,
            what: "invalid modified UTF-8".into(),
        })
    }

    /// Reads one object (`writeObject`), which must start at a block boundary.
    pub fn read_object(&mut self) -> Result<JavaValue, JavaStreamError> {
        if self.block_left != 0 {
            return self.err("object inside block data");
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("objects nested too deeply");
        }
        let r = self.object_after_tag();
        self.depth -= 1;
        r
    }

    fn object_after_tag(&mut self) -> Result<JavaValue, JavaStreamError> {
        loop {
            let tag = self.raw_u8()?;
            return match tag {
                TC_RESET => {
                    self.handles.clear();
                    continue;
                }
                TC_NULL => Ok(JavaValue::Null),
                TC_REFERENCE => Ok(match self.handle()? {
                    Handle::Str(s) => JavaValue::Str(s),
                    _ => JavaValue::Other,
                }),
                TC_STRING | TC_LONGSTRING => {
                    let s = self.raw_utf(tag == TC_LONGSTRING)?;
                    self.new_handle(Handle::Str(s.clone()))?;
                    Ok(JavaValue::Str(s))
                }
                TC_CLASSDESC | TC_PROXYCLASSDESC => {
                    self.pos -= 1;
                    self.class_desc()?;
                    Ok(JavaValue::Other)
                }
                TC_CLASS => {
                    self.class_desc()?;
                    self.new_handle(Handle::Other)?;
                    Ok(JavaValue::Other)
                }
                TC_ENUM => {
                    self.class_desc()?;
                    self.new_handle(Handle::Other)?;
                    match self.read_object()? {
                        JavaValue::Str(s) => Ok(JavaValue::Enum(s)),
                        _ => self.err("enum constant name is not a string"),
                    }
                }
                TC_ARRAY => self.array(),
                TC_OBJECT => self.object(),
                t => self.err(format!("unexpected tag 0x{t:02x}")),
            };
        }
    }

    fn class_desc(&mut self) -> Result<Option<Arc<ClassDesc>>, JavaStreamError> {
        match self.raw_u8()? {
            TC_NULL => Ok(None),
            TC_REFERENCE => match self.handle()? {
                Handle::Class(c) => Ok(Some(c)),
                _ => self.err("reference to a non-class where a class was expected"),
            },
            TC_CLASSDESC => {
                let name = self.raw_utf(false)?;
                let _uid = self.raw_i64()?;
                let idx = self.new_handle(Handle::Other)?;
                let flags = self.raw_u8()?;
                let count = self.raw_u16()? as usize;
                let mut fields = Vec::with_capacity(count.min(256));
                for _ in 0..count {
                    let code = self.raw_u8()?;
                    let fname = self.raw_utf(false)?;
                    if code == b'L' || code == b'[' {
                        self.read_object()?; // the field's type name
                    } else if primitive_size(code).is_none() {
                        return self.err(format!("unknown field type code {:?}", code as char));
                    }
                    fields.push((code, fname));
                }
                self.skip_annotation()?;
                let parent = self.class_desc()?;
                let desc = Arc::new(ClassDesc {
                    name,
                    flags,
                    fields,
                    parent,
                });
                self.handles[idx] = Handle::Class(desc.clone());
                Ok(Some(desc))
            }
            TC_PROXYCLASSDESC => {
                let idx = self.new_handle(Handle::Other)?;
                let n = self.raw_i32()?;
                for _ in 0..n.max(0) {
                    self.raw_utf(false)?;
                }
                self.skip_annotation()?;
                let parent = self.class_desc()?;
                let desc = Arc::new(ClassDesc {
                    name: "$Proxy".into(),
                    flags: SC_SERIALIZABLE,
                    fields: Vec::new(),
                    parent,
                });
                self.handles[idx] = Handle::Class(desc.clone());
                Ok(Some(desc))
            }
            t => {
                self.pos -= 1;
                self.err(format!("expected a class descriptor, found tag 0x{t:02x}"))
            }
        }
    }

    /// Skips `contents* TC_ENDBLOCKDATA` (class and object annotations).
    fn skip_annotation(&mut self) -> Result<(), JavaStreamError> {
        loop {
            match self.buf.get(self.pos).copied() {
                Some(TC_ENDBLOCKDATA) => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(TC_BLOCKDATA) => {
                    self.pos += 1;
                    let n = self.raw_u8()? as usize;
                    self.raw(n)?;
                }
                Some(TC_BLOCKDATALONG) => {
                    self.pos += 1;
                    let n = self.raw_i32()?;
                    if n < 0 {
                        return self.err("negative block length");
                    }
                    self.raw(n as usize)?;
                }
                Some(_) => {
                    self.read_object()?;
                }
                None => return self.err("stream ends inside an annotation"),
            }
        }
    }

    fn field_value(&mut self, code: u8) -> Result<JavaValue, JavaStreamError> {
        Ok(match code {
            b'B' => JavaValue::Primitive((self.raw_u8()? as i8).to_string()),
            b'Z' => JavaValue::Primitive((self.raw_u8()? != 0).to_string()),
            b'C' => JavaValue::Primitive(
                char::from_u32(self.raw_u16()? as u32)
                    .unwrap_or('\u{fffd}')
                    .to_string(),
            ),
            b'S' => JavaValue::Primitive((self.raw_u16()? as i16).to_string()),
            b'I' => JavaValue::Primitive(self.raw_i32()?.to_string()),
            b'J' => JavaValue::Primitive(self.raw_i64()?.to_string()),
            b'F' => JavaValue::Primitive(f32::from_bits(self.raw_i32()? as u32).to_string()),
            b'D' => JavaValue::Primitive(f64::from_bits(self.raw_i64()? as u64).to_string()),
            _ => self.read_object()?,
        })
    }

    fn object(&mut self) -> Result<JavaValue, JavaStreamError> {
        let Some(desc) = self.class_desc()? else {
            return self.err("object without a class");
        };
        self.new_handle(Handle::Other)?;
        let mut chain = Vec::new();
        let mut c = Some(desc.clone());
        while let Some(d) = c {
            if chain.len() > MAX_DEPTH {
                return self.err("class hierarchy too deep");
            }
            c = d.parent.clone();
            chain.push(d);
        }
        let mut fields = Vec::new();
        for d in chain.iter().rev() {
            if d.flags & SC_EXTERNALIZABLE != 0 {
                if d.flags & SC_BLOCK_DATA == 0 {
                    return self.err(format!("externalizable {} without block data", d.name));
                }
                self.skip_annotation()?;
                continue;
            }
            if d.flags & SC_SERIALIZABLE != 0 {
                for (code, name) in &d.fields {
                    let v = self.field_value(*code)?;
                    fields.push((name.clone(), v));
                }
                if d.flags & SC_WRITE_METHOD != 0 {
                    self.skip_annotation()?;
                }
            }
        }
        Ok(JavaValue::Object {
            class: desc.name.clone(),
            fields,
        })
    }

    fn array(&mut self) -> Result<JavaValue, JavaStreamError> {
        let Some(desc) = self.class_desc()? else {
            return self.err("array without a class");
        };
        self.new_handle(Handle::Other)?;
        let n = self.raw_i32()?;
        if n < 0 || n as usize > self.buf.len() - self.pos {
            return self.err(format!("array length {n} exceeds the stream"));
        }
        let code = desc.name.as_bytes().get(1).copied().unwrap_or(b'L');
        let mut items = Vec::new();
        if let Some(size) = primitive_size(code) {
            self.raw(size * n as usize)?;
        } else {
            for _ in 0..n {
                items.push(self.read_object()?);
            }
        }
        Ok(JavaValue::Array(items))
    }
}

fn primitive_size(code: u8) -> Option<usize> {
    Some(match code {
        b'B' | b'Z' => 1,
        b'C' | b'S' => 2,
        b'I' | b'F' => 4,
        b'J' | b'D' => 8,
        _ => return None,
    })
}

/// Java's modified UTF-8 (`DataInput.readUTF`): `C0 80` for NUL, supplementary characters as two 3-byte
/// surrogates. `None` when malformed.
pub fn decode_modified_utf8(b: &[u8]) -> Option<String> {
    if b.iter().all(|&c| c != 0 && c < 0x80) {
        return std::str::from_utf8(b).ok().map(str::to_string);
    }
    let mut units: Vec<u16> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as u16;
        if c & 0x80 == 0 {
            units.push(c);
            i += 1;
        } else if c & 0xE0 == 0xC0 {
            let c2 = *b.get(i + 1)? as u16;
            if c2 & 0xC0 != 0x80 {
                return None;
            }
            units.push(((c & 0x1F) << 6) | (c2 & 0x3F));
            i += 2;
        } else if c & 0xF0 == 0xE0 {
            let c2 = *b.get(i + 1)? as u16;
            let c3 = *b.get(i + 2)? as u16;
            if c2 & 0xC0 != 0x80 || c3 & 0xC0 != 0x80 {
                return None;
            }
            units.push(((c & 0x0F) << 12) | ((c2 & 0x3F) << 6) | (c3 & 0x3F));
            i += 3;
        } else {
            return None;
        }
    }
    String::from_utf16(&units).ok()
}

/// Encodes `s` as Java's modified UTF-8.
pub fn encode_modified_utf8(s: &str, out: &mut Vec<u8>) {
    for u in s.encode_utf16() {
        match u {
            0x0001..=0x007F => out.push(u as u8),
            0x0000 | 0x0080..=0x07FF => {
                out.push(0xC0 | ((u >> 6) & 0x1F) as u8);
                out.push(0x80 | (u & 0x3F) as u8);
            }
            _ => {
                out.push(0xE0 | ((u >> 12) & 0x0F) as u8);
                out.push(0x80 | ((u >> 6) & 0x3F) as u8);
                out.push(0x80 | (u & 0x3F) as u8);
            }
        }
    }
}

/// Writes an `ObjectOutputStream` holding only primitive data (`writeUTF`, `writeInt` …), framed in blocks of
/// at most 1024 bytes as Java does, optionally followed by raw bytes.
#[derive(Debug)]
pub struct JavaWriter {
    out: Vec<u8>,
    block: Vec<u8>,
}

impl Default for JavaWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// A string too long for `writeUTF` (more than 65535 encoded bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("string of {0} encoded bytes is too long for writeUTF")]
pub struct UtfTooLong(pub usize);

impl JavaWriter {
    /// A stream with its header written.
    pub fn new() -> Self {
        JavaWriter {
            out: MAGIC.to_vec(),
            block: Vec::new(),
        }
    }
    fn put(&mut self, b: &[u8]) {
        self.block.extend_from_slice(b);
    }
    /// `writeBoolean`.
    pub fn write_bool(&mut self, v: bool) {
        self.put(&[v as u8]);
    }
    /// `writeByte`.
    pub fn write_i8(&mut self, v: i8) {
        self.put(&v.to_be_bytes());
    }
    /// `writeShort`.
    pub fn write_i16(&mut self, v: i16) {
        self.put(&v.to_be_bytes());
    }
    /// `writeInt`.
    pub fn write_i32(&mut self, v: i32) {
        self.put(&v.to_be_bytes());
    }
    /// `writeLong`.
    pub fn write_i64(&mut self, v: i64) {
        self.put(&v.to_be_bytes());
    }
    /// `writeFloat`.
    pub fn write_f32(&mut self, v: f32) {
        self.put(&v.to_be_bytes());
    }
    /// `writeDouble`.
    pub fn write_f64(&mut self, v: f64) {
        self.put(&v.to_be_bytes());
    }
    /// `write(byte[])` in block mode.
    pub fn write_bytes(&mut self, b: &[u8]) {
        self.put(b);
    }
    /// `writeUTF`.
    pub fn write_utf(&mut self, s: &str) -> Result<(), UtfTooLong> {
        let mut enc = Vec::with_capacity(s.len());
        encode_modified_utf8(s, &mut enc);
        if enc.len() > u16::MAX as usize {
            return Err(UtfTooLong(enc.len()));
        }
        self.put(&(enc.len() as u16).to_be_bytes());
        self.put(&enc);
        Ok(())
    }
    /// Drains buffered primitive data into blocks (`flush`).
    pub fn flush(&mut self) {
        for chunk in self.block.chunks(1024) {
            if chunk.len() <= 255 {
                self.out.push(TC_BLOCKDATA);
                self.out.push(chunk.len() as u8);
            } else {
                self.out.push(TC_BLOCKDATALONG);
                self.out
                    .extend_from_slice(&(chunk.len() as i32).to_be_bytes());
            }
            self.out.extend_from_slice(chunk);
        }
        self.block.clear();
    }
    /// Flushes, then appends raw bytes outside any block (what the JMS client does with a BytesMessage body).
    pub fn finish_with_raw(mut self, raw: &[u8]) -> Vec<u8> {
        self.flush();
        self.out.extend_from_slice(raw);
        self.out
    }
    /// Flushes and returns the stream.
    pub fn finish(mut self) -> Vec<u8> {
        self.flush();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_round_trip_across_block_boundaries() {
        let mut w = JavaWriter::new();
        let long = "x".repeat(3000);
        w.write_utf("héllo\u{0}𝄞").unwrap();
        w.write_i32(-7);
        w.write_utf(&long).unwrap();
        w.write_i64(1 << 40);
        w.write_bool(true);
        let bytes = w.finish_with_raw(b"tail");
        let mut r = JavaReader::new(&bytes).unwrap();
        assert_eq!(r.read_utf().unwrap(), "héllo\u{0}𝄞");
        assert_eq!(r.read_i32().unwrap(), -7);
        assert_eq!(r.read_utf().unwrap(), long);
        assert_eq!(r.read_i64().unwrap(), 1 << 40);
        assert!(r.read_bool().unwrap());
        assert_eq!(r.rest().unwrap(), b"tail");
    }

    #[test]
    fn modified_utf8_encodes_nul_and_supplementary_characters_like_java() {
        let mut v = Vec::new();
        encode_modified_utf8("\u{0}𝄞", &mut v);
        assert_eq!(v, [0xC0, 0x80, 0xED, 0xA0, 0xB4, 0xED, 0xB4, 0x9E]);
        assert_eq!(decode_modified_utf8(&v).unwrap(), "\u{0}𝄞");
        assert_eq!(decode_modified_utf8(&[0xE0, 0x80]), None);
    }

    #[test]
    fn truncated_or_garbage_streams_fail_cleanly() {
        let mut w = JavaWriter::new();
        w.write_utf("com.rabbitmq.jms.client.message.RMQTextMessage")
            .unwrap();
        let bytes = w.finish();
        for cut in 0..bytes.len() {
            let b = &bytes[..cut];
            if let Ok(mut r) = JavaReader::new(b) {
                assert!(r.read_utf().is_err());
            }
        }
        let mut r = JavaReader::new(&[0xAC, 0xED, 0, 5, 0x73, 0x72, 0xFF]).unwrap();
        assert!(r.read_object().is_err());
        let mut r = JavaReader::new(&[0xAC, 0xED, 0, 5, 0x71, 0, 0x7E, 0, 9]).unwrap();
        assert!(r.read_object().is_err());
    }
}
