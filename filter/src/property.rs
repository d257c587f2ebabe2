//! How a filter reads message properties: the [`PropertySource`] trait and ready-made sources.
//!
//! The engine implements [`PropertySource`] for its stored record so a filter can be evaluated without
//! building a map; the impls here (string maps, typed maps, slices of pairs) serve tests, the CLI and
//! callers that already hold a map. A source must never allocate per lookup on the hot path: it hands out
//! borrowed values.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// One property value as the filter sees it: the JMS property types. RocketMQ properties are always
/// [`PropertyValue::Str`]; the SQL92 dialect still evaluates typed values with Java's rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PropertyValue<'a> {
    Str(&'a str),
    Bool(bool),
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
}

/// Read access to a message's properties (and, for JMS, its header fields such as `JMSPriority`).
pub trait PropertySource {
    /// The value of `name` (case-sensitive), or `None` when the message has no such property.
    fn property(&self, name: &str) -> Option<PropertyValue<'_>>;
}

impl<T: PropertySource + ?Sized> PropertySource for &T {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        (**self).property(name)
    }
}

/// A source with no properties at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProperties;

impl PropertySource for NoProperties {
    fn property(&self, _name: &str) -> Option<PropertyValue<'_>> {
        None
    }
}

impl<S: BuildHasher> PropertySource for HashMap<String, String, S> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.get(name).map(|v| PropertyValue::Str(v))
    }
}

impl PropertySource for BTreeMap<String, String> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.get(name).map(|v| PropertyValue::Str(v))
    }
}

impl<K: AsRef<str>, V: AsRef<str>> PropertySource for [(K, V)] {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.iter()
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| PropertyValue::Str(v.as_ref()))
    }
}

impl<K: AsRef<str>, V: AsRef<str>> PropertySource for Vec<(K, V)> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.as_slice().property(name)
    }
}

/// An owned, typed property value, for maps built by callers (tests, the CLI, front-ends that decode
/// typed application properties).
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    Str(String),
    Bool(bool),
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
}

impl TypedValue {
    /// Borrow as the value a filter reads.
    pub fn as_property(&self) -> PropertyValue<'_> {
        match self {
            TypedValue::Str(s) => PropertyValue::Str(s),
            TypedValue::Bool(b) => PropertyValue::Bool(*b),
            TypedValue::Byte(v) => PropertyValue::Byte(*v),
            TypedValue::Short(v) => PropertyValue::Short(*v),
            TypedValue::Int(v) => PropertyValue::Int(*v),
            TypedValue::Long(v) => PropertyValue::Long(*v),
            TypedValue::Float(v) => PropertyValue::Float(*v),
            TypedValue::Double(v) => PropertyValue::Double(*v),
        }
    }
}

impl From<&str> for TypedValue {
    fn from(v: &str) -> Self {
        TypedValue::Str(v.to_owned())
    }
}

impl From<String> for TypedValue {
    fn from(v: String) -> Self {
        TypedValue::Str(v)
    }
}

macro_rules! typed_from {
    ($($t:ty => $variant:ident),*) => {
        $(impl From<$t> for TypedValue {
            fn from(v: $t) -> Self {
                TypedValue::$variant(v)
            }
        })*
    };
}

typed_from!(bool => Bool, i8 => Byte, i16 => Short, i32 => Int, i64 => Long, f32 => Float, f64 => Double);

/// A typed property map.
pub type TypedMap = HashMap<String, TypedValue>;

impl<S: BuildHasher> PropertySource for HashMap<String, TypedValue, S> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.get(name).map(TypedValue::as_property)
    }
}

impl PropertySource for BTreeMap<String, TypedValue> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.get(name).map(TypedValue::as_property)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_map_returns_borrowed_strings() {
        let mut m = HashMap::new();
        m.insert("a".to_string(), "x".to_string());
        assert_eq!(m.property("a"), Some(PropertyValue::Str("x")));
        assert_eq!(m.property("A"), None);
    }

    #[test]
    fn pair_slice_finds_the_first_matching_name() {
        let pairs = [("a", "1"), ("b", "2"), ("a", "3")];
        assert_eq!(pairs[..].property("a"), Some(PropertyValue::Str("1")));
        assert_eq!(pairs[..].property("c"), None);
    }

    #[test]
    fn typed_map_returns_typed_values() {
        let mut m = TypedMap::new();
        m.insert("n".into(), 5i32.into());
        m.insert("f".into(), true.into());
        assert_eq!(m.property("n"), Some(PropertyValue::Int(5)));
        assert_eq!(m.property("f"), Some(PropertyValue::Bool(true)));
    }
}
