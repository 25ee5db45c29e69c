use serde::{Deserialize, Serialize};

use crate::domain::framework::DecisionRef;
use crate::domain::values::{Id, Text};

// The kind of each command, without its fields: what authorization matches on
// (`app::permissions`), so that a new command is a compile error until someone says who
// may send it.
// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::annex::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(AnnexCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum AnnexCommand {
    /// Drafts a new entry, or a new wording of one; it joins the annex when a decision
    /// adopts the annex.
    DraftEntry {
        entry_id: Id,
        /// The regional organisation or arrangement, e.g. "OSCE".
        organisation: Text,
        title: Text,
        description: Text,
        /// Where to read more: http(s) addresses.
        links: Vec<String>,
    },
    /// Proposes taking an adopted entry out at the next adoption (or drops a draft that
    /// was never adopted).
    ProposeRemoval { entry_id: Id },
    /// Records that `decision`, taken at meeting `meeting_id` (a review conference of the
    /// body), adopted the annex as drafted. The application supplies `decision` from the
    /// register (`None`: not on it) and whether the meeting is a review conference of this body.
    RecordAdoption {
        meeting_id: Id,
        decision_number: u32,
        #[serde(skip_deserializing)]
        decision: Option<DecisionRef>,
        #[serde(skip_deserializing)]
        by_review_conference: bool,
    },
}
