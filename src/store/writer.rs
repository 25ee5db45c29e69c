//! The single writer: every append in this process goes through one task that batches
//! whatever is waiting into one transaction (group commit). Serialising appends is what gives
//! contiguous positions in commit order and lets the writer compute the hash chain; batching
//! is what pays for it (docs/adr/0002-global-order.md).

use std::collections::{HashSet, VecDeque};

use tokio::sync::{mpsc, oneshot, watch};
use uuid::Uuid;

use super::chain::{self, Hash};
use super::{now_us, AppendCommand, AppendError, Appended, Db, StoreError};

/// Upper bound on events per transaction: large enough to amortise the commit, small
/// enough to keep one transaction's latency low.
const MAX_BATCH_EVENTS: usize = 2_000;
/// How often in a row another process may move the head before a batch gives up.
const MAX_HEAD_RETRIES: usize = 50;

pub(super) struct Request {
    pub cmd: AppendCommand,
    pub reply: oneshot::Sender<Result<Appended, AppendError>>,
}

pub(super) fn spawn(db: Db, head_tx: watch::Sender<i64>) -> mpsc::Sender<Request> {
    let (tx, rx) = mpsc::channel(8_192);
    tokio::spawn(run(db, rx, head_tx));
    tx
}

async fn run(db: Db, mut rx: mpsc::Receiver<Request>, head_tx: watch::Sender<i64>) {
    let mut pending: VecDeque<Request> = VecDeque::new();
    let mut head: Option<(i64, Hash)> = None;
    loop {
        if pending.is_empty() {
            match rx.recv().await {
                Some(r) => pending.push_back(r),
                None => return,
            }
        }
        while pending.len() < 4 * MAX_BATCH_EVENTS {
            match rx.try_recv() {
                Ok(r) => pending.push_back(r),
                Err(_) => break,
            }
        }
        let batch = take_batch(&mut pending);
        write_batch(&db, &mut head, batch, &head_tx).await;
    }
}

/// Takes the next batch, leaving for later any command whose stream or idempotency key is
/// already in it: two commands on one stream in one batch would both be checked against the
/// same stored version.
fn take_batch(pending: &mut VecDeque<Request>) -> Vec<Request> {
    let mut batch = Vec::new();
    let mut rest = VecDeque::new();
    let mut streams = HashSet::new();
    let mut keys = HashSet::new();
    let mut events = 0;
    while let Some(r) = pending.pop_front() {
        let stream = (r.cmd.aggregate_type.clone(), r.cmd.aggregate_id.clone());
        let key_taken = r
            .cmd
            .idempotency_key
            .as_ref()
            .is_some_and(|k| keys.contains(k));
        if events >= MAX_BATCH_EVENTS || streams.contains(&stream) || key_taken {
            rest.push_back(r);
            continue;
        }
        events += r.cmd.events.len();
        if let Some(k) = &r.cmd.idempotency_key {
            keys.insert(k.clone());
        }
        streams.insert(stream);
        batch.push(r);
    }
    *pending = rest;
    batch
}

/// A batch with positions, ids, times and hashes assigned, ready for one transaction.
pub(super) struct Prepared {
    pub expected_head: i64,
    pub new_head: i64,
    pub new_hash: Hash,
    pub commands: Vec<PreparedCommand>,
    pub events: Vec<PreparedEvent>,
}

pub(super) struct PreparedCommand {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub expected_version: i64,
    pub key: Option<String>,
    pub request_hash: String,
    pub first: i64,
    pub last: i64,
    pub snapshot: Option<String>,
}

pub(super) struct PreparedEvent {
    pub position: i64,
    pub event_id: Uuid,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub stream_version: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
    pub recorded_at_us: i64,
    pub prev_hash: Hash,
    pub hash: Hash,
}

/// What the database said about a prepared batch.
pub(super) enum BatchResult {
    Committed,
    /// Another process appended: recompute from this head and retry.
    HeadMoved(i64, Hash),
    /// These commands (by index) cannot be appended; the rest may be retried.
    Refused(Vec<(usize, Refusal)>),
}

pub(super) enum Refusal {
    Duplicate {
        original: Appended,
        request_hash: String,
    },
    Conflict {
        actual: i64,
    },
}

fn prepare(batch: &[Request], head: i64, head_hash: Hash) -> Prepared {
    let recorded_at_us = now_us();
    let mut prev = head_hash;
    let mut position = head;
    let mut commands = Vec::with_capacity(batch.len());
    let mut events = Vec::new();
    for r in batch {
        let c = &r.cmd;
        let first = position + 1;
        for (i, e) in c.events.iter().enumerate() {
            position += 1;
            let event_id = Uuid::now_v7();
            let id_text = event_id.to_string();
            let stream_version = c.expected_version + 1 + i as i64;
            let hash = chain::event_hash(
                &prev,
                &chain::HashedFields {
                    position,
                    event_id: &id_text,
                    aggregate_type: &c.aggregate_type,
                    aggregate_id: &c.aggregate_id,
                    stream_version,
                    event_type: &e.event_type,
                    event_version: &e.event_version,
                    recorded_at_us,
                    payload: &e.payload,
                    metadata: &e.metadata,
                },
            );
            events.push(PreparedEvent {
                position,
                event_id,
                aggregate_type: c.aggregate_type.clone(),
                aggregate_id: c.aggregate_id.clone(),
                stream_version,
                event_type: e.event_type.clone(),
                event_version: e.event_version.clone(),
                payload: e.payload.clone(),
                metadata: e.metadata.clone(),
                recorded_at_us,
                prev_hash: prev,
                hash,
            });
            prev = hash;
        }
        commands.push(PreparedCommand {
            aggregate_type: c.aggregate_type.clone(),
            aggregate_id: c.aggregate_id.clone(),
            expected_version: c.expected_version,
            key: c.idempotency_key.clone(),
            request_hash: c.request_hash.clone(),
            first,
            last: position,
            snapshot: c.snapshot.clone(),
        });
    }
    Prepared {
        expected_head: head,
        new_head: position,
        new_hash: prev,
        commands,
        events,
    }
}

async fn write_batch(
    db: &Db,
    head: &mut Option<(i64, Hash)>,
    mut batch: Vec<Request>,
    head_tx: &watch::Sender<i64>,
) {
    let mut head_retries = 0;
    while !batch.is_empty() {
        let (pos, hash) = match *head {
            Some(h) => h,
            None => match db.head().await {
                Ok(h) => {
                    *head = Some(h);
                    h
                }
                Err(e) => return fail_all(batch, e),
            },
        };
        let prepared = prepare(&batch, pos, hash);
        let result = match db {
            Db::Postgres { pool, .. } => super::postgres::append(pool, &prepared).await,
            Db::Sqlite(pool) => super::sqlite::append(pool, &prepared).await,
        };
        match result {
            Ok(BatchResult::Committed) => {
                *head = Some((prepared.new_head, prepared.new_hash));
                head_tx.send_if_modified(|h| {
                    let moved = *h < prepared.new_head;
                    *h = (*h).max(prepared.new_head);
                    moved
                });
                for (r, c) in batch.into_iter().zip(&prepared.commands) {
                    let _ = r.reply.send(Ok(Appended {
                        first_position: c.first,
                        last_position: c.last,
                        stream_version: c.expected_version + (c.last - c.first + 1),
                    }));
                }
                return;
            }
            Ok(BatchResult::HeadMoved(p, h)) => {
                *head = Some((p, h));
                head_retries += 1;
                if head_retries > MAX_HEAD_RETRIES {
                    return fail_all(
                        batch,
                        StoreError::Database(
                            "the log head kept moving; giving up this batch".into(),
                        ),
                    );
                }
            }
            Ok(BatchResult::Refused(mut refused)) => {
                refused.sort_by_key(|(i, _)| std::cmp::Reverse(*i));
                refused.dedup_by_key(|(i, _)| *i);
                for (i, why) in refused {
                    if i >= batch.len() {
                        continue;
                    }
                    let r = batch.remove(i);
                    let err = match why {
                        Refusal::Duplicate {
                            original,
                            request_hash,
                        } => AppendError::Duplicate {
                            original,
                            request_hash,
                        },
                        Refusal::Conflict { actual } => AppendError::Conflict {
                            stream: format!("{}/{}", r.cmd.aggregate_type, r.cmd.aggregate_id),
                            expected: r.cmd.expected_version,
                            actual,
                        },
                    };
                    let _ = r.reply.send(Err(err));
                }
            }
            Err(e) => {
                // The transaction may or may not have committed (a lost reply): forget the
                // cached head; clients retry with their idempotency keys.
                tracing::warn!(error = %e, commands = batch.len(), "append batch failed");
                *head = None;
                return fail_all(batch, e);
            }
        }
    }
}

fn fail_all(batch: Vec<Request>, e: StoreError) {
    for r in batch {
        let _ = r.reply.send(Err(AppendError::Store(e.clone())));
    }
}
