//! Read models, fed from the global log by the [`runner::Projector`].
//!
//! - [`runner`]: applies every projection in log order, writing its rows and its checkpoint in
//!   one transaction (crash-safe: nothing lost, nothing applied twice), and rebuilds.
//! - [`docs`]: document read models (one JSON document per key) built by pure fold functions.
//! - [`cache`]: this process's copy of documents read or written, kept exact by the projector.
//! - [`audit`]: the audit history, one row per event, filterable.
//! - [`floor`]: who was last given the floor in each meeting, and when (for the countdown).
//! - [`state_view`]: an aggregate's own state as its read model (folded with `apply`).
//! - [`visibility`]: which events a role may read (live stream, audit).

pub mod audit;
pub mod cache;
pub mod decisions;
pub mod docs;
pub mod floor;
pub mod meetings;
pub mod runner;
pub mod search;
pub mod state_view;
pub mod visibility;

use crate::store::sql::Tx;
use crate::store::{StoreError, StoredEvent};

/// What a projection's `apply` may use besides the transaction, and what it leaves for the
/// projector to do after the commit.
#[derive(Default)]
pub struct Applying {
    /// Documents as the database holds them under the checkpoint's lock, to load from instead
    /// of the database (`None` in a rebuild, which starts from empty tables).
    pub cache: Option<std::sync::Arc<cache::DocCache>>,
    /// The documents changed, for the cache once the transaction commits.
    pub changed: Vec<cache::DocChange>,
}

/// A read model maintained from the log.
#[async_trait::async_trait]
pub trait Projection: Send + Sync {
    /// Stable name: the checkpoint key and the argument of `plenary projections rebuild`.
    fn name(&self) -> &'static str;
    /// The version of the projection's shape. Raised when what it stores changes (a field,
    /// a meaning, what it holds): the service then rebuilds it from the log at start (ADR 14).
    fn version(&self) -> u32 {
        1
    }
    /// Deletes every row of this projection (before a rebuild), inside `tx`.
    async fn reset(&self, tx: &mut Tx) -> Result<(), StoreError>;
    /// Applies events (in log order, all after this projection's checkpoint) inside `tx`.
    async fn apply(
        &self,
        tx: &mut Tx,
        events: &[StoredEvent],
        cx: &mut Applying,
    ) -> Result<(), StoreError>;
    /// Starts a rebuild that runs in `tx` from the reset to the commit (Postgres): empties the
    /// projection, and may set aside work that is cheaper done once over all rows than row by
    /// row (secondary indexes). Returns the SQL statements that redo that work; the projector
    /// runs them in `tx` after the last event and before the commit, so a rebuild that fails
    /// or crashes half-way leaves the old rows, indexes and checkpoint as they were.
    async fn begin_rebuild(&self, tx: &mut Tx) -> Result<Vec<String>, StoreError> {
        self.reset(tx).await?;
        Ok(Vec::new())
    }
}

/// The inner object of an externally tagged event payload (`{"Variant": {...}}`), where
/// generic projections find cross-references such as `meeting_id`.
pub fn payload_fields(e: &StoredEvent) -> Option<serde_json::Map<String, serde_json::Value>> {
    // Through the upcasters, so a field renamed since is found under today's name.
    let v: serde_json::Value = crate::store::decode::decode(e).ok()?;
    match v {
        serde_json::Value::Object(mut outer) if outer.len() == 1 => {
            match outer.values_mut().next()?.take() {
                serde_json::Value::Object(inner) => Some(inner),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The meeting an event concerns: its own stream, or a `meeting_id` it refers to.
pub fn meeting_of(
    e: &StoredEvent,
    fields: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Option<String> {
    if e.aggregate_type == <crate::domain::meeting::Meeting as cqrs_es::Aggregate>::TYPE {
        return Some(e.aggregate_id.clone());
    }
    fields?.get("meeting_id")?.as_str().map(str::to_owned)
}

/// The amendment an event concerns: its own stream, or an `amendment_id` it refers to.
pub fn amendment_of(
    e: &StoredEvent,
    fields: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Option<String> {
    if e.aggregate_type == <crate::domain::amendment::Amendment as cqrs_es::Aggregate>::TYPE {
        return Some(e.aggregate_id.clone());
    }
    let f = fields?;
    if let Some(id) = f.get("amendment_id").and_then(|v| v.as_str()) {
        return Some(id.to_owned());
    }
    // Consensus subjects nest the amendment: {"subject": {"Amendment": {"amendment_id": ..}}}.
    f.get("subject")?
        .get("Amendment")?
        .get("amendment_id")?
        .as_str()
        .map(str::to_owned)
}
