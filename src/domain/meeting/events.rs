use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::commands::{
    AgendaItem, Ballot, Chair, ConsensusSubject, DelegateMember, ExplanationTiming, ItemNature,
    MeetingKind, PlannedMeeting, ProgrammeLink, Speaker, StakeholderRole, TranslatedText,
};
use crate::domain::body::{MotionKind, RulesOfProcedure, StakeholderKind, Tally};
use crate::domain::framework::TranslationOrigin;
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, ParagraphId, StateCode, Text};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionRecord {
    pub state: StateCode,
    pub reason: Option<Text>,
    pub withdrawn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub state: StateCode,
    pub timing: ExplanationTiming,
    pub text: Text,
    pub dissociates_from: Vec<ParagraphId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedVote {
    pub state: StateCode,
    pub ballot: Ballot,
}

/// How a decision reached the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecisionEntry {
    /// Taken in the room, through Plenary, as it happened.
    InTheRoom,
    /// Taken outside the system (on paper, while it was down) and entered afterwards by the
    /// secretariat, on whose instruction (the official record's work, issue 23).
    BySecretariat { on_instruction_of: Text },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HowTaken {
    /// Adopted without a vote.
    Consensus,
    Vote {
        yes: u32,
        no: u32,
        abstain: u32,
        /// Present only when a recorded vote was requested.
        recorded_votes: Option<Vec<RecordedVote>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecisionKind {
    AgendaAdoption,
    AgendaChange,
    AmendmentAdopted {
        amendment_id: Id,
        revision: u32,
    },
    ProgrammeOfWork,
    /// The meeting adopted its report, issued in draft under `symbol`.
    ReportAdopted {
        symbol: DocumentSymbol,
    },
    ProceduralOutcome {
        motion: MotionKind,
        tally: Tally,
    },
    /// A decision in its own right (convene, accredit, change the rules...).
    Decision,
}

/// The question being voted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoteOn {
    Motion {
        motion: u32,
        kind: MotionKind,
    },
    /// "Shall the chair's ruling be overturned?"
    Appeal {
        point: u32,
    },
}

// Its kinds name every event type there is (the pages' script follows them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(MeetingEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum MeetingEvent {
    MeetingConvened {
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
        /// A consultative day's meeting (absent from every other meeting's event, and from
        /// events recorded before it existed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precedes: Option<Id>,
        rules: RulesOfProcedure,
        /// Sorted, without duplicates.
        members: Vec<StateCode>,
    },
    MeetingOpened {
        on: Date,
        states_present: u32,
        members: u32,
        quorum_needed: u32,
    },
    /// The meeting opened or resumed on a day outside the dates it was convened for.
    SatOutsideConvenedDates {
        on: Date,
        starts: Date,
        ends: Date,
    },
    MeetingSuspended {
        on: Date,
        by_motion: Option<u32>,
    },
    MeetingResumed {
        on: Date,
    },
    MeetingClosed {
        on: Date,
        by_motion: Option<u32>,
    },

    DelegationRegistered {
        state: StateCode,
        members: Vec<DelegateMember>,
    },
    ObserverAdmitted {
        observer_id: Id,
        name: Text,
    },
    StakeholderAdmitted {
        organisation_id: Id,
        name: Text,
        kind: StakeholderKind,
        role: StakeholderRole,
    },
    StateMarkedPresent {
        state: StateCode,
        states_present: u32,
    },
    StateMarkedAbsent {
        state: StateCode,
        states_present: u32,
    },
    SponsorshipRequested {
        request_id: Id,
        expert: Text,
        state: StateCode,
        amount_usd: u32,
    },
    SponsorshipAwarded {
        request_id: Id,
        expert: Text,
        state: StateCode,
        amount_usd: u32,
        /// The fund whose disbursement pays for it (schema version 2; none before).
        fund_id: Option<Id>,
    },
    SponsorshipDeclined {
        request_id: Id,
        reason: Option<Text>,
    },

    ProvisionalAgendaIssued {
        items: Vec<AgendaItem>,
    },
    AgendaAdopted {
        items: Vec<AgendaItem>,
        decision_number: u32,
    },
    AgendaItemAdded {
        item: AgendaItem,
        decision_number: u32,
    },
    AgendaReordered {
        order: Vec<u32>,
        decision_number: u32,
    },
    AgendaItemDeferred {
        item: u32,
        to_meeting: Option<Id>,
        decision_number: u32,
    },
    ItemTakenUp {
        item: u32,
        title: Text,
        nature: ItemNature,
    },
    ItemConcluded {
        item: u32,
    },

    SpeakerInscribed {
        item: u32,
        speaker: Speaker,
        position: u32,
    },
    SpeakerWithdrawn {
        item: u32,
        speaker: Speaker,
    },
    FloorGiven {
        item: u32,
        speaker: Speaker,
        right_of_reply: bool,
        time_limit_seconds: Option<u32>,
    },
    /// Personal data: restricted like the delegation it names a member of.
    SpeakerIdentified {
        item: u32,
        state: StateCode,
        delegate: Text,
    },
    SpeakingTimeLimited {
        item: u32,
        seconds: u32,
    },
    SpeakersListClosed {
        item: u32,
    },
    RightOfReplyRequested {
        item: u32,
        state: StateCode,
    },
    PointOfOrderRaised {
        point: u32,
        state: StateCode,
        text: Text,
    },
    PointOfOrderRuled {
        point: u32,
        ruling: Text,
    },
    RulingAppealed {
        point: u32,
        state: StateCode,
    },

    MotionMoved {
        motion: u32,
        kind: MotionKind,
        state: StateCode,
        item: Option<u32>,
        /// Pending motions of lower precedence set aside by this one.
        displaced: Vec<u32>,
    },
    MotionWithdrawn {
        motion: u32,
        state: StateCode,
    },
    VotingOpened {
        question: VoteOn,
        states_present: u32,
        members: u32,
        quorum_needed: u32,
    },
    RecordedVoteRequested {
        state: StateCode,
    },
    VoteCast {
        state: StateCode,
        ballot: Ballot,
    },
    /// For an appeal, `carried` means the chair's ruling was overturned.
    VoteConcluded {
        question: VoteOn,
        tally: Tally,
        yes_needed: u32,
        carried: bool,
        recorded_votes: Option<Vec<RecordedVote>>,
    },
    /// The item is set aside, not concluded; it may be taken up again.
    DebateAdjourned {
        item: u32,
        by_motion: u32,
    },
    /// No further speakers on the item: the list is closed and those waiting are dropped.
    DebateClosed {
        item: u32,
        by_motion: u32,
    },

    ConsensusCalled {
        call: u32,
        item: u32,
        subject: ConsensusSubject,
    },
    ObjectionRaised {
        call: u32,
        state: StateCode,
        reason: Option<Text>,
    },
    ObjectionWithdrawn {
        call: u32,
        state: StateCode,
    },
    PositionExplained {
        call: u32,
        state: StateCode,
        timing: ExplanationTiming,
        text: Text,
        dissociates_from: Vec<ParagraphId>,
        /// Set for an explanation after a proposal was adopted.
        decision_number: Option<u32>,
    },
    /// The chair found no consensus; not a decision, but on the record.
    NoConsensusDeclared {
        call: u32,
        item: u32,
        subject: ConsensusSubject,
        objections: Vec<ObjectionRecord>,
        explanations: Vec<Explanation>,
        on: Date,
    },
    ConsensusCallWithdrawn {
        call: u32,
        item: u32,
        subject: ConsensusSubject,
        objections: Vec<ObjectionRecord>,
        explanations: Vec<Explanation>,
        on: Date,
    },
    DecisionTaken {
        number: u32,
        symbol: DocumentSymbol,
        meeting_id: Id,
        date: Date,
        agenda_item: Option<u32>,
        kind: DecisionKind,
        text: Text,
        how: HowTaken,
        /// Every objection raised during the call, withdrawn ones included.
        objections: Vec<ObjectionRecord>,
        explanations: Vec<Explanation>,
        consensus_call: Option<u32>,
        /// How the decision reached the record (schema version 2; every version 1 decision
        /// was taken in the room, and its upcaster says so).
        entered: DecisionEntry,
    },
    ProgrammeOfWorkAdopted {
        decision_number: u32,
        meetings: Vec<PlannedMeeting>,
    },
    /// A corrigendum to decision `number`: the corrected text, under the decision's symbol
    /// with `/Corr.n`. The decision's own entry is never rewritten.
    DecisionCorrected {
        number: u32,
        corrigendum: u32,
        symbol: DocumentSymbol,
        text: Text,
        reason: Text,
        date: Date,
    },
    /// A translation of one of the record's texts, of its wording `of_version` (for an agenda
    /// item always 0; for a decision, the corrigenda issued when it was made).
    TextTranslated {
        text_of: TranslatedText,
        language: LanguageTag,
        origin: TranslationOrigin,
        text: Text,
        of_version: u32,
    },
    /// The summary record of the sitting on `date`, kept by the secretariat.
    SummaryRecordKept {
        date: Date,
        text: Text,
        symbol: Option<DocumentSymbol>,
    },
}

impl DomainEvent for MeetingEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(MeetingEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("Meeting", &self.event_type()).to_string()
    }
}
