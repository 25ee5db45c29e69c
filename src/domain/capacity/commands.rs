use serde::{Deserialize, Serialize};

use crate::domain::framework::Section;
use crate::domain::values::{Date, Id, LanguageTag, StateCode, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Modality {
    Training,
    Equipment,
    LegislativeAssistance,
    CertDevelopment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    High,
    Medium,
    Low,
}

pub use crate::domain::values::Party;

// Who may send each is decided from `RequestCommandKind` by an exhaustive match
// (`app::permissions`). A party names itself in `state` or `organisation`.
// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::capacity::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(RequestCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum RequestCommand {
    FileRequest {
        request_id: Id,
        state: StateCode,
        area: Section,
        /// The gap analysis (a submission) it follows from.
        gap_analysis: Option<Id>,
        priority: Priority,
        modality: Modality,
        language: LanguageTag,
        /// Where the requesting State sits, for matching by region.
        region: Text,
        needed_by: Option<Date>,
        description: Text,
    },
    /// Pairs the request with an offer. `offerer` is the offer's, supplied by the server
    /// (`None`: no such offer stands); `state` is the requesting State.
    ProposeMatch {
        state: StateCode,
        offer_id: Id,
        #[serde(skip_deserializing)]
        offerer: Option<Party>,
        #[serde(skip_deserializing)]
        now: Date,
    },
    /// One side accepts the proposed match; it takes effect when both have.
    AcceptMatch {
        state: Option<StateCode>,
        organisation: Option<Id>,
        #[serde(skip_deserializing)]
        now: Date,
    },
    DeclineMatch {
        state: Option<StateCode>,
        organisation: Option<Id>,
        reason: Option<Text>,
        #[serde(skip_deserializing)]
        now: Date,
    },
    RecordProgress {
        state: Option<StateCode>,
        organisation: Option<Id>,
        note: Text,
        completed: bool,
        #[serde(skip_deserializing)]
        now: Date,
    },
    WithdrawRequest {
        state: StateCode,
        #[serde(skip_deserializing)]
        now: Date,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(OfferCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum OfferCommand {
    MakeOffer {
        offer_id: Id,
        state: Option<StateCode>,
        organisation: Option<Id>,
        areas: Vec<Section>,
        modalities: Vec<Modality>,
        languages: Vec<LanguageTag>,
        regions: Vec<Text>,
        /// How many requests it can take on at once.
        capacity: u32,
        description: Text,
    },
    WithdrawOffer {
        state: Option<StateCode>,
        organisation: Option<Id>,
    },
}
