//! The public face of a compiled selector: [`compile`], [`Filter`] and the [`Dialect`] choice.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::FilterError;
use crate::eval;
use crate::ir::{Cond, Truth};
use crate::options::CompileOptions;
use crate::property::PropertySource;

/// Which selector language an expression is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Apache RocketMQ's `SQL92` subscriptions: string-valued properties coerced by the literal they are
    /// compared with, CONTAINS / STARTSWITH / ENDSWITH, no arithmetic, no LIKE, upstream quirks kept.
    Sql92,
    /// JMS 1.1 / Jakarta Messaging message selectors: typed properties, arithmetic, LIKE … ESCAPE,
    /// header fields (JMSPriority, JMSType, …).
    Jms,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Sql92 => "sql92",
            Dialect::Jms => "jms",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = String;

    /// `sql92` or `jms`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("sql92") {
            Ok(Dialect::Sql92)
        } else if s.eq_ignore_ascii_case("jms") {
            Ok(Dialect::Jms)
        } else {
            Err(format!("unknown filter type {s:?}: expected sql92 or jms"))
        }
    }
}

/// The result of evaluating a selector against one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The expression is TRUE: deliver.
    True,
    False,
    /// The expression is unknown (SQL NULL), e.g. it compares a property the message lacks.
    Unknown,
    /// Evaluation failed where upstream throws (e.g. `a > 5` with `a = '6.5'` in SQL92).
    Error,
}

impl Outcome {
    /// Only TRUE selects the message.
    pub fn is_match(self) -> bool {
        self == Outcome::True
    }
}

/// A compiled selector. Cheap to clone and share between threads.
#[derive(Clone)]
pub struct Filter {
    program: Arc<Program>,
}

struct Program {
    dialect: Dialect,
    text: Box<str>,
    /// `None` for an empty JMS selector, which selects every message.
    root: Option<Cond>,
    properties: Box<[Box<str>]>,
}

/// Compiles `text` as a selector of `dialect`.
pub fn compile(dialect: Dialect, text: &str, opts: &CompileOptions) -> Result<Filter, FilterError> {
    let compiled = crate::parse::parse_then(dialect, text, opts, |mut expr, stack| {
        crate::compile::compile(dialect, &mut expr, &opts.limits, stack)
    })?;
    let (root, properties) = match compiled {
        Some(compiled) => (Some(compiled.root), compiled.properties),
        None => (None, Vec::new()),
    };
    Ok(Filter {
        program: Arc::new(Program {
            dialect,
            text: text.into(),
            root,
            properties: properties.into_boxed_slice(),
        }),
    })
}

impl Filter {
    /// True only when the expression evaluates to TRUE for this message; FALSE, unknown and evaluation
    /// errors all mean "not selected".
    pub fn matches(&self, properties: &dyn PropertySource) -> bool {
        self.evaluate(properties).is_match()
    }

    /// The full result, distinguishing FALSE, unknown and evaluation errors.
    pub fn evaluate(&self, properties: &dyn PropertySource) -> Outcome {
        let Some(root) = &self.program.root else {
            return Outcome::True;
        };
        match eval::evaluate(self.program.dialect, root, properties) {
            Ok(Truth::True) => Outcome::True,
            Ok(Truth::False) => Outcome::False,
            Ok(Truth::Unknown) => Outcome::Unknown,
            Err(_) => Outcome::Error,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.program.dialect
    }

    /// The text the filter was compiled from.
    pub fn expression(&self) -> &str {
        &self.program.text
    }

    /// The distinct property names the expression reads, in order of first use.
    pub fn property_names(&self) -> impl Iterator<Item = &str> {
        self.program.properties.iter().map(|name| &**name)
    }

    /// True for an empty JMS selector, which selects every message.
    pub fn selects_all(&self) -> bool {
        self.program.root.is_none()
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("dialect", &self.program.dialect)
            .field("expression", &self.program.text)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::NoProperties;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn filter_is_shareable() {
        assert_send_sync::<Filter>();
    }

    #[test]
    fn empty_jms_selector_selects_everything() {
        let f = compile(Dialect::Jms, "", &CompileOptions::default()).expect("compiles");
        assert!(f.selects_all());
        assert!(f.matches(&NoProperties));
    }

    #[test]
    fn property_names_are_distinct_in_first_use_order() {
        let f = compile(
            Dialect::Sql92,
            "b = '1' OR a = '2' OR b IS NULL",
            &CompileOptions::default(),
        )
        .expect("compiles");
        assert_eq!(f.property_names().collect::<Vec<_>>(), ["b", "a"]);
    }

    #[test]
    fn dialect_parses_case_insensitively() {
        assert_eq!("SQL92".parse::<Dialect>(), Ok(Dialect::Sql92));
        assert_eq!("jms".parse::<Dialect>(), Ok(Dialect::Jms));
        assert!("tag".parse::<Dialect>().is_err());
    }
}
