//! Fuzzes the JMS selector dialect: compiling arbitrary text must never panic, overflow the stack or
//! take unbounded time, and evaluating whatever compiles (against typed values of every JMS type,
//! header fields included) must not either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqgate_filter::{compile, CompileOptions, Dialect, NoProperties, PropertySource, PropertyValue};

/// A message with one property of each JMS type, chosen by the name's first letter.
struct Message;

impl PropertySource for Message {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        if name == "JMSDeliveryMode" {
            return Some(PropertyValue::Int(2));
        }
        Some(match name.as_bytes().first()? {
            b'a' => PropertyValue::Str("x_%y"),
            b'b' => PropertyValue::Bool(true),
            b'c' => PropertyValue::Byte(-128),
            b'd' => PropertyValue::Short(7),
            b'e' => PropertyValue::Int(i32::MAX),
            b'f' => PropertyValue::Long(i64::MIN),
            b'g' => PropertyValue::Float(f32::NAN),
            b'h' => PropertyValue::Double(-0.0),
            _ => return None,
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(filter) = compile(Dialect::Jms, text, &CompileOptions::default()) {
        let _ = filter.evaluate(&Message);
        let _ = filter.evaluate(&NoProperties);
    }
});
