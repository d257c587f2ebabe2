//! What the connection state machine tells its owner ([`Event`]), how links are named ([`LinkRef`]), its
//! settings ([`ConnectionConfig`]) and the credential check it calls during SASL ([`Authenticator`]).

use crate::codec::{AmqpError, Attach, DecodeLimits, DeliveryState, Value};
use bytes::Bytes;
use std::sync::Arc;

/// Our side of a link: our channel and our handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkRef {
    /// Channel of the session (ours; mqgate uses the peer's channel number).
    pub channel: u16,
    /// Our handle for the link.
    pub handle: u32,
}

/// Something the owner must act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The peer opened the connection.
    Opened {
        /// The peer's container id (JMS clientID when set).
        container_id: String,
        /// Capabilities the peer asked for.
        desired_capabilities: Vec<String>,
        /// The SASL identity, if any.
        user: Option<String>,
    },
    /// The peer attached a link; answer with [`crate::session::Connection::answer_attach`].
    Attach {
        /// Our name for the link.
        link: LinkRef,
        /// The peer's attach (its `role` is the peer's role).
        attach: Box<Attach>,
    },
    /// The peer changed the credit of a link on which we send.
    Credit {
        /// The link.
        link: LinkRef,
        /// Credit now available.
        credit: u32,
        /// Use it all or tell the peer we have nothing ([`crate::session::Connection::drained`]).
        drain: bool,
    },
    /// A complete message arrived on a link on which we receive.
    Message {
        /// The link.
        link: LinkRef,
        /// Delivery id to settle with [`crate::session::Connection::settle_incoming`].
        delivery_id: u32,
        /// True when the peer sent it pre-settled (no disposition expected).
        settled: bool,
        /// Transactional state, when the transfer belongs to a transaction.
        state: Option<DeliveryState>,
        /// The encoded message.
        payload: Bytes,
    },
    /// The peer reported the outcome of one of our deliveries.
    Outcome {
        /// The link it was sent on.
        link: LinkRef,
        /// The token given to [`crate::session::Connection::send_delivery`].
        token: u64,
        /// The outcome (none = settled without one).
        state: Option<DeliveryState>,
    },
    /// The peer detached a link (we have answered).
    Detached {
        /// The link.
        link: LinkRef,
        /// True when the peer closed it (a durable subscription ends), false for a plain detach.
        closed: bool,
        /// Deliveries we sent on it that were never settled: give them back.
        unsettled: Vec<u64>,
    },
    /// The connection is over; unsettled deliveries of every link were reported with `Detached` first.
    Closed {
        /// The error that ended it, if any.
        error: Option<AmqpError>,
    },
}

/// Checks SASL credentials.
pub trait Authenticator: Send + Sync {
    /// True when `user`/`password` may connect. `None` user = ANONYMOUS.
    fn check(&self, user: Option<&str>, password: &[u8]) -> bool;
    /// Offer ANONYMOUS.
    fn allow_anonymous(&self) -> bool;
}

/// Accepts everyone (the default until the gateway has a user store).
#[derive(Debug, Default, Clone, Copy)]
pub struct AllowAll;

impl Authenticator for AllowAll {
    fn check(&self, _user: Option<&str>, _password: &[u8]) -> bool {
        true
    }
    fn allow_anonymous(&self) -> bool {
        true
    }
}

/// Connection settings.
#[derive(Clone)]
pub struct ConnectionConfig {
    /// Our container id.
    pub container_id: String,
    /// Largest frame we accept (and announce), bytes.
    pub max_frame_size: u32,
    /// Highest channel number.
    pub channel_max: u16,
    /// Highest link handle per session.
    pub handle_max: u32,
    /// We close the connection when nothing arrives for this long (ms); announced as idle-time-out / 2.
    pub idle_timeout_ms: u32,
    /// Largest message accepted, bytes.
    pub max_message_size: u64,
    /// Capabilities offered in our open.
    pub offered_capabilities: Vec<String>,
    /// Connection properties of our open (a symbol-keyed map or null).
    pub properties: Value,
    /// Require the SASL layer (a bare AMQP header is refused).
    pub require_sasl: bool,
    /// Credential check.
    pub authenticator: Arc<dyn Authenticator>,
    /// Codec bounds.
    pub limits: DecodeLimits,
    /// Credit granted to a client's sending link, replenished as messages are settled.
    pub incoming_credit: u32,
}

impl std::fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("container_id", &self.container_id)
            .field("max_frame_size", &self.max_frame_size)
            .finish_non_exhaustive()
    }
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            container_id: "mqgate".into(),
            max_frame_size: 256 * 1024,
            channel_max: 255,
            handle_max: 1023,
            idle_timeout_ms: 60_000,
            max_message_size: 4 << 20,
            offered_capabilities: Vec::new(),
            properties: Value::Null,
            require_sasl: false,
            authenticator: Arc::new(AllowAll),
            limits: DecodeLimits::default(),
            incoming_credit: 500,
        }
    }
}
