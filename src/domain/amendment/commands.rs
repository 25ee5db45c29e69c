//! What States, chairs and the app can ask of a draft amendment. Facts from elsewhere (the text
//! at the base version, whether the meeting is open, the time) come in the command.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::framework::{Conflict, DecisionRef, Declaration, Operation, TranslationOrigin};
use crate::domain::values::{Date, Id, LanguageTag, StateCode, Text};

// The kind of each command, without its fields: what authorization matches on
// (`app::permissions`), so that a new command is a compile error until someone says who
// may send it.
// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::amendments::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(AmendmentCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum AmendmentCommand {
    /// A State proposes the amendment (its id is the aggregate id). `base_text` is the
    /// declaration at `base_version`, so the operations can be validated here.
    Propose {
        /// The framework (Political Declaration) this amends: its aggregate id, the body id.
        framework_id: Id,
        proposer: StateCode,
        co_sponsors: Vec<StateCode>,
        title: Text,
        base_version: u32,
        operations: Vec<Operation>,
        #[serde(skip_deserializing)]
        base_text: Declaration,
        #[serde(skip_deserializing)]
        now: DateTime<Utc>,
    },
    /// A new revision by the proposer or a co-sponsor; `title: None` keeps the title.
    Revise {
        by: StateCode,
        title: Option<Text>,
        base_version: u32,
        operations: Vec<Operation>,
        #[serde(skip_deserializing)]
        base_text: Declaration,
        #[serde(skip_deserializing)]
        now: DateTime<Utc>,
    },
    CoSponsor {
        state: StateCode,
        #[serde(skip_deserializing)]
        now: DateTime<Utc>,
    },
    WithdrawCoSponsorship {
        state: StateCode,
        #[serde(skip_deserializing)]
        now: DateTime<Utc>,
    },
    /// By the proposer, before a decision (rule 122).
    Withdraw {
        by: StateCode,
        #[serde(skip_deserializing)]
        now: DateTime<Utc>,
    },
    /// Another State takes up a withdrawn amendment and becomes its proposer (rule 122).
    Reintroduce {
        by: StateCode,
        #[serde(skip_deserializing)]
        now: DateTime<Utc>,
    },
    /// Puts the amendment before a meeting under an agenda item; the app states whether that
    /// meeting is open and the item substantive.
    Table {
        meeting_id: Id,
        agenda_item: u32,
        #[serde(skip_deserializing)]
        meeting_open: bool,
        #[serde(skip_deserializing)]
        item_substantive: bool,
        #[serde(skip_deserializing)]
        now: DateTime<Utc>,
    },
    /// The framework moved to `current_version` and the operations no longer apply to it.
    MarkInConflict {
        current_version: u32,
        conflict: Conflict,
        #[serde(skip_deserializing)]
        now: DateTime<Utc>,
    },
    /// The framework moved to `new_version` and the operations still apply; `current_text` is
    /// the declaration at `new_version`, so that is checked here.
    Rebase {
        new_version: u32,
        current_text: Declaration,
        #[serde(skip_deserializing)]
        now: DateTime<Utc>,
    },
    /// The chair declared it adopted by consensus; `decision` is the registered decision.
    MarkAdopted { decision: DecisionRef },
    /// The chair declared that there is no consensus.
    MarkNotAdopted { meeting_id: Id, date: Date },
    /// Adds (or replaces) the `origin` translation of revision `revision` into `language`:
    /// its title, and each wording its operations propose, in order (none for a deletion
    /// or a move). A later revision marks it stale. Amendments are drafted in English.
    TranslateText {
        revision: u32,
        language: LanguageTag,
        origin: TranslationOrigin,
        title: Text,
        /// Empty for a revision that only deletes or moves.
        wording: Vec<Text>,
    },
}
