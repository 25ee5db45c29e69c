use serde::{Deserialize, Serialize};

use crate::domain::framework::{Section, TranslationOrigin};
use crate::domain::values::{
    ContentHash, Date, DocumentSymbol, FileName, Id, LanguageTag, MediaType, ParagraphId,
    StateCode, Text,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SubmissionKind {
    NationalImplementationReport,
    GapAnalysis,
    /// A national position on how international law applies to the use of ICTs.
    NationalPosition,
    BestPractice,
    /// National views under a General Assembly resolution (e.g. 71/28).
    NationalViews,
    StakeholderWorkingPaper,
}

impl SubmissionKind {
    /// Filed by a State (all but a stakeholder's working paper).
    pub fn by_states(self) -> bool {
        self != SubmissionKind::StakeholderWorkingPaper
    }
}

/// An answer to one question of the body's survey template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyAnswer {
    pub question: Id,
    pub answer: Text,
}

/// A file attached to a submission (the PDF of a national report). The record names its
/// bytes by their SHA-256; the bytes live in the content-addressed table (ADR 23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: FileName,
    pub media_type: MediaType,
    pub sha256: ContentHash,
    pub size: u64,
}

/// Who files: a State, or a stakeholder organisation.
pub use crate::domain::values::Party as Filer;

// `SubmissionCommandKind` is the command without its fields: who may send each is decided
// from it by an exhaustive match (`app::permissions`). Commands of the filer name it in
// `state` (a State) or `organisation` (a stakeholder), exactly one of them.
// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::submissions::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(SubmissionCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum SubmissionCommand {
    Draft {
        submission_id: Id,
        body_id: Id,
        kind: SubmissionKind,
        state: Option<StateCode>,
        organisation: Option<Id>,
        title: Text,
        /// The language the text is written in: the original.
        language: LanguageTag,
        text: Text,
        /// The resolution the views answer, for national views (e.g. A/RES/71/28).
        resolution: Option<DocumentSymbol>,
        /// The framework's sections and paragraphs it concerns.
        sections: Vec<Section>,
        paragraphs: Vec<ParagraphId>,
        /// Topics, for national positions on international law (sovereignty, due diligence…).
        topics: Vec<Text>,
        /// From the body's register: a stakeholder must be accredited to file.
        #[serde(skip_deserializing)]
        accredited: bool,
    },
    /// A new revision of the original text (before publication).
    Revise {
        state: Option<StateCode>,
        organisation: Option<Id>,
        title: Option<Text>,
        text: Text,
    },
    Submit {
        state: Option<StateCode>,
        organisation: Option<Id>,
        #[serde(skip_deserializing)]
        now: Date,
    },
    /// The secretariat publishes a submitted text under the symbol it issues.
    Publish {
        symbol: DocumentSymbol,
        #[serde(skip_deserializing)]
        now: Date,
    },
    Withdraw {
        state: Option<StateCode>,
        organisation: Option<Id>,
        reason: Option<Text>,
        #[serde(skip_deserializing)]
        now: Date,
    },
    /// Answers the body's survey template (a national implementation report, before
    /// publication); replaces earlier answers. `questions` are the template's question ids,
    /// supplied by the application.
    AnswerSurvey {
        state: Option<StateCode>,
        organisation: Option<Id>,
        answers: Vec<SurveyAnswer>,
        #[serde(skip_deserializing)]
        questions: Vec<Id>,
    },
    /// A version in another language, of one revision.
    AddLanguageVersion {
        state: Option<StateCode>,
        organisation: Option<Id>,
        language: LanguageTag,
        text: Text,
        origin: TranslationOrigin,
        of_revision: u32,
    },
    /// Attaches a file, before publication. The application stores the bytes first and
    /// supplies their hash and size; the client sends the bytes, not these fields.
    Attach {
        state: Option<StateCode>,
        organisation: Option<Id>,
        attachment: Attachment,
    },
    /// Takes an attachment off, before publication. Its bytes stay stored: the log names them.
    Detach {
        state: Option<StateCode>,
        organisation: Option<Id>,
        sha256: ContentHash,
    },
}
