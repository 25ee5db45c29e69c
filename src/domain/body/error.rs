use crate::domain::values::{Date, Id, StateCode};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("This body has already been established.")]
    AlreadyEstablished,
    #[error("This body has not been established.")]
    NotEstablished,
    #[error("A body needs at least one member State.")]
    NoMembers,
    #[error("The rules of procedure are not workable: {0}.")]
    InvalidRules(String),
    #[error("{0} is already a member of this body.")]
    AlreadyMember(StateCode),
    #[error("{0} is not a member State of this body.")]
    NotAMember(StateCode),
    #[error("{0} is already registered with this body.")]
    AlreadyRegistered(Id),
    #[error("{0} is not a registered stakeholder of this body.")]
    UnknownStakeholder(Id),
    #[error("{0} is already accredited.")]
    AlreadyAccredited(Id),
    #[error("The accreditation of {0} is already pending.")]
    AccreditationPending(Id),
    #[error("No accreditation of {0} is pending.")]
    NoAccreditationPending(Id),
    #[error("The notice period must end after today ({now}); {notice_ends} was given.")]
    NoticeEndsTooEarly { notice_ends: Date, now: Date },
    #[error("The notice period for {organisation} ended on {notice_ended}; objections can no longer be raised or withdrawn.")]
    NoticePeriodOver {
        organisation: Id,
        notice_ended: Date,
    },
    #[error("The accreditation of {organisation} cannot be concluded before its notice period ends on {notice_ends}.")]
    NoticePeriodNotOver { organisation: Id, notice_ends: Date },
    #[error("{state} has already objected to the accreditation of {organisation}.")]
    AlreadyObjected { state: StateCode, organisation: Id },
    #[error("{state} has no objection standing to the accreditation of {organisation}.")]
    NoObjectionToWithdraw { state: StateCode, organisation: Id },
    #[error("An attachment limit is between 1 byte and 1 GiB (1073741824 bytes); {0} was given.")]
    AttachmentLimit(u64),
    #[error(
        "A regional group's name is one line of at most 100 characters, without spaces around it."
    )]
    GroupName,
    #[error("{state} is already in the regional group {group}; take it out of that group first.")]
    InAnotherGroup { state: StateCode, group: String },
    #[error("The programme of work already has an item {0}.")]
    WorkItemExists(Id),
    #[error("The programme of work has no item {0}.")]
    UnknownWorkItem(Id),
    #[error("Item {item} was closed ({status}) on {on}; it takes no more progress.")]
    WorkItemClosed { item: Id, status: String, on: Date },
    #[error("Item {0} is already at that status: give a note or an output to record.")]
    NothingToRecord(Id),
    #[error("A work item cannot be due before it is added ({added_on}); {due} was given.")]
    DueBeforeAdded { due: Date, added_on: Date },
}

impl BodyError {
    /// Stable slug, used as the problem+json `type`.
    pub fn code(&self) -> &'static str {
        match self {
            BodyError::AlreadyEstablished => "body-already-established",
            BodyError::NotEstablished => "body-not-established",
            BodyError::NoMembers => "body-without-members",
            BodyError::InvalidRules(_) => "invalid-rules-of-procedure",
            BodyError::AlreadyMember(_) => "already-member",
            BodyError::NotAMember(_) => "not-a-member",
            BodyError::AlreadyRegistered(_) => "already-registered",
            BodyError::UnknownStakeholder(_) => "unknown-stakeholder",
            BodyError::AlreadyAccredited(_) => "already-accredited",
            BodyError::AccreditationPending(_) => "accreditation-pending",
            BodyError::NoAccreditationPending(_) => "no-accreditation-pending",
            BodyError::NoticeEndsTooEarly { .. } => "notice-ends-too-early",
            BodyError::NoticePeriodOver { .. } => "notice-period-over",
            BodyError::NoticePeriodNotOver { .. } => "notice-period-not-over",
            BodyError::AlreadyObjected { .. } => "already-objected",
            BodyError::AttachmentLimit(_) => "attachment-limit",
            BodyError::GroupName => "regional-group-name",
            BodyError::InAnotherGroup { .. } => "in-another-regional-group",
            BodyError::WorkItemExists(_) => "work-item-exists",
            BodyError::UnknownWorkItem(_) => "unknown-work-item",
            BodyError::WorkItemClosed { .. } => "work-item-closed",
            BodyError::NothingToRecord(_) => "nothing-to-record",
            BodyError::DueBeforeAdded { .. } => "due-before-added",
            BodyError::NoObjectionToWithdraw { .. } => "no-objection-to-withdraw",
        }
    }

    /// True when the command is refused because of where things stand (409), false when the
    /// input itself is wrong (422).
    pub fn is_conflict(&self) -> bool {
        match self {
            BodyError::AlreadyEstablished
            | BodyError::NotEstablished
            | BodyError::AlreadyMember(_)
            | BodyError::AlreadyRegistered(_)
            | BodyError::AlreadyAccredited(_)
            | BodyError::AccreditationPending(_)
            | BodyError::NoAccreditationPending(_)
            | BodyError::NoticePeriodOver { .. }
            | BodyError::NoticePeriodNotOver { .. }
            | BodyError::AlreadyObjected { .. }
            | BodyError::NoObjectionToWithdraw { .. }
            | BodyError::InAnotherGroup { .. }
            | BodyError::WorkItemExists(_)
            | BodyError::WorkItemClosed { .. }
            | BodyError::NothingToRecord(_) => true,
            BodyError::NoMembers
            | BodyError::InvalidRules(_)
            | BodyError::NotAMember(_)
            | BodyError::UnknownStakeholder(_)
            | BodyError::NoticeEndsTooEarly { .. }
            | BodyError::AttachmentLimit(_)
            | BodyError::GroupName
            | BodyError::UnknownWorkItem(_)
            | BodyError::DueBeforeAdded { .. } => false,
        }
    }
}
