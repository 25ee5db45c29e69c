//! The event log: one append-only, hash-chained sequence of events on PostgreSQL or SQLite.
//!
//! - [`EventStore`] opens a backend from a URL, runs migrations and owns the single writer.
//! - `writer` batches appends (group commit) and assigns positions and hashes.
//! - `postgres` / `sqlite` hold the backend SQL.
//! - [`repository`] adapts the store to cqrs-es's `PersistedEventRepository`.
//! - [`verify`] walks the chain and names the first damaged position.
//! - [`chain`] is the canonical encoding and hash, shared with the offline verifier.
//! - [`credentials`] keeps bearer-token hashes; [`sql`] runs one SQL text on either backend.

pub mod aggregates;
pub mod attachments;
pub mod chain;
pub mod clock;
pub mod credentials;
pub mod decode;
pub mod import;
pub mod lender;
mod postgres;
pub mod repository;
pub mod sessions;
pub mod sql;
mod sqlite;
pub mod verify;
mod writer;

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use tokio::sync::{mpsc, oneshot, watch};

pub use aggregates::AggregateStore;
pub use chain::Hash;
pub use repository::Repository;

/// The default database: a file next to where the service runs, so a new user needs nothing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://plenary.db";

/// One event as stored in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub position: i64,
    pub event_id: uuid::Uuid,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub stream_version: i64,
    pub event_type: String,
    pub event_version: String,
    /// Canonical JSON text, exactly the bytes that were hashed.
    pub payload: String,
    /// Canonical JSON object of strings: actor, role, on_behalf_of, correlation_id, ...
    pub metadata: String,
    pub recorded_at_us: i64,
    pub prev_hash: Hash,
    pub hash: Hash,
}

impl StoredEvent {
    /// The event's kind, if it is one of `K`'s aggregate type (an event type this Plenary does
    /// not know is `None`, like one of another aggregate).
    pub fn kind<K: crate::domain::EventKind>(&self) -> Option<K> {
        if self.aggregate_type == K::AGGREGATE {
            self.event_type.parse().ok()
        } else {
            None
        }
    }

    /// Recomputes this event's hash from its content and the given predecessor hash.
    pub fn compute_hash(&self, prev: &Hash) -> Hash {
        let id = self.event_id.to_string();
        chain::event_hash(
            prev,
            &chain::HashedFields {
                position: self.position,
                event_id: &id,
                aggregate_type: &self.aggregate_type,
                aggregate_id: &self.aggregate_id,
                stream_version: self.stream_version,
                event_type: &self.event_type,
                event_version: &self.event_version,
                recorded_at_us: self.recorded_at_us,
                payload: &self.payload,
                metadata: &self.metadata,
            },
        )
    }

    /// The payload as JSON. A payload that does not parse is damage, reported with its position.
    pub fn payload_json(&self) -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&self.payload).map_err(|e| StoreError::Corrupt {
            position: self.position,
            reason: format!("payload is not JSON: {e}"),
        })
    }

    pub fn metadata_map(&self) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
        serde_json::from_str(&self.metadata).map_err(|e| StoreError::Corrupt {
            position: self.position,
            reason: format!("metadata is not a JSON object of strings: {e}"),
        })
    }

    pub fn meta(&self, key: &str) -> Option<String> {
        self.metadata_map().ok()?.remove(key)
    }
}

/// One event to append; position, id, time and hash are assigned by the writer.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: String,
    pub event_version: String,
    /// Canonical JSON text (use [`chain::canonical_json`]).
    pub payload: String,
    /// Canonical JSON object text.
    pub metadata: String,
}

/// The events one command produced for one stream: appended all together or not at all.
#[derive(Debug, Clone)]
pub struct AppendCommand {
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// The stream version the command was decided against (0 for a new stream).
    pub expected_version: i64,
    pub events: Vec<NewEvent>,
    /// A retried command with an accepted key gets the original outcome and appends nothing.
    pub idempotency_key: Option<String>,
    /// Fingerprint of the request, so a key reused for a different request is noticed.
    pub request_hash: String,
    /// Aggregate state after these events, stored atomically with them (a cache).
    pub snapshot: Option<String>,
}

/// A stream's latest snapshot (stream version, aggregate JSON), if any, and its events after
/// that version.
pub type LoadedStream = (Option<(i64, String)>, Vec<StoredEvent>);

/// Identifies one queued append, in the order appends were handed to this process's writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticket(pub(crate) u64);

/// What this process knows of other processes' appends, so that a cached aggregate state can
/// be used without reading its stream again when no other process can have written since.
/// Postgres notifications name the last position of every committed batch; those this
/// process did not write are foreign. A notification still on its way is covered by the
/// append's version check (a conflict, and the command is decided again) and, for a refusal,
/// by the bus reading the stream once more before refusing.
#[derive(Default)]
pub(crate) struct Foreign {
    /// Heads of batches this process committed or is committing, until notified.
    own: std::sync::Mutex<HashSet<i64>>,
    /// The newest position another process is known to have appended.
    seen: AtomicI64,
    /// Per aggregate type, how many of this process's appends to its streams have ended
    /// (committed, or failed in a way that may have committed): see `EventStore::mark`.
    appended: std::sync::Mutex<HashMap<String, u64>>,
}

/// Bound on remembered own heads; past it they are forgotten (and their notifications then
/// count as foreign, which only costs a read).
const OWN_HEADS_KEPT: usize = 10_000;

impl Foreign {
    pub(crate) fn expect_own(&self, head: i64) {
        if let Ok(mut own) = self.own.lock() {
            if own.len() >= OWN_HEADS_KEPT {
                own.clear();
            }
            own.insert(head);
        }
    }

    pub(crate) fn notified(&self, head: i64) {
        let ours = self
            .own
            .lock()
            .map(|mut o| o.remove(&head))
            .unwrap_or(false);
        if !ours {
            self.saw(head);
        }
    }

    /// This process's append to streams of these types has ended.
    pub(crate) fn appended<'a>(&self, types: impl IntoIterator<Item = &'a str>) {
        if let Ok(mut m) = self.appended.lock() {
            for t in types {
                match m.get_mut(t) {
                    Some(n) => *n += 1,
                    None => {
                        m.insert(t.to_owned(), 1);
                    }
                }
            }
        }
    }

    /// Another process has appended up to `head` (or may have: used after a reconnect).
    pub(crate) fn saw(&self, head: i64) {
        self.seen.fetch_max(head, Ordering::Relaxed);
    }
}

/// A queued append: durable once [`outcome`](Self::outcome) returns `Ok`.
pub struct PendingAppend {
    pub ticket: Ticket,
    rx: oneshot::Receiver<Result<Appended, AppendError>>,
}

impl PendingAppend {
    pub async fn outcome(self) -> Result<Appended, AppendError> {
        self.rx.await.map_err(|_| StoreError::WriterStopped)?
    }
}

/// Where an accepted command's events landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Appended {
    pub first_position: i64,
    pub last_position: i64,
    pub stream_version: i64,
}

impl Appended {
    pub fn positions(&self) -> Vec<i64> {
        (self.first_position..=self.last_position).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    #[error("stream {stream} is at version {actual}, not {expected}")]
    Conflict {
        stream: String,
        expected: i64,
        actual: i64,
    },
    #[error("idempotency key already accepted")]
    Duplicate {
        original: Appended,
        request_hash: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("cannot reach the database{}: {reason}", if url.is_empty() { String::new() } else { format!(" at {url}") })]
    Unreachable { url: String, reason: String },
    #[error("database error: {0}")]
    Database(String),
    #[error("event at position {position} is damaged: {reason}")]
    Corrupt { position: i64, reason: String },
    #[error("the event writer has stopped")]
    WriterStopped,
    #[error("unsupported database URL '{0}': expected sqlite://… or postgres://…")]
    UnsupportedUrl(String),
}

impl StoreError {
    /// Transient: the database may come back, so the API answers 503 rather than 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::WriterStopped)
    }
}

impl From<sqlx::Error> for StoreError {
    /// Connection trouble (the server is down, restarting, or the pool is exhausted) is
    /// `Unreachable`; anything else is a real fault.
    fn from(e: sqlx::Error) -> Self {
        let transient = match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => true,
            // Postgres: connection exceptions (08xxx), shutdown (57P01-57P03), too many
            // connections (53300); SQLite: busy/locked (5, 6).
            sqlx::Error::Database(db) => db.code().is_some_and(|c| {
                c.starts_with("08") || c.starts_with("57P") || c == "53300" || c == "5" || c == "6"
            }),
            _ => false,
        };
        if transient {
            StoreError::Unreachable {
                url: String::new(),
                reason: e.to_string(),
            }
        } else {
            StoreError::Database(e.to_string())
        }
    }
}

/// The backend connection. Everything above `store` is written against [`EventStore`].
#[derive(Clone, Debug)]
pub enum Db {
    Postgres {
        pool: PgPool,
        schema: String,
        /// Single queries go through this, not the pool (see `lender`).
        lender: lender::Lender,
    },
    Sqlite(SqlitePool, Arc<SqliteWrites>),
}

/// How this process writes to SQLite besides the pool's autocommitted statements.
#[derive(Debug)]
pub struct SqliteWrites {
    /// SQLite takes one writer at a time, and its busy handler retries by sleeping: with the
    /// event writer committing batch after batch under load, the projector's
    /// `BEGIN IMMEDIATE` kept missing the gaps and its views fell over a second behind. This
    /// process's writers take turns here instead, in the order they asked (tokio's mutex is
    /// fair).
    gate: Arc<tokio::sync::Mutex<()>>,
    /// Connections for derived data (the projections' transactions), with
    /// `synchronous=NORMAL`: their commits are atomic but not synced one by one. The log's
    /// own commits stay `FULL`, and syncing the WAL for one syncs every commit before it. A
    /// projection commit lost to a power cut takes its checkpoint with it, so the projector
    /// applies those events again. Syncing each of them as well cost about a tenth of the
    /// mixed load's throughput (docs/PERFORMANCE.md, session 16).
    derived: SqlitePool,
}

impl Db {
    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Postgres { .. } => "postgres",
            Db::Sqlite(..) => "sqlite",
        }
    }

    /// This process's turn to write, held until the write commits or rolls back. Only
    /// SQLite needs one: Postgres writers wait on row locks, in order.
    pub async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self {
            Db::Postgres { .. } => None,
            Db::Sqlite(_, w) => Some(w.gate.clone().lock_owned().await),
        }
    }
}

/// The event log. Cheap to clone; all clones share one writer.
#[derive(Clone)]
pub struct EventStore {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    clock: clock::Clock,
    url: String,
    writer: mpsc::Sender<writer::Request>,
    tickets: AtomicU64,
    foreign: Arc<Foreign>,
    head: watch::Receiver<i64>,
}

/// Hides the password in a database URL so it can be logged and shown in errors.
pub fn redact_url(url: &str) -> String {
    match url::parse_userinfo(url) {
        Some((before, user, after)) => format!("{before}{user}:***@{after}"),
        None => url.to_owned(),
    }
}

mod url {
    /// Splits `scheme://user:password@rest` into parts, if a password is present.
    pub fn parse_userinfo(url: &str) -> Option<(&str, &str, &str)> {
        let scheme_end = url.find("://")? + 3;
        let rest = &url[scheme_end..];
        let at = rest.find('@')?;
        let userinfo = &rest[..at];
        let colon = userinfo.find(':')?;
        Some((&url[..scheme_end], &userinfo[..colon], &rest[at + 1..]))
    }
}

impl EventStore {
    /// Opens the database named by `url`, runs migrations and starts the writer.
    #[tracing::instrument(skip_all, fields(url = %redact_url(url)))]
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_postgres(url, None).await
        } else if url.starts_with("sqlite:") {
            Self::open_sqlite(url).await
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    /// Opens Postgres with every table in `schema` (created if missing). Tests use one schema
    /// each so they can run in parallel.
    pub async fn open_postgres(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let unreachable = |e: &dyn std::fmt::Display| StoreError::Unreachable {
            url: redact_url(url),
            reason: e.to_string(),
        };
        let mut opts = PgConnectOptions::from_str(url).map_err(|e| unreachable(&e))?;
        if let Some(schema) = schema {
            let admin = PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts.clone())
                .await
                .map_err(|e| unreachable(&e))?;
            sqlx::query(&format!("create schema if not exists \"{schema}\""))
                .execute(&admin)
                .await?;
            admin.close().await;
            opts = opts.options([("search_path", schema)]);
        }
        // sqlx already pings a connection when it is given back; pinging it again when it is
        // taken cost a round trip per query. A connection that died while idle fails its
        // query with a connection error, which is a 503 the client retries.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(|e| unreachable(&e))?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(format!("migration failed: {e}")))?;
        let schema: String = sqlx::query_scalar("select current_schema()")
            .fetch_one(&pool)
            .await?;
        let lender = lender::Lender::new(pool.clone());
        Self::start(
            Db::Postgres {
                pool,
                schema,
                lender,
            },
            url,
        )
        .await
    }

    pub async fn open_sqlite(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unreachable {
                url: url.to_owned(),
                reason: e.to_string(),
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before the API answers 2xx (NORMAL is not, in WAL mode).
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let unreachable = |e: sqlx::Error| StoreError::Unreachable {
            url: url.to_owned(),
            reason: e.to_string(),
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(opts.clone())
            .await
            .map_err(unreachable)?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(format!("migration failed: {e}")))?;
        let derived = SqlitePoolOptions::new()
            .max_connections(2)
            .test_before_acquire(false)
            .connect_with(opts.synchronous(SqliteSynchronous::Normal))
            .await
            .map_err(unreachable)?;
        let writes = SqliteWrites {
            gate: Default::default(),
            derived,
        };
        Self::start(Db::Sqlite(pool, Arc::new(writes)), url).await
    }

    async fn start(db: Db, url: &str) -> Result<Self, StoreError> {
        let (head_pos, _) = db.head().await?;
        let (head_tx, head) = watch::channel(head_pos);
        let foreign = Arc::new(Foreign::default());
        let clock = clock::Clock::default();
        let writer = writer::spawn(db.clone(), head_tx.clone(), foreign.clone(), clock.clone());
        if let Db::Postgres { pool, schema, .. } = &db {
            postgres::spawn_listener(pool.clone(), schema.clone(), head_tx, foreign.clone());
        }
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                clock,
                url: redact_url(url),
                writer,
                tickets: AtomicU64::new(1),
                foreign,
                head,
            }),
        })
    }

    /// The clock the log stamps events with (the server's, unless a scenario is loading).
    pub fn clock(&self) -> &clock::Clock {
        &self.inner.clock
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The database URL with any password hidden.
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// Appends one command's events atomically. Durable when this returns `Ok`.
    #[tracing::instrument(skip_all, fields(stream = %cmd.aggregate_id, events = cmd.events.len()))]
    pub async fn append(&self, cmd: AppendCommand) -> Result<Appended, AppendError> {
        self.enqueue(cmd, None).await?.outcome().await
    }

    /// Hands a command to the writer and returns at once: the append is queued, in order,
    /// but not yet durable; [`PendingAppend::outcome`] waits for the commit.
    ///
    /// `basis` is the ticket of a queued append whose not-yet-durable result this command was
    /// decided on (speculation, see docs/adr/0010). The writer refuses it with a conflict if
    /// that append fails, so nothing is ever committed on top of a state that never existed.
    pub async fn enqueue(
        &self,
        cmd: AppendCommand,
        basis: Option<Ticket>,
    ) -> Result<PendingAppend, AppendError> {
        let (reply, rx) = oneshot::channel();
        let ticket = Ticket(self.inner.tickets.fetch_add(1, Ordering::Relaxed));
        self.inner
            .writer
            .send(writer::Request {
                cmd,
                ticket,
                basis,
                reply,
            })
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        Ok(PendingAppend { ticket, rx })
    }

    /// The newest position another process is known to have appended (0 if none).
    pub fn foreign_seen(&self) -> i64 {
        self.inner.foreign.seen.load(Ordering::Relaxed)
    }

    /// A mark that changes once this process has appended to a stream of `aggregate_type`,
    /// or another process is seen to append anything. While it is unchanged, what a read
    /// found in such streams is still all there is, up to another process's append whose
    /// notification is still on its way (the lag ADR 5 accepts for reads).
    pub fn mark(&self, aggregate_type: &str) -> (u64, i64) {
        let own = self
            .inner
            .foreign
            .appended
            .lock()
            .ok()
            .and_then(|m| m.get(aggregate_type).copied())
            .unwrap_or(0);
        (own, self.foreign_seen())
    }

    /// The last committed position this process knows of (own appends and notifications).
    pub fn head(&self) -> i64 {
        *self.inner.head.borrow()
    }

    /// Wakes when the head moves; subscribers then read from their own checkpoint.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.inner.head.clone()
    }

    /// The head as the database has it now (also a readiness probe).
    pub async fn head_from_db(&self) -> Result<(i64, Hash), StoreError> {
        self.inner.db.head().await
    }

    /// Events of one stream with `stream_version > after_version`, in order.
    pub async fn read_stream(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        after_version: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.inner
            .db
            .read_stream(aggregate_type, aggregate_id, after_version)
            .await
    }

    /// Up to `limit` events with `position > after`, in order, with no gaps.
    pub async fn read_all(&self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        self.inner.db.read_all(after, limit).await
    }

    /// The outcome recorded for an accepted idempotency key, if any.
    pub async fn idempotency(&self, key: &str) -> Result<Option<(Appended, String)>, StoreError> {
        self.inner.db.idempotency(key).await
    }

    /// The latest snapshot of a stream and the events after it: what loading an aggregate
    /// needs, in one round trip on Postgres.
    pub async fn load_stream(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<LoadedStream, StoreError> {
        match &self.inner.db {
            Db::Postgres { lender, .. } => {
                let rows: Vec<postgres::LoadRow> = crate::with_lent!(lender, c => sqlx::query_as(postgres::LOAD_SQL)
                    .bind(aggregate_type)
                    .bind(aggregate_id)
                    .fetch_all(c)
                    .await)?;
                postgres::loaded(rows)
            }
            // In process: two queries cost no round trip.
            Db::Sqlite(..) => {
                let snapshot = self.snapshot(aggregate_type, aggregate_id).await?;
                let after = snapshot.as_ref().map_or(0, |(v, _)| *v);
                let events = self
                    .read_stream(aggregate_type, aggregate_id, after)
                    .await?;
                Ok((snapshot, events))
            }
        }
    }

    /// The latest snapshot of a stream: (stream version, aggregate JSON).
    pub async fn snapshot(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        self.inner.db.snapshot(aggregate_type, aggregate_id).await
    }

    /// Current version of a stream (0 if it has no events).
    pub async fn stream_version(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<i64, StoreError> {
        self.inner
            .db
            .stream_version(aggregate_type, aggregate_id)
            .await
    }

    /// Checks the whole chain; see [`verify`].
    pub async fn verify(&self) -> Result<verify::Report, StoreError> {
        verify::verify_store(self).await
    }

    pub async fn close(&self) {
        match &self.inner.db {
            Db::Postgres { pool, lender, .. } => {
                lender.release_all();
                pool.close().await
            }
            Db::Sqlite(pool, w) => {
                w.derived.close().await;
                pool.close().await
            }
        }
    }
}

impl Db {
    async fn head(&self) -> Result<(i64, Hash), StoreError> {
        let (pos, hash): (i64, Vec<u8>) = crate::with_pool!(self, p => sqlx::query_as(
            "select position, hash from log_head where id = 1")
            .fetch_one(p).await)?;
        Ok((pos, to_hash(hash, pos)?))
    }

    async fn read_stream(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        after_version: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        const SQL: &str = "select position, event_id, aggregate_type, aggregate_id, stream_version, event_type, event_version, payload, metadata, recorded_at_us, prev_hash, hash
             from events where aggregate_type = $1 and aggregate_id = $2 and stream_version > $3 order by stream_version";
        match self {
            Db::Postgres { lender, .. } => {
                let rows: Vec<postgres::Row> = crate::with_lent!(lender, c => sqlx::query_as(SQL)
                    .bind(aggregate_type)
                    .bind(aggregate_id)
                    .bind(after_version)
                    .fetch_all(c)
                    .await)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
            Db::Sqlite(pool, _) => {
                let rows: Vec<sqlite::Row> = sqlx::query_as(SQL)
                    .bind(aggregate_type)
                    .bind(aggregate_id)
                    .bind(after_version)
                    .fetch_all(pool)
                    .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    }

    async fn read_all(&self, after: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        const SQL: &str = "select position, event_id, aggregate_type, aggregate_id, stream_version, event_type, event_version, payload, metadata, recorded_at_us, prev_hash, hash
             from events where position > $1 order by position limit $2";
        match self {
            Db::Postgres { lender, .. } => {
                let rows: Vec<postgres::Row> = crate::with_lent!(lender, c => sqlx::query_as(SQL)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(c)
                    .await)?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
            Db::Sqlite(pool, _) => {
                let rows: Vec<sqlite::Row> = sqlx::query_as(SQL)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    }

    async fn idempotency(&self, key: &str) -> Result<Option<(Appended, String)>, StoreError> {
        const SQL: &str = "select first_position, last_position, stream_version, request_hash from idempotency where key = $1";
        let row: Option<(i64, i64, i64, String)> =
            crate::with_pool!(self, p => sqlx::query_as(SQL).bind(key).fetch_optional(p).await)?;
        Ok(row.map(|(f, l, v, h)| {
            (
                Appended {
                    first_position: f,
                    last_position: l,
                    stream_version: v,
                },
                h,
            )
        }))
    }

    async fn snapshot(&self, t: &str, id: &str) -> Result<Option<(i64, String)>, StoreError> {
        const SQL: &str = "select stream_version, payload from snapshots where aggregate_type = $1 and aggregate_id = $2";
        Ok(
            crate::with_pool!(self, p => sqlx::query_as(SQL).bind(t).bind(id).fetch_optional(p).await)?,
        )
    }

    async fn stream_version(&self, t: &str, id: &str) -> Result<i64, StoreError> {
        const SQL: &str = "select coalesce(max(stream_version), 0) from events where aggregate_type = $1 and aggregate_id = $2";
        Ok(
            crate::with_pool!(self, p => sqlx::query_scalar(SQL).bind(t).bind(id).fetch_one(p).await)?,
        )
    }
}

fn to_hash(bytes: Vec<u8>, position: i64) -> Result<Hash, StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt {
        position,
        reason: "hash is not 32 bytes".into(),
    })
}

/// Microseconds since the Unix epoch, from the server clock.
pub fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/plenary"),
            "postgres://app:***@db:5432/plenary"
        );
        assert_eq!(
            redact_url("postgres://app@db/plenary"),
            "postgres://app@db/plenary"
        );
        assert_eq!(redact_url("sqlite://plenary.db"), "sqlite://plenary.db");
    }
}
