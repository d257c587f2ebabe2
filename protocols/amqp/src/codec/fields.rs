//! Typed access to the fields of a described list (a composite type). Missing fields read as `null`;
//! a field of the wrong type reads as absent, and the caller decides whether that is an error.

use super::value::Value;
use bytes::Bytes;

static NULL: Value = Value::Null;

/// The fields of one composite value.
pub struct Fields<'a>(&'a [Value]);

impl<'a> Fields<'a> {
    /// The fields of `v` when it is a described list with descriptor `code` (numeric or symbolic).
    pub fn of(v: &'a Value, code: u64) -> Option<Fields<'a>> {
        if v.descriptor_code()? != code {
            return None;
        }
        match v {
            Value::Described(_, inner) => match &**inner {
                Value::List(items) => Some(Fields(items)),
                _ => None,
            },
            _ => None,
        }
    }
    /// Field `i`, or `null`.
    pub fn get(&self, i: usize) -> &'a Value {
        self.0.get(i).unwrap_or(&NULL)
    }
    /// A string or symbol field.
    pub fn string(&self, i: usize) -> Option<String> {
        self.get(i).as_str().map(str::to_string)
    }
    /// An unsigned field that fits in u32.
    pub fn u32(&self, i: usize) -> Option<u32> {
        self.get(i).as_u64().and_then(|v| u32::try_from(v).ok())
    }
    /// An unsigned field.
    pub fn u64(&self, i: usize) -> Option<u64> {
        self.get(i).as_u64()
    }
    /// A boolean field.
    pub fn bool(&self, i: usize) -> Option<bool> {
        self.get(i).as_bool()
    }
    /// A binary field.
    pub fn binary(&self, i: usize) -> Option<Bytes> {
        match self.get(i) {
            Value::Binary(b) => Some(b.clone()),
            _ => None,
        }
    }
    /// A `multiple` symbol field.
    pub fn symbols(&self, i: usize) -> Vec<String> {
        self.get(i).symbols()
    }
}

/// Builds a described list, dropping trailing `null` fields as the spec allows.
pub fn composite(code: u64, mut fields: Vec<Value>) -> Value {
    while fields.last().is_some_and(Value::is_null) {
        fields.pop();
    }
    Value::described_list(code, fields)
}

/// `Some(x)` → the value, `None` → `null`.
pub fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
    v.map_or(Value::Null, f)
}

/// A symbol array, or `null` when empty.
pub fn symbol_array(items: &[String]) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items.iter().map(|s| Value::sym(s)).collect())
    }
}
