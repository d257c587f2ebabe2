//! RocketMQ remoting request and response codes used by this front-end (protocol digest §1.5, §2.1).
#![allow(missing_docs)]

// Requests from clients to the broker role.
pub const SEND_MESSAGE: i32 = 10;
pub const PULL_MESSAGE: i32 = 11;
pub const QUERY_MESSAGE: i32 = 12;
pub const QUERY_CONSUMER_OFFSET: i32 = 14;
pub const UPDATE_CONSUMER_OFFSET: i32 = 15;
pub const UPDATE_AND_CREATE_TOPIC: i32 = 17;
pub const GET_ALL_TOPIC_CONFIG: i32 = 21;
pub const GET_BROKER_RUNTIME_INFO: i32 = 28;
pub const SEARCH_OFFSET_BY_TIMESTAMP: i32 = 29;
pub const GET_MAX_OFFSET: i32 = 30;
pub const GET_MIN_OFFSET: i32 = 31;
pub const GET_EARLIEST_MSG_STORETIME: i32 = 32;
pub const VIEW_MESSAGE_BY_ID: i32 = 33;
pub const HEART_BEAT: i32 = 34;
pub const UNREGISTER_CLIENT: i32 = 35;
pub const CONSUMER_SEND_MSG_BACK: i32 = 36;
pub const END_TRANSACTION: i32 = 37;
pub const GET_CONSUMER_LIST_BY_GROUP: i32 = 38;
pub const LOCK_BATCH_MQ: i32 = 41;
pub const UNLOCK_BATCH_MQ: i32 = 42;
pub const CHECK_CLIENT_CONFIG: i32 = 46;
pub const SEND_MESSAGE_V2: i32 = 310;
pub const SEND_BATCH_MESSAGE: i32 = 320;
pub const SEND_REPLY_MESSAGE: i32 = 324;
pub const SEND_REPLY_MESSAGE_V2: i32 = 325;
pub const LITE_PULL_MESSAGE: i32 = 361;

// Requests to the name-server role.
pub const GET_ROUTEINFO_BY_TOPIC: i32 = 105;
pub const GET_BROKER_CLUSTER_INFO: i32 = 106;
pub const UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: i32 = 200;
pub const GET_ALL_SUBSCRIPTIONGROUP_CONFIG: i32 = 201;
pub const GET_CONSUMER_CONNECTION_LIST: i32 = 203;
pub const GET_ALL_TOPIC_LIST_FROM_NAMESERVER: i32 = 206;
pub const DELETE_SUBSCRIPTIONGROUP: i32 = 207;
pub const GET_CONSUME_STATS: i32 = 208;
pub const DELETE_TOPIC_IN_BROKER: i32 = 215;
pub const DELETE_TOPIC_IN_NAMESRV: i32 = 216;
pub const GET_TOPICS_BY_CLUSTER: i32 = 224;

// Requests from the broker to clients.
pub const CHECK_TRANSACTION_STATE: i32 = 39;
pub const NOTIFY_CONSUMER_IDS_CHANGED: i32 = 40;
pub const PUSH_REPLY_MESSAGE_TO_CLIENT: i32 = 326;

// Response codes.
pub const SUCCESS: i32 = 0;
pub const SYSTEM_ERROR: i32 = 1;
pub const SYSTEM_BUSY: i32 = 2;
pub const REQUEST_CODE_NOT_SUPPORTED: i32 = 3;
pub const MESSAGE_ILLEGAL: i32 = 13;
pub const SERVICE_NOT_AVAILABLE: i32 = 14;
pub const NO_PERMISSION: i32 = 16;
pub const TOPIC_NOT_EXIST: i32 = 17;
pub const PULL_NOT_FOUND: i32 = 19;
pub const PULL_RETRY_IMMEDIATELY: i32 = 20;
pub const PULL_OFFSET_MOVED: i32 = 21;
pub const QUERY_NOT_FOUND: i32 = 22;
pub const SUBSCRIPTION_PARSE_FAILED: i32 = 23;
pub const SUBSCRIPTION_NOT_EXIST: i32 = 24;
pub const SUBSCRIPTION_NOT_LATEST: i32 = 25;
pub const SUBSCRIPTION_GROUP_NOT_EXIST: i32 = 26;
pub const INVALID_PARAMETER: i32 = 29;

/// The `version` mqgate puts in every frame it sends: `MQVersion` V5_3_3 (digest §1.2; must be ≥ 232 for SQL92).
pub const SERVER_VERSION: i32 = 479;

/// Flag bit: the frame is a response.
pub const FLAG_RESPONSE: i32 = 0x1;
/// Flag bit: the request is oneway (no response).
pub const FLAG_ONEWAY: i32 = 0x2;
