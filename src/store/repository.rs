//! The cqrs-es `PersistedEventRepository` over [`EventStore`], so aggregates run under
//! `CqrsFramework` while the log keeps global order, ids, times and the hash chain.
//!
//! Snapshots: use `PersistedEventStore::new_aggregate_store`, so cqrs-es loads through
//! [`get_snapshot`](Repository::get_snapshot), which starts from the newest known state (this
//! process's cache, else the stored snapshot) and catches up from the log. A snapshot is thus
//! only ever a cache, and loading reads at most [`SNAPSHOT_EVERY`] events from the database.
//!
//! The state cqrs-es passes to `persist` is the loaded state plus the new events: the
//! aggregates' `handle` leaves the state it decided on unchanged (`domain::emit`), so cqrs-es
//! applies each event exactly once. That state becomes the cached state as it is, a JSON value,
//! so a command costs no decoding and folding beyond what cqrs-es itself does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use serde_json::Value;
use tokio::sync::{watch, OwnedMutexGuard};

use super::chain::canonical_json;
use super::{
    AppendCommand, AppendError, Appended, EventStore, NewEvent, StoreError, StoredEvent, Ticket,
};

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
    /// Marks a key the bus generated for a command sent without one; not stored. Such a key
    /// only names the command within this process: no client can retry with it, so it is
    /// not recorded in the idempotency table.
    pub const GENERATED_KEY: &str = "generated_key";
    /// Where `persist` records this request's outcome for the bus to take; not stored.
    /// Requests with the same idempotency key each have their own, so one that ends early
    /// cannot take or clear another's.
    pub const OUTCOME_SLOT: &str = "outcome_slot";
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

/// The newest state this process knows of for a stream.
#[derive(Clone)]
struct CachedState {
    version: i64,
    /// The aggregate as JSON: the form cqrs-es loads it from.
    state: Value,
    /// The queued append that produced this state, while it may not be durable yet: a
    /// command decided on this state names it as its basis (see `EventStore::enqueue`).
    pending: Option<Ticket>,
    /// [`EventStore::foreign_seen`] when this state was last caught up with the log: while
    /// no other process is known to have appended since, the stream need not be read again.
    checked: i64,
}

type StreamKey = (&'static str, String);

/// A command's per-aggregate lock, with the id of the hold that took it.
type Held = (u64, OwnedMutexGuard<()>);

/// Bound on cached states; past it, every state that rests on no pending append is dropped
/// (the cache is only an optimisation). States are kept as parsed JSON, several times the
/// size of their text: 2,000 is far more than the aggregates in use at once, and keeps the
/// cache to tens of megabytes.
const MAX_CACHED_STATES: usize = 2_000;

/// Makes room in the cache. A state whose append is still queued stays: the log does not
/// hold it yet, so the next command on that stream, loading from the log instead, would be
/// decided on a state without it. An append would then fail its version check, but a refusal
/// or a command that changes nothing would be answered from that older state.
fn evict(map: &mut HashMap<StreamKey, CachedState>) {
    map.retain(|_, c| c.pending.is_some());
}

#[derive(Clone, Default)]
struct Shared {
    outcomes: Arc<Mutex<HashMap<String, PersistOutcome>>>,
    states: Arc<Mutex<HashMap<StreamKey, CachedState>>>,
    /// The basis each stream's command in progress was loaded with, from `get_snapshot` to
    /// `persist`. One entry per stream suffices: commands on a stream hold its lock from
    /// loading until their events are queued.
    bases: Arc<Mutex<HashMap<StreamKey, Option<Ticket>>>>,
    /// The per-aggregate lock of each command in progress, by idempotency key; `persist`
    /// releases it as soon as the events are queued, so the next command on the aggregate is
    /// decided while this one commits (docs/adr/0010).
    held: Arc<Mutex<HashMap<String, Held>>>,
    holds: Arc<std::sync::atomic::AtomicU64>,
    /// Keys whose events are queued but not yet committed or refused; the sender is dropped
    /// when the outcome is known.
    in_flight: Arc<Mutex<HashMap<String, watch::Receiver<()>>>>,
}

#[derive(Clone)]
pub struct Repository {
    store: EventStore,
    shared: Shared,
}

impl Repository {
    pub fn new(store: EventStore) -> Self {
        Self {
            store,
            shared: Shared::default(),
        }
    }

    fn cached_state(&self, t: &'static str, id: &str) -> Option<CachedState> {
        self.shared
            .states
            .lock()
            .ok()?
            .get(&(t, id.to_owned()))
            .cloned()
    }

    /// How far the cached state at exactly `version` was checked against the log.
    /// A new stream (version 0) has nothing to check.
    fn checked_at(&self, t: &'static str, id: &str, version: i64) -> Option<i64> {
        let map = self.shared.states.lock().ok()?;
        match map.get(&(t, id.to_owned())) {
            Some(c) => (c.version == version).then_some(c.checked),
            None => (version == 0).then_some(0),
        }
    }

    fn cache_state(&self, t: &'static str, id: &str, new: CachedState) {
        if let Ok(mut map) = self.shared.states.lock() {
            if map.len() >= MAX_CACHED_STATES {
                evict(&mut map);
            }
            match map.get_mut(&(t, id.to_owned())) {
                Some(old) if old.version > new.version => {}
                Some(old) => *old = new,
                None => {
                    map.insert((t, id.to_owned()), new);
                }
            }
        }
    }

    /// Marks a stream's cached state as resting on nothing pending, once the append that
    /// produced it has committed (unless a later command has replaced it meanwhile).
    fn settled(&self, t: &'static str, id: &str, ticket: Ticket) {
        if let Ok(mut map) = self.shared.states.lock() {
            if let Some(c) = map.get_mut(&(t, id.to_owned())) {
                if c.pending == Some(ticket) {
                    c.pending = None;
                }
            }
        }
    }

    /// Forgets a stream's cached state after an append on it failed: the state included
    /// events that were not appended, or (a conflict) the log holds events it does not. The
    /// next command loads what the log really holds.
    fn forget(&self, t: &'static str, id: &str) {
        if let Ok(mut map) = self.shared.states.lock() {
            map.remove(&(t, id.to_owned()));
        }
    }

    /// Keeps a command's per-aggregate lock until its events are queued (or it ends). The
    /// returned hold id lets the command release it without touching a later holder's.
    pub fn hold(&self, key: &str, guard: OwnedMutexGuard<()>) -> u64 {
        let id = self
            .shared
            .holds
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut held) = self.shared.held.lock() {
            held.insert(key.to_owned(), (id, guard));
        }
        id
    }

    /// Releases the lock kept by [`hold`](Self::hold) if it is still that hold's: the
    /// command ended without queueing events (refused, or nothing to do). The basis its load
    /// left for `persist` is dropped with it, under the lock, so none lingers.
    pub fn release<A: Aggregate>(&self, key: &str, hold: u64, aggregate_id: &str) {
        let guard = self.shared.held.lock().ok().and_then(|mut h| {
            if h.get(key).is_some_and(|(id, _)| *id == hold) {
                h.remove(key)
            } else {
                None
            }
        });
        if guard.is_some() {
            if let Ok(mut bases) = self.shared.bases.lock() {
                bases.remove(&(A::TYPE, aggregate_id.to_owned()));
            }
        }
        drop(guard);
    }

    /// Releases the lock of the command now persisting under `key` (it holds the lock).
    fn release_own(&self, key: &str) {
        let guard = self.shared.held.lock().ok().and_then(|mut h| h.remove(key));
        drop(guard);
    }

    /// If a command with this key is queued and not yet settled, a future that resolves
    /// when it is (then its outcome is recorded, or it failed).
    pub fn in_flight(&self, key: &str) -> Option<impl std::future::Future<Output = ()>> {
        let mut rx = self.shared.in_flight.lock().ok()?.get(key).cloned()?;
        Some(async move {
            // Resolves with an error when the sender is dropped: the command settled.
            while rx.changed().await.is_ok() {}
        })
    }

    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// Takes the outcome `persist` recorded in this slot (`meta::OUTCOME_SLOT`, else the
    /// idempotency key).
    pub fn take_outcome(&self, slot: &str) -> Option<PersistOutcome> {
        self.shared.outcomes.lock().ok()?.remove(slot)
    }

    fn record(&self, key: Option<&String>, outcome: PersistOutcome) {
        if let (Some(key), Ok(mut map)) = (key, self.shared.outcomes.lock()) {
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
    /// The newest state of an aggregate: this process's cache, else the stored snapshot,
    /// caught up from the log. Also returns the queued append it rests on, if that may not
    /// be durable yet.
    ///
    /// With `trust_cache`, a cached state is used as it is while no other process is known
    /// to have appended since it was last caught up (commands: a stale decision fails its
    /// version check and is decided again). Otherwise the stream is read from the state's
    /// version on.
    pub async fn current_state<A: Aggregate>(
        &self,
        aggregate_id: &str,
        trust_cache: bool,
    ) -> Result<(Option<SerializedSnapshot>, Option<Ticket>), PersistenceError> {
        // Read before the database, so a foreign append racing with this load counts.
        let foreign = self.store.foreign_seen();
        let cached = self.cached_state(A::TYPE, aggregate_id);
        let from_cache = cached.is_some();
        let basis = cached.as_ref().and_then(|c| c.pending);
        let cached = match cached {
            Some(c) if trust_cache && c.checked >= foreign => {
                // Only this process's own serialisations are cached, so the shape fits.
                let snapshot = SerializedSnapshot {
                    aggregate_id: aggregate_id.to_owned(),
                    aggregate: c.state,
                    current_sequence: c.version as usize,
                    current_snapshot: c.version as usize,
                };
                return Ok((Some(snapshot), basis));
            }
            other => other,
        };
        let known = match cached {
            Some(c) => Some((c.version, c.state)),
            // A stored snapshot that is not JSON is dropped like one that does not decode.
            None => self
                .store
                .snapshot(A::TYPE, aggregate_id)
                .await
                .map_err(unavailable)?
                .map(|(v, text)| (v, serde_json::from_str(&text).unwrap_or(Value::Null))),
        };
        // A state that no longer decodes (the aggregate's shape changed) is dropped and
        // rebuilt from the log: snapshots are a cache, the log is the truth.
        let (mut aggregate, mut version) = match &known {
            Some((v, value)) => match A::deserialize(value) {
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
            return Ok((None, None));
        }
        let refresh_cache = !from_cache || !events.is_empty() || trust_cache;
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
            let cached = CachedState {
                version,
                state: value.clone(),
                pending: basis,
                checked: foreign,
            };
            self.cache_state(A::TYPE, aggregate_id, cached);
        }
        let snapshot = SerializedSnapshot {
            aggregate_id: aggregate_id.to_owned(),
            aggregate: value,
            current_sequence: version as usize,
            current_snapshot: version as usize,
        };
        Ok((Some(snapshot), basis))
    }
}

/// A key whose events are queued and not yet settled. Dropping it (at the end of `persist`,
/// or when a cancelled request drops `persist` midway) removes the entry and wakes the
/// requests waiting on the key.
struct InFlight<'a> {
    map: &'a Mutex<HashMap<String, watch::Receiver<()>>>,
    key: String,
    _settled: watch::Sender<()>,
}

impl<'a> InFlight<'a> {
    fn start(map: &'a Mutex<HashMap<String, watch::Receiver<()>>>, key: &str) -> Self {
        let (tx, rx) = watch::channel(());
        if let Ok(mut m) = map.lock() {
            m.insert(key.to_owned(), rx);
        }
        Self {
            map,
            key: key.to_owned(),
            _settled: tx,
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut m) = self.map.lock() {
            m.remove(&self.key);
        }
    }
}

impl Repository {
    /// Catches the cached state of an aggregate up with the log; true if the log held events
    /// the cache did not (a command refused on the cached state should then be decided again).
    pub async fn refresh<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<bool, PersistenceError> {
        let before = self.cached_state(A::TYPE, aggregate_id).map(|c| c.version);
        let (snapshot, _) = self.current_state::<A>(aggregate_id, false).await?;
        let after = snapshot.map(|s| s.current_sequence as i64);
        Ok(after != before)
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
        // Only commands load through here (reads use `current_state`), so the basis stashed
        // here is the one `persist` will see for this stream.
        let (snapshot, basis) = self.current_state::<A>(aggregate_id, true).await?;
        if let Ok(mut bases) = self.shared.bases.lock() {
            let stream = (A::TYPE, aggregate_id.to_owned());
            match basis {
                Some(_) => bases.insert(stream, basis),
                None => bases.remove(&stream),
            };
        }
        Ok(snapshot)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        let Some(first) = events.first() else {
            return Ok(());
        };
        let id = first.aggregate_id.as_str();
        let basis = self
            .shared
            .bases
            .lock()
            .ok()
            .and_then(|mut b| b.remove(&(A::TYPE, id.to_owned())))
            .flatten();
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
        let generated = metadata.remove(meta::GENERATED_KEY).is_some();
        let slot = metadata.remove(meta::OUTCOME_SLOT).or_else(|| key.clone());
        let request_hash = metadata
            .get(meta::REQUEST_HASH)
            .cloned()
            .unwrap_or_default();
        let metadata_text = canonical_json(&serde_json::to_value(&metadata)?);
        // The state after these events (see the module doc), and how far the loaded state
        // was checked against the log.
        let new_state = snapshot_update.map(|(_, state, _)| state);
        let checked = self.checked_at(A::TYPE, id, expected_version);
        let snapshot = new_state
            .as_ref()
            .filter(|_| last_version / SNAPSHOT_EVERY > expected_version / SNAPSHOT_EVERY)
            .map(canonical_json);
        let cmd = AppendCommand {
            aggregate_type: A::TYPE.to_owned(),
            aggregate_id: id.to_owned(),
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
            idempotency_key: key.clone().filter(|_| !generated),
            request_hash,
            snapshot,
        };
        let pending = self.store.enqueue(cmd, basis).await.map_err(|e| match e {
            AppendError::Store(e) => unavailable(e),
            other => PersistenceError::UnknownError(Box::new(other)),
        })?;
        let ticket = pending.ticket;
        // From here the next command on this aggregate may be decided on the new state while
        // this one commits; it names this append as its basis.
        let _settled = key
            .as_ref()
            .map(|k| InFlight::start(&self.shared.in_flight, k));
        // Cached only on top of the state it was decided on: the cache may have been dropped
        // meanwhile, and then how far that state was checked against the log is unknown.
        if let (Some(state), Some(checked)) = (new_state, checked) {
            let cached = CachedState {
                version: last_version,
                state,
                pending: Some(ticket),
                checked,
            };
            self.cache_state(A::TYPE, id, cached);
        }
        if let Some(k) = &key {
            self.release_own(k);
        }
        let outcome = pending.outcome().await;
        match &outcome {
            Ok(_) => self.settled(A::TYPE, id, ticket),
            Err(_) => self.forget(A::TYPE, id),
        }
        let result = match outcome {
            Ok(appended) => {
                self.record(slot.as_ref(), PersistOutcome::Appended(appended));
                Ok(())
            }
            Err(AppendError::Duplicate {
                original,
                request_hash,
            }) => {
                self.record(
                    slot.as_ref(),
                    PersistOutcome::Duplicate {
                        original,
                        request_hash,
                    },
                );
                Ok(())
            }
            Err(AppendError::Conflict { .. }) => Err(PersistenceError::OptimisticLockError),
            Err(AppendError::Store(e)) => Err(unavailable(e)),
        };
        result
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

#[cfg(test)]
mod tests {
    use super::*;

    fn state(version: i64, pending: Option<u64>) -> CachedState {
        CachedState {
            version,
            state: Value::Null,
            pending: pending.map(Ticket),
            checked: 0,
        }
    }

    #[test]
    fn making_room_keeps_every_state_whose_append_is_still_queued() {
        let mut map = HashMap::new();
        map.insert(("Meeting", "settled".to_owned()), state(3, None));
        map.insert(("Meeting", "queued".to_owned()), state(7, Some(41)));
        evict(&mut map);
        assert_eq!(map.len(), 1);
        assert_eq!(map[&("Meeting", "queued".to_owned())].version, 7);
    }
}
