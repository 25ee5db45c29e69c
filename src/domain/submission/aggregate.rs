use serde::{Deserialize, Serialize};

use super::commands::{Attachment, Filer, SubmissionCommand, SubmissionKind, SurveyAnswer};
use super::error::SubmissionError;
use super::events::SubmissionEvent;
use crate::domain::framework::{Section, TranslationOrigin};
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, ParagraphId, StateCode, Text};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmissionStatus {
    #[default]
    Draft,
    Submitted,
    Published,
    Withdrawn,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Published => "published",
            SubmissionStatus::Withdrawn => "withdrawn",
        }
    }
}

/// One revision of the original text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub title: Text,
    pub text: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageVersion {
    pub language: LanguageTag,
    pub text: Text,
    pub origin: TranslationOrigin,
    pub of_revision: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: Option<Id>,
    pub body_id: Option<Id>,
    pub kind: Option<SubmissionKind>,
    pub filer: Option<Filer>,
    pub language: Option<LanguageTag>,
    pub resolution: Option<DocumentSymbol>,
    pub sections: Vec<Section>,
    pub paragraphs: Vec<ParagraphId>,
    pub topics: Vec<Text>,
    pub status: SubmissionStatus,
    /// Revisions 1, 2, … in order.
    pub revisions: Vec<Revision>,
    /// The revision submitted, then published.
    pub submitted_revision: Option<u32>,
    pub submitted_on: Option<Date>,
    pub symbol: Option<DocumentSymbol>,
    pub published_on: Option<Date>,
    /// The latest version in each other language.
    pub versions: Vec<LanguageVersion>,
    /// Answers to the body's survey template (absent from states stored before it).
    #[serde(default)]
    pub answers: Vec<SurveyAnswer>,
    /// Files attached, in the order attached (absent from states stored before them).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// At most this many files on one submission: a report and its annexes, not an archive.
pub const MAX_ATTACHMENTS: usize = 20;

crate::domain::aggregate!(
    Submission,
    "Submission",
    SubmissionCommand,
    SubmissionEvent,
    SubmissionError
);

impl Submission {
    /// Applies an event to the state (the `apply` of its `Aggregate` impl).
    fn apply_event(&mut self, event: SubmissionEvent) {
        use SubmissionEvent as E;
        match event {
            E::SubmissionDrafted {
                submission_id,
                body_id,
                kind,
                filer,
                title,
                language,
                text,
                resolution,
                sections,
                paragraphs,
                topics,
                ..
            } => {
                *self = Submission {
                    id: Some(submission_id),
                    body_id: Some(body_id),
                    kind: Some(kind),
                    filer: Some(filer),
                    language: Some(language),
                    resolution,
                    sections,
                    paragraphs,
                    topics,
                    revisions: vec![Revision { title, text }],
                    ..Submission::default()
                };
            }
            E::SubmissionRevised { title, text, .. } => {
                self.revisions.push(Revision { title, text });
            }
            E::SubmissionSubmitted { revision, on, .. } => {
                self.status = SubmissionStatus::Submitted;
                self.submitted_revision = Some(revision);
                self.submitted_on = Some(on);
            }
            E::SubmissionPublished { symbol, on, .. } => {
                self.status = SubmissionStatus::Published;
                self.symbol = Some(symbol);
                self.published_on = Some(on);
            }
            E::SubmissionWithdrawn { .. } => self.status = SubmissionStatus::Withdrawn,
            E::LanguageVersionAdded {
                language,
                text,
                origin,
                of_revision,
                ..
            } => {
                self.versions
                    .retain(|v| !(v.language == language && v.origin == origin));
                self.versions.push(LanguageVersion {
                    language,
                    text,
                    origin,
                    of_revision,
                });
            }
            E::SurveyAnswered { answers, .. } => self.answers = answers,
            E::AttachmentAdded { attachment, .. } => self.attachments.push(attachment),
            E::AttachmentRemoved { sha256, .. } => self.attachments.retain(|a| a.sha256 != sha256),
        }
    }
}

/// The one filer a command names (`state` or `organisation`).
fn filer_of(state: Option<StateCode>, organisation: Option<Id>) -> Result<Filer, SubmissionError> {
    Filer::named(state, organisation).ok_or(SubmissionError::OneFiler)
}

impl Submission {
    /// The filing State, if a State filed it.
    pub fn state(&self) -> Option<StateCode> {
        match &self.filer {
            Some(Filer::State(s)) => Some(s.clone()),
            _ => None,
        }
    }

    fn latest(&self) -> u32 {
        self.revisions.len() as u32
    }

    fn require_filer(
        &self,
        state: Option<StateCode>,
        organisation: Option<Id>,
    ) -> Result<(), SubmissionError> {
        let Some(filer) = &self.filer else {
            return Err(SubmissionError::NotDrafted);
        };
        if &filer_of(state, organisation)? != filer {
            return Err(SubmissionError::NotTheFiler {
                filer: match filer {
                    Filer::State(s) => format!("a delegate of {s} (state)"),
                    Filer::Organisation(o) => format!("the stakeholder {o} (organisation)"),
                },
            });
        }
        Ok(())
    }

    fn require_status(
        &self,
        allowed: &[SubmissionStatus],
        doing: &'static str,
    ) -> Result<(), SubmissionError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(SubmissionError::WrongStatus(self.status.as_str(), doing))
        }
    }

    pub fn decide(
        &self,
        command: SubmissionCommand,
    ) -> Result<Vec<SubmissionEvent>, SubmissionError> {
        use SubmissionCommand as C;
        use SubmissionEvent as E;
        use SubmissionStatus as S;
        if self.filer.is_none() && !matches!(command, C::Draft { .. }) {
            return Err(SubmissionError::NotDrafted);
        }
        match command {
            C::Draft {
                submission_id,
                body_id,
                kind,
                state,
                organisation,
                title,
                language,
                text,
                resolution,
                sections,
                paragraphs,
                topics,
                accredited,
            } => {
                if self.filer.is_some() {
                    return Err(SubmissionError::AlreadyDrafted);
                }
                let filer = filer_of(state.clone(), organisation)?;
                match &filer {
                    Filer::State(_) if !kind.by_states() => {
                        return Err(SubmissionError::StatesOnly(kind))
                    }
                    Filer::Organisation(_) if kind.by_states() => {
                        return Err(SubmissionError::StakeholdersFileWorkingPapers(kind))
                    }
                    Filer::Organisation(o) if !accredited => {
                        return Err(SubmissionError::NotAccredited(o.clone()))
                    }
                    _ => {}
                }
                if kind == SubmissionKind::NationalViews && resolution.is_none() {
                    return Err(SubmissionError::ResolutionMissing);
                }
                Ok(vec![E::SubmissionDrafted {
                    submission_id,
                    body_id,
                    kind,
                    filer,
                    state,
                    title,
                    language,
                    text,
                    resolution,
                    sections,
                    paragraphs,
                    topics,
                }])
            }
            C::Revise {
                state,
                organisation,
                title,
                text,
            } => {
                self.require_filer(state, organisation)?;
                self.require_status(&[S::Draft], "revised (only a draft is)")?;
                let title = title.unwrap_or_else(|| {
                    self.revisions
                        .last()
                        .map(|r| r.title.clone())
                        .unwrap_or_else(|| text.clone())
                });
                Ok(vec![E::SubmissionRevised {
                    state: self.state(),
                    revision: self.latest() + 1,
                    title,
                    text,
                }])
            }
            C::Submit {
                state,
                organisation,
                now,
            } => {
                self.require_filer(state, organisation)?;
                self.require_status(&[S::Draft], "submitted")?;
                Ok(vec![E::SubmissionSubmitted {
                    state: self.state(),
                    revision: self.latest(),
                    on: now,
                }])
            }
            C::Publish { symbol, now } => {
                self.require_status(&[S::Submitted], "published (only a submitted text is)")?;
                let revision = self.submitted_revision.unwrap_or(self.latest());
                let r = &self.revisions[(revision.max(1) - 1) as usize];
                Ok(vec![E::SubmissionPublished {
                    symbol,
                    revision,
                    on: now,
                    kind: self.kind.unwrap_or(SubmissionKind::BestPractice),
                    filer: self.filer.clone().ok_or(SubmissionError::NotDrafted)?,
                    title: r.title.clone(),
                    language: self.language.unwrap_or(LanguageTag::En),
                    text: r.text.clone(),
                }])
            }
            C::Withdraw {
                state,
                organisation,
                reason,
                now,
            } => {
                self.require_filer(state, organisation)?;
                self.require_status(&[S::Draft, S::Submitted, S::Published], "withdrawn")?;
                Ok(vec![E::SubmissionWithdrawn {
                    state: self.state(),
                    reason,
                    on: now,
                }])
            }
            C::AnswerSurvey {
                state,
                organisation,
                answers,
                questions,
            } => {
                self.require_filer(state, organisation)?;
                if self.kind != Some(SubmissionKind::NationalImplementationReport) {
                    return Err(SubmissionError::NotAReport);
                }
                self.require_status(&[S::Draft, S::Submitted], "answered")?;
                if questions.is_empty() {
                    return Err(SubmissionError::NoTemplate);
                }
                for (i, a) in answers.iter().enumerate() {
                    if !questions.contains(&a.question) {
                        return Err(SubmissionError::UnknownQuestion(a.question.clone()));
                    }
                    if answers[..i].iter().any(|b| b.question == a.question) {
                        return Err(SubmissionError::AnsweredTwice(a.question.clone()));
                    }
                }
                Ok(vec![E::SurveyAnswered {
                    state: self.state(),
                    answers,
                }])
            }
            C::AddLanguageVersion {
                state,
                organisation,
                language,
                text,
                origin,
                of_revision,
            } => {
                self.require_filer(state, organisation)?;
                self.require_status(&[S::Draft, S::Submitted, S::Published], "translated")?;
                if Some(language) == self.language {
                    return Err(SubmissionError::SameLanguage(language));
                }
                if of_revision == 0 || of_revision > self.latest() {
                    return Err(SubmissionError::UnknownRevision(of_revision, self.latest()));
                }
                Ok(vec![E::LanguageVersionAdded {
                    state: self.state(),
                    language,
                    text,
                    origin,
                    of_revision,
                }])
            }
            C::Attach {
                state,
                organisation,
                attachment,
            } => {
                self.require_filer(state, organisation)?;
                self.require_status(
                    &[S::Draft, S::Submitted],
                    "attached to (only before publication)",
                )?;
                if attachment.size == 0 {
                    return Err(SubmissionError::EmptyAttachment);
                }
                if let Some(a) = self
                    .attachments
                    .iter()
                    .find(|a| a.sha256 == attachment.sha256)
                {
                    return Err(SubmissionError::AlreadyAttached(a.name.clone()));
                }
                if self.attachments.len() >= MAX_ATTACHMENTS {
                    return Err(SubmissionError::TooManyAttachments(MAX_ATTACHMENTS));
                }
                Ok(vec![E::AttachmentAdded {
                    state: self.state(),
                    attachment,
                }])
            }
            C::Detach {
                state,
                organisation,
                sha256,
            } => {
                self.require_filer(state, organisation)?;
                self.require_status(
                    &[S::Draft, S::Submitted],
                    "changed (only before publication)",
                )?;
                if !self.attachments.iter().any(|a| a.sha256 == sha256) {
                    return Err(SubmissionError::NoSuchAttachment(sha256));
                }
                Ok(vec![E::AttachmentRemoved {
                    state: self.state(),
                    sha256,
                }])
            }
        }
    }
}
