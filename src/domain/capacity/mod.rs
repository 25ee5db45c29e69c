//! Capacity building: States' requests for support (area, linked gap analysis, priority,
//! modality, language, timeline) and the offers of States, organisations and funds. A match
//! pairs a request with an offer and takes effect only when both the requester and the
//! offerer accept it; its progress is then recorded to completion. Suggested pairs and why
//! are worked out from the read models (`app::capacity`).

pub mod commands;
pub mod error;
pub mod events;
pub mod offer;
pub mod request;

pub use commands::{
    Modality, OfferCommand, OfferCommandKind, Party, Priority, RequestCommand, RequestCommandKind,
};
pub use error::CapacityError;
pub use events::{OfferEvent, OfferEventKind, RequestEvent, RequestEventKind};
pub use offer::AssistanceOffer;
pub use request::{AssistanceRequest, Match, MatchStage, RequestStatus};

#[cfg(test)]
mod tests;
