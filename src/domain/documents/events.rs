use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::commands::{Distribution, DocumentLink, Relation, Series, VersionOrigin};
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, Text};

// Its kinds name every event type there is (the pages' script follows them all).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(DocumentEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum DocumentEvent {
    DocumentIssued {
        body_id: Id,
        symbol: DocumentSymbol,
        prefix: DocumentSymbol,
        series: Series,
        number: u32,
        title: Text,
        distribution: Distribution,
        language: LanguageTag,
        links: Vec<DocumentLink>,
        on: Date,
    },
    RelatedDocumentIssued {
        /// The original's body.
        body_id: Id,
        symbol: DocumentSymbol,
        /// The document it revises, adds to or corrects (the original, never a revision).
        to: DocumentSymbol,
        relation: Relation,
        number: u32,
        title: Text,
        distribution: Distribution,
        language: LanguageTag,
        on: Date,
    },
    ExternalDocumentRegistered {
        body_id: Id,
        symbol: DocumentSymbol,
        title: Text,
        issuer: Text,
        date: Option<Date>,
    },
    DocumentLanguageVersionAdded {
        symbol: DocumentSymbol,
        language: LanguageTag,
        origin: VersionOrigin,
        on: Date,
        /// The document's, so that a restricted one's versions are shown to whom it is.
        distribution: Distribution,
    },
}

impl DomainEvent for DocumentEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(DocumentEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("DocumentRegistry", &self.event_type()).to_string()
    }
}
