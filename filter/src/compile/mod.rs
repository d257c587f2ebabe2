//! Lowers the `sqlparser` AST to the crate's own tree ([`crate::ir`]), applying upstream's parse-time
//! checks ([`checks`]) and reading literals ([`literal`]).
//!
//! Only the node shapes the selector dialects produce are accepted; anything else is reported as
//! unsupported (the dialect hooks should make that unreachable). Recursion is bounded by
//! [`crate::Limits::max_depth`]; AND/OR chains are flattened iteratively so their length costs no depth.
//!
//! The AST is walked through `&mut` references and strings are taken out of it with `mem::take`:
//! a `sqlparser` `Expr` is over 300 bytes, and moving nodes by value dominated compile time.

mod checks;
mod literal;
mod predicates;

use std::collections::HashSet;
use std::mem;

use sqlparser::ast::{BinaryOperator, Expr, Ident, UnaryOperator, Value};

use crate::error::FilterError;
use crate::filter::Dialect;
use crate::ir::{ArithOp, Cond, Constant, JmsHeader, Operand, OrderOp, Prop, PropLiteral, Truth};
use crate::options::Limits;
use crate::stack::StackBudget;
use checks::{kind, peel, peel_mut, position, Kind};

/// A compiled selector and the distinct property names it reads, in first-use order.
pub(crate) struct Compiled {
    pub root: Cond,
    pub properties: Vec<Box<str>>,
}

/// Lowers `expr`, emptying its strings on the way; the caller drops what is left.
pub(crate) fn compile(
    dialect: Dialect,
    expr: &mut Expr,
    limits: &Limits,
    stack: StackBudget,
) -> Result<Compiled, FilterError> {
    let mut compiler = Compiler {
        dialect,
        limits,
        stack,
        max_depth: limits.depth(),
        seen: HashSet::new(),
        properties: Vec::new(),
    };
    let root = compiler.cond(expr, 1)?;
    Ok(Compiled {
        root,
        properties: compiler.properties,
    })
}

struct Compiler<'l> {
    dialect: Dialect,
    limits: &'l Limits,
    stack: StackBudget,
    max_depth: usize,
    seen: HashSet<Box<str>>,
    properties: Vec<Box<str>>,
}

impl Compiler<'_> {
    fn check_depth(&self, depth: usize) -> Result<(), FilterError> {
        if depth > self.max_depth {
            return Err(FilterError::TooDeep {
                max: self.max_depth,
            });
        }
        Ok(())
    }

    fn prop(&mut self, ident: &mut Ident) -> Prop {
        let name: Box<str> = mem::take(&mut ident.value).into_boxed_str();
        // Few names: scan the list; many: switch to a set.
        const SCAN_LIMIT: usize = 32;
        let known = if self.properties.len() <= SCAN_LIMIT {
            self.properties.contains(&name)
        } else {
            if self.seen.is_empty() {
                self.seen.extend(self.properties.iter().cloned());
            }
            !self.seen.insert(name.clone())
        };
        if !known {
            self.properties.push(name.clone());
        }
        let header = match self.dialect {
            Dialect::Jms => JmsHeader::of(&name),
            Dialect::Sql92 => None,
        };
        Prop { name, header }
    }

    /// `asBooleanExpression`: a condition, or a bare property (cast to boolean).
    fn cond(&mut self, e: &mut Expr, depth: usize) -> Result<Cond, FilterError> {
        self.check_depth(depth)?;
        let stack = self.stack;
        stack.run_every(depth, || {
            let e = peel_mut(e);
            if checks::is_boolean(kind(e)) {
                return self.boolean(e, depth);
            }
            match e {
                Expr::Identifier(ident) => Ok(Cond::Cast(self.prop(ident))),
                other => Err(FilterError::invalid(
                    position(other),
                    "this expression does not produce a boolean value",
                )),
            }
        })
    }

    /// A boolean-kind node (already peeled).
    fn boolean(&mut self, e: &mut Expr, depth: usize) -> Result<Cond, FilterError> {
        match e {
            Expr::Value(v) => Ok(match v.value {
                Value::Boolean(b) => Cond::Const(b.into()),
                _ => Cond::Const(Truth::Unknown),
            }),
            Expr::BinaryOp {
                op: BinaryOperator::And,
                ..
            } => Ok(Cond::And(self.logic_terms(
                &BinaryOperator::And,
                e,
                depth,
            )?)),
            Expr::BinaryOp {
                op: BinaryOperator::Or,
                ..
            } => Ok(Cond::Or(self.logic_terms(&BinaryOperator::Or, e, depth)?)),
            Expr::BinaryOp {
                left,
                op: op @ (BinaryOperator::Eq | BinaryOperator::NotEq),
                right,
            } => {
                checks::equal_operand(left)?;
                checks::equal_operand(right)?;
                checks::equal_operands_compatible(left, right)?;
                let negated = *op == BinaryOperator::NotEq;
                let equal = specialise(None, self.pair(left, right, depth)?);
                Ok(if negated {
                    Cond::Not(Box::new(equal))
                } else {
                    equal
                })
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Custom(name),
                right,
            } => {
                let name = mem::take(name);
                self.text_match(&name, left, right, depth)
            }
            Expr::BinaryOp { left, op, right } => match order_op(op) {
                Some(order) => {
                    checks::less_than_operand(left)?;
                    checks::less_than_operand(right)?;
                    Ok(specialise(Some(order), self.pair(left, right, depth)?))
                }
                None => Err(unsupported(left)),
            },
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => Ok(Cond::Not(Box::new(self.cond(expr, depth + 1)?))),
            Expr::IsNull(inner) => self.is_null(inner, false, depth),
            Expr::IsNotNull(inner) => self.is_null(inner, true, depth),
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => self.between(expr, *negated, low, high, depth),
            Expr::InList {
                expr,
                list,
                negated,
            } => self.in_list(expr, list, *negated),
            Expr::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => self.like(expr, *negated, pattern, escape_char.as_mut(), depth),
            other => Err(unsupported(other)),
        }
    }

    /// The operands of a chain of one logical operator, left to right, each checked as a condition.
    fn logic_terms(
        &mut self,
        op: &BinaryOperator,
        top: &mut Expr,
        depth: usize,
    ) -> Result<Box<[Cond]>, FilterError> {
        let mut terms = Vec::new();
        let mut pending: Vec<&mut Expr> = vec![top];
        while let Some(e) = pending.pop() {
            let e = peel_mut(e);
            if matches!(e, Expr::BinaryOp { op: o, .. } if o == op) {
                if let Expr::BinaryOp { left, right, .. } = e {
                    pending.push(right);
                    pending.push(left);
                }
            } else {
                terms.push(self.cond(e, depth + 1)?);
            }
        }
        Ok(terms.into_boxed_slice())
    }

    fn pair(
        &mut self,
        left: &mut Expr,
        right: &mut Expr,
        depth: usize,
    ) -> Result<[Operand; 2], FilterError> {
        let left = self.operand(left, depth + 1)?;
        let right = self.operand(right, depth + 1)?;
        Ok([left, right])
    }

    fn is_null(
        &mut self,
        inner: &mut Expr,
        negated: bool,
        depth: usize,
    ) -> Result<Cond, FilterError> {
        let value = Box::new(self.operand(inner, depth + 1)?);
        Ok(Cond::IsNull { value, negated })
    }

    /// A value-producing node.
    fn operand(&mut self, e: &mut Expr, depth: usize) -> Result<Operand, FilterError> {
        self.check_depth(depth)?;
        let stack = self.stack;
        stack.run_every(depth, || {
            let e = peel_mut(e);
            if kind(e) == Kind::Boolean {
                return Ok(Operand::Cond(Box::new(self.boolean(e, depth)?)));
            }
            match e {
                Expr::Value(_) => Ok(Operand::Const(self.constant(e)?)),
                Expr::Identifier(ident) => Ok(Operand::Prop(self.prop(ident))),
                Expr::UnaryOp {
                    op: UnaryOperator::Minus,
                    expr,
                } => self.negate(expr, depth),
                Expr::BinaryOp { left, op, right } if self.dialect == Dialect::Jms => {
                    let Some(op) = arith_op(op) else {
                        return Err(unsupported(left));
                    };
                    Ok(Operand::Arith(op, Box::new(self.pair(left, right, depth)?)))
                }
                other => Err(unsupported(other)),
            }
        })
    }

    /// Unary minus; numeric literals are folded (keeping their type), other operands negate at run time.
    fn negate(&mut self, inner: &mut Expr, depth: usize) -> Result<Operand, FilterError> {
        if self.dialect == Dialect::Jms {
            if let Expr::Value(v) = peel(inner) {
                if matches!(&v.value, Value::Number(text, _) if text == literal::LONG_MIN_MAGNITUDE)
                {
                    return Ok(Operand::Const(Constant::Long(i64::MIN)));
                }
            }
        }
        Ok(match self.operand(inner, depth + 1)? {
            Operand::Const(c) => Operand::Const(match c {
                Constant::Int(v) => Constant::Int(v.wrapping_neg()),
                Constant::Long(v) => Constant::Long(v.wrapping_neg()),
                Constant::Double(v) => Constant::Double(-v),
                // Negating a non-number yields null upstream.
                Constant::Null | Constant::Bool(_) | Constant::Str(_) => Constant::Null,
            }),
            other => Operand::Neg(Box::new(other)),
        })
    }

    fn constant(&mut self, e: &mut Expr) -> Result<Constant, FilterError> {
        let at = position(e);
        let Expr::Value(v) = e else {
            return Err(unsupported(e));
        };
        match &mut v.value {
            Value::Null => Ok(Constant::Null),
            Value::Boolean(b) => Ok(Constant::Bool(*b)),
            Value::SingleQuotedString(s) => Ok(Constant::Str(mem::take(s).into_boxed_str())),
            Value::Number(text, _) => literal::number(self.dialect, text, at),
            _ => Err(FilterError::syntax(at, "unsupported literal")),
        }
    }
}

/// `Equal` / `Order`, or the dedicated node when the operands are a property and a non-null literal.
fn specialise(order: Option<OrderOp>, pair: [Operand; 2]) -> Cond {
    match pair {
        [Operand::Prop(prop), Operand::Const(literal)] if literal != Constant::Null => {
            Cond::PropLiteral(Box::new(PropLiteral {
                prop,
                order,
                literal,
            }))
        }
        pair => {
            let pair = Box::new(pair);
            match order {
                None => Cond::Equal(pair),
                Some(op) => Cond::Order(op, pair),
            }
        }
    }
}

fn order_op(op: &BinaryOperator) -> Option<OrderOp> {
    Some(match op {
        BinaryOperator::Lt => OrderOp::Lt,
        BinaryOperator::LtEq => OrderOp::Le,
        BinaryOperator::Gt => OrderOp::Gt,
        BinaryOperator::GtEq => OrderOp::Ge,
        _ => return None,
    })
}

fn arith_op(op: &BinaryOperator) -> Option<ArithOp> {
    Some(match op {
        BinaryOperator::Plus => ArithOp::Add,
        BinaryOperator::Minus => ArithOp::Sub,
        BinaryOperator::Multiply => ArithOp::Mul,
        BinaryOperator::Divide => ArithOp::Div,
        BinaryOperator::Modulo => ArithOp::Rem,
        _ => return None,
    })
}

/// The text of a string literal token (not parenthesised, not negated), as the grammar requires after
/// CONTAINS, LIKE and in IN lists.
pub(super) fn string_literal(e: &mut Expr, message: &str) -> Result<Box<str>, FilterError> {
    if let Expr::Value(v) = e {
        if let Value::SingleQuotedString(s) = &mut v.value {
            return Ok(mem::take(s).into_boxed_str());
        }
    }
    Err(FilterError::syntax(position(e), message))
}

/// A node the selector grammars cannot produce. Its text is not printed: formatting an AST recurses
/// through all of it.
fn unsupported(e: &Expr) -> FilterError {
    FilterError::syntax(position(e), "unsupported expression")
}
