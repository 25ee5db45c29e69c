//! The Programme's Political Declaration and agreed framework (aggregate `Framework`, one per
//! body), with the text model, amendment operations and word-level diff shared with
//! `Amendment` and the projections.

mod aggregate;
mod commands;
pub mod diff;
mod error;
mod events;
pub mod text;

pub use aggregate::{
    AppliedAmendment, Endorsement, Framework, ParagraphRecord, ParagraphView, Provenance,
    Translation, TranslationView,
};
pub use commands::{DecisionRef, FrameworkCommand, FrameworkCommandKind, TranslationOrigin};
pub use diff::{
    diff, diff_words, DeclarationDiff, ParagraphDiff, ParagraphStatus, SpanKind, WordSpan,
};
pub use error::FrameworkError;
pub use events::{FrameworkEvent, FrameworkEventKind};
pub use text::{
    apply, check_applies, Conflict, Declaration, DeclarationError, NumberedParagraph, OpError,
    Operation, Paragraph, ParagraphKind, Section, SectionHeading,
};

#[cfg(test)]
mod tests;
