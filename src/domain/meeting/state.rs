//! The meeting's state: what `apply` folds from its events and `decide` reads.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::commands::*;
use super::events::*;
use crate::domain::body::{MotionKind, RulesOfProcedure, StakeholderKind, Tally};
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

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
