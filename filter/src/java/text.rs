//! Java string behaviour: `String.hashCode`, `String.compareTo` and the text that `String.valueOf`
//! produces for numbers (used by JMS `string + value` concatenation).

use std::cmp::Ordering;

/// Java's `String.hashCode()` of `s`: `h = 31 * h + unit` over its UTF-16 code units, wrapping.
/// RocketMQ stores this for a message's tag in the consume queue and compares subscriptions against it.
pub fn string_hash_code(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// `a.compareTo(b)` reduced to its sign: lexicographic over UTF-16 code units (which differs from
/// UTF-8 byte order once supplementary characters are involved).
pub(crate) fn compare_utf16(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// `Double.toString(v)` (JDK 19+ shortest-digit algorithm): plain notation for magnitudes in
/// `[1e-3, 1e7)`, otherwise `d.dddE±n`; always at least one fractional digit.
pub(crate) fn double_to_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    format_java(&format!("{:e}", v.abs()), v < 0.0)
}

/// `Float.toString(v)`, same layout as [`double_to_string`] with the shortest digits for an `f32`.
pub(crate) fn float_to_string(v: f32) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    format_java(&format!("{:e}", v.abs()), v < 0.0)
}

/// Lays out Rust's shortest `{:e}` rendering (`d.ddde±n`) the way Java prints floating-point values.
fn format_java(scientific: &str, negative: bool) -> String {
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if (-3..7).contains(&exponent) {
        if exponent < 0 {
            out.push_str("0.");
            for _ in 0..(-exponent - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let point = exponent as usize + 1;
            if digits.len() <= point {
                out.push_str(&digits);
                for _ in digits.len()..point {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        out.push_str(&exponent.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_code_matches_java_for_ascii_and_non_bmp_text() {
        assert_eq!(string_hash_code(""), 0);
        assert_eq!(string_hash_code("TagA"), 2_598_919);
        assert_eq!(string_hash_code("hello"), 99_162_322);
        // U+1F600 is the surrogate pair D83D DE00 in UTF-16.
        assert_eq!(string_hash_code("\u{1F600}"), 0xD83D * 31 + 0xDE00);
    }

    #[test]
    fn compare_utf16_orders_surrogates_below_private_use() {
        assert_eq!(compare_utf16("\u{1F600}", "\u{E000}"), Ordering::Less);
        assert_eq!(compare_utf16("abc", "abd"), Ordering::Less);
        assert_eq!(compare_utf16("b", "abc"), Ordering::Greater);
    }

    #[test]
    fn double_to_string_matches_java_layout() {
        let cases = [
            (1.0, "1.0"),
            (61.5, "61.5"),
            (100.0, "100.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (1.0e7, "1.0E7"),
            (3.1415e10, "3.1415E10"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
        ];
        for (v, want) in cases {
            assert_eq!(double_to_string(v), want, "{v}");
        }
        assert_eq!(double_to_string(-0.0), "-0.0");
        assert_eq!(double_to_string(f64::NAN), "NaN");
    }

    #[test]
    fn float_to_string_uses_float_digits() {
        assert_eq!(float_to_string(0.1), "0.1");
        assert_eq!(float_to_string(123.0), "123.0");
        assert_eq!(float_to_string(1.0e10), "1.0E10");
    }
}
