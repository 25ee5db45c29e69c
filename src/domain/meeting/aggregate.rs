use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::commands::*;
use super::error::MeetingError;
use super::events::*;
use crate::domain::body::{MotionKind, RulesOfProcedure, StakeholderKind, Tally};
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

type Result<T> = std::result::Result<T, MeetingError>;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeetingStatus {
    #[default]
    NotConvened,
    Convened,
    Open,
    Suspended,
    Closed,
}

impl fmt::Display for MeetingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MeetingStatus::NotConvened => "not convened",
            MeetingStatus::Convened => "convened but not yet open",
            MeetingStatus::Open => "open",
            MeetingStatus::Suspended => "suspended",
            MeetingStatus::Closed => "closed",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemStatus {
    Pending,
    UnderConsideration,
    Concluded,
    Deferred,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaEntry {
    pub item: AgendaItem,
    pub status: ItemStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakersList {
    pub waiting: Vec<Speaker>,
    pub replies: Vec<StateCode>,
    pub closed: bool,
    pub time_limit_seconds: Option<u32>,
    pub floor: Option<Speaker>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointStatus {
    AwaitingRuling,
    Ruled,
    Appealed,
    Upheld,
    Overturned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointOfOrder {
    pub raised_by: StateCode,
    pub text: Text,
    pub ruling: Option<Text>,
    pub status: PointStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MotionStatus {
    Pending,
    Withdrawn,
    Displaced,
    UnderVote,
    Carried,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Motion {
    pub kind: MotionKind,
    pub mover: StateCode,
    pub item: Option<u32>,
    pub status: MotionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenVote {
    pub question: VoteOn,
    pub recorded: bool,
    pub ballots: BTreeMap<StateCode, Ballot>,
}

impl OpenVote {
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for b in self.ballots.values() {
            match b {
                Ballot::Yes => t.yes += 1,
                Ballot::No => t.no += 1,
                Ballot::Abstain => t.abstain += 1,
            }
        }
        t
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsensusCall {
    pub number: u32,
    pub item: u32,
    pub subject: ConsensusSubject,
    /// False once the chair has declared the outcome.
    pub open: bool,
    pub objections: Vec<ObjectionRecord>,
    pub explanations: Vec<Explanation>,
    pub decision_number: Option<u32>,
}

impl ConsensusCall {
    pub fn standing_objections(&self) -> Vec<StateCode> {
        let mut v: Vec<StateCode> = self
            .objections
            .iter()
            .filter(|o| !o.withdrawn)
            .map(|o| o.state.clone())
            .collect();
        v.sort();
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SponsorshipStatus {
    Requested,
    Awarded,
    Declined,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorshipRequest {
    pub expert: Text,
    pub state: StateCode,
    pub amount_usd: u32,
    pub status: SponsorshipStatus,
    /// The fund that paid the award, if it drew on one.
    #[serde(default)]
    pub fund_id: Option<Id>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: Option<Id>,
    pub body_id: Option<Id>,
    pub kind: Option<MeetingKind>,
    pub symbol: Option<DocumentSymbol>,
    pub status: MeetingStatus,
    pub rules: RulesOfProcedure,
    pub members: BTreeSet<StateCode>,
    pub delegations: BTreeMap<StateCode, Vec<DelegateMember>>,
    pub observers: BTreeMap<Id, Text>,
    pub stakeholders: BTreeMap<Id, (StakeholderKind, StakeholderRole)>,
    pub present: BTreeSet<StateCode>,
    pub sponsorships: BTreeMap<Id, SponsorshipRequest>,
    pub agenda: Vec<AgendaEntry>,
    pub agenda_adopted: bool,
    pub current_item: Option<u32>,
    pub speakers: BTreeMap<u32, SpeakersList>,
    /// Numbered from 1 by position.
    pub points_of_order: Vec<PointOfOrder>,
    /// Numbered from 1 by position.
    pub motions: Vec<Motion>,
    pub vote: Option<OpenVote>,
    /// The latest call for consensus, kept after its outcome so late objections are refused.
    pub consensus: Option<ConsensusCall>,
    pub decisions_taken: u32,
    pub programme_of_work: Vec<PlannedMeeting>,
    /// The dates the meeting was convened for (`default`: state views written before this
    /// field was kept read as unknown, and nothing is flagged for them).
    #[serde(default)]
    pub convened_dates: Option<(Date, Date)>,
    /// A consultative day's: the meeting it precedes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precedes: Option<Id>,
    /// Days on which it sat outside those dates (opened or resumed), as recorded.
    #[serde(default)]
    pub sat_outside_dates: Vec<Date>,
    /// Corrigenda issued to each decision, by decision number.
    #[serde(default)]
    pub corrigenda: BTreeMap<u32, u32>,
    /// Statements made by each State (the floor given, replies included), and its speakers
    /// identified by gender: counts, so the state does not grow with every statement.
    #[serde(default)]
    pub statements: BTreeMap<StateCode, Statements>,
    /// Statements by observers and stakeholders.
    #[serde(default)]
    pub other_statements: u32,
    /// A State's latest statement on an item, while its speaker is not yet identified.
    #[serde(default)]
    pub unidentified: BTreeSet<(u32, StateCode)>,
}

/// A State's statements in a meeting and, of those whose speaker was identified, the
/// speakers' gender as the delegation recorded it (`female`, `male`, `other`, `not_given`);
/// their names stay in the restricted events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Statements {
    pub made: u32,
    pub speakers: BTreeMap<String, u32>,
}

/// A gender as the figures name it.
pub fn gender_code(g: Option<Gender>) -> String {
    g.map(|g| format!("{g:?}").to_lowercase())
        .unwrap_or_else(|| "not_given".into())
}

crate::domain::aggregate!(
    Meeting,
    "Meeting",
    MeetingCommand,
    MeetingEvent,
    MeetingError
);

impl Meeting {
    /// Applies an event to the state (the `apply` of its `Aggregate` impl).
    fn apply_event(&mut self, event: MeetingEvent) {
        use MeetingEvent as E;
        match event {
            E::MeetingConvened {
                meeting_id,
                body_id,
                kind,
                symbol,
                rules,
                members,
                starts,
                ends,
                precedes,
                ..
            } => {
                self.convened_dates = Some((starts, ends));
                self.precedes = precedes;
                self.id = Some(meeting_id);
                self.body_id = Some(body_id);
                self.kind = Some(kind);
                self.symbol = Some(symbol);
                self.rules = rules;
                self.members = members.into_iter().collect();
                self.status = MeetingStatus::Convened;
            }
            E::MeetingOpened { .. } | E::MeetingResumed { .. } => self.status = MeetingStatus::Open,
            E::SatOutsideConvenedDates { on, .. } => self.sat_outside_dates.push(on),
            E::MeetingSuspended { .. } => self.status = MeetingStatus::Suspended,
            E::MeetingClosed { .. } => self.status = MeetingStatus::Closed,
            E::DelegationRegistered { state, members } => {
                self.delegations.insert(state, members);
            }
            E::ObserverAdmitted { observer_id, name } => {
                self.observers.insert(observer_id, name);
            }
            E::StakeholderAdmitted {
                organisation_id,
                kind,
                role,
                ..
            } => {
                self.stakeholders.insert(organisation_id, (kind, role));
            }
            E::StateMarkedPresent { state, .. } => {
                self.present.insert(state);
            }
            E::StateMarkedAbsent { state, .. } => {
                self.present.remove(&state);
            }
            E::SponsorshipRequested {
                request_id,
                expert,
                state,
                amount_usd,
            } => {
                self.sponsorships.insert(
                    request_id,
                    SponsorshipRequest {
                        expert,
                        state,
                        amount_usd,
                        status: SponsorshipStatus::Requested,
                        fund_id: None,
                    },
                );
            }
            E::SponsorshipAwarded {
                request_id,
                fund_id,
                ..
            } => {
                if let Some(r) = self.sponsorships.get_mut(&request_id) {
                    r.status = SponsorshipStatus::Awarded;
                    r.fund_id = fund_id;
                }
            }
            E::SponsorshipDeclined { request_id, .. } => {
                if let Some(r) = self.sponsorships.get_mut(&request_id) {
                    r.status = SponsorshipStatus::Declined;
                }
            }
            E::ProvisionalAgendaIssued { items } => {
                self.agenda = items
                    .into_iter()
                    .map(|item| AgendaEntry {
                        item,
                        status: ItemStatus::Pending,
                    })
                    .collect();
            }
            E::AgendaAdopted { items, .. } => {
                self.agenda = items
                    .into_iter()
                    .map(|item| AgendaEntry {
                        item,
                        status: ItemStatus::Pending,
                    })
                    .collect();
                self.agenda_adopted = true;
            }
            E::AgendaItemAdded { item, .. } => self.agenda.push(AgendaEntry {
                item,
                status: ItemStatus::Pending,
            }),
            E::AgendaReordered { order, .. } => {
                let mut entries = std::mem::take(&mut self.agenda);
                for n in order {
                    if let Some(i) = entries.iter().position(|e| e.item.number == n) {
                        self.agenda.push(entries.remove(i));
                    }
                }
                // Anything the order missed stays, rather than being silently lost.
                self.agenda.extend(entries);
            }
            E::AgendaItemDeferred { item, .. } => self.set_item_status(item, ItemStatus::Deferred),
            E::ItemTakenUp { item, .. } => {
                self.set_item_status(item, ItemStatus::UnderConsideration);
                self.current_item = Some(item);
            }
            E::ItemConcluded { item } => {
                self.set_item_status(item, ItemStatus::Concluded);
                self.current_item = None;
            }
            E::SpeakerInscribed { item, speaker, .. } => {
                self.speakers.entry(item).or_default().waiting.push(speaker)
            }
            E::SpeakerWithdrawn { item, speaker } => {
                let list = self.speakers.entry(item).or_default();
                list.waiting.retain(|s| *s != speaker);
            }
            E::SpeakerIdentified {
                item,
                state,
                delegate,
            } => {
                let gender = self
                    .delegations
                    .get(&state)
                    .and_then(|d| d.iter().find(|m| m.name == delegate))
                    .and_then(|m| m.gender);
                if self.unidentified.remove(&(item, state.clone())) {
                    let s = self.statements.entry(state).or_default();
                    *s.speakers.entry(gender_code(gender)).or_default() += 1;
                }
            }
            E::FloorGiven {
                item,
                speaker,
                right_of_reply,
                ..
            } => {
                match &speaker {
                    Speaker::State(s) => {
                        self.statements.entry(s.clone()).or_default().made += 1;
                        self.unidentified.insert((item, s.clone()));
                    }
                    _ => self.other_statements += 1,
                }
                let list = self.speakers.entry(item).or_default();
                if right_of_reply {
                    if let Speaker::State(s) = &speaker {
                        list.replies.retain(|r| r != s);
                    }
                } else {
                    list.waiting.retain(|s| *s != speaker);
                }
                list.floor = Some(speaker);
            }
            E::SpeakingTimeLimited { item, seconds } => {
                self.speakers.entry(item).or_default().time_limit_seconds = Some(seconds)
            }
            E::SpeakersListClosed { item } => self.speakers.entry(item).or_default().closed = true,
            E::RightOfReplyRequested { item, state } => {
                self.speakers.entry(item).or_default().replies.push(state)
            }
            E::PointOfOrderRaised { state, text, .. } => self.points_of_order.push(PointOfOrder {
                raised_by: state,
                text,
                ruling: None,
                status: PointStatus::AwaitingRuling,
            }),
            E::PointOfOrderRuled { point, ruling } => {
                if let Some(p) = self.point_mut(point) {
                    p.ruling = Some(ruling);
                    p.status = PointStatus::Ruled;
                }
            }
            E::RulingAppealed { point, .. } => {
                if let Some(p) = self.point_mut(point) {
                    p.status = PointStatus::Appealed;
                }
            }
            E::MotionMoved {
                kind,
                state,
                item,
                displaced,
                ..
            } => {
                for n in displaced {
                    self.set_motion_status(n, MotionStatus::Displaced);
                }
                self.motions.push(Motion {
                    kind,
                    mover: state,
                    item,
                    status: MotionStatus::Pending,
                });
            }
            E::MotionWithdrawn { motion, .. } => {
                self.set_motion_status(motion, MotionStatus::Withdrawn)
            }
            E::VotingOpened { question, .. } => {
                if let VoteOn::Motion { motion, .. } = &question {
                    self.set_motion_status(*motion, MotionStatus::UnderVote);
                }
                self.vote = Some(OpenVote {
                    question,
                    recorded: false,
                    ballots: BTreeMap::new(),
                });
            }
            E::RecordedVoteRequested { .. } => {
                if let Some(v) = &mut self.vote {
                    v.recorded = true;
                }
            }
            E::VoteCast { state, ballot } => {
                if let Some(v) = &mut self.vote {
                    v.ballots.insert(state, ballot);
                }
            }
            E::VoteConcluded {
                question, carried, ..
            } => {
                match question {
                    VoteOn::Motion { motion, .. } => {
                        let status = if carried {
                            MotionStatus::Carried
                        } else {
                            MotionStatus::Rejected
                        };
                        self.set_motion_status(motion, status);
                    }
                    VoteOn::Appeal { point } => {
                        if let Some(p) = self.point_mut(point) {
                            p.status = if carried {
                                PointStatus::Overturned
                            } else {
                                PointStatus::Upheld
                            };
                        }
                    }
                }
                self.vote = None;
            }
            E::DebateAdjourned { item, .. } => {
                self.set_item_status(item, ItemStatus::Pending);
                if self.current_item == Some(item) {
                    self.current_item = None;
                }
            }
            E::DebateClosed { item, .. } => {
                let list = self.speakers.entry(item).or_default();
                list.closed = true;
                list.waiting.clear();
            }
            E::ConsensusCalled {
                call,
                item,
                subject,
            } => {
                self.consensus = Some(ConsensusCall {
                    number: call,
                    item,
                    subject,
                    open: true,
                    objections: Vec::new(),
                    explanations: Vec::new(),
                    decision_number: None,
                })
            }
            E::ObjectionRaised { state, reason, .. } => {
                if let Some(c) = &mut self.consensus {
                    c.objections.push(ObjectionRecord {
                        state,
                        reason,
                        withdrawn: false,
                    });
                }
            }
            E::ObjectionWithdrawn { state, .. } => {
                if let Some(c) = &mut self.consensus {
                    for o in c.objections.iter_mut().filter(|o| o.state == state) {
                        o.withdrawn = true;
                    }
                }
            }
            E::PositionExplained {
                state,
                timing,
                text,
                dissociates_from,
                ..
            } => {
                if let Some(c) = &mut self.consensus {
                    c.explanations.push(Explanation {
                        state,
                        timing,
                        text,
                        dissociates_from,
                    });
                }
            }
            E::NoConsensusDeclared { .. } | E::ConsensusCallWithdrawn { .. } => {
                if let Some(c) = &mut self.consensus {
                    c.open = false;
                }
            }
            E::DecisionTaken {
                number,
                consensus_call,
                ..
            } => {
                self.decisions_taken = number;
                if let (Some(call), Some(c)) = (consensus_call, &mut self.consensus) {
                    if c.number == call {
                        c.open = false;
                        c.decision_number = Some(number);
                    }
                }
            }
            E::ProgrammeOfWorkAdopted { meetings, .. } => self.programme_of_work = meetings,
            E::DecisionCorrected {
                number,
                corrigendum,
                ..
            } => {
                self.corrigenda.insert(number, corrigendum);
            }
            // The record's, not the state's: the report reads them from the log.
            E::SummaryRecordKept { .. } | E::TextTranslated { .. } => {}
        }
    }
}

// Helpers used by `decide`; none of them change state.
impl Meeting {
    fn set_item_status(&mut self, item: u32, status: ItemStatus) {
        if let Some(e) = self.agenda.iter_mut().find(|e| e.item.number == item) {
            e.status = status;
        }
    }

    fn point_mut(&mut self, point: u32) -> Option<&mut PointOfOrder> {
        self.points_of_order
            .get_mut((point as usize).checked_sub(1)?)
    }

    fn set_motion_status(&mut self, motion: u32, status: MotionStatus) {
        if let Some(m) = (motion as usize)
            .checked_sub(1)
            .and_then(|i| self.motions.get_mut(i))
        {
            m.status = status;
        }
    }

    pub fn states_present(&self) -> u32 {
        count(self.present.len())
    }

    pub fn member_count(&self) -> u32 {
        count(self.members.len())
    }

    fn require_open(&self, action: &'static str) -> Result<()> {
        if self.status == MeetingStatus::Open {
            Ok(())
        } else {
            Err(MeetingError::WrongStage {
                action,
                status: self.status,
            })
        }
    }

    fn require_not_closed(&self, action: &'static str) -> Result<()> {
        if self.status == MeetingStatus::Closed {
            Err(MeetingError::WrongStage {
                action,
                status: self.status,
            })
        } else {
            Ok(())
        }
    }

    fn require_member(&self, state: &StateCode) -> Result<()> {
        if self.members.contains(state) {
            Ok(())
        } else {
            Err(MeetingError::NotAMember(state.clone()))
        }
    }

    fn require_present(&self, state: &StateCode, action: &'static str) -> Result<()> {
        self.require_member(state)?;
        if self.present.contains(state) {
            Ok(())
        } else {
            Err(MeetingError::NotPresent {
                state: state.clone(),
                action,
            })
        }
    }

    /// Rule 108: a majority of members present for any decision. A consultative day takes
    /// none that a State quorum could govern.
    fn require_quorum_to_decide(&self) -> Result<(u32, u32, u32)> {
        let (present, members) = (self.states_present(), self.member_count());
        if self.kind == Some(MeetingKind::ConsultativeDay) {
            return Ok((present, members, 0));
        }
        let needed = self.rules.quorum_to_decide.required(members);
        if present < needed {
            return Err(MeetingError::NoQuorumToDecide {
                present,
                members,
                needed,
            });
        }
        Ok((present, members, needed))
    }

    fn require_no_pending_motion(&self) -> Result<()> {
        match self.pending_motions().next() {
            Some((motion, m)) => Err(MeetingError::MotionPending {
                motion,
                kind: m.kind,
            }),
            None => Ok(()),
        }
    }

    fn require_no_vote(&self) -> Result<()> {
        if self.vote.is_some() {
            Err(MeetingError::VoteInProgress)
        } else {
            Ok(())
        }
    }

    fn require_no_open_call(&self) -> Result<()> {
        match &self.consensus {
            Some(c) if c.open => Err(MeetingError::ConsensusCallOpen),
            _ => Ok(()),
        }
    }

    /// The call still taking objections.
    fn open_call(&self) -> Result<&ConsensusCall> {
        match &self.consensus {
            Some(c) if c.open => Ok(c),
            Some(_) => Err(MeetingError::ConsensusCallEnded),
            None => Err(MeetingError::NoConsensusCallOpen),
        }
    }

    fn entry(&self, item: u32) -> Result<&AgendaEntry> {
        self.agenda
            .iter()
            .find(|e| e.item.number == item)
            .ok_or(MeetingError::ItemNotOnAgenda(item))
    }

    /// An item of the adopted agenda that can still be discussed.
    fn live_item(&self, item: u32) -> Result<&AgendaEntry> {
        if !self.agenda_adopted {
            return Err(MeetingError::AgendaNotAdopted);
        }
        let e = self.entry(item)?;
        match e.status {
            ItemStatus::Deferred => Err(MeetingError::ItemDeferred(item)),
            ItemStatus::Concluded => Err(MeetingError::ItemConcluded(item)),
            ItemStatus::Pending | ItemStatus::UnderConsideration => Ok(e),
        }
    }

    fn current(&self) -> Result<u32> {
        self.current_item
            .ok_or(MeetingError::NoItemUnderConsideration)
    }

    fn require_current(&self, item: u32) -> Result<()> {
        self.live_item(item)?;
        if self.current_item == Some(item) {
            Ok(())
        } else {
            Err(MeetingError::ItemNotCurrent(item))
        }
    }

    fn list(&self, item: u32) -> SpeakersList {
        self.speakers.get(&item).cloned().unwrap_or_default()
    }

    fn motion(&self, motion: u32) -> Result<&Motion> {
        (motion as usize)
            .checked_sub(1)
            .and_then(|i| self.motions.get(i))
            .ok_or(MeetingError::UnknownMotion(motion))
    }

    fn pending_motions(&self) -> impl Iterator<Item = (u32, &Motion)> {
        self.motions
            .iter()
            .enumerate()
            .filter(|(_, m)| m.status == MotionStatus::Pending)
            .map(|(i, m)| (count(i + 1), m))
    }

    fn point(&self, point: u32) -> Result<&PointOfOrder> {
        (point as usize)
            .checked_sub(1)
            .and_then(|i| self.points_of_order.get(i))
            .ok_or(MeetingError::UnknownPointOfOrder(point))
    }

    fn check_participant(&self, speaker: &Speaker) -> Result<()> {
        let known = match speaker {
            Speaker::State(s) => self.members.contains(s),
            Speaker::Observer(id) => self.observers.contains_key(id),
            Speaker::Stakeholder(id) => self.stakeholders.contains_key(id),
        };
        if known {
            Ok(())
        } else {
            Err(MeetingError::UnknownParticipant(speaker.clone()))
        }
    }

    fn sponsorship(&self, request_id: &Id) -> Result<&SponsorshipRequest> {
        let r = self
            .sponsorships
            .get(request_id)
            .ok_or_else(|| MeetingError::UnknownSponsorshipRequest(request_id.clone()))?;
        if r.status == SponsorshipStatus::Requested {
            Ok(r)
        } else {
            Err(MeetingError::SponsorshipAlreadyDecided(request_id.clone()))
        }
    }

    fn is_registered(&self, id: &Id) -> bool {
        self.observers.contains_key(id) || self.stakeholders.contains_key(id)
    }

    /// A numbered decision of this meeting.
    #[allow(clippy::too_many_arguments)]
    fn decision(
        &self,
        kind: DecisionKind,
        text: Text,
        how: HowTaken,
        date: Date,
        agenda_item: Option<u32>,
        call: Option<&ConsensusCall>,
    ) -> MeetingEvent {
        let number = self.decisions_taken + 1;
        let meeting_symbol = self
            .symbol
            .as_ref()
            .map(DocumentSymbol::as_str)
            .unwrap_or("");
        MeetingEvent::DecisionTaken {
            number,
            // Convene keeps the meeting symbol short enough for this to parse.
            symbol: DocumentSymbol::parse(&decision_symbol(meeting_symbol, number))
                .expect("meeting symbol checked at convening"),
            meeting_id: self.id.clone().expect("convened"),
            date,
            agenda_item,
            kind,
            text,
            how,
            objections: call.map(|c| c.objections.clone()).unwrap_or_default(),
            explanations: call.map(|c| c.explanations.clone()).unwrap_or_default(),
            consensus_call: call.map(|c| c.number),
            entered: DecisionEntry::InTheRoom,
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn text(s: String) -> Text {
    Text::parse(&s).expect("generated decision text is never empty")
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

fn check_subject(
    meeting: &Meeting,
    item: u32,
    subject: &ConsensusSubject,
    amendment: Option<&AmendmentStanding>,
) -> Result<()> {
    match subject {
        ConsensusSubject::Amendment {
            amendment_id,
            revision,
        } => {
            let not_tabled = || MeetingError::AmendmentNotTabled {
                amendment_id: amendment_id.clone(),
                item,
            };
            let standing = amendment.ok_or_else(not_tabled)?;
            if standing.withdrawn {
                return Err(MeetingError::AmendmentWithdrawn(amendment_id.clone()));
            }
            let here = TabledUnder {
                meeting_id: meeting.id.clone().expect("convened"),
                item,
            };
            if standing.tabled_under.as_ref() != Some(&here) {
                return Err(not_tabled());
            }
            if standing.current_revision != *revision {
                return Err(MeetingError::RevisionSuperseded {
                    amendment_id: amendment_id.clone(),
                    called: *revision,
                    current: standing.current_revision,
                });
            }
            if standing.in_conflict {
                return Err(MeetingError::AmendmentInConflict(amendment_id.clone()));
            }
            if let Some(conflict) = &standing.conflict {
                return Err(MeetingError::AmendmentDoesNotApply {
                    amendment_id: amendment_id.clone(),
                    conflict: conflict.clone(),
                });
            }
        }
        ConsensusSubject::DraftDecision { .. } | ConsensusSubject::Report { .. } => {}
        ConsensusSubject::ProgrammeOfWork { meetings } => {
            if meeting.kind != Some(MeetingKind::ReviewConference) {
                return Err(MeetingError::ProgrammeOfWorkOnlyAtReviewConference);
            }
            if meetings.is_empty() {
                return Err(MeetingError::EmptyProgrammeOfWork);
            }
            if let Some(m) = meetings.iter().find(|m| m.ends < m.starts) {
                return Err(MeetingError::EndsBeforeStart {
                    starts: m.starts,
                    ends: m.ends,
                });
            }
        }
    }
    Ok(())
}

impl Meeting {
    /// For the application before `Convene` with a programme link: whether `link` names an
    /// item of this meeting's adopted programme of work (this being the linked meeting).
    /// Returns the meeting scheduled at that item.
    pub fn check_programme_link(&self, link: &ProgrammeLink) -> Result<&PlannedMeeting> {
        if self.programme_of_work.is_empty() {
            return Err(MeetingError::NoProgrammeOfWork(link.meeting_id.clone()));
        }
        link.item
            .checked_sub(1)
            .and_then(|i| self.programme_of_work.get(i as usize))
            .ok_or_else(|| MeetingError::NotInProgrammeOfWork {
                meeting_id: link.meeting_id.clone(),
                item: link.item,
                scheduled: self.programme_of_work.len(),
            })
    }

    /// For the application before `Convene` with `precedes`: whether a consultative day of
    /// body `body_id` ending on `ends` may precede this meeting, `id` (a review conference or
    /// an annual meeting of the same body, starting on or after that day).
    pub fn check_preceded_by(&self, id: &Id, body_id: &Id, ends: Date) -> Result<()> {
        let id = id.clone();
        if !matches!(
            self.kind,
            Some(MeetingKind::ReviewConference | MeetingKind::PeriodicMeeting)
        ) {
            return Err(MeetingError::NotPrecededByConsultativeDay(id));
        }
        if self.body_id.as_ref() != Some(body_id) {
            return Err(MeetingError::PrecedesAnotherBody {
                meeting_id: id,
                body_id: body_id.clone(),
            });
        }
        match self.convened_dates {
            Some((starts, _)) if ends > starts => Err(MeetingError::DoesNotPrecede {
                meeting_id: id,
                starts,
                ends,
            }),
            _ => Ok(()),
        }
    }

    /// Decides which events a command produces; a refusal produces none.
    pub fn decide(&self, command: MeetingCommand) -> Result<Vec<MeetingEvent>> {
        use MeetingCommand as C;
        use MeetingEvent as E;
        if self.status == MeetingStatus::NotConvened && !matches!(command, C::Convene { .. }) {
            return Err(MeetingError::NotConvened);
        }
        let one = |e: MeetingEvent| Ok(vec![e]);
        match command {
            C::Convene {
                meeting_id,
                body_id,
                kind,
                symbol,
                title,
                starts,
                ends,
                venue,
                chair,
                programme_link,
                precedes,
                rules,
                members,
            } => {
                if self.status != MeetingStatus::NotConvened {
                    return Err(MeetingError::AlreadyConvened);
                }
                if precedes.is_some() && kind != MeetingKind::ConsultativeDay {
                    return Err(MeetingError::OnlyAConsultativeDayPrecedes);
                }
                if ends < starts {
                    return Err(MeetingError::EndsBeforeStart { starts, ends });
                }
                if symbol.as_str().len() > 85 {
                    return Err(MeetingError::SymbolTooLong(symbol));
                }
                let members: BTreeSet<StateCode> = members.into_iter().collect();
                if members.is_empty() && kind != MeetingKind::ConsultativeDay {
                    return Err(MeetingError::NoMembers);
                }
                rules.check().map_err(MeetingError::InvalidRules)?;
                one(E::MeetingConvened {
                    meeting_id,
                    body_id,
                    kind,
                    symbol,
                    title,
                    starts,
                    ends,
                    venue,
                    chair,
                    programme_link,
                    precedes,
                    rules,
                    members: members.into_iter().collect(),
                })
            }
            C::Open { now } => {
                if self.status != MeetingStatus::Convened {
                    return Err(MeetingError::WrongStage {
                        action: "open the meeting",
                        status: self.status,
                    });
                }
                let (present, members) = (self.states_present(), self.member_count());
                let needed = if self.kind == Some(MeetingKind::ConsultativeDay) {
                    0
                } else {
                    self.rules.quorum_to_open.required(members)
                };
                if present < needed {
                    return Err(MeetingError::NoQuorum {
                        present,
                        members,
                        needed,
                    });
                }
                let mut events = vec![E::MeetingOpened {
                    on: now,
                    states_present: present,
                    members,
                    quorum_needed: needed,
                }];
                events.extend(self.outside_convened_dates(now));
                Ok(events)
            }
            C::Suspend { now } => {
                self.require_open("suspend the meeting")?;
                self.require_no_vote()?;
                one(E::MeetingSuspended {
                    on: now,
                    by_motion: None,
                })
            }
            C::Resume { now } => {
                if self.status != MeetingStatus::Suspended {
                    return Err(MeetingError::WrongStage {
                        action: "resume the meeting",
                        status: self.status,
                    });
                }
                let mut events = vec![E::MeetingResumed { on: now }];
                events.extend(self.outside_convened_dates(now));
                Ok(events)
            }
            C::Close { now } => {
                if !matches!(self.status, MeetingStatus::Open | MeetingStatus::Suspended) {
                    return Err(MeetingError::WrongStage {
                        action: "close the meeting",
                        status: self.status,
                    });
                }
                self.require_no_vote()?;
                self.require_no_open_call()?;
                one(E::MeetingClosed {
                    on: now,
                    by_motion: None,
                })
            }

            C::RegisterDelegation { state, members } => {
                self.require_not_closed("register a delegation")?;
                self.require_member(&state)?;
                if members.is_empty() {
                    return Err(MeetingError::EmptyDelegation(state));
                }
                if members.iter().filter(|m| m.head_of_delegation).count() > 1 {
                    return Err(MeetingError::MoreThanOneHead(state));
                }
                one(E::DelegationRegistered { state, members })
            }
            C::RegisterObserver { observer_id, name } => {
                self.require_not_closed("register an observer")?;
                if self.is_registered(&observer_id) {
                    return Err(MeetingError::AlreadyRegistered(observer_id));
                }
                one(E::ObserverAdmitted { observer_id, name })
            }
            C::RegisterStakeholder {
                organisation_id,
                name,
                kind,
                role,
                accredited,
            } => {
                self.require_not_closed("register a stakeholder")?;
                if self.is_registered(&organisation_id) {
                    return Err(MeetingError::AlreadyRegistered(organisation_id));
                }
                if !accredited {
                    return Err(MeetingError::NotAccredited(organisation_id));
                }
                one(E::StakeholderAdmitted {
                    organisation_id,
                    name,
                    kind,
                    role,
                })
            }
            C::MarkPresent { state } => {
                self.require_not_closed("record attendance")?;
                self.require_member(&state)?;
                if self.present.contains(&state) {
                    return Err(MeetingError::AlreadyPresent(state));
                }
                one(E::StateMarkedPresent {
                    state,
                    states_present: self.states_present() + 1,
                })
            }
            C::MarkAbsent { state } => {
                self.require_not_closed("record attendance")?;
                self.require_member(&state)?;
                if !self.present.contains(&state) {
                    return Err(MeetingError::NotMarkedPresent(state));
                }
                one(E::StateMarkedAbsent {
                    state,
                    states_present: self.states_present() - 1,
                })
            }
            C::RequestSponsorship {
                request_id,
                expert,
                state,
                amount_usd,
            } => {
                self.require_not_closed("request sponsorship")?;
                if amount_usd == 0 {
                    return Err(MeetingError::ZeroAmount);
                }
                if self.sponsorships.contains_key(&request_id) {
                    return Err(MeetingError::AlreadyRegistered(request_id));
                }
                one(E::SponsorshipRequested {
                    request_id,
                    expert,
                    state,
                    amount_usd,
                })
            }
            C::AwardSponsorship {
                request_id,
                fund_id,
            } => {
                let r = self.sponsorship(&request_id)?;
                one(E::SponsorshipAwarded {
                    expert: r.expert.clone(),
                    state: r.state.clone(),
                    amount_usd: r.amount_usd,
                    request_id,
                    fund_id,
                })
            }
            C::DeclineSponsorship { request_id, reason } => {
                self.sponsorship(&request_id)?;
                one(E::SponsorshipDeclined { request_id, reason })
            }

            C::IssueProvisionalAgenda { items } => {
                self.require_not_closed("issue the provisional agenda")?;
                if self.agenda_adopted {
                    return Err(MeetingError::AgendaAlreadyAdopted);
                }
                check_items(&items)?;
                one(E::ProvisionalAgendaIssued { items })
            }
            C::AdoptAgenda { now } => {
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
            C::ChangeAgenda { change, now } => {
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
                        let mut have: Vec<u32> =
                            self.agenda.iter().map(|e| e.item.number).collect();
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
            C::TakeUpItem { item } => {
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
            C::ConcludeItem { item } => {
                self.require_open("conclude an item")?;
                self.require_current(item)?;
                self.require_no_vote()?;
                self.require_no_open_call()?;
                self.require_no_pending_motion()?;
                one(E::ItemConcluded { item })
            }

            C::InscribeSpeaker { item, speaker } => {
                self.require_not_closed("inscribe a speaker")?;
                self.live_item(item)?;
                self.check_participant(&speaker)?;
                let list = self.list(item);
                if list.closed {
                    return Err(MeetingError::SpeakersListClosed(item));
                }
                if list.waiting.contains(&speaker) {
                    return Err(MeetingError::AlreadyInscribed { item, speaker });
                }
                one(E::SpeakerInscribed {
                    item,
                    speaker,
                    position: count(list.waiting.len() + 1),
                })
            }
            C::WithdrawSpeaker { item, speaker } => {
                self.require_not_closed("withdraw a speaker")?;
                self.live_item(item)?;
                if !self.list(item).waiting.contains(&speaker) {
                    return Err(MeetingError::NotInscribed { item, speaker });
                }
                one(E::SpeakerWithdrawn { item, speaker })
            }
            C::CallNextSpeaker { item } => {
                self.require_open("give the floor")?;
                self.require_current(item)?;
                let list = self.list(item);
                let (speaker, right_of_reply) = if let Some(s) = list.waiting.first() {
                    (s.clone(), false)
                } else if let Some(s) = list.replies.first() {
                    // Replies come after the list is exhausted (rule 115).
                    (Speaker::State(s.clone()), true)
                } else {
                    return Err(MeetingError::NoSpeakersWaiting(item));
                };
                one(E::FloorGiven {
                    item,
                    speaker,
                    right_of_reply,
                    time_limit_seconds: list.time_limit_seconds,
                })
            }
            C::IdentifySpeaker {
                item,
                state,
                delegate,
            } => {
                if !self.unidentified.contains(&(item, state.clone())) {
                    return Err(MeetingError::NoStatementToIdentify { item, state });
                }
                let members = self.delegations.get(&state);
                if !members.is_some_and(|d| d.iter().any(|m| m.name == delegate)) {
                    return Err(MeetingError::NotADelegate { state, delegate });
                }
                one(E::SpeakerIdentified {
                    item,
                    state,
                    delegate,
                })
            }
            C::SetSpeakingTime { item, seconds } => {
                self.require_not_closed("limit speaking time")?;
                self.live_item(item)?;
                if seconds == 0 {
                    return Err(MeetingError::ZeroTimeLimit);
                }
                one(E::SpeakingTimeLimited { item, seconds })
            }
            C::CloseSpeakersList { item } => {
                self.require_open("close the list of speakers")?;
                self.live_item(item)?;
                if self.list(item).closed {
                    return Err(MeetingError::SpeakersListClosed(item));
                }
                one(E::SpeakersListClosed { item })
            }
            C::RequestRightOfReply { item, state } => {
                self.require_open("accord a right of reply")?;
                self.require_current(item)?;
                self.require_present(&state, "exercise a right of reply")?;
                // A right of reply may be accorded even after the list is closed.
                if self.list(item).replies.contains(&state) {
                    return Err(MeetingError::AlreadyInscribed {
                        item,
                        speaker: Speaker::State(state),
                    });
                }
                one(E::RightOfReplyRequested { item, state })
            }
            C::RaisePointOfOrder { state, point } => {
                self.require_open("raise a point of order")?;
                self.require_present(&state, "raise a point of order")?;
                one(E::PointOfOrderRaised {
                    point: count(self.points_of_order.len() + 1),
                    state,
                    text: point,
                })
            }
            C::RuleOnPointOfOrder { point, ruling } => {
                self.require_open("rule on a point of order")?;
                if self.point(point)?.status != PointStatus::AwaitingRuling {
                    return Err(MeetingError::PointAlreadyRuled(point));
                }
                one(E::PointOfOrderRuled { point, ruling })
            }
            C::AppealRuling { point, state } => {
                self.require_open("appeal a ruling")?;
                self.require_present(&state, "appeal a ruling")?;
                match self.point(point)?.status {
                    PointStatus::AwaitingRuling => return Err(MeetingError::PointNotRuled(point)),
                    PointStatus::Ruled => {}
                    PointStatus::Appealed | PointStatus::Upheld | PointStatus::Overturned => {
                        return Err(MeetingError::AlreadyAppealed(point))
                    }
                }
                one(E::RulingAppealed { point, state })
            }

            C::MoveMotion { state, kind } => {
                self.require_open("move a procedural motion")?;
                self.require_present(&state, "move a motion")?;
                self.require_no_vote()?;
                self.require_no_open_call()?;
                let rank = self
                    .rules
                    .precedence_of(kind)
                    .ok_or(MeetingError::MotionNotProvided(kind))?;
                if matches!(kind, MotionKind::AdjournDebate | MotionKind::CloseDebate) {
                    self.current()?;
                }
                let mut displaced = Vec::new();
                for (n, m) in self.pending_motions() {
                    // Missing from the list means the rules were changed: treat as lowest.
                    let theirs = self.rules.precedence_of(m.kind).unwrap_or(usize::MAX);
                    if m.kind == kind {
                        return Err(MeetingError::MotionAlreadyPending(kind));
                    }
                    if theirs <= rank {
                        return Err(MeetingError::MotionOutranked {
                            kind,
                            pending: m.kind,
                        });
                    }
                    displaced.push(n);
                }
                one(E::MotionMoved {
                    motion: count(self.motions.len() + 1),
                    kind,
                    state,
                    item: self.current_item,
                    displaced,
                })
            }
            C::WithdrawMotion { motion, state } => {
                self.require_not_closed("withdraw a motion")?;
                let m = self.motion(motion)?;
                if m.status != MotionStatus::Pending {
                    return Err(MeetingError::MotionNotPending(motion));
                }
                if m.mover != state {
                    return Err(MeetingError::NotTheMover { motion, state });
                }
                one(E::MotionWithdrawn { motion, state })
            }
            C::PutQuestionToVote { question } => {
                if let VoteQuestion::Proposal { .. } = question {
                    return Err(MeetingError::SubstantiveQuestionNotVotable);
                }
                self.require_open("put a question to the vote")?;
                self.require_no_vote()?;
                self.require_no_open_call()?;
                let question = match question {
                    VoteQuestion::Motion { motion } => {
                        let m = self.motion(motion)?;
                        if m.status != MotionStatus::Pending {
                            return Err(MeetingError::MotionNotPending(motion));
                        }
                        VoteOn::Motion {
                            motion,
                            kind: m.kind,
                        }
                    }
                    VoteQuestion::Appeal { point } => {
                        if self.point(point)?.status != PointStatus::Appealed {
                            return Err(MeetingError::NoAppealPending(point));
                        }
                        VoteOn::Appeal { point }
                    }
                    VoteQuestion::Proposal { .. } => {
                        return Err(MeetingError::SubstantiveQuestionNotVotable)
                    }
                };
                let (present, members, needed) = self.require_quorum_to_decide()?;
                one(E::VotingOpened {
                    question,
                    states_present: present,
                    members,
                    quorum_needed: needed,
                })
            }
            C::RequestRecordedVote { state } => {
                let vote = self.vote.as_ref().ok_or(MeetingError::NoVoteInProgress)?;
                self.require_present(&state, "request a recorded vote")?;
                if vote.recorded {
                    return Err(MeetingError::RecordedVoteAlreadyRequested);
                }
                one(E::RecordedVoteRequested { state })
            }
            C::CastVote { state, ballot } => {
                let vote = self.vote.as_ref().ok_or(MeetingError::NoVoteInProgress)?;
                self.require_present(&state, "vote")?;
                if vote.ballots.contains_key(&state) {
                    return Err(MeetingError::AlreadyVoted(state));
                }
                one(E::VoteCast { state, ballot })
            }
            C::CloseVoting { now } => {
                let vote = self.vote.as_ref().ok_or(MeetingError::NoVoteInProgress)?;
                let tally = vote.tally();
                let majority = self.rules.procedural_majority;
                let (present, members) = (self.states_present(), self.member_count());
                let yes_needed = majority.yes_needed(&tally, present, members);
                let carried = majority.is_carried(&tally, present, members);
                let recorded_votes = vote.recorded.then(|| {
                    vote.ballots
                        .iter()
                        .map(|(state, ballot)| RecordedVote {
                            state: state.clone(),
                            ballot: *ballot,
                        })
                        .collect::<Vec<_>>()
                });
                let mut events = vec![E::VoteConcluded {
                    question: vote.question.clone(),
                    tally,
                    yes_needed,
                    carried,
                    recorded_votes: recorded_votes.clone(),
                }];
                if let (VoteOn::Motion { motion, kind }, true) = (&vote.question, carried) {
                    let (motion, kind) = (*motion, *kind);
                    let item = self.motion(motion)?.item;
                    events.push(self.decision(
                        DecisionKind::ProceduralOutcome { motion: kind, tally },
                        text(format!(
                            "The motion to {kind} was carried by {} votes to {}, with {} abstentions.",
                            tally.yes, tally.no, tally.abstain
                        )),
                        HowTaken::Vote {
                            yes: tally.yes,
                            no: tally.no,
                            abstain: tally.abstain,
                            recorded_votes,
                        },
                        now,
                        item,
                        None,
                    ));
                    events.push(match kind {
                        MotionKind::SuspendMeeting => E::MeetingSuspended {
                            on: now,
                            by_motion: Some(motion),
                        },
                        MotionKind::AdjournMeeting => E::MeetingClosed {
                            on: now,
                            by_motion: Some(motion),
                        },
                        MotionKind::AdjournDebate => E::DebateAdjourned {
                            item: item.unwrap_or_default(),
                            by_motion: motion,
                        },
                        MotionKind::CloseDebate => E::DebateClosed {
                            item: item.unwrap_or_default(),
                            by_motion: motion,
                        },
                    });
                }
                Ok(events)
            }

            C::CallForConsensus { subject, amendment } => {
                self.require_open("call for consensus")?;
                self.require_no_open_call()?;
                self.require_no_vote()?;
                // Procedural motions take precedence over every other proposal (rule 119).
                self.require_no_pending_motion()?;
                let item = self.current()?;
                if self.entry(item)?.item.nature != ItemNature::Substantive {
                    return Err(MeetingError::ItemNotSubstantive(item));
                }
                check_subject(self, item, &subject, amendment.as_ref())?;
                let call = self.consensus.as_ref().map_or(0, |c| c.number) + 1;
                one(E::ConsensusCalled {
                    call,
                    item,
                    subject,
                })
            }
            C::RaiseObjection { state, reason } => {
                let call = self.open_call()?;
                self.require_open("raise an objection")?;
                self.require_present(&state, "object")?;
                if call.standing_objections().contains(&state) {
                    return Err(MeetingError::AlreadyObjecting(state));
                }
                one(E::ObjectionRaised {
                    call: call.number,
                    state,
                    reason,
                })
            }
            C::WithdrawObjection { state } => {
                let call = self.open_call()?;
                self.require_open("withdraw an objection")?;
                if !call.standing_objections().contains(&state) {
                    return Err(MeetingError::NoObjectionStanding(state));
                }
                one(E::ObjectionWithdrawn {
                    call: call.number,
                    state,
                })
            }
            C::ExplainPosition {
                state,
                timing,
                text,
                dissociates_from,
            } => {
                self.require_open("explain a position")?;
                self.require_present(&state, "explain its position")?;
                let call = match timing {
                    ExplanationTiming::BeforeDecision => self.open_call()?,
                    ExplanationTiming::AfterDecision => match &self.consensus {
                        Some(c) if !c.open => c,
                        _ => return Err(MeetingError::NoOutcomeDeclared),
                    },
                };
                one(E::PositionExplained {
                    call: call.number,
                    state,
                    timing,
                    text,
                    dissociates_from,
                    decision_number: call.decision_number,
                })
            }
            C::WithdrawConsensusCall { now } => {
                let call = self.open_call()?;
                self.require_open("withdraw the proposal")?;
                one(E::ConsensusCallWithdrawn {
                    call: call.number,
                    item: call.item,
                    subject: call.subject.clone(),
                    objections: call.objections.clone(),
                    explanations: call.explanations.clone(),
                    on: now,
                })
            }
            C::RecordDecision {
                date,
                agenda_item,
                text,
                how,
                on_instruction_of,
            } => {
                if let Some((starts, ends)) = self.convened_dates {
                    if date < starts || date > ends {
                        return Err(MeetingError::OutsideConvenedDates { date, starts, ends });
                    }
                }
                if let Some(n) = agenda_item {
                    if !self.agenda.iter().any(|e| e.item.number == n) {
                        return Err(MeetingError::ItemNotOnAgenda(n));
                    }
                }
                let mut decision =
                    self.decision(DecisionKind::Decision, text, how, date, agenda_item, None);
                if let E::DecisionTaken { entered, .. } = &mut decision {
                    *entered = DecisionEntry::BySecretariat { on_instruction_of };
                }
                one(decision)
            }
            C::TranslateText {
                text_of,
                language,
                origin,
                text,
            } => {
                let of_version = match text_of {
                    TranslatedText::AgendaItem { number } => {
                        if !self.agenda.iter().any(|e| e.item.number == number) {
                            return Err(MeetingError::ItemNotOnAgenda(number));
                        }
                        0
                    }
                    TranslatedText::Decision { number } => {
                        if number == 0 || number > self.decisions_taken {
                            return Err(MeetingError::UnknownDecision(number));
                        }
                        self.corrigenda.get(&number).copied().unwrap_or(0)
                    }
                };
                one(E::TextTranslated {
                    text_of,
                    language,
                    origin,
                    text,
                    of_version,
                })
            }
            C::KeepSummaryRecord { date, text, symbol } => {
                if matches!(
                    self.status,
                    MeetingStatus::NotConvened | MeetingStatus::Convened
                ) {
                    return Err(MeetingError::WrongStage {
                        action: "keep a summary record",
                        status: self.status,
                    });
                }
                if let Some((starts, ends)) = self.convened_dates {
                    let sat_outside = self.sat_outside_dates.contains(&date);
                    if (date < starts || date > ends) && !sat_outside {
                        return Err(MeetingError::OutsideConvenedDates { date, starts, ends });
                    }
                }
                one(E::SummaryRecordKept { date, text, symbol })
            }
            C::IssueCorrigendum {
                decision,
                text,
                reason,
                now,
            } => {
                if decision == 0 || decision > self.decisions_taken {
                    return Err(MeetingError::UnknownDecision(decision));
                }
                let corrigendum = self.corrigenda.get(&decision).copied().unwrap_or(0) + 1;
                let symbol = self.symbol.as_ref().map(|s| s.as_str()).unwrap_or_default();
                let symbol = DocumentSymbol::parse(&format!(
                    "{}/Corr.{corrigendum}",
                    decision_symbol(symbol, decision)
                ))
                .map_err(|e| MeetingError::CorrigendumSymbol(e.to_string()))?;
                one(E::DecisionCorrected {
                    number: decision,
                    corrigendum,
                    symbol,
                    text,
                    reason,
                    date: now,
                })
            }
            C::DeclareOutcome {
                outcome,
                now,
                amendment,
            } => {
                let call = self.open_call()?;
                self.require_open("declare the outcome")?;
                match outcome {
                    DeclaredOutcome::NoConsensus => one(E::NoConsensusDeclared {
                        call: call.number,
                        item: call.item,
                        subject: call.subject.clone(),
                        objections: call.objections.clone(),
                        explanations: call.explanations.clone(),
                        on: now,
                    }),
                    DeclaredOutcome::AdoptedWithoutAVote => {
                        let standing = call.standing_objections();
                        if !standing.is_empty() {
                            return Err(MeetingError::ObjectionsStand(standing));
                        }
                        self.require_quorum_to_decide()?;
                        // "Adopted" must mean "applied": the amendment must still be the one
                        // called, and still apply to the framework's current text.
                        if let ConsensusSubject::Amendment { .. } = &call.subject {
                            check_subject(self, call.item, &call.subject, amendment.as_ref())?;
                        }
                        let (kind, wording) = match &call.subject {
                            ConsensusSubject::Amendment {
                                amendment_id,
                                revision,
                            } => (
                                DecisionKind::AmendmentAdopted {
                                    amendment_id: amendment_id.clone(),
                                    revision: *revision,
                                },
                                text(format!(
                                    "Amendment {amendment_id} (revision {revision}) was adopted without a vote."
                                )),
                            ),
                            ConsensusSubject::DraftDecision { text } => {
                                (DecisionKind::Decision, text.clone())
                            }
                            ConsensusSubject::ProgrammeOfWork { meetings } => (
                                DecisionKind::ProgrammeOfWork,
                                text(format!(
                                    "The programme of work was adopted without a vote, scheduling {} meetings.",
                                    meetings.len()
                                )),
                            ),
                            ConsensusSubject::Report { symbol } => (
                                DecisionKind::ReportAdopted {
                                    symbol: symbol.clone(),
                                },
                                text(format!(
                                    "The meeting adopted its report ({symbol}) without a vote."
                                )),
                            ),
                        };
                        let mut events = vec![self.decision(
                            kind,
                            wording,
                            HowTaken::Consensus,
                            now,
                            Some(call.item),
                            Some(call),
                        )];
                        if let ConsensusSubject::ProgrammeOfWork { meetings } = &call.subject {
                            events.push(E::ProgrammeOfWorkAdopted {
                                decision_number: self.decisions_taken + 1,
                                meetings: meetings.clone(),
                            });
                        }
                        Ok(events)
                    }
                }
            }
        }
    }
}

impl Meeting {
    /// A meeting that sits on a day outside the dates it was convened for is recorded as
    /// such, not refused (ADR 13): the record must show what happened, and a meeting held
    /// late without a formal rescheduling still took its decisions.
    fn outside_convened_dates(&self, on: Date) -> Option<MeetingEvent> {
        let (starts, ends) = self.convened_dates?;
        let outside = on < starts || on > ends;
        (outside && !self.sat_outside_dates.contains(&on))
            .then_some(MeetingEvent::SatOutsideConvenedDates { on, starts, ends })
    }
}

/// A decision's symbol: the meeting's symbol, `/DEC/` and the decision's number at that
/// meeting (`PoA/RC.1/2026/DEC/3`). The OpenAPI document states the rule from this function.
pub fn decision_symbol(meeting_symbol: &str, number: u32) -> String {
    format!("{meeting_symbol}/DEC/{number}")
}
