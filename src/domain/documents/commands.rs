use serde::{Deserialize, Serialize};

use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, Text};

/// The series of a new document under its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Series {
    /// The main series: `PREFIX/1`.
    Main,
    /// Limited distribution drafts for decision: `PREFIX/L.1`.
    L,
    /// Conference room papers: `PREFIX/CRP.1`.
    Crp,
    /// Information documents: `PREFIX/INF.1`.
    Inf,
    /// Working papers: `PREFIX/WP.1`.
    Wp,
    /// Summary records of a meeting's sittings: `PREFIX/SR.1`.
    Sr,
}

impl Series {
    /// The series' part of a symbol, before the number.
    pub fn infix(self) -> &'static str {
        match self {
            Series::Main => "",
            Series::L => "L.",
            Series::Crp => "CRP.",
            Series::Inf => "INF.",
            Series::Wp => "WP.",
            Series::Sr => "SR.",
        }
    }
}

/// How a document stands to the one it is issued against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Relation {
    /// Replaces it: `/Rev.n`.
    Revision,
    /// Adds to it: `/Add.n`.
    Addendum,
    /// Corrects it: `/Corr.n`.
    Corrigendum,
}

impl Relation {
    pub fn suffix(self) -> &'static str {
        match self {
            Relation::Revision => "Rev.",
            Relation::Addendum => "Add.",
            Relation::Corrigendum => "Corr.",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Distribution {
    General,
    Limited,
    /// Only for States, the secretariat and auditors.
    Restricted,
}

/// Who made a language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersionOrigin {
    /// The language the document was written in.
    Original,
    /// Translated by the secretariat's translators.
    Human,
    Machine,
}

/// What a document belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentLink {
    Meeting {
        meeting_id: Id,
    },
    AgendaItem {
        meeting_id: Id,
        item: u32,
    },
    Amendment {
        amendment_id: Id,
    },
    /// A decision, by its symbol on the register.
    Decision {
        symbol: DocumentSymbol,
    },
}

// `DocumentCommandKind` is the command without its fields: who may send each is decided
// from it by an exhaustive match (`app::permissions`).
// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::documents::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(DocumentCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum DocumentCommand {
    /// Issues the next number of `series` under `prefix` (the meeting's or the body's symbol,
    /// e.g. `PoA/RC.1/2026`).
    IssueDocument {
        body_id: Id,
        prefix: DocumentSymbol,
        series: Series,
        title: Text,
        distribution: Distribution,
        language: LanguageTag,
        links: Vec<DocumentLink>,
        #[serde(skip_deserializing)]
        now: Date,
    },
    /// A revision, addendum or corrigendum of a document this registry issued; it takes the
    /// next number of its kind for that document (a revision of a revision revises the
    /// original: `L.1/Rev.2`).
    IssueRelated {
        to: DocumentSymbol,
        relation: Relation,
        title: Option<Text>,
        language: LanguageTag,
        #[serde(skip_deserializing)]
        now: Date,
    },
    /// A document of another process, cited by the record, under its own symbol.
    RegisterExternal {
        body_id: Id,
        symbol: DocumentSymbol,
        title: Text,
        /// Who issued it, e.g. "General Assembly".
        issuer: Text,
        date: Option<Date>,
    },
    AddLanguageVersion {
        symbol: DocumentSymbol,
        language: LanguageTag,
        origin: VersionOrigin,
        #[serde(skip_deserializing)]
        now: Date,
    },
}
