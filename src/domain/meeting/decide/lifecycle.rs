//! Convening, opening, suspending, resuming and closing the meeting.

use std::collections::BTreeSet;

use super::one;
use crate::domain::body::RulesOfProcedure;
use crate::domain::meeting::commands::*;
use crate::domain::meeting::error::MeetingError;
use crate::domain::meeting::events::*;
use crate::domain::meeting::guards::Result;
use crate::domain::meeting::state::*;
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};
use MeetingEvent as E;

impl Meeting {
    #[allow(clippy::too_many_arguments)] // the command's fields, one by one
    pub(super) fn convene(
        &self,
        meeting_id: Id,
        body_id: Id,
        kind: MeetingKind,
        symbol: DocumentSymbol,
        title: Text,
        starts: Date,
        ends: Date,
        venue: Text,
        chair: Chair,
        programme_link: Option<ProgrammeLink>,
        precedes: Option<Id>,
        rules: RulesOfProcedure,
        members: Vec<StateCode>,
    ) -> Result<Vec<MeetingEvent>> {
        if self.status != MeetingStatus::NotConvened {
            return Err(MeetingError::AlreadyConvened);
        }
        if precedes.is_some() && kind != MeetingKind::ConsultativeDay {
            return Err(MeetingError::OnlyAConsultativeDayPrecedes);
        }
        if ends < starts {
            return Err(MeetingError::EndsBeforeStart { starts, ends });
        }
        if symbol.as_str().len() > 85 {
            return Err(MeetingError::SymbolTooLong(symbol));
        }
        let members: BTreeSet<StateCode> = members.into_iter().collect();
        if members.is_empty() && kind != MeetingKind::ConsultativeDay {
            return Err(MeetingError::NoMembers);
        }
        rules.check().map_err(MeetingError::InvalidRules)?;
        one(E::MeetingConvened {
            meeting_id,
            body_id,
            kind,
            symbol,
            title,
            starts,
            ends,
            venue,
            chair,
            programme_link,
            precedes,
            rules,
            members: members.into_iter().collect(),
        })
    }

    pub(super) fn open(&self, now: Date) -> Result<Vec<MeetingEvent>> {
        if self.status != MeetingStatus::Convened {
            return Err(MeetingError::WrongStage {
                action: "open the meeting",
                status: self.status,
            });
        }
        let (present, members) = (self.states_present(), self.member_count());
        let needed = if self.kind == Some(MeetingKind::ConsultativeDay) {
            0
        } else {
            self.rules.quorum_to_open.required(members)
        };
        if present < needed {
            return Err(MeetingError::NoQuorum {
                present,
                members,
                needed,
            });
        }
        let mut events = vec![E::MeetingOpened {
            on: now,
            states_present: present,
            members,
            quorum_needed: needed,
        }];
        events.extend(self.outside_convened_dates(now));
        Ok(events)
    }

    pub(super) fn suspend(&self, now: Date) -> Result<Vec<MeetingEvent>> {
        self.require_open("suspend the meeting")?;
        self.require_no_vote()?;
        one(E::MeetingSuspended {
            on: now,
            by_motion: None,
        })
    }

    pub(super) fn resume(&self, now: Date) -> Result<Vec<MeetingEvent>> {
        if self.status != MeetingStatus::Suspended {
            return Err(MeetingError::WrongStage {
                action: "resume the meeting",
                status: self.status,
            });
        }
        let mut events = vec![E::MeetingResumed { on: now }];
        events.extend(self.outside_convened_dates(now));
        Ok(events)
    }

    pub(super) fn close(&self, now: Date) -> Result<Vec<MeetingEvent>> {
        if !matches!(self.status, MeetingStatus::Open | MeetingStatus::Suspended) {
            return Err(MeetingError::WrongStage {
                action: "close the meeting",
                status: self.status,
            });
        }
        self.require_no_vote()?;
        self.require_no_open_call()?;
        one(E::MeetingClosed {
            on: now,
            by_motion: None,
        })
    }
}

impl Meeting {
    /// For the application before `Convene` with a programme link: whether `link` names an
    /// item of this meeting's adopted programme of work (this being the linked meeting).
    /// Returns the meeting scheduled at that item.
    pub fn check_programme_link(&self, link: &ProgrammeLink) -> Result<&PlannedMeeting> {
        if self.programme_of_work.is_empty() {
            return Err(MeetingError::NoProgrammeOfWork(link.meeting_id.clone()));
        }
        link.item
            .checked_sub(1)
            .and_then(|i| self.programme_of_work.get(i as usize))
            .ok_or_else(|| MeetingError::NotInProgrammeOfWork {
                meeting_id: link.meeting_id.clone(),
                item: link.item,
                scheduled: self.programme_of_work.len(),
            })
    }

    /// For the application before `Convene` with `precedes`: whether a consultative day of
    /// body `body_id` ending on `ends` may precede this meeting, `id` (a review conference or
    /// an annual meeting of the same body, starting on or after that day).
    pub fn check_preceded_by(&self, id: &Id, body_id: &Id, ends: Date) -> Result<()> {
        let id = id.clone();
        if !matches!(
            self.kind,
            Some(MeetingKind::ReviewConference | MeetingKind::PeriodicMeeting)
        ) {
            return Err(MeetingError::NotPrecededByConsultativeDay(id));
        }
        if self.body_id.as_ref() != Some(body_id) {
            return Err(MeetingError::PrecedesAnotherBody {
                meeting_id: id,
                body_id: body_id.clone(),
            });
        }
        match self.convened_dates {
            Some((starts, _)) if ends > starts => Err(MeetingError::DoesNotPrecede {
                meeting_id: id,
                starts,
                ends,
            }),
            _ => Ok(()),
        }
    }
}

impl Meeting {
    /// A meeting that sits on a day outside the dates it was convened for is recorded as
    /// such, not refused (ADR 13): the record must show what happened, and a meeting held
    /// late without a formal rescheduling still took its decisions.
    fn outside_convened_dates(&self, on: Date) -> Option<MeetingEvent> {
        let (starts, ends) = self.convened_dates?;
        let outside = on < starts || on > ends;
        (outside && !self.sat_outside_dates.contains(&on))
            .then_some(MeetingEvent::SatOutsideConvenedDates { on, starts, ends })
    }
}
