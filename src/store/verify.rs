//! Walks the hash chain and names the first damaged position and the kind of damage.
//!
//! [`ChainVerifier`] is fed events in the order they are stored (database or export bundle)
//! and needs nothing else, so the same code serves `plenary log verify` and the offline
//! `plenary audit verify`.

use serde::Serialize;

use super::chain::{self, Hash, GENESIS};
use super::{EventStore, StoreError, StoredEvent};

/// The kinds of damage, named with one word each (two for the last two) in the text reports,
/// the JSON reports and docs/adr/0009-export-and-checkpoints.md alike: a JSON value is
/// exactly the word a person reads ([`Damage::label`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum Damage {
    /// An event's content no longer matches its hash.
    #[serde(rename = "changed")]
    Changed,
    /// Events are missing from the middle of the log.
    #[serde(rename = "missing")]
    Missing,
    /// A well-formed event that does not link to its predecessor, a second event at a
    /// position already seen (a duplicated line), or one beyond the head.
    #[serde(rename = "inserted")]
    Inserted,
    /// Events are out of order, or carry another position than the one they were hashed at.
    #[serde(rename = "reordered")]
    Reordered,
    /// Events are missing from the end of the log (the head says there were more), or the
    /// file ends in the middle of an event's line.
    #[serde(rename = "truncated")]
    Truncated,
    /// A signature does not verify with the trusted key (export bundles, checkpoints).
    #[serde(rename = "signature mismatch")]
    SignatureMismatch,
    /// An export's manifest disagrees with its events (count, Merkle root).
    #[serde(rename = "manifest mismatch")]
    ManifestMismatch,
    /// A file the log names (by SHA-256 and size) is missing, or its bytes are not the ones
    /// named.
    #[serde(rename = "attachment")]
    Attachment,
}

impl Damage {
    pub const ALL: [Damage; 8] = [
        Damage::Changed,
        Damage::Missing,
        Damage::Inserted,
        Damage::Reordered,
        Damage::Truncated,
        Damage::SignatureMismatch,
        Damage::ManifestMismatch,
        Damage::Attachment,
    ];

    /// The word an auditor reads in a report (and the JSON value).
    pub fn label(self) -> &'static str {
        match self {
            Damage::Changed => "changed",
            Damage::Missing => "missing",
            Damage::Inserted => "inserted",
            Damage::Reordered => "reordered",
            Damage::Truncated => "truncated",
            Damage::SignatureMismatch => "signature mismatch",
            Damage::ManifestMismatch => "manifest mismatch",
            Damage::Attachment => "attachment",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ChainFinding)]
pub struct Finding {
    pub position: i64,
    pub damage: Damage,
    pub detail: String,
}

/// What walking the chain found: how far it got, and the first damage if any.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ChainReport)]
pub struct Report {
    pub events_checked: i64,
    pub last_position: i64,
    pub last_hash: String,
    pub problem: Option<Finding>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Positions either side of a damaged event searched for the position it was hashed at.
const REORDER_WINDOW: i64 = 16;

pub struct ChainVerifier {
    next: i64,
    prev: Hash,
    count: i64,
    problem: Option<Finding>,
    /// A gap seen at (expected, found): deletion, unless the missing event turns up later.
    gap: Option<(i64, i64)>,
}

impl ChainVerifier {
    /// Starts at the beginning of the log.
    pub fn new() -> Self {
        Self::starting_after(0, GENESIS)
    }

    /// Starts after a known (position, hash), e.g. for an export of a range.
    pub fn starting_after(position: i64, hash: Hash) -> Self {
        Self {
            next: position + 1,
            prev: hash,
            count: 0,
            problem: None,
            gap: None,
        }
    }

    pub fn problem(&self) -> Option<&Finding> {
        self.problem.as_ref()
    }

    fn fail(&mut self, position: i64, damage: Damage, detail: String) {
        if self.problem.is_none() {
            self.problem = Some(Finding {
                position,
                damage,
                detail,
            });
        }
    }

    /// Checks the next event. Returns false once a problem has been found.
    pub fn push(&mut self, e: &StoredEvent) -> bool {
        if self.problem.is_some() {
            return false;
        }
        if let Some((expected, found)) = self.gap.take() {
            if e.position < found && e.position >= expected {
                self.fail(
                    expected,
                    Damage::Reordered,
                    format!("event {} appears after event {found}", e.position),
                );
            } else {
                self.fail(
                    expected,
                    Damage::Missing,
                    format!("events {expected}..{} are missing", found - 1),
                );
            }
            return false;
        }
        if e.position < self.next {
            // Every position below `next` was already seen in its place, so this line is an
            // extra one (a duplicate, or a second event claiming that position), not a move.
            let detail = if e.position == self.next - 1 && e.hash == self.prev {
                format!("event {} appears twice (a duplicated line)", e.position)
            } else {
                format!(
                    "a second event at position {} appears after event {}",
                    e.position,
                    self.next - 1
                )
            };
            self.fail(e.position, Damage::Inserted, detail);
            return false;
        }
        if e.position > self.next {
            // Missing, or reordered if the missing event turns up next: decided on the next push.
            self.gap = Some((self.next, e.position));
            return true;
        }
        if e.compute_hash(&e.prev_hash) != e.hash {
            let moved_from = (e.position - REORDER_WINDOW..=e.position + REORDER_WINDOW)
                .filter(|q| *q != e.position && *q > 0)
                .find(|q| {
                    let mut moved = e.clone();
                    moved.position = *q;
                    moved.compute_hash(&e.prev_hash) == e.hash
                });
            match moved_from {
                Some(q) => self.fail(
                    e.position,
                    Damage::Reordered,
                    format!(
                        "the event at position {} was hashed at position {q}",
                        e.position
                    ),
                ),
                None => self.fail(
                    e.position,
                    Damage::Changed,
                    format!(
                        "the content of event {} does not match its hash",
                        e.position
                    ),
                ),
            }
            return false;
        }
        if e.prev_hash != self.prev {
            self.fail(
                e.position,
                Damage::Inserted,
                format!(
                    "event {} does not link to its predecessor (prev_hash {} expected {})",
                    e.position,
                    &chain::to_hex(&e.prev_hash)[..12],
                    &chain::to_hex(&self.prev)[..12]
                ),
            );
            return false;
        }
        self.prev = e.hash;
        self.next += 1;
        self.count += 1;
        true
    }

    /// Reports damage to a stored row that could not even be read as an event.
    pub fn unreadable(&mut self, position: i64, reason: String) {
        self.fail(position, Damage::Changed, reason);
    }

    /// Reports a file that ends in the middle of an event's line: cut, not changed.
    pub fn cut_off(&mut self, position: i64, reason: String) {
        self.fail(position, Damage::Truncated, reason);
    }

    /// Ends the walk, comparing against the head the log claims (if known).
    pub fn finish(mut self, head: Option<(i64, Hash)>) -> Report {
        if let Some((expected, found)) = self.gap.take() {
            self.fail(
                expected,
                Damage::Missing,
                format!("events {expected}..{} are missing", found - 1),
            );
        }
        let last = self.next - 1;
        if let Some((head_pos, head_hash)) = head {
            if last < head_pos {
                self.fail(
                    last + 1,
                    Damage::Truncated,
                    format!("the log ends at {last} but its head is {head_pos}"),
                );
            } else if last > head_pos {
                self.fail(
                    head_pos + 1,
                    Damage::Inserted,
                    format!("events after the head ({head_pos}) were added"),
                );
            } else if self.prev != head_hash {
                self.fail(
                    last,
                    Damage::Changed,
                    "the last event does not match the recorded head hash".into(),
                );
            }
        }
        Report {
            events_checked: self.count,
            last_position: last,
            last_hash: chain::to_hex(&self.prev),
            problem: self.problem,
        }
    }
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

const PAGE: i64 = 10_000;

/// Verifies the whole log in the database against its recorded head.
#[tracing::instrument(skip_all)]
pub async fn verify_store(store: &EventStore) -> Result<Report, StoreError> {
    let head = store.head_from_db().await?;
    let mut v = ChainVerifier::new();
    let mut after = 0;
    loop {
        let page = match store.read_all(after, PAGE).await {
            Ok(p) => p,
            Err(StoreError::Corrupt { position, reason }) => {
                v.unreadable(position, reason);
                break;
            }
            Err(e) => return Err(e),
        };
        let Some(last) = page.last() else { break };
        after = last.position;
        if !page.iter().all(|e| v.push(e)) {
            break;
        }
    }
    Ok(v.finish(Some(head)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `n` events from position 1.
    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|p| {
                let mut e = StoredEvent {
                    position: p,
                    event_id: uuid::Uuid::now_v7(),
                    aggregate_type: "Note".into(),
                    aggregate_id: "n".into(),
                    stream_version: p,
                    event_type: "Noted".into(),
                    event_version: "1".into(),
                    payload: format!(r#"{{"Noted":{{"n":{p}}}}}"#),
                    metadata: "{}".into(),
                    recorded_at_us: 1_700_000_000_000_000 + p,
                    prev_hash: prev,
                    hash: [0u8; 32],
                };
                e.hash = e.compute_hash(&prev);
                prev = e.hash;
                e
            })
            .collect()
    }

    fn first_problem(events: &[StoredEvent]) -> Option<(i64, Damage, String)> {
        let mut v = ChainVerifier::new();
        events.iter().all(|e| v.push(e));
        v.finish(None)
            .problem
            .map(|f| (f.position, f.damage, f.detail))
    }

    #[test]
    fn a_duplicated_event_is_inserted_not_reordered() {
        let mut events = chain(5);
        assert_eq!(first_problem(&events), None);
        events.insert(3, events[2].clone());
        let (position, damage, detail) = first_problem(&events).unwrap();
        assert_eq!((position, damage), (3, Damage::Inserted), "{detail}");
        assert!(detail.contains("appears twice"), "{detail}");
        // An older event repeated further on is an extra line too.
        let mut events = chain(5);
        events.push(events[1].clone());
        let (position, damage, _) = first_problem(&events).unwrap();
        assert_eq!((position, damage), (2, Damage::Inserted));
    }

    #[test]
    fn one_vocabulary_in_text_and_json() {
        for d in Damage::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.label(), "{d:?}");
        }
        assert_eq!(Damage::Missing.label(), "missing");
    }
}
