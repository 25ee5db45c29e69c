//! The agenda: provisional, adopted, changed by decision, and its items taken up and
//! concluded one at a time.

use std::collections::BTreeSet;

use super::one;
use crate::domain::meeting::commands::*;
use crate::domain::meeting::error::MeetingError;
use crate::domain::meeting::events::*;
use crate::domain::meeting::guards::{text, Result};
use crate::domain::meeting::state::*;
use crate::domain::values::Date;
use MeetingEvent as E;

impl Meeting {
    pub(super) fn issue_provisional_agenda(
        &self,
        items: Vec<AgendaItem>,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_not_closed("issue the provisional agenda")?;
        if self.agenda_adopted {
            return Err(MeetingError::AgendaAlreadyAdopted);
        }
        check_items(&items)?;
        one(E::ProvisionalAgendaIssued { items })
    }

    pub(super) fn adopt_agenda(&self, now: Date) -> Result<Vec<MeetingEvent>> {
        self.require_open("adopt the agenda")?;
        if self.agenda_adopted {
            return Err(MeetingError::AgendaAlreadyAdopted);
        }
        if self.agenda.is_empty() {
            return Err(MeetingError::NoProvisionalAgenda);
        }
        self.require_quorum_to_decide()?;
        let items: Vec<AgendaItem> = self.agenda.iter().map(|e| e.item.clone()).collect();
        let decision = self.decision(
            DecisionKind::AgendaAdoption,
            text(format!(
                "The agenda was adopted, with {} items.",
                items.len()
            )),
            HowTaken::Consensus,
            now,
            None,
            None,
        );
        Ok(vec![
            decision,
            E::AgendaAdopted {
                items,
                decision_number: self.decisions_taken + 1,
            },
        ])
    }

    pub(super) fn change_agenda(
        &self,
        change: AgendaChange,
        now: Date,
    ) -> Result<Vec<MeetingEvent>> {
        self.require_open("change the agenda")?;
        if !self.agenda_adopted {
            return Err(MeetingError::AgendaNotAdopted);
        }
        self.require_quorum_to_decide()?;
        let decision_number = self.decisions_taken + 1;
        let (wording, item, change_event) = match change {
            AgendaChange::AddItem { item } => {
                if item.number == 0 {
                    return Err(MeetingError::ItemNumberZero);
                }
                if self.agenda.iter().any(|e| e.item.number == item.number) {
                    return Err(MeetingError::DuplicateItemNumber(item.number));
                }
                (
                    format!(
                        "Item {} \"{}\" was added to the agenda.",
                        item.number, item.title
                    ),
                    Some(item.number),
                    E::AgendaItemAdded {
                        item,
                        decision_number,
                    },
                )
            }
            AgendaChange::Reorder { order } => {
                let mut given = order.clone();
                given.sort_unstable();
                let mut have: Vec<u32> = self.agenda.iter().map(|e| e.item.number).collect();
                have.sort_unstable();
                if given != have {
                    return Err(MeetingError::NotAPermutation);
                }
                let listed: Vec<String> = order.iter().map(u32::to_string).collect();
                (
                    format!("The agenda was reordered: items {}.", listed.join(", ")),
                    None,
                    E::AgendaReordered {
                        order,
                        decision_number,
                    },
                )
            }
            AgendaChange::DeferItem { item, to_meeting } => {
                let e = self.entry(item)?;
                match e.status {
                    ItemStatus::Deferred => return Err(MeetingError::ItemDeferred(item)),
                    ItemStatus::Concluded => return Err(MeetingError::ItemConcluded(item)),
                    ItemStatus::UnderConsideration => {
                        return Err(MeetingError::ItemUnderConsideration(item))
                    }
                    ItemStatus::Pending => {}
                }
                let to = match &to_meeting {
                    Some(m) => format!("meeting {m}"),
                    None => "a later meeting".to_owned(),
                };
                (
                    format!("Item {item} \"{}\" was deferred to {to}.", e.item.title),
                    Some(item),
                    E::AgendaItemDeferred {
                        item,
                        to_meeting,
                        decision_number,
                    },
                )
            }
        };
        let decision = self.decision(
            DecisionKind::AgendaChange,
            text(wording),
            HowTaken::Consensus,
            now,
            item,
            None,
        );
        Ok(vec![decision, change_event])
    }

    pub(super) fn take_up_item(&self, item: u32) -> Result<Vec<MeetingEvent>> {
        self.require_open("take up an item")?;
        let e = self.live_item(item)?;
        if let Some(current) = self.current_item {
            return Err(if current == item {
                MeetingError::ItemUnderConsideration(item)
            } else {
                MeetingError::AnotherItemUnderConsideration(current)
            });
        }
        one(E::ItemTakenUp {
            item,
            title: e.item.title.clone(),
            nature: e.item.nature,
        })
    }

    pub(super) fn conclude_item(&self, item: u32) -> Result<Vec<MeetingEvent>> {
        self.require_open("conclude an item")?;
        self.require_current(item)?;
        self.require_no_vote()?;
        self.require_no_open_call()?;
        self.require_no_pending_motion()?;
        one(E::ItemConcluded { item })
    }
}

fn check_items(items: &[AgendaItem]) -> Result<()> {
    if items.is_empty() {
        return Err(MeetingError::EmptyAgenda);
    }
    let mut seen = BTreeSet::new();
    for i in items {
        if i.number == 0 {
            return Err(MeetingError::ItemNumberZero);
        }
        if !seen.insert(i.number) {
            return Err(MeetingError::DuplicateItemNumber(i.number));
        }
    }
    Ok(())
}
