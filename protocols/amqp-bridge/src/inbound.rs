//! The inbound shell: consume an AMQP 0-9-1 queue and append to an mqgate topic. A delivery is acked only after
//! the engine has stored it (fsynced in `sync` flush mode); anything unacked when the connection drops is
//! redelivered by the broker, so nothing is lost and duplicates carry the same message id. Unmappable
//! messages go to the bridge's DLQ topic, or are nacked without requeue (the queue's dead-letter exchange).

use crate::connect::{connect, Session, SessionEnd};
use crate::mapping::inbound::{to_engine, InboundMapping, Incoming};
use crate::mapping::names;
use crate::status::BridgeStatus;
use crate::BridgeContext;
use futures_lite::StreamExt;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::Channel;
use mqgate_engine::{EngineError, Message};
use std::time::Duration;

/// Runs one connection's worth of consuming; returns when stopped or on the first error.
pub(crate) async fn session(ctx: &BridgeContext, s: &mut Session) -> SessionEnd {
    let c = &ctx.config;
    let conn = connect(c).await?;
    let channel = conn.create_channel().await.map_err(|e| e.to_string())?;
    ctx.engine
        .topic_or_create(&c.topic)
        .map_err(|e| format!("topic {}: {e}", c.topic))?;
    let queue = c.source_queue();
    let declared = match (&c.exchange, &c.binding_key) {
        (Some(x), Some(key)) if c.queue.is_none() => {
            let q = channel
                .queue_declare(
                    queue.as_str().into(),
                    QueueDeclareOptions::durable(),
                    FieldTable::default(),
                )
                .await
                .map_err(|e| format!("declaring queue {queue}: {e}"))?;
            channel
                .queue_bind(
                    queue.as_str().into(),
                    x.as_str().into(),
                    key.as_str().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(|e| format!("binding queue {queue} to exchange {x}: {e}"))?;
            q
        }
        _ => passive(&channel, &queue).await?,
    };
    ctx.status.set_lag(declared.message_count() as i64);
    channel
        .basic_qos(c.prefetch, BasicQosOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut consumer = channel
        .basic_consume(
            queue.as_str().into(),
            format!("mqgate-bridge-{}", c.name).into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(|e| format!("consuming queue {queue}: {e}"))?;
    s.connected(ctx);
    let mapping = InboundMapping::from_config(c);
    let mut lag_timer = tokio::time::interval(Duration::from_secs(5));
    let max_batch = (c.prefetch as usize).clamp(1, 512);
    loop {
        tokio::select! {
            biased;
            _ = s.stopped() => {
                let _ = conn.close(200, "bridge stopped".into()).await;
                return Ok(());
            }
            next = consumer.next() => {
                let first = match next {
                    Some(Ok(d)) => d,
                    Some(Err(e)) => return Err(format!("consumer failed: {e}")),
                    None => return Err(format!("the broker cancelled the consumer of queue {queue}")),
                };
                let mut batch = vec![first];
                while batch.len() < max_batch {
                    match futures_lite::future::poll_once(consumer.next()).await {
                        Some(Some(Ok(d))) => batch.push(d),
                        Some(Some(Err(e))) => return Err(format!("consumer failed: {e}")),
                        _ => break,
                    }
                }
                store_batch(ctx, &channel, &mapping, batch).await?;
            }
            _ = lag_timer.tick() => {
                if let Ok(q) = passive(&channel, &queue).await {
                    ctx.status.set_lag(q.message_count() as i64);
                }
            }
            _ = s.status_tick() => ctx.status.log(),
        }
    }
}

async fn passive(channel: &Channel, queue: &str) -> Result<lapin::Queue, String> {
    channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                passive: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .map_err(|e| {
            let text = e.to_string();
            if text.contains("NOT_FOUND") || text.contains("404") {
                format!("queue {queue} does not exist: {text}")
            } else {
                format!("checking queue {queue}: {text}")
            }
        })
}

/// Maps, stores and settles one batch of deliveries.
async fn store_batch(
    ctx: &BridgeContext,
    channel: &Channel,
    mapping: &InboundMapping,
    batch: Vec<Delivery>,
) -> Result<(), String> {
    let status = &ctx.status;
    BridgeStatus::add(&status.received, batch.len() as u64);
    let mut good: Vec<(u64, Message)> = Vec::with_capacity(batch.len());
    let mut bad: Vec<(&Delivery, String)> = Vec::new();
    for d in &batch {
        let inc = Incoming {
            exchange: d.exchange.as_str(),
            routing_key: d.routing_key.as_str(),
            redelivered: d.redelivered,
            properties: &d.properties,
            body: &d.data,
        };
        match to_engine(mapping, &inc) {
            Ok(m) => good.push((d.delivery_tag, m)),
            Err(e) => bad.push((d, e.to_string())),
        }
    }
    let max = ctx.engine.config().max_message_size;
    if !good.is_empty() {
        let tags: Vec<u64> = good.iter().map(|(t, _)| *t).collect();
        let msgs: Vec<Message> = good.iter().map(|(_, m)| m.clone()).collect();
        match ctx.engine.append_batch(msgs).await {
            Ok(_) => {}
            Err(EngineError::IllegalMessage(_)) => {
                // One of them is illegal (too large with its properties, say): store them one by one.
                let mut kept = Vec::new();
                for (tag, m) in good.drain(..) {
                    match ctx.engine.append(m).await {
                        Ok(_) => kept.push(tag),
                        Err(EngineError::IllegalMessage(reason)) => {
                            if let Some(d) = batch.iter().find(|d| d.delivery_tag == tag) {
                                bad.push((d, format!("the engine refused it: {reason}")));
                            }
                        }
                        Err(e) => return Err(format!("storing into topic {}: {e}", mapping.topic)),
                    }
                }
                return settle(ctx, channel, &kept, bad, max).await;
            }
            Err(e) => return Err(format!("storing into topic {}: {e}", mapping.topic)),
        }
        return settle(ctx, channel, &tags, bad, max).await;
    }
    settle(ctx, channel, &[], bad, max).await
}

/// Dead-letters the bad deliveries, then acks the stored ones (one multiple ack when nothing was bad).
async fn settle(
    ctx: &BridgeContext,
    channel: &Channel,
    stored: &[u64],
    bad: Vec<(&Delivery, String)>,
    max_message_size: usize,
) -> Result<(), String> {
    let status = &ctx.status;
    for (d, reason) in &bad {
        tracing::warn!(bridge = %ctx.config.name, delivery_tag = d.delivery_tag, reason = %reason, "unmappable message dead-lettered");
        status.set_error(format!("dead-lettered a message: {reason}"));
        let to_topic = ctx
            .config
            .dlq_topic
            .as_ref()
            .map(|t| dlq_message(t, d, reason, &ctx.config.name, max_message_size));
        match to_topic {
            Some(m) => {
                ctx.engine
                    .append(m)
                    .await
                    .map_err(|e| format!("storing into the DLQ topic: {e}"))?;
                channel
                    .basic_ack(d.delivery_tag, BasicAckOptions::default())
                    .await
                    .map_err(|e| e.to_string())?;
            }
            None => {
                channel
                    .basic_nack(
                        d.delivery_tag,
                        BasicNackOptions {
                            multiple: false,
                            requeue: false,
                        },
                    )
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        BridgeStatus::add(&status.dead_lettered, 1);
    }
    if bad.is_empty() {
        if let Some(last) = stored.iter().max() {
            channel
                .basic_ack(*last, BasicAckOptions { multiple: true })
                .await
                .map_err(|e| e.to_string())?;
        }
    } else {
        for tag in stored {
            channel
                .basic_ack(*tag, BasicAckOptions::default())
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    BridgeStatus::add(&status.forwarded, stored.len() as u64);
    Ok(())
}

/// A bridge DLQ record: the original body (cut to the engine limit) and why it was refused.
fn dlq_message(topic: &str, d: &Delivery, reason: &str, bridge: &str, max: usize) -> Message {
    let keep = d.data.len().min(max.saturating_sub(64 << 10));
    let mut m = Message::new(topic, bytes::Bytes::copy_from_slice(&d.data[..keep]));
    let clean = |s: &str| s.replace(['\u{1}', '\u{2}'], " ");
    m.properties.set(names::DLQ_REASON, clean(reason));
    m.properties.set(names::BRIDGE, bridge);
    m.properties
        .set(names::EXCHANGE, clean(d.exchange.as_str()));
    m.properties
        .set(names::ROUTING_KEY, clean(d.routing_key.as_str()));
    if keep < d.data.len() {
        m.properties
            .set("BRIDGE_DLQ_ORIGINAL_SIZE", d.data.len().to_string());
    }
    if let Some(id) = d.properties.message_id() {
        m.properties
            .set(mqgate_engine::keys::UNIQ_KEY, clean(id.as_str()));
    }
    m
}
