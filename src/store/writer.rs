//! The single writer: every append in this process goes through one task that batches
//! whatever is waiting into one transaction (group commit). Serialising appends is what gives
//! contiguous positions in commit order and lets the writer compute the hash chain; batching
//! is what pays for it (docs/adr/0002-global-order.md).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Sqlite};

use tokio::sync::{mpsc, oneshot, watch};
use uuid::Uuid;

use super::chain::{self, Hash};
use super::clock::Clock;
use super::{AppendCommand, AppendError, Appended, Db, Foreign, StoreError, Ticket};

/// Upper bound on events per transaction: large enough to amortise the commit, small
/// enough to keep one transaction's latency low.
const MAX_BATCH_EVENTS: usize = 2_000;
/// How often in a row another process may move the head before a batch gives up.
const MAX_HEAD_RETRIES: usize = 50;

pub(super) struct Request {
    pub cmd: AppendCommand,
    pub ticket: Ticket,
    /// The queued append this command was decided on top of, if it was not yet durable.
    pub basis: Option<Ticket>,
    pub reply: oneshot::Sender<Result<Appended, AppendError>>,
}

/// Tickets of appends that did not commit. A command whose basis is among them was decided on
/// a state that never existed, so it is refused (its client's bus decides it again).
#[derive(Default)]
struct Failed {
    set: HashSet<Ticket>,
    order: VecDeque<Ticket>,
}

/// Failed tickets remembered. A dependent is queued right behind its basis, so only the most
/// recent failures can still matter; this bound is generous.
const FAILED_KEPT: usize = 100_000;

impl Failed {
    fn insert(&mut self, t: Ticket) {
        if self.set.insert(t) {
            self.order.push_back(t);
        }
        while self.order.len() > FAILED_KEPT {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
    }

    fn contains(&self, t: Option<Ticket>) -> bool {
        t.is_some_and(|t| self.set.contains(&t))
    }

    /// Refuses a request whose basis failed; its own dependents then fail in turn.
    fn refuse(&mut self, r: Request) {
        self.insert(r.ticket);
        let err = AppendError::Conflict {
            stream: format!("{}/{}", r.cmd.aggregate_type, r.cmd.aggregate_id),
            expected: r.cmd.expected_version,
            actual: r.cmd.expected_version - 1,
        };
        let _ = r.reply.send(Err(err));
    }
}

pub(super) fn spawn(
    db: Db,
    head_tx: watch::Sender<i64>,
    foreign: Arc<Foreign>,
    clock: Clock,
) -> mpsc::Sender<Request> {
    let (tx, rx) = mpsc::channel(8_192);
    tokio::spawn(run(db, rx, head_tx, foreign, clock));
    tx
}

async fn run(
    db: Db,
    mut rx: mpsc::Receiver<Request>,
    head_tx: watch::Sender<i64>,
    foreign: Arc<Foreign>,
    clock: Clock,
) {
    let mut pending: VecDeque<Request> = VecDeque::new();
    let mut head: Option<(i64, Hash)> = None;
    let mut failed = Failed::default();
    let mut conn: Option<Conn> = None;
    let mut expected = 0;
    loop {
        if pending.is_empty() {
            // Idle: give the connection back after a while, so closing the pool need not
            // wait for this task.
            let next = match tokio::time::timeout(KEEP_IDLE_CONNECTION, rx.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    conn = None;
                    rx.recv().await
                }
            };
            match next {
                Some(r) => pending.push_back(r),
                None => return,
            }
        }
        drain(&mut rx, &mut pending);
        gather(&mut rx, &mut pending, expected).await;
        let batch = take_batch(&mut pending, &mut failed);
        // Those answered now are the likeliest to send the next commands.
        expected = batch.len();
        let ctx = BatchContext {
            db: &db,
            conn: &mut conn,
            head: &mut head,
            head_tx: &head_tx,
            failed: &mut failed,
            foreign: &foreign,
            clock: &clock,
        };
        write_batch(ctx, batch).await;
    }
}

fn drain(rx: &mut mpsc::Receiver<Request>, pending: &mut VecDeque<Request>) {
    while pending.len() < 4 * MAX_BATCH_EVENTS {
        match rx.try_recv() {
            Ok(r) => pending.push_back(r),
            Err(_) => break,
        }
    }
}

/// The longest the writer waits for the next batch to fill.
const GATHER_AT_MOST: Duration = Duration::from_micros(150);

/// Waits briefly for the senders of the last batch to send again. Without it, the first
/// of them to come back goes alone while the rest queue behind its commit, and the writer
/// settles into two half-size batches per round: measured, exactly n/2 commands per commit
/// with n appenders. The next wait is for as many as this batch took, so a load that has gone
/// away stops costing the wait at once.
async fn gather(
    rx: &mut mpsc::Receiver<Request>,
    pending: &mut VecDeque<Request>,
    expected: usize,
) {
    gather_within(rx, pending, expected, GATHER_AT_MOST).await
}

/// [`gather`] with the wait's bound given (a test gives a long one: on a loaded machine the
/// thread can be descheduled for longer than the real bound).
async fn gather_within(
    rx: &mut mpsc::Receiver<Request>,
    pending: &mut VecDeque<Request>,
    expected: usize,
    at_most: Duration,
) {
    if expected < 2 || pending.len() >= expected {
        return;
    }
    let started = std::time::Instant::now();
    // Spin with yields: tokio's timer cannot wait less than a millisecond.
    while pending.len() < expected && started.elapsed() < at_most {
        tokio::task::yield_now().await;
        drain(rx, pending);
    }
}

/// Takes the next batch in queue order. A command may join a batch that already holds its
/// stream only if it was decided on the previous command there (its basis) and continues its
/// versions: the database checks the first command of each stream against the stored version
/// and the chain vouches for the rest. Anything else that collides (stream, idempotency key)
/// waits for a later batch, as does anything decided on a command that waits.
fn take_batch(pending: &mut VecDeque<Request>, failed: &mut Failed) -> Vec<Request> {
    let mut batch = Vec::new();
    let mut rest = VecDeque::new();
    let mut last_on_stream: HashMap<(String, String), (Ticket, i64)> = HashMap::new();
    let mut deferred = HashSet::new();
    let mut keys = HashSet::new();
    let mut events = 0;
    while let Some(r) = pending.pop_front() {
        if failed.contains(r.basis) {
            failed.refuse(r);
            continue;
        }
        let stream = (r.cmd.aggregate_type.clone(), r.cmd.aggregate_id.clone());
        let continues = match last_on_stream.get(&stream) {
            None => true,
            Some((t, v)) => r.basis == Some(*t) && r.cmd.expected_version == *v,
        };
        let key_taken = r
            .cmd
            .idempotency_key
            .as_ref()
            .is_some_and(|k| keys.contains(k));
        let basis_waits = r.basis.is_some_and(|b| deferred.contains(&b));
        if events >= MAX_BATCH_EVENTS || !continues || key_taken || basis_waits {
            deferred.insert(r.ticket);
            rest.push_back(r);
            continue;
        }
        events += r.cmd.events.len();
        if let Some(k) = &r.cmd.idempotency_key {
            keys.insert(k.clone());
        }
        let after = r.cmd.expected_version + r.cmd.events.len() as i64;
        last_on_stream.insert(stream, (r.ticket, after));
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
    /// The first command on its stream in this batch: the one checked against the stored
    /// version (the others continue its versions, see `take_batch`).
    pub first_on_stream: bool,
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

fn prepare(batch: &[Request], head: i64, head_hash: Hash, recorded_at_us: i64) -> Prepared {
    let mut prev = head_hash;
    let mut position = head;
    let mut commands = Vec::with_capacity(batch.len());
    let mut events = Vec::new();
    let mut streams = HashSet::new();
    for r in batch {
        let c = &r.cmd;
        let first_on_stream = streams.insert((c.aggregate_type.as_str(), c.aggregate_id.as_str()));
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
            first_on_stream,
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

/// The writer's own connection, kept between batches while there is work: taking one from
/// the pool and giving it back costs sqlx a round trip each (a ping), as much as a small
/// batch's own.
enum Conn {
    Postgres(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

/// How long the writer keeps its connection with nothing to write.
const KEEP_IDLE_CONNECTION: Duration = Duration::from_millis(100);

impl Conn {
    async fn acquire(db: &Db) -> Result<Self, StoreError> {
        Ok(match db {
            Db::Postgres { pool, .. } => Conn::Postgres(pool.acquire().await?),
            Db::Sqlite(pool, _) => Conn::Sqlite(pool.acquire().await?),
        })
    }

    async fn append(&mut self, p: &Prepared) -> Result<BatchResult, StoreError> {
        match self {
            Conn::Postgres(c) => super::postgres::append(c, p).await,
            Conn::Sqlite(c) => super::sqlite::append(c, p).await,
        }
    }
}

/// The writer's state that a batch uses and updates.
struct BatchContext<'a> {
    db: &'a Db,
    conn: &'a mut Option<Conn>,
    head: &'a mut Option<(i64, Hash)>,
    head_tx: &'a watch::Sender<i64>,
    failed: &'a mut Failed,
    foreign: &'a Foreign,
    clock: &'a Clock,
}

async fn write_batch(ctx: BatchContext<'_>, mut batch: Vec<Request>) {
    let BatchContext {
        db,
        conn,
        head,
        head_tx,
        failed,
        foreign,
        clock,
    } = ctx;
    let mut head_retries = 0;
    while !batch.is_empty() {
        let (pos, hash) = match *head {
            Some(h) => h,
            None => match db.head().await {
                Ok(h) => {
                    *head = Some(h);
                    h
                }
                Err(e) => return fail_all(batch, e, failed),
            },
        };
        let prepared = prepare(&batch, pos, hash, clock.now_us());
        foreign.expect_own(prepared.new_head);
        let turn = db.write_turn().await;
        let result = match conn {
            Some(c) => c.append(&prepared).await,
            None => match Conn::acquire(db).await {
                Ok(c) => conn.insert(c).append(&prepared).await,
                Err(e) => Err(e),
            },
        };
        drop(turn);
        if result.is_err() {
            // Possibly broken: let the pool test it and hand out a sound one next time.
            *conn = None;
        }
        // Before any reply: a client told its command committed must find the mark moved.
        foreign.appended(batch.iter().map(|r| r.cmd.aggregate_type.as_str()));
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
                foreign.saw(p);
                *head = Some((p, h));
                head_retries += 1;
                if head_retries > MAX_HEAD_RETRIES {
                    return fail_all(
                        batch,
                        StoreError::Database(
                            "the log head kept moving; giving up this batch".into(),
                        ),
                        failed,
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
                    failed.insert(r.ticket);
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
                // Commands decided on a refused one go with it (they follow it in the batch).
                let mut kept = Vec::with_capacity(batch.len());
                for r in batch {
                    if failed.contains(r.basis) {
                        failed.refuse(r);
                    } else {
                        kept.push(r);
                    }
                }
                batch = kept;
            }
            Err(e) => {
                // The transaction may or may not have committed (a lost reply): forget the
                // cached head; clients retry with their idempotency keys.
                tracing::warn!(error = %e, commands = batch.len(), "append batch failed");
                *head = None;
                return fail_all(batch, e, failed);
            }
        }
    }
}

fn fail_all(batch: Vec<Request>, e: StoreError, failed: &mut Failed) {
    for r in batch {
        failed.insert(r.ticket);
        let _ = r.reply.send(Err(AppendError::Store(e.clone())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewEvent;

    fn request(
        stream: &str,
        expected: i64,
        ticket: u64,
        basis: Option<u64>,
    ) -> (Request, oneshot::Receiver<Result<Appended, AppendError>>) {
        let (reply, rx) = oneshot::channel();
        let cmd = AppendCommand {
            aggregate_type: "Meeting".into(),
            aggregate_id: stream.into(),
            expected_version: expected,
            events: vec![NewEvent {
                event_type: "E".into(),
                event_version: "1".into(),
                payload: "{}".into(),
                metadata: "{}".into(),
            }],
            idempotency_key: Some(format!("k{ticket}")),
            request_hash: String::new(),
            snapshot: None,
        };
        let r = Request {
            cmd,
            ticket: Ticket(ticket),
            basis: basis.map(Ticket),
            reply,
        };
        (r, rx)
    }

    fn tickets(batch: &[Request]) -> Vec<u64> {
        batch.iter().map(|r| r.ticket.0).collect()
    }

    #[test]
    fn a_command_decided_on_a_queued_one_joins_its_batch() {
        let (a, _ra) = request("m", 4, 1, None);
        let (b, _rb) = request("m", 5, 2, Some(1));
        let (c, _rc) = request("other", 0, 3, None);
        let mut pending = VecDeque::from([a, b, c]);
        let batch = take_batch(&mut pending, &mut Failed::default());
        assert_eq!(tickets(&batch), [1, 2, 3]);
        assert!(pending.is_empty());
        let p = prepare(&batch, 10, [0; 32], crate::store::now_us());
        let firsts: Vec<bool> = p.commands.iter().map(|c| c.first_on_stream).collect();
        assert_eq!(firsts, [true, false, true]);
        assert_eq!(p.events[1].stream_version, 6);
    }

    #[test]
    fn a_second_command_on_a_stream_that_does_not_continue_it_waits() {
        let (a, _ra) = request("m", 4, 1, None);
        // Decided on the stored state, not on `a`: it must be checked against the log
        // after `a`, in a later batch.
        let (b, _rb) = request("m", 4, 2, None);
        // Names `a` as basis but does not continue its versions.
        let (c, _rc) = request("m", 7, 3, Some(1));
        let (d, _rd) = request("m", 5, 4, Some(3));
        let mut pending = VecDeque::from([a, b, c, d]);
        let batch = take_batch(&mut pending, &mut Failed::default());
        assert_eq!(tickets(&batch), [1]);
        let waiting: Vec<u64> = pending.iter().map(|r| r.ticket.0).collect();
        assert_eq!(waiting, [2, 3, 4], "queue order kept");
    }

    #[tokio::test]
    async fn commands_decided_on_a_failed_append_are_refused_in_a_chain() {
        let mut failed = Failed::default();
        failed.insert(Ticket(1));
        let (b, rb) = request("m", 5, 2, Some(1));
        let (c, rc) = request("m", 6, 3, Some(2));
        let (d, _rd) = request("n", 0, 4, None);
        let mut pending = VecDeque::from([b, c, d]);
        let batch = take_batch(&mut pending, &mut failed);
        assert_eq!(tickets(&batch), [4]);
        for rx in [rb, rc] {
            assert!(matches!(
                rx.await.unwrap(),
                Err(AppendError::Conflict { .. })
            ));
        }
        assert!(failed.contains(Some(Ticket(3))));
    }

    #[test]
    fn a_command_on_a_waiting_basis_waits_too() {
        let (a, _ra) = request("m", 0, 1, None);
        let (b, _rb) = request("m", 0, 2, None); // waits: stream taken by `a`
        let (c, _rc) = request("m", 1, 3, Some(2)); // decided on `b`, so waits for it
        let mut pending = VecDeque::from([a, b, c]);
        let batch = take_batch(&mut pending, &mut Failed::default());
        assert_eq!(tickets(&batch), [1]);
        assert_eq!(pending.len(), 2);
    }

    #[tokio::test]
    async fn the_writer_waits_briefly_for_a_batch_as_large_as_the_last() {
        let (tx, mut rx) = mpsc::channel(16);
        let (first, _r1) = request("a", 0, 1, None);
        let mut pending = VecDeque::from([first]);
        // The other senders of the last batch come back a moment later.
        let senders = tokio::spawn(async move {
            let mut replies = Vec::new();
            for t in 2..=3 {
                tokio::task::yield_now().await;
                let (r, reply) = request(&format!("s{t}"), 0, t, None);
                replies.push(reply);
                let _ = tx.send(r).await;
            }
            replies
        });
        // The bound is long here so that the test does not depend on the machine's load.
        gather_within(&mut rx, &mut pending, 3, Duration::from_secs(10)).await;
        assert_eq!(tickets(pending.make_contiguous()), [1, 2, 3]);
        drop(senders.await);

        // Nobody else comes: the wait is bounded.
        let started = std::time::Instant::now();
        gather(&mut rx, &mut pending, 10).await;
        assert_eq!(pending.len(), 3);
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn failed_tickets_are_bounded() {
        let mut failed = Failed::default();
        for t in 0..(FAILED_KEPT as u64 + 10) {
            failed.insert(Ticket(t));
        }
        assert_eq!(failed.set.len(), FAILED_KEPT);
        assert!(!failed.contains(Some(Ticket(0))));
        assert!(failed.contains(Some(Ticket(FAILED_KEPT as u64 + 9))));
    }
}
