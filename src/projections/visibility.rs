//! Which events a reader may see. Public records are open to every role; a few event types
//! carry personal data (travel funding, delegates' gender) and are limited to the
//! secretariat, chairs, auditors and the State concerned.

use crate::store::StoredEvent;

/// Event types that are not part of the public record.
pub const RESTRICTED_EVENT_TYPES: &[&str] = &[
    "SponsorshipRequested",
    "SponsorshipAwarded",
    "SponsorshipDeclined",
    "DelegationRegistered",
    "DelegationMemberAdded",
];

/// What a reader is, as far as visibility goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    /// Admin, secretariat and auditors see everything.
    Everything,
    /// A chair sees everything about their meeting and the public record elsewhere.
    Chair { meeting: String },
    /// A delegate sees their own State's records and the public record.
    Delegate { state: String },
    /// Observers and stakeholders see the public record.
    Public,
}

pub fn visible(reader: &Reader, e: &StoredEvent, meeting: Option<&str>) -> bool {
    if !RESTRICTED_EVENT_TYPES.contains(&e.event_type.as_str()) {
        return true;
    }
    match reader {
        Reader::Everything => true,
        Reader::Chair { meeting: m } => meeting == Some(m.as_str()),
        Reader::Delegate { state } => {
            e.meta("on_behalf_of").as_deref() == Some(state.as_str())
                || super::payload_fields(e)
                    .and_then(|f| f.get("state").and_then(|s| s.as_str().map(str::to_owned)))
                    .as_deref()
                    == Some(state.as_str())
        }
        Reader::Public => false,
    }
}
