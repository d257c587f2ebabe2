//! How AMQP addresses and JMS subscriptions become engine topic and consumer-group names.
//!
//! Engine names allow `[a-zA-Z0-9_-]` (plus `%` and `|`, which mqgate keeps for system names). An address
//! made only of allowed characters is used unchanged, so a RocketMQ client sees the JMS queue `orders` as
//! the topic `orders`. Any other character becomes `_` and the name gets a `-` and 8 hex digits of a hash of
//! the original text, so `jms.queue.a` and `jms_queue_a` stay distinct (`jms_queue_a-1c2d3e4f`). Group
//! names: `amqpq-<topic>` for a JMS queue (one group shared by all its consumers), `amqps-<key>` for a topic
//! subscription, where the key is `<clientID or "global">|<subscription name>`, or a unique id for a
//! non-durable, non-shared subscriber.

/// Longest topic name we produce (the engine allows 127).
const MAX_TOPIC: usize = 100;
/// Longest group name we produce (the engine allows 120).
const MAX_GROUP: usize = 110;

/// FNV-1a, 32 bits: a stable, dependency-free hash for name suffixes.
pub fn fnv32(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Makes `text` a valid engine name of at most `max` bytes, adding a hash suffix when anything changed.
fn engine_name(text: &str, max: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if allowed(c) { c } else { '_' })
        .collect();
    if clean == text && !text.is_empty() && text.len() <= max {
        return clean;
    }
    let keep: String = clean.chars().take(max - 9).collect();
    format!("{keep}-{:08x}", fnv32(text))
}

/// The engine topic of an AMQP address.
pub fn topic_for(address: &str) -> String {
    engine_name(address, MAX_TOPIC)
}

/// The consumer group of a JMS queue.
pub fn queue_group(topic: &str) -> String {
    engine_name(&format!("amqpq-{topic}"), MAX_GROUP)
}

/// The consumer group of a topic subscription with this key.
pub fn subscription_group(key: &str) -> String {
    engine_name(&format!("amqps-{key}"), MAX_GROUP)
}

/// The JMS subscription name of a link name: Qpid JMS appends `|global`, `|2`, `|volatile1` … after `|`.
pub fn subscription_name(link_name: &str) -> &str {
    link_name.split('|').next().unwrap_or(link_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_are_kept_and_others_get_a_hash_suffix() {
        assert_eq!(topic_for("orders"), "orders");
        let dotted = topic_for("jms.queue.a");
        assert!(dotted.starts_with("jms_queue_a-"), "{dotted}");
        assert_ne!(dotted, topic_for("jms_queue_a"));
        assert!(topic_for(&"x".repeat(300)).len() <= MAX_TOPIC);
        assert!(topic_for("").starts_with('-'));
    }

    #[test]
    fn subscription_names_drop_the_qpid_suffix() {
        assert_eq!(subscription_name("sub|global"), "sub");
        assert_eq!(subscription_name("sub|volatile2"), "sub");
        assert_eq!(subscription_name("sub"), "sub");
    }
}
