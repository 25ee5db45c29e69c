use crate::domain::values::{Date, Id, StateCode};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("This is the directory of {directory}; {given} was named.")]
    WrongState {
        directory: StateCode,
        given: StateCode,
    },
    #[error("{0} is already a point of contact in this directory.")]
    AlreadyNominated(Id),
    #[error("There is no point of contact {0} in this directory.")]
    UnknownContact(Id),
    #[error("{0} has been retired.")]
    Retired(Id),
    #[error("A point of contact needs at least one channel (an e-mail address, a telephone number or another means).")]
    NoChannel,
    #[error("An e-mail channel must be an address with an @: {0} was given.")]
    NotAnEmail(String),
    #[error("The directory has no current point of contact to ping.")]
    NobodyToPing,
    #[error("A ping {0} has already been sent.")]
    PingExists(Id),
    #[error("The answer date must not be before today ({now}); {answer_by} was given.")]
    AnswerByInThePast { answer_by: Date, now: Date },
    #[error("There is no ping {0}.")]
    UnknownPing(Id),
    #[error("{contact} was not asked to answer ping {ping}.")]
    NotPinged { ping: Id, contact: Id },
    #[error("{contact} has already confirmed ping {ping}.")]
    AlreadyConfirmed { ping: Id, contact: Id },
}

impl ContactError {
    /// Stable slug, used as the problem+json `type`.
    pub fn code(&self) -> &'static str {
        match self {
            ContactError::WrongState { .. } => "wrong-state",
            ContactError::AlreadyNominated(_) => "contact-already-nominated",
            ContactError::UnknownContact(_) => "unknown-contact",
            ContactError::Retired(_) => "contact-retired",
            ContactError::NoChannel => "contact-without-channel",
            ContactError::NotAnEmail(_) => "not-an-email-address",
            ContactError::NobodyToPing => "nobody-to-ping",
            ContactError::PingExists(_) => "ping-exists",
            ContactError::AnswerByInThePast { .. } => "answer-by-in-the-past",
            ContactError::UnknownPing(_) => "unknown-ping",
            ContactError::NotPinged { .. } => "not-pinged",
            ContactError::AlreadyConfirmed { .. } => "already-confirmed",
        }
    }

    /// True when the refusal is about the directory as it stands (409), false for invalid
    /// input (422).
    pub fn is_conflict(&self) -> bool {
        match self {
            ContactError::AlreadyNominated(_)
            | ContactError::Retired(_)
            | ContactError::NobodyToPing
            | ContactError::PingExists(_)
            | ContactError::AlreadyConfirmed { .. } => true,
            ContactError::WrongState { .. }
            | ContactError::UnknownContact(_)
            | ContactError::NoChannel
            | ContactError::NotAnEmail(_)
            | ContactError::AnswerByInThePast { .. }
            | ContactError::UnknownPing(_)
            | ContactError::NotPinged { .. } => false,
        }
    }
}
