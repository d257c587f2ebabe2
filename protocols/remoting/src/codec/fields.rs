//! Typed access to a command's `extFields` (the per-code custom header): missing mandatory fields and values of
//! the wrong form become [`RequestError`]s that are answered, never panics.

use crate::error::RequestError;
use std::collections::HashMap;

/// A read-only view of the header fields of one request.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a>(pub &'a HashMap<String, String>);

impl<'a> Fields<'a> {
    /// An optional string field.
    pub fn opt_str(&self, name: &'static str) -> Option<&'a str> {
        self.0.get(name).map(String::as_str)
    }

    /// A mandatory string field.
    pub fn str(&self, name: &'static str) -> Result<&'a str, RequestError> {
        self.opt_str(name).ok_or(RequestError::MissingField(name))
    }

    /// The first present of several aliases (V1 long names and V2 one-letter names).
    pub fn str_any(&self, names: &[&'static str]) -> Result<&'a str, RequestError> {
        names
            .iter()
            .find_map(|n| self.opt_str(n))
            .ok_or(RequestError::MissingField(names[0]))
    }

    fn parse<T: std::str::FromStr>(&self, name: &'static str, v: &str) -> Result<T, RequestError> {
        v.trim().parse().map_err(|_| RequestError::BadField {
            field: name,
            value: v.chars().take(64).collect(),
        })
    }

    /// An optional number.
    pub fn opt_num<T: std::str::FromStr>(
        &self,
        name: &'static str,
    ) -> Result<Option<T>, RequestError> {
        match self.opt_str(name) {
            None => Ok(None),
            Some(v) if v.is_empty() || v == "null" => Ok(None),
            Some(v) => self.parse(name, v).map(Some),
        }
    }

    /// A mandatory number.
    pub fn num<T: std::str::FromStr>(&self, name: &'static str) -> Result<T, RequestError> {
        self.opt_num(name)?.ok_or(RequestError::MissingField(name))
    }

    /// An optional number under the first present of several aliases.
    pub fn opt_num_any<T: std::str::FromStr>(
        &self,
        names: &[&'static str],
    ) -> Result<Option<T>, RequestError> {
        match names.iter().find(|n| self.0.contains_key(**n)) {
            Some(n) => self.opt_num(n),
            None => Ok(None),
        }
    }

    /// A mandatory number under the first present of several aliases.
    pub fn num_any<T: std::str::FromStr>(&self, names: &[&'static str]) -> Result<T, RequestError> {
        self.opt_num_any(names)?
            .ok_or(RequestError::MissingField(names[0]))
    }

    /// A boolean under the first present of several aliases.
    pub fn bool_any(&self, names: &[&'static str], default: bool) -> bool {
        match names.iter().find(|n| self.0.contains_key(**n)) {
            Some(n) => self.bool_or(n, default),
            None => default,
        }
    }

    /// Like [`Fields::bool_any`], but `"1"` is also true: rocketmq-client-cpp 1.x (inside PyPI `rocketmq` 0.4.4)
    /// writes its C++ `bool`s through an `ostringstream`, as `"1"` and `"0"`.
    pub fn cpp_bool_any(&self, names: &[&'static str], default: bool) -> bool {
        match names.iter().find_map(|n| self.opt_str(n)) {
            Some(v) if v.trim() == "1" => true,
            _ => self.bool_any(names, default),
        }
    }

    /// A boolean, `default` when absent (anything but `true` is false, as Java's `Boolean.parseBoolean`).
    pub fn bool_or(&self, name: &'static str, default: bool) -> bool {
        match self.opt_str(name) {
            None => default,
            Some(v) => v.trim().eq_ignore_ascii_case("true"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_malformed_fields_are_errors() {
        let mut m = HashMap::new();
        m.insert("queueId".to_string(), "x1".to_string());
        m.insert("b".to_string(), "T".to_string());
        let f = Fields(&m);
        assert_eq!(
            f.num::<i32>("queueOffset"),
            Err(RequestError::MissingField("queueOffset"))
        );
        assert!(matches!(
            f.num::<i32>("queueId"),
            Err(RequestError::BadField { .. })
        ));
        assert_eq!(f.str_any(&["topic", "b"]), Ok("T"));
        assert!(!f.bool_or("batch", false));
    }

    #[test]
    fn cpp_bools_read_one_as_true_and_zero_as_false() {
        let mut m = HashMap::new();
        m.insert("batch".to_string(), "1".to_string());
        m.insert("unitMode".to_string(), "0".to_string());
        let f = Fields(&m);
        assert!(f.cpp_bool_any(&["batch", "m"], false));
        assert!(
            !f.bool_any(&["batch", "m"], false),
            "Java rules stay as they are"
        );
        assert!(!f.cpp_bool_any(&["unitMode"], true));
        assert!(f.cpp_bool_any(&["absent"], true));
    }
}
