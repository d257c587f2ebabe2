//! The code path behind `mqgate filter eval` (the binary's argument handling lives in the gateway).
//!
//! Stream mode reads lines `EXPRESSION<TAB>PROPERTIES_JSON[<TAB>ignored…]` and writes one word per line:
//! `match` (TRUE), `no-match` (FALSE, unknown or evaluation error) or `reject` (does not compile).
//! A missing or empty JSON column means no properties; a trailing `\r` is dropped. Properties:
//! - `sql92`: values are strings (RocketMQ properties are strings). Plain JSON numbers and booleans are
//!   accepted and read as their JSON text; `null` means the property is absent.
//! - `jms`: a plain JSON value is a string, a boolean, an integer (→ long) or a number with a fraction or
//!   exponent (→ double); a typed object `{"t":"int|long|float|double|boolean|string|byte|short","v":…}`
//!   gives the exact JMS type (`v` may also be a string such as `"NaN"`).
//!
//! Typed objects are accepted in `sql92` too (the SQL92 evaluator applies Java's rules to typed values).

use std::fmt;
use std::io::{self, BufRead, Write};

use serde_json::Value as Json;

use crate::filter::{compile, Dialect};
use crate::java;
use crate::options::CompileOptions;
use crate::property::{PropertySource, TypedMap, TypedValue};

/// What `mqgate filter eval` prints for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Match,
    NoMatch,
    Reject,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Match => "match",
            Verdict::NoMatch => "no-match",
            Verdict::Reject => "reject",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Malformed input (not a malformed expression: that is [`Verdict::Reject`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("properties must be a JSON object: {0}")]
    NotAnObject(String),
    #[error("property {name:?}: {reason}")]
    BadValue { name: String, reason: String },
    #[error("expected NAME=VALUE, got {0:?}")]
    BadPropArgument(String),
}

/// Evaluates one expression against properties given as `NAME=VALUE` pairs (`--prop`).
/// In `jms` a value that is valid JSON (`5`, `true`, `{"t":"int","v":5}`, `"text"`) is read as such,
/// anything else as a string; in `sql92` every value is a string.
pub fn eval_one(dialect: Dialect, strict: bool, expr: &str, props: &[(String, String)]) -> Verdict {
    let mut map = TypedMap::new();
    for (name, raw) in props {
        let value = match dialect {
            Dialect::Sql92 => Some(TypedValue::Str(raw.clone())),
            Dialect::Jms => match serde_json::from_str::<Json>(raw) {
                Ok(json) => {
                    json_value(dialect, name, &json).unwrap_or(Some(TypedValue::Str(raw.clone())))
                }
                Err(_) => Some(TypedValue::Str(raw.clone())),
            },
        };
        if let Some(value) = value {
            map.insert(name.clone(), value);
        }
    }
    eval_with(dialect, strict, expr, &map)
}

/// Evaluates one expression against any property source.
pub fn eval_with(
    dialect: Dialect,
    strict: bool,
    expr: &str,
    props: &dyn PropertySource,
) -> Verdict {
    match compile(dialect, expr, &CompileOptions::strict(strict)) {
        Ok(filter) if filter.matches(props) => Verdict::Match,
        Ok(_) => Verdict::NoMatch,
        Err(_) => Verdict::Reject,
    }
}

/// Splits a `--prop` argument `NAME=VALUE` at the first `=`.
pub fn parse_prop_arg(arg: &str) -> Result<(String, String), InputError> {
    match arg.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(InputError::BadPropArgument(arg.to_owned())),
    }
}

/// Evaluates one input line `EXPRESSION<TAB>PROPERTIES_JSON[<TAB>…]`.
pub fn eval_line(dialect: Dialect, strict: bool, line: &str) -> Result<Verdict, InputError> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut columns = line.split('\t');
    let expr = columns.next().unwrap_or("");
    let json = columns.next().unwrap_or("").trim();
    let filter = match compile(dialect, expr, &CompileOptions::strict(strict)) {
        Ok(filter) => filter,
        Err(_) => return Ok(Verdict::Reject),
    };
    let props = if json.is_empty() {
        TypedMap::new()
    } else {
        parse_properties(dialect, json)?
    };
    Ok(if filter.matches(&props) {
        Verdict::Match
    } else {
        Verdict::NoMatch
    })
}

/// Reads lines from `input` until its end and writes one verdict per line to `output`.
/// Malformed properties stop the stream with an `InvalidData` error naming the line.
pub fn eval_stream(
    dialect: Dialect,
    strict: bool,
    mut input: impl BufRead,
    mut output: impl Write,
) -> io::Result<()> {
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        number += 1;
        let verdict = eval_line(dialect, strict, &line).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("line {number}: {e}"))
        })?;
        writeln!(output, "{verdict}")?;
    }
    output.flush()
}

/// Reads a JSON object of properties as described in the module documentation.
pub fn parse_properties(dialect: Dialect, json: &str) -> Result<TypedMap, InputError> {
    let value: Json =
        serde_json::from_str(json).map_err(|e| InputError::NotAnObject(e.to_string()))?;
    let Json::Object(object) = value else {
        return Err(InputError::NotAnObject(format!("got {value}")));
    };
    let mut map = TypedMap::with_capacity(object.len());
    for (name, value) in &object {
        if let Some(v) = json_value(dialect, name, value)? {
            map.insert(name.clone(), v);
        }
    }
    Ok(map)
}

fn bad(name: &str, reason: impl Into<String>) -> InputError {
    InputError::BadValue {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

/// One property value; `None` when absent (`null`).
fn json_value(
    dialect: Dialect,
    name: &str,
    value: &Json,
) -> Result<Option<TypedValue>, InputError> {
    Ok(Some(match value {
        Json::Null => return Ok(None),
        Json::String(s) => TypedValue::Str(s.clone()),
        Json::Bool(b) => match dialect {
            Dialect::Sql92 => TypedValue::Str(b.to_string()),
            Dialect::Jms => TypedValue::Bool(*b),
        },
        Json::Number(n) => match dialect {
            Dialect::Sql92 => TypedValue::Str(n.to_string()),
            Dialect::Jms => match n.as_i64() {
                Some(i) => TypedValue::Long(i),
                None => {
                    TypedValue::Double(n.as_f64().ok_or_else(|| bad(name, "unreadable number"))?)
                }
            },
        },
        Json::Object(object) => {
            let t = object
                .get("t")
                .and_then(Json::as_str)
                .ok_or_else(|| bad(name, "an object value must be {\"t\": TYPE, \"v\": VALUE}"))?;
            let v = object
                .get("v")
                .ok_or_else(|| bad(name, "typed value without \"v\""))?;
            if v.is_null() {
                return Ok(None);
            }
            typed(name, t, v)?
        }
        Json::Array(_) => return Err(bad(name, "arrays are not property values")),
    }))
}

fn typed(name: &str, t: &str, v: &Json) -> Result<TypedValue, InputError> {
    let integer = |min: i64, max: i64| -> Result<i64, InputError> {
        let n = match v {
            Json::Number(n) => n.as_i64(),
            Json::String(s) => java::parse_long(s),
            _ => None,
        };
        n.filter(|n| (min..=max).contains(n))
            .ok_or_else(|| bad(name, format!("{v} is not a {t} (range {min}..={max})")))
    };
    let floating = || -> Result<f64, InputError> {
        match v {
            Json::Number(n) => n.as_f64(),
            Json::String(s) => java::parse_double(s),
            _ => None,
        }
        .ok_or_else(|| bad(name, format!("{v} is not a number")))
    };
    Ok(match t.to_ascii_lowercase().as_str() {
        "string" => match v {
            Json::String(s) => TypedValue::Str(s.clone()),
            other => TypedValue::Str(other.to_string()),
        },
        "boolean" => match v {
            Json::Bool(b) => TypedValue::Bool(*b),
            Json::String(s) => TypedValue::Bool(java::parse_bool(s)),
            other => return Err(bad(name, format!("{other} is not a boolean"))),
        },
        "byte" => TypedValue::Byte(integer(i8::MIN.into(), i8::MAX.into())? as i8),
        "short" => TypedValue::Short(integer(i16::MIN.into(), i16::MAX.into())? as i16),
        "int" => TypedValue::Int(integer(i32::MIN.into(), i32::MAX.into())? as i32),
        "long" => TypedValue::Long(integer(i64::MIN, i64::MAX)?),
        "float" => match v {
            Json::String(s) => {
                TypedValue::Float(java::parse_float(s).ok_or_else(|| bad(name, "not a float"))?)
            }
            _ => TypedValue::Float(floating()? as f32),
        },
        "double" => TypedValue::Double(floating()?),
        other => return Err(bad(name, format!("unknown type {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dialect: Dialect, input: &str) -> String {
        let mut out = Vec::new();
        eval_stream(dialect, false, input.as_bytes(), &mut out).expect("valid input");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn stream_prints_one_word_per_line() {
        let input = "a = 'x'\t{\"a\":\"x\"}\na = 'x'\t{\"a\":\"y\"}\na =\t{}\n";
        assert_eq!(run(Dialect::Sql92, input), "match\nno-match\nreject\n");
    }

    #[test]
    fn extra_columns_and_crlf_are_ignored() {
        let input = "a = 'x'\t{\"a\":\"x\"}\tR1\tcomment\r\nTRUE\r\n";
        assert_eq!(run(Dialect::Sql92, input), "match\nmatch\n");
    }

    #[test]
    fn jms_reads_plain_and_typed_json_values() {
        let props =
            r#"{"i":{"t":"int","v":5},"l":5,"d":5.5,"b":true,"s":"5","f":{"t":"float","v":"NaN"}}"#;
        let map = parse_properties(Dialect::Jms, props).expect("valid");
        assert_eq!(map["i"], TypedValue::Int(5));
        assert_eq!(map["l"], TypedValue::Long(5));
        assert_eq!(map["d"], TypedValue::Double(5.5));
        assert_eq!(map["b"], TypedValue::Bool(true));
        assert_eq!(map["s"], TypedValue::Str("5".into()));
        assert!(matches!(map["f"], TypedValue::Float(f) if f.is_nan()));
    }

    #[test]
    fn sql92_reads_plain_numbers_as_their_text() {
        let map = parse_properties(Dialect::Sql92, r#"{"a":5,"b":true,"c":null}"#).expect("valid");
        assert_eq!(map["a"], TypedValue::Str("5".into()));
        assert_eq!(map["b"], TypedValue::Str("true".into()));
        assert!(!map.contains_key("c"));
    }

    #[test]
    fn out_of_range_typed_values_are_input_errors() {
        assert!(parse_properties(Dialect::Jms, r#"{"a":{"t":"byte","v":300}}"#).is_err());
        assert!(parse_properties(Dialect::Jms, r#"{"a":{"t":"char","v":1}}"#).is_err());
        assert!(parse_properties(Dialect::Jms, "[1]").is_err());
    }

    #[test]
    fn malformed_json_stops_the_stream_with_the_line_number() {
        let mut out = Vec::new();
        let err = eval_stream(
            Dialect::Jms,
            false,
            "TRUE\t{}\nTRUE\t{oops\n".as_bytes(),
            &mut out,
        )
        .expect_err("bad json");
        assert!(err.to_string().starts_with("line 2:"), "{err}");
    }

    #[test]
    fn eval_one_types_jms_values_from_json() {
        let props = [
            ("rank".to_owned(), "123".to_owned()),
            ("name".to_owned(), "James".to_owned()),
        ];
        assert_eq!(
            eval_one(Dialect::Jms, false, "rank > 100 AND name = 'James'", &props),
            Verdict::Match
        );
        let props = [("a".to_owned(), "6".to_owned())];
        assert_eq!(
            eval_one(Dialect::Sql92, false, "a > 5", &props),
            Verdict::Match
        );
    }

    #[test]
    fn prop_argument_splits_at_the_first_equals_sign() {
        assert_eq!(parse_prop_arg("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_prop_arg("=x").is_err());
        assert!(parse_prop_arg("novalue").is_err());
    }
}
