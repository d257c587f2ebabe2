//! Telemetry: the bidirectional stream each client opens per endpoint. The client's Settings are answered at
//! once with the server's settings (§4.5); the stream is then kept, one per client id, to push
//! RecoverOrphanedTransactionCommand. A stream that sends no Settings in time, or Settings without publishing
//! or subscription, is closed with INVALID_ARGUMENT.

use super::CallContext;
use crate::codec::resource;
use crate::error::{ok, RpcError, RpcResult};
use crate::pb::settings::PubSub;
use crate::pb::telemetry_command::Command;
use crate::pb::{ClientType, Settings, TelemetryCommand};
use crate::session::clients::{CommandSender, TelemetryStream};
use crate::session::settings_reply::{self, ConsumerDefaults};
use crate::state::Shared;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Status as GrpcStatus, Streaming};

/// The server side of a Telemetry stream.
pub type TelemetryResponse = ReceiverStream<Result<TelemetryCommand, GrpcStatus>>;

/// Commands waiting to be written to one client; a slow client loses pushes, never blocks the server.
const OUTBOX: usize = 64;

fn status_command(e: &RpcError) -> TelemetryCommand {
    TelemetryCommand {
        status: Some(e.to_status()),
        command: None,
    }
}

/// Starts serving a Telemetry stream.
pub fn telemetry(
    shared: Arc<Shared>,
    ctx: RpcResult<CallContext>,
    inbound: Streaming<TelemetryCommand>,
) -> Result<TelemetryResponse, GrpcStatus> {
    let (tx, rx) = mpsc::channel(OUTBOX);
    match ctx {
        Ok(ctx) => {
            tokio::spawn(run(shared, ctx, inbound, tx));
        }
        Err(e) => {
            let _ = tx.try_send(Ok(status_command(&e)));
        }
    }
    Ok(ReceiverStream::new(rx))
}

/// Records a client's Settings and computes the answer.
fn settings_answer(shared: &Shared, ctx: &CallContext, s: &Settings) -> RpcResult<Settings> {
    let kind = settings_reply::client_type(s)?;
    let (group, topics) = match &s.pub_sub {
        Some(PubSub::Subscription(sub)) if kind != ClientType::Producer => {
            let name = resource::group(sub.group.as_ref())?;
            (Some(shared.engine.group_or_create(&name)?), Vec::new())
        }
        Some(PubSub::Publishing(p)) => (
            None,
            p.topics
                .iter()
                .filter_map(|t| resource::topic(Some(t)).ok())
                .collect(),
        ),
        _ => (None, Vec::new()),
    };
    let reply = settings_reply::reply(
        s,
        group.as_ref(),
        shared.engine.config().max_message_size,
        ConsumerDefaults {
            receive_batch_size: 32,
            long_polling: shared.settings.default_long_polling,
        },
    )?;
    shared.clients.register(
        &ctx.client_id,
        kind,
        group.map(|g| g.name),
        topics,
        Instant::now(),
    )?;
    Ok(reply)
}

async fn run(
    shared: Arc<Shared>,
    ctx: CallContext,
    mut inbound: Streaming<TelemetryCommand>,
    tx: CommandSender,
) {
    let mut stream: Option<TelemetryStream> = None;
    let settings_deadline = tokio::time::Instant::now() + shared.settings.settings_timeout;
    loop {
        let closed = stream.as_ref().map(|s| s.closed.clone());
        let next = tokio::select! {
            m = inbound.message() => m,
            _ = async { match &closed { Some(c) => c.notified().await, None => std::future::pending().await } } => {
                tracing::debug!(client = %ctx.client_id, "telemetry stream replaced by a newer one");
                break;
            }
            _ = tokio::time::sleep_until(settings_deadline), if stream.is_none() => {
                let _ = tx.send(Err(GrpcStatus::invalid_argument("no Settings received on the Telemetry stream"))).await;
                break;
            }
        };
        let cmd = match next {
            Ok(Some(cmd)) => cmd,
            Ok(None) => break,
            Err(e) => {
                tracing::debug!(client = %ctx.client_id, error = %e, "telemetry stream ended");
                break;
            }
        };
        shared.clients.touch(&ctx.client_id, Instant::now());
        let Some(Command::Settings(s)) = cmd.command else {
            // Replies to server commands (thread stack traces, verify results) need no answer.
            continue;
        };
        match settings_answer(&shared, &ctx, &s) {
            Ok(reply) => {
                if stream.is_none() {
                    match shared
                        .clients
                        .attach(&ctx.client_id, tx.clone(), Instant::now())
                    {
                        Ok(s) => stream = Some(s),
                        Err(e) => {
                            let _ = tx.send(Ok(status_command(&e))).await;
                            break;
                        }
                    }
                }
                let answer = TelemetryCommand {
                    status: Some(ok()),
                    command: Some(Command::Settings(reply)),
                };
                if tx.send(Ok(answer)).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                tracing::debug!(client = %ctx.client_id, error = %e, "settings refused");
                let _ = tx.send(Ok(status_command(&e))).await;
                let _ = tx.send(Err(GrpcStatus::invalid_argument(e.message))).await;
                break;
            }
        }
    }
    if let Some(s) = stream {
        shared.clients.detach(&ctx.client_id, s.id);
    }
}
