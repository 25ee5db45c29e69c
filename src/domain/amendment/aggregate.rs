use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::commands::AmendmentCommand;
use super::error::AmendmentError;
use super::events::AmendmentEvent;
use crate::domain::framework::{
    diff, text, Conflict, DecisionRef, Declaration, FrameworkCommand, Operation, ParagraphDiff,
    TranslationOrigin,
};
use crate::domain::values::{Date, Id, LanguageTag, StateCode, Text};

/// draft → tabled → adopted | no_consensus; draft/tabled → withdrawn → (reintroduced) draft.
/// `InConflict` overlays draft/tabled while the text it amends has changed under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentStatus {
    Draft,
    Tabled,
    InConflict,
    Adopted,
    NoConsensus,
    Withdrawn,
}

impl fmt::Display for AmendmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AmendmentStatus::Draft => "a draft",
            AmendmentStatus::Tabled => "tabled",
            AmendmentStatus::InConflict => "in conflict",
            AmendmentStatus::Adopted => "adopted",
            AmendmentStatus::NoConsensus => "not adopted (no consensus)",
            AmendmentStatus::Withdrawn => "withdrawn",
        })
    }
}

/// The lifecycle without the conflict overlay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stage {
    #[default]
    Draft,
    Tabled,
    Adopted,
    NoConsensus,
    Withdrawn,
}

/// Every revision is kept, numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub number: u32,
    pub by: StateCode,
    pub title: Text,
    pub base_version: u32,
    pub operations: Vec<Operation>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabledUnder {
    pub meeting_id: Id,
    pub agenda_item: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictRecord {
    pub current_version: u32,
    pub conflict: Conflict,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Amendment {
    proposed: bool,
    framework_id: Option<Id>,
    stage: Stage,
    proposer: Option<StateCode>,
    co_sponsors: Vec<StateCode>,
    revisions: Vec<Revision>,
    /// The version the current operations apply to: the latest revision's base, or later after
    /// a recorded rebase.
    base_version: u32,
    tabled_under: Option<TabledUnder>,
    conflict: Option<ConflictRecord>,
    decision: Option<DecisionRef>,
    no_consensus: Option<(Id, Date)>,
    withdrawn_by: Option<StateCode>,
    /// Absent from read models stored before translations existed.
    #[serde(default)]
    translations: Vec<AmendmentTranslation>,
}

/// A translation of one revision's title and wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentTranslation {
    pub revision: u32,
    pub language: LanguageTag,
    pub origin: TranslationOrigin,
    pub title: Text,
    /// One per operation of that revision that proposes wording, in order.
    pub wording: Vec<Text>,
}

impl Amendment {
    /// The framework this amendment amends.
    pub fn framework_id(&self) -> Option<&Id> {
        self.framework_id.as_ref()
    }

    pub fn is_proposed(&self) -> bool {
        self.proposed
    }

    pub fn status(&self) -> AmendmentStatus {
        match self.stage {
            Stage::Draft | Stage::Tabled if self.conflict.is_some() => AmendmentStatus::InConflict,
            Stage::Draft => AmendmentStatus::Draft,
            Stage::Tabled => AmendmentStatus::Tabled,
            Stage::Adopted => AmendmentStatus::Adopted,
            Stage::NoConsensus => AmendmentStatus::NoConsensus,
            Stage::Withdrawn => AmendmentStatus::Withdrawn,
        }
    }

    pub fn proposer(&self) -> Option<&StateCode> {
        self.proposer.as_ref()
    }

    pub fn co_sponsors(&self) -> &[StateCode] {
        &self.co_sponsors
    }

    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    pub fn current_revision(&self) -> Option<&Revision> {
        self.revisions.last()
    }

    /// The version the current operations are stated against (what `ApplyAdoptedAmendment`
    /// takes as `base_version`).
    pub fn base_version(&self) -> u32 {
        self.base_version
    }

    pub fn tabled_under(&self) -> Option<&TabledUnder> {
        self.tabled_under.as_ref()
    }

    pub fn conflict(&self) -> Option<&ConflictRecord> {
        self.conflict.as_ref()
    }

    pub fn decision(&self) -> Option<&DecisionRef> {
        self.decision.as_ref()
    }

    /// Translations, the latest of each origin per language; one of an earlier revision
    /// than the current is stale.
    pub fn translations(&self) -> &[AmendmentTranslation] {
        &self.translations
    }

    /// Once adopted: the command that applies this amendment to the framework (exactly the
    /// decided revision, on the base it was decided against). `amendment_id` is this
    /// aggregate's id, which the aggregate itself does not know.
    pub fn framework_command(&self, amendment_id: Id) -> Option<FrameworkCommand> {
        if self.stage != Stage::Adopted {
            return None;
        }
        let revision = self.revisions.last()?;
        Some(FrameworkCommand::ApplyAdoptedAmendment {
            decision: self.decision.clone()?,
            amendment_id,
            revision: revision.number,
            base_version: self.base_version,
            operations: revision.operations.clone(),
        })
    }

    fn is_sponsor(&self, state: &StateCode) -> bool {
        self.proposer.as_ref() == Some(state) || self.co_sponsors.contains(state)
    }

    /// For the app before a chair calls for consensus: tabled, and not in conflict with the
    /// current framework.
    pub fn can_be_decided(&self) -> Result<(), AmendmentError> {
        self.require_open()?;
        if let Some(c) = &self.conflict {
            return Err(AmendmentError::InConflict {
                current_version: c.current_version,
                conflict: c.conflict.clone(),
            });
        }
        if self.stage != Stage::Tabled {
            return Err(AmendmentError::NotTabled {
                status: self.status(),
            });
        }
        Ok(())
    }

    /// Proposed and not yet decided or withdrawn.
    fn require_open(&self) -> Result<(), AmendmentError> {
        if !self.proposed {
            return Err(AmendmentError::NotProposed);
        }
        match self.stage {
            Stage::Draft | Stage::Tabled => Ok(()),
            _ => Err(AmendmentError::Closed {
                status: self.status(),
            }),
        }
    }

    /// Validates the operations against the text they are stated against and returns the
    /// readable diff of what they do.
    fn validate_ops(
        base_version: u32,
        operations: &[Operation],
        base_text: &Declaration,
    ) -> Result<Vec<ParagraphDiff>, AmendmentError> {
        if base_version == 0 {
            return Err(AmendmentError::InvalidBaseVersion { base_version });
        }
        let after = text::apply(base_text, operations).map_err(|error| {
            AmendmentError::InvalidOperations {
                base_version,
                error,
            }
        })?;
        Ok(diff(base_text, &after).changes())
    }

    fn decide(&self, command: AmendmentCommand) -> Result<Vec<AmendmentEvent>, AmendmentError> {
        use AmendmentCommand as C;
        use AmendmentEvent as E;
        let event = match command {
            C::Propose {
                framework_id,
                proposer,
                co_sponsors,
                title,
                base_version,
                operations,
                base_text,
                now,
            } => {
                if self.proposed {
                    return Err(AmendmentError::AlreadyProposed);
                }
                for (i, s) in co_sponsors.iter().enumerate() {
                    if *s == proposer {
                        return Err(AmendmentError::ProposerAsCoSponsor(s.clone()));
                    }
                    if co_sponsors[..i].contains(s) {
                        return Err(AmendmentError::DuplicateCoSponsor(s.clone()));
                    }
                }
                let changes = Self::validate_ops(base_version, &operations, &base_text)?;
                E::AmendmentProposed {
                    framework_id,
                    proposer,
                    co_sponsors,
                    title,
                    revision: 1,
                    base_version,
                    operations,
                    changes,
                    at: now,
                }
            }
            C::Revise {
                by,
                title,
                base_version,
                operations,
                base_text,
                now,
            } => {
                self.require_open()?;
                if !self.is_sponsor(&by) {
                    return Err(AmendmentError::NotASponsor { state: by });
                }
                if base_version < self.base_version {
                    return Err(AmendmentError::StaleBaseVersion {
                        base_version,
                        current_base: self.base_version,
                    });
                }
                let changes = Self::validate_ops(base_version, &operations, &base_text)?;
                let title = match (title, self.revisions.last()) {
                    (Some(t), _) => t,
                    (None, Some(r)) => r.title.clone(),
                    (None, None) => return Err(AmendmentError::NotProposed),
                };
                E::AmendmentRevised {
                    by,
                    revision: self.revisions.len() as u32 + 1,
                    title,
                    base_version,
                    operations,
                    changes,
                    at: now,
                }
            }
            C::CoSponsor { state, now } => {
                self.require_open()?;
                if self.is_sponsor(&state) {
                    return Err(AmendmentError::AlreadySponsor { state });
                }
                E::CoSponsorshipAdded { state, at: now }
            }
            C::WithdrawCoSponsorship { state, now } => {
                self.require_open()?;
                if !self.co_sponsors.contains(&state) {
                    return Err(AmendmentError::NotACoSponsor { state });
                }
                E::CoSponsorshipWithdrawn { state, at: now }
            }
            C::Withdraw { by, now } => {
                self.require_open()?;
                let proposer = self.proposer.clone().ok_or(AmendmentError::NotProposed)?;
                if by != proposer {
                    return Err(AmendmentError::NotProposer {
                        state: by,
                        proposer,
                    });
                }
                E::AmendmentWithdrawn { by, at: now }
            }
            C::Reintroduce { by, now } => {
                if !self.proposed {
                    return Err(AmendmentError::NotProposed);
                }
                if self.stage != Stage::Withdrawn {
                    return Err(AmendmentError::NotWithdrawn {
                        status: self.status(),
                    });
                }
                // Rule 122: a withdrawn proposal may be reintroduced by any *other* member.
                if self.withdrawn_by.as_ref() == Some(&by) {
                    return Err(AmendmentError::ReintroducedBySameState { state: by });
                }
                let previous_proposer = self.proposer.clone().ok_or(AmendmentError::NotProposed)?;
                E::AmendmentReintroduced {
                    by,
                    previous_proposer,
                    at: now,
                }
            }
            C::Table {
                meeting_id,
                agenda_item,
                meeting_open,
                item_substantive,
                now,
            } => {
                self.require_open()?;
                if let Some(t) = &self.tabled_under {
                    return Err(AmendmentError::AlreadyTabled {
                        meeting_id: t.meeting_id.clone(),
                        agenda_item: t.agenda_item,
                    });
                }
                if !meeting_open {
                    return Err(AmendmentError::MeetingNotOpen { meeting_id });
                }
                // Amendments to the declaration are substantive: never under a procedural item.
                if !item_substantive {
                    return Err(AmendmentError::ItemNotSubstantive {
                        meeting_id,
                        agenda_item,
                    });
                }
                E::AmendmentTabled {
                    meeting_id,
                    agenda_item,
                    at: now,
                }
            }
            C::MarkInConflict {
                current_version,
                conflict,
                now,
            } => {
                self.require_open()?;
                if current_version <= self.base_version {
                    return Err(AmendmentError::InvalidConflictVersion {
                        current_version,
                        base_version: self.base_version,
                    });
                }
                // Re-reported by a retrying process manager: already recorded.
                if self
                    .conflict
                    .as_ref()
                    .is_some_and(|c| c.current_version == current_version)
                {
                    return Ok(vec![]);
                }
                E::AmendmentInConflict {
                    current_version,
                    conflict,
                    at: now,
                }
            }
            C::Rebase {
                new_version,
                current_text,
                now,
            } => {
                self.require_open()?;
                if new_version < self.base_version {
                    return Err(AmendmentError::StaleBaseVersion {
                        base_version: new_version,
                        current_base: self.base_version,
                    });
                }
                if new_version == self.base_version && self.conflict.is_none() {
                    return Ok(vec![]);
                }
                let ops = self
                    .revisions
                    .last()
                    .map(|r| r.operations.as_slice())
                    .unwrap_or_default();
                text::check_applies(&current_text, ops).map_err(|conflict| {
                    AmendmentError::RebaseConflict {
                        new_version,
                        conflict,
                    }
                })?;
                E::AmendmentRebased {
                    from_version: self.base_version,
                    to_version: new_version,
                    at: now,
                }
            }
            C::MarkAdopted { decision } => {
                if self.stage == Stage::Adopted && self.decision.as_ref() == Some(&decision) {
                    return Ok(vec![]);
                }
                self.can_be_decided()?;
                E::AmendmentAdopted {
                    decision,
                    revision: self.revisions.len() as u32,
                    base_version: self.base_version,
                }
            }
            C::MarkNotAdopted { meeting_id, date } => {
                if self.stage == Stage::NoConsensus
                    && self.no_consensus.as_ref() == Some(&(meeting_id.clone(), date))
                {
                    return Ok(vec![]);
                }
                self.can_be_decided()?;
                E::AmendmentNotAdopted {
                    meeting_id,
                    date,
                    revision: self.revisions.len() as u32,
                }
            }
            C::TranslateText {
                revision,
                language,
                origin,
                title,
                wording,
            } => {
                if !self.proposed {
                    return Err(AmendmentError::NotProposed);
                }
                if language == LanguageTag::En {
                    return Err(AmendmentError::TranslationIntoOriginal);
                }
                let Some(r) = revision
                    .checked_sub(1)
                    .and_then(|i| self.revisions.get(i as usize))
                else {
                    return Err(AmendmentError::UnknownRevision {
                        revision,
                        revisions: self.revisions.len() as u32,
                    });
                };
                if let Some(kept) = self
                    .translations
                    .iter()
                    .find(|t| (t.language, t.origin) == (language, origin) && t.revision > revision)
                {
                    return Err(AmendmentError::OlderThanKept {
                        revision,
                        kept: kept.revision,
                    });
                }
                let expected = r.operations.iter().filter_map(Operation::wording).count();
                if wording.len() != expected {
                    return Err(AmendmentError::WordingCount {
                        revision,
                        expected,
                        given: wording.len(),
                    });
                }
                E::AmendmentTranslated {
                    revision,
                    language,
                    origin,
                    title,
                    wording,
                }
            }
        };
        Ok(vec![event])
    }
}

crate::domain::aggregate!(
    Amendment,
    "Amendment",
    AmendmentCommand,
    AmendmentEvent,
    AmendmentError
);

impl Amendment {
    /// Applies an event to the state (the `apply` of its `Aggregate` impl).
    fn apply_event(&mut self, event: AmendmentEvent) {
        use AmendmentEvent as E;
        match event {
            E::AmendmentProposed {
                framework_id,
                proposer,
                co_sponsors,
                title,
                revision,
                base_version,
                operations,
                at,
                ..
            } => {
                self.proposed = true;
                self.framework_id = Some(framework_id);
                self.stage = Stage::Draft;
                self.proposer = Some(proposer.clone());
                self.co_sponsors = co_sponsors;
                self.base_version = base_version;
                self.revisions.push(Revision {
                    number: revision,
                    by: proposer,
                    title,
                    base_version,
                    operations,
                    at,
                });
            }
            E::AmendmentRevised {
                by,
                revision,
                title,
                base_version,
                operations,
                at,
                ..
            } => {
                self.base_version = base_version;
                self.conflict = None;
                self.revisions.push(Revision {
                    number: revision,
                    by,
                    title,
                    base_version,
                    operations,
                    at,
                });
            }
            E::CoSponsorshipAdded { state, .. } => self.co_sponsors.push(state),
            E::CoSponsorshipWithdrawn { state, .. } => self.co_sponsors.retain(|s| *s != state),
            E::AmendmentWithdrawn { by, .. } => {
                self.stage = Stage::Withdrawn;
                self.withdrawn_by = Some(by);
                self.tabled_under = None;
            }
            E::AmendmentReintroduced { by, .. } => {
                self.stage = Stage::Draft;
                self.proposer = Some(by);
                self.co_sponsors.clear();
                self.withdrawn_by = None;
            }
            E::AmendmentTabled {
                meeting_id,
                agenda_item,
                ..
            } => {
                self.stage = Stage::Tabled;
                self.tabled_under = Some(TabledUnder {
                    meeting_id,
                    agenda_item,
                });
            }
            E::AmendmentInConflict {
                current_version,
                conflict,
                ..
            } => {
                self.conflict = Some(ConflictRecord {
                    current_version,
                    conflict,
                });
            }
            E::AmendmentRebased { to_version, .. } => {
                self.base_version = to_version;
                self.conflict = None;
            }
            E::AmendmentAdopted { decision, .. } => {
                self.stage = Stage::Adopted;
                self.decision = Some(decision);
            }
            E::AmendmentNotAdopted {
                meeting_id, date, ..
            } => {
                self.stage = Stage::NoConsensus;
                self.no_consensus = Some((meeting_id, date));
            }
            E::AmendmentTranslated {
                revision,
                language,
                origin,
                title,
                wording,
            } => {
                // The latest of each origin per language (the log keeps the others).
                self.translations
                    .retain(|t| (t.language, t.origin) != (language, origin));
                self.translations.push(AmendmentTranslation {
                    revision,
                    language,
                    origin,
                    title,
                    wording,
                });
            }
        }
    }
}
