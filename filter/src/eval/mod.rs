//! Evaluates a compiled selector against one message.
//!
//! Order of evaluation and error behaviour follow upstream exactly, because both decide delivery:
//! AND/OR go left to right and stop at the first FALSE/TRUE (so an error on the right is hidden only when
//! the left side decides), `=` evaluates both sides, `<`/`>`/BETWEEN/arithmetic stop at a null left side,
//! and an evaluation error ([`Fault`], upstream's exception) propagates to the top, where it means "not
//! delivered". The walker is generic over the dialect so each gets a specialised copy with no per-node
//! dialect test.

mod compare;
mod value;

use std::cmp::Ordering;

use crate::filter::Dialect;
use crate::ir::{
    ArithOp, Between, Cond, Constant, Operand, OrderOp, Prop, PropLiteral, TextKind, Truth,
};
use crate::java;
use crate::property::PropertySource;
use compare::{JmsComparison, Promoted};
use value::Val;

/// An evaluation error: upstream would have thrown (a failed number conversion, an arithmetic operand
/// that is not a number, …). The message is not delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fault;

type Eval<T> = Result<T, Fault>;

pub(crate) fn evaluate(dialect: Dialect, root: &Cond, source: &dyn PropertySource) -> Eval<Truth> {
    match dialect {
        Dialect::Sql92 => cond::<false>(root, source),
        Dialect::Jms => cond::<true>(root, source),
    }
}

/// RocketMQ's ordering of two literals (for BETWEEN bound checks at compile time); `None` when upstream
/// would throw.
pub(crate) fn compare_constants(l: &Constant, r: &Constant) -> Option<Ordering> {
    compare::rocketmq(Val::from_constant(l).view(), Val::from_constant(r).view()).ok()
}

fn cond<const JMS: bool>(c: &Cond, src: &dyn PropertySource) -> Eval<Truth> {
    match c {
        Cond::Const(t) => Ok(*t),
        Cond::And(terms) => {
            let mut unknown = false;
            for term in terms.iter() {
                match cond::<JMS>(term, src)? {
                    Truth::False => return Ok(Truth::False),
                    Truth::Unknown => unknown = true,
                    Truth::True => {}
                }
            }
            Ok(if unknown { Truth::Unknown } else { Truth::True })
        }
        Cond::Or(terms) => {
            let mut unknown = false;
            for term in terms.iter() {
                match cond::<JMS>(term, src)? {
                    Truth::True => return Ok(Truth::True),
                    Truth::Unknown => unknown = true,
                    Truth::False => {}
                }
            }
            Ok(if unknown {
                Truth::Unknown
            } else {
                Truth::False
            })
        }
        Cond::Not(inner) => Ok(cond::<JMS>(inner, src)?.not()),
        Cond::Cast(prop) => Ok(match lookup::<JMS>(prop, src) {
            Val::Null => Truth::Unknown,
            Val::Bool(b) => b.into(),
            _ => Truth::False,
        }),
        Cond::Equal(pair) => {
            let l = operand::<JMS>(&pair[0], src)?;
            let r = operand::<JMS>(&pair[1], src)?;
            equal::<JMS>(&l, &r)
        }
        Cond::Order(op, pair) => {
            let l = operand::<JMS>(&pair[0], src)?;
            if l.is_null() {
                return Ok(Truth::Unknown);
            }
            let r = operand::<JMS>(&pair[1], src)?;
            order::<JMS>(*op, &l, &r)
        }
        Cond::PropLiteral(p) => prop_literal::<JMS>(p, src),
        Cond::IsNull { value, negated } => {
            let v = operand::<JMS>(value, src)?;
            Ok((v.is_null() != *negated).into())
        }
        Cond::Between(b) => between::<JMS>(b, src),
        Cond::In(list) => Ok(match lookup::<JMS>(&list.prop, src).as_str() {
            Some(s) => (list.set.contains(s) != list.negated).into(),
            None => Truth::Unknown,
        }),
        Cond::Text(t) => {
            // Two-valued: an empty needle, a missing or non-string value are all FALSE, NOT forms too.
            if t.needle.is_empty() {
                return Ok(Truth::False);
            }
            let v = operand::<JMS>(&t.value, src)?;
            let Some(s) = v.as_str() else {
                return Ok(Truth::False);
            };
            let found = match t.kind {
                TextKind::Contains => s.contains(&*t.needle),
                TextKind::StartsWith => s.starts_with(&*t.needle),
                TextKind::EndsWith => s.ends_with(&*t.needle),
            };
            Ok((found != t.negated).into())
        }
        Cond::Like(l) => {
            let v = operand::<JMS>(&l.value, src)?;
            let matched = match &v {
                Val::Null => Truth::Unknown,
                v => match v.as_str() {
                    Some(s) => l.pattern.matches(s).into(),
                    None => Truth::False,
                },
            };
            Ok(if l.negated { matched.not() } else { matched })
        }
    }
}

fn lookup<'a, const JMS: bool>(prop: &'a Prop, src: &'a dyn PropertySource) -> Val<'a> {
    let Some(v) = src.property(&prop.name) else {
        return Val::Null;
    };
    let v = Val::from_property(v);
    match prop.header {
        Some(header) if JMS => v.normalize_header(header),
        _ => v,
    }
}

fn operand<'a, const JMS: bool>(o: &'a Operand, src: &'a dyn PropertySource) -> Eval<Val<'a>> {
    match o {
        Operand::Prop(prop) => Ok(lookup::<JMS>(prop, src)),
        Operand::Const(c) => Ok(Val::from_constant(c)),
        Operand::Neg(inner) => negate::<JMS>(operand::<JMS>(inner, src)?),
        Operand::Arith(op, pair) => {
            let l = operand::<JMS>(&pair[0], src)?;
            if l.is_null() {
                return Ok(Val::Null);
            }
            let r = operand::<JMS>(&pair[1], src)?;
            if r.is_null() {
                return Ok(Val::Null);
            }
            arith(*op, &l, &r)
        }
        Operand::Cond(c) => Ok(match cond::<JMS>(c, src)? {
            Truth::True => Val::Bool(true),
            Truth::False => Val::Bool(false),
            Truth::Unknown => Val::Null,
        }),
    }
}

fn equal<const JMS: bool>(l: &Val<'_>, r: &Val<'_>) -> Eval<Truth> {
    if JMS {
        if l.is_null() || r.is_null() {
            return Ok(Truth::Unknown);
        }
        return Ok(match compare::jms(l.view(), r.view()) {
            JmsComparison::Numeric(o) => o.is_eq().into(),
            JmsComparison::Equality(same) => same.into(),
            JmsComparison::Incomparable => Truth::False,
        });
    }
    // RocketMQ: null = null is TRUE (that is how IS NULL works upstream); a null left side is unknown,
    // a null right side FALSE.
    match (l.is_null(), r.is_null()) {
        (true, true) => return Ok(Truth::True),
        (true, false) => return Ok(Truth::Unknown),
        (false, true) => return Ok(Truth::False),
        (false, false) => {}
    }
    if let (Some(a), Some(b)) = (l.as_str(), r.as_str()) {
        return Ok((a == b).into());
    }
    Ok(compare::rocketmq(l.view(), r.view())?.is_eq().into())
}

/// `<`, `<=`, `>`, `>=` with a non-null left side.
fn order<const JMS: bool>(op: OrderOp, l: &Val<'_>, r: &Val<'_>) -> Eval<Truth> {
    if r.is_null() {
        return Ok(Truth::Unknown);
    }
    if JMS {
        return Ok(match compare::jms(l.view(), r.view()) {
            JmsComparison::Numeric(o) => op.holds(o).into(),
            _ => Truth::False,
        });
    }
    // RocketMQ: two strings are both read as doubles; either failing is an error.
    if let (Some(a), Some(b)) = (l.as_str(), r.as_str()) {
        let a = java::parse_double(a).ok_or(Fault)?;
        let b = java::parse_double(b).ok_or(Fault)?;
        return Ok(op.holds(java::compare_double(a, b)).into());
    }
    Ok(op.holds(compare::rocketmq(l.view(), r.view())?).into())
}

/// `prop = literal` / `prop < literal` …: the common case of a string property against a literal is
/// decided without building operand values; everything else takes the general path.
fn prop_literal<const JMS: bool>(p: &PropLiteral, src: &dyn PropertySource) -> Eval<Truth> {
    let value = lookup::<JMS>(&p.prop, src);
    if let Val::Str(s) = value {
        if let Constant::Str(literal) = &p.literal {
            if p.order.is_none() {
                return Ok((*s == **literal).into());
            }
        } else if JMS {
            // A string never equals or orders against a number or boolean in JMS.
            return Ok(Truth::False);
        } else {
            let ordering = match p.literal {
                Constant::Int(n) => java::parse_int(s).ok_or(Fault)?.cmp(&n),
                Constant::Long(n) => java::parse_long(s).ok_or(Fault)?.cmp(&n),
                Constant::Double(n) => java::compare_double(java::parse_double(s).ok_or(Fault)?, n),
                Constant::Bool(b) => java::parse_bool(s).cmp(&b),
                Constant::Null | Constant::Str(_) => unreachable_literal()?,
            };
            return Ok(match p.order {
                None => ordering.is_eq(),
                Some(op) => op.holds(ordering),
            }
            .into());
        }
    }
    let literal = Val::from_constant(&p.literal);
    match p.order {
        None => equal::<JMS>(&value, &literal),
        Some(_) if value.is_null() => Ok(Truth::Unknown),
        Some(op) => order::<JMS>(op, &value, &literal),
    }
}

/// A string literal only reaches the numeric path through a compile-time bug; treat it as upstream's
/// failed conversion rather than panicking.
fn unreachable_literal() -> Eval<std::cmp::Ordering> {
    Err(Fault)
}

/// `v >= low AND v <= high`, or `v < low OR v > high` when negated, with `v` evaluated once.
fn between<const JMS: bool>(b: &Between, src: &dyn PropertySource) -> Eval<Truth> {
    let v = operand::<JMS>(&b.value, src)?;
    let side = |op: OrderOp, bound: &Operand| -> Eval<Truth> {
        if v.is_null() {
            return Ok(Truth::Unknown);
        }
        let bound = operand::<JMS>(bound, src)?;
        order::<JMS>(op, &v, &bound)
    };
    if b.negated {
        let below = side(OrderOp::Lt, &b.low)?;
        if below == Truth::True {
            return Ok(Truth::True);
        }
        let above = side(OrderOp::Gt, &b.high)?;
        Ok(match (below, above) {
            (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        })
    } else {
        let above_low = side(OrderOp::Ge, &b.low)?;
        if above_low == Truth::False {
            return Ok(Truth::False);
        }
        let below_high = side(OrderOp::Le, &b.high)?;
        Ok(match (above_low, below_high) {
            (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        })
    }
}

fn negate<const JMS: bool>(v: Val<'_>) -> Eval<Val<'_>> {
    Ok(match v {
        Val::Int(x) => Val::Int(x.wrapping_neg()),
        Val::Long(x) => Val::Long(x.wrapping_neg()),
        Val::Float(x) => Val::Float(-x),
        Val::Double(x) => Val::Double(-x),
        // JMS promotes to int as Java does; RocketMQ's negate() does not know these types and throws.
        Val::Byte(x) if JMS => Val::Int(-i32::from(x)),
        Val::Short(x) if JMS => Val::Int(-i32::from(x)),
        Val::Byte(_) | Val::Short(_) => return Err(Fault),
        _ => Val::Null,
    })
}

/// JMS arithmetic on non-null operands, as ActiveMQ does it: `string + x` concatenates, otherwise both
/// must be numbers; int/long arithmetic wraps, a float or double operand makes it double, `/` and `%`
/// are always floating point.
fn arith<'a>(op: ArithOp, l: &Val<'a>, r: &Val<'a>) -> Eval<Val<'a>> {
    if op == ArithOp::Add {
        if let Some(s) = l.as_str() {
            let mut out = String::with_capacity(s.len() + 16);
            out.push_str(s);
            append_java_text(&mut out, r);
            return Ok(Val::Owned(out.into_boxed_str()));
        }
    }
    let promoted = compare::promote(l.view(), r.view()).ok_or(Fault)?;
    let as_double = |p: &Promoted| match *p {
        Promoted::Int(a, b) => (f64::from(a), f64::from(b)),
        Promoted::Long(a, b) => (a as f64, b as f64),
        Promoted::Double(a, b) => (a, b),
    };
    Ok(match (op, promoted) {
        (ArithOp::Div, p) => {
            let (a, b) = as_double(&p);
            Val::Double(a / b)
        }
        (ArithOp::Rem, p) => {
            let (a, b) = as_double(&p);
            Val::Double(a % b)
        }
        (op, Promoted::Int(a, b)) => Val::Int(match op {
            ArithOp::Add => a.wrapping_add(b),
            ArithOp::Sub => a.wrapping_sub(b),
            _ => a.wrapping_mul(b),
        }),
        (op, Promoted::Long(a, b)) => Val::Long(match op {
            ArithOp::Add => a.wrapping_add(b),
            ArithOp::Sub => a.wrapping_sub(b),
            _ => a.wrapping_mul(b),
        }),
        (op, Promoted::Double(a, b)) => Val::Double(match op {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            _ => a * b,
        }),
    })
}

/// `String.valueOf(v)` appended to `out`.
fn append_java_text(out: &mut String, v: &Val<'_>) {
    use std::fmt::Write;
    let _ = match v {
        Val::Null => write!(out, "null"),
        Val::Bool(b) => write!(out, "{b}"),
        Val::Byte(x) => write!(out, "{x}"),
        Val::Short(x) => write!(out, "{x}"),
        Val::Int(x) => write!(out, "{x}"),
        Val::Long(x) => write!(out, "{x}"),
        Val::Float(x) => write!(out, "{}", java::float_to_string(*x)),
        Val::Double(x) => write!(out, "{}", java::double_to_string(*x)),
        Val::Str(s) => write!(out, "{s}"),
        Val::Owned(s) => write!(out, "{s}"),
    };
}
