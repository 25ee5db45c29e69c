//! Walks the hash chain and names the first damaged position and the kind of damage.
//!
//! [`ChainVerifier`] is fed events in the order they are stored (database or export bundle)
//! and needs nothing else, so the same code serves `plenary log verify` and the offline
//! `plenary audit verify`.

use serde::Serialize;

use super::chain::{self, Hash, GENESIS};
use super::{EventStore, StoreError, StoredEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Damage {
    /// An event's content no longer matches its hash.
    Changed,
    /// Events are missing from the middle of the log.
    Deleted,
    /// A well-formed event that does not link to its predecessor, or one beyond the head.
    Inserted,
    /// Events are out of order, or carry another position than the one they were hashed at.
    Reordered,
    /// Events are missing from the end of the log (the head says there were more).
    Truncated,
    /// A signature does not verify with the trusted key (export bundles, checkpoints).
    SignatureMismatch,
    /// An export's manifest disagrees with its events (count, Merkle root).
    ManifestMismatch,
}

impl Damage {
    /// The word an auditor reads in a report.
    pub fn label(self) -> &'static str {
        match self {
            Damage::Changed => "changed",
            Damage::Deleted => "missing",
            Damage::Inserted => "inserted",
            Damage::Reordered => "reordered",
            Damage::Truncated => "truncated",
            Damage::SignatureMismatch => "signature mismatch",
            Damage::ManifestMismatch => "manifest mismatch",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub position: i64,
    pub damage: Damage,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
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
                    Damage::Deleted,
                    format!("events {expected}..{} are missing", found - 1),
                );
            }
            return false;
        }
        if e.position < self.next {
            self.fail(
                e.position,
                Damage::Reordered,
                format!("event {} appears after event {}", e.position, self.next - 1),
            );
            return false;
        }
        if e.position > self.next {
            // Deleted, or reordered if the missing event turns up next: decided on the next push.
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

    /// Ends the walk, comparing against the head the log claims (if known).
    pub fn finish(mut self, head: Option<(i64, Hash)>) -> Report {
        if let Some((expected, found)) = self.gap.take() {
            self.fail(
                expected,
                Damage::Deleted,
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
