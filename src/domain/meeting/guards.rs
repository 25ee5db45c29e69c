//! What `decide` asks of the state: lookups that refuse with the rule a command breaks,
//! and the numbered decision. None of them change state.

use super::commands::*;
use super::error::MeetingError;
use super::events::*;
use super::state::*;
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

pub(super) type Result<T> = std::result::Result<T, MeetingError>;

impl Meeting {
    pub fn states_present(&self) -> u32 {
        count(self.present.len())
    }

    pub fn member_count(&self) -> u32 {
        count(self.members.len())
    }

    pub(super) fn require_open(&self, action: &'static str) -> Result<()> {
        if self.status == MeetingStatus::Open {
            Ok(())
        } else {
            Err(MeetingError::WrongStage {
                action,
                status: self.status,
            })
        }
    }

    pub(super) fn require_not_closed(&self, action: &'static str) -> Result<()> {
        if self.status == MeetingStatus::Closed {
            Err(MeetingError::WrongStage {
                action,
                status: self.status,
            })
        } else {
            Ok(())
        }
    }

    pub(super) fn require_member(&self, state: &StateCode) -> Result<()> {
        if self.members.contains(state) {
            Ok(())
        } else {
            Err(MeetingError::NotAMember(state.clone()))
        }
    }

    pub(super) fn require_present(&self, state: &StateCode, action: &'static str) -> Result<()> {
        self.require_member(state)?;
        if self.present.contains(state) {
            Ok(())
        } else {
            Err(MeetingError::NotPresent {
                state: state.clone(),
                action,
            })
        }
    }

    /// Rule 108: a majority of members present for any decision. A consultative day takes
    /// none that a State quorum could govern.
    pub(super) fn require_quorum_to_decide(&self) -> Result<(u32, u32, u32)> {
        let (present, members) = (self.states_present(), self.member_count());
        if self.kind == Some(MeetingKind::ConsultativeDay) {
            return Ok((present, members, 0));
        }
        let needed = self.rules.quorum_to_decide.required(members);
        if present < needed {
            return Err(MeetingError::NoQuorumToDecide {
                present,
                members,
                needed,
            });
        }
        Ok((present, members, needed))
    }

    pub(super) fn require_no_pending_motion(&self) -> Result<()> {
        match self.pending_motions().next() {
            Some((motion, m)) => Err(MeetingError::MotionPending {
                motion,
                kind: m.kind,
            }),
            None => Ok(()),
        }
    }

    pub(super) fn require_no_vote(&self) -> Result<()> {
        if self.vote.is_some() {
            Err(MeetingError::VoteInProgress)
        } else {
            Ok(())
        }
    }

    pub(super) fn require_no_open_call(&self) -> Result<()> {
        match &self.consensus {
            Some(c) if c.open => Err(MeetingError::ConsensusCallOpen),
            _ => Ok(()),
        }
    }

    /// The call still taking objections.
    pub(super) fn open_call(&self) -> Result<&ConsensusCall> {
        match &self.consensus {
            Some(c) if c.open => Ok(c),
            Some(_) => Err(MeetingError::ConsensusCallEnded),
            None => Err(MeetingError::NoConsensusCallOpen),
        }
    }

    pub(super) fn entry(&self, item: u32) -> Result<&AgendaEntry> {
        self.agenda
            .iter()
            .find(|e| e.item.number == item)
            .ok_or(MeetingError::ItemNotOnAgenda(item))
    }

    /// An item of the adopted agenda that can still be discussed.
    pub(super) fn live_item(&self, item: u32) -> Result<&AgendaEntry> {
        if !self.agenda_adopted {
            return Err(MeetingError::AgendaNotAdopted);
        }
        let e = self.entry(item)?;
        match e.status {
            ItemStatus::Deferred => Err(MeetingError::ItemDeferred(item)),
            ItemStatus::Concluded => Err(MeetingError::ItemConcluded(item)),
            ItemStatus::Pending | ItemStatus::UnderConsideration => Ok(e),
        }
    }

    pub(super) fn current(&self) -> Result<u32> {
        self.current_item
            .ok_or(MeetingError::NoItemUnderConsideration)
    }

    pub(super) fn require_current(&self, item: u32) -> Result<()> {
        self.live_item(item)?;
        if self.current_item == Some(item) {
            Ok(())
        } else {
            Err(MeetingError::ItemNotCurrent(item))
        }
    }

    pub(super) fn list(&self, item: u32) -> SpeakersList {
        self.speakers.get(&item).cloned().unwrap_or_default()
    }

    pub(super) fn motion(&self, motion: u32) -> Result<&Motion> {
        (motion as usize)
            .checked_sub(1)
            .and_then(|i| self.motions.get(i))
            .ok_or(MeetingError::UnknownMotion(motion))
    }

    pub(super) fn pending_motions(&self) -> impl Iterator<Item = (u32, &Motion)> {
        self.motions
            .iter()
            .enumerate()
            .filter(|(_, m)| m.status == MotionStatus::Pending)
            .map(|(i, m)| (count(i + 1), m))
    }

    pub(super) fn point(&self, point: u32) -> Result<&PointOfOrder> {
        (point as usize)
            .checked_sub(1)
            .and_then(|i| self.points_of_order.get(i))
            .ok_or(MeetingError::UnknownPointOfOrder(point))
    }

    pub(super) fn check_participant(&self, speaker: &Speaker) -> Result<()> {
        let known = match speaker {
            Speaker::State(s) => self.members.contains(s),
            Speaker::Observer(id) => self.observers.contains_key(id),
            Speaker::Stakeholder(id) => self.stakeholders.contains_key(id),
        };
        if known {
            Ok(())
        } else {
            Err(MeetingError::UnknownParticipant(speaker.clone()))
        }
    }

    pub(super) fn sponsorship(&self, request_id: &Id) -> Result<&SponsorshipRequest> {
        let r = self
            .sponsorships
            .get(request_id)
            .ok_or_else(|| MeetingError::UnknownSponsorshipRequest(request_id.clone()))?;
        if r.status == SponsorshipStatus::Requested {
            Ok(r)
        } else {
            Err(MeetingError::SponsorshipAlreadyDecided(request_id.clone()))
        }
    }

    pub(super) fn is_registered(&self, id: &Id) -> bool {
        self.observers.contains_key(id) || self.stakeholders.contains_key(id)
    }

    /// A numbered decision of this meeting.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn decision(
        &self,
        kind: DecisionKind,
        text: Text,
        how: HowTaken,
        date: Date,
        agenda_item: Option<u32>,
        call: Option<&ConsensusCall>,
    ) -> MeetingEvent {
        let number = self.decisions_taken + 1;
        let meeting_symbol = self
            .symbol
            .as_ref()
            .map(DocumentSymbol::as_str)
            .unwrap_or("");
        MeetingEvent::DecisionTaken {
            number,
            // Convene keeps the meeting symbol short enough for this to parse.
            symbol: DocumentSymbol::parse(&decision_symbol(meeting_symbol, number))
                .expect("meeting symbol checked at convening"),
            meeting_id: self.id.clone().expect("convened"),
            date,
            agenda_item,
            kind,
            text,
            how,
            objections: call.map(|c| c.objections.clone()).unwrap_or_default(),
            explanations: call.map(|c| c.explanations.clone()).unwrap_or_default(),
            consensus_call: call.map(|c| c.number),
            entered: DecisionEntry::InTheRoom,
        }
    }
}

pub(super) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(super) fn text(s: String) -> Text {
    Text::parse(&s).expect("generated decision text is never empty")
}

/// A decision's symbol: the meeting's symbol, `/DEC/` and the decision's number at that
/// meeting (`PoA/RC.1/2026/DEC/3`). The OpenAPI document states the rule from this function.
pub fn decision_symbol(meeting_symbol: &str, number: u32) -> String {
    format!("{meeting_symbol}/DEC/{number}")
}
