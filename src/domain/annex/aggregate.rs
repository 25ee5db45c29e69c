use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::commands::AnnexCommand;
use super::error::AnnexError;
use super::events::AnnexEvent;
use crate::domain::framework::DecisionRef;
use crate::domain::values::{Id, Text};

/// At most this many links per entry.
pub const MAX_LINKS: usize = 10;

/// An entry's wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryText {
    pub organisation: Text,
    pub title: Text,
    pub description: Text,
    pub links: Vec<String>,
}

/// What the next adoption will do to an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pending {
    Wording(EntryText),
    Removal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnexEntry {
    /// Its wording as adopted, and the decision that adopted it; none before its first
    /// adoption.
    pub adopted: Option<(EntryText, DecisionRef)>,
    pub pending: Option<Pending>,
}

/// One body's annex of regional initiatives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Annex {
    pub entries: BTreeMap<Id, AnnexEntry>,
    /// Every decision that adopted the annex, in order.
    pub adoptions: Vec<DecisionRef>,
}

crate::domain::aggregate!(Annex, "Annex", AnnexCommand, AnnexEvent, AnnexError);

fn check_links(links: &[String]) -> Result<(), AnnexError> {
    if links.len() > MAX_LINKS {
        return Err(AnnexError::TooManyLinks {
            given: links.len(),
            max: MAX_LINKS,
        });
    }
    for (index, link) in links.iter().enumerate() {
        let rest = link
            .strip_prefix("https://")
            .or_else(|| link.strip_prefix("http://"));
        let fine = rest.is_some_and(|r| {
            !r.is_empty()
                && r.len() <= 2000
                && !r.starts_with('/')
                && !r.chars().any(|c| c.is_whitespace() || c.is_control())
        });
        if !fine {
            return Err(AnnexError::BadLink {
                index,
                link: link.clone(),
            });
        }
    }
    Ok(())
}

impl Annex {
    /// The entries as adopted, each with the decision that adopted its wording.
    pub fn adopted(&self) -> impl Iterator<Item = (&Id, &EntryText, &DecisionRef)> {
        self.entries
            .iter()
            .filter_map(|(id, e)| e.adopted.as_ref().map(|(t, d)| (id, t, d)))
    }

    /// Whether anything awaits adoption.
    pub fn has_pending(&self) -> bool {
        self.entries.values().any(|e| e.pending.is_some())
    }

    fn decide(&self, command: AnnexCommand) -> Result<Vec<AnnexEvent>, AnnexError> {
        use AnnexCommand as C;
        use AnnexEvent as E;
        Ok(vec![match command {
            C::DraftEntry {
                entry_id,
                organisation,
                title,
                description,
                links,
            } => {
                check_links(&links)?;
                E::EntryDrafted {
                    entry_id,
                    organisation,
                    title,
                    description,
                    links,
                }
            }
            C::ProposeRemoval { entry_id } => {
                let Some(entry) = self.entries.get(&entry_id) else {
                    return Err(AnnexError::UnknownEntry(entry_id));
                };
                match (&entry.adopted, &entry.pending) {
                    (None, _) => E::DraftDropped { entry_id },
                    (Some(_), Some(Pending::Removal)) => {
                        return Err(AnnexError::AlreadyProposedForRemoval(entry_id))
                    }
                    (Some(_), _) => E::RemovalProposed { entry_id },
                }
            }
            C::RecordAdoption {
                meeting_id,
                decision_number,
                decision,
                by_review_conference,
            } => {
                let Some(decision) = decision else {
                    return Err(AnnexError::UnknownDecision {
                        meeting_id,
                        decision_number,
                    });
                };
                if decision.meeting_id != meeting_id || decision.number != decision_number {
                    return Err(AnnexError::DecisionMismatch {
                        meeting_id,
                        decision_number,
                        given: decision.symbol.to_string(),
                    });
                }
                if !by_review_conference {
                    return Err(AnnexError::NotAReviewConference {
                        meeting_id,
                        decision: decision.symbol.to_string(),
                    });
                }
                if self.adoptions.iter().any(|d| d.same_decision(&decision)) {
                    return Err(AnnexError::AlreadyAdoptedBy(decision.symbol.to_string()));
                }
                let mut adopted = vec![];
                let mut removed = vec![];
                for (id, e) in &self.entries {
                    match e.pending {
                        Some(Pending::Wording(_)) => adopted.push(id.clone()),
                        Some(Pending::Removal) => removed.push(id.clone()),
                        None => {}
                    }
                }
                if adopted.is_empty() && removed.is_empty() {
                    return Err(AnnexError::NothingToAdopt);
                }
                E::AnnexAdopted {
                    decision,
                    adopted,
                    removed,
                }
            }
        }])
    }

    /// Applies an event to the state (the `apply` of its `Aggregate` impl); total, as every
    /// `apply` must be.
    fn apply_event(&mut self, event: AnnexEvent) {
        match event {
            AnnexEvent::EntryDrafted {
                entry_id,
                organisation,
                title,
                description,
                links,
            } => {
                let entry = self.entries.entry(entry_id).or_insert(AnnexEntry {
                    adopted: None,
                    pending: None,
                });
                entry.pending = Some(Pending::Wording(EntryText {
                    organisation,
                    title,
                    description,
                    links,
                }));
            }
            AnnexEvent::RemovalProposed { entry_id } => {
                if let Some(e) = self.entries.get_mut(&entry_id) {
                    e.pending = Some(Pending::Removal);
                }
            }
            AnnexEvent::DraftDropped { entry_id } => {
                if let Some(e) = self.entries.get_mut(&entry_id) {
                    e.pending = None;
                    if e.adopted.is_none() {
                        self.entries.remove(&entry_id);
                    }
                }
            }
            AnnexEvent::AnnexAdopted {
                decision,
                adopted,
                removed,
            } => {
                for id in adopted {
                    if let Some(e) = self.entries.get_mut(&id) {
                        if let Some(Pending::Wording(text)) = e.pending.take() {
                            e.adopted = Some((text, decision.clone()));
                        }
                    }
                }
                for id in removed {
                    self.entries.remove(&id);
                }
                self.adoptions.push(decision);
            }
        }
    }
}
