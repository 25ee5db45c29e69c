use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::domain::framework::{
    Conflict, DecisionRef, Operation, ParagraphDiff, TranslationOrigin,
};
use crate::domain::values::{Date, Id, LanguageTag, StateCode, Text};

// Its kinds name every event type there is (the pages' script follows them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(AmendmentEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum AmendmentEvent {
    AmendmentProposed {
        framework_id: Id,
        proposer: StateCode,
        co_sponsors: Vec<StateCode>,
        title: Text,
        /// Always 1.
        revision: u32,
        base_version: u32,
        operations: Vec<Operation>,
        /// Word-level diff of what the operations do to the base text (changed paragraphs only).
        changes: Vec<ParagraphDiff>,
        at: DateTime<Utc>,
    },
    AmendmentRevised {
        by: StateCode,
        revision: u32,
        title: Text,
        base_version: u32,
        operations: Vec<Operation>,
        changes: Vec<ParagraphDiff>,
        at: DateTime<Utc>,
    },
    CoSponsorshipAdded {
        state: StateCode,
        at: DateTime<Utc>,
    },
    CoSponsorshipWithdrawn {
        state: StateCode,
        at: DateTime<Utc>,
    },
    AmendmentWithdrawn {
        by: StateCode,
        at: DateTime<Utc>,
    },
    /// `by` is now the proposer; the former co-sponsors no longer sponsor it.
    AmendmentReintroduced {
        by: StateCode,
        previous_proposer: StateCode,
        at: DateTime<Utc>,
    },
    AmendmentTabled {
        meeting_id: Id,
        agenda_item: u32,
        at: DateTime<Utc>,
    },
    AmendmentInConflict {
        current_version: u32,
        conflict: Conflict,
        at: DateTime<Utc>,
    },
    AmendmentRebased {
        from_version: u32,
        to_version: u32,
        at: DateTime<Utc>,
    },
    AmendmentAdopted {
        decision: DecisionRef,
        revision: u32,
        base_version: u32,
    },
    AmendmentNotAdopted {
        meeting_id: Id,
        date: Date,
        revision: u32,
    },
    /// A translation of revision `revision`: its title and the wording of each of its
    /// operations that proposes any, in order.
    AmendmentTranslated {
        revision: u32,
        language: LanguageTag,
        origin: TranslationOrigin,
        title: Text,
        wording: Vec<Text>,
    },
}

impl DomainEvent for AmendmentEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(AmendmentEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("Amendment", &self.event_type()).to_string()
    }
}
