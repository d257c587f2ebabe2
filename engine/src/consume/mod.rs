//! Consumption state: consume-queue indexes, committed offsets, pop state, receipt handles, queue locks.

pub mod locks;
pub mod offsets;
pub mod pop_state;
pub mod queue_index;
pub mod receipt;
pub mod registry;
