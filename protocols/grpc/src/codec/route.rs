//! Routes and assignments (§4.6 of the protocol digest): a topic's queues as v2 `MessageQueue`s served by one
//! broker — mqgate itself, at the endpoints the client used — with permissions and accepted message types.

use crate::pb::{self, Endpoints, MessageQueue, MessageType, Permission, Resource};
use mqgate_engine::metadata::{self, TopicConfig, PERM_READ, PERM_WRITE};

/// The broker name routes carry.
pub const BROKER_NAME: &str = "mqgate";

/// Message types a topic accepts.
pub fn accept_types(t: metadata::MessageType) -> Vec<i32> {
    let v: &[MessageType] = match t {
        metadata::MessageType::Normal => &[MessageType::Normal],
        metadata::MessageType::Fifo => &[MessageType::Fifo],
        metadata::MessageType::Delay => &[MessageType::Delay],
        metadata::MessageType::Transaction => &[MessageType::Transaction],
        metadata::MessageType::Mixed => &[
            MessageType::Normal,
            MessageType::Fifo,
            MessageType::Delay,
            MessageType::Transaction,
        ],
    };
    v.iter().map(|t| *t as i32).collect()
}

fn broker(endpoints: &Endpoints) -> pb::Broker {
    pb::Broker {
        name: BROKER_NAME.into(),
        id: 0,
        endpoints: Some(endpoints.clone()),
    }
}

/// The queues of `topic`: read-only ones, then write-only ones, then `min(read, write)` read-write ones, as
/// RocketMQ's proxy lists them; all at broker id 0 on `endpoints`.
pub fn queues(topic: &Resource, config: &TopicConfig, endpoints: &Endpoints) -> Vec<MessageQueue> {
    let readable = config.perm & PERM_READ != 0;
    let writable = config.perm & PERM_WRITE != 0;
    let (r, w) = (config.read_queues as i32, config.write_queues as i32);
    let both = r.min(w);
    let mut perms = Vec::new();
    match (readable, writable) {
        (true, true) => {
            perms.extend(std::iter::repeat_n(Permission::Read, (r - both) as usize));
            perms.extend(std::iter::repeat_n(Permission::Write, (w - both) as usize));
            perms.extend(std::iter::repeat_n(Permission::ReadWrite, both as usize));
        }
        (true, false) => perms.extend(std::iter::repeat_n(Permission::Read, r as usize)),
        (false, true) => perms.extend(std::iter::repeat_n(Permission::Write, w as usize)),
        (false, false) => perms.extend(std::iter::repeat_n(Permission::None, r.max(w) as usize)),
    }
    let types = accept_types(config.message_type);
    let broker = broker(endpoints);
    perms
        .into_iter()
        .enumerate()
        .map(|(id, perm)| MessageQueue {
            topic: Some(topic.clone()),
            id: id as i32,
            permission: perm as i32,
            broker: Some(broker.clone()),
            accept_message_types: types.clone(),
        })
        .collect()
}

/// The assignment of a readable topic: one queue with id −1 (mqgate picks the queue at receive time, for FIFO
/// groups too, since the engine keeps each message group in order across queues). `None` if not readable.
pub fn assignment(
    topic: &Resource,
    config: &TopicConfig,
    endpoints: &Endpoints,
) -> Option<pb::Assignment> {
    (config.perm & PERM_READ != 0 && config.read_queues > 0).then(|| pb::Assignment {
        message_queue: Some(MessageQueue {
            topic: Some(topic.clone()),
            id: -1,
            permission: Permission::ReadWrite as i32,
            broker: Some(broker(endpoints)),
            accept_message_types: accept_types(config.message_type),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res() -> Resource {
        Resource {
            resource_namespace: String::new(),
            name: "T".into(),
        }
    }

    #[test]
    fn read_write_topic_lists_its_queues_at_broker_zero() {
        let q = queues(&res(), &TopicConfig::new("T", 4), &Endpoints::default());
        assert_eq!(q.len(), 4);
        assert!(q
            .iter()
            .all(|q| q.permission == Permission::ReadWrite as i32));
        assert!(q.iter().all(|q| q.broker.as_ref().unwrap().id == 0));
        assert_eq!(q[3].id, 3);
        assert_eq!(q[0].accept_message_types.len(), 4);
    }

    #[test]
    fn uneven_queue_counts_list_read_then_write_then_both() {
        let mut c = TopicConfig::new("T", 2);
        c.read_queues = 3;
        c.write_queues = 2;
        c.message_type = metadata::MessageType::Fifo;
        let q = queues(&res(), &c, &Endpoints::default());
        let perms: Vec<i32> = q.iter().map(|q| q.permission).collect();
        assert_eq!(
            perms,
            vec![
                Permission::Read as i32,
                Permission::ReadWrite as i32,
                Permission::ReadWrite as i32
            ]
        );
        assert_eq!(q[0].accept_message_types, vec![MessageType::Fifo as i32]);
    }

    #[test]
    fn unreadable_topic_has_no_assignment() {
        let mut c = TopicConfig::new("T", 2);
        c.perm = PERM_WRITE;
        assert!(assignment(&res(), &c, &Endpoints::default()).is_none());
        c.perm = PERM_READ | PERM_WRITE;
        assert_eq!(
            assignment(&res(), &c, &Endpoints::default())
                .unwrap()
                .message_queue
                .unwrap()
                .id,
            -1
        );
    }
}
