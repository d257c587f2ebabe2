//! The parse-time checks of upstream's `ComparisonExpression` and `SelectorParser.asBooleanExpression`,
//! applied to the `sqlparser` AST before lowering.
//!
//! Upstream decides by the *Java class* of an operand node, so these checks look at syntax, not values:
//! a literal is a constant, but `-5` is a negation node and `(5)` or `+5` is the literal itself (the
//! grammar returns the inner node). Hence `a > -'abc'` compiles while `a > 'abc'` and `a > ('abc')` do not.

use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value};

use crate::error::{FilterError, Position};

/// What upstream's node classes say about an operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `ConstantExpression`; NULL, TRUE and FALSE are also boolean expressions.
    Constant(ConstKind),
    /// `PropertyExpression`.
    Property,
    /// A `BooleanExpression` that is not a constant: comparisons, logic, NOT, IN, LIKE, CONTAINS, IS NULL.
    Boolean,
    /// Negation and arithmetic.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ConstKind {
    Null,
    Bool,
    Number,
    Str,
}

/// Strips what the grammar does not turn into a node: parentheses and unary plus.
pub(super) fn peel(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Nested(inner)
            | Expr::UnaryOp {
                op: UnaryOperator::Plus,
                expr: inner,
            } => e = inner,
            _ => return e,
        }
    }
}

pub(super) fn peel_mut(mut e: &mut Expr) -> &mut Expr {
    loop {
        match e {
            Expr::Nested(inner)
            | Expr::UnaryOp {
                op: UnaryOperator::Plus,
                expr: inner,
            } => e = inner,
            other => return other,
        }
    }
}

pub(super) fn kind(e: &Expr) -> Kind {
    match peel(e) {
        Expr::Value(v) => match &v.value {
            Value::Null => Kind::Constant(ConstKind::Null),
            Value::Boolean(_) => Kind::Constant(ConstKind::Bool),
            Value::Number(..) => Kind::Constant(ConstKind::Number),
            Value::SingleQuotedString(_) => Kind::Constant(ConstKind::Str),
            _ => Kind::Other,
        },
        Expr::Identifier(_) => Kind::Property,
        Expr::BinaryOp {
            op:
                BinaryOperator::And
                | BinaryOperator::Or
                | BinaryOperator::Eq
                | BinaryOperator::NotEq
                | BinaryOperator::Lt
                | BinaryOperator::LtEq
                | BinaryOperator::Gt
                | BinaryOperator::GtEq
                | BinaryOperator::Custom(_),
            ..
        } => Kind::Boolean,
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            ..
        }
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::Between { .. }
        | Expr::InList { .. }
        | Expr::Like { .. } => Kind::Boolean,
        _ => Kind::Other,
    }
}

/// `instanceof BooleanExpression`, which includes the NULL / TRUE / FALSE constants.
pub(super) fn is_boolean(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Boolean | Kind::Constant(ConstKind::Null | ConstKind::Bool)
    )
}

/// Where `e` starts: the position of its leftmost token. Walks the left spine iteratively, because
/// operand chains can be thousands of nodes deep (`Spanned::span` would recurse through all of them).
pub(super) fn position(mut e: &Expr) -> Position {
    loop {
        e = match e {
            Expr::BinaryOp { left, .. } => left,
            Expr::UnaryOp { expr, .. }
            | Expr::Nested(expr)
            | Expr::IsNull(expr)
            | Expr::IsNotNull(expr)
            | Expr::IsTrue(expr)
            | Expr::IsFalse(expr)
            | Expr::IsNotTrue(expr)
            | Expr::IsNotFalse(expr)
            | Expr::Between { expr, .. }
            | Expr::InList { expr, .. }
            | Expr::Like { expr, .. } => expr,
            Expr::Identifier(ident) => return at(ident.span.start),
            Expr::Value(v) => return at(v.span.start),
            _ => return Position::new(1, 1),
        };
    }
}

fn at(start: sqlparser::tokenizer::Location) -> Position {
    Position::new(start.line.max(1), start.column.max(1))
}

/// `checkLessThanOperand`: operands of `< <= > >=` (and BETWEEN) must be numeric when constant, and
/// never boolean expressions.
pub(super) fn less_than_operand(e: &Expr) -> Result<(), FilterError> {
    let k = kind(e);
    let reason = match k {
        Kind::Constant(ConstKind::Number) => return Ok(()),
        Kind::Constant(ConstKind::Str) => {
            "a string literal cannot be compared with < <= > >= or BETWEEN"
        }
        Kind::Constant(_) => "NULL, TRUE and FALSE cannot be compared with < <= > >= or BETWEEN",
        Kind::Boolean => "a condition cannot be compared with < <= > >= or BETWEEN",
        Kind::Property | Kind::Other => return Ok(()),
    };
    Err(FilterError::invalid(position(e), reason))
}

/// `checkEqualOperand`: `= NULL` / `<> NULL` are errors (use IS NULL).
pub(super) fn equal_operand(e: &Expr) -> Result<(), FilterError> {
    if kind(e) == Kind::Constant(ConstKind::Null) {
        return Err(FilterError::invalid(
            position(e),
            "NULL cannot be compared with = or <>; use IS NULL / IS NOT NULL",
        ));
    }
    Ok(())
}

/// `checkEqualOperandCompatability`: a TRUE/FALSE literal on the left of `=` cannot meet a number or
/// string literal on the right (the reverse order is accepted, as upstream does).
pub(super) fn equal_operands_compatible(left: &Expr, right: &Expr) -> Result<(), FilterError> {
    if let (Kind::Constant(l), Kind::Constant(r)) = (kind(left), kind(right)) {
        let boolean = |k| matches!(k, ConstKind::Null | ConstKind::Bool);
        if boolean(l) && !boolean(r) {
            return Err(FilterError::invalid(
                position(left),
                "a boolean literal cannot be compared with a number or string literal",
            ));
        }
    }
    Ok(())
}
