//! Java platform behaviour the upstream filters depend on, reproduced exactly: `String.hashCode`,
//! `String.compareTo` (UTF-16 order), the `Integer.valueOf` / `Double.valueOf` family of parsers,
//! `Double.compare` ordering and `Double.toString` formatting.
//!
//! Nothing here knows about filters; it only answers "what would the JVM do".

mod number;
mod text;

pub(crate) use number::{
    compare_double, compare_float, parse_bool, parse_byte, parse_double, parse_float, parse_int,
    parse_long, parse_short,
};
pub use text::string_hash_code;
pub(crate) use text::{compare_utf16, double_to_string, float_to_string};
