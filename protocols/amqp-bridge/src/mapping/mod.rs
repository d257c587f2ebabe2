//! The mapping between AMQP 0-9-1 messages (basic properties, headers table, body) and engine messages
//! (RocketMQ string properties with `__MQG_TYPES` for typed values). Pure functions, no I/O; documented in
//! the README's "AMQP 0-9-1 bridge" section. Property names for AMQP fields are shared with the AMQP 1.0
//! front-end (`AMQP_*`), so a bridged JMS TextMessage reads as one there too.

pub mod inbound;
pub mod outbound;

/// Engine property names the bridge reads and writes.
pub mod names {
    /// `correlation_id` (JMSCorrelationID when no header carries it).
    pub const CORRELATION_ID: &str = "AMQP_CORRELATION_ID";
    /// `reply_to`.
    pub const REPLY_TO: &str = "AMQP_REPLY_TO";
    /// `content_type`.
    pub const CONTENT_TYPE: &str = "AMQP_CONTENT_TYPE";
    /// `content_encoding`.
    pub const CONTENT_ENCODING: &str = "AMQP_CONTENT_ENCODING";
    /// `user_id`.
    pub const USER_ID: &str = "AMQP_USER_ID";
    /// `expiration` (a TTL in ms).
    pub const TTL: &str = "AMQP_TTL";
    /// `priority` (JMSPriority).
    pub const PRIORITY: &str = "AMQP_PRIORITY";
    /// `delivery_mode`: `false` when not persistent (1 or unset); absent = persistent (2).
    pub const DURABLE: &str = "AMQP_DURABLE";
    /// `text` for a TextMessage body (UTF-8).
    pub const BODY: &str = "AMQP_BODY";
    /// `message_id`, kept when the message's id (UNIQ_KEY) came from the JMSMessageID header instead.
    pub const MESSAGE_ID: &str = "AMQP_091_MESSAGE_ID";
    /// `type`.
    pub const TYPE: &str = "AMQP_091_TYPE";
    /// `app_id`.
    pub const APP_ID: &str = "AMQP_091_APP_ID";
    /// `cluster_id`.
    pub const CLUSTER_ID: &str = "AMQP_091_CLUSTER_ID";
    /// The exchange the message was published to.
    pub const EXCHANGE: &str = "AMQP_091_EXCHANGE";
    /// Its routing key.
    pub const ROUTING_KEY: &str = "AMQP_091_ROUTING_KEY";
    /// `true` when RabbitMQ delivered it before (the bridge may have stored it already).
    pub const REDELIVERED: &str = "AMQP_091_REDELIVERED";
    /// Name of the inbound bridge that stored the message.
    pub const BRIDGE: &str = "AMQP_091_BRIDGE";
    /// What happened to a JMS client body: `text`, `bytes` (decoded), `serialized:<class>` (passed through
    /// unchanged: Map/Stream/Object messages) or `undecodable` (passed through unchanged).
    pub const JMS_BODY: &str = "AMQP_091_JMS_BODY";
    /// Prefix for headers whose names are reserved by the engine or RocketMQ (`DELAY`, `KEYS`, `__x`, …).
    pub const HEADER_PREFIX: &str = "AMQP_091_HEADER_";
    /// Why a message went to a bridge DLQ topic.
    pub const DLQ_REASON: &str = "BRIDGE_DLQ_REASON";
}

/// Names the bridge itself writes; reserved beside RocketMQ's system names. A header with a reserved name is
/// stored under [`names::HEADER_PREFIX`].
const BRIDGE_OWN: &[&str] = &[names::DLQ_REASON];

/// True for names the engine, RocketMQ or the AMQP mappings own (never application properties).
pub fn is_reserved(name: &str) -> bool {
    name.starts_with("__")
        || name.starts_with("AMQP_")
        || name.starts_with("TIMER_")
        || name.starts_with("INNER_")
        || mqgate_engine::keys::ROCKETMQ_SYSTEM.contains(&name)
        || BRIDGE_OWN.contains(&name)
}

/// The type recorded for `name` in a `__MQG_TYPES` value.
pub fn type_of<'a>(types: &'a str, name: &str) -> Option<&'a str> {
    mqgate_engine::keys::property_type(types, name)
}
