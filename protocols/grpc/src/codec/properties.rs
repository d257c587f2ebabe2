//! Which message properties are RocketMQ's own (carried in `SystemProperties` or used by the broker) and which
//! are the user's (`Message.user_properties`). A producer may not set a reserved name as a user property.

use mqgate_engine::keys;

/// Property holding a gRPC trace context (`SystemProperties.trace_context`).
pub const TRACE_CONTEXT: &str = "TRACE_CONTEXT";
/// Seconds before the first transaction check of a half message (`orphaned_transaction_recovery_duration`).
pub const CHECK_IMMUNITY: &str = "CHECK_IMMUNITY_TIME_IN_SECONDS";
/// Host the producer ran on, as the gRPC client reported it.
pub const BORN_HOST: &str = "__BORNHOST";

/// RocketMQ's reserved property names (its `MessageConst` set) plus mqgate's own bookkeeping names.
const RESERVED: &[&str] = &[
    keys::TAGS,
    keys::KEYS,
    keys::UNIQ_KEY,
    keys::DELAY,
    keys::TIMER_DELIVER_MS,
    keys::REAL_TOPIC,
    keys::REAL_QID,
    keys::TRAN_MSG,
    keys::PRODUCER_GROUP,
    keys::TRANSACTION_ID,
    keys::RETRY_TOPIC,
    keys::ORIGIN_MESSAGE_ID,
    keys::MAX_RECONSUME_TIMES,
    keys::MESSAGE_GROUP,
    keys::DLQ_ORIGIN_TOPIC,
    keys::DLQ_ORIGIN_MESSAGE_ID,
    keys::CRC32,
    keys::PROPERTY_TYPES,
    TRACE_CONTEXT,
    CHECK_IMMUNITY,
    BORN_HOST,
    "TIMER_DELAY_MS",
    "TIMER_DELAY_SEC",
    "TIMER_OUT_MS",
    "WAIT",
    "RECONSUME_TIME",
    "MSG_REGION",
    "TRACE_ON",
    "CLUSTER",
    "MIN_OFFSET",
    "MAX_OFFSET",
    "BUYER_ID",
    "CORRECTION_FLAG",
    "MQ2_FLAG",
    "CONSUME_START_TIME",
    "POP_CK",
    "POP_CK_OFFSET",
    "1ST_POP_TIME",
    "INNER_NUM",
    "INNER_MULTI_DISPATCH",
    "INNER_MULTI_QUEUE_OFFSET",
    "INSTANCE_ID",
    "TRAN_PREPARED_QUEUE_OFFSET",
    "TRANSACTION_CHECK_TIMES",
    "BORN_TIMESTAMP",
    "SHARDING_KEY",
    "__STARTDELIVERTIME",
];

/// True for names RocketMQ reserves and for mqgate's internal `__MQG_*` names.
pub fn is_reserved(name: &str) -> bool {
    name.starts_with("__MQG_") || RESERVED.contains(&name)
}

/// True when `s` holds a control character (rejected in tags, keys, groups and property names).
pub fn has_control_chars(s: &str) -> bool {
    s.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_names_are_reserved_and_user_names_are_not() {
        assert!(is_reserved("TAGS"));
        assert!(is_reserved("__SHARDINGKEY"));
        assert!(is_reserved("__MQG_SCHEDULE_SRC"));
        assert!(!is_reserved("region"));
        assert!(!is_reserved("tags"));
    }

    #[test]
    fn control_characters_are_detected() {
        assert!(has_control_chars("a\u{1}b"));
        assert!(has_control_chars("a\nb"));
        assert!(!has_control_chars("plain text"));
    }
}
