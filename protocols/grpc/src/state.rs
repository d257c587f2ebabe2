//! State shared by every gRPC connection of one gateway: the engine, settings, known clients, auto-renewals and
//! the filter cache, plus the background tasks that act on time and engine events (renew invisible deliveries,
//! push transaction checks to producers, forget idle clients). Tasks hold a weak reference and end with it.

use crate::codec::message_in::InboundLimits;
use crate::codec::message_out::{self, DeliveryInfo};
use crate::codec::resource;
use crate::pb::{
    telemetry_command::Command, RecoverOrphanedTransactionCommand, Resource, TelemetryCommand,
};
use crate::session::clients::Clients;
use crate::session::renew::Renewals;
use crate::settings::GrpcSettings;
use mqgate_engine::{keys, Engine, EngineEvent, StoredMessage};
use mqgate_filter::FilterCache;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Everything connections share.
pub struct Shared {
    /// The storage engine.
    pub engine: Arc<Engine>,
    /// Limits and timings.
    pub settings: GrpcSettings,
    /// Known clients and their Telemetry streams.
    pub clients: Clients,
    /// Push-consumer deliveries under auto-renewal.
    pub renewals: Renewals,
    /// Compiled SQL92 filters.
    pub filters: FilterCache,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("clients", &self.clients.len())
            .field("renewals", &self.renewals.len())
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Creates the shared state and starts its background tasks on the current runtime.
    pub fn start(engine: Arc<Engine>, settings: GrpcSettings) -> Arc<Shared> {
        let events = engine.subscribe();
        let shared = Arc::new(Shared {
            clients: Clients::new(settings.max_clients),
            renewals: Renewals::new(settings.max_renewals),
            filters: FilterCache::new(FilterCache::DEFAULT_CAPACITY, Default::default()),
            engine,
            settings,
        });
        tokio::spawn(renew_loop(Arc::downgrade(&shared)));
        tokio::spawn(sweep_loop(Arc::downgrade(&shared)));
        tokio::spawn(transaction_checks(Arc::downgrade(&shared), events));
        shared
    }

    /// Limits applied to produced messages.
    pub fn inbound_limits(&self) -> InboundLimits {
        InboundLimits {
            max_body: self.engine.config().max_message_size,
            max_user_properties: self.settings.max_user_properties,
            max_delivery_delay_ms: self.settings.max_delivery_delay.as_millis() as i64,
        }
    }

    /// Renews every auto-renewed delivery close to its deadline once.
    pub fn renew_due(&self) {
        let s = &self.settings;
        let invisible = s.auto_renew_invisible.as_millis() as i64;
        let now = self.engine.now_ms();
        for (original, group, current) in
            self.renewals
                .due(now, invisible / 3, s.auto_renew_max.as_millis() as i64)
        {
            match self.engine.change_invisible(&group, &current, invisible) {
                Ok(new_handle) => self
                    .renewals
                    .renewed(&original, new_handle, now + invisible),
                Err(e) => {
                    tracing::debug!(error = %e, "auto-renewal stopped");
                    self.renewals.forget(&original);
                }
            }
        }
    }

    /// Pushes a transaction check to a producer of the half message's topic, if one is connected.
    pub fn push_transaction_check(&self, half: &StoredMessage) -> bool {
        let topic = half
            .property(keys::REAL_TOPIC)
            .unwrap_or(&half.topic)
            .to_string();
        let Some(tx) = self.clients.producers_of(&topic).into_iter().next() else {
            return false;
        };
        let name = Resource {
            resource_namespace: String::new(),
            name: topic,
        };
        let message = message_out::to_pb(
            half,
            resource::resource(&name, &name.name),
            DeliveryInfo::default(),
        );
        let cmd = TelemetryCommand {
            status: None,
            command: Some(Command::RecoverOrphanedTransactionCommand(
                RecoverOrphanedTransactionCommand {
                    message: Some(message),
                    transaction_id: half.offset_msg_id(),
                },
            )),
        };
        tx.try_send(Ok(cmd)).is_ok()
    }
}

async fn renew_loop(weak: Weak<Shared>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    loop {
        every.tick().await;
        let Some(shared) = weak.upgrade() else { break };
        shared.renew_due();
    }
}

async fn sweep_loop(weak: Weak<Shared>) {
    let mut every = tokio::time::interval(Duration::from_secs(10));
    loop {
        every.tick().await;
        let Some(shared) = weak.upgrade() else { break };
        for id in shared
            .clients
            .sweep(Instant::now(), shared.settings.client_idle)
        {
            shared.renewals.forget_client(&id);
        }
    }
}

async fn transaction_checks(weak: Weak<Shared>, mut events: broadcast::Receiver<EngineEvent>) {
    loop {
        match events.recv().await {
            Ok(EngineEvent::TransactionCheck { half, .. }) => {
                let Some(shared) = weak.upgrade() else { break };
                if shared.push_transaction_check(&half) {
                    tracing::debug!(
                        offset = half.commit_log_offset,
                        "transaction check pushed to a gRPC producer"
                    );
                }
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(
                    missed = n,
                    "transaction checks missed; the engine asks again later"
                );
            }
            Err(broadcast::error::RecvError::Closed) => break,
        }
        if weak.strong_count() == 0 {
            break;
        }
    }
}
