//! The server's answer to a client's Settings (§4.5 of the protocol digest): the client's own settings merged
//! with what the SDKs require from the server — an exponential back-off for producers, the group's retry policy
//! (max attempts and the 18-level customized back-off) plus FIFO flag, batch size and long-poll time for
//! consumers. Pure.

use super::super::codec::time::{duration_to_pb, millis_to_duration};
use crate::error::{RpcError, RpcResult};
use crate::pb::{self, retry_policy, settings::PubSub, ClientType, Code, Settings};
use mqgate_engine::config::DELAY_LEVELS_MS;
use mqgate_engine::GroupConfig;
use std::time::Duration;

/// Producer retries: 3 attempts, exponential back-off 10 ms × 2 up to 1 s (RocketMQ's proxy defaults).
pub fn producer_backoff() -> pb::RetryPolicy {
    pb::RetryPolicy {
        max_attempts: 3,
        strategy: Some(retry_policy::Strategy::ExponentialBackoff(
            pb::ExponentialBackoff {
                initial: Some(millis_to_duration(10)),
                max: Some(millis_to_duration(1000)),
                multiplier: 2.0,
            },
        )),
    }
}

/// A consumer group's retry policy: `max_reconsume_times + 1` attempts, delays of RocketMQ's 18 levels.
pub fn consumer_backoff(group: &GroupConfig) -> pb::RetryPolicy {
    pb::RetryPolicy {
        max_attempts: group.max_reconsume_times.saturating_add(1).max(1),
        strategy: Some(retry_policy::Strategy::CustomizedBackoff(
            pb::CustomizedBackoff {
                next: DELAY_LEVELS_MS
                    .iter()
                    .map(|ms| millis_to_duration(*ms))
                    .collect(),
            },
        )),
    }
}

/// What the server adds to a consumer's settings.
#[derive(Debug, Clone, Copy)]
pub struct ConsumerDefaults {
    /// Messages per ReceiveMessage.
    pub receive_batch_size: i32,
    /// Long-poll time.
    pub long_polling: Duration,
}

/// The client type a Settings names; `UNRECOGNIZED_CLIENT_TYPE` for unknown or unspecified ones.
pub fn client_type(s: &Settings) -> RpcResult<ClientType> {
    match s.client_type.map(ClientType::try_from) {
        Some(Ok(t)) if t != ClientType::Unspecified => Ok(t),
        _ => Err(RpcError::new(
            Code::UnrecognizedClientType,
            "unknown client type",
        )),
    }
}

/// The server settings for a client that sent `client`. `group` is the consumer's group (consumers only).
pub fn reply(
    client: &Settings,
    group: Option<&GroupConfig>,
    max_body: usize,
    consumer: ConsumerDefaults,
) -> RpcResult<Settings> {
    let kind = client_type(client)?;
    let mut out = client.clone();
    out.metric = Some(pb::Metric {
        on: false,
        endpoints: None,
    });
    match (&mut out.pub_sub, kind) {
        (Some(PubSub::Publishing(p)), ClientType::Producer) => {
            p.max_body_size = max_body.min(i32::MAX as usize) as i32;
            p.validate_message_type = true;
            out.backoff_policy = Some(producer_backoff());
        }
        (Some(PubSub::Subscription(s)), _) if kind != ClientType::Producer => {
            let group = group.ok_or_else(|| {
                RpcError::new(Code::IllegalConsumerGroup, "a consumer must name its group")
            })?;
            s.fifo = Some(group.fifo);
            s.receive_batch_size = Some(consumer.receive_batch_size);
            if s.long_polling_timeout.is_none() {
                s.long_polling_timeout = Some(duration_to_pb(consumer.long_polling));
            }
            out.backoff_policy = Some(consumer_backoff(group));
        }
        _ => {
            return Err(RpcError::new(
                Code::BadRequest,
                "settings need publishing (producers) or a subscription (consumers)",
            ))
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: ConsumerDefaults = ConsumerDefaults {
        receive_batch_size: 32,
        long_polling: Duration::from_secs(20),
    };

    fn producer() -> Settings {
        Settings {
            client_type: Some(ClientType::Producer as i32),
            pub_sub: Some(PubSub::Publishing(pb::Publishing::default())),
            ..Default::default()
        }
    }

    fn consumer(kind: ClientType) -> Settings {
        Settings {
            client_type: Some(kind as i32),
            pub_sub: Some(PubSub::Subscription(pb::Subscription::default())),
            ..Default::default()
        }
    }

    #[test]
    fn producers_get_an_exponential_backoff() {
        let s = reply(&producer(), None, 4 << 20, DEFAULTS).unwrap();
        let b = s.backoff_policy.unwrap();
        assert_eq!(b.max_attempts, 3);
        assert!(matches!(
            b.strategy,
            Some(retry_policy::Strategy::ExponentialBackoff(_))
        ));
        let Some(PubSub::Publishing(p)) = s.pub_sub else {
            panic!("publishing")
        };
        assert_eq!(p.max_body_size, 4 << 20);
    }

    #[test]
    fn consumers_get_their_groups_retry_policy_and_fifo_flag() {
        let mut g = GroupConfig::new("G", 16);
        g.fifo = true;
        let s = reply(
            &consumer(ClientType::PushConsumer),
            Some(&g),
            4 << 20,
            DEFAULTS,
        )
        .unwrap();
        let b = s.backoff_policy.unwrap();
        assert_eq!(b.max_attempts, 17);
        let Some(retry_policy::Strategy::CustomizedBackoff(c)) = b.strategy else {
            panic!("customized")
        };
        assert_eq!(c.next.len(), 18);
        assert_eq!(c.next[0].seconds, 1);
        let Some(PubSub::Subscription(sub)) = s.pub_sub else {
            panic!("subscription")
        };
        assert_eq!(sub.fifo, Some(true));
        assert_eq!(sub.receive_batch_size, Some(32));
        assert_eq!(sub.long_polling_timeout.unwrap().seconds, 20);
    }

    #[test]
    fn settings_without_pub_sub_or_type_are_refused() {
        let mut s = producer();
        s.pub_sub = None;
        assert_eq!(
            reply(&s, None, 1, DEFAULTS).unwrap_err().code,
            Code::BadRequest
        );
        let mut s = producer();
        s.client_type = None;
        assert_eq!(
            reply(&s, None, 1, DEFAULTS).unwrap_err().code,
            Code::UnrecognizedClientType
        );
        let s = consumer(ClientType::SimpleConsumer);
        assert_eq!(
            reply(&s, None, 1, DEFAULTS).unwrap_err().code,
            Code::IllegalConsumerGroup
        );
    }
}
