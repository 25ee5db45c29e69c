//! The application: every command, read and permission, once, for every front end (the JSON
//! API, the web pages, the CLI and the demo loader).
//!
//! - [`access`]: roles, scopes and the [`access::Principal`] acting.
//! - [`refusal`]: [`refusal::Refusal`], why a request was refused, for every front end.
//! - [`commands`]: a command as sent (name and fields) and who may send it.
//! - [`bodies`], [`meetings`], [`amendments`], [`frameworks`]: one service per kind of record:
//!   it checks the command, who sends it, supplies the server's facts and runs it.
//! - [`permissions`]: who may send each command, one exhaustive `match` per kind of record.
//! - [`credentials`]: credentials issued, listed and revoked (tokens stored as hashes).
//! - [`contacts`]: each State's national points of contact and the secretariat's pings.
//! - [`annex`]: the annex of regional initiatives. [`documents`]: the document registry.
//!   [`funds`]: funding ledgers. [`reporting`]: reporting cycles and who is due or overdue.
//! - [`search`]: full-text search of submissions, as the reader may read them.
//! - [`report`]: a meeting's report, generated from the log. [`as_of`]: the record as of a
//!   moment, folded from the log with the live read models' code.
//! - [`submissions`]: national reports, positions, views and stakeholders' papers.
//! - [`capacity`]: capacity-building requests, offers, suggested pairs and matches.
//! - [`participation`]: participation and gender figures across meetings and years.
//! - [`room`]: the typed read model of a meeting in the room (console, screen, desk).
//! - [`meeting_reads`]: a meeting's other reads as typed read models (its state, agenda,
//!   participation figures, quorum, the meeting list) and who may see its personal data.
//!   [`register`]: the decisions register's query. [`amendments`] and [`frameworks`] hold
//!   their reads too (the board's cards, a version's diff).
//! - [`live`]: the live feed of new events that every open screen follows.
//! - [`history`]: frameworks as of any moment. [`reactor`], [`accreditation`], [`periodic`]:
//!   what the system does by itself after an event or as time passes.
//! - [`App`] wires the store, the aggregates under `CqrsFramework` and the projector.

pub mod access;
pub mod accreditation;
pub mod amendments;
pub mod annex;
pub mod as_of;
pub mod bodies;
pub mod capacity;
pub mod commands;
pub mod contacts;
pub mod credentials;
pub mod documents;
pub mod frameworks;
pub mod funds;
pub mod history;
pub mod live;
mod meeting_reactions;
pub mod meeting_reads;
pub mod meetings;
pub mod participation;
pub mod periodic;
pub mod permissions;
pub mod reactor;
pub mod refusal;
pub mod register;
pub mod report;
pub mod reporting;
pub mod room;
pub mod search;
pub mod submissions;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use cqrs_es::{Aggregate, AggregateError, CqrsFramework};
use serde::Serialize;

use crate::domain::amendment::Amendment;
use crate::domain::annex::Annex;
use crate::domain::body::Body;
use crate::domain::capacity::{AssistanceOffer, AssistanceRequest};
use crate::domain::contacts::PointsOfContact;
use crate::domain::documents::DocumentRegistry;
use crate::domain::framework::Framework;
use crate::domain::fund::Fund;
use crate::domain::meeting::Meeting;
use crate::domain::reporting::ReportingSchedule;
use crate::domain::submission::Submission;
use crate::projections::decisions::DecisionsRegister;
use crate::projections::docs::Docs;
use crate::projections::meetings::MeetingList;
use crate::projections::runner::Projector;
use crate::projections::state_view::StateView;
use crate::projections::{audit::AuditLog, Projection};
use crate::store::repository::{meta, PersistOutcome, StaleVersion};
use crate::store::{AggregateStore, Appended, EventStore, Repository, StoreError};

/// Who is acting and why: recorded in every event's metadata.
#[derive(Debug, Clone, Default)]
pub struct CommandContext {
    pub actor: String,
    pub role: String,
    /// The State a delegate acts for.
    pub on_behalf_of: Option<String>,
    pub correlation_id: String,
    pub causation_id: Option<String>,
    /// Client-chosen key; a retry with the same key gets the original outcome.
    pub idempotency_key: Option<String>,
    /// Fingerprint of the request, to notice a key reused for a different request.
    pub request_hash: String,
    /// The stream version the client acted on (If-Match).
    pub expected_version: Option<i64>,
}

impl CommandContext {
    /// A context for commands issued by the system itself (demo loader, process managers).
    pub fn system(actor: &str, role: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            role: role.to_owned(),
            correlation_id: uuid::Uuid::now_v7().to_string(),
            ..Default::default()
        }
    }
}

/// Where a command's events landed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CommandReceipt {
    /// Global positions of the appended events (empty if the command changed nothing).
    pub positions: Vec<i64>,
    /// The stream's version after the command.
    pub stream_version: Option<i64>,
    /// True when this is the recorded outcome of an earlier request with the same key.
    pub replayed: bool,
}

impl CommandReceipt {
    fn from(a: Appended, replayed: bool) -> Self {
        Self {
            positions: a.positions(),
            stream_version: Some(a.stream_version),
            replayed,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    /// The domain refused the command (a rule of procedure, bad state).
    #[error(transparent)]
    Rejected(E),
    #[error("the stream is at version {actual}, but the request expected version {expected}")]
    StaleVersion { expected: i64, actual: i64 },
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    #[error("another process kept changing this record; try again")]
    Conflict,
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl<E: std::error::Error> From<StoreError> for CommandError<E> {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            CommandError::Unavailable(e.to_string())
        } else {
            CommandError::Internal(e.to_string())
        }
    }
}

/// Serialises the deciding of commands per aggregate within this process, so clients of one
/// instance never see conflicts caused by each other. A command holds its lock from loading
/// the aggregate until its events are queued, not until they commit: the next command is
/// decided on the queued result meanwhile (docs/adr/0010). Striped: a fixed set of locks, so
/// no map to clean up.
struct StripedLocks(Vec<Arc<tokio::sync::Mutex<()>>>);

impl StripedLocks {
    fn new(n: usize) -> Self {
        Self(
            (0..n)
                .map(|_| Arc::new(tokio::sync::Mutex::new(())))
                .collect(),
        )
    }

    async fn lock(&self, kind: &str, id: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (kind, id).hash(&mut h);
        self.0[(h.finish() % self.0.len() as u64) as usize]
            .clone()
            .lock_owned()
            .await
    }
}

/// A command's hold on its aggregate's lock (see [`Repository::hold`]), released when dropped
/// unless the repository's `append` released it first.
struct Hold<'a> {
    repo: &'a Repository,
    key: &'a str,
    hold: u64,
}

impl<'a> Hold<'a> {
    fn new(repo: &'a Repository, key: &'a str, guard: tokio::sync::OwnedMutexGuard<()>) -> Self {
        let hold = repo.hold(key, guard);
        Self { repo, key, hold }
    }
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        self.repo.release(self.key, self.hold);
    }
}

/// Drops whatever outcome `append` recorded under a key, when the request ends in any way.
struct ForgetOutcome<'a>(&'a Repository, &'a str);

impl Drop for ForgetOutcome<'_> {
    fn drop(&mut self) {
        self.0.take_outcome(self.1);
    }
}

/// Attempts at a command when another process wrote to the same stream in between; each
/// attempt reloads the aggregate and decides again.
const CONFLICT_ATTEMPTS: usize = 5;

/// Runs one aggregate type's commands under `CqrsFramework` on our repository.
pub struct CommandBus<A: Aggregate + Clone + 'static> {
    cqrs: CqrsFramework<A, AggregateStore<A>>,
    repo: Repository,
    locks: Arc<StripedLocks>,
}

impl<A> CommandBus<A>
where
    A: Aggregate + Clone + 'static,
    A::Command: Clone,
    A::Error: std::error::Error,
{
    /// A bus with its own locks, for an aggregate outside [`App`] (tests, tools).
    pub fn standalone(repo: Repository, services: A::Services) -> Self {
        Self::new(repo, services, Arc::new(StripedLocks::new(64)))
    }

    fn new(repo: Repository, services: A::Services, locks: Arc<StripedLocks>) -> Self {
        Self {
            cqrs: CqrsFramework::new(AggregateStore::new(repo.clone()), vec![], services),
            repo,
            locks,
        }
    }

    #[tracing::instrument(skip_all, fields(aggregate = A::TYPE, id = %id, actor = %ctx.actor, role = %ctx.role))]
    pub async fn execute(
        &self,
        id: &str,
        command: A::Command,
        ctx: &CommandContext,
    ) -> Result<CommandReceipt, CommandError<A::Error>> {
        // Keys are scoped to the actor, so two clients cannot collide on a key by accident.
        let key = match &ctx.idempotency_key {
            Some(k) => format!("{}:{k}", ctx.actor),
            None => format!("auto:{}", uuid::Uuid::now_v7()),
        };
        if let Some(recorded) = self.recorded(&key, ctx).await? {
            return recorded;
        }
        let mut metadata = HashMap::from([
            (meta::ACTOR.to_owned(), ctx.actor.clone()),
            (meta::ROLE.to_owned(), ctx.role.clone()),
            (meta::CORRELATION_ID.to_owned(), ctx.correlation_id.clone()),
            (meta::IDEMPOTENCY_KEY.to_owned(), key.clone()),
            (meta::REQUEST_HASH.to_owned(), ctx.request_hash.clone()),
        ]);
        if let Some(s) = &ctx.on_behalf_of {
            metadata.insert(meta::ON_BEHALF_OF.to_owned(), s.clone());
        }
        if let Some(c) = &ctx.causation_id {
            metadata.insert(meta::CAUSATION_ID.to_owned(), c.clone());
        }
        if let Some(v) = ctx.expected_version {
            metadata.insert(meta::EXPECTED_VERSION.to_owned(), v.to_string());
        }
        if ctx.idempotency_key.is_none() {
            metadata.insert(meta::GENERATED_KEY.to_owned(), "true".to_owned());
        }
        let slot = uuid::Uuid::now_v7().to_string();
        metadata.insert(meta::OUTCOME_SLOT.to_owned(), slot.clone());

        // An outcome recorded for a request that is then cancelled is not left behind.
        let _outcome = ForgetOutcome(&self.repo, &slot);
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            let guard = self.locks.lock(A::TYPE, id).await;
            // A request with the same key may be committing, or have completed, while this one
            // waited for the lock: its outcome is this request's outcome (deciding again would
            // run the command against the state it produced).
            if let Some(settled) = self.repo.in_flight(&key) {
                drop(guard);
                settled.await;
                if let Some(recorded) = self.recorded(&key, ctx).await? {
                    return recorded;
                }
                continue;
            }
            // One that settled since the check above is caught after deciding: a refusal
            // looks the key up again, and an append with the key is refused as a duplicate
            // by the log, which returns the original outcome.
            attempt += 1;
            // `append` releases the lock once the events are queued; otherwise `hold` does,
            // here or when a cancelled request drops this future.
            let hold = Hold::new(&self.repo, &key, guard);
            let result = self
                .cqrs
                .execute_with_metadata(id, command.clone(), metadata.clone())
                .await;
            drop(hold);
            let refusal = match result {
                Ok(()) => break,
                Err(AggregateError::AggregateConflict)
                    if ctx.expected_version.is_none() && attempt < CONFLICT_ATTEMPTS =>
                {
                    tracing::debug!(attempt, "stream changed by another process; deciding again");
                    continue;
                }
                Err(AggregateError::AggregateConflict) => match ctx.expected_version {
                    Some(expected) => CommandError::StaleVersion {
                        expected,
                        actual: self.repo.store().stream_version(A::TYPE, id).await?,
                    },
                    None => CommandError::Conflict,
                },
                // Decided on a cached state: another process may have appended since, so
                // read the stream once more and, if it moved, decide again.
                Err(AggregateError::UserError(e)) => {
                    if !refreshed && self.repo.refresh::<A>(id).await.unwrap_or(false) {
                        refreshed = true;
                        continue;
                    }
                    CommandError::Rejected(e)
                }
                Err(AggregateError::UnexpectedError(e)) => match e.downcast_ref::<StaleVersion>() {
                    Some(s) => CommandError::StaleVersion {
                        expected: s.expected,
                        actual: s.actual,
                    },
                    None => return Err(CommandError::Internal(e.to_string())),
                },
                Err(AggregateError::DatabaseConnectionError(e)) => {
                    return Err(CommandError::Unavailable(e.to_string()))
                }
                Err(AggregateError::DeserializationError(e)) => {
                    return Err(CommandError::Internal(e.to_string()))
                }
            };
            // Refused by the domain or by a version conflict: another process may have
            // accepted this very request (same key) in between, and then that is the outcome.
            return match self.recorded(&key, ctx).await? {
                Some(recorded) => recorded,
                None => Err(refusal),
            };
        }
        match self.repo.take_outcome(&slot) {
            Some(PersistOutcome::Appended(a)) => Ok(CommandReceipt::from(a, false)),
            Some(PersistOutcome::Duplicate {
                original,
                request_hash,
            }) if request_hash == ctx.request_hash => Ok(CommandReceipt::from(original, true)),
            Some(PersistOutcome::Duplicate { .. }) => Err(CommandError::KeyReused),
            // Nothing to append: unless this key was accepted before (a retry arriving after
            // the original settled), the command simply changed nothing.
            None => match self.recorded(&key, ctx).await? {
                Some(recorded) => recorded,
                None => Ok(CommandReceipt {
                    positions: vec![],
                    stream_version: None,
                    replayed: false,
                }),
            },
        }
    }

    /// The recorded outcome of an earlier request with this key, if the client sent a key
    /// and it was accepted: the original receipt, or `KeyReused` for a different request.
    async fn recorded(
        &self,
        key: &str,
        ctx: &CommandContext,
    ) -> Result<Option<Result<CommandReceipt, CommandError<A::Error>>>, CommandError<A::Error>>
    {
        if ctx.idempotency_key.is_none() {
            return Ok(None);
        }
        Ok(self
            .repo
            .store()
            .idempotency(key)
            .await?
            .map(|(original, hash)| {
                if hash == ctx.request_hash {
                    Ok(CommandReceipt::from(original, true))
                } else {
                    Err(CommandError::KeyReused)
                }
            }))
    }

    /// The aggregate's current state, loaded from the log (snapshot plus catch-up).
    pub async fn load(&self, id: &str) -> Result<(A, i64), CommandError<A::Error>> {
        self.state(id, false).await
    }

    /// The state the next command on this aggregate would be decided on: the cached state
    /// while no other process is known to have appended since, else the log's. For checks
    /// made just before a command, which is decided on the same state and whose append
    /// fails its version check if the log has moved.
    pub async fn peek(&self, id: &str) -> Result<(A, i64), CommandError<A::Error>> {
        self.state(id, true).await
    }

    async fn state(&self, id: &str, trust_cache: bool) -> Result<(A, i64), CommandError<A::Error>> {
        match self.repo.current_state::<A>(id, trust_cache).await {
            Ok(Some(known)) => Ok((known.state, known.version)),
            Ok(None) => Ok((A::default(), 0)),
            Err(cqrs_es::persist::PersistenceError::ConnectionError(e)) => {
                Err(CommandError::Unavailable(e.to_string()))
            }
            Err(e) => Err(CommandError::Internal(e.to_string())),
        }
    }
}

/// Runtime settings shared by the API.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `/ready` fails when projections are more than this many events behind the log.
    pub ready_max_lag: i64,
    /// How long a read with a minimum position waits for projections to reach it.
    pub read_wait: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            ready_max_lag: 1_000,
            read_wait: Duration::from_secs(3),
        }
    }
}

/// Everything the service needs, built once at start-up.
pub struct App {
    pub store: EventStore,
    pub repo: Repository,
    pub projector: Arc<Projector>,
    /// Each framework's past states, for "as of" reads and amendments' base text.
    pub frameworks_as_of: history::FrameworkHistories,
    pub settings: Settings,
    pub frameworks: CommandBus<Framework>,
    pub amendments: CommandBus<Amendment>,
    pub bodies: CommandBus<Body>,
    pub meetings: CommandBus<Meeting>,
    /// Each State's national points of contact.
    pub contacts: CommandBus<PointsOfContact>,
    /// Each body's registry of documents and symbols.
    pub documents: CommandBus<DocumentRegistry>,
    /// What States and stakeholders file.
    pub submissions: CommandBus<Submission>,
    /// Capacity-building requests (with their matches) and offers.
    pub requests: CommandBus<AssistanceRequest>,
    pub offers: CommandBus<AssistanceOffer>,
    /// Each body's annex of regional initiatives.
    pub annexes: CommandBus<Annex>,
    /// Each body's reporting schedule.
    pub reporting: CommandBus<ReportingSchedule>,
    /// Funding ledgers.
    pub funds: CommandBus<Fund>,
    /// New events for every open screen, read from the log once.
    pub live: live::Live,
    /// The reactor's saved checkpoint, announced each time it saves it (at once after a
    /// reaction): what waits for a decided adoption to be applied wakes on it.
    pub reactor_saved: tokio::sync::watch::Sender<i64>,
}

impl App {
    /// Opens the database and builds the command buses and projections (not yet running).
    pub async fn open(url: &str, settings: Settings) -> Result<Arc<App>, StoreError> {
        let store = EventStore::open(url).await?;
        Ok(Self::with_store(store, settings))
    }

    pub fn with_store(store: EventStore, settings: Settings) -> Arc<App> {
        let repo = Repository::new(store.clone());
        let locks = Arc::new(StripedLocks::new(1024));
        let projector = Projector::new(store.clone(), all_projections());
        Arc::new(App {
            frameworks: CommandBus::new(repo.clone(), (), locks.clone()),
            amendments: CommandBus::new(repo.clone(), (), locks.clone()),
            bodies: CommandBus::new(repo.clone(), (), locks.clone()),
            meetings: CommandBus::new(repo.clone(), (), locks.clone()),
            contacts: CommandBus::new(repo.clone(), (), locks.clone()),
            documents: CommandBus::new(repo.clone(), (), locks.clone()),
            submissions: CommandBus::new(repo.clone(), (), locks.clone()),
            requests: CommandBus::new(repo.clone(), (), locks.clone()),
            offers: CommandBus::new(repo.clone(), (), locks.clone()),
            annexes: CommandBus::new(repo.clone(), (), locks.clone()),
            reporting: CommandBus::new(repo.clone(), (), locks.clone()),
            funds: CommandBus::new(repo.clone(), (), locks),
            live: live::Live::new(store.clone()),
            reactor_saved: tokio::sync::watch::channel(0).0,
            store,
            repo,
            projector,
            frameworks_as_of: Default::default(),
            settings,
        })
    }
}

/// Every projection the service maintains, in the order they are applied.
pub fn all_projections() -> Vec<Arc<dyn Projection>> {
    vec![
        Arc::new(AuditLog),
        Arc::new(crate::projections::search::Search),
        Arc::new(Docs(StateView::<Body>::default())),
        Arc::new(Docs(StateView::<Meeting>::default())),
        Arc::new(Docs(StateView::<Amendment>::default())),
        Arc::new(Docs(StateView::<Framework>::default())),
        Arc::new(Docs(StateView::<PointsOfContact>::default())),
        Arc::new(Docs(StateView::<DocumentRegistry>::default())),
        Arc::new(Docs(StateView::<Submission>::default())),
        Arc::new(Docs(StateView::<AssistanceRequest>::default())),
        Arc::new(Docs(StateView::<AssistanceOffer>::default())),
        Arc::new(Docs(StateView::<Annex>::default())),
        Arc::new(Docs(StateView::<ReportingSchedule>::default())),
        Arc::new(Docs(StateView::<Fund>::default())),
        Arc::new(Docs(DecisionsRegister)),
        Arc::new(Docs(MeetingList)),
        Arc::new(Docs(crate::projections::floor::MeetingFloor)),
    ]
}
