//! What States and stakeholders file: national implementation reports, gap analyses,
//! national positions on how international law applies, best practices, national views under
//! a General Assembly resolution, stakeholders' working papers. One record per submission:
//! drafted and revised by its filer, submitted, published by the secretariat under a
//! document symbol, or withdrawn; each revision and each language version kept.

pub mod aggregate;
pub mod commands;
pub mod error;
pub mod events;

pub use aggregate::{LanguageVersion, Revision, Submission, SubmissionStatus, MAX_ATTACHMENTS};
pub use commands::{
    Attachment, Filer, SubmissionCommand, SubmissionCommandKind, SubmissionKind, SurveyAnswer,
};
pub use error::SubmissionError;
pub use events::{SubmissionEvent, SubmissionEventKind};

#[cfg(test)]
mod tests;
