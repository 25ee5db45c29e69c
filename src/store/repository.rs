//! The cqrs-es `PersistedEventRepository` over [`EventStore`], so aggregates run under
//! `CqrsFramework` while the log keeps global order, ids, times and the hash chain.
//!
//! The service runs commands through [`AggregateStore`](super::AggregateStore), which keeps
//! each stream's newest state here, typed: a command takes it out, decides, and puts back the
//! state after its events, so it costs no JSON for the state (ADR 4). A state not cached is
//! the stored snapshot caught up from the log; a snapshot is only ever a cache, and loading
//! reads at most [`SNAPSHOT_EVERY`] events from the database.
//!
//! cqrs-es's own `PersistedEventStore` works over this repository too, through
//! `get_snapshot` and `persist`, but bypasses the typed cache: it loads from the log each time.

use std::any::Any;
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
    /// Where `append` records this request's outcome for the bus to take; not stored.
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
struct CachedState {
    version: i64,
    /// The aggregate itself (of the stream's type), or `None` while a command has it checked
    /// out (see [`Loaded`](super::aggregates::Loaded)). Kept typed, so a command costs no JSON
    /// for the state it decides on.
    state: Option<Box<dyn Any + Send + Sync>>,
    /// The checkout that has the state, while one has it.
    out: Option<u64>,
    /// The queued append that produced this state, while it may not be durable yet: a
    /// command decided on this state names it as its basis (see `EventStore::enqueue`).
    pending: Option<Ticket>,
    /// [`EventStore::foreign_seen`] when this state was last caught up with the log: while
    /// no other process is known to have appended since, the stream need not be read again.
    checked: i64,
}

/// An aggregate state with what the cache knew of it.
pub struct Known<A> {
    pub state: A,
    pub version: i64,
    /// The queued append the state rests on, if that may not be durable yet.
    pub basis: Option<Ticket>,
    pub checked: i64,
}

type StreamKey = (&'static str, String);

/// A command's per-aggregate lock, with the id of the hold that took it.
type Held = (u64, OwnedMutexGuard<()>);

/// Bound on cached states; past it, the states [`evict`] may drop are dropped (the cache is
/// only an optimisation). 2,000 is far more than the aggregates in use at once, and keeps the
/// cache to tens of megabytes.
const MAX_CACHED_STATES: usize = 2_000;

/// Makes room in the cache. A state whose append is still queued stays: the log does not
/// hold it yet, so the next command on that stream, loading from the log instead, would be
/// decided on a state without it. An append would then fail its version check, but a refusal
/// or a command that changes nothing would be answered from that older state. A state a
/// command has taken out stays too, so that the command can put it back.
fn evict(map: &mut HashMap<StreamKey, CachedState>) {
    map.retain(|_, c| c.pending.is_some() || c.out.is_some());
}

fn take_out<A: Aggregate + 'static>(
    map: &mut HashMap<StreamKey, CachedState>,
    (t, id): (&'static str, &str),
    token: u64,
) -> Option<Known<A>> {
    let c = map.get_mut(&(t, id.to_owned()))?;
    let state = c.state.take()?.downcast::<A>().ok()?;
    c.out = Some(token);
    Some(Known {
        state: *state,
        version: c.version,
        basis: c.pending,
        checked: c.checked,
    })
}

fn put_back<A: Aggregate + 'static>(
    map: &mut HashMap<StreamKey, CachedState>,
    (t, id): (&'static str, &str),
    token: u64,
    known: Known<A>,
) {
    if let Some(c) = map.get_mut(&(t, id.to_owned())) {
        if c.out == Some(token) && c.state.is_none() {
            c.version = known.version;
            c.checked = known.checked;
            c.state = Some(Box::new(known.state));
            c.out = None;
        }
    }
}

/// Caches `new` unless a newer state is cached.
fn store_newer(
    map: &mut HashMap<StreamKey, CachedState>,
    (t, id): (&'static str, &str),
    new: CachedState,
) {
    match map.get_mut(&(t, id.to_owned())) {
        Some(old) if old.version > new.version => {}
        Some(old) => *old = new,
        None => {
            map.insert((t, id.to_owned()), new);
        }
    }
}

#[derive(Clone, Default)]
struct Shared {
    outcomes: Arc<Mutex<HashMap<String, PersistOutcome>>>,
    states: Arc<Mutex<HashMap<StreamKey, CachedState>>>,
    /// The per-aggregate lock of each command in progress, by idempotency key; `append`
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

    /// A copy of the cached state, for a read.
    fn cached_copy<A: Aggregate + Clone + 'static>(&self, id: &str) -> Option<Known<A>> {
        let map = self.shared.states.lock().ok()?;
        let c = map.get(&(A::TYPE, id.to_owned()))?;
        let state = c.state.as_ref()?.downcast_ref::<A>()?;
        Some(Known {
            state: state.clone(),
            version: c.version,
            basis: c.pending,
            checked: c.checked,
        })
    }

    fn cached_version(&self, t: &'static str, id: &str) -> Option<i64> {
        let map = self.shared.states.lock().ok()?;
        map.get(&(t, id.to_owned())).map(|c| c.version)
    }

    /// Marks the cached state at `version` as behind the log, so the next command reads the
    /// stream before deciding.
    fn distrust(&self, t: &'static str, id: &str, version: i64) {
        if let Ok(mut map) = self.shared.states.lock() {
            if let Some(c) = map.get_mut(&(t, id.to_owned())) {
                if c.version == version {
                    c.checked = i64::MIN;
                }
            }
        }
    }

    /// Takes the cached state out for a command, which decides on it and then either puts
    /// back the state after its events or, refused, the state unchanged (`check_in`).
    /// Commands on one aggregate hold its lock from here until their events are queued, so
    /// no other command wants the state meanwhile; a read copies it (and while it is out,
    /// reads the log).
    pub(super) fn take_cached<A: Aggregate + 'static>(
        &self,
        id: &str,
        token: u64,
    ) -> Option<Known<A>> {
        take_out(&mut *self.shared.states.lock().ok()?, (A::TYPE, id), token)
    }

    /// Records that checkout `token` holds the state at `version`, loaded from the log.
    pub(super) fn mark_out(&self, t: &'static str, id: &str, token: u64, known: (i64, i64)) {
        let (version, checked) = known;
        if let Ok(mut map) = self.shared.states.lock() {
            if map.len() >= MAX_CACHED_STATES {
                evict(&mut map);
            }
            let c = map.entry((t, id.to_owned())).or_insert(CachedState {
                version,
                state: None,
                out: None,
                pending: None,
                checked,
            });
            if c.state.is_none() && c.version <= version {
                c.version = version;
                c.checked = checked;
                c.out = Some(token);
            }
        }
    }

    /// Puts back the state checkout `token` took, unchanged (its command appended nothing).
    /// If the entry has gone or been replaced meanwhile, the state is dropped: a failed
    /// append removes the entry (`forget`), and the state taken may rest on that append.
    pub(super) fn check_in<A: Aggregate + 'static>(&self, id: &str, token: u64, known: Known<A>) {
        if let Ok(mut map) = self.shared.states.lock() {
            put_back(&mut map, (A::TYPE, id), token, known);
        }
    }

    /// A fresh checkout token.
    pub(super) fn token(&self) -> u64 {
        self.shared
            .holds
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    fn cache_state(&self, t: &'static str, id: &str, new: CachedState) {
        if let Ok(mut map) = self.shared.states.lock() {
            if map.len() >= MAX_CACHED_STATES {
                evict(&mut map);
            }
            store_newer(&mut map, (t, id), new);
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
    /// command ended without queueing events (refused, or nothing to do).
    pub fn release(&self, key: &str, hold: u64) {
        let guard = self.shared.held.lock().ok().and_then(|mut h| {
            if h.get(key).is_some_and(|(id, _)| *id == hold) {
                h.remove(key)
            } else {
                None
            }
        });
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

    /// Takes the outcome `append` recorded in this slot (`meta::OUTCOME_SLOT`, else the
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
    super::decode::decode_parts(A::TYPE, event_type, event_version, payload, position)
        .map_err(corrupt)
}

impl Repository {
    /// The newest state of an aggregate, as a copy: this process's cache, else the stored
    /// snapshot, caught up from the log. `None` if the stream is empty.
    ///
    /// With `trust_cache`, a cached state is used as it is while no other process is known
    /// to have appended since it was last caught up (a stale decision fails its version
    /// check and is decided again). Otherwise the stream is read from the state's version on,
    /// and if it has moved, the cached state is marked behind for the next command.
    pub async fn current_state<A: Aggregate + Clone + 'static>(
        &self,
        aggregate_id: &str,
        trust_cache: bool,
    ) -> Result<Option<Known<A>>, PersistenceError> {
        // Read before the database, so a foreign append racing with this load counts.
        let foreign = self.store.foreign_seen();
        let cached = self.cached_copy::<A>(aggregate_id);
        match cached {
            Some(c) if trust_cache && c.checked >= foreign => Ok(Some(c)),
            Some(c) => {
                let from = c.version;
                let known = self.catch_up(aggregate_id, c, foreign).await?;
                if known.version > from {
                    self.distrust(A::TYPE, aggregate_id, from);
                }
                Ok(Some(known))
            }
            None => self.load_from_log(aggregate_id, foreign).await,
        }
    }

    /// The stored snapshot (if it still decodes) caught up from the log; `None` if the
    /// stream is empty.
    pub(super) async fn load_from_log<A: Aggregate>(
        &self,
        aggregate_id: &str,
        foreign: i64,
    ) -> Result<Option<Known<A>>, PersistenceError> {
        // A stored snapshot that no longer decodes (the aggregate's shape changed) is dropped
        // and the state rebuilt from the log: snapshots are a cache, the log is the truth.
        let (snapshot, events) = self
            .store
            .load_stream(A::TYPE, aggregate_id)
            .await
            .map_err(unavailable)?;
        let stored = snapshot.is_some();
        let decoded = snapshot.and_then(|(version, text)| {
            let value: Value = serde_json::from_str(&text).ok()?;
            // A snapshot of another shape would decode into the wrong meaning: dropped.
            let shape = value.get(SHAPE_FIELD).and_then(Value::as_u64).unwrap_or(1);
            if shape != u64::from(crate::domain::schema::state_shape(A::TYPE)) {
                return None;
            }
            serde_json::from_value::<A>(value)
                .ok()
                .map(|state| (version, state))
        });
        let mut known = Known {
            state: A::default(),
            version: 0,
            basis: None,
            checked: foreign,
        };
        let had_snapshot = decoded.is_some();
        match decoded {
            Some((version, state)) => {
                known.state = state;
                known.version = version;
                apply_stored(&mut known, events)?;
            }
            None if stored => {
                // The events read start after the snapshot that did not decode.
                let events = self.events_after(A::TYPE, aggregate_id, 0).await?;
                apply_stored(&mut known, events)?;
            }
            None => apply_stored(&mut known, events)?,
        }
        Ok((had_snapshot || known.version > 0).then_some(known))
    }

    /// Applies the stream's events after `known.version` to it.
    pub(super) async fn catch_up<A: Aggregate>(
        &self,
        aggregate_id: &str,
        mut known: Known<A>,
        foreign: i64,
    ) -> Result<Known<A>, PersistenceError> {
        let events = self
            .events_after(A::TYPE, aggregate_id, known.version)
            .await?;
        apply_stored(&mut known, events)?;
        known.checked = foreign;
        Ok(known)
    }

    pub(super) async fn events_after(
        &self,
        t: &str,
        aggregate_id: &str,
        version: i64,
    ) -> Result<Vec<StoredEvent>, PersistenceError> {
        self.store
            .read_stream(t, aggregate_id, version)
            .await
            .map_err(unavailable)
    }
}

/// Applies a stream's next events to a state. On an error the state is partly applied and
/// must be dropped.
pub(super) fn apply_stored<A: Aggregate>(
    known: &mut Known<A>,
    events: Vec<StoredEvent>,
) -> Result<(), PersistenceError> {
    for e in events {
        known.state.apply(decode::<A>(
            &e.payload,
            e.position,
            &e.event_type,
            &e.event_version,
        )?);
        known.version = e.stream_version;
    }
    Ok(())
}

/// A key whose events are queued and not yet settled. Dropping it (at the end of `append`,
/// or when a cancelled request drops `append` midway) removes the entry and wakes the
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
    pub async fn refresh<A: Aggregate + Clone + 'static>(
        &self,
        aggregate_id: &str,
    ) -> Result<bool, PersistenceError> {
        let before = self.cached_version(A::TYPE, aggregate_id);
        let known = self.current_state::<A>(aggregate_id, false).await?;
        Ok(known.map(|k| k.version) != before)
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

/// One command's events, ready to append.
pub(super) struct Batch<'a> {
    pub aggregate_id: &'a str,
    pub expected_version: i64,
    /// Each event's type, version and canonical JSON payload.
    pub events: Vec<(String, String, String)>,
    /// The command's metadata, with the keys of [`meta`] that steer `append`.
    pub metadata: HashMap<String, String>,
    /// The queued append the state decided on rests on, if that may not be durable yet.
    pub basis: Option<Ticket>,
    /// How far the state decided on was checked against the log, if known.
    pub checked: Option<i64>,
    /// The state after the events, as stored snapshot text, when one is due.
    pub snapshot: Option<String>,
}

/// Whether a command taking a stream from `expected_version` by `events` crosses a multiple
/// The field of a stored snapshot that names its shape (`domain::schema::state_shape`).
pub const SHAPE_FIELD: &str = "_shape";

/// A snapshot's stored text: the state's JSON with its shape.
pub fn snapshot_text<A: Aggregate>(state: &Value) -> String {
    let mut v = state.clone();
    if let Value::Object(o) = &mut v {
        o.insert(
            SHAPE_FIELD.into(),
            Value::from(crate::domain::schema::state_shape(A::TYPE)),
        );
    }
    canonical_json(&v)
}

/// of [`SNAPSHOT_EVERY`], so its append stores the state.
pub(super) fn snapshot_due(expected_version: i64, events: usize) -> bool {
    (expected_version + events as i64) / SNAPSHOT_EVERY > expected_version / SNAPSHOT_EVERY
}

impl Repository {
    /// Queues a command's events, caches the state after them (`next`, called once they are
    /// queued), releases the aggregate's lock for the next command, and waits for the commit.
    /// The outcome is recorded under the request's slot for the bus.
    pub(super) async fn append<A: Aggregate>(
        &self,
        batch: Batch<'_>,
        next: impl FnOnce() -> Option<Box<dyn Any + Send + Sync>>,
    ) -> Result<(), PersistenceError> {
        let Batch {
            aggregate_id: id,
            expected_version,
            events,
            mut metadata,
            basis,
            checked,
            snapshot,
        } = batch;
        let last_version = expected_version + events.len() as i64;
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
        // Set only while a scenario loads, with nothing else writing (`store::clock`).
        if self.store.clock().is_simulated() {
            let (key, value) = super::clock::SIMULATED;
            metadata.insert(key.into(), value.into());
        }
        let metadata_text = canonical_json(&serde_json::to_value(&metadata)?);
        let cmd = AppendCommand {
            aggregate_type: A::TYPE.to_owned(),
            aggregate_id: id.to_owned(),
            expected_version,
            events: events
                .into_iter()
                .map(|(event_type, event_version, payload)| NewEvent {
                    event_type,
                    event_version,
                    payload,
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
        if let (Some(state), Some(checked)) = (next(), checked) {
            let cached = CachedState {
                version: last_version,
                state: Some(state),
                out: None,
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
        // `PersistedEventStore` loads through here: from the log, bypassing the typed cache
        // (which `AggregateStore` uses), since that needs `A: 'static`.
        let foreign = self.store.foreign_seen();
        let known = self.load_from_log::<A>(aggregate_id, foreign).await?;
        known
            .map(|k| {
                Ok(SerializedSnapshot {
                    aggregate_id: aggregate_id.to_owned(),
                    aggregate: serde_json::to_value(&k.state)?,
                    current_sequence: k.version as usize,
                    current_snapshot: k.version as usize,
                })
            })
            .transpose()
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
        let expected_version = first.sequence as i64 - 1;
        let metadata: HashMap<String, String> = serde_json::from_value(first.metadata.clone())?;
        // The state after these events (see the module doc).
        let value = snapshot_update.map(|(_, state, _)| state);
        let snapshot = value
            .as_ref()
            .filter(|_| snapshot_due(expected_version, events.len()))
            .map(snapshot_text::<A>);
        let batch = Batch {
            aggregate_id: id,
            expected_version,
            events: events
                .iter()
                .map(|e| {
                    (
                        e.event_type.clone(),
                        e.event_version.clone(),
                        canonical_json(&e.payload),
                    )
                })
                .collect(),
            metadata,
            // Decided on a state loaded from the log (`get_snapshot`), which rests on
            // nothing queued; the state after is not cached (see `get_snapshot`).
            basis: None,
            checked: None,
            snapshot,
        };
        self.append::<A>(batch, || None).await
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
            state: Some(Box::new(())),
            out: None,
            pending: pending.map(Ticket),
            checked: 0,
        }
    }

    #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Tally(i64);

    impl Aggregate for Tally {
        const TYPE: &'static str = "Tally";
        type Command = ();
        type Event = TallyEvent;
        type Error = std::io::Error;
        type Services = ();
        async fn handle(
            &mut self,
            _: (),
            _: &(),
            _: &cqrs_es::event_sink::EventSink<Self>,
        ) -> Result<(), std::io::Error> {
            Ok(())
        }
        fn apply(&mut self, _: TallyEvent) {
            self.0 += 1;
        }
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct TallyEvent;

    impl cqrs_es::DomainEvent for TallyEvent {
        fn event_type(&self) -> String {
            "Counted".into()
        }
        fn event_version(&self) -> String {
            "1".into()
        }
    }

    fn tally(version: i64, pending: Option<u64>) -> CachedState {
        CachedState {
            version,
            state: Some(Box::new(Tally(version))),
            out: None,
            pending: pending.map(Ticket),
            checked: 0,
        }
    }

    const KEY: (&str, &str) = ("Tally", "t");

    #[test]
    fn a_state_taken_out_and_put_back_is_cached_again() {
        let mut map = HashMap::new();
        store_newer(&mut map, KEY, tally(4, Some(9)));
        let known = take_out::<Tally>(&mut map, KEY, 1).unwrap();
        assert_eq!(
            (known.state.clone(), known.version, known.basis),
            (Tally(4), 4, Some(Ticket(9)))
        );
        assert!(
            take_out::<Tally>(&mut map, KEY, 2).is_none(),
            "taken out only once"
        );
        put_back(&mut map, KEY, 1, known);
        assert_eq!(take_out::<Tally>(&mut map, KEY, 3).unwrap().state, Tally(4));
    }

    #[test]
    fn a_state_taken_out_is_not_put_back_over_a_newer_one_or_after_a_failed_append() {
        let mut map = HashMap::new();
        store_newer(&mut map, KEY, tally(4, None));
        let known = take_out::<Tally>(&mut map, KEY, 1).unwrap();
        // A failed append forgot the stream: the state taken out may rest on it.
        map.remove(&(KEY.0, KEY.1.to_owned()));
        put_back(&mut map, KEY, 1, known);
        assert!(map.is_empty());

        store_newer(&mut map, KEY, tally(4, None));
        let known = take_out::<Tally>(&mut map, KEY, 2).unwrap();
        store_newer(&mut map, KEY, tally(5, Some(10)));
        put_back(&mut map, KEY, 2, known);
        assert_eq!(take_out::<Tally>(&mut map, KEY, 3).unwrap().state, Tally(5));
    }

    #[test]
    fn making_room_keeps_every_state_whose_append_is_still_queued() {
        let mut map = HashMap::new();
        map.insert(("Meeting", "settled".to_owned()), state(3, None));
        map.insert(("Meeting", "queued".to_owned()), state(7, Some(41)));
        map.insert(
            ("Meeting", "taken".to_owned()),
            CachedState {
                out: Some(5),
                ..state(2, None)
            },
        );
        evict(&mut map);
        assert_eq!(map.len(), 2);
        assert_eq!(map[&("Meeting", "queued".to_owned())].version, 7);
        assert_eq!(map[&("Meeting", "taken".to_owned())].version, 2);
    }
}
