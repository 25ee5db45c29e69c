//! A body that meets: a Programme of Action, the Global Mechanism, a working group. It keeps
//! its rules of procedure, its members, observers and accredited stakeholders.

pub mod aggregate;
pub mod commands;
pub mod error;
pub mod events;
pub mod rules;
pub mod work;

pub use aggregate::{
    Accreditation, Body, Stakeholder, DEFAULT_ATTACHMENT_LIMIT, MAX_ATTACHMENT_LIMIT,
};
pub use commands::{
    BodyCommand, BodyCommandKind, DecisionReference, PublicRecord, StakeholderKind,
};
pub use error::BodyError;
pub use events::{BodyEvent, BodyEventKind};
pub use rules::{Fraction, MajorityBasis, MotionKind, ProceduralMajority, RulesOfProcedure, Tally};
pub use work::{WorkItem, WorkItemStatus, WorkItemStep};

#[cfg(test)]
mod tests;
