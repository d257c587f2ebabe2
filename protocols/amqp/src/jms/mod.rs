//! The JMS mapping (OASIS "AMQP JMS Mapping", as Qpid JMS implements it) onto the engine: names of topics
//! and groups, message conversion, selectors and the subscription registry. No I/O except the registry
//! file.

pub mod convert;
pub mod names;
pub mod props;
pub mod selector;
pub mod subscriptions;
