//! Procedural motions and the votes on them (substantive matters are never voted on).

use super::one;
use crate::domain::body::MotionKind;
use crate::domain::meeting::commands::*;
use crate::domain::meeting::error::MeetingError;
use crate::domain::meeting::events::*;
use crate::domain::meeting::guards::{count, text, Result};
use crate::domain::meeting::state::*;
use crate::domain::values::{Date, StateCode};
use MeetingEvent as E;

impl Meeting {
    pub(super) fn move_motion(
        &self,
        state: StateCode,
        kind: MotionKind,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_open("move a procedural motion")?;
        self.require_present(&state, "move a motion")?;
        self.require_no_vote()?;
        self.require_no_open_call()?;
        let rank = self
            .rules
            .precedence_of(kind)
            .ok_or(MeetingError::MotionNotProvided(kind))?;
        if matches!(kind, MotionKind::AdjournDebate | MotionKind::CloseDebate) {
            self.current()?;
        }
        let mut displaced = Vec::new();
        for (n, m) in self.pending_motions() {
            // Missing from the list means the rules were changed: treat as lowest.
            let theirs = self.rules.precedence_of(m.kind).unwrap_or(usize::MAX);
            if m.kind == kind {
                return Err(MeetingError::MotionAlreadyPending(kind));
            }
            if theirs <= rank {
                return Err(MeetingError::MotionOutranked {
                    kind,
                    pending: m.kind,
                });
            }
            displaced.push(n);
        }
        one(E::MotionMoved {
            motion: count(self.motions.len() + 1),
            kind,
            state,
            item: self.current_item,
            displaced,
        })
    }

    pub(super) fn withdraw_motion(
        &self,
        motion: u32,
        state: StateCode,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("withdraw a motion")?;
        let m = self.motion(motion)?;
        if m.status != MotionStatus::Pending {
            return Err(MeetingError::MotionNotPending(motion));
        }
        if m.mover != state {
            return Err(MeetingError::NotTheMover { motion, state });
        }
        one(E::MotionWithdrawn { motion, state })
    }

    pub(super) fn put_question_to_vote(&self, question: VoteQuestion) -> Result<Vec<MeetingEvent>> {
        if let VoteQuestion::Proposal { .. } = question {
            return Err(MeetingError::SubstantiveQuestionNotVotable);
        }
        self.require_open("put a question to the vote")?;
        self.require_no_vote()?;
        self.require_no_open_call()?;
        let question = match question {
            VoteQuestion::Motion { motion } => {
                let m = self.motion(motion)?;
                if m.status != MotionStatus::Pending {
                    return Err(MeetingError::MotionNotPending(motion));
                }
                VoteOn::Motion {
                    motion,
                    kind: m.kind,
                }
            }
            VoteQuestion::Appeal { point } => {
                if self.point(point)?.status != PointStatus::Appealed {
                    return Err(MeetingError::NoAppealPending(point));
                }
                VoteOn::Appeal { point }
            }
            VoteQuestion::Proposal { .. } => {
                return Err(MeetingError::SubstantiveQuestionNotVotable)
            }
        };
        let (present, members, needed) = self.require_quorum_to_decide()?;
        one(E::VotingOpened {
            question,
            states_present: present,
            members,
            quorum_needed: needed,
        })
    }

    pub(super) fn request_recorded_vote(&self, state: StateCode) -> Result<Vec<MeetingEvent>> {
        let vote = self.vote.as_ref().ok_or(MeetingError::NoVoteInProgress)?;
        self.require_present(&state, "request a recorded vote")?;
        if vote.recorded {
            return Err(MeetingError::RecordedVoteAlreadyRequested);
        }
        one(E::RecordedVoteRequested { state })
    }

    pub(super) fn cast_vote(&self, state: StateCode, ballot: Ballot) -> Result<Vec<MeetingEvent>> {
        let vote = self.vote.as_ref().ok_or(MeetingError::NoVoteInProgress)?;
        self.require_present(&state, "vote")?;
        if vote.ballots.contains_key(&state) {
            return Err(MeetingError::AlreadyVoted(state));
        }
        one(E::VoteCast { state, ballot })
    }

    pub(super) fn close_voting(&self, now: Date) -> Result<Vec<MeetingEvent>> {
        let vote = self.vote.as_ref().ok_or(MeetingError::NoVoteInProgress)?;
        let tally = vote.tally();
        let majority = self.rules.procedural_majority;
        let (present, members) = (self.states_present(), self.member_count());
        let yes_needed = majority.yes_needed(&tally, present, members);
        let carried = majority.is_carried(&tally, present, members);
        let recorded_votes = vote.recorded.then(|| {
            vote.ballots
                .iter()
                .map(|(state, ballot)| RecordedVote {
                    state: state.clone(),
                    ballot: *ballot,
                })
                .collect::<Vec<_>>()
        });
        let mut events = vec![E::VoteConcluded {
            question: vote.question.clone(),
            tally,
            yes_needed,
            carried,
            recorded_votes: recorded_votes.clone(),
        }];
        if let (VoteOn::Motion { motion, kind }, true) = (&vote.question, carried) {
            let (motion, kind) = (*motion, *kind);
            let item = self.motion(motion)?.item;
            events.push(self.decision(
                DecisionKind::ProceduralOutcome {
                    motion: kind,
                    tally,
                },
                text(format!(
                    "The motion to {kind} was carried by {} votes to {}, with {} abstentions.",
                    tally.yes, tally.no, tally.abstain
                )),
                HowTaken::Vote {
                    yes: tally.yes,
                    no: tally.no,
                    abstain: tally.abstain,
                    recorded_votes,
                },
                now,
                item,
                None,
            ));
            events.push(match kind {
                MotionKind::SuspendMeeting => E::MeetingSuspended {
                    on: now,
                    by_motion: Some(motion),
                },
                MotionKind::AdjournMeeting => E::MeetingClosed {
                    on: now,
                    by_motion: Some(motion),
                },
                MotionKind::AdjournDebate => E::DebateAdjourned {
                    item: item.unwrap_or_default(),
                    by_motion: motion,
                },
                MotionKind::CloseDebate => E::DebateClosed {
                    item: item.unwrap_or_default(),
                    by_motion: motion,
                },
            });
        }
        Ok(events)
    }
}
