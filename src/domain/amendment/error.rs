use super::aggregate::AmendmentStatus;
use crate::domain::framework::{Conflict, OpError};
use crate::domain::values::{Id, StateCode};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendmentError {
    #[error("the amendment has not been proposed")]
    NotProposed,
    #[error("the amendment has already been proposed")]
    AlreadyProposed,
    #[error("base version {base_version} does not exist: versions are numbered from 1")]
    InvalidBaseVersion { base_version: u32 },
    #[error("base version {base_version} is older than version {current_base}, which the amendment is already based on")]
    StaleBaseVersion {
        base_version: u32,
        current_base: u32,
    },
    #[error("{0} is listed twice as a co-sponsor")]
    DuplicateCoSponsor(StateCode),
    #[error("{0} is the proposer and cannot also be a co-sponsor")]
    ProposerAsCoSponsor(StateCode),
    #[error("the operations do not apply to version {base_version}: {error}")]
    InvalidOperations { base_version: u32, error: OpError },
    #[error("the amendment is {status} and can no longer be changed")]
    Closed { status: AmendmentStatus },
    #[error("{state} neither proposed nor co-sponsors this amendment")]
    NotASponsor { state: StateCode },
    #[error("only the proposer ({proposer}) may do this, not {state}")]
    NotProposer {
        state: StateCode,
        proposer: StateCode,
    },
    #[error("{state} already sponsors this amendment")]
    AlreadySponsor { state: StateCode },
    #[error("{state} is not a co-sponsor of this amendment")]
    NotACoSponsor { state: StateCode },
    #[error("the amendment is {status}; only a withdrawn amendment can be reintroduced")]
    NotWithdrawn { status: AmendmentStatus },
    #[error("{state} withdrew this amendment; only another State may reintroduce it (rule 122)")]
    ReintroducedBySameState { state: StateCode },
    #[error("the amendment is already tabled under item {agenda_item} of meeting {meeting_id}")]
    AlreadyTabled { meeting_id: Id, agenda_item: u32 },
    #[error("meeting {meeting_id} is not open")]
    MeetingNotOpen { meeting_id: Id },
    #[error("item {agenda_item} of meeting {meeting_id} is procedural; amendments are tabled under substantive items")]
    ItemNotSubstantive { meeting_id: Id, agenda_item: u32 },
    #[error("the amendment is {status}: it must be tabled under an agenda item before a decision")]
    NotTabled { status: AmendmentStatus },
    #[error("the amendment must be revised before a decision: it no longer applies to version {current_version}: {conflict}")]
    InConflict {
        current_version: u32,
        conflict: Conflict,
    },
    #[error(
        "version {current_version} is not newer than the amendment's base version {base_version}"
    )]
    InvalidConflictVersion {
        current_version: u32,
        base_version: u32,
    },
    #[error("revision {revision} does not exist: the amendment has {revisions}")]
    UnknownRevision { revision: u32, revisions: u32 },
    #[error("revision {revision} proposes {expected} wordings (one per operation that inserts or replaces text), but {given} were translated")]
    WordingCount {
        revision: u32,
        expected: usize,
        given: usize,
    },
    #[error("amendments are drafted in English; a translation is into another language")]
    TranslationIntoOriginal,
    #[error("a translation of revision {kept} into this language, by the same hand, is already kept; one of revision {revision} would replace it with an older text")]
    OlderThanKept { revision: u32, kept: u32 },
    #[error("the amendment cannot be rebased on version {new_version}: {conflict}")]
    RebaseConflict {
        new_version: u32,
        conflict: Conflict,
    },
}

impl AmendmentError {
    /// Stable slug, used as the problem+json type.
    pub fn code(&self) -> &'static str {
        match self {
            AmendmentError::NotProposed => "not-proposed",
            AmendmentError::AlreadyProposed => "already-proposed",
            AmendmentError::InvalidBaseVersion { .. } => "invalid-base-version",
            AmendmentError::StaleBaseVersion { .. } => "stale-base-version",
            AmendmentError::DuplicateCoSponsor(_) => "duplicate-co-sponsor",
            AmendmentError::ProposerAsCoSponsor(_) => "proposer-as-co-sponsor",
            AmendmentError::InvalidOperations { .. } => "invalid-operations",
            AmendmentError::Closed { .. } => "amendment-closed",
            AmendmentError::NotASponsor { .. } => "not-a-sponsor",
            AmendmentError::NotProposer { .. } => "not-proposer",
            AmendmentError::AlreadySponsor { .. } => "already-sponsor",
            AmendmentError::NotACoSponsor { .. } => "not-a-co-sponsor",
            AmendmentError::NotWithdrawn { .. } => "not-withdrawn",
            AmendmentError::ReintroducedBySameState { .. } => "reintroduced-by-same-state",
            AmendmentError::AlreadyTabled { .. } => "already-tabled",
            AmendmentError::MeetingNotOpen { .. } => "meeting-not-open",
            AmendmentError::ItemNotSubstantive { .. } => "item-not-substantive",
            AmendmentError::NotTabled { .. } => "not-tabled",
            AmendmentError::InConflict { .. } => "amendment-in-conflict",
            AmendmentError::InvalidConflictVersion { .. } => "invalid-conflict-version",
            AmendmentError::RebaseConflict { .. } => "rebase-conflict",
            AmendmentError::UnknownRevision { .. } => "unknown-revision",
            AmendmentError::WordingCount { .. } => "wording-count",
            AmendmentError::TranslationIntoOriginal => "translation-into-original",
            AmendmentError::OlderThanKept { .. } => "translation-older-than-kept",
        }
    }

    /// True when the refusal is about the amendment's state (HTTP 409), false for bad input (422).
    pub fn is_conflict(&self) -> bool {
        !matches!(
            self,
            AmendmentError::InvalidBaseVersion { .. }
                | AmendmentError::StaleBaseVersion { .. }
                | AmendmentError::DuplicateCoSponsor(_)
                | AmendmentError::ProposerAsCoSponsor(_)
                | AmendmentError::InvalidOperations { .. }
                | AmendmentError::ItemNotSubstantive { .. }
                | AmendmentError::InvalidConflictVersion { .. }
                | AmendmentError::UnknownRevision { .. }
                | AmendmentError::WordingCount { .. }
                | AmendmentError::TranslationIntoOriginal
        )
    }
}
