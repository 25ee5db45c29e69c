use crate::domain::values::{ContentHash, FileName, Id, LanguageTag, StateCode};

use super::commands::SubmissionKind;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmissionError {
    #[error("This submission already exists.")]
    AlreadyDrafted,
    #[error("There is no such submission.")]
    NotDrafted,
    #[error("A submission is filed by one State (state) or one stakeholder (organisation): name exactly one.")]
    OneFiler,
    #[error("A {0:?} is filed by a State, not a stakeholder.")]
    StatesOnly(SubmissionKind),
    #[error("A stakeholder files a working paper; a {0:?} is filed by a State.")]
    StakeholdersFileWorkingPapers(SubmissionKind),
    #[error(
        "{0} is not an accredited stakeholder of this body: only accredited stakeholders file."
    )]
    NotAccredited(Id),
    #[error("Only {filer} acts on this submission.")]
    NotTheFiler { filer: String },
    #[error("National views name the resolution they answer (resolution).")]
    ResolutionMissing,
    #[error("This submission is {0}: it can no longer be {1}.")]
    WrongStatus(&'static str, &'static str),
    #[error("There is no revision {0}; the latest is {1}.")]
    UnknownRevision(u32, u32),
    #[error("The text is in {0:?}: a language version is in another language.")]
    SameLanguage(LanguageTag),
    #[error("{0} is not the filing State.")]
    WrongState(StateCode),
    #[error("Only a national implementation report answers the survey template.")]
    NotAReport,
    #[error("This body has no survey template yet.")]
    NoTemplate,
    #[error("The template has no question {0}.")]
    UnknownQuestion(Id),
    #[error("Question {0} is answered twice.")]
    AnsweredTwice(Id),
    #[error("An attachment holds at least one byte.")]
    EmptyAttachment,
    #[error("This file is already attached, as {0}.")]
    AlreadyAttached(FileName),
    #[error("A submission holds at most {0} attachments.")]
    TooManyAttachments(usize),
    #[error("No attachment {0} is on this submission.")]
    NoSuchAttachment(ContentHash),
}

impl SubmissionError {
    /// Stable slug, used as the problem+json `type`.
    pub fn code(&self) -> &'static str {
        match self {
            SubmissionError::AlreadyDrafted => "submission-exists",
            SubmissionError::NotDrafted => "unknown-submission",
            SubmissionError::OneFiler => "one-filer",
            SubmissionError::StatesOnly(_) => "filed-by-states-only",
            SubmissionError::StakeholdersFileWorkingPapers(_) => "stakeholders-file-working-papers",
            SubmissionError::NotAccredited(_) => "not-accredited",
            SubmissionError::NotTheFiler { .. } => "not-the-filer",
            SubmissionError::ResolutionMissing => "resolution-missing",
            SubmissionError::WrongStatus(..) => "wrong-status",
            SubmissionError::UnknownRevision(..) => "unknown-revision",
            SubmissionError::SameLanguage(_) => "same-language",
            SubmissionError::WrongState(_) => "wrong-state",
            SubmissionError::NotAReport => "not-a-report",
            SubmissionError::NoTemplate => "no-template",
            SubmissionError::UnknownQuestion(_) => "unknown-question",
            SubmissionError::AnsweredTwice(_) => "answered-twice",
            SubmissionError::EmptyAttachment => "empty-attachment",
            SubmissionError::AlreadyAttached(_) => "already-attached",
            SubmissionError::TooManyAttachments(_) => "too-many-attachments",
            SubmissionError::NoSuchAttachment(_) => "unknown-attachment",
        }
    }

    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            SubmissionError::AlreadyDrafted
                | SubmissionError::NotDrafted
                | SubmissionError::WrongStatus(..)
                | SubmissionError::NoTemplate
                | SubmissionError::AlreadyAttached(_)
                | SubmissionError::TooManyAttachments(_)
                | SubmissionError::NoSuchAttachment(_)
        )
    }
}
