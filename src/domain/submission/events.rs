use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::commands::{Attachment, Filer, SubmissionKind, SurveyAnswer};
use crate::domain::framework::{Section, TranslationOrigin};
use crate::domain::values::{
    ContentHash, Date, DocumentSymbol, Id, LanguageTag, ParagraphId, StateCode, Text,
};

// Its kinds name every event type there is (the pages' script follows them all). `state`
// is the filing State, so that a draft is visible to that State before it is public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(SubmissionEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum SubmissionEvent {
    SubmissionDrafted {
        submission_id: Id,
        body_id: Id,
        kind: SubmissionKind,
        filer: Filer,
        state: Option<StateCode>,
        title: Text,
        language: LanguageTag,
        text: Text,
        resolution: Option<DocumentSymbol>,
        sections: Vec<Section>,
        paragraphs: Vec<ParagraphId>,
        topics: Vec<Text>,
    },
    SubmissionRevised {
        state: Option<StateCode>,
        revision: u32,
        title: Text,
        text: Text,
    },
    SubmissionSubmitted {
        state: Option<StateCode>,
        revision: u32,
        on: Date,
    },
    /// Public: carries what is published, so the public record needs nothing else.
    SubmissionPublished {
        symbol: DocumentSymbol,
        revision: u32,
        on: Date,
        kind: SubmissionKind,
        filer: Filer,
        title: Text,
        language: LanguageTag,
        text: Text,
    },
    SubmissionWithdrawn {
        state: Option<StateCode>,
        reason: Option<Text>,
        on: Date,
    },
    LanguageVersionAdded {
        state: Option<StateCode>,
        language: LanguageTag,
        text: Text,
        origin: TranslationOrigin,
        of_revision: u32,
    },
    /// The report's answers to the survey template, replacing earlier ones.
    SurveyAnswered {
        state: Option<StateCode>,
        answers: Vec<SurveyAnswer>,
    },
    /// A file attached; its bytes are in the content-addressed table and in export bundles.
    AttachmentAdded {
        state: Option<StateCode>,
        attachment: Attachment,
    },
    AttachmentRemoved {
        state: Option<StateCode>,
        sha256: ContentHash,
    },
}

impl DomainEvent for SubmissionEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(SubmissionEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("Submission", &self.event_type()).to_string()
    }
}
