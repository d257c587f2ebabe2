//! Bounded decoding of AMQP values from a frame's bytes. Every length is checked against what is left,
//! nesting depth and element counts are capped, and binary values are slices of the input (no copy).
//! Malformed input is a [`DecodeError`] that says where and what; it never panics.

use super::value::Value;
use bytes::Bytes;

/// What went wrong, and at which byte of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended inside a value.
    #[error("truncated at byte {offset}: need {need} more bytes")]
    Truncated {
        /// Where.
        offset: usize,
        /// Bytes missing.
        need: usize,
    },
    /// An unknown or reserved format code.
    #[error("invalid format code 0x{code:02x} at byte {offset}")]
    InvalidCode {
        /// The code.
        code: u8,
        /// Where.
        offset: usize,
    },
    /// Compound values nested deeper than allowed.
    #[error("nesting deeper than {max} at byte {offset}")]
    TooDeep {
        /// The limit.
        max: usize,
        /// Where.
        offset: usize,
    },
    /// More elements than allowed, or than the bytes can hold.
    #[error("too many elements ({count}) at byte {offset}")]
    TooMany {
        /// Claimed count.
        count: usize,
        /// Where.
        offset: usize,
    },
    /// Text that is not valid UTF-8, a char that is not a code point, an odd map.
    #[error("malformed value at byte {offset}: {what}")]
    Malformed {
        /// What.
        what: &'static str,
        /// Where.
        offset: usize,
    },
}

/// Decoder limits.
#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    /// Deepest nesting of lists, maps, arrays and described values.
    pub max_depth: usize,
    /// Most values decoded from one input (bounds memory per frame whatever the encoding).
    pub max_values: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_depth: 32,
            max_values: 1 << 20,
        }
    }
}

/// A cursor over one input.
pub struct Decoder {
    buf: Bytes,
    pos: usize,
    limits: DecodeLimits,
    values: usize,
}

impl Decoder {
    /// A decoder over `buf`.
    pub fn new(buf: Bytes, limits: DecodeLimits) -> Self {
        Decoder {
            buf,
            pos: 0,
            limits,
            values: 0,
        }
    }
    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }
    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    /// The input from `from` to the current position.
    pub fn slice_from(&self, from: usize) -> Bytes {
        self.buf.slice(from..self.pos)
    }
    /// The input between two positions.
    pub fn slice_between(&self, from: usize, to: usize) -> Bytes {
        let from = from.min(self.buf.len());
        self.buf.slice(from..to.clamp(from, self.buf.len()))
    }
    /// Everything not consumed yet.
    pub fn rest(&self) -> Bytes {
        self.buf.slice(self.pos..)
    }
    /// The next byte without consuming it.
    pub fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    fn take(&mut self, n: usize) -> Result<Bytes, DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::Truncated {
                offset: self.pos,
                need: n - self.remaining(),
            });
        }
        let b = self.buf.slice(self.pos..self.pos + n);
        self.pos += n;
        Ok(b)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let b = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(&b);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Decodes one value.
    pub fn value(&mut self) -> Result<Value, DecodeError> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: usize) -> Result<Value, DecodeError> {
        let at = self.pos;
        let code = self.u8()?;
        if code == 0x00 {
            return self.described(depth, at);
        }
        self.with_code(code, depth, at)
    }

    fn described(&mut self, depth: usize, at: usize) -> Result<Value, DecodeError> {
        if depth >= self.limits.max_depth {
            return Err(DecodeError::TooDeep {
                max: self.limits.max_depth,
                offset: at,
            });
        }
        let descriptor = self.value_at(depth + 1)?;
        let value = self.value_at(depth + 1)?;
        Ok(Value::Described(Box::new(descriptor), Box::new(value)))
    }

    fn count_value(&mut self, at: usize) -> Result<(), DecodeError> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(DecodeError::TooMany {
                count: self.values,
                offset: at,
            });
        }
        Ok(())
    }

    fn with_code(&mut self, code: u8, depth: usize, at: usize) -> Result<Value, DecodeError> {
        self.count_value(at)?;
        Ok(match code {
            0x40 => Value::Null,
            0x41 => Value::Bool(true),
            0x42 => Value::Bool(false),
            0x56 => match self.u8()? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => return Err(malformed("boolean not 0 or 1", at)),
            },
            0x50 => Value::Ubyte(self.u8()?),
            0x60 => Value::Ushort(u16::from_be_bytes(self.array()?)),
            0x70 => Value::Uint(self.u32()?),
            0x52 => Value::Uint(self.u8()?.into()),
            0x43 => Value::Uint(0),
            0x80 => Value::Ulong(u64::from_be_bytes(self.array()?)),
            0x53 => Value::Ulong(self.u8()?.into()),
            0x44 => Value::Ulong(0),
            0x51 => Value::Byte(self.u8()? as i8),
            0x61 => Value::Short(i16::from_be_bytes(self.array()?)),
            0x71 => Value::Int(i32::from_be_bytes(self.array()?)),
            0x54 => Value::Int((self.u8()? as i8).into()),
            0x81 => Value::Long(i64::from_be_bytes(self.array()?)),
            0x55 => Value::Long((self.u8()? as i8).into()),
            0x72 => Value::Float(f32::from_be_bytes(self.array()?)),
            0x82 => Value::Double(f64::from_be_bytes(self.array()?)),
            0x74 => Value::Decimal32(self.u32()?),
            0x84 => Value::Decimal64(u64::from_be_bytes(self.array()?)),
            0x94 => Value::Decimal128(self.array()?),
            0x73 => Value::Char(char::from_u32(self.u32()?).ok_or(malformed("char", at))?),
            0x83 => Value::Timestamp(i64::from_be_bytes(self.array()?)),
            0x98 => Value::Uuid(self.array()?),
            0xa0 | 0xa1 | 0xa3 => {
                let n = self.u8()? as usize;
                self.variable(code, n, at)?
            }
            0xb0 | 0xb1 | 0xb3 => {
                let n = self.u32()? as usize;
                self.variable(code, n, at)?
            }
            0x45 => Value::List(Vec::new()),
            0xc0 | 0xc1 | 0xe0 => {
                let size = self.u8()? as usize;
                self.compound(code, size, 1, depth, at)?
            }
            0xd0 | 0xd1 | 0xf0 => {
                let size = self.u32()? as usize;
                self.compound(code, size, 4, depth, at)?
            }
            _ => return Err(DecodeError::InvalidCode { code, offset: at }),
        })
    }

    fn variable(&mut self, code: u8, n: usize, at: usize) -> Result<Value, DecodeError> {
        let b = self.take(n)?;
        Ok(match code & 0x0f {
            0x0 => Value::Binary(b),
            0x1 => Value::String(
                String::from_utf8(b.to_vec()).map_err(|_| malformed("string not UTF-8", at))?,
            ),
            _ => Value::Symbol(
                String::from_utf8(b.to_vec()).map_err(|_| malformed("symbol not ASCII", at))?,
            ),
        })
    }

    fn compound(
        &mut self,
        code: u8,
        size: usize,
        width: usize,
        depth: usize,
        at: usize,
    ) -> Result<Value, DecodeError> {
        if depth >= self.limits.max_depth {
            return Err(DecodeError::TooDeep {
                max: self.limits.max_depth,
                offset: at,
            });
        }
        if size > self.remaining() {
            return Err(DecodeError::Truncated {
                offset: at,
                need: size - self.remaining(),
            });
        }
        if size < width {
            return Err(malformed("compound size smaller than its count", at));
        }
        let end = self.pos + size;
        let count = if width == 1 {
            self.u8()? as usize
        } else {
            self.u32()? as usize
        };
        let body = end - self.pos;
        let result = match code & 0x0f {
            0x0 if code < 0xe0 => {
                // Every element takes at least one byte.
                if count > body {
                    return Err(DecodeError::TooMany { count, offset: at });
                }
                let mut items = Vec::with_capacity(count);
                for _ in 0..count {
                    items.push(self.value_at(depth + 1)?);
                }
                Value::List(items)
            }
            0x1 => {
                if !count.is_multiple_of(2) {
                    return Err(malformed("map with an odd element count", at));
                }
                if count > body {
                    return Err(DecodeError::TooMany { count, offset: at });
                }
                let mut pairs = Vec::with_capacity(count / 2);
                for _ in 0..count / 2 {
                    let k = self.value_at(depth + 1)?;
                    let v = self.value_at(depth + 1)?;
                    pairs.push((k, v));
                }
                Value::Map(pairs)
            }
            _ => self.array_items(count, body, depth, at)?,
        };
        if self.pos != end {
            return Err(malformed("compound size does not match its contents", at));
        }
        Ok(result)
    }

    fn array_items(
        &mut self,
        count: usize,
        body: usize,
        depth: usize,
        at: usize,
    ) -> Result<Value, DecodeError> {
        // Zero-width element types (null, true, false, uint0, ulong0, list0) could claim billions of
        // elements in a few bytes; cap the count by the bytes available either way.
        if count > body.max(1) * 8 || count > self.limits.max_values {
            return Err(DecodeError::TooMany { count, offset: at });
        }
        let ctor_at = self.pos;
        let mut code = self.u8()?;
        let mut descriptor = None;
        if code == 0x00 {
            descriptor = Some(self.value_at(depth + 1)?);
            code = self.u8()?;
            if code == 0x00 {
                return Err(DecodeError::InvalidCode {
                    code,
                    offset: ctor_at,
                });
            }
        }
        let mut items = Vec::with_capacity(count.min(body));
        for _ in 0..count {
            let v = self.with_code(code, depth + 1, ctor_at)?;
            items.push(match &descriptor {
                Some(d) => Value::Described(Box::new(d.clone()), Box::new(v)),
                None => v,
            });
        }
        Ok(Value::Array(items))
    }
}

fn malformed(what: &'static str, offset: usize) -> DecodeError {
    DecodeError::Malformed { what, offset }
}

/// Decodes exactly one value from `buf`.
pub fn decode_one(buf: Bytes, limits: DecodeLimits) -> Result<Value, DecodeError> {
    let mut d = Decoder::new(buf, limits);
    d.value()
}
