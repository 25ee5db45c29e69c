//! A State's national points of contact (the PoA's directory): contacts by role with their
//! channels, nominated, changed and retired by the State's delegates or the secretariat, and
//! the secretariat's periodic pings, which each contact must confirm. One record per State.
//! Visible to States, the secretariat and auditors only (`projections::visibility`).

pub mod aggregate;
pub mod commands;
pub mod error;
pub mod events;

pub use aggregate::{Ping, PointOfContact, PointsOfContact};
pub use commands::{Channel, ChannelKind, ContactCommand, ContactCommandKind, ContactRole};
pub use error::ContactError;
pub use events::{ContactEvent, ContactEventKind};

#[cfg(test)]
mod tests;
