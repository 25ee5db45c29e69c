//! The annex of regional initiatives (one record per body): the secretariat drafts entries by
//! organisation (the OSCE's confidence-building measures, the Budapest Convention…), with a
//! description and links, and proposes removals; a decision of a review conference adopts
//! the annex as drafted, and each entry then names the decision that adopted its wording.
//! The annex as adopted at any moment is read like the framework (`app::annex`).

pub mod aggregate;
pub mod commands;
pub mod error;
pub mod events;

pub use aggregate::{Annex, AnnexEntry, EntryText, Pending};
pub use commands::{AnnexCommand, AnnexCommandKind};
pub use error::AnnexError;
pub use events::{AnnexEvent, AnnexEventKind};

#[cfg(test)]
mod tests;
