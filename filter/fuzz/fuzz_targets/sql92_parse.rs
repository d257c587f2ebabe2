//! Fuzzes the SQL92 (RocketMQ) dialect: compiling arbitrary text, lax and strict, must never panic,
//! overflow the stack or take unbounded time, and evaluating whatever compiles must not either.
//! Oracle: strict mode accepts a subset of what lax mode accepts, with the same result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqgate_filter::{compile, CompileOptions, Dialect, NoProperties, PropertySource, PropertyValue};

/// A message whose values exercise string-to-number conversions: property names starting with
/// a..f get fixed values, others are absent.
struct Message;

impl PropertySource for Message {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        Some(PropertyValue::Str(match name.as_bytes().first()? {
            b'a' => "x",
            b'b' => "5",
            b'c' => "2.5",
            b'd' => "",
            b'e' => "true",
            b'f' => "-2147483648",
            _ => return None,
        }))
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lax = compile(Dialect::Sql92, text, &CompileOptions::strict(false));
    let strict = compile(Dialect::Sql92, text, &CompileOptions::strict(true));
    if let Ok(filter) = &lax {
        let _ = filter.evaluate(&NoProperties);
    }
    if let Ok(strict) = strict {
        let lax = lax.expect("strict mode accepted text that lax mode rejects");
        assert_eq!(strict.evaluate(&Message), lax.evaluate(&Message), "strict and lax disagree");
    }
});
