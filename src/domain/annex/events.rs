use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::domain::framework::DecisionRef;
use crate::domain::values::{Id, Text};

// Its kinds name every event type there is (the pages' script follows them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(AnnexEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum AnnexEvent {
    EntryDrafted {
        entry_id: Id,
        organisation: Text,
        title: Text,
        description: Text,
        links: Vec<String>,
    },
    RemovalProposed {
        entry_id: Id,
    },
    /// A draft that was never adopted, taken back.
    DraftDropped {
        entry_id: Id,
    },
    /// The annex as drafted is adopted: `adopted` entries take their drafted wording,
    /// `removed` ones leave it.
    AnnexAdopted {
        decision: DecisionRef,
        adopted: Vec<Id>,
        removed: Vec<Id>,
    },
}

impl DomainEvent for AnnexEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(AnnexEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("Annex", &self.event_type()).to_string()
    }
}
