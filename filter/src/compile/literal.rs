//! Numeric literals, read exactly as upstream's `ConstantExpression` does.
//!
//! - Exact numbers (`123`, `123L`; JMS also `0x1F` and octal `017`) are read as a Java `long` and
//!   narrowed to `int` when they fit. Out-of-range text is rejected (RocketMQ: `new Long(text)` throws).
//! - Approximate numbers (`1.5`, `.5`, `1e3`) are read with `Double.valueOf`. RocketMQ also rejects
//!   values above `Double.MAX_VALUE` and *below `Double.MIN_VALUE`*, which includes every spelling of
//!   zero: `a > 0.0` does not compile in SQL92 (it does in JMS).

use crate::error::{FilterError, Position};
use crate::filter::Dialect;
use crate::ir::Constant;
use crate::java;

/// The magnitude `2^63`, only valid in JMS directly after a minus sign (`-9223372036854775808`).
pub(super) const LONG_MIN_MAGNITUDE: &str = "9223372036854775808";

pub(super) fn number(dialect: Dialect, text: &str, at: Position) -> Result<Constant, FilterError> {
    let is_float =
        text.contains(['.', 'e', 'E']) && !text.starts_with("0x") && !text.starts_with("0X");
    if is_float {
        return float(dialect, text, at);
    }
    let value = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else if dialect == Dialect::Jms && text.len() > 1 && text.starts_with('0') {
        i64::from_str_radix(&text[1..], 8).ok()
    } else {
        java::parse_long(text)
    };
    let value = value.ok_or_else(|| {
        FilterError::invalid(
            at,
            format!("the number {text} does not fit in a 64-bit integer"),
        )
    })?;
    Ok(match i32::try_from(value) {
        Ok(int) => Constant::Int(int),
        Err(_) => Constant::Long(value),
    })
}

fn float(dialect: Dialect, text: &str, at: Position) -> Result<Constant, FilterError> {
    let value = java::parse_double(text)
        .ok_or_else(|| FilterError::invalid(at, format!("{text} is not a valid number")))?;
    if dialect == Dialect::Sql92 {
        if value > f64::MAX {
            return Err(FilterError::invalid(
                at,
                format!("{text} is greater than the largest double (1.7976931348623157E308)"),
            ));
        }
        if value < f64::from_bits(1) {
            return Err(FilterError::invalid(
                at,
                format!("{text} is less than the smallest positive double (4.9E-324); RocketMQ rejects it"),
            ));
        }
    }
    Ok(Constant::Double(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Position {
        Position::new(1, 1)
    }

    #[test]
    fn exact_numbers_narrow_to_int_when_they_fit() {
        assert_eq!(number(Dialect::Sql92, "1", at()), Ok(Constant::Int(1)));
        assert_eq!(
            number(Dialect::Sql92, "2147483648", at()),
            Ok(Constant::Long(2_147_483_648))
        );
        assert!(number(Dialect::Sql92, "100000000000000000000000", at()).is_err());
    }

    #[test]
    fn sql92_rejects_zero_and_overflowing_floats() {
        assert!(number(Dialect::Sql92, "0.0", at()).is_err());
        assert!(number(Dialect::Sql92, "1e-400", at()).is_err());
        assert!(number(Dialect::Sql92, "1e400", at()).is_err());
        assert_eq!(
            number(Dialect::Sql92, ".5", at()),
            Ok(Constant::Double(0.5))
        );
        assert_eq!(number(Dialect::Jms, "0.0", at()), Ok(Constant::Double(0.0)));
    }

    #[test]
    fn jms_reads_hex_and_octal() {
        assert_eq!(number(Dialect::Jms, "0x1F", at()), Ok(Constant::Int(31)));
        assert_eq!(number(Dialect::Jms, "017", at()), Ok(Constant::Int(15)));
        assert_eq!(number(Dialect::Jms, "0", at()), Ok(Constant::Int(0)));
        assert!(number(Dialect::Jms, "0x8000000000000000", at()).is_err());
    }
}
