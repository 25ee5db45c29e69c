//! The debate on an item: the speakers' list, the floor, rights of reply, and points
//! of order with their rulings and appeals.

use super::one;
use crate::domain::meeting::commands::*;
use crate::domain::meeting::error::MeetingError;
use crate::domain::meeting::events::*;
use crate::domain::meeting::guards::{count, Result};
use crate::domain::meeting::state::*;
use crate::domain::values::{StateCode, Text};
use MeetingEvent as E;

impl Meeting {
    pub(super) fn inscribe_speaker(
        &self,
        item: u32,
        speaker: Speaker,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("inscribe a speaker")?;
        self.live_item(item)?;
        self.check_participant(&speaker)?;
        let list = self.list(item);
        if list.closed {
            return Err(MeetingError::SpeakersListClosed(item));
        }
        if list.waiting.contains(&speaker) {
            return Err(MeetingError::AlreadyInscribed { item, speaker });
        }
        one(E::SpeakerInscribed {
            item,
            speaker,
            position: count(list.waiting.len() + 1),
        })
    }

    pub(super) fn withdraw_speaker(
        &self,
        item: u32,
        speaker: Speaker,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("withdraw a speaker")?;
        self.live_item(item)?;
        if !self.list(item).waiting.contains(&speaker) {
            return Err(MeetingError::NotInscribed { item, speaker });
        }
        one(E::SpeakerWithdrawn { item, speaker })
    }

    pub(super) fn call_next_speaker(&self, item: u32) -> Result<Vec<MeetingEvent>> {
        self.require_open("give the floor")?;
        self.require_current(item)?;
        let list = self.list(item);
        let (speaker, right_of_reply) = if let Some(s) = list.waiting.first() {
            (s.clone(), false)
        } else if let Some(s) = list.replies.first() {
            // Replies come after the list is exhausted (rule 115).
            (Speaker::State(s.clone()), true)
        } else {
            return Err(MeetingError::NoSpeakersWaiting(item));
        };
        one(E::FloorGiven {
            item,
            speaker,
            right_of_reply,
            time_limit_seconds: list.time_limit_seconds,
        })
    }

    pub(super) fn identify_speaker(
        &self,
        item: u32,
        state: StateCode,
        delegate: Text,
    ) -> Result<Vec<MeetingEvent>> {
        if !self.unidentified.contains(&(item, state.clone())) {
            return Err(MeetingError::NoStatementToIdentify { item, state });
        }
        let members = self.delegations.get(&state);
        if !members.is_some_and(|d| d.iter().any(|m| m.name == delegate)) {
            return Err(MeetingError::NotADelegate { state, delegate });
        }
        one(E::SpeakerIdentified {
            item,
            state,
            delegate,
        })
    }

    pub(super) fn set_speaking_time(&self, item: u32, seconds: u32) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("limit speaking time")?;
        self.live_item(item)?;
        if seconds == 0 {
            return Err(MeetingError::ZeroTimeLimit);
        }
        one(E::SpeakingTimeLimited { item, seconds })
    }

    pub(super) fn close_speakers_list(&self, item: u32) -> Result<Vec<MeetingEvent>> {
        self.require_open("close the list of speakers")?;
        self.live_item(item)?;
        if self.list(item).closed {
            return Err(MeetingError::SpeakersListClosed(item));
        }
        one(E::SpeakersListClosed { item })
    }

    pub(super) fn request_right_of_reply(
        &self,
        item: u32,
        state: StateCode,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_open("accord a right of reply")?;
        self.require_current(item)?;
        self.require_present(&state, "exercise a right of reply")?;
        // A right of reply may be accorded even after the list is closed.
        if self.list(item).replies.contains(&state) {
            return Err(MeetingError::AlreadyInscribed {
                item,
                speaker: Speaker::State(state),
            });
        }
        one(E::RightOfReplyRequested { item, state })
    }

    pub(super) fn raise_point_of_order(
        &self,
        state: StateCode,
        point: Text,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_open("raise a point of order")?;
        self.require_present(&state, "raise a point of order")?;
        one(E::PointOfOrderRaised {
            point: count(self.points_of_order.len() + 1),
            state,
            text: point,
        })
    }

    pub(super) fn rule_on_point_of_order(
        &self,
        point: u32,
        ruling: Text,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_open("rule on a point of order")?;
        if self.point(point)?.status != PointStatus::AwaitingRuling {
            return Err(MeetingError::PointAlreadyRuled(point));
        }
        one(E::PointOfOrderRuled { point, ruling })
    }

    pub(super) fn appeal_ruling(&self, point: u32, state: StateCode) -> Result<Vec<MeetingEvent>> {
        self.require_open("appeal a ruling")?;
        self.require_present(&state, "appeal a ruling")?;
        match self.point(point)?.status {
            PointStatus::AwaitingRuling => return Err(MeetingError::PointNotRuled(point)),
            PointStatus::Ruled => {}
            PointStatus::Appealed | PointStatus::Upheld | PointStatus::Overturned => {
                return Err(MeetingError::AlreadyAppealed(point))
            }
        }
        one(E::RulingAppealed { point, state })
    }
}
