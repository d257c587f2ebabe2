//! Message filters for mqgate: RocketMQ SQL92, JMS selectors and tag expressions.
//!
//! Pure: no I/O, no dependency on the engine. A filter is compiled once ([`compile`], or through a
//! [`FilterCache`]) and then evaluated per message through the small [`PropertySource`] trait, so the
//! engine can evaluate a stored record without building a map.
//!
//! The two selector dialects share one pipeline:
//! 1. `lexer` turns the text into `sqlparser` tokens following the upstream (JavaCC) token rules;
//! 2. `sqlparser`'s Pratt parser, driven by a custom `Dialect` per mode (`dialect`), builds an AST;
//! 3. `compile` checks it the way RocketMQ / ActiveMQ do at parse time and lowers it to the crate's own
//!    small tree (`ir`); `sqlparser`'s AST never reaches the hot path;
//! 4. `eval` walks that tree with Java's comparison and coercion rules, allocation-free in the common case.
//!
//! See `README.md` for the dialects' exact semantics and the upstream quirks that are reproduced.
//!
//! Evaluation never fails: [`Filter::matches`] is true only when the expression is TRUE; FALSE, unknown
//! (SQL NULL) and evaluation errors (what upstream reports as an exception) all mean "not delivered".
#![forbid(unsafe_code)]

mod cache;
pub mod cli;
mod compile;
mod dialect;
mod error;
mod eval;
mod filter;
mod ir;
mod java;
mod lexer;
mod like;
mod options;
mod parse;
mod property;
mod stack;
mod tag;

pub use cache::FilterCache;
pub use error::{FilterError, Position};
pub use filter::{compile, Dialect, Filter, Outcome};
pub use java::string_hash_code as tag_hash_code;
pub use options::{CompileOptions, Limits};
pub use property::{NoProperties, PropertySource, PropertyValue, TypedMap, TypedValue};
pub use tag::TagFilter;
