//! What can be asked of the framework. Every fact a rule needs (the decision, its date) comes in
//! the command: the aggregate does no I/O.

use serde::{Deserialize, Serialize};

use super::text::{Operation, Paragraph, SectionHeading};
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, ParagraphId, StateCode, Text};

/// A registered decision of a meeting, as the secretariat numbered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRef {
    pub meeting_id: Id,
    pub number: u32,
    pub symbol: DocumentSymbol,
    pub date: Date,
}

impl DecisionRef {
    /// One decision is identified by its meeting and number, and also by its symbol: either
    /// matching means "the same decision" (guards against re-registration under a new number).
    pub fn same_decision(&self, other: &DecisionRef) -> bool {
        (self.meeting_id == other.meeting_id && self.number == other.number)
            || self.symbol == other.symbol
    }
}

/// Who produced a translation. Kept apart: a machine translation never stands in for a human one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TranslationOrigin {
    Human,
    Machine,
}

// The kind of each command, without its fields: what authorization matches on
// (`app::permissions`), so that a new command is a compile error until someone says who
// may send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(FrameworkCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum FrameworkCommand {
    /// Creates the Programme and its Political Declaration (version 1).
    EstablishProgramme {
        body_id: Id,
        name: Text,
        /// E.g. the General Assembly resolution establishing the Programme.
        establishing_symbol: DocumentSymbol,
        /// Date of the establishing decision; the provenance of the original wording.
        date: Date,
        co_sponsors: Vec<StateCode>,
        sections: Vec<SectionHeading>,
        paragraphs: Vec<Paragraph>,
    },
    /// Applies an amendment adopted by consensus. `base_version` is the version its operations
    /// were written against (after any recorded rebase).
    ApplyAdoptedAmendment {
        decision: DecisionRef,
        amendment_id: Id,
        revision: u32,
        base_version: u32,
        operations: Vec<Operation>,
    },
    /// The General Assembly endorsed by consensus the report of another process, changing the
    /// framework. Operations are stated against the current version.
    RecordExternalEndorsement {
        symbol: DocumentSymbol,
        date: Date,
        operations: Vec<Operation>,
    },
    /// Adds (or replaces) the `origin` translation of a paragraph into `language`.
    /// `of_version` is the paragraph's wording version the translator worked from.
    AddTranslation {
        paragraph: ParagraphId,
        language: LanguageTag,
        text: Text,
        origin: TranslationOrigin,
        of_version: u32,
    },
}
