//! Outbound selection: a RocketMQ SQL92 expression or a tag expression over stored messages, as the engine's
//! [`MessageFilter`] (tag hashes are checked on the index entry before a record is read).

use mqgate_engine::{MessageFilter, StoredMessage};
use mqgate_filter::{
    compile, CompileOptions, Dialect, Filter, PropertySource, PropertyValue, TagFilter,
};

/// What an outbound bridge forwards.
#[derive(Clone)]
pub enum OutboundFilter {
    /// SQL92 over the message's (string) properties.
    Sql92(Filter),
    /// Tags.
    Tag(TagFilter),
}

impl std::fmt::Debug for OutboundFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutboundFilter::Sql92(_) => f.write_str("Sql92"),
            OutboundFilter::Tag(t) => write!(f, "Tag({t:?})"),
        }
    }
}

struct Props<'a>(&'a StoredMessage);

impl PropertySource for Props<'_> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        self.0.property(name).map(PropertyValue::Str)
    }
}

impl OutboundFilter {
    /// Compiles a SQL92 expression.
    pub fn sql92(expression: &str) -> Result<Self, String> {
        compile(Dialect::Sql92, expression, &CompileOptions::default())
            .map(OutboundFilter::Sql92)
            .map_err(|e| format!("filter {expression:?} does not compile: {e}"))
    }

    /// The filter of a bridge, if it has one.
    pub fn from_settings(filter: Option<&str>, tag: Option<&str>) -> Result<Option<Self>, String> {
        match (filter, tag) {
            (Some(f), _) => Self::sql92(f).map(Some),
            (None, Some(t)) => {
                let t = TagFilter::parse(t);
                Ok((!t.is_all()).then_some(OutboundFilter::Tag(t)))
            }
            (None, None) => Ok(None),
        }
    }
}

impl MessageFilter for OutboundFilter {
    fn accepts_tag_hash(&self, hash: i64) -> bool {
        match self {
            OutboundFilter::Tag(t) => t.matches_hash_code(hash as i32),
            OutboundFilter::Sql92(_) => true,
        }
    }

    fn accepts(&self, msg: &StoredMessage) -> bool {
        match self {
            OutboundFilter::Tag(t) => t.matches(msg.tag()),
            OutboundFilter::Sql92(f) => f.matches(&Props(msg)),
        }
    }
}
