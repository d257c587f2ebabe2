//! One bridge's settings: the `[[bridge]]` table of the gateway's TOML file (a public contract) and the JSON
//! that `mqgate bridge add` sends. Every field is documented; everything but the route has a default that works.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Which way messages flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// AMQP 0-9-1 queue (or exchange + binding key) → mqgate topic.
    Inbound,
    /// mqgate topic + consumer group → AMQP 0-9-1 exchange + routing key.
    Outbound,
}

/// How an outbound bridge writes the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum BodyFormat {
    /// The stored body as it is, JMS headers in the headers table (what "AMQP-mapped" JMS destinations, pika and
    /// other plain AMQP clients read).
    #[default]
    Plain,
    /// The RabbitMQ JMS client's serialized format, so JMS consumers of ordinary JMS queues and topics read it:
    /// a TextMessage when the stored message is text (AMQP_BODY=text) or its body is UTF-8, else a BytesMessage.
    Jms,
    /// The JMS client's format, always as a BytesMessage.
    JmsBytes,
}

/// What an inbound bridge does with a header whose type has no property mapping (arrays, tables, byte arrays,
/// non-UTF-8 long strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UnmappableHeaders {
    /// Dead-letter the message (DLQ topic, or nack without requeue).
    #[default]
    Reject,
    /// Keep the header as text (`[a, b]`, `{k: v}`, hex for bytes), untyped.
    Stringify,
}

/// Where a new outbound group starts reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StartFrom {
    /// The oldest retained message.
    #[default]
    Earliest,
    /// Only messages stored after the bridge first started.
    Latest,
}

/// One bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeConfig {
    /// Unique name (letters, digits, `.`, `_`, `-`); used in logs, the admin output and owned queue names.
    pub name: String,
    /// `inbound` or `outbound`.
    pub direction: Direction,
    /// `amqp://user:pass@host:port/vhost` or `amqps://…` (vhost `/` is `%2f`).
    pub uri: String,
    /// Inbound: the queue to consume (must exist; it is checked, never declared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Inbound: bind a durable queue the bridge owns (`mqgate.bridge.<name>`) to this exchange, instead of
    /// `queue`. Outbound: the exchange to publish to (`""` = the default exchange, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<String>,
    /// Inbound with `exchange`: the binding key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding_key: Option<String>,
    /// The mqgate topic (inbound: written; outbound: read).
    pub topic: String,
    /// Outbound: the consumer group whose offsets record what was confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Outbound: a RocketMQ SQL92 expression; only matching messages are forwarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Outbound: a tag expression (`a || b`); only matching messages are forwarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Outbound: the routing key (for the default exchange, the queue name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_key: Option<String>,
    /// The header (or basic property: `type`, `app_id`, `message_id`, `correlation_id`, `user_id`,
    /// `routing_key`) whose value becomes the message tag, and where an outbound bridge puts the tag.
    /// Default `JMSType`; `""` for none.
    #[serde(default = "default_tag_header")]
    pub tag_header: String,
    /// Like `tag_header`, for the message key (RocketMQ KEYS). Default none.
    #[serde(default)]
    pub key_header: String,
    /// Inbound: decode the JMS client's serialized TextMessage/BytesMessage bodies (default true).
    #[serde(default = "yes")]
    pub decode_jms: bool,
    /// Outbound: how the body is written (`plain`, `jms`, `jms-bytes`).
    #[serde(default)]
    pub body_format: BodyFormat,
    /// Inbound: what to do with headers of types that have no mapping.
    #[serde(default)]
    pub unmappable_headers: UnmappableHeaders,
    /// A topic that receives messages the bridge cannot map (inbound), with the reason in `BRIDGE_DLQ_REASON`.
    /// Unset: inbound nacks without requeue (RabbitMQ dead-letters it if the queue has a dead-letter exchange);
    /// outbound copies into `%DLQ%<group>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlq_topic: Option<String>,
    /// Largest body the bridge forwards, in bytes (default 4 MiB, the engine's default limit).
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Inbound: `basic.qos` prefetch count (default 256).
    #[serde(default = "default_prefetch")]
    pub prefetch: u16,
    /// Outbound: most publishes awaiting their confirm (default 256).
    #[serde(default = "default_in_flight")]
    pub in_flight: usize,
    /// Outbound: publish with `mandatory` so unroutable messages come back and are retried, not lost (default
    /// true).
    #[serde(default = "yes")]
    pub mandatory: bool,
    /// Outbound: where a group with no committed offset starts.
    #[serde(default)]
    pub start_from: StartFrom,
    /// `amqps://`: a PEM file of CA certificates to trust (a private CA); default: none, so `amqps://` needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_ca: Option<PathBuf>,
    /// First reconnect delay in ms (default 200); doubles per failure.
    #[serde(default = "default_backoff_initial")]
    pub reconnect_initial_ms: u64,
    /// Longest reconnect delay in ms (default 30 000).
    #[serde(default = "default_backoff_max")]
    pub reconnect_max_ms: u64,
    /// Seconds between status lines in the log (default 30; 0 = never).
    #[serde(default = "default_status_secs")]
    pub status_log_secs: u64,
}

fn yes() -> bool {
    true
}
fn default_tag_header() -> String {
    "JMSType".into()
}
fn default_max_body() -> usize {
    4 << 20
}
fn default_prefetch() -> u16 {
    256
}
fn default_in_flight() -> usize {
    256
}
fn default_backoff_initial() -> u64 {
    200
}
fn default_backoff_max() -> u64 {
    30_000
}
fn default_status_secs() -> u64 {
    30
}

impl BridgeConfig {
    /// Checks the route and limits; the message says which field is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let n = &self.name;
        if n.is_empty()
            || n.len() > 100
            || !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(format!(
                "bridge name {n:?}: use 1-100 letters, digits, '.', '_' or '-'"
            ));
        }
        if !(self.uri.starts_with("amqp://") || self.uri.starts_with("amqps://")) {
            return Err(format!(
                "bridge {n}: uri must start with amqp:// or amqps://"
            ));
        }
        if self.uri.parse::<lapin::uri::AMQPUri>().is_err() {
            return Err(format!("bridge {n}: uri is not a valid AMQP URI"));
        }
        if self.topic.is_empty() {
            return Err(format!("bridge {n}: topic is required"));
        }
        if self.max_body_bytes == 0 || self.reconnect_initial_ms == 0 {
            return Err(format!(
                "bridge {n}: max_body_bytes and reconnect_initial_ms must be positive"
            ));
        }
        match self.direction {
            Direction::Inbound => {
                match (&self.queue, &self.exchange, &self.binding_key) {
                    (Some(q), None, None) if !q.is_empty() => {}
                    (None, Some(x), Some(_)) if !x.is_empty() => {}
                    _ => {
                        return Err(format!(
                        "bridge {n}: inbound needs either `queue`, or `exchange` (not \"\") with `binding_key`"
                    ))
                    }
                }
                if self.prefetch == 0 {
                    return Err(format!("bridge {n}: prefetch must be positive"));
                }
                for (field, set) in [
                    ("group", self.group.is_some()),
                    ("filter", self.filter.is_some()),
                    ("tag", self.tag.is_some()),
                    ("routing_key", self.routing_key.is_some()),
                ] {
                    if set {
                        return Err(format!("bridge {n}: `{field}` is for outbound bridges"));
                    }
                }
            }
            Direction::Outbound => {
                if self.group.as_deref().is_none_or(str::is_empty) {
                    return Err(format!("bridge {n}: outbound needs `group`"));
                }
                if self.routing_key.is_none() {
                    return Err(format!(
                        "bridge {n}: outbound needs `routing_key` (the queue name for the default exchange)"
                    ));
                }
                if self.queue.is_some() || self.binding_key.is_some() {
                    return Err(format!(
                        "bridge {n}: `queue` and `binding_key` are for inbound bridges"
                    ));
                }
                if self.filter.is_some() && self.tag.is_some() {
                    return Err(format!("bridge {n}: set `filter` or `tag`, not both"));
                }
                if self.in_flight == 0 {
                    return Err(format!("bridge {n}: in_flight must be positive"));
                }
                if let Some(f) = &self.filter {
                    crate::filter::OutboundFilter::sql92(f)
                        .map_err(|e| format!("bridge {n}: {e}"))?;
                }
            }
        }
        Ok(())
    }

    /// The queue an inbound bridge consumes: `queue`, or the one it owns for `exchange` + `binding_key`.
    pub fn source_queue(&self) -> String {
        match &self.queue {
            Some(q) => q.clone(),
            None => format!("mqgate.bridge.{}", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> BridgeConfig {
        toml::from_str(s).unwrap()
    }

    #[test]
    fn inbound_queue_bridge_parses_with_defaults() {
        let b = parse(
            "name = \"in1\"\ndirection = \"inbound\"\nuri = \"amqp://guest:guest@127.0.0.1:5672/%2f\"\nqueue = \"orders\"\ntopic = \"Orders\"\n",
        );
        b.validate().unwrap();
        assert_eq!(b.tag_header, "JMSType");
        assert_eq!(b.prefetch, 256);
        assert!(b.decode_jms);
        assert_eq!(b.source_queue(), "orders");
    }

    #[test]
    fn inbound_needs_queue_or_exchange_with_binding_key() {
        let mut b = parse(
            "name = \"in1\"\ndirection = \"inbound\"\nuri = \"amqp://h\"\nexchange = \"amq.topic\"\nbinding_key = \"a.#\"\ntopic = \"T\"\n",
        );
        b.validate().unwrap();
        assert_eq!(b.source_queue(), "mqgate.bridge.in1");
        b.binding_key = None;
        assert!(b.validate().unwrap_err().contains("binding_key"));
    }

    #[test]
    fn outbound_checks_group_routing_key_and_filter() {
        let mut b = parse(
            "name = \"out\"\ndirection = \"outbound\"\nuri = \"amqps://h\"\ntopic = \"T\"\ngroup = \"g\"\nexchange = \"\"\nrouting_key = \"q\"\nfilter = \"a > 1\"\nbody_format = \"jms\"\n",
        );
        b.validate().unwrap();
        assert_eq!(b.body_format, BodyFormat::Jms);
        b.filter = Some("a >".into());
        assert!(b.validate().is_err());
        b.filter = None;
        b.group = None;
        assert!(b.validate().unwrap_err().contains("group"));
    }

    #[test]
    fn unknown_fields_and_bad_uris_are_rejected() {
        assert!(toml::from_str::<BridgeConfig>(
            "name = \"a\"\ndirection = \"inbound\"\nuri = \"amqp://h\"\nqueue = \"q\"\ntopic = \"T\"\nqeue = 1\n"
        )
        .is_err());
        let mut b = parse(
            "name = \"a\"\ndirection = \"inbound\"\nuri = \"http://h\"\nqueue = \"q\"\ntopic = \"T\"\n",
        );
        assert!(b.validate().is_err());
        b.uri = "amqp://h".into();
        b.name = "a b".into();
        assert!(b.validate().is_err());
    }
}
