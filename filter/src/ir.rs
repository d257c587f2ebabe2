//! The compiled form of a selector: a small tree the evaluator walks. It is built once per subscription
//! by `crate::compile` and shared read-only between threads; it never refers to `sqlparser` types.
//!
//! Conditions ([`Cond`]) yield TRUE / FALSE / unknown; operands ([`Operand`]) yield values. AND and OR are
//! n-ary (a chain `a AND b AND c` is one node), which is equivalent to upstream's left-nested binary
//! nodes because Kleene AND/OR with left-to-right short-circuit is associative.

use std::collections::HashSet;

use crate::like::LikePattern;

/// Three-valued logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Truth {
    False,
    True,
    Unknown,
}

impl Truth {
    pub fn not(self) -> Truth {
        match self {
            Truth::False => Truth::True,
            Truth::True => Truth::False,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

impl From<bool> for Truth {
    fn from(b: bool) -> Self {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

#[derive(Debug)]
pub(crate) enum Cond {
    Const(Truth),
    And(Box<[Cond]>),
    Or(Box<[Cond]>),
    Not(Box<Cond>),
    /// A bare property used as a condition: TRUE/FALSE for a boolean value, FALSE for any other value.
    Cast(Prop),
    Equal(Box<[Operand; 2]>),
    Order(OrderOp, Box<[Operand; 2]>),
    /// `prop = literal` or `prop < literal` (etc.): the most common shape, evaluated without building
    /// an operand for the literal. Same semantics as `Equal` / `Order` with those operands.
    PropLiteral(Box<PropLiteral>),
    IsNull {
        value: Box<Operand>,
        negated: bool,
    },
    Between(Box<Between>),
    In(Box<InList>),
    Text(Box<TextMatch>),
    Like(Box<LikeMatch>),
}

#[derive(Debug)]
pub(crate) enum Operand {
    Prop(Prop),
    Const(Constant),
    Neg(Box<Operand>),
    Arith(ArithOp, Box<[Operand; 2]>),
    /// A condition used as a value (`(a = 'x') = TRUE`): TRUE/FALSE become booleans, unknown is null.
    Cond(Box<Cond>),
}

/// A property reference, resolved at compile time to its name and, for JMS, its header kind.
#[derive(Debug, Clone)]
pub(crate) struct Prop {
    pub name: Box<str>,
    pub header: Option<JmsHeader>,
}

/// JMS header fields whose value the filter normalises to the type the JMS specification gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JmsHeader {
    /// Compared as the strings 'PERSISTENT' / 'NON_PERSISTENT'; integer values 2 / 1 are mapped.
    DeliveryMode,
    /// An int.
    Priority,
    /// A long.
    Timestamp,
}

impl JmsHeader {
    pub fn of(name: &str) -> Option<JmsHeader> {
        match name {
            "JMSDeliveryMode" => Some(JmsHeader::DeliveryMode),
            "JMSPriority" => Some(JmsHeader::Priority),
            "JMSTimestamp" => Some(JmsHeader::Timestamp),
            _ => None,
        }
    }
}

/// A literal after compile-time evaluation (`-5` is folded to the constant -5).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Constant {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Double(f64),
    Str(Box<str>),
}

/// See [`Cond::PropLiteral`]. `order` is `None` for `=`.
#[derive(Debug)]
pub(crate) struct PropLiteral {
    pub prop: Prop,
    pub order: Option<OrderOp>,
    pub literal: Constant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderOp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl OrderOp {
    /// Applies the operator to a Java `compareTo` result.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        match self {
            OrderOp::Lt => ordering.is_lt(),
            OrderOp::Le => ordering.is_le(),
            OrderOp::Gt => ordering.is_gt(),
            OrderOp::Ge => ordering.is_ge(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// `value [NOT] BETWEEN low AND high`, evaluated as upstream does: `value >= low AND value <= high`
/// (NOT: `value < low OR value > high`), with `value` computed once.
#[derive(Debug)]
pub(crate) struct Between {
    pub value: Operand,
    pub low: Operand,
    pub high: Operand,
    pub negated: bool,
}

/// `prop [NOT] IN ('a', 'b', …)`.
#[derive(Debug)]
pub(crate) struct InList {
    pub prop: Prop,
    pub set: StrSet,
    pub negated: bool,
}

/// The literals of an IN list: a short list is scanned, a long one hashed.
#[derive(Debug)]
pub(crate) enum StrSet {
    Few(Box<[Box<str>]>),
    Many(HashSet<Box<str>>),
}

impl StrSet {
    const SCAN_LIMIT: usize = 8;

    pub fn new(items: Vec<Box<str>>) -> Self {
        if items.len() <= Self::SCAN_LIMIT {
            StrSet::Few(items.into_boxed_slice())
        } else {
            StrSet::Many(items.into_iter().collect())
        }
    }

    pub fn contains(&self, s: &str) -> bool {
        match self {
            StrSet::Few(items) => items.iter().any(|i| **i == *s),
            StrSet::Many(set) => set.contains(s),
        }
    }
}

/// SQL92 `value [NOT] CONTAINS|STARTSWITH|ENDSWITH 'needle'`.
#[derive(Debug)]
pub(crate) struct TextMatch {
    pub value: Operand,
    pub kind: TextKind,
    pub needle: Box<str>,
    pub negated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    Contains,
    StartsWith,
    EndsWith,
}

/// JMS `value [NOT] LIKE 'pattern' [ESCAPE 'c']`.
#[derive(Debug)]
pub(crate) struct LikeMatch {
    pub value: Operand,
    pub pattern: LikePattern,
    pub negated: bool,
}
