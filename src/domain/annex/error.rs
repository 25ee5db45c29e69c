use crate::domain::values::Id;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnnexError {
    #[error(
        "links must be http:// or https:// addresses without spaces; link {index} is {link:?}"
    )]
    BadLink { index: usize, link: String },
    #[error("an entry has at most {max} links; {given} were given")]
    TooManyLinks { given: usize, max: usize },
    #[error("there is no entry {0} in the annex")]
    UnknownEntry(Id),
    #[error("entry {0} is already proposed for removal")]
    AlreadyProposedForRemoval(Id),
    #[error("nothing is drafted: the annex as adopted already stands")]
    NothingToAdopt,
    #[error("the decision {decision} was taken at {meeting_id}, which is not a review conference of this body; the annex is adopted by a review conference")]
    NotAReviewConference { meeting_id: Id, decision: String },
    #[error("the decision given ({given}) is not decision {decision_number} of {meeting_id}")]
    DecisionMismatch {
        meeting_id: Id,
        decision_number: u32,
        given: String,
    },
    #[error("decision {0} has already adopted the annex")]
    AlreadyAdoptedBy(String),
    #[error("decision {decision_number} of {meeting_id} is not on the decisions register")]
    UnknownDecision {
        meeting_id: Id,
        decision_number: u32,
    },
}

impl AnnexError {
    /// Stable slug, used as the problem+json `type`.
    pub fn code(&self) -> &'static str {
        match self {
            AnnexError::BadLink { .. } => "bad-link",
            AnnexError::TooManyLinks { .. } => "too-many-links",
            AnnexError::UnknownEntry(_) => "unknown-entry",
            AnnexError::AlreadyProposedForRemoval(_) => "already-proposed-for-removal",
            AnnexError::NothingToAdopt => "nothing-to-adopt",
            AnnexError::NotAReviewConference { .. } => "not-a-review-conference",
            AnnexError::DecisionMismatch { .. } => "decision-mismatch",
            AnnexError::AlreadyAdoptedBy(_) => "already-adopted-by",
            AnnexError::UnknownDecision { .. } => "unknown-decision",
        }
    }

    /// True when the refusal is about the annex as it stands (409), false for invalid input
    /// (422).
    pub fn is_conflict(&self) -> bool {
        match self {
            AnnexError::AlreadyProposedForRemoval(_)
            | AnnexError::NothingToAdopt
            | AnnexError::AlreadyAdoptedBy(_) => true,
            AnnexError::BadLink { .. }
            | AnnexError::TooManyLinks { .. }
            | AnnexError::UnknownEntry(_)
            | AnnexError::NotAReviewConference { .. }
            | AnnexError::DecisionMismatch { .. }
            | AnnexError::UnknownDecision { .. } => false,
        }
    }
}
