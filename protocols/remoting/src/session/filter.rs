//! Server-side filtering of a subscription: tags (hash pre-check on the consume-queue entry, then the exact tag
//! string, as RocketMQ brokers and clients do together) and SQL92 (through the `mqgate-filter` crate).
//! Implements the engine's [`MessageFilter`]; never fails at evaluation time.

use mqgate_engine::message::tag_hash;
use mqgate_engine::{MessageFilter, StoredMessage};
use std::collections::HashSet;

/// How a subscription selects messages.
#[derive(Debug)]
pub enum SubscriptionFilter {
    /// Every message (`*` or an empty expression).
    All,
    /// Messages whose tag is one of these.
    Tags {
        /// Java `String.hashCode` of each tag, compared with the index entry first.
        hashes: HashSet<i64>,
        /// The tags themselves.
        tags: HashSet<String>,
    },
    /// A compiled SQL92 expression over message properties.
    Sql(super::sql::SqlFilter),
}

/// Expression type of a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpressionType {
    /// `TAG` (also null or empty).
    Tag,
    /// `SQL92`.
    Sql92,
}

impl ExpressionType {
    /// Parses RocketMQ's expression type name; `None` for unknown ones.
    pub fn parse(s: Option<&str>) -> Option<Self> {
        match s.map(str::trim) {
            None | Some("") => Some(ExpressionType::Tag),
            Some(t) if t.eq_ignore_ascii_case("TAG") => Some(ExpressionType::Tag),
            Some(t) if t.eq_ignore_ascii_case("SQL92") => Some(ExpressionType::Sql92),
            Some(_) => None,
        }
    }
}

impl SubscriptionFilter {
    /// Compiles a subscription expression. The error text becomes a SUBSCRIPTION_PARSE_FAILED remark.
    pub fn compile(expression_type: Option<&str>, expression: &str) -> Result<Self, String> {
        match ExpressionType::parse(expression_type) {
            Some(ExpressionType::Tag) => Ok(Self::tags(expression)),
            Some(ExpressionType::Sql92) => {
                if expression.trim().is_empty() {
                    return Err("empty SQL92 expression".into());
                }
                super::sql::SqlFilter::compile(expression).map(SubscriptionFilter::Sql)
            }
            None => Err(format!(
                "unknown expression type {:?}",
                expression_type.unwrap_or("")
            )),
        }
    }

    /// A tag filter from `a || b || c`; `*` or nothing means every message.
    pub fn tags(expression: &str) -> Self {
        let tags: HashSet<String> = expression
            .split("||")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        if tags.is_empty() || tags.contains("*") {
            return SubscriptionFilter::All;
        }
        SubscriptionFilter::Tags {
            hashes: tags.iter().map(|t| tag_hash(t)).collect(),
            tags,
        }
    }

    /// True when nothing is filtered out.
    pub fn is_all(&self) -> bool {
        matches!(self, SubscriptionFilter::All)
    }
}

impl MessageFilter for SubscriptionFilter {
    fn accepts_tag_hash(&self, hash: i64) -> bool {
        match self {
            SubscriptionFilter::Tags { hashes, .. } => hashes.contains(&hash),
            _ => true,
        }
    }

    fn accepts(&self, msg: &StoredMessage) -> bool {
        match self {
            SubscriptionFilter::All => true,
            SubscriptionFilter::Tags { tags, .. } => msg.tag().is_some_and(|t| tags.contains(t)),
            SubscriptionFilter::Sql(f) => f.matches(msg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_empty_mean_all() {
        assert!(SubscriptionFilter::tags("*").is_all());
        assert!(SubscriptionFilter::tags(" ").is_all());
        assert!(SubscriptionFilter::tags("a || *").is_all());
    }

    #[test]
    fn tag_filter_checks_hash_then_exact_tag() {
        let f = SubscriptionFilter::tags("TagA || TagB");
        assert!(f.accepts_tag_hash(2598919));
        assert!(!f.accepts_tag_hash(tag_hash("TagC")));
    }

    #[test]
    fn unknown_expression_types_are_refused() {
        assert!(SubscriptionFilter::compile(Some("XPATH"), "a").is_err());
        assert!(SubscriptionFilter::compile(Some("SQL92"), "  ").is_err());
    }
}
