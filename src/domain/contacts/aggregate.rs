use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::commands::{Channel, ChannelKind, ContactCommand, ContactRole};
use super::error::ContactError;
use super::events::ContactEvent;
use crate::domain::values::{Date, Id, StateCode, Text};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointOfContact {
    pub role: ContactRole,
    pub name: Text,
    pub organisation: Option<Text>,
    pub channels: Vec<Channel>,
    pub retired: bool,
}

/// A ping and who has answered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ping {
    pub sent_on: Date,
    pub answer_by: Date,
    pub asked: BTreeSet<Id>,
    pub confirmed: BTreeMap<Id, Date>,
}

/// One State's directory of points of contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PointsOfContact {
    pub state: Option<StateCode>,
    pub contacts: BTreeMap<Id, PointOfContact>,
    pub pings: BTreeMap<Id, Ping>,
}

crate::domain::aggregate!(
    PointsOfContact,
    "PointsOfContact",
    ContactCommand,
    ContactEvent,
    ContactError
);

impl PointsOfContact {
    /// Applies an event to the state (the `apply` of its `Aggregate` impl).
    fn apply_event(&mut self, event: ContactEvent) {
        match event {
            ContactEvent::ContactNominated {
                state,
                contact_id,
                role,
                name,
                organisation,
                channels,
            } => {
                self.state = Some(state);
                self.contacts.insert(
                    contact_id,
                    PointOfContact {
                        role,
                        name,
                        organisation,
                        channels,
                        retired: false,
                    },
                );
            }
            ContactEvent::ContactChanged {
                contact_id,
                name,
                organisation,
                channels,
                ..
            } => {
                if let Some(c) = self.contacts.get_mut(&contact_id) {
                    c.name = name;
                    c.organisation = organisation;
                    c.channels = channels;
                }
            }
            ContactEvent::ContactRetired { contact_id, .. } => {
                if let Some(c) = self.contacts.get_mut(&contact_id) {
                    c.retired = true;
                }
            }
            ContactEvent::PingSent {
                ping_id,
                sent_on,
                answer_by,
                contacts,
                ..
            } => {
                self.pings.insert(
                    ping_id,
                    Ping {
                        sent_on,
                        answer_by,
                        asked: contacts.into_iter().collect(),
                        confirmed: BTreeMap::new(),
                    },
                );
            }
            ContactEvent::PingConfirmed {
                ping_id,
                contact_id,
                on,
                ..
            } => {
                if let Some(p) = self.pings.get_mut(&ping_id) {
                    p.confirmed.insert(contact_id, on);
                }
            }
        }
    }
}

fn check_channels(channels: &[Channel]) -> Result<(), ContactError> {
    if channels.is_empty() {
        return Err(ContactError::NoChannel);
    }
    for c in channels {
        if c.kind == ChannelKind::Email && !c.value.as_str().contains('@') {
            return Err(ContactError::NotAnEmail(c.value.to_string()));
        }
    }
    Ok(())
}

impl PointsOfContact {
    fn require_state(&self, given: &StateCode) -> Result<(), ContactError> {
        match &self.state {
            Some(s) if s != given => Err(ContactError::WrongState {
                directory: s.clone(),
                given: given.clone(),
            }),
            _ => Ok(()),
        }
    }

    fn current(&self, id: &Id) -> Result<&PointOfContact, ContactError> {
        match self.contacts.get(id) {
            None => Err(ContactError::UnknownContact(id.clone())),
            Some(c) if c.retired => Err(ContactError::Retired(id.clone())),
            Some(c) => Ok(c),
        }
    }

    /// The contacts not retired, in id order.
    pub fn current_contacts(&self) -> impl Iterator<Item = (&Id, &PointOfContact)> {
        self.contacts.iter().filter(|(_, c)| !c.retired)
    }

    /// Whether `contact` has left unanswered, past its date, the last ping it was asked to
    /// answer (as of `today`).
    pub fn unanswered(&self, contact: &Id, today: Date) -> Option<(&Id, &Ping)> {
        self.pings
            .iter()
            .filter(|(_, p)| p.asked.contains(contact))
            .max_by_key(|(_, p)| p.sent_on)
            .filter(|(_, p)| !p.confirmed.contains_key(contact) && p.answer_by < today)
    }

    pub fn decide(&self, command: ContactCommand) -> Result<Vec<ContactEvent>, ContactError> {
        use ContactCommand as C;
        match command {
            C::NominateContact {
                state,
                contact_id,
                role,
                name,
                organisation,
                channels,
            } => {
                self.require_state(&state)?;
                if self.contacts.contains_key(&contact_id) {
                    return Err(ContactError::AlreadyNominated(contact_id));
                }
                check_channels(&channels)?;
                Ok(vec![ContactEvent::ContactNominated {
                    state,
                    contact_id,
                    role,
                    name,
                    organisation,
                    channels,
                }])
            }
            C::ChangeContact {
                state,
                contact_id,
                name,
                organisation,
                channels,
            } => {
                self.require_state(&state)?;
                let now = self.current(&contact_id)?;
                let channels = channels.unwrap_or_else(|| now.channels.clone());
                check_channels(&channels)?;
                Ok(vec![ContactEvent::ContactChanged {
                    state,
                    name: name.unwrap_or_else(|| now.name.clone()),
                    organisation: organisation.or_else(|| now.organisation.clone()),
                    channels,
                    contact_id,
                }])
            }
            C::RetireContact {
                state,
                contact_id,
                reason,
            } => {
                self.require_state(&state)?;
                self.current(&contact_id)?;
                Ok(vec![ContactEvent::ContactRetired {
                    state,
                    contact_id,
                    reason,
                }])
            }
            C::SendPing {
                ping_id,
                answer_by,
                now,
            } => {
                let Some(state) = self.state.clone() else {
                    return Err(ContactError::NobodyToPing);
                };
                if self.pings.contains_key(&ping_id) {
                    return Err(ContactError::PingExists(ping_id));
                }
                if answer_by < now {
                    return Err(ContactError::AnswerByInThePast { answer_by, now });
                }
                let contacts: Vec<Id> = self.current_contacts().map(|(id, _)| id.clone()).collect();
                if contacts.is_empty() {
                    return Err(ContactError::NobodyToPing);
                }
                Ok(vec![ContactEvent::PingSent {
                    state,
                    ping_id,
                    sent_on: now,
                    answer_by,
                    contacts,
                }])
            }
            C::ConfirmPing {
                state,
                ping_id,
                contact_id,
                now,
            } => {
                self.require_state(&state)?;
                let Some(ping) = self.pings.get(&ping_id) else {
                    return Err(ContactError::UnknownPing(ping_id));
                };
                if !ping.asked.contains(&contact_id) {
                    return Err(ContactError::NotPinged {
                        ping: ping_id,
                        contact: contact_id,
                    });
                }
                if ping.confirmed.contains_key(&contact_id) {
                    return Err(ContactError::AlreadyConfirmed {
                        ping: ping_id,
                        contact: contact_id,
                    });
                }
                Ok(vec![ContactEvent::PingConfirmed {
                    state,
                    ping_id,
                    contact_id,
                    on: now,
                }])
            }
        }
    }
}
