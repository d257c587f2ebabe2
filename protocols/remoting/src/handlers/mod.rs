//! The handlers: one file per request family, each translating a decoded request into engine calls and an
//! answer. [`dispatch`] routes by request code; unknown codes get REQUEST_CODE_NOT_SUPPORTED with a remark and
//! the connection stays open. Handlers never see sockets: they get the shared state, the calling peer and the
//! command, and return a [`Reply`].

pub mod admin;
pub mod client;
pub mod offsets;
pub mod order;
pub mod pull;
pub mod query;
pub mod retry;
pub mod route;
pub mod send;
pub mod transaction;

use crate::codec::codes::*;
use crate::codec::Command;
use crate::error::RequestError;
use crate::shell::outbound::{Outbound, Peer};
use crate::shell::state::Shared;
use bytes::Bytes;
use std::sync::Arc;

/// What a handler answers.
#[derive(Debug)]
pub enum Reply {
    /// A response with its own body.
    Command(Command),
    /// A response whose body is these parts, written without copying (pull and query answers).
    Parts(Command, Vec<Bytes>),
}

/// A handler's result; errors become responses with the error's code and text as remark.
pub type HandlerResult = Result<Reply, RequestError>;

/// A SUCCESS response (the dispatcher fills in the opaque).
pub fn success() -> Command {
    Command::response(SUCCESS, 0)
}

/// Runs the handler for `cmd` and encodes its answer.
pub async fn dispatch(shared: &Arc<Shared>, peer: &Peer, cmd: Command) -> Option<Outbound> {
    let opaque = cmd.opaque;
    tracing::trace!(conn = peer.id, code = cmd.code, opaque, language = %cmd.language, fields = ?cmd.ext_fields, "request");
    let res = match cmd.code {
        GET_ROUTEINFO_BY_TOPIC => route::topic_route(shared, &cmd),
        GET_BROKER_CLUSTER_INFO => route::cluster_info(shared),
        SEND_MESSAGE | SEND_MESSAGE_V2 | SEND_BATCH_MESSAGE => send::send(shared, peer, &cmd).await,
        SEND_REPLY_MESSAGE | SEND_REPLY_MESSAGE_V2 => send::send_reply(shared, peer, &cmd).await,
        PULL_MESSAGE | LITE_PULL_MESSAGE => pull::pull(shared, &cmd).await,
        QUERY_CONSUMER_OFFSET => offsets::query_consumer_offset(shared, &cmd),
        UPDATE_CONSUMER_OFFSET => offsets::update_consumer_offset(shared, &cmd),
        SEARCH_OFFSET_BY_TIMESTAMP => offsets::search_by_time(shared, &cmd),
        GET_MAX_OFFSET => offsets::max_offset(shared, &cmd),
        GET_MIN_OFFSET => offsets::min_offset(shared, &cmd),
        GET_EARLIEST_MSG_STORETIME => offsets::earliest_store_time(shared, &cmd),
        HEART_BEAT => client::heartbeat(shared, peer, &cmd),
        UNREGISTER_CLIENT => client::unregister(shared, &cmd),
        GET_CONSUMER_LIST_BY_GROUP => client::consumer_list(shared, &cmd),
        CHECK_CLIENT_CONFIG => client::check_client_config(&cmd),
        LOCK_BATCH_MQ => order::lock(shared, &cmd),
        UNLOCK_BATCH_MQ => order::unlock(shared, &cmd),
        CONSUMER_SEND_MSG_BACK => retry::send_back(shared, &cmd).await,
        END_TRANSACTION => transaction::end_transaction(shared, &cmd).await,
        QUERY_MESSAGE => query::query_message(shared, &cmd),
        VIEW_MESSAGE_BY_ID => query::view_message(shared, &cmd),
        UPDATE_AND_CREATE_TOPIC => admin::create_topic(shared, &cmd),
        DELETE_TOPIC_IN_BROKER | DELETE_TOPIC_IN_NAMESRV => admin::delete_topic(shared, &cmd),
        GET_ALL_TOPIC_LIST_FROM_NAMESERVER | GET_TOPICS_BY_CLUSTER => admin::topic_list(shared),
        UPDATE_AND_CREATE_SUBSCRIPTIONGROUP => admin::create_group(shared, &cmd),
        DELETE_SUBSCRIPTIONGROUP => admin::delete_group(shared, &cmd),
        GET_ALL_SUBSCRIPTIONGROUP_CONFIG => admin::all_groups(shared),
        GET_CONSUMER_CONNECTION_LIST => admin::consumer_connections(shared, &cmd),
        GET_CONSUME_STATS => admin::consume_stats(shared, &cmd),
        other => Err(RequestError::coded(
            REQUEST_CODE_NOT_SUPPORTED,
            format!(" request type {other} not supported"),
        )),
    };
    Some(match res {
        Ok(Reply::Command(mut c)) => {
            c.opaque = opaque;
            Outbound::command(&c)
        }
        Ok(Reply::Parts(mut c, parts)) => {
            c.opaque = opaque;
            Outbound::with_parts(&c, parts)
        }
        Err(e) => {
            if e.code() != REQUEST_CODE_NOT_SUPPORTED {
                tracing::debug!(code = cmd.code, error = %e, "request failed");
            }
            Outbound::command(&Command::response(e.code(), opaque).with_remark(e.to_string()))
        }
    })
}
