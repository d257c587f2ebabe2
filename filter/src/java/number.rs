//! `Integer.parseInt`, `Long.parseLong`, `Double.parseDouble` & co. with the JVM's exact acceptance rules,
//! and the total order of `Double.compare` / `Float.compare`.
//!
//! The RocketMQ filter converts string properties with these parsers, so their quirks decide delivery:
//! `Integer.valueOf(" 1")` fails, `Integer.valueOf("٣")` is 3 (any Unicode decimal digit in the BMP),
//! `Double.valueOf(" 1.5d ")` is 1.5, `Double.valueOf("NaN")` is NaN, `Double.valueOf("nan")` fails.

use std::cmp::Ordering;

/// First code point of every run of ten Unicode decimal digits (`Nd`) in the Basic Multilingual Plane.
/// `Character.digit(char, 10)` accepts exactly these; supplementary digits arrive as surrogate halves,
/// which it rejects.
const BMP_DIGIT_ZEROS: [u16; 37] = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
];

/// `Character.digit(unit, 10)`.
fn decimal_digit(unit: u16) -> Option<u32> {
    if (0x30..=0x39).contains(&unit) {
        return Some(u32::from(unit - u16::from(b'0')));
    }
    if unit < 0x660 {
        return None;
    }
    let i = BMP_DIGIT_ZEROS.partition_point(|&zero| zero <= unit);
    let zero = BMP_DIGIT_ZEROS[i.checked_sub(1)?];
    let d = u32::from(unit - zero);
    (d < 10).then_some(d)
}

/// Magnitude and sign of a Java radix-10 integer literal, or `None` where `parseLong` throws.
/// The magnitude saturates above `2^63` (already out of every range).
fn parse_signed_magnitude(s: &str) -> Option<(bool, u64)> {
    let bytes = s.as_bytes();
    let (negative, rest) = match bytes.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest.is_empty() {
        return None;
    }
    let mut magnitude: u64 = 0;
    if rest.is_ascii() {
        for &b in rest.as_bytes() {
            if !b.is_ascii_digit() {
                return None;
            }
            magnitude = magnitude
                .saturating_mul(10)
                .saturating_add(u64::from(b - b'0'));
        }
    } else {
        for unit in rest.encode_utf16() {
            let d = decimal_digit(unit)?;
            magnitude = magnitude.saturating_mul(10).saturating_add(u64::from(d));
        }
    }
    Some((negative, magnitude))
}

fn parse_ranged(s: &str, min: i64, max: i64) -> Option<i64> {
    let (negative, magnitude) = parse_signed_magnitude(s)?;
    let value = if negative {
        0i64.checked_sub_unsigned(magnitude)?
    } else {
        i64::try_from(magnitude).ok()?
    };
    (min..=max).contains(&value).then_some(value)
}

/// `Integer.parseInt(s)`.
pub(crate) fn parse_int(s: &str) -> Option<i32> {
    parse_ranged(s, i64::from(i32::MIN), i64::from(i32::MAX)).map(|v| v as i32)
}

/// `Long.parseLong(s)`.
pub(crate) fn parse_long(s: &str) -> Option<i64> {
    parse_ranged(s, i64::MIN, i64::MAX)
}

/// `Short.parseShort(s)`.
pub(crate) fn parse_short(s: &str) -> Option<i16> {
    parse_ranged(s, i64::from(i16::MIN), i64::from(i16::MAX)).map(|v| v as i16)
}

/// `Byte.parseByte(s)`.
pub(crate) fn parse_byte(s: &str) -> Option<i8> {
    parse_ranged(s, i64::from(i8::MIN), i64::from(i8::MAX)).map(|v| v as i8)
}

/// `Boolean.valueOf(s)`: true only for "true" in any case; never fails.
pub(crate) fn parse_bool(s: &str) -> bool {
    s.eq_ignore_ascii_case("true")
}

/// The pieces of a Java floating-point string once its syntax is validated.
enum FloatText<'a> {
    NaN,
    Infinite {
        negative: bool,
    },
    /// A decimal literal Rust's parser reads identically (sign included, suffix removed).
    Decimal(&'a str),
    Hex {
        negative: bool,
        body: &'a str,
    },
}

/// Validates `s` against `FloatingDecimal.readJavaFormatString`: surrounding chars `<= ' '` trimmed,
/// optional sign, `NaN` | `Infinity` | decimal with optional exponent | hex with binary exponent, then an
/// optional `f`/`F`/`d`/`D` suffix.
fn classify_float(s: &str) -> Option<FloatText<'_>> {
    let t = s.trim_matches(|c: char| c <= ' ');
    let (negative, unsigned) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    match unsigned {
        "NaN" => return Some(FloatText::NaN),
        "Infinity" => return Some(FloatText::Infinite { negative }),
        _ => {}
    }
    let body = match unsigned.as_bytes().last()? {
        b'f' | b'F' | b'd' | b'D' => &unsigned[..unsigned.len() - 1],
        _ => unsigned,
    };
    let b = body.as_bytes();
    if b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
        return Some(FloatText::Hex {
            negative,
            body: &body[2..],
        });
    }
    // digits [. digits] [e [sign] digits], at least one mantissa digit
    let mut i = 0;
    let mut mantissa_digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let sign_len = t.len() - unsigned.len();
    Some(FloatText::Decimal(&t[..sign_len + body.len()]))
}

/// Value of a hexadecimal floating literal body (`1.8p1`), as `Double.parseDouble` reads `0x1.8p1`.
fn parse_hex_body(body: &str) -> Option<f64> {
    let (mantissa, exponent) = body.split_once(['p', 'P'])?;
    let exponent: i64 = {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // Saturate: anything this large over- or underflows anyway.
        let magnitude = digits.parse::<i64>().unwrap_or(100_000).min(100_000);
        if exponent.starts_with('-') {
            -magnitude
        } else {
            magnitude
        }
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    let mut scale: i64 = 0; // binary exponent adjustment
    let mut sticky = false;
    let int_len = int_part.chars().count();
    for (i, c) in int_part.chars().chain(frac_part.chars()).enumerate() {
        let d = u64::from(c.to_digit(16)?);
        let fractional = i >= int_len;
        if value >> 56 == 0 {
            value = value << 4 | d;
            if fractional {
                scale -= 4;
            }
        } else {
            sticky |= d != 0;
            if !fractional {
                scale += 4;
            }
        }
    }
    if sticky {
        value |= 1; // keeps round-half-even from rounding down a value just above the halfway point
    }
    let mut result = value as f64;
    let mut e = exponent + scale;
    // Apply the binary exponent in steps that stay exact until the final one.
    while e > 0 {
        let step = e.min(1000);
        result *= 2f64.powi(step as i32);
        e -= step;
    }
    while e < 0 {
        let step = (-e).min(1000);
        result /= 2f64.powi(step as i32);
        e += step;
    }
    Some(result)
}

/// `Double.parseDouble(s)`.
pub(crate) fn parse_double(s: &str) -> Option<f64> {
    match classify_float(s)? {
        FloatText::NaN => Some(f64::NAN),
        FloatText::Infinite { negative } => Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        FloatText::Decimal(text) => text.parse::<f64>().ok(),
        FloatText::Hex { negative, body } => {
            parse_hex_body(body).map(|v| if negative { -v } else { v })
        }
    }
}

/// `Float.parseFloat(s)`.
pub(crate) fn parse_float(s: &str) -> Option<f32> {
    match classify_float(s)? {
        FloatText::NaN => Some(f32::NAN),
        FloatText::Infinite { negative } => Some(if negative {
            f32::NEG_INFINITY
        } else {
            f32::INFINITY
        }),
        FloatText::Decimal(text) => text.parse::<f32>().ok(),
        FloatText::Hex { negative, body } => {
            parse_hex_body(body).map(|v| if negative { -(v as f32) } else { v as f32 })
        }
    }
}

/// `Double.compare(a, b)`: numeric order, except that -0.0 < 0.0 and NaN equals itself and sorts last.
pub(crate) fn compare_double(a: f64, b: f64) -> Ordering {
    if a < b {
        Ordering::Less
    } else if a > b {
        Ordering::Greater
    } else {
        canonical_bits_f64(a).cmp(&canonical_bits_f64(b))
    }
}

fn canonical_bits_f64(v: f64) -> i64 {
    if v.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        v.to_bits() as i64
    }
}

/// `Float.compare(a, b)`.
pub(crate) fn compare_float(a: f32, b: f32) -> Ordering {
    if a < b {
        Ordering::Less
    } else if a > b {
        Ordering::Greater
    } else {
        let bits = |v: f32| {
            if v.is_nan() {
                0x7fc0_0000
            } else {
                v.to_bits() as i32
            }
        };
        bits(a).cmp(&bits(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_accepts_sign_leading_zeros_and_unicode_digits() {
        assert_eq!(parse_int("01"), Some(1));
        assert_eq!(parse_int("+7"), Some(7));
        assert_eq!(parse_int("-2147483648"), Some(i32::MIN));
        assert_eq!(parse_int("\u{663}"), Some(3)); // ARABIC-INDIC DIGIT THREE
        assert_eq!(parse_int("\u{ff11}\u{ff12}"), Some(12)); // fullwidth
    }

    #[test]
    fn parse_int_rejects_what_java_rejects() {
        for s in [
            "",
            "+",
            "-",
            " 1",
            "1 ",
            "1.0",
            "1E2",
            "2147483648",
            "abc",
            "1_0",
            "\u{1d7ce}",
        ] {
            assert_eq!(parse_int(s), None, "{s:?}");
        }
    }

    #[test]
    fn parse_long_covers_the_full_range() {
        assert_eq!(parse_long("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_long("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_long("9223372036854775808"), None);
        assert_eq!(parse_long("99999999999999999999999999"), None);
    }

    #[test]
    fn parse_byte_and_short_check_their_range() {
        assert_eq!(parse_byte("-128"), Some(-128));
        assert_eq!(parse_byte("128"), None);
        assert_eq!(parse_short("32767"), Some(32767));
        assert_eq!(parse_short("32768"), None);
    }

    #[test]
    fn parse_double_follows_java_syntax() {
        assert_eq!(parse_double(" 1.5 "), Some(1.5));
        assert_eq!(parse_double("1.5d"), Some(1.5));
        assert_eq!(parse_double("1e2"), Some(100.0));
        assert_eq!(parse_double("1."), Some(1.0));
        assert_eq!(parse_double(".5"), Some(0.5));
        assert_eq!(parse_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_double("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_double("0x1.8p1"), Some(3.0));
        assert_eq!(parse_double("0X10P-4"), Some(1.0));
        for s in [
            "", ".", "e5", "1e", "inf", "nan", "infinity", "1.5dd", "0x1.8", "1,5", "\u{663}",
        ] {
            assert_eq!(parse_double(s), None, "{s:?}");
        }
    }

    #[test]
    fn compare_double_is_javas_total_order() {
        assert_eq!(compare_double(-0.0, 0.0), Ordering::Less);
        assert_eq!(compare_double(f64::NAN, f64::NAN), Ordering::Equal);
        assert_eq!(compare_double(f64::NAN, f64::INFINITY), Ordering::Greater);
        assert_eq!(compare_double(1.0, 2.0), Ordering::Less);
    }
}
