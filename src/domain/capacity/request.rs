use serde::{Deserialize, Serialize};

use super::commands::{Modality, Party, Priority, RequestCommand};
use super::error::CapacityError;
use super::events::RequestEvent;
use crate::domain::framework::Section;
use crate::domain::values::{Date, Id, LanguageTag, StateCode, Text};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestStatus {
    #[default]
    Open,
    Matched,
    Completed,
    Withdrawn,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Matched => "matched",
            RequestStatus::Completed => "completed",
            RequestStatus::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchStage {
    /// Proposed; waiting for one or both sides.
    Proposed,
    /// Both sides accepted: in effect.
    Agreed,
    Completed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    pub offer_id: Id,
    pub offerer: Party,
    pub stage: MatchStage,
    pub requester_accepted: bool,
    pub offerer_accepted: bool,
    /// Progress notes, in order: (date, by, note).
    pub progress: Vec<(Date, Party, Text)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssistanceRequest {
    pub id: Option<Id>,
    pub state: Option<StateCode>,
    pub area: Option<Section>,
    pub gap_analysis: Option<Id>,
    pub priority: Option<Priority>,
    pub modality: Option<Modality>,
    pub language: Option<LanguageTag>,
    pub region: Option<Text>,
    pub needed_by: Option<Date>,
    pub description: Option<Text>,
    pub status: RequestStatus,
    pub current: Option<Match>,
    /// Offers declined for this request, not to be suggested again.
    pub declined: Vec<Id>,
}

crate::domain::aggregate!(
    AssistanceRequest,
    "AssistanceRequest",
    RequestCommand,
    RequestEvent,
    CapacityError
);

impl AssistanceRequest {
    /// Applies an event to the state (the `apply` of its `Aggregate` impl).
    fn apply_event(&mut self, event: RequestEvent) {
        use RequestEvent as E;
        match event {
            E::RequestFiled {
                request_id,
                state,
                area,
                gap_analysis,
                priority,
                modality,
                language,
                region,
                needed_by,
                description,
            } => {
                *self = AssistanceRequest {
                    id: Some(request_id),
                    state: Some(state),
                    area: Some(area),
                    gap_analysis,
                    priority: Some(priority),
                    modality: Some(modality),
                    language: Some(language),
                    region: Some(region),
                    needed_by,
                    description: Some(description),
                    ..Default::default()
                }
            }
            E::MatchProposed {
                offer_id, offerer, ..
            } => {
                self.current = Some(Match {
                    offer_id,
                    offerer,
                    stage: MatchStage::Proposed,
                    requester_accepted: false,
                    offerer_accepted: false,
                    progress: vec![],
                })
            }
            E::MatchAccepted { by, .. } => {
                let requester = self.state.clone().map(Party::State);
                if let Some(m) = self.current.as_mut() {
                    if Some(&by) == requester.as_ref() {
                        m.requester_accepted = true;
                    } else {
                        m.offerer_accepted = true;
                    }
                }
            }
            E::MatchAgreed { .. } => {
                if let Some(m) = self.current.as_mut() {
                    m.stage = MatchStage::Agreed;
                }
                self.status = RequestStatus::Matched;
            }
            E::MatchDeclined { .. } => {
                if let Some(m) = self.current.take() {
                    self.declined.push(m.offer_id);
                }
            }
            E::ProgressRecorded { by, note, on, .. } => {
                if let Some(m) = self.current.as_mut() {
                    m.progress.push((on, by, note));
                }
            }
            E::MatchCompleted { .. } => {
                if let Some(m) = self.current.as_mut() {
                    m.stage = MatchStage::Completed;
                }
                self.status = RequestStatus::Completed;
            }
            E::RequestWithdrawn { .. } => self.status = RequestStatus::Withdrawn,
        }
    }
}

pub(super) fn party(
    state: Option<StateCode>,
    organisation: Option<Id>,
) -> Result<Party, CapacityError> {
    Party::named(state, organisation).ok_or(CapacityError::OneParty)
}

impl AssistanceRequest {
    /// Which side `p` is on in the current match: `Some(true)` the requester, `Some(false)`
    /// the offerer.
    fn side(&self, p: &Party) -> Option<bool> {
        let m = self.current.as_ref()?;
        if Some(p) == self.state.clone().map(Party::State).as_ref() {
            Some(true)
        } else if p == &m.offerer {
            Some(false)
        } else {
            None
        }
    }

    fn parties(&self) -> String {
        match (&self.state, &self.current) {
            (Some(s), Some(m)) => format!("{s} (the requester) or {} (the offerer)", m.offerer),
            (Some(s), None) => s.to_string(),
            _ => "nobody".into(),
        }
    }

    pub fn decide(&self, command: RequestCommand) -> Result<Vec<RequestEvent>, CapacityError> {
        use RequestCommand as C;
        use RequestEvent as E;
        let Some(state) = self.state.clone() else {
            return match command {
                C::FileRequest {
                    request_id,
                    state,
                    area,
                    gap_analysis,
                    priority,
                    modality,
                    language,
                    region,
                    needed_by,
                    description,
                } => Ok(vec![E::RequestFiled {
                    request_id,
                    state,
                    area,
                    gap_analysis,
                    priority,
                    modality,
                    language,
                    region,
                    needed_by,
                    description,
                }]),
                _ => Err(CapacityError::Unknown),
            };
        };
        let live = |doing| {
            if matches!(
                self.status,
                RequestStatus::Completed | RequestStatus::Withdrawn
            ) {
                Err(CapacityError::WrongStatus(self.status.as_str(), doing))
            } else {
                Ok(())
            }
        };
        match command {
            C::FileRequest { .. } => Err(CapacityError::AlreadyExists),
            C::ProposeMatch {
                state: s,
                offer_id,
                offerer,
                now,
            } => {
                if s != state {
                    return Err(CapacityError::NotAParty(state.to_string()));
                }
                let offerer = offerer.ok_or(CapacityError::UnknownOffer)?;
                live("no match can be proposed")?;
                if self.declined.contains(&offer_id) {
                    return Err(CapacityError::WrongStatus(
                        "open",
                        "that offer was declined for it",
                    ));
                }
                if self.current.is_some() {
                    return Err(CapacityError::AlreadyMatched);
                }
                Ok(vec![E::MatchProposed {
                    state,
                    offer_id,
                    offerer,
                    on: now,
                }])
            }
            C::AcceptMatch {
                state: s,
                organisation,
                now,
            } => {
                live("nothing is left to accept")?;
                let by = party(s, organisation)?;
                let m = self
                    .current
                    .as_ref()
                    .ok_or(CapacityError::NoMatchProposed)?;
                if m.stage != MatchStage::Proposed {
                    return Err(CapacityError::AlreadyMatched);
                }
                let requester = self
                    .side(&by)
                    .ok_or_else(|| CapacityError::NotAParty(self.parties()))?;
                let (r, o) = (m.requester_accepted, m.offerer_accepted);
                if (requester && r) || (!requester && o) {
                    return Err(CapacityError::AlreadyAccepted(by.to_string()));
                }
                let mut events = vec![E::MatchAccepted {
                    state: state.clone(),
                    by,
                    on: now,
                }];
                if (requester || r) && (!requester || o) {
                    events.push(E::MatchAgreed {
                        state,
                        offer_id: m.offer_id.clone(),
                        on: now,
                    });
                }
                Ok(events)
            }
            C::DeclineMatch {
                state: s,
                organisation,
                reason,
                now,
            } => {
                let by = party(s, organisation)?;
                let m = self
                    .current
                    .as_ref()
                    .ok_or(CapacityError::NoMatchProposed)?;
                if m.stage != MatchStage::Proposed {
                    return Err(CapacityError::AlreadyMatched);
                }
                self.side(&by)
                    .ok_or_else(|| CapacityError::NotAParty(self.parties()))?;
                Ok(vec![E::MatchDeclined {
                    state,
                    by,
                    reason,
                    on: now,
                }])
            }
            C::RecordProgress {
                state: s,
                organisation,
                note,
                completed,
                now,
            } => {
                live("its progress is closed")?;
                let by = party(s, organisation)?;
                let m = self.current.as_ref().ok_or(CapacityError::NoMatchAgreed)?;
                if m.stage != MatchStage::Agreed {
                    return Err(CapacityError::NoMatchAgreed);
                }
                self.side(&by)
                    .ok_or_else(|| CapacityError::NotAParty(self.parties()))?;
                let mut events = vec![E::ProgressRecorded {
                    state: state.clone(),
                    by,
                    note,
                    on: now,
                }];
                if completed {
                    events.push(E::MatchCompleted { state, on: now });
                }
                Ok(events)
            }
            C::WithdrawRequest { state: s, now } => {
                if s != state {
                    return Err(CapacityError::NotAParty(state.to_string()));
                }
                if self.status != RequestStatus::Open {
                    return Err(CapacityError::WrongStatus(
                        self.status.as_str(),
                        "only an open request is withdrawn",
                    ));
                }
                Ok(vec![E::RequestWithdrawn { state, on: now }])
            }
        }
    }
}
