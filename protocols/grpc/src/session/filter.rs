//! A subscription's `FilterExpression` (TAG or SQL) as the engine's [`MessageFilter`], through the
//! `mqgate-filter` crate: tags are pre-checked on the consume-queue hash, then matched exactly; SQL92 is
//! evaluated over the message's string properties. Compiled expressions are cached.

use crate::error::{RpcError, RpcResult};
use crate::pb::{Code, FilterExpression, FilterType};
use mqgate_engine::{MessageFilter, Properties, StoredMessage};
use mqgate_filter::{Dialect, Filter, FilterCache, PropertySource, PropertyValue, TagFilter};

/// A compiled subscription filter.
#[derive(Debug, Clone)]
pub enum SubscriptionFilter {
    /// A tag expression (`*` selects everything).
    Tags(TagFilter),
    /// A SQL92 expression.
    Sql(Filter),
}

/// A stored message's properties as the filter reads them (RocketMQ properties are strings).
struct MessageProperties<'a>(&'a Properties);

impl PropertySource for MessageProperties<'_> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.0.get(name).map(PropertyValue::Str)
    }
}

impl SubscriptionFilter {
    /// Compiles `expr` (absent: everything) using `cache`; `ILLEGAL_FILTER_EXPRESSION` when it does not parse.
    pub fn compile(expr: Option<&FilterExpression>, cache: &FilterCache) -> RpcResult<Self> {
        let Some(expr) = expr else {
            return Ok(SubscriptionFilter::Tags(TagFilter::all()));
        };
        match FilterType::try_from(expr.r#type) {
            Ok(FilterType::Tag) | Ok(FilterType::Unspecified) => Ok(SubscriptionFilter::Tags(
                TagFilter::parse(expr.expression.trim()),
            )),
            Ok(FilterType::Sql) => {
                if expr.expression.trim().is_empty() {
                    return Err(RpcError::new(
                        Code::IllegalFilterExpression,
                        "empty SQL92 expression",
                    ));
                }
                cache
                    .get_or_compile(Dialect::Sql92, false, &expr.expression)
                    .map(SubscriptionFilter::Sql)
                    .map_err(|e| {
                        RpcError::new(
                            Code::IllegalFilterExpression,
                            format!(
                                "SQL92 expression {:?} does not compile: {e}",
                                expr.expression
                            ),
                        )
                    })
            }
            Err(_) => Err(RpcError::new(
                Code::IllegalFilterExpression,
                format!("unknown filter type {}", expr.r#type),
            )),
        }
    }

    /// True when every message passes (no need to hand the engine a filter).
    pub fn is_all(&self) -> bool {
        matches!(self, SubscriptionFilter::Tags(t) if t.is_all())
    }

    /// The filter to hand the engine, `None` when it selects everything.
    pub fn as_engine_filter(&self) -> Option<&dyn MessageFilter> {
        (!self.is_all()).then_some(self as &dyn MessageFilter)
    }
}

impl MessageFilter for SubscriptionFilter {
    fn accepts_tag_hash(&self, tag_hash: i64) -> bool {
        match self {
            SubscriptionFilter::Tags(t) => {
                i32::try_from(tag_hash).is_ok_and(|h| t.matches_hash_code(h)) || t.is_all()
            }
            SubscriptionFilter::Sql(_) => true,
        }
    }

    fn accepts(&self, msg: &StoredMessage) -> bool {
        match self {
            SubscriptionFilter::Tags(t) => t.matches(msg.tag()),
            SubscriptionFilter::Sql(f) => f.matches(&MessageProperties(&msg.properties)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use mqgate_engine::message::tag_hash;
    use mqgate_engine::store::record::{self, Placement};
    use mqgate_engine::Message;

    fn stored(m: Message) -> StoredMessage {
        let mut buf = BytesMut::new();
        let at = Placement {
            queue_id: 0,
            queue_offset: 0,
            commit_log_offset: 0,
            store_timestamp: 0,
            store_host: "127.0.0.1:9876".parse().unwrap(),
            tx_flag: 0,
            prepared_transaction_offset: 0,
        };
        record::encode(&m, &at, &mut buf);
        record::decode(buf.freeze()).unwrap()
    }

    fn expr(t: FilterType, e: &str) -> FilterExpression {
        FilterExpression {
            r#type: t as i32,
            expression: e.into(),
        }
    }

    fn cache() -> FilterCache {
        FilterCache::new(16, Default::default())
    }

    #[test]
    fn tag_expressions_check_hash_then_exact_tag() {
        let f = SubscriptionFilter::compile(Some(&expr(FilterType::Tag, "TagA || TagB")), &cache())
            .unwrap();
        assert!(f.accepts_tag_hash(tag_hash("TagA")));
        assert!(!f.accepts_tag_hash(tag_hash("TagC")));
        assert!(f.accepts(&stored(Message::new("T", &b"x"[..]).with_tag("TagB"))));
        assert!(!f.accepts(&stored(Message::new("T", &b"x"[..]))));
        assert!(f.as_engine_filter().is_some());
    }

    #[test]
    fn star_and_missing_expressions_select_everything() {
        let c = cache();
        assert!(SubscriptionFilter::compile(None, &c).unwrap().is_all());
        assert!(
            SubscriptionFilter::compile(Some(&expr(FilterType::Tag, "*")), &c)
                .unwrap()
                .is_all()
        );
        assert!(
            SubscriptionFilter::compile(Some(&expr(FilterType::Unspecified, "")), &c)
                .unwrap()
                .is_all()
        );
    }

    #[test]
    fn sql_expressions_filter_on_user_properties() {
        let f = SubscriptionFilter::compile(
            Some(&expr(FilterType::Sql, "a > 5 AND region = 'eu'")),
            &cache(),
        )
        .unwrap();
        assert!(f.accepts(&stored(
            Message::new("T", &b"x"[..])
                .with_property("a", "7")
                .with_property("region", "eu")
        )));
        assert!(!f.accepts(&stored(
            Message::new("T", &b"x"[..])
                .with_property("a", "3")
                .with_property("region", "eu")
        )));
        assert!(!f.accepts(&stored(Message::new("T", &b"x"[..]))));
    }

    #[test]
    fn bad_expressions_are_illegal_filter_expressions() {
        let c = cache();
        for e in [expr(FilterType::Sql, "a >"), expr(FilterType::Sql, "  ")] {
            assert_eq!(
                SubscriptionFilter::compile(Some(&e), &c).unwrap_err().code,
                Code::IllegalFilterExpression
            );
        }
        let unknown = FilterExpression {
            r#type: 9,
            expression: "x".into(),
        };
        assert_eq!(
            SubscriptionFilter::compile(Some(&unknown), &c)
                .unwrap_err()
                .code,
            Code::IllegalFilterExpression
        );
    }
}
