//! A body's document registry: the symbols the secretariat issues, following the body's
//! pattern and the series a UN secretariat uses (`PoA/RC.1/2026/1`, `/L.1`, `/CRP.2`,
//! `/INF.1`, `/WP.3`), with their relations (a revision replaces, an addendum adds to, a
//! corrigendum corrects: `/Rev.1`, `/Add.1`, `/Corr.1`), distribution, language versions and
//! what each belongs to; and documents of other processes the record cites (a General
//! Assembly resolution, an OEWG report), registered under their own symbols. One record for
//! the whole house, each document belonging to a body: a symbol is issued once, whichever
//! body issues it, and numbers follow each other without gaps.

pub mod aggregate;
pub mod commands;
pub mod error;
pub mod events;

pub use aggregate::{DocumentRecord, DocumentRegistry};
pub use commands::{
    Distribution, DocumentCommand, DocumentCommandKind, DocumentLink, Relation, Series,
    VersionOrigin,
};
pub use error::DocumentError;
pub use events::{DocumentEvent, DocumentEventKind};

#[cfg(test)]
mod tests;
