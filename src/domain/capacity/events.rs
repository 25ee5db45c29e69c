use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::commands::{Modality, Party, Priority};
use crate::domain::framework::Section;
use crate::domain::values::{Date, Id, LanguageTag, StateCode, Text};

// `state` is the requesting State: a request is between that State, its offerer, the
// secretariat and auditors until published elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(RequestEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum RequestEvent {
    RequestFiled {
        request_id: Id,
        state: StateCode,
        area: Section,
        gap_analysis: Option<Id>,
        priority: Priority,
        modality: Modality,
        language: LanguageTag,
        region: Text,
        needed_by: Option<Date>,
        description: Text,
    },
    MatchProposed {
        state: StateCode,
        offer_id: Id,
        offerer: Party,
        on: Date,
    },
    MatchAccepted {
        state: StateCode,
        by: Party,
        on: Date,
    },
    /// Both sides have accepted: the match takes effect.
    MatchAgreed {
        state: StateCode,
        offer_id: Id,
        on: Date,
    },
    MatchDeclined {
        state: StateCode,
        by: Party,
        reason: Option<Text>,
        on: Date,
    },
    ProgressRecorded {
        state: StateCode,
        by: Party,
        note: Text,
        on: Date,
    },
    MatchCompleted {
        state: StateCode,
        on: Date,
    },
    RequestWithdrawn {
        state: StateCode,
        on: Date,
    },
}

impl DomainEvent for RequestEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(RequestEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("AssistanceRequest", &self.event_type()).to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(OfferEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum OfferEvent {
    OfferMade {
        offer_id: Id,
        offerer: Party,
        areas: Vec<Section>,
        modalities: Vec<Modality>,
        languages: Vec<LanguageTag>,
        regions: Vec<Text>,
        capacity: u32,
        description: Text,
    },
    OfferWithdrawn {
        offerer: Party,
    },
}

impl DomainEvent for OfferEvent {
    fn event_type(&self) -> String {
        <&'static str>::from(OfferEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("AssistanceOffer", &self.event_type()).to_string()
    }
}
