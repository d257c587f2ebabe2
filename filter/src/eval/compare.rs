//! Comparison rules of the two dialects.
//!
//! SQL92 reproduces RocketMQ's `ComparisonExpression.__compare` with string conversion on: a string meets
//! a number or boolean by being parsed as that type (`Integer.valueOf`, `Double.valueOf`, …; a failed
//! parse is an evaluation error), numbers widen as in Java, pairs it does not convert compare as "less"
//! (`-1`), and two of its Java bugs are kept because they decide delivery: a boolean on the left of a
//! string throws (`ClassCastException`), and so does a double on the left of a float.
//!
//! JMS follows the specification with ActiveMQ's choices where it is silent: no string conversion,
//! binary numeric promotion, Java's `compareTo` ordering for floating point (NaN equals NaN, -0.0 < 0.0),
//! strings and booleans only compare for (in)equality, and incomparable types yield FALSE.

use std::cmp::Ordering;

use super::value::View;
use super::Fault;
use crate::java;

/// `__compare(l, r, convertStringExpressions = true)`. Neither side is null.
pub(crate) fn rocketmq(l: View<'_>, r: View<'_>) -> Result<Ordering, Fault> {
    use View::*;
    let int = |s: &str| java::parse_int(s).ok_or(Fault);
    let long = |s: &str| java::parse_long(s).ok_or(Fault);
    let float = |s: &str| java::parse_float(s).ok_or(Fault);
    let double = |s: &str| java::parse_double(s).ok_or(Fault);
    let short = |s: &str| java::parse_short(s).ok_or(Fault);
    let byte = |s: &str| java::parse_byte(s).ok_or(Fault);
    let fcmp = java::compare_float;
    let dcmp = java::compare_double;
    Ok(match (l, r) {
        // Same class: compareTo.
        (Str(a), Str(b)) => java::compare_utf16(a, b),
        (Bool(a), Bool(b)) => a.cmp(&b),
        (Byte(a), Byte(b)) => a.cmp(&b),
        (Short(a), Short(b)) => a.cmp(&b),
        (Int(a), Int(b)) => a.cmp(&b),
        (Long(a), Long(b)) => a.cmp(&b),
        (Float(a), Float(b)) => fcmp(a, b),
        (Double(a), Double(b)) => dcmp(a, b),
        // Boolean on the left: the conversion casts the wrong operand and throws.
        (Bool(_), Str(_)) => return Err(Fault),
        (Byte(a), Short(b)) => i16::from(a).cmp(&b),
        (Byte(a), Int(b)) => i32::from(a).cmp(&b),
        (Byte(a), Long(b)) => i64::from(a).cmp(&b),
        (Byte(a), Float(b)) => fcmp(f32::from(a), b),
        (Byte(a), Double(b)) => dcmp(f64::from(a), b),
        (Byte(a), Str(b)) => a.cmp(&byte(b)?),
        (Short(a), Int(b)) => i32::from(a).cmp(&b),
        (Short(a), Long(b)) => i64::from(a).cmp(&b),
        (Short(a), Float(b)) => fcmp(f32::from(a), b),
        (Short(a), Double(b)) => dcmp(f64::from(a), b),
        (Short(a), Str(b)) => a.cmp(&short(b)?),
        (Int(a), Long(b)) => i64::from(a).cmp(&b),
        (Int(a), Float(b)) => fcmp(a as f32, b),
        (Int(a), Double(b)) => dcmp(f64::from(a), b),
        (Int(a), Str(b)) => a.cmp(&int(b)?),
        (Long(a), Int(b)) => a.cmp(&i64::from(b)),
        (Long(a), Float(b)) => fcmp(a as f32, b),
        (Long(a), Double(b)) => dcmp(a as f64, b),
        (Long(a), Str(b)) => a.cmp(&long(b)?),
        (Float(a), Int(b)) => fcmp(a, b as f32),
        (Float(a), Long(b)) => fcmp(a, b as f32),
        (Float(a), Double(b)) => dcmp(f64::from(a), b),
        (Float(a), Str(b)) => fcmp(a, float(b)?),
        (Double(a), Int(b)) => dcmp(a, f64::from(b)),
        (Double(a), Long(b)) => dcmp(a, b as f64),
        // Converted to Float, then Double.compareTo(Float) throws.
        (Double(_), Float(_)) => return Err(Fault),
        (Double(a), Str(b)) => dcmp(a, double(b)?),
        (Str(a), Bool(b)) => java::parse_bool(a).cmp(&b),
        (Str(a), Byte(b)) => byte(a)?.cmp(&b),
        (Str(a), Short(b)) => short(a)?.cmp(&b),
        (Str(a), Int(b)) => int(a)?.cmp(&b),
        (Str(a), Long(b)) => long(a)?.cmp(&b),
        (Str(a), Float(b)) => fcmp(float(a)?, b),
        (Str(a), Double(b)) => dcmp(double(a)?, b),
        // Pairs upstream does not convert: compare returns -1.
        _ => Ordering::Less,
    })
}

/// What a JMS comparison of two non-null values can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JmsComparison {
    /// Both numeric: their order after promotion.
    Numeric(Ordering),
    /// Two strings or two booleans: only (in)equality is defined.
    Equality(bool),
    Incomparable,
}

#[derive(Clone, Copy)]
enum Num {
    Integral(i64, bool),
    Float(f32),
    Double(f64),
}

fn numeric(v: View<'_>) -> Option<Num> {
    Some(match v {
        View::Byte(v) => Num::Integral(i64::from(v), false),
        View::Short(v) => Num::Integral(i64::from(v), false),
        View::Int(v) => Num::Integral(i64::from(v), false),
        View::Long(v) => Num::Integral(v, true),
        View::Float(v) => Num::Float(v),
        View::Double(v) => Num::Double(v),
        _ => return None,
    })
}

fn as_f64(n: Num) -> f64 {
    match n {
        Num::Integral(v, _) => v as f64,
        Num::Float(v) => f64::from(v),
        Num::Double(v) => v,
    }
}

fn as_f32(n: Num) -> f32 {
    match n {
        Num::Integral(v, _) => v as f32,
        Num::Float(v) => v,
        Num::Double(v) => v as f32,
    }
}

pub(crate) fn jms(l: View<'_>, r: View<'_>) -> JmsComparison {
    match (l, r) {
        (View::Str(a), View::Str(b)) => JmsComparison::Equality(a == b),
        (View::Bool(a), View::Bool(b)) => JmsComparison::Equality(a == b),
        _ => match (numeric(l), numeric(r)) {
            (Some(a), Some(b)) => JmsComparison::Numeric(match (a, b) {
                (Num::Integral(x, _), Num::Integral(y, _)) => x.cmp(&y),
                (Num::Double(_), _) | (_, Num::Double(_)) => {
                    java::compare_double(as_f64(a), as_f64(b))
                }
                _ => java::compare_float(as_f32(a), as_f32(b)),
            }),
            _ => JmsComparison::Incomparable,
        },
    }
}

/// JMS arithmetic operand type after promotion (ActiveMQ: any float or double makes it double).
pub(crate) enum Promoted {
    Int(i32, i32),
    Long(i64, i64),
    Double(f64, f64),
}

pub(crate) fn promote(l: View<'_>, r: View<'_>) -> Option<Promoted> {
    let (a, b) = (numeric(l)?, numeric(r)?);
    Some(match (a, b) {
        (Num::Integral(x, false), Num::Integral(y, false)) => Promoted::Int(x as i32, y as i32),
        (Num::Integral(x, _), Num::Integral(y, _)) => Promoted::Long(x, y),
        _ => Promoted::Double(as_f64(a), as_f64(b)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use View::*;

    #[test]
    fn rocketmq_parses_the_string_side_as_the_literal_type() {
        assert_eq!(rocketmq(Str("6"), Int(5)), Ok(Ordering::Greater));
        assert_eq!(rocketmq(Str("6.5"), Int(5)), Err(Fault));
        assert_eq!(rocketmq(Str("6"), Double(5.0)), Ok(Ordering::Greater));
        assert_eq!(rocketmq(Str("yes"), Bool(true)), Ok(Ordering::Less));
        assert_eq!(rocketmq(Str("TRUE"), Bool(true)), Ok(Ordering::Equal));
        assert_eq!(rocketmq(Str("3000000000"), Int(5)), Err(Fault));
        assert_eq!(
            rocketmq(Str("3000000000"), Long(2_147_483_648)),
            Ok(Ordering::Greater)
        );
    }

    #[test]
    fn rocketmq_keeps_the_java_bugs_that_decide_delivery() {
        assert_eq!(rocketmq(Bool(true), Str("1")), Err(Fault));
        assert_eq!(rocketmq(Double(1.0), Float(1.0)), Err(Fault));
        assert_eq!(rocketmq(Int(1), Bool(true)), Ok(Ordering::Less));
        assert_eq!(rocketmq(Short(1), Byte(1)), Ok(Ordering::Less));
    }

    #[test]
    fn jms_promotes_numbers_and_never_converts_strings() {
        assert_eq!(
            jms(Byte(123), Int(123)),
            JmsComparison::Numeric(Ordering::Equal)
        );
        assert_eq!(
            jms(Float(1.5), Double(1.5)),
            JmsComparison::Numeric(Ordering::Equal)
        );
        // 0.1f widens to 0.100000001490116…, above the double 0.1.
        assert_eq!(
            jms(Float(0.1), Double(0.1)),
            JmsComparison::Numeric(Ordering::Greater)
        );
        assert_eq!(
            jms(Double(0.1), Float(0.1)),
            JmsComparison::Numeric(Ordering::Less)
        );
        assert_eq!(jms(Str("5"), Int(5)), JmsComparison::Incomparable);
        assert_eq!(jms(Str("a"), Str("a")), JmsComparison::Equality(true));
    }
}
