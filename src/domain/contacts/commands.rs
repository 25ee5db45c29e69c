use serde::{Deserialize, Serialize};

use crate::domain::values::{Date, Id, StateCode, Text};

/// What a contact is for, as the directory of points of contact distinguishes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactRole {
    /// Policy or diplomatic: usually the ministry of foreign affairs.
    Policy,
    /// Technical, such as the national CERT.
    Technical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelKind {
    Email,
    Phone,
    /// A secure portal or any other means, described in `value`.
    Other,
}

/// One way to reach a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    pub kind: ChannelKind,
    pub value: Text,
}

// `ContactCommandKind` is the command without its fields: who may send each is decided
// from it by an exhaustive match (`app::permissions`).
// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::contacts::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(ContactCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum ContactCommand {
    /// A new contact for `state` (the State whose directory this is).
    NominateContact {
        state: StateCode,
        contact_id: Id,
        role: ContactRole,
        name: Text,
        /// The office or organisation, e.g. the national CERT.
        organisation: Option<Text>,
        channels: Vec<Channel>,
    },
    /// New details for a contact; what is not given stays as it was.
    ChangeContact {
        state: StateCode,
        contact_id: Id,
        name: Option<Text>,
        organisation: Option<Text>,
        channels: Option<Vec<Channel>>,
    },
    RetireContact {
        state: StateCode,
        contact_id: Id,
        reason: Option<Text>,
    },
    /// The secretariat asks every current contact of the State to confirm by `answer_by`.
    SendPing {
        ping_id: Id,
        answer_by: Date,
        #[serde(skip_deserializing)]
        now: Date,
    },
    /// A contact answered a ping (recorded by the State's delegate or the secretariat).
    ConfirmPing {
        state: StateCode,
        ping_id: Id,
        contact_id: Id,
        #[serde(skip_deserializing)]
        now: Date,
    },
}
