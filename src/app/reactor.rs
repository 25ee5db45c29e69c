//! The procedure's process manager: what must follow from an event in another aggregate.
//!
//! - A consensus decision adopting an amendment marks the amendment adopted and applies it to
//!   the framework, producing a new framework version linked to the decision.
//! - "No consensus" on an amendment marks it not adopted.
//! - A new framework version rebases every open amendment that still applies cleanly, and
//!   marks the others in conflict.
//!
//! It follows the log from its own checkpoint. Every command it issues carries an idempotency
//! key derived from the triggering event, so re-running after a crash (or two server processes
//! reacting to the same event) appends nothing twice: an adopted amendment is applied to the
//! framework exactly once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::history::{framework_at, Cut};
use super::{App, CommandContext, CommandError};
use crate::domain::amendment::{Amendment, AmendmentCommand, AmendmentStatus};
use crate::domain::framework::{check_applies, FrameworkEvent};
use crate::projections::{docs, state_view};
use crate::store::{StoreError, StoredEvent};
use crate::with_pool;

pub const NAME: &str = "reactor";
const PAGE: i64 = 500;

pub struct Reactor {
    app: Arc<App>,
    progress: tokio::sync::Mutex<Progress>,
}

/// How far this reactor has reacted, and how far the stored checkpoint says. Only the
/// reactor's own steps move them, so the stored one is read once, not on every step.
#[derive(Default)]
struct Progress {
    /// `None` until the stored checkpoint has been read (and again after a failed step).
    done: Option<i64>,
    saved: i64,
    saved_at: Option<std::time::Instant>,
}

/// The stored checkpoint may trail the reactor's progress by this much, so a busy log costs
/// one query per page of events, not three. Reacting twice is harmless (every reaction's
/// idempotency key comes from its event), and a reaction is saved at once (see `step`).
const SAVE_EVERY: Duration = Duration::from_secs(1);

/// Why a reaction could not be completed now (and will be retried).
#[derive(Debug, thiserror::Error)]
pub enum ReactError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Unavailable(String),
}

impl<E: std::error::Error> From<CommandError<E>> for ReactError {
    fn from(e: CommandError<E>) -> Self {
        ReactError::Unavailable(e.to_string())
    }
}

/// How far the reactor (of any instance) has reacted: every event up to here has had its
/// consequences recorded.
pub async fn checkpoint(store: &crate::store::EventStore) -> Result<i64, StoreError> {
    let found: Option<i64> = with_pool!(store.db(), p =>
        sqlx::query_scalar("select position from projection_checkpoints where name = $1")
            .bind(NAME).fetch_optional(p).await)?;
    Ok(found.unwrap_or(0))
}

/// Adoptions of amendments decided but not yet applied to a framework by the reactor: the
/// framework's text is about to change, so nothing should be checked against it yet.
pub async fn pending_adoptions(
    store: &crate::store::EventStore,
) -> Result<Vec<(i64, String)>, StoreError> {
    use crate::domain::meeting::{DecisionKind, MeetingEvent};
    let mut after = checkpoint(store).await?;
    let mut pending = Vec::new();
    loop {
        let page = store.read_all(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for e in &page {
            if e.kind() != Some(crate::domain::meeting::MeetingEventKind::DecisionTaken) {
                continue;
            }
            if let Ok(MeetingEvent::DecisionTaken {
                kind: DecisionKind::AmendmentAdopted { amendment_id, .. },
                ..
            }) = crate::store::decode::decode(e)
            {
                pending.push((e.position, amendment_id.to_string()));
            }
        }
    }
    Ok(pending)
}

impl Reactor {
    pub fn new(app: Arc<App>) -> Arc<Self> {
        Arc::new(Self {
            app,
            progress: Default::default(),
        })
    }

    /// One statement, so it commits on its own (never moving the checkpoint back).
    async fn save_checkpoint(&self, position: i64) -> Result<(), StoreError> {
        let _turn = self.app.store.db().write_turn().await;
        with_pool!(self.app.store.db(), p => sqlx::query(
            "insert into projection_checkpoints (name, position) values ($1, $2)
             on conflict (name) do update set position = excluded.position
             where projection_checkpoints.position < excluded.position")
            .bind(NAME).bind(position).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// Reacts to at most one page of events. Returns how many were read.
    ///
    /// The stored checkpoint is saved at once after a page that caused a reaction, because
    /// `pending_adoptions` reads the log after it to learn which adoptions are not yet
    /// applied; otherwise it is saved at most every [`SAVE_EVERY`] or [`PAGE`] events.
    pub async fn step(&self) -> Result<usize, ReactError> {
        let mut progress = self.progress.lock().await;
        let from = match progress.done {
            Some(done) => done,
            None => {
                let stored = checkpoint(&self.app.store).await?;
                progress.saved = stored;
                progress.done = Some(stored);
                stored
            }
        };
        let page = self.app.store.read_all(from, PAGE).await?;
        let mut done = from;
        let mut reacted = false;
        let mut failed = None;
        for e in &page {
            match self.react(e).await {
                Ok(r) => reacted |= r,
                Err(err) => {
                    failed = Some(err);
                    break;
                }
            }
            done = e.position;
        }
        progress.done = Some(done);
        let due = reacted
            || failed.is_some()
            || done - progress.saved >= PAGE
            || progress.saved_at.is_none_or(|t| t.elapsed() >= SAVE_EVERY);
        if done > progress.saved && due {
            if let Err(e) = self.save_checkpoint(done).await {
                // Read the stored checkpoint again next time rather than trust either figure.
                progress.done = None;
                return Err(e.into());
            }
            progress.saved = done;
            progress.saved_at = Some(std::time::Instant::now());
            self.app.reactor_saved.send_replace(done);
        }
        match failed {
            Some(err) => Err(err),
            None => Ok(page.len()),
        }
    }

    pub fn spawn(
        self: &Arc<Self>,
        mut shutdown: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut head = this.app.store.subscribe();
            loop {
                // Heads announced from here on wake the wait below, so a step that read less
                // than a page has seen everything announced before it.
                head.borrow_and_update();
                match this.step().await {
                    Ok(n) if n as i64 >= PAGE => continue,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "reactor step failed; retrying");
                        tokio::select! {
                            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                            _ = shutdown.changed() => return,
                        }
                        continue;
                    }
                }
                tokio::select! {
                    _ = head.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = shutdown.changed() => return,
                }
                if *shutdown.borrow() {
                    return;
                }
            }
        })
    }

    /// The context of a command caused by event `e`: same correlation, `e` as the cause.
    fn context(e: &StoredEvent, purpose: &str) -> CommandContext {
        CommandContext {
            actor: "system:reactor".into(),
            role: "system".into(),
            on_behalf_of: None,
            correlation_id: e
                .meta("correlation_id")
                .unwrap_or_else(|| e.event_id.to_string()),
            causation_id: Some(e.event_id.to_string()),
            idempotency_key: Some(format!("{}:{purpose}", e.event_id)),
            request_hash: format!("{}:{purpose}", e.event_id),
            expected_version: None,
        }
    }

    #[tracing::instrument(skip_all, fields(position = e.position, event = %e.event_type))]
    /// Returns whether the event called for a reaction.
    async fn react(&self, e: &StoredEvent) -> Result<bool, ReactError> {
        use crate::domain::framework::FrameworkEventKind as F;
        if matches!(
            e.kind(),
            Some(F::AmendmentApplied | F::ExternalEndorsementRecorded)
        ) {
            self.framework_changed(e).await?;
            return Ok(true);
        }
        super::meeting_reactions::react(self, e).await
    }

    pub(super) fn app(&self) -> &Arc<App> {
        &self.app
    }

    pub(super) async fn amendment_command(
        &self,
        e: &StoredEvent,
        purpose: &str,
        amendment_id: &str,
        cmd: AmendmentCommand,
    ) -> Result<(), ReactError> {
        match self
            .app
            .amendments
            .execute(amendment_id, cmd, &Self::context(e, purpose))
            .await
        {
            Ok(_) => Ok(()),
            // A refusal is final (the amendment moved on, e.g. was withdrawn): record and go on.
            Err(CommandError::Rejected(refusal)) => {
                tracing::info!(amendment = amendment_id, %refusal, purpose, "reaction refused by the amendment");
                Ok(())
            }
            Err(other) => Err(other.into()),
        }
    }

    pub(super) async fn framework_command(
        &self,
        e: &StoredEvent,
        purpose: &str,
        framework_id: &str,
        cmd: crate::domain::framework::FrameworkCommand,
    ) -> Result<(), ReactError> {
        match self
            .app
            .frameworks
            .execute(framework_id, cmd, &Self::context(e, purpose))
            .await
        {
            Ok(_) => Ok(()),
            Err(CommandError::Rejected(refusal)) => {
                tracing::warn!(framework = framework_id, %refusal, purpose, "reaction refused by the framework");
                Ok(())
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Rebases or flags every open amendment of the framework that just changed.
    async fn framework_changed(&self, e: &StoredEvent) -> Result<(), ReactError> {
        let event: FrameworkEvent = crate::store::decode::decode(e)?;
        let version = match &event {
            FrameworkEvent::AmendmentApplied { version, .. }
            | FrameworkEvent::ExternalEndorsementRecorded { version, .. } => *version,
            _ => return Ok(()),
        };
        let Some((framework, _)) =
            framework_at(&self.app.store, &e.aggregate_id, Cut::Position(e.position)).await?
        else {
            return Ok(());
        };
        // The amendments read model must include everything proposed before this change.
        if !self
            .app
            .projector
            .wait_for(e.position, Duration::from_secs(30))
            .await
        {
            return Err(ReactError::Unavailable("read models are behind".into()));
        }
        for doc in docs::list(
            self.app.store.db(),
            crate::projections::state_view::AMENDMENTS,
            "",
        )
        .await?
        {
            let Ok((amendment_id, _, amendment)) = state_view::decode::<Amendment>(&doc) else {
                continue;
            };
            if amendment.framework_id().map(|f| f.as_str()) != Some(e.aggregate_id.as_str())
                || !matches!(
                    amendment.status(),
                    AmendmentStatus::Draft | AmendmentStatus::Tabled | AmendmentStatus::InConflict
                )
                || amendment.base_version() >= version
            {
                continue;
            }
            let Some(revision) = amendment.revisions().last() else {
                continue;
            };
            let now = chrono::DateTime::from_timestamp_micros(e.recorded_at_us).unwrap_or_default();
            let cmd = match check_applies(framework.declaration(), &revision.operations) {
                Ok(()) => AmendmentCommand::Rebase {
                    new_version: version,
                    current_text: framework.declaration().clone(),
                    now,
                },
                Err(conflict) => AmendmentCommand::MarkInConflict {
                    current_version: version,
                    conflict,
                    now,
                },
            };
            self.amendment_command(e, &format!("rebase:{amendment_id}"), &amendment_id, cmd)
                .await?;
        }
        Ok(())
    }
}
