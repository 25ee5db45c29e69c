use super::commands::Speaker;
use super::state::MeetingStatus;
use crate::domain::body::MotionKind;
use crate::domain::framework::Conflict;
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

fn list(states: &[StateCode]) -> String {
    states
        .iter()
        .map(StateCode::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    // Convening and lifecycle
    #[error("This meeting has already been convened.")]
    AlreadyConvened,
    #[error("This meeting has not been convened.")]
    NotConvened,
    #[error("The end date ({ends}) is before the start date ({starts}).")]
    EndsBeforeStart { starts: Date, ends: Date },
    #[error("The meeting symbol {0} is too long to number its decisions: at most 85 characters.")]
    SymbolTooLong(DocumentSymbol),
    #[error("The meeting has no member States to count a quorum against.")]
    NoMembers,
    #[error("The rules of procedure are not workable: {0}.")]
    InvalidRules(String),
    #[error("Cannot {action}: the meeting is {status}.")]
    WrongStage {
        action: &'static str,
        status: MeetingStatus,
    },
    #[error("No quorum: {present} of {members} members present, {needed} needed to open.")]
    NoQuorum {
        present: u32,
        members: u32,
        needed: u32,
    },
    #[error(
        "No quorum: {present} of {members} members present, {needed} needed to take a decision."
    )]
    NoQuorumToDecide {
        present: u32,
        members: u32,
        needed: u32,
    },

    // Participation
    #[error("{0} is not a member of this body.")]
    NotAMember(StateCode),
    #[error("{state} is not present and cannot {action}.")]
    NotPresent {
        state: StateCode,
        action: &'static str,
    },
    #[error("{0} is already marked present.")]
    AlreadyPresent(StateCode),
    #[error("{0} is not marked present.")]
    NotMarkedPresent(StateCode),
    #[error("The delegation of {0} has no members.")]
    EmptyDelegation(StateCode),
    #[error("The delegation of {0} names more than one head of delegation.")]
    MoreThanOneHead(StateCode),
    #[error("{0} is already registered for this meeting.")]
    AlreadyRegistered(Id),
    #[error("{0} is not accredited to this body; it can be invited once accredited.")]
    NotAccredited(Id),
    #[error("{0} is not registered for this meeting.")]
    UnknownParticipant(Speaker),
    #[error("A sponsorship request must be for an amount above zero.")]
    ZeroAmount,
    #[error("There is no sponsorship request {0}.")]
    UnknownSponsorshipRequest(Id),
    #[error("Sponsorship request {0} has already been decided.")]
    SponsorshipAlreadyDecided(Id),

    // Agenda
    #[error("The agenda has no items.")]
    EmptyAgenda,
    #[error("Agenda items are numbered from 1.")]
    ItemNumberZero,
    #[error("Item {0} appears more than once on the agenda.")]
    DuplicateItemNumber(u32),
    #[error("The agenda has already been adopted; changing it needs a decision.")]
    AgendaAlreadyAdopted,
    #[error("The agenda has not been adopted yet.")]
    AgendaNotAdopted,
    #[error("There is no provisional agenda to adopt.")]
    NoProvisionalAgenda,
    #[error("Agenda item {0} is not on the adopted agenda.")]
    ItemNotOnAgenda(u32),
    #[error("Agenda item {0} has been deferred to a later meeting.")]
    ItemDeferred(u32),
    #[error("Consideration of agenda item {0} has been concluded.")]
    ItemConcluded(u32),
    #[error("Agenda item {0} is under consideration.")]
    ItemUnderConsideration(u32),
    #[error("Agenda item {0} is still under consideration; conclude it first.")]
    AnotherItemUnderConsideration(u32),
    #[error("No agenda item is under consideration.")]
    NoItemUnderConsideration,
    #[error("Agenda item {0} is not the item under consideration.")]
    ItemNotCurrent(u32),
    #[error("The new order must list every item of the agenda exactly once.")]
    NotAPermutation,

    // Speakers and points of order
    #[error("The list of speakers on item {0} is closed.")]
    SpeakersListClosed(u32),
    #[error("{speaker} is already waiting to speak on item {item}.")]
    AlreadyInscribed { item: u32, speaker: Speaker },
    #[error("{speaker} is not on the list of speakers for item {item}.")]
    NotInscribed { item: u32, speaker: Speaker },
    #[error("No one is waiting to speak on item {0}.")]
    NoSpeakersWaiting(u32),
    #[error("No statement of {state} on item {item} awaits its speaker: {state} was not given the floor there, or its speaker is already recorded.")]
    NoStatementToIdentify { item: u32, state: StateCode },
    #[error("{delegate} is not a member of the delegation of {state} (delegate).")]
    NotADelegate { state: StateCode, delegate: Text },
    #[error("A speaking time limit must be at least one second.")]
    ZeroTimeLimit,
    #[error("There is no point of order {0}.")]
    UnknownPointOfOrder(u32),
    #[error("The chair has already ruled on point of order {0}.")]
    PointAlreadyRuled(u32),
    #[error("The chair has not yet ruled on point of order {0}.")]
    PointNotRuled(u32),
    #[error("The ruling on point of order {0} has already been appealed.")]
    AlreadyAppealed(u32),
    #[error("The chair's ruling on point of order {0} has not been appealed.")]
    NoAppealPending(u32),

    // Motions and votes
    #[error("The rules of procedure do not provide for a motion to {0}.")]
    MotionNotProvided(MotionKind),
    #[error("A motion to {pending} is pending and takes precedence over a motion to {kind}.")]
    MotionOutranked {
        kind: MotionKind,
        pending: MotionKind,
    },
    #[error(
        "A motion to {kind} (motion {motion}) is pending; it must be decided or withdrawn first."
    )]
    MotionPending { motion: u32, kind: MotionKind },
    #[error("A motion to {0} is already pending.")]
    MotionAlreadyPending(MotionKind),
    #[error("There is no motion {0}.")]
    UnknownMotion(u32),
    #[error("Motion {0} is not pending.")]
    MotionNotPending(u32),
    #[error("Only the mover can withdraw motion {motion}; {state} did not move it.")]
    NotTheMover { motion: u32, state: StateCode },
    #[error("A substantive proposal is never put to a vote: it is decided by consensus.")]
    SubstantiveQuestionNotVotable,
    #[error("Voting is in progress.")]
    VoteInProgress,
    #[error("No vote is in progress.")]
    NoVoteInProgress,
    #[error("{0} has already voted.")]
    AlreadyVoted(StateCode),
    #[error("A recorded vote has already been requested.")]
    RecordedVoteAlreadyRequested,

    // Consensus
    #[error("A call for consensus is open; the chair must declare its outcome first.")]
    ConsensusCallOpen,
    #[error("No call for consensus is open.")]
    NoConsensusCallOpen,
    #[error("The call for consensus has already ended: its outcome was declared or the proposal withdrawn.")]
    ConsensusCallEnded,
    #[error("No outcome of a call for consensus has been declared yet.")]
    NoOutcomeDeclared,
    #[error("Agenda item {0} is procedural; only substantive items are decided by consensus.")]
    ItemNotSubstantive(u32),
    #[error("Amendment {amendment_id} is not tabled under agenda item {item} of this meeting.")]
    AmendmentNotTabled { amendment_id: Id, item: u32 },
    #[error("Amendment {0} has been withdrawn.")]
    AmendmentWithdrawn(Id),
    #[error(
        "Revision {called} of amendment {amendment_id} has been superseded by revision {current}."
    )]
    RevisionSuperseded {
        amendment_id: Id,
        called: u32,
        current: u32,
    },
    #[error("Amendment {0} amends a text that has changed since it was drafted; it must be revised before it can be decided.")]
    AmendmentInConflict(Id),
    #[error("Amendment {amendment_id} no longer applies to the current text of the framework, so it cannot be decided until it is revised: {conflict}.")]
    AmendmentDoesNotApply {
        amendment_id: Id,
        conflict: Conflict,
    },
    #[error("Meeting {0} has adopted no programme of work to convene a meeting under.")]
    NoProgrammeOfWork(Id),
    #[error("The programme of work of meeting {meeting_id} has no item {item}: it schedules {scheduled} meetings, numbered from 1.")]
    NotInProgrammeOfWork {
        meeting_id: Id,
        item: u32,
        scheduled: usize,
    },
    #[error("Only a consultative day precedes another meeting.")]
    OnlyAConsultativeDayPrecedes,
    #[error("Meeting {0} is neither a review conference nor an annual meeting: no consultative day precedes it.")]
    NotPrecededByConsultativeDay(Id),
    #[error("Meeting {meeting_id} is not a meeting of {body_id}.")]
    PrecedesAnotherBody { meeting_id: Id, body_id: Id },
    #[error("Meeting {meeting_id} starts on {starts}, before the consultative day ends ({ends}).")]
    DoesNotPrecede {
        meeting_id: Id,
        starts: Date,
        ends: Date,
    },
    #[error("Only a review conference adopts a programme of work.")]
    ProgrammeOfWorkOnlyAtReviewConference,
    #[error("A programme of work must schedule at least one meeting.")]
    EmptyProgrammeOfWork,
    #[error("{0} already has an objection standing.")]
    AlreadyObjecting(StateCode),
    #[error("{0} has no objection standing.")]
    NoObjectionStanding(StateCode),
    #[error("The proposal cannot be declared adopted while an objection stands: {}.", list(.0))]
    ObjectionsStand(Vec<StateCode>),

    // The secretariat's record-keeping
    #[error("A decision of this meeting is dated within its convened dates, {starts} to {ends}; {date} was given.")]
    OutsideConvenedDates {
        date: Date,
        starts: Date,
        ends: Date,
    },
    #[error("This meeting has no decision {0}.")]
    UnknownDecision(u32),
    #[error("A corrigendum's symbol would be too long: {0}.")]
    CorrigendumSymbol(String),
}

impl MeetingError {
    /// Stable slug, used as the problem+json `type`.
    pub fn code(&self) -> &'static str {
        use MeetingError as M;
        match self {
            M::AlreadyConvened => "meeting-already-convened",
            M::NotConvened => "meeting-not-convened",
            M::EndsBeforeStart { .. } => "ends-before-start",
            M::SymbolTooLong(_) => "meeting-symbol-too-long",
            M::OutsideConvenedDates { .. } => "outside-convened-dates",
            M::UnknownDecision(_) => "unknown-decision",
            M::CorrigendumSymbol(_) => "corrigendum-symbol",
            M::NoMembers => "meeting-without-members",
            M::InvalidRules(_) => "invalid-rules-of-procedure",
            M::WrongStage { .. } => "wrong-meeting-stage",
            M::NoQuorum { .. } => "no-quorum-to-open",
            M::NoQuorumToDecide { .. } => "no-quorum-to-decide",
            M::NotAMember(_) => "not-a-member",
            M::NotPresent { .. } => "state-not-present",
            M::AlreadyPresent(_) => "already-present",
            M::NotMarkedPresent(_) => "not-marked-present",
            M::EmptyDelegation(_) => "empty-delegation",
            M::MoreThanOneHead(_) => "more-than-one-head-of-delegation",
            M::AlreadyRegistered(_) => "already-registered",
            M::NotAccredited(_) => "stakeholder-not-accredited",
            M::UnknownParticipant(_) => "unknown-participant",
            M::ZeroAmount => "zero-sponsorship-amount",
            M::UnknownSponsorshipRequest(_) => "unknown-sponsorship-request",
            M::SponsorshipAlreadyDecided(_) => "sponsorship-already-decided",
            M::EmptyAgenda => "empty-agenda",
            M::ItemNumberZero => "item-number-zero",
            M::DuplicateItemNumber(_) => "duplicate-item-number",
            M::AgendaAlreadyAdopted => "agenda-already-adopted",
            M::AgendaNotAdopted => "agenda-not-adopted",
            M::NoProvisionalAgenda => "no-provisional-agenda",
            M::ItemNotOnAgenda(_) => "item-not-on-agenda",
            M::ItemDeferred(_) => "item-deferred",
            M::ItemConcluded(_) => "item-concluded",
            M::ItemUnderConsideration(_) => "item-under-consideration",
            M::AnotherItemUnderConsideration(_) => "another-item-under-consideration",
            M::NoItemUnderConsideration => "no-item-under-consideration",
            M::ItemNotCurrent(_) => "item-not-current",
            M::NotAPermutation => "agenda-order-not-a-permutation",
            M::SpeakersListClosed(_) => "speakers-list-closed",
            M::AlreadyInscribed { .. } => "already-inscribed",
            M::NotInscribed { .. } => "not-inscribed",
            M::NoSpeakersWaiting(_) => "no-speakers-waiting",
            M::NoStatementToIdentify { .. } => "no-statement-to-identify",
            M::NotADelegate { .. } => "not-a-delegate",
            M::ZeroTimeLimit => "zero-time-limit",
            M::UnknownPointOfOrder(_) => "unknown-point-of-order",
            M::PointAlreadyRuled(_) => "point-already-ruled",
            M::PointNotRuled(_) => "point-not-ruled",
            M::AlreadyAppealed(_) => "ruling-already-appealed",
            M::NoAppealPending(_) => "no-appeal-pending",
            M::MotionNotProvided(_) => "motion-not-provided",
            M::MotionOutranked { .. } => "motion-outranked",
            M::MotionPending { .. } => "motion-pending",
            M::MotionAlreadyPending(_) => "motion-already-pending",
            M::UnknownMotion(_) => "unknown-motion",
            M::MotionNotPending(_) => "motion-not-pending",
            M::NotTheMover { .. } => "not-the-mover",
            M::SubstantiveQuestionNotVotable => "substantive-question-not-votable",
            M::VoteInProgress => "vote-in-progress",
            M::NoVoteInProgress => "no-vote-in-progress",
            M::AlreadyVoted(_) => "already-voted",
            M::RecordedVoteAlreadyRequested => "recorded-vote-already-requested",
            M::ConsensusCallOpen => "consensus-call-open",
            M::NoConsensusCallOpen => "no-consensus-call-open",
            M::ConsensusCallEnded => "consensus-call-ended",
            M::NoOutcomeDeclared => "no-outcome-declared",
            M::ItemNotSubstantive(_) => "item-not-substantive",
            M::AmendmentNotTabled { .. } => "amendment-not-tabled",
            M::AmendmentWithdrawn(_) => "amendment-withdrawn",
            M::RevisionSuperseded { .. } => "amendment-revision-superseded",
            M::AmendmentInConflict(_) => "amendment-in-conflict",
            M::AmendmentDoesNotApply { .. } => "amendment-does-not-apply",
            M::ProgrammeOfWorkOnlyAtReviewConference => {
                "programme-of-work-only-at-review-conference"
            }
            M::EmptyProgrammeOfWork => "empty-programme-of-work",
            M::NoProgrammeOfWork(_) => "no-programme-of-work",
            M::OnlyAConsultativeDayPrecedes => "only-a-consultative-day-precedes",
            M::NotPrecededByConsultativeDay(_) => "not-preceded-by-consultative-day",
            M::PrecedesAnotherBody { .. } => "precedes-another-body",
            M::DoesNotPrecede { .. } => "does-not-precede",
            M::NotInProgrammeOfWork { .. } => "not-in-programme-of-work",
            M::AlreadyObjecting(_) => "already-objecting",
            M::NoObjectionStanding(_) => "no-objection-standing",
            M::ObjectionsStand(_) => "objections-stand",
        }
    }

    /// True when refused because of where the meeting stands (409), false when the input is
    /// wrong whatever the state (422).
    pub fn is_conflict(&self) -> bool {
        use MeetingError as M;
        !matches!(
            self,
            M::EndsBeforeStart { .. }
                | M::OutsideConvenedDates { .. }
                | M::UnknownDecision(_)
                | M::CorrigendumSymbol(_)
                | M::SymbolTooLong(_)
                | M::NoMembers
                | M::InvalidRules(_)
                | M::NotAMember(_)
                | M::EmptyDelegation(_)
                | M::MoreThanOneHead(_)
                | M::NotAccredited(_)
                | M::UnknownParticipant(_)
                | M::ZeroAmount
                | M::UnknownSponsorshipRequest(_)
                | M::EmptyAgenda
                | M::ItemNumberZero
                | M::DuplicateItemNumber(_)
                | M::ItemNotOnAgenda(_)
                | M::NotAPermutation
                | M::ZeroTimeLimit
                | M::NotADelegate { .. }
                | M::UnknownPointOfOrder(_)
                | M::MotionNotProvided(_)
                | M::UnknownMotion(_)
                | M::NotTheMover { .. }
                | M::SubstantiveQuestionNotVotable
                | M::ProgrammeOfWorkOnlyAtReviewConference
                | M::EmptyProgrammeOfWork
                | M::NoProgrammeOfWork(_)
                | M::NotInProgrammeOfWork { .. }
                | M::OnlyAConsultativeDayPrecedes
                | M::NotPrecededByConsultativeDay(_)
                | M::PrecedesAnotherBody { .. }
                | M::DoesNotPrecede { .. }
        )
    }
}
