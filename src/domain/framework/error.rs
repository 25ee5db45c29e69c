use super::text::{Conflict, DeclarationError, OpError};
use crate::domain::values::{DocumentSymbol, Id, ParagraphId, StateCode};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameworkError {
    #[error("the programme has not been established")]
    NotEstablished,
    #[error("the programme has already been established")]
    AlreadyEstablished,
    #[error("the declaration is not well-formed: {0}")]
    InvalidDeclaration(DeclarationError),
    #[error("{0} is listed twice as a co-sponsor")]
    DuplicateCoSponsor(StateCode),
    #[error("the operations do not apply to version {version}: {error}")]
    InvalidOperations { version: u32, error: OpError },
    #[error(
        "base version {base_version} does not exist: the framework is at version {current_version}"
    )]
    UnknownBaseVersion {
        base_version: u32,
        current_version: u32,
    },
    #[error("amendment {amendment_id} was drafted against version {base_version} and no longer applies to version {current_version}: {conflict}")]
    RebaseConflict {
        amendment_id: Id,
        base_version: u32,
        current_version: u32,
        conflict: Conflict,
    },
    #[error("amendment {amendment_id} was already applied (decision {symbol}, version {version})")]
    AmendmentAlreadyApplied {
        amendment_id: Id,
        symbol: DocumentSymbol,
        version: u32,
    },
    #[error("decision {symbol} was already applied, to amendment {amendment_id}")]
    DecisionAlreadyApplied {
        symbol: DocumentSymbol,
        amendment_id: Id,
    },
    #[error("endorsement {symbol} was already recorded with a different date or operations")]
    EndorsementAlreadyRecorded { symbol: DocumentSymbol },
    #[error("paragraph {paragraph} does not exist in the current version")]
    UnknownParagraph { paragraph: ParagraphId },
    #[error("paragraph {paragraph}: English is the original language and cannot be added as a translation")]
    TranslationIntoOriginal { paragraph: ParagraphId },
    #[error("paragraph {paragraph} has no wording version {of_version}: its wording is version {wording_version}")]
    TranslationOfUnknownWording {
        paragraph: ParagraphId,
        of_version: u32,
        wording_version: u32,
    },
    #[error("paragraph {paragraph} was reworded in version {wording_version}; the translation of version {of_version} is out of date")]
    TranslationOutdated {
        paragraph: ParagraphId,
        of_version: u32,
        wording_version: u32,
    },
}

impl FrameworkError {
    /// Stable slug, used as the problem+json type.
    pub fn code(&self) -> &'static str {
        match self {
            FrameworkError::NotEstablished => "not-established",
            FrameworkError::AlreadyEstablished => "already-established",
            FrameworkError::InvalidDeclaration(_) => "invalid-declaration",
            FrameworkError::DuplicateCoSponsor(_) => "duplicate-co-sponsor",
            FrameworkError::InvalidOperations { .. } => "invalid-operations",
            FrameworkError::UnknownBaseVersion { .. } => "unknown-base-version",
            FrameworkError::RebaseConflict { .. } => "rebase-conflict",
            FrameworkError::AmendmentAlreadyApplied { .. } => "amendment-already-applied",
            FrameworkError::DecisionAlreadyApplied { .. } => "decision-already-applied",
            FrameworkError::EndorsementAlreadyRecorded { .. } => "endorsement-already-recorded",
            FrameworkError::UnknownParagraph { .. } => "unknown-paragraph",
            FrameworkError::TranslationIntoOriginal { .. } => "translation-into-original",
            FrameworkError::TranslationOfUnknownWording { .. } => "translation-of-unknown-wording",
            FrameworkError::TranslationOutdated { .. } => "translation-outdated",
        }
    }

    /// True when the refusal is about the framework's state (HTTP 409), false for bad input (422).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            FrameworkError::NotEstablished
                | FrameworkError::AlreadyEstablished
                | FrameworkError::RebaseConflict { .. }
                | FrameworkError::AmendmentAlreadyApplied { .. }
                | FrameworkError::DecisionAlreadyApplied { .. }
                | FrameworkError::EndorsementAlreadyRecorded { .. }
                | FrameworkError::TranslationOutdated { .. }
        )
    }
}
