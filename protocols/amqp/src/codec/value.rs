//! The AMQP 1.0 type system (OASIS AMQP 1.0 part 1): one [`Value`] enum for every primitive, compound and
//! described type, and its encoder. Decoding lives in `decode.rs`. Pure: no I/O, never panics.

use bytes::{BufMut, Bytes, BytesMut};

/// An AMQP value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `boolean`.
    Bool(bool),
    /// `ubyte`.
    Ubyte(u8),
    /// `ushort`.
    Ushort(u16),
    /// `uint`.
    Uint(u32),
    /// `ulong`.
    Ulong(u64),
    /// `byte`.
    Byte(i8),
    /// `short`.
    Short(i16),
    /// `int`.
    Int(i32),
    /// `long`.
    Long(i64),
    /// `float`.
    Float(f32),
    /// `double`.
    Double(f64),
    /// `decimal32`, kept as its bits.
    Decimal32(u32),
    /// `decimal64`, kept as its bits.
    Decimal64(u64),
    /// `decimal128`, kept as its bytes.
    Decimal128([u8; 16]),
    /// `char` (UTF-32 code point).
    Char(char),
    /// `timestamp`: ms since the Unix epoch.
    Timestamp(i64),
    /// `uuid`.
    Uuid([u8; 16]),
    /// `binary`; a slice of the frame it came in, never copied.
    Binary(Bytes),
    /// `string`.
    String(String),
    /// `symbol` (ASCII).
    Symbol(String),
    /// `list`.
    List(Vec<Value>),
    /// `map`, in wire order.
    Map(Vec<(Value, Value)>),
    /// `array`: all elements of one type.
    Array(Vec<Value>),
    /// A described type: descriptor and value.
    Described(Box<Value>, Box<Value>),
}

impl Value {
    /// A symbol.
    pub fn sym(s: &str) -> Value {
        Value::Symbol(s.to_string())
    }
    /// A string.
    pub fn str(s: &str) -> Value {
        Value::String(s.to_string())
    }
    /// A described list with a numeric descriptor.
    pub fn described_list(code: u64, fields: Vec<Value>) -> Value {
        Value::Described(Box::new(Value::Ulong(code)), Box::new(Value::List(fields)))
    }
    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// The text of a string or symbol.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Symbol(s) => Some(s),
            _ => None,
        }
    }
    /// Any unsigned or non-negative signed integer as u64.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Ubyte(v) => Some(v.into()),
            Value::Ushort(v) => Some(v.into()),
            Value::Uint(v) => Some(v.into()),
            Value::Ulong(v) => Some(v),
            Value::Byte(v) => u64::try_from(v).ok(),
            Value::Short(v) => u64::try_from(v).ok(),
            Value::Int(v) => u64::try_from(v).ok(),
            Value::Long(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }
    /// Any integer or timestamp as i64.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Timestamp(v) | Value::Long(v) => Some(v),
            Value::Ulong(v) => i64::try_from(v).ok(),
            _ => self.as_u64().map(|v| v as i64).or(match *self {
                Value::Byte(v) => Some(v.into()),
                Value::Short(v) => Some(v.into()),
                Value::Int(v) => Some(v.into()),
                _ => None,
            }),
        }
    }
    /// A boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
    /// The elements of a list or array (a single value counts as an array of one, as the spec's
    /// `multiple="true"` fields allow).
    pub fn as_multiple(&self) -> Vec<&Value> {
        match self {
            Value::Null => Vec::new(),
            Value::List(v) | Value::Array(v) => v.iter().collect(),
            other => vec![other],
        }
    }
    /// The symbols of a `multiple` symbol field.
    pub fn symbols(&self) -> Vec<String> {
        self.as_multiple()
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }
    /// The descriptor code of a described value, mapping symbolic descriptors to their codes.
    pub fn descriptor_code(&self) -> Option<u64> {
        match self {
            Value::Described(d, _) => match &**d {
                Value::Ulong(c) => Some(*c),
                Value::Symbol(s) => super::descriptor::code_of(s),
                _ => None,
            },
            _ => None,
        }
    }
    /// Looks `key` up in a map with symbol or string keys.
    pub fn map_get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Appends the encoding of `self` to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        match self {
            Value::Null => out.put_u8(0x40),
            Value::Bool(true) => out.put_u8(0x41),
            Value::Bool(false) => out.put_u8(0x42),
            Value::Ubyte(v) => {
                out.put_u8(0x50);
                out.put_u8(*v);
            }
            Value::Ushort(v) => {
                out.put_u8(0x60);
                out.put_u16(*v);
            }
            Value::Uint(0) => out.put_u8(0x43),
            Value::Uint(v) if *v < 256 => {
                out.put_u8(0x52);
                out.put_u8(*v as u8);
            }
            Value::Uint(v) => {
                out.put_u8(0x70);
                out.put_u32(*v);
            }
            Value::Ulong(0) => out.put_u8(0x44),
            Value::Ulong(v) if *v < 256 => {
                out.put_u8(0x53);
                out.put_u8(*v as u8);
            }
            Value::Ulong(v) => {
                out.put_u8(0x80);
                out.put_u64(*v);
            }
            Value::Byte(v) => {
                out.put_u8(0x51);
                out.put_i8(*v);
            }
            Value::Short(v) => {
                out.put_u8(0x61);
                out.put_i16(*v);
            }
            Value::Int(v) if (-128..128).contains(v) => {
                out.put_u8(0x54);
                out.put_i8(*v as i8);
            }
            Value::Int(v) => {
                out.put_u8(0x71);
                out.put_i32(*v);
            }
            Value::Long(v) if (-128..128).contains(v) => {
                out.put_u8(0x55);
                out.put_i8(*v as i8);
            }
            Value::Long(v) => {
                out.put_u8(0x81);
                out.put_i64(*v);
            }
            Value::Float(v) => {
                out.put_u8(0x72);
                out.put_f32(*v);
            }
            Value::Double(v) => {
                out.put_u8(0x82);
                out.put_f64(*v);
            }
            Value::Decimal32(v) => {
                out.put_u8(0x74);
                out.put_u32(*v);
            }
            Value::Decimal64(v) => {
                out.put_u8(0x84);
                out.put_u64(*v);
            }
            Value::Decimal128(v) => {
                out.put_u8(0x94);
                out.put_slice(v);
            }
            Value::Char(c) => {
                out.put_u8(0x73);
                out.put_u32(*c as u32);
            }
            Value::Timestamp(v) => {
                out.put_u8(0x83);
                out.put_i64(*v);
            }
            Value::Uuid(v) => {
                out.put_u8(0x98);
                out.put_slice(v);
            }
            Value::Binary(b) => put_variable(out, 0xa0, 0xb0, b),
            Value::String(s) => put_variable(out, 0xa1, 0xb1, s.as_bytes()),
            Value::Symbol(s) => put_variable(out, 0xa3, 0xb3, s.as_bytes()),
            Value::List(items) if items.is_empty() => out.put_u8(0x45),
            Value::List(items) => {
                let mut body = BytesMut::new();
                items.iter().for_each(|v| v.encode(&mut body));
                put_compound(out, 0xc0, 0xd0, items.len(), &body);
            }
            Value::Map(pairs) => {
                let mut body = BytesMut::new();
                for (k, v) in pairs {
                    k.encode(&mut body);
                    v.encode(&mut body);
                }
                put_compound(out, 0xc1, 0xd1, pairs.len() * 2, &body);
            }
            Value::Array(items) => encode_array(items, out),
            Value::Described(d, v) => {
                out.put_u8(0x00);
                d.encode(out);
                v.encode(out);
            }
        }
    }

    /// The encoding of `self` as bytes.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

fn put_variable(out: &mut BytesMut, short: u8, long: u8, data: &[u8]) {
    if data.len() < 256 {
        out.put_u8(short);
        out.put_u8(data.len() as u8);
    } else {
        out.put_u8(long);
        out.put_u32(data.len() as u32);
    }
    out.put_slice(data);
}

fn put_compound(out: &mut BytesMut, short: u8, long: u8, count: usize, body: &[u8]) {
    if body.len() + 1 < 256 && count < 256 {
        out.put_u8(short);
        out.put_u8((body.len() + 1) as u8);
        out.put_u8(count as u8);
    } else {
        out.put_u8(long);
        out.put_u32((body.len() + 4) as u32);
        out.put_u32(count as u32);
    }
    out.put_slice(body);
}

/// Arrays share one constructor: the wide form of the first element's type. mqgate only builds arrays of
/// symbols, strings, ulongs or uints.
fn encode_array(items: &[Value], out: &mut BytesMut) {
    let mut body = BytesMut::new();
    let ctor: u8 = match items.first() {
        None | Some(Value::Symbol(_)) => 0xb3,
        Some(Value::String(_)) => 0xb1,
        Some(Value::Ulong(_)) => 0x80,
        Some(Value::Uint(_)) => 0x70,
        Some(_) => 0xb3,
    };
    body.put_u8(ctor);
    for item in items {
        match (ctor, item) {
            (0xb3, Value::Symbol(s)) | (0xb1, Value::String(s)) => {
                body.put_u32(s.len() as u32);
                body.put_slice(s.as_bytes());
            }
            (0x80, Value::Ulong(v)) => body.put_u64(*v),
            (0x70, Value::Uint(v)) => body.put_u32(*v),
            // Mixed arrays are not valid AMQP; mqgate never builds one. Encode a placeholder of the right width.
            (0xb3 | 0xb1, _) => body.put_u32(0),
            (0x80, _) => body.put_u64(0),
            _ => body.put_u32(0),
        }
    }
    // body = constructor + elements; the size field counts the count field too.
    if body.len() + 1 < 256 && items.len() < 256 {
        out.put_u8(0xe0);
        out.put_u8((body.len() + 1) as u8);
        out.put_u8(items.len() as u8);
    } else {
        out.put_u8(0xf0);
        out.put_u32((body.len() + 4) as u32);
        out.put_u32(items.len() as u32);
    }
    out.put_slice(&body);
}
