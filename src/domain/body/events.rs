use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::commands::{DecisionReference, PublicRecord, StakeholderKind};
use super::rules::RulesOfProcedure;
use super::work::WorkItemStatus;
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

// Its kinds name every event type there is (the pages' script follows them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(BodyEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum BodyEvent {
    BodyEstablished {
        body_id: Id,
        name: Text,
        parent_body: Option<Id>,
        founding_document: Option<DocumentSymbol>,
        /// Sorted, without duplicates.
        members: Vec<StateCode>,
        rules: RulesOfProcedure,
    },
    MemberAdmitted {
        state: StateCode,
    },
    ObserverRegistered {
        observer_id: Id,
        name: Text,
    },
    StakeholderRegistered {
        organisation_id: Id,
        name: Text,
        kind: StakeholderKind,
        accredited: bool,
    },
    AccreditationProposed {
        organisation_id: Id,
        notice_ends: Date,
        proposed_on: Date,
    },
    AccreditationObjected {
        organisation_id: Id,
        state: StateCode,
        reason: Option<Text>,
        on: Date,
    },
    AccreditationObjectionWithdrawn {
        organisation_id: Id,
        state: StateCode,
        on: Date,
    },
    StakeholderAccredited {
        organisation_id: Id,
        on: Date,
    },
    AccreditationRejected {
        organisation_id: Id,
        objecting_states: Vec<StateCode>,
        on: Date,
    },
    RulesOfProcedureModified {
        rules: RulesOfProcedure,
        decision: DecisionReference,
    },
    AttachmentLimitSet {
        bytes: u64,
    },
    PublicRecordsSet {
        /// Sorted, without duplicates.
        records: Vec<PublicRecord>,
    },
    RegionalGroupSet {
        group: Text,
        /// Sorted, without duplicates; empty when the group was dissolved.
        states: Vec<StateCode>,
    },
    WorkItemAdded {
        item_id: Id,
        title: Text,
        description: Option<Text>,
        mandate: Option<DocumentSymbol>,
        due: Option<Date>,
        on: Date,
    },
    WorkItemProgressed {
        item_id: Id,
        status: WorkItemStatus,
        note: Option<Text>,
        output: Option<DocumentSymbol>,
        on: Date,
    },
}

impl DomainEvent for BodyEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(BodyEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("Body", &self.event_type()).to_string()
    }
}
