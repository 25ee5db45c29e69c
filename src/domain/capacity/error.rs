#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapacityError {
    #[error("This record already exists.")]
    AlreadyExists,
    #[error("There is no such record.")]
    Unknown,
    #[error("A party names itself in state or organisation: exactly one.")]
    OneParty,
    #[error("Only {0} acts on this.")]
    NotAParty(String),
    #[error("This request is {0}: {1}.")]
    WrongStatus(&'static str, &'static str),
    #[error("A match is already proposed or agreed for this request.")]
    AlreadyMatched,
    #[error("No match is proposed for this request.")]
    NoMatchProposed,
    #[error("No match has been agreed for this request.")]
    NoMatchAgreed,
    #[error("{0} has already accepted.")]
    AlreadyAccepted(String),
    #[error("An offer names at least one area, one modality and one language.")]
    EmptyOffer,
    #[error("An offer can take on at least one request (capacity).")]
    NoCapacity,
    #[error("This offer has been withdrawn.")]
    OfferWithdrawn,
    #[error("No such offer stands.")]
    UnknownOffer,
}

impl CapacityError {
    /// Stable slug, used as the problem+json `type`.
    pub fn code(&self) -> &'static str {
        match self {
            CapacityError::AlreadyExists => "already-exists",
            CapacityError::Unknown => "unknown-record",
            CapacityError::OneParty => "one-party",
            CapacityError::NotAParty(_) => "not-a-party",
            CapacityError::WrongStatus(..) => "wrong-status",
            CapacityError::AlreadyMatched => "already-matched",
            CapacityError::NoMatchProposed => "no-match-proposed",
            CapacityError::NoMatchAgreed => "no-match-agreed",
            CapacityError::AlreadyAccepted(_) => "already-accepted",
            CapacityError::EmptyOffer => "empty-offer",
            CapacityError::NoCapacity => "no-capacity",
            CapacityError::OfferWithdrawn => "offer-withdrawn",
            CapacityError::UnknownOffer => "unknown-offer",
        }
    }

    pub fn is_conflict(&self) -> bool {
        !matches!(
            self,
            CapacityError::OneParty
                | CapacityError::NotAParty(_)
                | CapacityError::EmptyOffer
                | CapacityError::NoCapacity
                | CapacityError::UnknownOffer
        )
    }
}
