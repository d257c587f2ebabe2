//! QueryRoute (auto-creating topics when the engine allows), QueryAssignment, Heartbeat,
//! NotifyClientTermination and SyncLiteSubscription (lite topics are not supported).

use super::CallContext;
use crate::codec::{resource, route};
use crate::error::{RpcError, RpcResult};
use crate::pb::*;
use crate::state::Shared;
use std::time::Instant;

fn endpoints(e: Option<Endpoints>) -> RpcResult<Endpoints> {
    e.filter(|e| !e.addresses.is_empty())
        .ok_or_else(|| RpcError::new(Code::IllegalAccessPoint, "the request names no endpoints"))
}

/// QueryRoute: the topic's queues at the endpoints the client used.
pub async fn query_route(
    shared: &Shared,
    _ctx: &CallContext,
    req: QueryRouteRequest,
) -> RpcResult<QueryRouteResponse> {
    let topic = resource::topic(req.topic.as_ref())?;
    let endpoints = endpoints(req.endpoints)?;
    let config = shared.engine.topic_or_create(&topic)?;
    let name = resource::resource(req.topic.as_ref().unwrap_or(&Resource::default()), &topic);
    Ok(QueryRouteResponse {
        status: None,
        message_queues: route::queues(&name, &config, &endpoints),
    })
}

/// QueryAssignment: where a consumer group receives a topic from.
pub async fn query_assignment(
    shared: &Shared,
    _ctx: &CallContext,
    req: QueryAssignmentRequest,
) -> RpcResult<QueryAssignmentResponse> {
    let topic = resource::topic(req.topic.as_ref())?;
    let group = resource::group(req.group.as_ref())?;
    let endpoints = endpoints(req.endpoints)?;
    let config = shared.engine.topic(&topic).ok_or_else(|| {
        RpcError::new(Code::TopicNotFound, format!("topic {topic} does not exist"))
    })?;
    shared.engine.group_or_create(&group)?;
    let name = resource::resource(req.topic.as_ref().unwrap_or(&Resource::default()), &topic);
    let assignment = route::assignment(&name, &config, &endpoints)
        .ok_or_else(|| RpcError::new(Code::Forbidden, "no readable queue"))?;
    Ok(QueryAssignmentResponse {
        status: None,
        assignments: vec![assignment],
    })
}

/// Heartbeat: keeps the client known.
pub async fn heartbeat(
    shared: &Shared,
    ctx: &CallContext,
    req: HeartbeatRequest,
) -> RpcResult<HeartbeatResponse> {
    let kind = ClientType::try_from(req.client_type)
        .ok()
        .filter(|t| *t != ClientType::Unspecified)
        .ok_or_else(|| RpcError::new(Code::UnrecognizedClientType, "unknown client type"))?;
    let group = match kind {
        ClientType::Producer => None,
        _ => Some(resource::group(req.group.as_ref())?),
    };
    shared
        .clients
        .register(&ctx.client_id, kind, group, Vec::new(), Instant::now())?;
    Ok(HeartbeatResponse::default())
}

/// NotifyClientTermination: forget the client and stop renewing its deliveries.
pub async fn notify_client_termination(
    shared: &Shared,
    ctx: &CallContext,
    _req: NotifyClientTerminationRequest,
) -> RpcResult<NotifyClientTerminationResponse> {
    shared.clients.remove(&ctx.client_id);
    shared.renewals.forget_client(&ctx.client_id);
    Ok(NotifyClientTerminationResponse::default())
}

/// SyncLiteSubscription: lite topics are not supported.
pub async fn sync_lite_subscription(
    _shared: &Shared,
    _ctx: &CallContext,
    _req: SyncLiteSubscriptionRequest,
) -> RpcResult<SyncLiteSubscriptionResponse> {
    Err(RpcError::new(
        Code::NotImplemented,
        "lite topics are not supported by mqgate",
    ))
}
