//! SQL92 subscriptions, compiled by the `mqgate-filter` crate and evaluated over a stored message's
//! properties (all strings, as RocketMQ clients send them). Accepted by default: RocketMQ brokers ship with
//! `enablePropertyFilter=false`, a frequent user complaint.

use mqgate_engine::{Properties, StoredMessage};
use mqgate_filter::{compile, CompileOptions, Dialect, Filter, PropertySource, PropertyValue};

/// A compiled SQL92 expression.
#[derive(Clone)]
pub struct SqlFilter {
    filter: Filter,
}

impl std::fmt::Debug for SqlFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlFilter").finish_non_exhaustive()
    }
}

/// A message's properties as the filter reads them.
struct MessageProperties<'a>(&'a Properties);

impl PropertySource for MessageProperties<'_> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.0.get(name).map(PropertyValue::Str)
    }
}

impl SqlFilter {
    /// Compiles `expression` (lenient about trailing text, as upstream); the error text is sent to the client.
    pub fn compile(expression: &str) -> Result<Self, String> {
        compile(Dialect::Sql92, expression, &CompileOptions::default())
            .map(|filter| SqlFilter { filter })
            .map_err(|e| format!("SQL92 expression {expression:?} does not compile: {e}"))
    }

    /// True when the message's properties satisfy the expression.
    pub fn matches(&self, msg: &StoredMessage) -> bool {
        self.filter.matches(&MessageProperties(&msg.properties))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use mqgate_engine::store::record::{self, Placement};
    use mqgate_engine::Message;

    fn stored(props: &[(&str, &str)]) -> StoredMessage {
        let mut m = Message::new("T", &b"x"[..]);
        for (k, v) in props {
            m.properties.set(*k, *v);
        }
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

    #[test]
    fn sql92_matches_string_properties_with_numeric_coercion() {
        let f =
            SqlFilter::compile("a BETWEEN 3 AND 6 AND (region = 'eu' OR region IS NULL)").unwrap();
        assert!(f.matches(&stored(&[("a", "3")])));
        assert!(f.matches(&stored(&[("a", "5"), ("region", "eu")])));
        assert!(!f.matches(&stored(&[("a", "4"), ("region", "us")])));
        assert!(!f.matches(&stored(&[("a", "7")])));
        assert!(!f.matches(&stored(&[])));
    }

    #[test]
    fn bad_sql_is_refused_with_a_remark() {
        assert!(SqlFilter::compile("a >").is_err());
    }
}
