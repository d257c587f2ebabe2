//! JSON bodies of remoting requests and responses (route data, heartbeats, queue locks, consumer lists, …), as
//! serde types. Field names follow the Java classes' JSON; unknown keys are ignored, absent ones default.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Clients disagree on JSON types (Go sends `codeSet` as strings, some send `null` for empty sets): these
/// readers accept a number or a numeric string, a boolean or its string, and `null` for anything.
fn lenient_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn de_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(lenient_i64(&Value::deserialize(d)?).unwrap_or(0))
}

fn de_i64_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.iter().filter_map(lenient_i64).collect(),
        _ => Vec::new(),
    })
}

fn de_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .collect(),
        _ => Vec::new(),
    })
}

fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    })
}

fn de_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn de_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    })
}

fn de_list<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// One queue set of a topic on one broker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueData {
    /// Broker name.
    pub broker_name: String,
    /// Queues consumers read.
    pub read_queue_nums: u32,
    /// Queues producers write.
    pub write_queue_nums: u32,
    /// Permission bits.
    pub perm: u32,
    /// Topic system flag.
    pub topic_sys_flag: u32,
}

/// A broker and its addresses by broker id (0 = master).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokerData {
    /// Cluster name.
    pub cluster: String,
    /// Broker name.
    pub broker_name: String,
    /// Addresses by broker id.
    pub broker_addrs: BTreeMap<String, String>,
    /// Acting-master mode (always false).
    pub enable_acting_master: bool,
}

/// The answer to GET_ROUTEINFO_BY_TOPIC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicRouteData {
    /// Brokers serving the topic.
    pub broker_datas: Vec<BrokerData>,
    /// Filter servers (none).
    pub filter_server_table: BTreeMap<String, Vec<String>>,
    /// Queues per broker.
    pub queue_datas: Vec<QueueData>,
}

/// The answer to GET_BROKER_CLUSTER_INFO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterInfo {
    /// Brokers by name.
    pub broker_addr_table: BTreeMap<String, BrokerData>,
    /// Broker names by cluster.
    pub cluster_addr_table: BTreeMap<String, Vec<String>>,
}

/// A client's heartbeat.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeartbeatData {
    /// The client id (`ip@instance`).
    #[serde(rename = "clientID", deserialize_with = "de_string")]
    pub client_id: String,
    /// Producer groups of the client.
    #[serde(deserialize_with = "de_list")]
    pub producer_data_set: Vec<ProducerData>,
    /// Consumer groups of the client.
    #[serde(deserialize_with = "de_list")]
    pub consumer_data_set: Vec<ConsumerData>,
}

/// A producer group in a heartbeat.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProducerData {
    /// Group name.
    #[serde(deserialize_with = "de_string")]
    pub group_name: String,
}

/// A consumer group in a heartbeat.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerData {
    /// Group name.
    #[serde(deserialize_with = "de_string")]
    pub group_name: String,
    /// `CONSUME_ACTIVELY` (pull), `CONSUME_PASSIVELY` (push), `CONSUME_POP`.
    #[serde(deserialize_with = "de_opt_string")]
    pub consume_type: Option<String>,
    /// `CLUSTERING` or `BROADCASTING`.
    #[serde(deserialize_with = "de_opt_string")]
    pub message_model: Option<String>,
    /// Where a new consumer starts.
    #[serde(deserialize_with = "de_opt_string")]
    pub consume_from_where: Option<String>,
    /// Subscriptions.
    #[serde(deserialize_with = "de_list")]
    pub subscription_data_set: Vec<SubscriptionData>,
}

/// One subscription: a topic and its filter expression.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscriptionData {
    /// Topic.
    #[serde(deserialize_with = "de_string")]
    pub topic: String,
    /// Expression: tags joined by `||` (or `*`), or SQL92 text.
    #[serde(deserialize_with = "de_string")]
    pub sub_string: String,
    /// Parsed tags.
    #[serde(deserialize_with = "de_string_list")]
    pub tags_set: Vec<String>,
    /// Java hash codes of the tags.
    #[serde(deserialize_with = "de_i64_list")]
    pub code_set: Vec<i64>,
    /// Version (ms) of the subscription.
    #[serde(deserialize_with = "de_i64")]
    pub sub_version: i64,
    /// `TAG` (default) or `SQL92`.
    #[serde(deserialize_with = "de_opt_string")]
    pub expression_type: Option<String>,
    /// Legacy class filter mode.
    #[serde(deserialize_with = "de_bool")]
    pub class_filter_mode: bool,
}

/// A message queue as clients name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageQueue {
    /// Topic.
    pub topic: String,
    /// Broker name.
    pub broker_name: String,
    /// Queue id.
    pub queue_id: i32,
}

/// LOCK_BATCH_MQ / UNLOCK_BATCH_MQ request body.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LockBatchRequest {
    /// Group.
    pub consumer_group: String,
    /// Client id.
    pub client_id: String,
    /// Queues to lock.
    pub mq_set: Vec<MessageQueue>,
}

/// LOCK_BATCH_MQ response body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockBatchResponse {
    /// Queues now locked by the client.
    #[serde(rename = "lockOKMQSet")]
    pub lock_ok_mq_set: Vec<MessageQueue>,
}

/// GET_CONSUMER_LIST_BY_GROUP response body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerList {
    /// Client ids of the group's live consumers.
    pub consumer_id_list: Vec<String>,
}

/// A topic list (GET_ALL_TOPIC_LIST_FROM_NAMESERVER, GET_TOPICS_BY_CLUSTER).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicList {
    /// Topic names.
    pub topic_list: Vec<String>,
}

/// CHECK_CLIENT_CONFIG request body.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckClientRequest {
    /// Client id.
    pub client_id: String,
    /// Group.
    pub group: String,
    /// Subscription to check.
    pub subscription_data: Option<SubscriptionData>,
}

/// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP request body (the fields mqgate keeps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscriptionGroupConfig {
    /// Group.
    pub group_name: String,
    /// Consumption allowed.
    pub consume_enable: bool,
    /// Broadcasting allowed.
    pub consume_broadcast_enable: bool,
    /// Orderly consumption.
    pub consume_message_orderly: bool,
    /// Retries before the DLQ.
    pub retry_max_times: i32,
    /// Retry queues.
    pub retry_queue_nums: i32,
}

impl Default for SubscriptionGroupConfig {
    fn default() -> Self {
        SubscriptionGroupConfig {
            group_name: String::new(),
            consume_enable: true,
            consume_broadcast_enable: true,
            consume_message_orderly: false,
            retry_max_times: 16,
            retry_queue_nums: 1,
        }
    }
}

/// Serializes a body; the types above always serialize.
pub fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_json_is_compact_with_quoted_broker_ids() {
        let r = TopicRouteData {
            broker_datas: vec![BrokerData {
                cluster: "DefaultCluster".into(),
                broker_name: "mqgate".into(),
                broker_addrs: [("0".to_string(), "127.0.0.1:9876".to_string())].into(),
                enable_acting_master: false,
            }],
            filter_server_table: BTreeMap::new(),
            queue_datas: vec![QueueData {
                broker_name: "mqgate".into(),
                read_queue_nums: 8,
                write_queue_nums: 8,
                perm: 6,
                topic_sys_flag: 0,
            }],
        };
        let s = String::from_utf8(to_json(&r)).unwrap();
        assert!(s.contains(r#""brokerAddrs":{"0":"127.0.0.1:9876"}"#), "{s}");
        assert!(!s.contains(' '));
    }

    #[test]
    fn parses_a_java_heartbeat() {
        let body = br#"{"clientID":"10.0.0.1@123#456","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"G","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG","subString":"TagA","subVersion":1700000000000,"tagsSet":["TagA"],"topic":"T"}],"unitMode":false}],"heartbeatFingerprint":0,"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}],"withoutSub":false}"#;
        let h: HeartbeatData = serde_json::from_slice(body).unwrap();
        assert_eq!(h.client_id, "10.0.0.1@123#456");
        assert_eq!(
            h.consumer_data_set[0].subscription_data_set[0].code_set,
            vec![2598919]
        );
        assert_eq!(h.producer_data_set[0].group_name, "CLIENT_INNER_PRODUCER");
    }

    #[test]
    fn parses_a_go_heartbeat_with_string_hash_codes_and_nulls() {
        let body = br#"{"clientID":"127.0.0.1@1","producerDataSet":null,"consumerDataSet":[{"groupName":"G","consumeType":"CONSUME_PASSIVELY","messageModel":"Clustering","consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","subscriptionDataSet":[{"classFilterMode":false,"topic":"T","subString":"TagA","tagsSet":["TagA"],"codeSet":["2598919"],"subVersion":1700000000000000000,"expressionType":"TAG"}],"unitMode":false}]}"#;
        let h: HeartbeatData = serde_json::from_slice(body).unwrap();
        assert!(h.producer_data_set.is_empty());
        assert_eq!(
            h.consumer_data_set[0].subscription_data_set[0].code_set,
            vec![2598919]
        );
    }
}
