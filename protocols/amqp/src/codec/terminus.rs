//! Link terminus types: `source`, `target` and the transaction `coordinator`, to and from [`Value`].

use super::descriptor as d;
use super::fields::{composite, opt, symbol_array, Fields};
use super::value::Value;

/// A link's source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    /// Node address.
    pub address: Option<String>,
    /// 0 none, 1 configuration, 2 unsettled-state.
    pub durable: u32,
    /// `link-detach`, `session-end`, `connection-close`, `never`.
    pub expiry_policy: Option<String>,
    /// Seconds to keep the terminus after its expiry policy triggers.
    pub timeout: u32,
    /// Ask the peer to create a node.
    pub dynamic: bool,
    /// Properties of the dynamic node (lifetime policy …).
    pub dynamic_node_properties: Value,
    /// `move` (queue-like) or `copy` (browse / topic).
    pub distribution_mode: Option<String>,
    /// Filter set: map of symbol → described filter.
    pub filter: Value,
    /// Outcome applied to unsettled deliveries at link end.
    pub default_outcome: Value,
    /// Outcomes the receiver supports.
    pub outcomes: Value,
    /// Capabilities (`queue`, `topic`, `shared`, `global`, `temporary-queue` …).
    pub capabilities: Vec<String>,
}

impl Source {
    /// Decodes it; `null` → `None`.
    pub fn from_value(v: &Value) -> Option<Source> {
        let f = Fields::of(v, d::SOURCE)?;
        Some(Source {
            address: f.string(0),
            durable: f.u32(1).unwrap_or(0),
            expiry_policy: f.string(2),
            timeout: f.u32(3).unwrap_or(0),
            dynamic: f.bool(4).unwrap_or(false),
            dynamic_node_properties: f.get(5).clone(),
            distribution_mode: f.string(6),
            filter: f.get(7).clone(),
            default_outcome: f.get(8).clone(),
            outcomes: f.get(9).clone(),
            capabilities: f.symbols(10),
        })
    }
    /// Encodes it.
    pub fn to_value(&self) -> Value {
        composite(
            d::SOURCE,
            vec![
                opt(self.address.as_deref(), Value::str),
                Value::Uint(self.durable),
                opt(self.expiry_policy.as_deref(), Value::sym),
                Value::Uint(self.timeout),
                Value::Bool(self.dynamic),
                self.dynamic_node_properties.clone(),
                opt(self.distribution_mode.as_deref(), Value::sym),
                self.filter.clone(),
                self.default_outcome.clone(),
                self.outcomes.clone(),
                symbol_array(&self.capabilities),
            ],
        )
    }
    /// True when the capability is present.
    pub fn has_capability(&self, cap: &str) -> bool {
        self.capabilities.iter().any(|c| c == cap)
    }
}

/// A link's target, or a transaction coordinator.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    /// Node address.
    pub address: Option<String>,
    /// 0 none, 1 configuration, 2 unsettled-state.
    pub durable: u32,
    /// Expiry policy.
    pub expiry_policy: Option<String>,
    /// Seconds.
    pub timeout: u32,
    /// Ask the peer to create a node (temporary queue / topic).
    pub dynamic: bool,
    /// Properties of the dynamic node.
    pub dynamic_node_properties: Value,
    /// Capabilities.
    pub capabilities: Vec<String>,
    /// True for a `coordinator` (transactions); only `capabilities` is meaningful then.
    pub coordinator: bool,
}

impl Target {
    /// Decodes a target or coordinator; `null` → `None`.
    pub fn from_value(v: &Value) -> Option<Target> {
        if let Some(f) = Fields::of(v, d::COORDINATOR) {
            return Some(Target {
                capabilities: f.symbols(0),
                coordinator: true,
                ..Default::default()
            });
        }
        let f = Fields::of(v, d::TARGET)?;
        Some(Target {
            address: f.string(0),
            durable: f.u32(1).unwrap_or(0),
            expiry_policy: f.string(2),
            timeout: f.u32(3).unwrap_or(0),
            dynamic: f.bool(4).unwrap_or(false),
            dynamic_node_properties: f.get(5).clone(),
            capabilities: f.symbols(6),
            coordinator: false,
        })
    }
    /// Encodes it.
    pub fn to_value(&self) -> Value {
        if self.coordinator {
            return composite(d::COORDINATOR, vec![symbol_array(&self.capabilities)]);
        }
        composite(
            d::TARGET,
            vec![
                opt(self.address.as_deref(), Value::str),
                Value::Uint(self.durable),
                opt(self.expiry_policy.as_deref(), Value::sym),
                Value::Uint(self.timeout),
                Value::Bool(self.dynamic),
                self.dynamic_node_properties.clone(),
                symbol_array(&self.capabilities),
            ],
        )
    }
    /// True when the capability is present.
    pub fn has_capability(&self, cap: &str) -> bool {
        self.capabilities.iter().any(|c| c == cap)
    }
}
