//! cqrs-es's `EventStore` for commands, over [`Repository`]: the aggregate a command decides
//! on is the cached state itself, typed, taken out of the cache and put back after.
//!
//! `PersistedEventStore` over the same repository works too (the store tests run it), but it
//! hands states through JSON: each command cloned the cached state's JSON, decoded it, and
//! encoded the state after its events. That was the largest cost of a command (docs/adr/0004).
//! Here a command costs no JSON for its state; a snapshot is still encoded, but only when
//! one is due.

use std::collections::HashMap;
use std::marker::PhantomData;

use cqrs_es::persist::{PersistedEventRepository, PersistenceError};
use cqrs_es::{Aggregate, AggregateContext, AggregateError, DomainEvent, EventEnvelope};

use super::chain::canonical_json;
use super::repository::{apply_stored, snapshot_due, Batch, Known, Repository};

/// Runs an aggregate type's commands on the repository's typed state cache.
pub struct AggregateStore<A> {
    repo: Repository,
    aggregate: PhantomData<fn() -> A>,
}

impl<A> AggregateStore<A> {
    pub fn new(repo: Repository) -> Self {
        Self {
            repo,
            aggregate: PhantomData,
        }
    }
}

/// The aggregate a command decides on. Dropped without being committed (the command was
/// refused or appended nothing), it goes back to the cache unchanged: `handle` never changes
/// the state it decides on (`domain::emit`).
pub struct Loaded<A: Aggregate + 'static> {
    repo: Repository,
    aggregate_id: String,
    known: Known<A>,
    token: u64,
    /// False once `commit` has taken the state.
    held: bool,
}

impl<A: Aggregate + 'static> AggregateContext<A> for Loaded<A> {
    fn aggregate(&mut self) -> &mut A {
        &mut self.known.state
    }
}

impl<A: Aggregate + 'static> Loaded<A> {
    fn take(&mut self) -> Known<A> {
        self.held = false;
        Known {
            state: std::mem::take(&mut self.known.state),
            ..self.known
        }
    }
}

impl<A: Aggregate + 'static> Drop for Loaded<A> {
    fn drop(&mut self) {
        if self.held {
            let known = self.take();
            self.repo.check_in(&self.aggregate_id, self.token, known);
        }
    }
}

impl<A> cqrs_es::EventStore<A> for AggregateStore<A>
where
    A: Aggregate + Clone + 'static,
{
    type AC = Loaded<A>;

    async fn load_events(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        let events = self.repo.get_events::<A>(aggregate_id).await?;
        events
            .into_iter()
            .map(|e| {
                Ok(EventEnvelope {
                    aggregate_id: e.aggregate_id,
                    sequence: e.sequence,
                    payload: crate::store::decode::decode_value(
                        &e.aggregate_type,
                        &e.event_type,
                        &e.event_version,
                        e.payload,
                        e.sequence as i64,
                    )
                    .map_err(|err| PersistenceError::UnknownError(Box::new(err)))?,
                    metadata: serde_json::from_value(e.metadata).map_err(PersistenceError::from)?,
                })
            })
            .collect()
    }

    /// The cached state, caught up with the log if another process may have appended since;
    /// else the stored snapshot caught up from the log.
    async fn load_aggregate(
        &self,
        aggregate_id: &str,
    ) -> Result<Loaded<A>, AggregateError<A::Error>> {
        // Read before the database, so a foreign append racing with this load counts.
        let foreign = self.repo.store().foreign_seen();
        let token = self.repo.token();
        let mut loaded = Loaded {
            repo: self.repo.clone(),
            aggregate_id: aggregate_id.to_owned(),
            known: Known {
                state: A::default(),
                version: 0,
                basis: None,
                checked: foreign,
            },
            token,
            held: false,
        };
        if let Some(cached) = self.repo.take_cached::<A>(aggregate_id, token) {
            loaded.known = cached;
            loaded.held = true;
            if loaded.known.checked < foreign {
                // Another process may have appended. A failed read puts the state back as it
                // was (drop); a state partly caught up is dropped instead.
                let events = self
                    .repo
                    .events_after(A::TYPE, aggregate_id, loaded.known.version)
                    .await?;
                if let Err(e) = apply_stored(&mut loaded.known, events) {
                    loaded.held = false;
                    return Err(e.into());
                }
                loaded.known.checked = foreign;
            }
            return Ok(loaded);
        }
        if let Some(known) = self.repo.load_from_log::<A>(aggregate_id, foreign).await? {
            loaded.known = known;
        }
        self.repo.mark_out(
            A::TYPE,
            aggregate_id,
            token,
            (loaded.known.version, loaded.known.checked),
        );
        loaded.held = true;
        Ok(loaded)
    }

    async fn commit(
        &self,
        events: Vec<A::Event>,
        mut loaded: Loaded<A>,
        metadata: HashMap<String, String>,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        if events.is_empty() {
            return Ok(vec![]);
        }
        let version = loaded.known.version;
        let envelopes: Vec<EventEnvelope<A>> = events
            .iter()
            .enumerate()
            .map(|(i, e)| EventEnvelope {
                aggregate_id: loaded.aggregate_id.clone(),
                sequence: version as usize + i + 1,
                payload: e.clone(),
                metadata: metadata.clone(),
            })
            .collect();
        let mut serialized = Vec::with_capacity(events.len());
        for e in &events {
            let payload = serde_json::to_value(e).map_err(PersistenceError::from)?;
            serialized.push((e.event_type(), e.event_version(), canonical_json(&payload)));
        }
        // A snapshot needs the new state before the append; otherwise it is made after the
        // events are queued, so a command cancelled before that leaves the old state cached.
        let ahead = snapshot_due(version, events.len()).then(|| {
            let mut next = loaded.known.state.clone();
            for e in &events {
                next.apply(e.clone());
            }
            next
        });
        let snapshot = match &ahead {
            Some(next) => Some(super::repository::snapshot_text::<A>(
                &serde_json::to_value(next).map_err(PersistenceError::from)?,
            )),
            None => None,
        };
        let aggregate_id = loaded.aggregate_id.clone();
        let batch = Batch {
            aggregate_id: &aggregate_id,
            expected_version: version,
            events: serialized,
            metadata,
            basis: loaded.known.basis,
            checked: Some(loaded.known.checked),
            snapshot,
        };
        self.repo
            .append::<A>(batch, move || {
                let mut known = loaded.take();
                let next = match ahead {
                    Some(next) => next,
                    None => {
                        for e in events {
                            known.state.apply(e);
                        }
                        known.state
                    }
                };
                Some(Box::new(next))
            })
            .await?;
        Ok(envelopes)
    }
}
