//! A meeting of a body: attendance and quorum, the agenda, the speakers' list, points of
//! order, procedural motions and votes, the consensus procedure and the decisions it takes.
//!
//! The aggregate does no I/O, so commands carry what it cannot know:
//! - `Convene`: the body's rules of procedure and member list as they stand (quorum and
//!   majorities are counted against this snapshot);
//! - `RegisterStakeholder`: whether the Body has accredited the organisation;
//! - `CallForConsensus` on an amendment, and `DeclareOutcome` adopting one: where it is tabled,
//!   its current revision, and whether it is in conflict or withdrawn, read from the Amendment
//!   aggregate, and whether its operations apply to the framework's current text;
//! - every dated act: `now`, from the clock.
//!
//! Where things are: `commands`, `events` and `error` (the refusals); `state` (what the
//! events fold into) and `apply`; `decide/`, one file per procedure area with a method per
//! command, and `decide/mod.rs`'s exhaustive dispatch; `guards` (the lookups `decide` refuses
//! with). `tests/` follows `decide/`'s split; `properties` holds the property tests.

mod apply;
pub mod commands;
mod decide;
pub mod error;
pub mod events;
mod guards;
pub mod state;

pub use commands::{
    AgendaChange, AgendaItem, AmendmentStanding, Ballot, Chair, ConsensusSubject, DeclaredOutcome,
    DelegateMember, ExplanationTiming, Gender, ItemNature, MeetingCommand, MeetingCommandKind,
    MeetingKind, PlannedMeeting, ProgrammeLink, Speaker, StakeholderRole, TabledUnder,
    TranslatedText, VoteQuestion,
};
pub use error::MeetingError;
pub use events::{
    DecisionEntry, DecisionKind, Explanation, HowTaken, MeetingEvent, MeetingEventKind,
    ObjectionRecord, RecordedVote, VoteOn,
};
pub use guards::decision_symbol;
pub use state::{
    gender_code, AgendaEntry, ConsensusCall, ItemStatus, Meeting, MeetingStatus, Motion,
    MotionStatus, OpenVote, PointOfOrder, PointStatus, SpeakersList, SponsorshipRequest,
    SponsorshipStatus, Statements,
};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
