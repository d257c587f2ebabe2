//! The consume filters of the HTTP API: `filter=` (RocketMQ SQL92 over string properties, compiled through
//! the shared cache) and `tag=` (a tag expression such as `A || B`), as one engine [`MessageFilter`].
//! Compilation errors carry their position; evaluation never fails.

use crate::error::ApiError;
use mqgate_engine::{MessageFilter, Properties, StoredMessage};
use mqgate_filter::{Dialect, Filter, FilterCache, PropertySource, PropertyValue, TagFilter};

/// SQL92 and tag selection; a message must pass both.
pub struct HttpFilter {
    sql: Option<Filter>,
    tag: Option<TagFilter>,
}

struct MessageProperties<'a>(&'a Properties);

impl PropertySource for MessageProperties<'_> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.0.get(name).map(PropertyValue::Str)
    }
}

impl HttpFilter {
    /// Compiles the filters of a request; `None` when it has none.
    pub fn compile(
        cache: &FilterCache,
        sql: Option<&str>,
        tag: Option<&str>,
    ) -> Result<Option<Self>, ApiError> {
        let sql = match sql {
            Some(text) => Some(cache.get_or_compile(Dialect::Sql92, false, text)?),
            None => None,
        };
        let tag = tag.map(TagFilter::parse).filter(|t| !t.is_all());
        Ok((sql.is_some() || tag.is_some()).then_some(HttpFilter { sql, tag }))
    }
}

impl MessageFilter for HttpFilter {
    fn accepts_tag_hash(&self, tag_hash: i64) -> bool {
        self.tag
            .as_ref()
            .is_none_or(|t| t.matches_hash_code(tag_hash as i32))
    }

    fn accepts(&self, msg: &StoredMessage) -> bool {
        self.tag.as_ref().is_none_or(|t| t.matches(msg.tag()))
            && self
                .sql
                .as_ref()
                .is_none_or(|f| f.matches(&MessageProperties(&msg.properties)))
    }
}
