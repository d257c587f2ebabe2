//! Run-time values: what an operand evaluates to. Borrowed from the message or the compiled filter, so
//! evaluating allocates nothing except a JMS string concatenation.

use crate::ir::{Constant, JmsHeader};
use crate::property::PropertyValue;

/// A value during evaluation (Java's boxed types; `Null` is SQL's unknown).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Null,
    Bool(bool),
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Str(&'a str),
    /// The result of a JMS `string + value` concatenation.
    Owned(Box<str>),
}

/// A copyable view of a [`Val`] for comparisons.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum View<'b> {
    Null,
    Bool(bool),
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Str(&'b str),
}

impl<'a> Val<'a> {
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            Val::Owned(s) => Some(s),
            _ => None,
        }
    }

    pub fn view(&self) -> View<'_> {
        match self {
            Val::Null => View::Null,
            Val::Bool(v) => View::Bool(*v),
            Val::Byte(v) => View::Byte(*v),
            Val::Short(v) => View::Short(*v),
            Val::Int(v) => View::Int(*v),
            Val::Long(v) => View::Long(*v),
            Val::Float(v) => View::Float(*v),
            Val::Double(v) => View::Double(*v),
            Val::Str(s) => View::Str(s),
            Val::Owned(s) => View::Str(s),
        }
    }

    pub fn from_constant(c: &'a Constant) -> Val<'a> {
        match c {
            Constant::Null => Val::Null,
            Constant::Bool(b) => Val::Bool(*b),
            Constant::Int(v) => Val::Int(*v),
            Constant::Long(v) => Val::Long(*v),
            Constant::Double(v) => Val::Double(*v),
            Constant::Str(s) => Val::Str(s),
        }
    }

    pub fn from_property(p: PropertyValue<'a>) -> Val<'a> {
        match p {
            PropertyValue::Str(s) => Val::Str(s),
            PropertyValue::Bool(v) => Val::Bool(v),
            PropertyValue::Byte(v) => Val::Byte(v),
            PropertyValue::Short(v) => Val::Short(v),
            PropertyValue::Int(v) => Val::Int(v),
            PropertyValue::Long(v) => Val::Long(v),
            PropertyValue::Float(v) => Val::Float(v),
            PropertyValue::Double(v) => Val::Double(v),
        }
    }

    /// Gives a JMS header the type the specification assigns it, whatever integer width the message
    /// carried; delivery mode 2 / 1 reads as 'PERSISTENT' / 'NON_PERSISTENT'.
    pub fn normalize_header(self, header: JmsHeader) -> Val<'a> {
        let integer = match self {
            Val::Byte(v) => Some(i64::from(v)),
            Val::Short(v) => Some(i64::from(v)),
            Val::Int(v) => Some(i64::from(v)),
            Val::Long(v) => Some(v),
            _ => None,
        };
        let Some(n) = integer else { return self };
        match header {
            JmsHeader::DeliveryMode => match n {
                2 => Val::Str("PERSISTENT"),
                1 => Val::Str("NON_PERSISTENT"),
                _ => self,
            },
            JmsHeader::Priority => i32::try_from(n).map_or(self, Val::Int),
            JmsHeader::Timestamp => Val::Long(n),
        }
    }
}
