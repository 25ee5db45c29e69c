//! The consensus procedure: the call, objections, explanations of position, and the
//! outcome the chair declares.

use super::one;
use crate::domain::meeting::commands::*;
use crate::domain::meeting::error::MeetingError;
use crate::domain::meeting::events::*;
use crate::domain::meeting::guards::{text, Result};
use crate::domain::meeting::state::*;
use crate::domain::values::{Date, ParagraphId, StateCode, Text};
use MeetingEvent as E;

impl Meeting {
    pub(super) fn call_for_consensus(
        &self,
        subject: ConsensusSubject,
        amendment: Option<AmendmentStanding>,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_open("call for consensus")?;
        self.require_no_open_call()?;
        self.require_no_vote()?;
        // Procedural motions take precedence over every other proposal (rule 119).
        self.require_no_pending_motion()?;
        let item = self.current()?;
        if self.entry(item)?.item.nature != ItemNature::Substantive {
            return Err(MeetingError::ItemNotSubstantive(item));
        }
        check_subject(self, item, &subject, amendment.as_ref())?;
        let call = self.consensus.as_ref().map_or(0, |c| c.number) + 1;
        one(E::ConsensusCalled {
            call,
            item,
            subject,
        })
    }

    pub(super) fn raise_objection(
        &self,
        state: StateCode,
        reason: Option<Text>,
    ) -> Result<Vec<MeetingEvent>> {
        let call = self.open_call()?;
        self.require_open("raise an objection")?;
        self.require_present(&state, "object")?;
        if call.standing_objections().contains(&state) {
            return Err(MeetingError::AlreadyObjecting(state));
        }
        one(E::ObjectionRaised {
            call: call.number,
            state,
            reason,
        })
    }

    pub(super) fn withdraw_objection(&self, state: StateCode) -> Result<Vec<MeetingEvent>> {
        let call = self.open_call()?;
        self.require_open("withdraw an objection")?;
        if !call.standing_objections().contains(&state) {
            return Err(MeetingError::NoObjectionStanding(state));
        }
        one(E::ObjectionWithdrawn {
            call: call.number,
            state,
        })
    }

    pub(super) fn explain_position(
        &self,
        state: StateCode,
        timing: ExplanationTiming,
        text: Text,
        dissociates_from: Vec<ParagraphId>,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_open("explain a position")?;
        self.require_present(&state, "explain its position")?;
        let call = match timing {
            ExplanationTiming::BeforeDecision => self.open_call()?,
            ExplanationTiming::AfterDecision => match &self.consensus {
                Some(c) if !c.open => c,
                _ => return Err(MeetingError::NoOutcomeDeclared),
            },
        };
        one(E::PositionExplained {
            call: call.number,
            state,
            timing,
            text,
            dissociates_from,
            decision_number: call.decision_number,
        })
    }

    pub(super) fn withdraw_consensus_call(&self, now: Date) -> Result<Vec<MeetingEvent>> {
        let call = self.open_call()?;
        self.require_open("withdraw the proposal")?;
        one(E::ConsensusCallWithdrawn {
            call: call.number,
            item: call.item,
            subject: call.subject.clone(),
            objections: call.objections.clone(),
            explanations: call.explanations.clone(),
            on: now,
        })
    }

    pub(super) fn declare_outcome(
        &self,
        outcome: DeclaredOutcome,
        now: Date,
        amendment: Option<AmendmentStanding>,
    ) -> Result<Vec<MeetingEvent>> {
        let call = self.open_call()?;
        self.require_open("declare the outcome")?;
        match outcome {
            DeclaredOutcome::NoConsensus => one(E::NoConsensusDeclared {
                call: call.number,
                item: call.item,
                subject: call.subject.clone(),
                objections: call.objections.clone(),
                explanations: call.explanations.clone(),
                on: now,
            }),
            DeclaredOutcome::AdoptedWithoutAVote => {
                let standing = call.standing_objections();
                if !standing.is_empty() {
                    return Err(MeetingError::ObjectionsStand(standing));
                }
                self.require_quorum_to_decide()?;
                // "Adopted" must mean "applied": the amendment must still be the one
                // called, and still apply to the framework's current text.
                if let ConsensusSubject::Amendment { .. } = &call.subject {
                    check_subject(self, call.item, &call.subject, amendment.as_ref())?;
                }
                let (kind, wording) = match &call.subject {
                    ConsensusSubject::Amendment {
                        amendment_id,
                        revision,
                    } => (
                        DecisionKind::AmendmentAdopted {
                            amendment_id: amendment_id.clone(),
                            revision: *revision,
                        },
                        text(format!(
                            "Amendment {amendment_id} (revision {revision}) was adopted without a vote."
                        )),
                    ),
                    ConsensusSubject::DraftDecision { text } => {
                        (DecisionKind::Decision, text.clone())
                    }
                    ConsensusSubject::ProgrammeOfWork { meetings } => (
                        DecisionKind::ProgrammeOfWork,
                        text(format!(
                            "The programme of work was adopted without a vote, scheduling {} meetings.",
                            meetings.len()
                        )),
                    ),
                    ConsensusSubject::Report { symbol } => (
                        DecisionKind::ReportAdopted {
                            symbol: symbol.clone(),
                        },
                        text(format!(
                            "The meeting adopted its report ({symbol}) without a vote."
                        )),
                    ),
                };
                let mut events = vec![self.decision(
                    kind,
                    wording,
                    HowTaken::Consensus,
                    now,
                    Some(call.item),
                    Some(call),
                )];
                if let ConsensusSubject::ProgrammeOfWork { meetings } = &call.subject {
                    events.push(E::ProgrammeOfWorkAdopted {
                        decision_number: self.decisions_taken + 1,
                        meetings: meetings.clone(),
                    });
                }
                Ok(events)
            }
        }
    }
}

fn check_subject(
    meeting: &Meeting,
    item: u32,
    subject: &ConsensusSubject,
    amendment: Option<&AmendmentStanding>,
) -> Result<()> {
    match subject {
        ConsensusSubject::Amendment {
            amendment_id,
            revision,
        } => {
            let not_tabled = || MeetingError::AmendmentNotTabled {
                amendment_id: amendment_id.clone(),
                item,
            };
            let standing = amendment.ok_or_else(not_tabled)?;
            if standing.withdrawn {
                return Err(MeetingError::AmendmentWithdrawn(amendment_id.clone()));
            }
            let here = TabledUnder {
                meeting_id: meeting.id.clone().expect("convened"),
                item,
            };
            if standing.tabled_under.as_ref() != Some(&here) {
                return Err(not_tabled());
            }
            if standing.current_revision != *revision {
                return Err(MeetingError::RevisionSuperseded {
                    amendment_id: amendment_id.clone(),
                    called: *revision,
                    current: standing.current_revision,
                });
            }
            if standing.in_conflict {
                return Err(MeetingError::AmendmentInConflict(amendment_id.clone()));
            }
            if let Some(conflict) = &standing.conflict {
                return Err(MeetingError::AmendmentDoesNotApply {
                    amendment_id: amendment_id.clone(),
                    conflict: conflict.clone(),
                });
            }
        }
        ConsensusSubject::DraftDecision { .. } | ConsensusSubject::Report { .. } => {}
        ConsensusSubject::ProgrammeOfWork { meetings } => {
            if meeting.kind != Some(MeetingKind::ReviewConference) {
                return Err(MeetingError::ProgrammeOfWorkOnlyAtReviewConference);
            }
            if meetings.is_empty() {
                return Err(MeetingError::EmptyProgrammeOfWork);
            }
            if let Some(m) = meetings.iter().find(|m| m.ends < m.starts) {
                return Err(MeetingError::EndsBeforeStart {
                    starts: m.starts,
                    ends: m.ends,
                });
            }
        }
    }
    Ok(())
}
