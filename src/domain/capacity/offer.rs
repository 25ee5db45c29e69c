use serde::{Deserialize, Serialize};

use super::commands::{Modality, OfferCommand, Party};
use super::error::CapacityError;
use super::events::OfferEvent;
use super::request::party;
use crate::domain::framework::Section;
use crate::domain::values::{Id, LanguageTag, Text};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssistanceOffer {
    pub id: Option<Id>,
    pub offerer: Option<Party>,
    pub areas: Vec<Section>,
    pub modalities: Vec<Modality>,
    pub languages: Vec<LanguageTag>,
    pub regions: Vec<Text>,
    pub capacity: u32,
    pub description: Option<Text>,
    pub withdrawn: bool,
}

crate::domain::aggregate!(
    AssistanceOffer,
    "AssistanceOffer",
    OfferCommand,
    OfferEvent,
    CapacityError
);

impl AssistanceOffer {
    /// Applies an event to the state (the `apply` of its `Aggregate` impl).
    fn apply_event(&mut self, event: OfferEvent) {
        match event {
            OfferEvent::OfferMade {
                offer_id,
                offerer,
                areas,
                modalities,
                languages,
                regions,
                capacity,
                description,
            } => {
                *self = AssistanceOffer {
                    id: Some(offer_id),
                    offerer: Some(offerer),
                    areas,
                    modalities,
                    languages,
                    regions,
                    capacity,
                    description: Some(description),
                    withdrawn: false,
                }
            }
            OfferEvent::OfferWithdrawn { .. } => self.withdrawn = true,
        }
    }
}

impl AssistanceOffer {
    pub fn decide(&self, command: OfferCommand) -> Result<Vec<OfferEvent>, CapacityError> {
        match command {
            OfferCommand::MakeOffer {
                offer_id,
                state,
                organisation,
                areas,
                modalities,
                languages,
                regions,
                capacity,
                description,
            } => {
                if self.offerer.is_some() {
                    return Err(CapacityError::AlreadyExists);
                }
                let offerer = party(state, organisation)?;
                if areas.is_empty() || modalities.is_empty() || languages.is_empty() {
                    return Err(CapacityError::EmptyOffer);
                }
                if capacity == 0 {
                    return Err(CapacityError::NoCapacity);
                }
                Ok(vec![OfferEvent::OfferMade {
                    offer_id,
                    offerer,
                    areas,
                    modalities,
                    languages,
                    regions,
                    capacity,
                    description,
                }])
            }
            OfferCommand::WithdrawOffer {
                state,
                organisation,
            } => {
                let Some(offerer) = &self.offerer else {
                    return Err(CapacityError::Unknown);
                };
                if self.withdrawn {
                    return Err(CapacityError::OfferWithdrawn);
                }
                if &party(state, organisation)? != offerer {
                    return Err(CapacityError::NotAParty(offerer.to_string()));
                }
                Ok(vec![OfferEvent::OfferWithdrawn {
                    offerer: offerer.clone(),
                }])
            }
        }
    }
}
