//! Lowering of the comparison-level predicates that need more than two operands or a literal list:
//! BETWEEN (with RocketMQ's bound checks), IN, the SQL92 string operators and JMS LIKE.

use sqlparser::ast::{Expr, Value};

use super::checks::{self, kind, peel, peel_mut, position, ConstKind, Kind};
use super::{string_literal, Compiler};
use crate::error::FilterError;
use crate::eval::compare_constants;
use crate::filter::Dialect;
use crate::ir::{Between, Cond, InList, LikeMatch, StrSet, TextKind, TextMatch};
use crate::like::LikePattern;

impl Compiler<'_> {
    pub(super) fn between(
        &mut self,
        value: &mut Expr,
        negated: bool,
        low: &mut Expr,
        high: &mut Expr,
        depth: usize,
    ) -> Result<Cond, FilterError> {
        if self.dialect == Dialect::Sql92 && !negated {
            self.check_between_constants(low, high)?;
        }
        checks::less_than_operand(value)?;
        checks::less_than_operand(low)?;
        checks::less_than_operand(high)?;
        let value = self.operand(value, depth + 1)?;
        let low = self.operand(low, depth + 1)?;
        let high = self.operand(high, depth + 1)?;
        Ok(Cond::Between(Box::new(Between {
            value,
            low,
            high,
            negated,
        })))
    }

    /// RocketMQ's `createBetween`: constant bounds must be non-null and in order.
    fn check_between_constants(&mut self, low: &Expr, high: &Expr) -> Result<(), FilterError> {
        let (Kind::Constant(lk), Kind::Constant(hk)) = (kind(low), kind(high)) else {
            return Ok(());
        };
        if lk == ConstKind::Null || hk == ConstKind::Null {
            return Err(FilterError::invalid(
                position(low),
                "BETWEEN bounds cannot be NULL",
            ));
        }
        let low_value = self.constant(&mut peel(low).clone())?;
        let high_value = self.constant(&mut peel(high).clone())?;
        match compare_constants(&high_value, &low_value) {
            Some(ordering) if ordering.is_lt() => Err(FilterError::invalid(
                position(low),
                "the lower BETWEEN bound is greater than the upper bound",
            )),
            Some(_) => Ok(()),
            None => Err(FilterError::invalid(
                position(low),
                "the BETWEEN bounds cannot be compared",
            )),
        }
    }

    pub(super) fn in_list(
        &mut self,
        value: &mut Expr,
        list: &mut [Expr],
        negated: bool,
    ) -> Result<Cond, FilterError> {
        let at = position(value);
        let max = self.limits.max_in_list;
        if list.len() > max {
            return Err(FilterError::InListTooLong {
                at,
                len: list.len(),
                max,
            });
        }
        let prop = match peel_mut(value) {
            Expr::Identifier(ident) => self.prop(ident),
            _ => {
                return Err(FilterError::invalid(
                    at,
                    "the left side of IN must be a property name",
                ))
            }
        };
        let mut items = Vec::with_capacity(list.len());
        for item in list.iter_mut() {
            items.push(string_literal(
                item,
                "expected a string literal in the IN list",
            )?);
        }
        Ok(Cond::In(Box::new(InList {
            prop,
            set: StrSet::new(items),
            negated,
        })))
    }

    pub(super) fn text_match(
        &mut self,
        name: &str,
        left: &mut Expr,
        right: &mut Expr,
        depth: usize,
    ) -> Result<Cond, FilterError> {
        let (negated, op) = match name.strip_prefix("NOT ") {
            Some(op) => (true, op),
            None => (false, name),
        };
        let kind = match op {
            "CONTAINS" => TextKind::Contains,
            "STARTSWITH" => TextKind::StartsWith,
            "ENDSWITH" => TextKind::EndsWith,
            _ => {
                return Err(FilterError::syntax(
                    position(left),
                    format!("unknown operator {name}"),
                ))
            }
        };
        let needle = string_literal(right, &format!("expected a string literal after {name}"))?;
        let value = self.operand(left, depth + 1)?;
        Ok(Cond::Text(Box::new(TextMatch {
            value,
            kind,
            needle,
            negated,
        })))
    }

    pub(super) fn like(
        &mut self,
        value: &mut Expr,
        negated: bool,
        pattern: &mut Expr,
        escape: Option<&mut Value>,
        depth: usize,
    ) -> Result<Cond, FilterError> {
        let at = position(pattern);
        let pattern = string_literal(pattern, "expected a string literal after LIKE")?;
        let escape = match escape {
            None => None,
            Some(Value::SingleQuotedString(s)) => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.len_utf16() == 1 => Some(c),
                    _ => {
                        return Err(FilterError::invalid(
                            at,
                            format!("the ESCAPE string must be exactly one character, not '{s}'"),
                        ))
                    }
                }
            }
            Some(_) => {
                return Err(FilterError::syntax(
                    at,
                    "expected a string literal after ESCAPE",
                ))
            }
        };
        let value = self.operand(value, depth + 1)?;
        let pattern = LikePattern::new(&pattern, escape);
        Ok(Cond::Like(Box::new(LikeMatch {
            value,
            pattern,
            negated,
        })))
    }
}
