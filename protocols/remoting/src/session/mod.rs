//! The session layer: protocol state that outlives one request — registered clients and groups, their
//! subscriptions and compiled filters. No sockets here; the shell feeds it and acts on what it returns.

pub mod filter;
pub mod registry;
pub mod sql;

pub use filter::SubscriptionFilter;
pub use registry::Registry;
