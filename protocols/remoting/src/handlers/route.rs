//! Name-server role: topic routes (GET_ROUTEINFO_BY_TOPIC) and cluster info. Every route points at mqgate's
//! own advertised address as the master (id 0) of one broker; unknown topics are created when auto-creation is
//! on, so producers never need the `TBW102` detour (its route is answered too).

use super::{success, HandlerResult, Reply};
use crate::codec::bodies::{to_json, BrokerData, ClusterInfo, QueueData, TopicRouteData};
use crate::codec::codes::TOPIC_NOT_EXIST;
use crate::codec::fields::Fields;
use crate::codec::Command;
use crate::error::RequestError;
use crate::shell::state::Shared;
use std::collections::BTreeMap;

/// This broker as route and cluster answers describe it.
pub fn broker_data(shared: &Shared) -> BrokerData {
    BrokerData {
        cluster: shared.settings.cluster_name.clone(),
        broker_name: shared.settings.broker_name.clone(),
        broker_addrs: [("0".to_string(), shared.advertised.clone())].into(),
        enable_acting_master: false,
    }
}

/// GET_ROUTEINFO_BY_TOPIC (105).
pub fn topic_route(shared: &Shared, cmd: &Command) -> HandlerResult {
    let topic = Fields(&cmd.ext_fields).str("topic")?;
    let cfg = shared.engine.topic_or_create(topic).map_err(|_| {
        RequestError::coded(
            TOPIC_NOT_EXIST,
            format!("No topic route info in name server for the topic: {topic}"),
        )
    })?;
    let route = TopicRouteData {
        broker_datas: vec![broker_data(shared)],
        filter_server_table: BTreeMap::new(),
        queue_datas: vec![QueueData {
            broker_name: shared.settings.broker_name.clone(),
            read_queue_nums: cfg.read_queues,
            write_queue_nums: cfg.write_queues,
            perm: cfg.perm,
            topic_sys_flag: 0,
        }],
    };
    Ok(Reply::Command(success().with_body(to_json(&route))))
}

/// GET_BROKER_CLUSTER_INFO (106).
pub fn cluster_info(shared: &Shared) -> HandlerResult {
    let b = broker_data(shared);
    let info = ClusterInfo {
        cluster_addr_table: [(b.cluster.clone(), vec![b.broker_name.clone()])].into(),
        broker_addr_table: [(b.broker_name.clone(), b)].into(),
    };
    Ok(Reply::Command(success().with_body(to_json(&info))))
}
