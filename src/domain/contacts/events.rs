use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::commands::{Channel, ContactRole};
use crate::domain::values::{Date, Id, StateCode, Text};

// Its kinds name every event type there is (the pages' script follows them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(ContactEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum ContactEvent {
    ContactNominated {
        state: StateCode,
        contact_id: Id,
        role: ContactRole,
        name: Text,
        organisation: Option<Text>,
        channels: Vec<Channel>,
    },
    /// The contact's details as they now are (all of them, whatever was changed).
    ContactChanged {
        state: StateCode,
        contact_id: Id,
        name: Text,
        organisation: Option<Text>,
        channels: Vec<Channel>,
    },
    ContactRetired {
        state: StateCode,
        contact_id: Id,
        reason: Option<Text>,
    },
    PingSent {
        state: StateCode,
        ping_id: Id,
        sent_on: Date,
        answer_by: Date,
        /// The contacts asked to answer: every current one when it was sent.
        contacts: Vec<Id>,
    },
    PingConfirmed {
        state: StateCode,
        ping_id: Id,
        contact_id: Id,
        on: Date,
    },
}

impl DomainEvent for ContactEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(ContactEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("PointsOfContact", &self.event_type()).to_string()
    }
}
