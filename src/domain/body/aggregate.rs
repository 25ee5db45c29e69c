use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::commands::{BodyCommand, PublicRecord, StakeholderKind};
use super::error::BodyError;
use super::events::BodyEvent;
use super::rules::RulesOfProcedure;
use super::work::{WorkItem, WorkItemStatus, WorkItemStep};
use crate::domain::values::{Date, Id, StateCode, Text};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Accreditation {
    NotAccredited,
    /// Non-objection procedure running; `objections` are those standing.
    Pending {
        notice_ends: Date,
        objections: BTreeSet<StateCode>,
    },
    Accredited,
    Rejected {
        objecting_states: Vec<StateCode>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stakeholder {
    pub name: Text,
    pub kind: StakeholderKind,
    pub accreditation: Accreditation,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Body {
    pub id: Option<Id>,
    pub name: Option<Text>,
    pub parent_body: Option<Id>,
    pub rules: RulesOfProcedure,
    pub members: BTreeSet<StateCode>,
    pub observers: BTreeMap<Id, Text>,
    pub stakeholders: BTreeMap<Id, Stakeholder>,
    /// Set by the secretariat; `None` is [`DEFAULT_ATTACHMENT_LIMIT`].
    #[serde(default)]
    pub attachment_limit: Option<u64>,
    /// What the body makes public; `None` (until it says) is every [`PublicRecord`].
    #[serde(default)]
    pub public_records: Option<BTreeSet<PublicRecord>>,
    /// Regional groups by name, each with its States.
    #[serde(default)]
    pub regional_groups: BTreeMap<Text, BTreeSet<StateCode>>,
    /// The programme of work, by item id.
    #[serde(default)]
    pub work_items: BTreeMap<Id, WorkItem>,
}

/// The largest attachment a body accepts until its secretariat sets a limit: 25 MiB.
pub const DEFAULT_ATTACHMENT_LIMIT: u64 = 25 << 20;
/// No body accepts more in one file: 1 GiB (the request is held on disk, not in memory,
/// only up to this).
pub const MAX_ATTACHMENT_LIMIT: u64 = 1 << 30;

crate::domain::aggregate!(Body, "Body", BodyCommand, BodyEvent, BodyError);

impl Body {
    /// The largest attachment this body accepts, in bytes.
    pub fn attachment_limit(&self) -> u64 {
        self.attachment_limit.unwrap_or(DEFAULT_ATTACHMENT_LIMIT)
    }

    /// Whether the body makes `record` public.
    pub fn publishes(&self, record: PublicRecord) -> bool {
        self.public_records
            .as_ref()
            .is_none_or(|set| set.contains(&record))
    }

    /// The regional group `state` is in, if any.
    pub fn regional_group(&self, state: &StateCode) -> Option<&Text> {
        self.regional_groups
            .iter()
            .find(|(_, states)| states.contains(state))
            .map(|(group, _)| group)
    }

    /// Applies an event to the state (the `apply` of its `Aggregate` impl).
    fn apply_event(&mut self, event: BodyEvent) {
        match event {
            BodyEvent::BodyEstablished {
                body_id,
                name,
                parent_body,
                members,
                rules,
                ..
            } => {
                self.id = Some(body_id);
                self.name = Some(name);
                self.parent_body = parent_body;
                self.members = members.into_iter().collect();
                self.rules = rules;
            }
            BodyEvent::MemberAdmitted { state } => {
                self.members.insert(state);
            }
            BodyEvent::ObserverRegistered { observer_id, name } => {
                self.observers.insert(observer_id, name);
            }
            BodyEvent::StakeholderRegistered {
                organisation_id,
                name,
                kind,
                accredited,
            } => {
                let accreditation = if accredited {
                    Accreditation::Accredited
                } else {
                    Accreditation::NotAccredited
                };
                self.stakeholders.insert(
                    organisation_id,
                    Stakeholder {
                        name,
                        kind,
                        accreditation,
                    },
                );
            }
            BodyEvent::AccreditationProposed {
                organisation_id,
                notice_ends,
                ..
            } => self.set_accreditation(
                &organisation_id,
                Accreditation::Pending {
                    notice_ends,
                    objections: BTreeSet::new(),
                },
            ),
            BodyEvent::AccreditationObjected {
                organisation_id,
                state,
                ..
            } => {
                if let Some(Accreditation::Pending { objections, .. }) = self
                    .stakeholders
                    .get_mut(&organisation_id)
                    .map(|s| &mut s.accreditation)
                {
                    objections.insert(state);
                }
            }
            BodyEvent::AccreditationObjectionWithdrawn {
                organisation_id,
                state,
                ..
            } => {
                if let Some(Accreditation::Pending { objections, .. }) = self
                    .stakeholders
                    .get_mut(&organisation_id)
                    .map(|s| &mut s.accreditation)
                {
                    objections.remove(&state);
                }
            }
            BodyEvent::StakeholderAccredited {
                organisation_id, ..
            } => self.set_accreditation(&organisation_id, Accreditation::Accredited),
            BodyEvent::AccreditationRejected {
                organisation_id,
                objecting_states,
                ..
            } => self.set_accreditation(
                &organisation_id,
                Accreditation::Rejected { objecting_states },
            ),
            BodyEvent::RulesOfProcedureModified { rules, .. } => self.rules = rules,
            BodyEvent::AttachmentLimitSet { bytes } => self.attachment_limit = Some(bytes),
            BodyEvent::PublicRecordsSet { records } => {
                self.public_records = Some(records.into_iter().collect())
            }
            BodyEvent::WorkItemAdded {
                item_id,
                title,
                description,
                mandate,
                due,
                on,
            } => {
                self.work_items.insert(
                    item_id,
                    WorkItem {
                        title,
                        description,
                        mandate,
                        due,
                        added_on: on,
                        status: WorkItemStatus::Planned,
                        steps: vec![],
                    },
                );
            }
            BodyEvent::WorkItemProgressed {
                item_id,
                status,
                note,
                output,
                on,
            } => {
                if let Some(item) = self.work_items.get_mut(&item_id) {
                    item.status = status;
                    item.steps.push(WorkItemStep {
                        on,
                        status,
                        note,
                        output,
                    });
                }
            }
            BodyEvent::RegionalGroupSet { group, states } => {
                if states.is_empty() {
                    self.regional_groups.remove(&group);
                } else {
                    self.regional_groups
                        .insert(group, states.into_iter().collect());
                }
            }
        }
    }
}

impl Body {
    fn set_accreditation(&mut self, organisation: &Id, accreditation: Accreditation) {
        if let Some(s) = self.stakeholders.get_mut(organisation) {
            s.accreditation = accreditation;
        }
    }

    fn stakeholder(&self, organisation: &Id) -> Result<&Stakeholder, BodyError> {
        self.stakeholders
            .get(organisation)
            .ok_or_else(|| BodyError::UnknownStakeholder(organisation.clone()))
    }

    fn member(&self, state: &StateCode) -> Result<(), BodyError> {
        if self.members.contains(state) {
            Ok(())
        } else {
            Err(BodyError::NotAMember(state.clone()))
        }
    }

    /// Organisations whose non-objection procedure is pending and whose notice period ended
    /// before `today`: each must now be concluded (accredited, or rejected if a State objects).
    pub fn accreditations_due(&self, today: Date) -> Vec<Id> {
        self.stakeholders
            .iter()
            .filter(|(_, s)| {
                matches!(s.accreditation, Accreditation::Pending { notice_ends, .. } if notice_ends < today)
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The pending procedure's notice end and standing objections.
    fn pending(&self, organisation: &Id) -> Result<(Date, &BTreeSet<StateCode>), BodyError> {
        match &self.stakeholder(organisation)?.accreditation {
            Accreditation::Pending {
                notice_ends,
                objections,
            } => Ok((*notice_ends, objections)),
            _ => Err(BodyError::NoAccreditationPending(organisation.clone())),
        }
    }

    /// Decides which events a command produces; emits nothing on refusal.
    pub fn decide(&self, command: BodyCommand) -> Result<Vec<BodyEvent>, BodyError> {
        if self.id.is_none() && !matches!(command, BodyCommand::EstablishBody { .. }) {
            return Err(BodyError::NotEstablished);
        }
        let event = match command {
            BodyCommand::EstablishBody {
                body_id,
                name,
                parent_body,
                founding_document,
                members,
                rules,
            } => {
                if self.id.is_some() {
                    return Err(BodyError::AlreadyEstablished);
                }
                let members: BTreeSet<StateCode> = members.into_iter().collect();
                if members.is_empty() {
                    return Err(BodyError::NoMembers);
                }
                let rules = rules.unwrap_or_default();
                rules.check().map_err(BodyError::InvalidRules)?;
                BodyEvent::BodyEstablished {
                    body_id,
                    name,
                    parent_body,
                    founding_document,
                    members: members.into_iter().collect(),
                    rules,
                }
            }
            BodyCommand::AdmitMember { state } => {
                if self.members.contains(&state) {
                    return Err(BodyError::AlreadyMember(state));
                }
                BodyEvent::MemberAdmitted { state }
            }
            BodyCommand::RegisterObserver { observer_id, name } => {
                if self.observers.contains_key(&observer_id)
                    || self.stakeholders.contains_key(&observer_id)
                {
                    return Err(BodyError::AlreadyRegistered(observer_id));
                }
                BodyEvent::ObserverRegistered { observer_id, name }
            }
            BodyCommand::RegisterStakeholder {
                organisation_id,
                name,
                kind,
                already_accredited,
            } => {
                if self.observers.contains_key(&organisation_id)
                    || self.stakeholders.contains_key(&organisation_id)
                {
                    return Err(BodyError::AlreadyRegistered(organisation_id));
                }
                BodyEvent::StakeholderRegistered {
                    organisation_id,
                    name,
                    kind,
                    accredited: already_accredited,
                }
            }
            BodyCommand::ProposeAccreditation {
                organisation_id,
                notice_ends,
                now,
            } => {
                match self.stakeholder(&organisation_id)?.accreditation {
                    Accreditation::Accredited => {
                        return Err(BodyError::AlreadyAccredited(organisation_id))
                    }
                    Accreditation::Pending { .. } => {
                        return Err(BodyError::AccreditationPending(organisation_id))
                    }
                    Accreditation::NotAccredited | Accreditation::Rejected { .. } => {}
                }
                if notice_ends <= now {
                    return Err(BodyError::NoticeEndsTooEarly { notice_ends, now });
                }
                BodyEvent::AccreditationProposed {
                    organisation_id,
                    notice_ends,
                    proposed_on: now,
                }
            }
            BodyCommand::ObjectToAccreditation {
                organisation_id,
                state,
                reason,
                now,
            } => {
                self.member(&state)?;
                let (notice_ends, objections) = self.pending(&organisation_id)?;
                if now > notice_ends {
                    return Err(BodyError::NoticePeriodOver {
                        organisation: organisation_id,
                        notice_ended: notice_ends,
                    });
                }
                if objections.contains(&state) {
                    return Err(BodyError::AlreadyObjected {
                        state,
                        organisation: organisation_id,
                    });
                }
                BodyEvent::AccreditationObjected {
                    organisation_id,
                    state,
                    reason,
                    on: now,
                }
            }
            BodyCommand::WithdrawAccreditationObjection {
                organisation_id,
                state,
                now,
            } => {
                let (notice_ends, objections) = self.pending(&organisation_id)?;
                if now > notice_ends {
                    return Err(BodyError::NoticePeriodOver {
                        organisation: organisation_id,
                        notice_ended: notice_ends,
                    });
                }
                if !objections.contains(&state) {
                    return Err(BodyError::NoObjectionToWithdraw {
                        state,
                        organisation: organisation_id,
                    });
                }
                BodyEvent::AccreditationObjectionWithdrawn {
                    organisation_id,
                    state,
                    on: now,
                }
            }
            BodyCommand::ConcludeAccreditation {
                organisation_id,
                now,
            } => {
                let (notice_ends, objections) = self.pending(&organisation_id)?;
                if now <= notice_ends {
                    return Err(BodyError::NoticePeriodNotOver {
                        organisation: organisation_id,
                        notice_ends,
                    });
                }
                if objections.is_empty() {
                    BodyEvent::StakeholderAccredited {
                        organisation_id,
                        on: now,
                    }
                } else {
                    BodyEvent::AccreditationRejected {
                        organisation_id,
                        objecting_states: objections.iter().cloned().collect(),
                        on: now,
                    }
                }
            }
            BodyCommand::ModifyRulesOfProcedure { rules, decision } => {
                rules.check().map_err(BodyError::InvalidRules)?;
                BodyEvent::RulesOfProcedureModified { rules, decision }
            }
            BodyCommand::SetAttachmentLimit { bytes } => {
                if !(1..=MAX_ATTACHMENT_LIMIT).contains(&bytes) {
                    return Err(BodyError::AttachmentLimit(bytes));
                }
                BodyEvent::AttachmentLimitSet { bytes }
            }
            BodyCommand::AddWorkItem {
                item_id,
                title,
                description,
                mandate,
                due,
                now,
            } => {
                if self.work_items.contains_key(&item_id) {
                    return Err(BodyError::WorkItemExists(item_id));
                }
                if let Some(due) = due.filter(|d| *d < now) {
                    return Err(BodyError::DueBeforeAdded { due, added_on: now });
                }
                BodyEvent::WorkItemAdded {
                    item_id,
                    title,
                    description,
                    mandate,
                    due,
                    on: now,
                }
            }
            BodyCommand::RecordWorkItemProgress {
                item_id,
                status,
                note,
                output,
                now,
            } => {
                let item = self
                    .work_items
                    .get(&item_id)
                    .ok_or_else(|| BodyError::UnknownWorkItem(item_id.clone()))?;
                if item.status.is_closed() {
                    let on = item.steps.last().map(|s| s.on).unwrap_or(item.added_on);
                    let status: &'static str = item.status.into();
                    return Err(BodyError::WorkItemClosed {
                        item: item_id,
                        status: status.to_owned(),
                        on,
                    });
                }
                if status == item.status && note.is_none() && output.is_none() {
                    return Err(BodyError::NothingToRecord(item_id));
                }
                BodyEvent::WorkItemProgressed {
                    item_id,
                    status,
                    note,
                    output,
                    on: now,
                }
            }
            BodyCommand::SetPublicRecords { records } => {
                let records: BTreeSet<PublicRecord> = records.into_iter().collect();
                BodyEvent::PublicRecordsSet {
                    records: records.into_iter().collect(),
                }
            }
            BodyCommand::SetRegionalGroup { group, states } => {
                let name = group.as_str();
                if name.trim() != name || name.contains('\n') || name.chars().count() > 100 {
                    return Err(BodyError::GroupName);
                }
                let states: BTreeSet<StateCode> = states.into_iter().collect();
                for state in &states {
                    if let Some(other) = self.regional_group(state).filter(|g| **g != group) {
                        return Err(BodyError::InAnotherGroup {
                            state: state.clone(),
                            group: other.to_string(),
                        });
                    }
                }
                BodyEvent::RegionalGroupSet {
                    group,
                    states: states.into_iter().collect(),
                }
            }
        };
        Ok(vec![event])
    }
}
