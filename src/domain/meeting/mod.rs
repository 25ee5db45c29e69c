//! A meeting of a body: attendance and quorum, the agenda, the speakers' list, points of
//! order, procedural motions and votes, the consensus procedure and the decisions it takes.

pub mod aggregate;
pub mod commands;
pub mod error;
pub mod events;

pub use aggregate::{
    AgendaEntry, ConsensusCall, ItemStatus, Meeting, MeetingStatus, Motion, MotionStatus, OpenVote,
    PointOfOrder, PointStatus, SpeakersList, SponsorshipRequest, SponsorshipStatus,
};
pub use commands::{
    AgendaChange, AgendaItem, AmendmentStanding, Ballot, Chair, ConsensusSubject, DeclaredOutcome,
    DelegateMember, ExplanationTiming, Gender, ItemNature, MeetingCommand, MeetingKind,
    PlannedMeeting, ProgrammeLink, Speaker, StakeholderRole, TabledUnder, VoteQuestion,
};
pub use error::MeetingError;
pub use events::{
    DecisionKind, Explanation, HowTaken, MeetingEvent, ObjectionRecord, RecordedVote, VoteOn,
};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
