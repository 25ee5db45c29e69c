//! The cqrs-es `PersistedEventRepository` over [`EventStore`], so aggregates run under
//! `CqrsFramework` while the log keeps global order, ids, times and the hash chain.
//!
//! Snapshots: use `PersistedEventStore::new_aggregate_store`, so cqrs-es loads through
//! [`get_snapshot`](Repository::get_snapshot), which starts from the newest known state (this
//! process's cache, else the stored snapshot) and catches up from the log. A snapshot is thus
//! only ever a cache, and loading reads at most [`SNAPSHOT_EVERY`] events from the database.
//!
//! We do not store the state cqrs-es passes to `persist`: in 0.5 it applies the new events to
//! an aggregate that `handle` already applied them to, so that state counts them twice. We
//! compute the state ourselves from the last loaded state plus the new events.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use serde_json::Value;

use super::chain::canonical_json;
use super::{AppendCommand, AppendError, Appended, EventStore, NewEvent, StoreError, StoredEvent};

/// Store the aggregate state once every this many events.
pub const SNAPSHOT_EVERY: i64 = 25;

/// Metadata keys every command carries (cqrs-es metadata is a string map).
pub mod meta {
    pub const ACTOR: &str = "actor";
    pub const ROLE: &str = "role";
    pub const ON_BEHALF_OF: &str = "on_behalf_of";
    pub const CORRELATION_ID: &str = "correlation_id";
    pub const CAUSATION_ID: &str = "causation_id";
    pub const IDEMPOTENCY_KEY: &str = "idempotency_key";
    pub const REQUEST_HASH: &str = "request_hash";
    /// The stream version the client saw (If-Match); not stored, only checked.
    pub const EXPECTED_VERSION: &str = "expected_version";
}

/// What happened to a command's events, looked up by its idempotency key after `execute`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersistOutcome {
    Appended(Appended),
    /// The key was accepted before: nothing was appended; here is the original outcome.
    Duplicate {
        original: Appended,
        request_hash: String,
    },
}

/// The client acted on a stale view: its If-Match version is not the stream's.
#[derive(Debug, thiserror::Error)]
#[error("the stream is at version {actual}, but the request expected version {expected}")]
pub struct StaleVersion {
    pub expected: i64,
    pub actual: i64,
}

/// Latest known state per stream: (aggregate type, id) -> (stream version, state JSON).
type StateCache = HashMap<(&'static str, String), (i64, String)>;

/// Bound on cached states; the cache is dropped wholesale past it (it is only an optimisation).
const MAX_CACHED_STATES: usize = 10_000;

#[derive(Clone)]
pub struct Repository {
    store: EventStore,
    outcomes: Arc<Mutex<HashMap<String, PersistOutcome>>>,
    states: Arc<Mutex<StateCache>>,
}

impl Repository {
    pub fn new(store: EventStore) -> Self {
        Self {
            store,
            outcomes: Default::default(),
            states: Default::default(),
        }
    }

    fn cached_state(&self, t: &'static str, id: &str) -> Option<(i64, String)> {
        self.states.lock().ok()?.get(&(t, id.to_owned())).cloned()
    }

    fn cache_state(&self, t: &'static str, id: &str, version: i64, state: String) {
        if let Ok(mut map) = self.states.lock() {
            if map.len() >= MAX_CACHED_STATES {
                map.clear();
            }
            let entry = map.entry((t, id.to_owned())).or_insert((0, String::new()));
            if entry.0 <= version {
                *entry = (version, state);
            }
        }
    }

    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// Takes the outcome recorded for this idempotency key by the last `persist`.
    pub fn take_outcome(&self, key: &str) -> Option<PersistOutcome> {
        self.outcomes.lock().ok()?.remove(key)
    }

    fn record(&self, key: Option<&String>, outcome: PersistOutcome) {
        if let (Some(key), Ok(mut map)) = (key, self.outcomes.lock()) {
            map.insert(key.clone(), outcome);
        }
    }
}

fn serialized(e: StoredEvent) -> Result<SerializedEvent, PersistenceError> {
    let payload = e.payload_json().map_err(corrupt)?;
    let metadata = serde_json::from_str(&e.metadata).map_err(|err| {
        corrupt(StoreError::Corrupt {
            position: e.position,
            reason: format!("metadata: {err}"),
        })
    })?;
    Ok(SerializedEvent {
        aggregate_id: e.aggregate_id,
        sequence: e.stream_version as usize,
        aggregate_type: e.aggregate_type,
        event_type: e.event_type,
        event_version: e.event_version,
        payload,
        metadata,
    })
}

fn decode<A: Aggregate>(
    payload: &str,
    position: i64,
    event_type: &str,
    event_version: &str,
) -> Result<A::Event, PersistenceError> {
    serde_json::from_str(payload).map_err(|err| {
        corrupt(StoreError::Corrupt {
            position,
            reason: format!(
                "cannot decode {} event {event_type} v{event_version}: {err}",
                A::TYPE
            ),
        })
    })
}

impl Repository {
    /// The state after `events`, from the cached state at `expected_version` (None if this
    /// process has not loaded that exact version, e.g. a test driving persist directly).
    fn state_after<A: Aggregate>(
        &self,
        aggregate_id: &str,
        expected_version: i64,
        events: &[SerializedEvent],
    ) -> Result<Option<String>, PersistenceError> {
        let mut aggregate = match self.cached_state(A::TYPE, aggregate_id) {
            Some((v, text)) if v == expected_version => match serde_json::from_str::<A>(&text) {
                Ok(a) => a,
                Err(_) => return Ok(None),
            },
            None if expected_version == 0 => A::default(),
            _ => return Ok(None),
        };
        for e in events {
            aggregate.apply(serde_json::from_value(e.payload.clone())?);
        }
        Ok(Some(canonical_json(&serde_json::to_value(&aggregate)?)))
    }
}

fn corrupt(e: StoreError) -> PersistenceError {
    PersistenceError::DeserializationError(Box::new(e))
}

/// A store failure as cqrs-es sees it: transient (503 upstream) or a real fault (500).
fn unavailable(e: StoreError) -> PersistenceError {
    if e.is_unavailable() {
        PersistenceError::ConnectionError(Box::new(e))
    } else {
        PersistenceError::UnknownError(Box::new(e))
    }
}

impl PersistedEventRepository for Repository {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.get_last_events::<A>(aggregate_id, 0).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let events = self
            .store
            .read_stream(A::TYPE, aggregate_id, last_sequence as i64)
            .await
            .map_err(unavailable)?;
        events.into_iter().map(serialized).collect()
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        let cached = self.cached_state(A::TYPE, aggregate_id);
        let from_cache = cached.is_some();
        let known = match cached {
            Some(cached) => Some(cached),
            None => self
                .store
                .snapshot(A::TYPE, aggregate_id)
                .await
                .map_err(unavailable)?,
        };
        // A state that no longer decodes (the aggregate's shape changed) is dropped and
        // rebuilt from the log: snapshots are a cache, the log is the truth.
        let (mut aggregate, mut version) = match &known {
            Some((v, text)) => match serde_json::from_str::<A>(text) {
                Ok(a) => (a, *v),
                Err(_) => (A::default(), 0),
            },
            None => (A::default(), 0),
        };
        let events = self
            .store
            .read_stream(A::TYPE, aggregate_id, version)
            .await
            .map_err(unavailable)?;
        if known.is_none() && events.is_empty() {
            return Ok(None);
        }
        let refresh_cache = !from_cache || !events.is_empty();
        for e in events {
            aggregate.apply(decode::<A>(
                &e.payload,
                e.position,
                &e.event_type,
                &e.event_version,
            )?);
            version = e.stream_version;
        }
        let value = serde_json::to_value(&aggregate)?;
        if refresh_cache {
            self.cache_state(A::TYPE, aggregate_id, version, canonical_json(&value));
        }
        Ok(Some(SerializedSnapshot {
            aggregate_id: aggregate_id.to_owned(),
            aggregate: value,
            current_sequence: version as usize,
            current_snapshot: version as usize,
        }))
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        let Some(first) = events.first() else {
            return Ok(());
        };
        let expected_version = first.sequence as i64 - 1;
        let last_version = expected_version + events.len() as i64;
        let mut metadata: HashMap<String, String> = serde_json::from_value(first.metadata.clone())?;
        if let Some(expected) = metadata.remove(meta::EXPECTED_VERSION) {
            let expected: i64 = expected.parse().map_err(|_| {
                PersistenceError::UnknownError("expected_version is not a number".into())
            })?;
            if expected != expected_version {
                return Err(PersistenceError::UnknownError(Box::new(StaleVersion {
                    expected,
                    actual: expected_version,
                })));
            }
        }
        let key = metadata.get(meta::IDEMPOTENCY_KEY).cloned();
        let request_hash = metadata
            .get(meta::REQUEST_HASH)
            .cloned()
            .unwrap_or_default();
        let metadata_text = canonical_json(&serde_json::to_value(&metadata)?);
        // cqrs-es's own snapshot state is wrong in 0.5 (see the module doc); build our own.
        drop(snapshot_update);
        let new_state = self.state_after::<A>(&first.aggregate_id, expected_version, events)?;
        let snapshot = new_state
            .as_ref()
            .filter(|_| last_version / SNAPSHOT_EVERY > expected_version / SNAPSHOT_EVERY)
            .cloned();
        let cmd = AppendCommand {
            aggregate_type: A::TYPE.to_owned(),
            aggregate_id: first.aggregate_id.clone(),
            expected_version,
            events: events
                .iter()
                .map(|e| NewEvent {
                    event_type: e.event_type.clone(),
                    event_version: e.event_version.clone(),
                    payload: canonical_json(&e.payload),
                    metadata: metadata_text.clone(),
                })
                .collect(),
            idempotency_key: key.clone(),
            request_hash,
            snapshot,
        };
        match self.store.append(cmd).await {
            Ok(appended) => {
                if let Some(state) = new_state {
                    self.cache_state(A::TYPE, &first.aggregate_id, last_version, state);
                }
                self.record(key.as_ref(), PersistOutcome::Appended(appended));
                Ok(())
            }
            Err(AppendError::Duplicate {
                original,
                request_hash,
            }) => {
                self.record(
                    key.as_ref(),
                    PersistOutcome::Duplicate {
                        original,
                        request_hash,
                    },
                );
                Ok(())
            }
            Err(AppendError::Conflict { .. }) => Err(PersistenceError::OptimisticLockError),
            Err(AppendError::Store(e)) => Err(unavailable(e)),
        }
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        let events = self.get_events::<A>(aggregate_id).await?;
        let (mut feed, stream) = ReplayStream::new(events.len().max(1));
        for e in events {
            feed.push(Ok(e)).await?;
        }
        Ok(stream)
    }

    /// Pages through the whole log; a read error is delivered to the consumer, never
    /// swallowed, so a replay cannot end early and look complete.
    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        let (mut feed, stream) = ReplayStream::new(1_000);
        let store = self.store.clone();
        tokio::spawn(async move {
            let mut after = 0;
            loop {
                let page = match store.read_all(after, 1_000).await {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = feed.push(Err(unavailable(e))).await;
                        return;
                    }
                };
                let Some(last) = page.last() else { return };
                after = last.position;
                for e in page.into_iter().filter(|e| e.aggregate_type == A::TYPE) {
                    if feed.push(serialized(e)).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok(stream)
    }
}
