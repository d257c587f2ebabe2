//! Why an expression failed to compile, and where.
//!
//! Only compilation fails; evaluation never returns an error (see [`crate::Outcome`]). Every message says
//! what went wrong and, when the text is at fault, the position (`column 14: expected a string literal
//! after CONTAINS`).

use std::fmt;

/// A place in the expression text: 1-based line and column, counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl Position {
    pub(crate) fn new(line: u64, column: u64) -> Self {
        Self { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line <= 1 {
            write!(f, "column {}", self.column)
        } else {
            write!(f, "line {}, column {}", self.line, self.column)
        }
    }
}

/// A filter expression that cannot be compiled (the subscription must be rejected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// The text holds no expression (only SQL92; an empty JMS selector selects everything).
    #[error("the expression is empty")]
    Empty,
    /// [`crate::Limits::max_len`] exceeded.
    #[error("the expression is {len} bytes long; the limit is {max}")]
    TooLong { len: usize, max: usize },
    /// [`crate::Limits::max_tokens`] exceeded.
    #[error("the expression has more than {max} tokens")]
    TooManyTokens { max: usize },
    /// [`crate::Limits::max_depth`] exceeded.
    #[error("the expression nests deeper than {max} levels")]
    TooDeep { max: usize },
    /// [`crate::Limits::max_in_list`] exceeded.
    #[error("{at}: the IN list has {len} items; the limit is {max}")]
    InListTooLong {
        at: Position,
        len: usize,
        max: usize,
    },
    /// The text does not follow the dialect's grammar (includes lexical errors).
    #[error("{at}: {message}")]
    Syntax { at: Position, message: String },
    /// The text is well formed but rejected by a parse-time check (operand types, literal ranges, ...).
    #[error("{at}: {message}")]
    Invalid { at: Position, message: String },
}

impl FilterError {
    /// Where in the text the problem is, when it is tied to a place.
    pub fn position(&self) -> Option<Position> {
        match self {
            FilterError::InListTooLong { at, .. }
            | FilterError::Syntax { at, .. }
            | FilterError::Invalid { at, .. } => Some(*at),
            _ => None,
        }
    }

    /// True when a configured limit, not the grammar, rejected the expression.
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            FilterError::TooLong { .. }
                | FilterError::TooManyTokens { .. }
                | FilterError::TooDeep { .. }
                | FilterError::InListTooLong { .. }
        )
    }

    pub(crate) fn syntax(at: Position, message: impl Into<String>) -> Self {
        FilterError::Syntax {
            at,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(at: Position, message: impl Into<String>) -> Self {
        FilterError::Invalid {
            at,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_column_on_the_first_line() {
        let e = FilterError::syntax(
            Position::new(1, 14),
            "expected a string literal after CONTAINS",
        );
        assert_eq!(
            e.to_string(),
            "column 14: expected a string literal after CONTAINS"
        );
    }

    #[test]
    fn display_names_line_and_column_after_the_first_line() {
        let e = FilterError::invalid(Position::new(3, 2), "bad");
        assert_eq!(e.to_string(), "line 3, column 2: bad");
    }
}
