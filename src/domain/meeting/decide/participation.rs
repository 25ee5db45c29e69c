//! Who takes part: delegations, observers, stakeholders, attendance, and the
//! sponsorship programme's requests.

use super::one;
use crate::domain::body::StakeholderKind;
use crate::domain::meeting::commands::*;
use crate::domain::meeting::error::MeetingError;
use crate::domain::meeting::events::*;
use crate::domain::meeting::guards::Result;
use crate::domain::meeting::state::*;
use crate::domain::values::{Id, StateCode, Text};
use MeetingEvent as E;

impl Meeting {
    pub(super) fn register_delegation(
        &self,
        state: StateCode,
        members: Vec<DelegateMember>,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("register a delegation")?;
        self.require_member(&state)?;
        if members.is_empty() {
            return Err(MeetingError::EmptyDelegation(state));
        }
        if members.iter().filter(|m| m.head_of_delegation).count() > 1 {
            return Err(MeetingError::MoreThanOneHead(state));
        }
        one(E::DelegationRegistered { state, members })
    }

    pub(super) fn register_observer(
        &self,
        observer_id: Id,
        name: Text,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("register an observer")?;
        if self.is_registered(&observer_id) {
            return Err(MeetingError::AlreadyRegistered(observer_id));
        }
        one(E::ObserverAdmitted { observer_id, name })
    }

    pub(super) fn register_stakeholder(
        &self,
        organisation_id: Id,
        name: Text,
        kind: StakeholderKind,
        role: StakeholderRole,
        accredited: bool,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("register a stakeholder")?;
        if self.is_registered(&organisation_id) {
            return Err(MeetingError::AlreadyRegistered(organisation_id));
        }
        if !accredited {
            return Err(MeetingError::NotAccredited(organisation_id));
        }
        one(E::StakeholderAdmitted {
            organisation_id,
            name,
            kind,
            role,
        })
    }

    pub(super) fn mark_present(&self, state: StateCode) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("record attendance")?;
        self.require_member(&state)?;
        if self.present.contains(&state) {
            return Err(MeetingError::AlreadyPresent(state));
        }
        one(E::StateMarkedPresent {
            state,
            states_present: self.states_present() + 1,
        })
    }

    pub(super) fn mark_absent(&self, state: StateCode) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("record attendance")?;
        self.require_member(&state)?;
        if !self.present.contains(&state) {
            return Err(MeetingError::NotMarkedPresent(state));
        }
        one(E::StateMarkedAbsent {
            state,
            states_present: self.states_present() - 1,
        })
    }

    pub(super) fn request_sponsorship(
        &self,
        request_id: Id,
        expert: Text,
        state: StateCode,
        amount_usd: u32,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("request sponsorship")?;
        if amount_usd == 0 {
            return Err(MeetingError::ZeroAmount);
        }
        if self.sponsorships.contains_key(&request_id) {
            return Err(MeetingError::AlreadyRegistered(request_id));
        }
        one(E::SponsorshipRequested {
            request_id,
            expert,
            state,
            amount_usd,
        })
    }

    pub(super) fn award_sponsorship(
        &self,
        request_id: Id,
        fund_id: Option<Id>,
    ) -> Result<Vec<MeetingEvent>> {
        let r = self.sponsorship(&request_id)?;
        one(E::SponsorshipAwarded {
            expert: r.expert.clone(),
            state: r.state.clone(),
            amount_usd: r.amount_usd,
            request_id,
            fund_id,
        })
    }

    pub(super) fn decline_sponsorship(
        &self,
        request_id: Id,
        reason: Option<Text>,
    ) -> Result<Vec<MeetingEvent>> {
        self.sponsorship(&request_id)?;
        one(E::SponsorshipDeclined { request_id, reason })
    }
}
