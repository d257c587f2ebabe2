//! The outbound shell: read a topic as a consumer group (optionally filtered), publish each message to an
//! exchange with publisher confirms, and commit the group's offset only after the confirm — queue by queue, in
//! order. A returned (unroutable, `mandatory`) or nacked publish ends the session; the next one resumes from
//! the committed offsets, so the message is retried, never skipped. Messages that cannot be mapped are copied
//! to the bridge DLQ topic or `%DLQ%<group>` and then skipped.

use crate::config::StartFrom;
use crate::connect::{connect, Session, SessionEnd};
use crate::filter::OutboundFilter;
use crate::mapping::names;
use crate::mapping::outbound::{to_amqp, OutboundMapping};
use crate::status::BridgeStatus;
use crate::BridgeContext;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Confirmation, ExchangeKind, PublisherConfirm};
use mqgate_engine::{Engine, MessageFilter, ReadLimits, ReadStatus, StoredMessage};
use std::collections::VecDeque;
use std::time::Duration;

/// How long a confirm may take before the session is abandoned and resumed.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(30);

/// One publish awaiting its confirm (or a dead-lettered message, settled already, kept for ordering).
struct Pending {
    queue: i32,
    next_offset: i64,
    confirm: Option<PublisherConfirm>,
    id: String,
}

struct Cursor {
    queue: i32,
    /// Next offset to read.
    read: i64,
    /// Last committed offset.
    committed: i64,
    /// Publishes of this queue awaiting confirms.
    pending: usize,
}

pub(crate) async fn session(ctx: &BridgeContext, s: &mut Session) -> SessionEnd {
    let c = &ctx.config;
    let engine = &ctx.engine;
    let group = c.group.clone().unwrap_or_default();
    let exchange = c.exchange.clone().unwrap_or_default();
    let routing_key = c.routing_key.clone().unwrap_or_default();
    let filter = OutboundFilter::from_settings(c.filter.as_deref(), c.tag.as_deref())?;
    let topic = engine
        .topic_or_create(&c.topic)
        .map_err(|e| format!("topic {}: {e}", c.topic))?;
    let conn = connect(c).await?;
    let channel = conn.create_channel().await.map_err(|e| e.to_string())?;
    if !exchange.is_empty() {
        channel
            .exchange_declare(
                exchange.as_str().into(),
                ExchangeKind::Direct,
                ExchangeDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| format!("exchange {exchange} is not usable: {e}"))?;
    }
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    s.connected(ctx);

    let mut cursors: Vec<Cursor> = (0..topic.read_queues as i32)
        .map(|q| {
            let committed = engine
                .committed_offset(&group, &c.topic, q)
                .unwrap_or_else(|| {
                    let start = match c.start_from {
                        StartFrom::Earliest => engine.min_offset(&c.topic, q),
                        StartFrom::Latest => engine.max_offset(&c.topic, q),
                    };
                    engine.commit_offset(&group, &c.topic, q, start);
                    start
                });
            Cursor {
                queue: q,
                read: committed,
                committed,
                pending: 0,
            }
        })
        .collect();
    let mapping = OutboundMapping::from_config(c);
    let mut pending: VecDeque<Pending> = VecDeque::new();
    let mut lag_timer = tokio::time::interval(Duration::from_secs(1));
    let publish_options = BasicPublishOptions {
        mandatory: c.mandatory,
        immediate: false,
    };
    let mut next_queue = 0usize;
    loop {
        // Fill the window from the queues, round robin.
        let mut read_any = false;
        for step in 0..cursors.len() {
            if pending.len() >= c.in_flight {
                break;
            }
            let i = (next_queue + step) % cursors.len();
            let want = c.in_flight - pending.len();
            let cur = &mut cursors[i];
            let r = engine
                .read(
                    &c.topic,
                    cur.queue,
                    cur.read,
                    ReadLimits::messages(want),
                    filter.as_ref().map(|f| f as &dyn MessageFilter),
                )
                .map_err(|e| format!("reading topic {}: {e}", c.topic))?;
            match r.status {
                ReadStatus::Found => {
                    read_any = true;
                    for msg in &r.messages {
                        BridgeStatus::add(&ctx.status.received, 1);
                        let confirm = match to_amqp(&mapping, msg) {
                            Ok(out) => Some(
                                channel
                                    .basic_publish(
                                        exchange.as_str().into(),
                                        routing_key.as_str().into(),
                                        publish_options,
                                        &out.body,
                                        out.properties,
                                    )
                                    .await
                                    .map_err(|e| format!("publish failed: {e}"))?,
                            ),
                            Err(e) => {
                                dead_letter(ctx, engine, &group, msg, &e.to_string()).await?;
                                None
                            }
                        };
                        pending.push_back(Pending {
                            queue: cur.queue,
                            next_offset: msg.queue_offset + 1,
                            confirm,
                            id: msg.msg_id(),
                        });
                        cur.pending += 1;
                    }
                    cur.read = r.next_offset;
                }
                ReadStatus::NoMatchedMessage
                | ReadStatus::OffsetTooSmall
                | ReadStatus::OffsetOverflow => {
                    read_any |= r.next_offset != cur.read;
                    cur.read = r.next_offset;
                }
                ReadStatus::NoNewMessage => {}
            }
        }
        next_queue = (next_queue + 1) % cursors.len().max(1);
        // Filtered-out or skipped stretches with nothing in flight can be committed at once.
        for cur in cursors.iter_mut() {
            if cur.pending == 0 && cur.read > cur.committed {
                cur.committed = cur.read;
                engine.commit_offset(&group, &c.topic, cur.queue, cur.read);
            }
        }
        // Settle confirms: all that are ready, and wait for the oldest when the window is full or idle.
        loop {
            let must_wait = pending.len() >= c.in_flight || !read_any;
            let Some(front) = pending.front_mut() else {
                break;
            };
            let outcome = match front.confirm.as_mut() {
                None => Some(Ok(Confirmation::Ack(None))),
                Some(confirm) if must_wait => {
                    tokio::select! {
                        r = tokio::time::timeout(CONFIRM_TIMEOUT, confirm) => Some(r.map_err(|_| {
                            format!("no publisher confirm within {} s", CONFIRM_TIMEOUT.as_secs())
                        })?),
                        _ = s.stopped() => return stop(ctx, conn, &cursors).await,
                    }
                }
                Some(confirm) => futures_lite::future::poll_once(confirm).await,
            };
            let Some(outcome) = outcome else { break };
            let p = pending.pop_front().ok_or("pending queue emptied")?;
            let settled_by_dlq = p.confirm.is_none();
            match outcome.map_err(|e| format!("publisher confirm failed: {e}"))? {
                Confirmation::Ack(None) | Confirmation::NotRequested => {
                    let cur = cursors
                        .iter_mut()
                        .find(|c| c.queue == p.queue)
                        .ok_or("unknown queue")?;
                    cur.pending -= 1;
                    if p.next_offset > cur.committed {
                        cur.committed = p.next_offset;
                        engine.commit_offset(&group, &c.topic, cur.queue, p.next_offset);
                    }
                    if !settled_by_dlq {
                        BridgeStatus::add(&ctx.status.forwarded, 1);
                    }
                }
                Confirmation::Ack(Some(ret)) | Confirmation::Nack(Some(ret)) => {
                    BridgeStatus::add(&ctx.status.returned, 1);
                    return Err(format!(
                        "message {} was returned by the broker ({} {}); it will be retried",
                        p.id,
                        ret.reply_code,
                        ret.reply_text.as_str()
                    ));
                }
                Confirmation::Nack(None) => {
                    BridgeStatus::add(&ctx.status.returned, 1);
                    return Err(format!(
                        "message {} was nacked by the broker; it will be retried",
                        p.id
                    ));
                }
            }
        }
        if !read_any && pending.is_empty() {
            tokio::select! {
                biased;
                _ = s.stopped() => return stop(ctx, conn, &cursors).await,
                _ = lag_timer.tick() => set_lag(ctx, engine, &cursors),
                _ = s.status_tick() => ctx.status.log(),
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        } else if futures_lite::future::poll_once(lag_timer.tick())
            .await
            .is_some()
        {
            set_lag(ctx, engine, &cursors);
        } else if futures_lite::future::poll_once(s.stopped()).await.is_some() {
            // Stop after this round: everything confirmed so far is committed; the rest is republished later.
            return stop(ctx, conn, &cursors).await;
        }
    }
}

fn set_lag(ctx: &BridgeContext, engine: &Engine, cursors: &[Cursor]) {
    let lag: i64 = cursors
        .iter()
        .map(|c| (engine.max_offset(&ctx.config.topic, c.queue) - c.committed).max(0))
        .sum();
    ctx.status.set_lag(lag);
}

async fn stop(ctx: &BridgeContext, conn: lapin::Connection, cursors: &[Cursor]) -> SessionEnd {
    set_lag(ctx, &ctx.engine, cursors);
    let _ = tokio::time::timeout(
        Duration::from_secs(2),
        conn.close(200, "bridge stopped".into()),
    )
    .await;
    Ok(())
}

/// Copies an unpublishable message to the bridge DLQ topic, or `%DLQ%<group>`.
async fn dead_letter(
    ctx: &BridgeContext,
    engine: &Engine,
    group: &str,
    msg: &StoredMessage,
    reason: &str,
) -> Result<(), String> {
    tracing::warn!(bridge = %ctx.config.name, id = %msg.msg_id(), reason, "message cannot be published; dead-lettered");
    ctx.status
        .set_error(format!("dead-lettered message {}: {reason}", msg.msg_id()));
    match &ctx.config.dlq_topic {
        Some(topic) => {
            let mut m = mqgate_engine::Message::new(topic.clone(), msg.body.clone());
            m.properties = msg.properties.clone();
            m.properties.set(names::DLQ_REASON, reason);
            m.properties.set(names::BRIDGE, ctx.config.name.clone());
            m.born_timestamp = msg.born_timestamp;
            engine.append(m).await.map(|_| ())
        }
        None => engine
            .send_back(group, msg.commit_log_offset, -1, None)
            .await
            .map(|_| ()),
    }
    .map_err(|e| format!("dead-lettering message {}: {e}", msg.msg_id()))?;
    BridgeStatus::add(&ctx.status.dead_lettered, 1);
    Ok(())
}
