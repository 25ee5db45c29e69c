use serde::{Deserialize, Serialize};

use super::events::HowTaken;
use std::fmt;

use crate::domain::body::{MotionKind, RulesOfProcedure, StakeholderKind};
use crate::domain::framework::Conflict;
use crate::domain::framework::TranslationOrigin;
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, ParagraphId, StateCode, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeetingKind {
    ReviewConference,
    PeriodicMeeting,
    IntersessionalMeeting,
    InformalWorkingGroupSession,
    /// Open to stakeholders; no State quorum is needed to open it.
    ConsultativeDay,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chair {
    pub name: Text,
    pub state: Option<StateCode>,
}

/// The place in a review conference's programme of work under which a meeting is convened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeLink {
    pub meeting_id: Id,
    /// 1-based position in that programme of work.
    pub item: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gender {
    Female,
    Male,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegateMember {
    pub name: Text,
    /// Recorded only where given, for participation reporting.
    pub gender: Option<Gender>,
    pub head_of_delegation: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StakeholderRole {
    Participant,
    Observer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemNature {
    Procedural,
    Substantive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub number: u32,
    pub title: Text,
    pub nature: ItemNature,
    pub documents: Vec<DocumentSymbol>,
}

/// A change to an adopted agenda; each one is taken as a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgendaChange {
    AddItem {
        item: AgendaItem,
    },
    /// Every item number, in the new order.
    Reorder {
        order: Vec<u32>,
    },
    DeferItem {
        item: u32,
        to_meeting: Option<Id>,
    },
}

/// Who may be inscribed on a list of speakers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Speaker {
    State(StateCode),
    Observer(Id),
    Stakeholder(Id),
}

impl fmt::Display for Speaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Speaker::State(s) => write!(f, "{s}"),
            Speaker::Observer(id) => write!(f, "observer {id}"),
            Speaker::Stakeholder(id) => write!(f, "stakeholder {id}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ballot {
    Yes,
    No,
    Abstain,
}

/// A meeting scheduled by a programme of work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedMeeting {
    pub kind: MeetingKind,
    pub title: Text,
    pub starts: Date,
    pub ends: Date,
}

/// A text of the meeting's record that has translations of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TranslatedText {
    /// The title of agenda item `number`.
    AgendaItem { number: u32 },
    /// The text of decision `number` (a corrigendum makes earlier translations stale).
    Decision { number: u32 },
}

/// What the chair proposes for adoption without a vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsensusSubject {
    Amendment {
        amendment_id: Id,
        revision: u32,
    },
    DraftDecision {
        text: Text,
    },
    /// Only a review conference adopts one.
    ProgrammeOfWork {
        meetings: Vec<PlannedMeeting>,
    },
    /// The meeting's report, as its draft was issued under `symbol` (a registered document,
    /// which the application checks).
    Report {
        symbol: DocumentSymbol,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabledUnder {
    pub meeting_id: Id,
    pub item: u32,
}

/// Facts about an amendment, read by the application from the Amendment aggregate, so this
/// aggregate can refuse a call on an amendment that cannot be decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentStanding {
    pub tabled_under: Option<TabledUnder>,
    pub current_revision: u32,
    /// The text it amends changed since it was drafted.
    pub in_conflict: bool,
    pub withdrawn: bool,
    /// Why its operations do not apply to the framework's text as it stands now, checked
    /// by the application against the current framework (the amendment's own status may
    /// not reflect a change made moments ago). `None` when they apply cleanly.
    pub conflict: Option<Conflict>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExplanationTiming {
    BeforeDecision,
    AfterDecision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeclaredOutcome {
    AdoptedWithoutAVote,
    NoConsensus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoteQuestion {
    Motion {
        motion: u32,
    },
    /// An appeal against the chair's ruling on a point of order.
    Appeal {
        point: u32,
    },
    /// Always refused: a substantive proposal is decided by consensus.
    Proposal {
        subject: ConsensusSubject,
    },
}

// Convene is much larger than the rest; commands live for one request, so boxing it would
// only make the API's JSON handling clumsier.
#[allow(clippy::large_enum_variant)]
// The kind of each command, without its fields: what authorization matches on
// (`app::permissions`), so that a new command is a compile error until someone says who
// may send it.
// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::meetings::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(MeetingCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum MeetingCommand {
    Convene {
        meeting_id: Id,
        body_id: Id,
        kind: MeetingKind,
        symbol: DocumentSymbol,
        title: Text,
        starts: Date,
        ends: Date,
        venue: Text,
        chair: Chair,
        programme_link: Option<ProgrammeLink>,
        /// For a consultative day: the review conference or annual meeting it precedes.
        #[serde(default)]
        precedes: Option<Id>,
        /// The body's rules and members as they stand, so quorum is counted here.
        #[serde(skip_deserializing)]
        rules: RulesOfProcedure,
        #[serde(skip_deserializing)]
        members: Vec<StateCode>,
    },
    Open {
        #[serde(skip_deserializing)]
        now: Date,
    },
    Suspend {
        #[serde(skip_deserializing)]
        now: Date,
    },
    Resume {
        #[serde(skip_deserializing)]
        now: Date,
    },
    Close {
        #[serde(skip_deserializing)]
        now: Date,
    },

    RegisterDelegation {
        state: StateCode,
        members: Vec<DelegateMember>,
    },
    RegisterObserver {
        observer_id: Id,
        name: Text,
    },
    RegisterStakeholder {
        organisation_id: Id,
        name: Text,
        kind: StakeholderKind,
        role: StakeholderRole,
        /// From the Body aggregate: only accredited stakeholders are invited.
        #[serde(skip_deserializing)]
        accredited: bool,
    },
    MarkPresent {
        state: StateCode,
    },
    MarkAbsent {
        state: StateCode,
    },
    RequestSponsorship {
        request_id: Id,
        expert: Text,
        state: StateCode,
        amount_usd: u32,
    },
    AwardSponsorship {
        request_id: Id,
        /// The sponsorship fund that pays: the application records the disbursement on it
        /// first (ADR 22), and the award names it.
        fund_id: Option<Id>,
    },
    DeclineSponsorship {
        request_id: Id,
        reason: Option<Text>,
    },

    IssueProvisionalAgenda {
        items: Vec<AgendaItem>,
    },
    AdoptAgenda {
        #[serde(skip_deserializing)]
        now: Date,
    },
    ChangeAgenda {
        change: AgendaChange,
        #[serde(skip_deserializing)]
        now: Date,
    },
    TakeUpItem {
        item: u32,
    },
    ConcludeItem {
        item: u32,
    },

    InscribeSpeaker {
        item: u32,
        speaker: Speaker,
    },
    WithdrawSpeaker {
        item: u32,
        speaker: Speaker,
    },
    CallNextSpeaker {
        item: u32,
    },
    /// Records which member of the State's delegation took the floor it was given on the item
    /// (for the record and the participation figures: gender, never in public).
    IdentifySpeaker {
        item: u32,
        state: StateCode,
        delegate: Text,
    },
    SetSpeakingTime {
        item: u32,
        seconds: u32,
    },
    CloseSpeakersList {
        item: u32,
    },
    RequestRightOfReply {
        item: u32,
        state: StateCode,
    },
    RaisePointOfOrder {
        state: StateCode,
        point: Text,
    },
    RuleOnPointOfOrder {
        point: u32,
        ruling: Text,
    },
    AppealRuling {
        point: u32,
        state: StateCode,
    },

    MoveMotion {
        state: StateCode,
        kind: MotionKind,
    },
    WithdrawMotion {
        motion: u32,
        state: StateCode,
    },
    PutQuestionToVote {
        question: VoteQuestion,
    },
    RequestRecordedVote {
        state: StateCode,
    },
    CastVote {
        state: StateCode,
        ballot: Ballot,
    },
    CloseVoting {
        #[serde(skip_deserializing)]
        now: Date,
    },

    CallForConsensus {
        subject: ConsensusSubject,
        /// Required when the subject is an amendment.
        #[serde(skip_deserializing)]
        amendment: Option<AmendmentStanding>,
    },
    RaiseObjection {
        state: StateCode,
        reason: Option<Text>,
    },
    WithdrawObjection {
        state: StateCode,
    },
    ExplainPosition {
        state: StateCode,
        timing: ExplanationTiming,
        text: Text,
        dissociates_from: Vec<ParagraphId>,
    },
    DeclareOutcome {
        outcome: DeclaredOutcome,
        #[serde(skip_deserializing)]
        now: Date,
        /// Required to declare an amendment adopted: its standing as it is now, so that
        /// only an amendment that still applies to the framework is adopted.
        #[serde(skip_deserializing)]
        amendment: Option<AmendmentStanding>,
    },
    /// The proposal was withdrawn before a decision (rule 122), e.g. its sponsor withdrew
    /// the amendment; the call ends with neither a decision nor "no consensus".
    WithdrawConsensusCall {
        #[serde(skip_deserializing)]
        now: Date,
    },

    // The secretariat's record-keeping.
    /// Records a decision taken outside the system (on paper, while it was down), on
    /// `on_instruction_of`'s instruction; `date` falls within the meeting's convened dates.
    RecordDecision {
        date: Date,
        agenda_item: Option<u32>,
        text: Text,
        how: HowTaken,
        on_instruction_of: Text,
    },
    /// Keeps the summary record of the meeting's sitting on `date`, a day it sat (within its
    /// convened dates, or a day it is on record as sitting outside them). Kept again for the
    /// same day, the new text is the record's; the log keeps the earlier one.
    KeepSummaryRecord {
        date: Date,
        text: Text,
        /// Its symbol in the registry (`…/SR.1`), if issued as a document.
        symbol: Option<DocumentSymbol>,
    },
    /// Adds (or replaces) the `origin` translation of one of the record's texts into
    /// `language`. The meeting stamps which wording it translates (for a decision, the
    /// number of corrigenda issued so far), so a later correction marks it stale.
    TranslateText {
        text_of: TranslatedText,
        language: LanguageTag,
        origin: TranslationOrigin,
        text: Text,
    },
    /// Corrects a decision's text; the original stays on the record.
    IssueCorrigendum {
        decision: u32,
        text: Text,
        reason: Text,
        #[serde(skip_deserializing)]
        now: Date,
    },
}
