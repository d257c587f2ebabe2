//! Link attach and detach: how a terminus becomes a JMS queue consumer, a topic subscription (durable,
//! shared, non-durable), a queue browser, a producer (fixed, anonymous-relay or temporary node) or a
//! transaction coordinator, and what each leaves behind when it goes.

use super::conn::{Cleanup, ConnTask, Consumer, ConsumerKind, Producer};
use crate::codec::descriptor as d;
use crate::codec::{condition, AmqpError, Attach, Source, Target, Value};
use crate::jms::names::{queue_group, subscription_group, subscription_name, topic_for};
use crate::jms::selector::JmsFilter;
use crate::jms::subscriptions::Subscription;
use crate::session::LinkRef;
use mqgate_filter::Dialect;
use std::sync::Arc;

/// Capabilities that make an address a topic.
fn is_topic(caps: &[String]) -> bool {
    caps.iter().any(|c| c == "topic" || c == "temporary-topic")
}

/// The selector and no-local filters of a source, recognised by descriptor (never by map key), and the
/// filter-set entries to echo.
fn read_filters(filter: &Value) -> (Option<String>, bool, Vec<(Value, Value)>) {
    let (mut selector, mut no_local, mut echo) = (None, false, Vec::new());
    if let Value::Map(entries) = filter {
        for (k, v) in entries {
            match v.descriptor_code() {
                Some(d::SELECTOR_FILTER) => {
                    if let Value::Described(_, text) = v {
                        selector = text.as_str().map(str::to_string);
                    }
                    echo.push((k.clone(), v.clone()));
                }
                Some(d::NO_LOCAL_FILTER) => {
                    no_local = true;
                    echo.push((k.clone(), v.clone()));
                }
                _ => {}
            }
        }
    }
    (selector.filter(|s| !s.trim().is_empty()), no_local, echo)
}

impl ConnTask {
    pub(super) async fn on_attach(&mut self, link: LinkRef, a: Box<Attach>) {
        let result = if a.role {
            self.attach_consumer(link, &a)
        } else {
            self.attach_producer(link, &a)
        };
        if let Err(error) = result {
            self.conn
                .answer_attach(link, &a, None, None, Some(error), Vec::new());
        }
    }

    fn temporary_topic(&mut self) -> Result<String, AmqpError> {
        let name = format!("amqp-tmp-{}-{}", self.id, self.broker.next_id());
        self.broker.ensure_topic(&name).map_err(engine_error)?;
        self.temp_topics.push(name.clone());
        Ok(name)
    }

    fn attach_producer(&mut self, link: LinkRef, a: &Attach) -> Result<(), AmqpError> {
        let Some(mut target) = a.target.clone() else {
            return Err(AmqpError::new(
                condition::INVALID_FIELD,
                "a sender needs a target",
            ));
        };
        let producer = if target.coordinator {
            target.capabilities = vec!["amqp:local-transactions".into()];
            Producer {
                topic: None,
                coordinator: true,
                dynamic: false,
            }
        } else if target.dynamic {
            let name = self.temporary_topic()?;
            target.address = Some(name.clone());
            Producer {
                topic: Some(name),
                coordinator: false,
                dynamic: true,
            }
        } else if let Some(address) = &target.address {
            let topic = topic_for(address);
            self.broker.ensure_topic(&topic).map_err(engine_error)?;
            Producer {
                topic: Some(topic),
                coordinator: false,
                dynamic: false,
            }
        } else {
            Producer {
                topic: None,
                coordinator: false,
                dynamic: false,
            }
        };
        self.producers.insert(link, producer);
        self.conn
            .answer_attach(link, a, a.source.clone(), Some(target), None, Vec::new());
        Ok(())
    }

    fn attach_consumer(&mut self, link: LinkRef, a: &Attach) -> Result<(), AmqpError> {
        let Some(mut source) = a.source.clone() else {
            return self.attach_lookup(link, a);
        };
        if source.dynamic {
            let name = self.temporary_topic()?;
            source.address = Some(name);
        }
        let Some(address) = source.address.clone() else {
            return Err(AmqpError::new(
                condition::INVALID_FIELD,
                "a receiver needs a source address",
            ));
        };
        let topic = topic_for(&address);
        self.broker.ensure_topic(&topic).map_err(engine_error)?;
        let (selector_text, no_local, echo) = read_filters(&source.filter);
        let selector = match &selector_text {
            Some(text) => Some(
                self.broker
                    .filters
                    .get_or_compile(Dialect::Jms, true, text)
                    .map_err(|e| {
                        AmqpError::new(condition::INVALID_FIELD, format!("invalid selector: {e}"))
                    })?,
            ),
            None => None,
        };
        let filter = JmsFilter {
            selector,
            no_local: no_local.then(|| self.id.clone()),
        };
        let filter = (!filter.is_empty()).then(|| Arc::new(filter));
        source.filter = if echo.is_empty() {
            Value::Null
        } else {
            Value::Map(echo)
        };
        let mut offered = Vec::new();
        let (kind, group, cleanup) = if is_topic(&source.capabilities) {
            let shared = source.has_capability("shared");
            if shared {
                offered.push("SHARED-SUBS".to_string());
            }
            self.subscribe(
                a,
                &source,
                &address,
                &topic,
                selector_text,
                no_local,
                shared,
            )?
        } else if source.distribution_mode.as_deref() == Some("copy") {
            (
                ConsumerKind::Browser(Default::default()),
                queue_group(&topic),
                Cleanup::Nothing,
            )
        } else {
            (ConsumerKind::Queue, queue_group(&topic), Cleanup::Nothing)
        };
        let presettled = a.snd_settle_mode == 1 || matches!(kind, ConsumerKind::Browser(_));
        self.consumers.insert(
            link,
            Consumer {
                kind,
                group,
                topic,
                filter,
                presettled,
                cleanup,
                fetching: None,
                drain: false,
            },
        );
        self.conn
            .answer_attach(link, a, Some(source), a.target.clone(), None, offered);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn subscribe(
        &mut self,
        a: &Attach,
        source: &Source,
        address: &str,
        topic: &str,
        selector: Option<String>,
        no_local: bool,
        shared: bool,
    ) -> Result<(ConsumerKind, String, Cleanup), AmqpError> {
        let engine = self.broker.engine.clone();
        let durable = source.durable > 0 || source.expiry_policy.as_deref() == Some("never");
        let owner = if source.has_capability("global") || self.container_id.is_empty() {
            "global".to_string()
        } else {
            self.container_id.clone()
        };
        let name = subscription_name(&a.name);
        let wanted = |key: &str, durable: bool| Subscription {
            group: subscription_group(key),
            address: address.to_string(),
            topic: topic.to_string(),
            selector: selector.clone(),
            no_local,
            durable,
            shared,
        };
        if durable {
            let key = format!("{owner}|{name}");
            let want = wanted(&key, true);
            match self.broker.subscriptions.get(&key) {
                Some(existing) if existing == want => {}
                existing => {
                    // A changed topic or selector replaces the subscription (JMS 2 §8.3).
                    if let Some(old) = existing {
                        let _ = engine.forget_group(&old.group);
                    }
                    engine
                        .start_group_at_end(&want.group, topic)
                        .map_err(engine_error)?;
                    self.broker.subscriptions.put(&key, want.clone());
                }
            }
            return Ok((
                ConsumerKind::Subscription,
                want.group,
                Cleanup::Durable(key),
            ));
        }
        if shared {
            let key = format!("volatile|{owner}|{name}");
            let group = match self.broker.subscriptions.get(&key) {
                Some(existing) => existing.group,
                None => {
                    let want = wanted(&key, false);
                    engine
                        .start_group_at_end(&want.group, topic)
                        .map_err(engine_error)?;
                    self.broker.subscriptions.put(&key, want.clone());
                    want.group
                }
            };
            self.broker.subscriptions.attach(&key);
            return Ok((
                ConsumerKind::Subscription,
                group,
                Cleanup::SharedVolatile(key),
            ));
        }
        let group = subscription_group(&format!("{}|{}", self.id, self.broker.next_id()));
        engine
            .start_group_at_end(&group, topic)
            .map_err(engine_error)?;
        Ok((ConsumerKind::Subscription, group, Cleanup::ForgetGroup))
    }

    /// A receiver with a null source: Qpid JMS looking up a durable subscription to unsubscribe it. Answer
    /// with the subscription's source when it exists (the client then closes the link, which deletes it).
    fn attach_lookup(&mut self, link: LinkRef, a: &Attach) -> Result<(), AmqpError> {
        let name = subscription_name(&a.name);
        let global = a.desired_capabilities.iter().any(|c| c == "global");
        let owner = if global || self.container_id.is_empty() {
            "global".to_string()
        } else {
            self.container_id.clone()
        };
        let key = format!("{owner}|{name}");
        let Some(sub) = self.broker.subscriptions.get(&key) else {
            return Err(AmqpError::new(
                condition::NOT_FOUND,
                format!("no subscription {name}"),
            ));
        };
        let mut caps = vec!["topic".to_string()];
        if sub.shared {
            caps.push("shared".into());
            if global {
                caps.push("global".into());
            }
        }
        let source = Source {
            address: Some(sub.address.clone()),
            durable: 2,
            expiry_policy: Some("never".into()),
            distribution_mode: Some("copy".into()),
            capabilities: caps,
            filter: match &sub.selector {
                Some(s) => Value::Map(vec![(
                    Value::sym("jms-selector"),
                    Value::Described(
                        Box::new(Value::Ulong(d::SELECTOR_FILTER)),
                        Box::new(Value::str(s)),
                    ),
                )]),
                None => Value::Null,
            },
            ..Default::default()
        };
        self.consumers.insert(
            link,
            Consumer {
                kind: ConsumerKind::Lookup,
                group: sub.group.clone(),
                topic: sub.topic.clone(),
                filter: None,
                presettled: false,
                cleanup: Cleanup::Durable(key),
                fetching: None,
                drain: false,
            },
        );
        self.conn.answer_attach(
            link,
            a,
            Some(source),
            a.target.clone().or(Some(Target::default())),
            None,
            Vec::new(),
        );
        Ok(())
    }

    /// A link went away: give back what it held and clean up what it owned.
    pub(super) fn on_detached(&mut self, link: LinkRef, closed: bool, unsettled: Vec<u64>) {
        let engine = self.broker.engine.clone();
        for token in unsettled {
            if let Some(f) = self.inflight.remove(&token) {
                let _ = engine.redeliver_now(&f.group, &f.handle);
            }
        }
        if let Some(p) = self.producers.remove(&link) {
            if p.dynamic && closed {
                if let Some(topic) = p.topic {
                    self.delete_temporary(&topic);
                }
            }
        }
        let Some(c) = self.consumers.remove(&link) else {
            return;
        };
        if let Some((_, abort)) = c.fetching {
            abort.abort();
        }
        match c.cleanup {
            Cleanup::Nothing => {}
            Cleanup::ForgetGroup => {
                let _ = engine.forget_group(&c.group);
            }
            Cleanup::SharedVolatile(key) => {
                if self.broker.subscriptions.detach(&key) {
                    self.broker.subscriptions.remove(&key);
                    let _ = engine.forget_group(&c.group);
                }
            }
            Cleanup::Durable(key) if closed => {
                self.broker.subscriptions.remove(&key);
                let _ = engine.forget_group(&c.group);
            }
            Cleanup::Durable(_) => {}
        }
    }
}

pub(super) fn engine_error(e: mqgate_engine::EngineError) -> AmqpError {
    crate::error::AmqpFrontendError::from(e).to_amqp()
}
