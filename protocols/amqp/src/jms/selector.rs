//! JMS selectors and no-local over stored messages: an [`mqgate_engine::MessageFilter`] built on the
//! filter crate's `jms` dialect. Properties come back typed (from `__MQG_TYPES`), and the JMS header
//! identifiers read the AMQP fields: JMSPriority, JMSDeliveryMode, JMSMessageID, JMSTimestamp,
//! JMSCorrelationID, JMSType, JMSXGroupID, JMSXGroupSeq.

use super::props;
use mqgate_engine::{keys, MessageFilter, StoredMessage};
use mqgate_filter::{Filter, PropertySource, PropertyValue};

/// What a consumer link selects.
#[derive(Clone, Debug)]
pub struct JmsFilter {
    /// Compiled selector, if any.
    pub selector: Option<Filter>,
    /// Skip messages published by this connection id (JMS no-local).
    pub no_local: Option<String>,
}

impl JmsFilter {
    /// True when the filter selects everything.
    pub fn is_empty(&self) -> bool {
        self.selector.is_none() && self.no_local.is_none()
    }
}

impl MessageFilter for JmsFilter {
    fn accepts(&self, msg: &StoredMessage) -> bool {
        if let Some(me) = &self.no_local {
            if msg.property(props::CONNECTION) == Some(me.as_str()) {
                return false;
            }
        }
        match &self.selector {
            Some(f) => f.matches(&JmsView::new(msg)),
            None => true,
        }
    }
}

/// A stored message as a JMS selector sees it.
pub struct JmsView<'a> {
    msg: &'a StoredMessage,
    types: &'a str,
}

impl<'a> JmsView<'a> {
    /// A view over `msg`.
    pub fn new(msg: &'a StoredMessage) -> Self {
        JmsView {
            msg,
            types: msg.property(keys::PROPERTY_TYPES).unwrap_or(""),
        }
    }
}

fn parse_typed<'a>(text: &'a str, ty: Option<&str>) -> PropertyValue<'a> {
    let v = match ty {
        Some("bool") => text.parse().ok().map(PropertyValue::Bool),
        Some("byte") => text.parse().ok().map(PropertyValue::Byte),
        Some("short") => text.parse().ok().map(PropertyValue::Short),
        Some("int") => text.parse().ok().map(PropertyValue::Int),
        Some("long") => text.parse().ok().map(PropertyValue::Long),
        Some("float") => text.parse().ok().map(PropertyValue::Float),
        Some("double") => text.parse().ok().map(PropertyValue::Double),
        _ => None,
    };
    v.unwrap_or(PropertyValue::Str(text))
}

impl PropertySource for JmsView<'_> {
    fn property(&self, name: &str) -> Option<PropertyValue<'_>> {
        let m = self.msg;
        match name {
            "JMSDeliveryMode" => Some(PropertyValue::Str(
                if m.property(props::DURABLE) == Some("false") {
                    "NON_PERSISTENT"
                } else {
                    "PERSISTENT"
                },
            )),
            "JMSPriority" => Some(PropertyValue::Int(
                m.property(props::PRIORITY)
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(4),
            )),
            "JMSTimestamp" => Some(PropertyValue::Long(m.born_timestamp)),
            "JMSMessageID" => m.property(keys::UNIQ_KEY).map(PropertyValue::Str),
            "JMSCorrelationID" => m.property(props::CORRELATION_ID).map(PropertyValue::Str),
            "JMSType" => m.property(keys::TAGS).map(PropertyValue::Str),
            "JMSXGroupID" => m.property(props::GROUP_ID).map(PropertyValue::Str),
            "JMSXGroupSeq" => m
                .property(props::GROUP_SEQUENCE)
                .and_then(|s| s.parse().ok())
                .map(PropertyValue::Int),
            _ if props::is_reserved(name) => None,
            _ => m
                .property(name)
                .map(|v| parse_typed(v, props::type_of(self.types, name))),
        }
    }
}
