//! What happened to the framework. Change events carry the resulting version, the new wording of
//! every changed paragraph and the full numbering, so read models never re-run the operations.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::commands::{DecisionRef, TranslationOrigin};
use super::text::{NumberedParagraph, Operation, Paragraph, SectionHeading};
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, ParagraphId, StateCode, Text};

// Its kinds name every event type there is (the pages' script follows them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(FrameworkEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum FrameworkEvent {
    ProgrammeEstablished {
        body_id: Id,
        name: Text,
        establishing_symbol: DocumentSymbol,
        date: Date,
        co_sponsors: Vec<StateCode>,
        sections: Vec<SectionHeading>,
        paragraphs: Vec<Paragraph>,
        /// Always 1.
        version: u32,
        numbering: Vec<NumberedParagraph>,
    },
    AmendmentApplied {
        decision: DecisionRef,
        amendment_id: Id,
        revision: u32,
        base_version: u32,
        /// True when the framework had moved on since `base_version` and the operations were
        /// applied to the newer text.
        rebased: bool,
        /// The framework version this change produced.
        version: u32,
        operations: Vec<Operation>,
        /// Inserted paragraphs and those whose wording, kind or section changed, as they now read.
        changed: Vec<Paragraph>,
        deleted: Vec<ParagraphId>,
        /// Every paragraph in its new order with its display number.
        numbering: Vec<NumberedParagraph>,
    },
    ExternalEndorsementRecorded {
        symbol: DocumentSymbol,
        date: Date,
        version: u32,
        operations: Vec<Operation>,
        changed: Vec<Paragraph>,
        deleted: Vec<ParagraphId>,
        numbering: Vec<NumberedParagraph>,
    },
    TranslationAdded {
        paragraph: ParagraphId,
        language: LanguageTag,
        origin: TranslationOrigin,
        text: Text,
        /// The paragraph's wording version this translates.
        of_version: u32,
    },
}

impl DomainEvent for FrameworkEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(FrameworkEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("Framework", &self.event_type()).to_string()
    }
}
