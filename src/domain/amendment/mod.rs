//! Draft amendments to the Political Declaration (aggregate `Amendment`): proposal, revisions,
//! sponsorship, withdrawal and reintroduction, tabling, conflicts with a changed framework, and
//! the consensus outcome.

mod aggregate;
mod commands;
mod error;
mod events;

pub use aggregate::{
    Amendment, AmendmentStatus, AmendmentTranslation, ConflictRecord, Revision, TabledUnder,
};
pub use commands::{AmendmentCommand, AmendmentCommandKind};
pub use error::AmendmentError;
pub use events::{AmendmentEvent, AmendmentEventKind};

#[cfg(test)]
mod tests;
