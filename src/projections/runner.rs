//! The projector: feeds every projection from the global log, in order.
//!
//! Each page of events is applied to every projection that has not seen it, and the
//! projections' checkpoints are advanced, all in one transaction. The checkpoint rows are
//! read under lock inside that transaction (FOR UPDATE on Postgres, the write lock on SQLite),
//! so two server processes sharing a database never apply the same event twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{watch, Notify};

use super::cache::{DocCache, Lookup};
use super::{Applying, Projection};
use crate::store::sql::Tx;
use crate::store::{Db, EventStore, StoreError};
use crate::{with_pool, with_tx};

/// Events per transaction: big enough to amortise commits during a rebuild, small enough
/// that live updates stay prompt.
const PAGE: i64 = 2_000;

/// Events per page during a rebuild on Postgres, which is one transaction whatever the page
/// size: a page is one read and one insert per projection.
const REBUILD_PAGE: i64 = 10_000;

/// On SQLite every projector step takes the one write lock from the log's writer (see
/// [`crate::store::SqliteWrites`]). After a step that found events, the projector lets more
/// gather for this long, so steps are fewer and larger and the writer keeps most of its
/// throughput; views stay about this far behind. A reader waiting for a position
/// (`min_position`) ends the pause at once. Figures: docs/PERFORMANCE.md, session 16.
const SQLITE_GATHER: Duration = Duration::from_millis(25);

pub struct Projector {
    store: EventStore,
    projections: Vec<Arc<dyn Projection>>,
    /// The lowest checkpoint over all projections: every read model includes this position.
    caught_up: watch::Sender<i64>,
    cache: Arc<DocCache>,
    /// A reader waits for a position: ends the SQLite gathering pause at once.
    wanted: Notify,
    /// Why the projector stopped: an event it cannot decode will not decode on a retry.
    halted: std::sync::Mutex<Option<String>>,
}

impl Projector {
    pub fn new(store: EventStore, projections: Vec<Arc<dyn Projection>>) -> Arc<Self> {
        Arc::new(Self {
            store,
            projections,
            caught_up: watch::channel(0).0,
            cache: Arc::new(DocCache::default()),
            wanted: Notify::new(),
            halted: std::sync::Mutex::new(None),
        })
    }

    /// Why the read models stopped following the log, if they did (see [`Self::spawn`]).
    pub fn halted(&self) -> Option<String> {
        self.halted.lock().ok().and_then(|h| h.clone())
    }

    /// One document of a document projection, if it exists: from this process's cache when
    /// it holds it (see [`super::cache`]), else from the database.
    pub async fn doc(
        &self,
        projection: &'static str,
        key: &str,
    ) -> Result<Option<Arc<serde_json::Value>>, StoreError> {
        let generation = match self.cache.get(projection, key) {
            Lookup::Hit(doc) => return Ok(doc),
            Lookup::Miss(g) => g,
        };
        let Some((doc, position, bytes)) =
            super::docs::get_with_position(self.store.db(), projection, key).await?
        else {
            return Ok(None);
        };
        let doc = Arc::new(doc);
        self.cache
            .offer(projection, key, position, bytes, doc.clone(), generation);
        Ok(Some(doc))
    }

    pub fn cache(&self) -> &DocCache {
        &self.cache
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.projections.iter().map(|p| p.name()).collect()
    }

    /// The position every projection has reached.
    pub fn position(&self) -> i64 {
        *self.caught_up.borrow()
    }

    /// Waits until every projection includes `position`; false on timeout (read-your-writes).
    pub async fn wait_for(&self, position: i64, timeout: Duration) -> bool {
        let mut rx = self.caught_up.subscribe();
        if *rx.borrow() < position {
            self.wanted.notify_one();
        }
        tokio::time::timeout(timeout, rx.wait_for(|p| *p >= position))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    async fn checkpoints(&self) -> Result<HashMap<String, i64>, StoreError> {
        let rows: Vec<(String, i64)> = with_pool!(self.store.db(), p =>
            sqlx::query_as("select name, position from projection_checkpoints").fetch_all(p).await)?;
        Ok(rows.into_iter().collect())
    }

    /// Applies at most one page. Returns how many events it read (0 when caught up).
    #[tracing::instrument(skip_all)]
    pub async fn step(&self) -> Result<usize, StoreError> {
        let known = self.checkpoints().await?;
        let from = self
            .projections
            .iter()
            .map(|p| known.get(p.name()).copied().unwrap_or(0))
            .min()
            .unwrap_or(0);
        let page = self.store.read_all(from, PAGE).await?;
        if page.is_empty() {
            // Nothing to apply, but another process may have applied events: its documents
            // replace this process's cached ones before the position below is published.
            for p in &self.projections {
                let name = p.name();
                self.cache
                    .check(name, known.get(name).copied().unwrap_or(0));
            }
            self.caught_up
                .send_if_modified(|p| std::mem::replace(p, from) != from);
            return Ok(0);
        }
        let last = page.last().map(|e| e.position).unwrap_or(from);
        let mut tx = Tx::begin(self.store.db()).await?;
        let mut lowest = i64::MAX;
        let mut committed = Vec::new();
        let locked = lock_checkpoints(&mut tx, &self.names()).await?;
        for projection in &self.projections {
            let name = projection.name();
            let checkpoint = locked.get(name).copied().unwrap_or(0);
            // Under the lock: drops the cached documents if another process moved it.
            self.cache.check(name, checkpoint);
            let start = page.partition_point(|e| e.position <= checkpoint);
            if start < page.len() {
                let mut cx = Applying {
                    cache: Some(self.cache.clone()),
                    changed: Vec::new(),
                };
                projection.apply(&mut tx, &page[start..], &mut cx).await?;
                committed.push((name, cx.changed));
                lowest = lowest.min(last);
            } else {
                lowest = lowest.min(checkpoint);
            }
        }
        let advanced: Vec<&str> = committed.iter().map(|(name, _)| *name).collect();
        set_checkpoints(&mut tx, &advanced, last).await?;
        tx.commit().await?;
        for (name, changed) in committed {
            self.cache.commit(name, last, changed);
        }
        self.caught_up.send_if_modified(|p| {
            let moved = *p != lowest;
            *p = lowest;
            moved
        });
        Ok(page.len())
    }

    /// Applies pages until no events are left.
    pub async fn catch_up(&self) -> Result<(), StoreError> {
        while self.step().await? > 0 {}
        Ok(())
    }

    /// Runs until `shutdown` fires: catches up, then follows the log's notifications. Errors
    /// (database down) are logged and retried; the checkpoint makes retrying safe.
    pub fn spawn(
        self: &Arc<Self>,
        mut shutdown: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            match this.rebuild_outdated().await {
                Ok(rebuilt) if !rebuilt.is_empty() => {
                    tracing::info!(?rebuilt, "read models rebuilt: their shape changed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not check the read models' versions"),
            }
            let mut head = this.store.subscribe();
            let mut backoff = Duration::from_millis(100);
            loop {
                // Heads announced from here on wake the wait below, so a step that read less
                // than a page has seen everything announced before it.
                head.borrow_and_update();
                match this.step().await {
                    Ok(n) if n as i64 >= PAGE => {
                        backoff = Duration::from_millis(100);
                        continue;
                    }
                    Ok(n) => {
                        if n > 0 && !matches!(this.store.db(), Db::Postgres { .. }) {
                            tokio::select! {
                                _ = tokio::time::sleep(SQLITE_GATHER) => {}
                                _ = this.wanted.notified() => {}
                                _ = shutdown.changed() => return,
                            }
                        }
                    }
                    // An event that cannot be decoded (damaged, or written by a newer
                    // Plenary) stays so: retrying the same page for ever would only hide
                    // it. The read models stop there, say why, and /ready reports it.
                    Err(e @ StoreError::Corrupt { .. }) => {
                        tracing::error!(error = %e, "the read models stopped: an event cannot be read");
                        if let Ok(mut h) = this.halted.lock() {
                            *h = Some(e.to_string());
                        }
                        let _ = shutdown.changed().await;
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "projector step failed; retrying");
                        tokio::select! {
                            _ = tokio::time::sleep(backoff) => {}
                            _ = shutdown.changed() => return,
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                        continue;
                    }
                }
                // Wake on a new head; the periodic tick covers a missed notification.
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

    /// Empties the named projection (or all) and replays the log into it from position 0.
    ///
    /// On Postgres the whole rebuild, up to the head as it was when the rebuild started, is
    /// one transaction (see [`Self::rebuild_in_one_transaction`]); events appended meanwhile
    /// are then applied by the ordinary steps. On SQLite one transaction would hold the
    /// database's single write lock, and so stop every append, for the whole rebuild: there
    /// the projections are emptied in one transaction and refilled a page per transaction.
    #[tracing::instrument(skip(self))]
    pub async fn rebuild(&self, name: Option<&str>) -> Result<(), StoreError> {
        let targets: Vec<Arc<dyn Projection>> = self
            .projections
            .iter()
            .filter(|p| name.is_none_or(|n| n == p.name()))
            .cloned()
            .collect();
        if targets.is_empty() {
            return Err(StoreError::Database(format!(
                "no projection named '{}'; known: {}",
                name.unwrap_or_default(),
                self.names().join(", ")
            )));
        }
        // The documents are rewritten; cached ones are forgotten before and after.
        self.cache.clear();
        if matches!(self.store.db(), Db::Postgres { .. }) {
            let rebuilt = self.rebuild_in_one_transaction(&targets).await;
            self.cache.clear();
            rebuilt?;
        } else {
            let mut tx = Tx::begin(self.store.db()).await?;
            for p in &targets {
                lock_checkpoint(&mut tx, p.name()).await?;
                p.reset(&mut tx).await?;
                set_checkpoint(&mut tx, p.name(), 0).await?;
            }
            tx.commit().await?;
            self.cache.clear();
            self.caught_up.send_replace(0);
        }
        self.catch_up().await?;
        for p in &targets {
            self.record_version(p.name()).await?;
        }
        Ok(())
    }

    /// Rebuilds every projection whose shape version differs from the one it was last built
    /// with (or that has none recorded), and returns their names. The service runs this when
    /// it starts, so a release that changes a read model's shape never serves the old one.
    pub async fn rebuild_outdated(&self) -> Result<Vec<&'static str>, StoreError> {
        let built: Vec<(String, i64)> = with_pool!(self.store.db(), c => sqlx::query_as(
            "select name, version from projection_versions").fetch_all(c).await)?;
        let outdated: Vec<&'static str> = self
            .projections
            .iter()
            .filter(|p| {
                !built
                    .iter()
                    .any(|(n, v)| n == p.name() && *v == i64::from(p.version()))
            })
            .map(|p| p.name())
            .collect();
        // A projection that has not projected anything yet (a new database) has nothing of
        // another shape to throw away: its version is recorded and the ordinary steps build it.
        let positions: Vec<(String, i64)> = with_pool!(self.store.db(), c => sqlx::query_as(
            "select name, position from projection_checkpoints").fetch_all(c).await)?;
        let mut rebuilt = Vec::new();
        for name in outdated {
            let started = positions.iter().any(|(n, at)| n == name && *at > 0);
            if started {
                self.rebuild(Some(name)).await?;
                rebuilt.push(name);
            } else {
                self.record_version(name).await?;
            }
        }
        Ok(rebuilt)
    }

    async fn record_version(&self, name: &str) -> Result<(), StoreError> {
        let Some(p) = self.projections.iter().find(|p| p.name() == name) else {
            return Ok(());
        };
        let version = i64::from(p.version());
        with_pool!(self.store.db(), c => sqlx::query(
            "insert into projection_versions (name, version) values ($1, $2) \
             on conflict (name) do update set version = excluded.version")
            .bind(p.name()).bind(version).execute(c).await.map(|_| ()))?;
        Ok(())
    }

    /// Resets `targets` and applies every event up to the current head to them, all in one
    /// transaction: readers see the old rows until the new ones are complete, a failure or a
    /// crash leaves the old rows and checkpoints, and there is one commit instead of one per
    /// page. The checkpoints are locked first, so a live step waits for the commit and then
    /// continues from the rebuilt position. A reader task fetches the next page while this
    /// one is applied.
    async fn rebuild_in_one_transaction(
        &self,
        targets: &[Arc<dyn Projection>],
    ) -> Result<(), StoreError> {
        let head = self.store.head_from_db().await?.0;
        let mut tx = Tx::begin(self.store.db()).await?;
        let mut finish = Vec::new();
        for p in targets {
            lock_checkpoint(&mut tx, p.name()).await?;
            finish.extend(p.begin_rebuild(&mut tx).await?);
        }
        let (pages_tx, mut pages) = tokio::sync::mpsc::channel(2);
        let store = self.store.clone();
        let reader = tokio::spawn(async move {
            let mut after = 0;
            while after < head {
                let page = store.read_all(after, REBUILD_PAGE.min(head - after)).await;
                if let Ok(p) = &page {
                    match p.last() {
                        Some(e) => after = e.position,
                        None => break,
                    }
                }
                let failed = page.is_err();
                if pages_tx.send(page).await.is_err() || failed {
                    break;
                }
            }
        });
        // Stops the reader if applying fails (the transaction then rolls back on drop).
        let _reader = AbortOnDrop(reader);
        let mut last = 0;
        // Where the time goes, for the log: waiting for the reader, each projection, the
        // finishing statements (index builds) and the commit.
        let mut waited = Duration::ZERO;
        let mut applying = vec![Duration::ZERO; targets.len()];
        loop {
            let started = Instant::now();
            let Some(page) = pages.recv().await else {
                break;
            };
            waited += started.elapsed();
            let page = page?;
            for (p, spent) in targets.iter().zip(&mut applying) {
                let started = Instant::now();
                p.apply(&mut tx, &page, &mut Applying::default()).await?;
                *spent += started.elapsed();
            }
            last = page.last().map_or(last, |e| e.position);
        }
        let started = Instant::now();
        for sql in finish {
            with_tx!(&mut tx, c => sqlx::query(&sql).execute(&mut *c).await.map(|_| ()))?;
        }
        let finishing = started.elapsed();
        for p in targets {
            set_checkpoint(&mut tx, p.name(), last).await?;
        }
        let started = Instant::now();
        tx.commit().await?;
        tracing::info!(
            position = last,
            waiting_for_reads = ?waited,
            applying = ?targets.iter().map(|p| p.name()).zip(applying).collect::<Vec<_>>(),
            finishing = ?finishing,
            commit = ?started.elapsed(),
            "rebuilt in one transaction"
        );
        Ok(())
    }
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn lock_checkpoint(tx: &mut Tx, name: &str) -> Result<i64, StoreError> {
    let lock = if tx.is_postgres() { " for update" } else { "" };
    let sql = format!("select position from projection_checkpoints where name = $1{lock}");
    let found: Option<i64> =
        with_tx!(tx, c => sqlx::query_scalar(&sql).bind(name).fetch_optional(&mut *c).await)?;
    if let Some(p) = found {
        return Ok(p);
    }
    with_tx!(tx, c => sqlx::query("insert into projection_checkpoints (name, position) values ($1, 0) on conflict (name) do nothing")
        .bind(name).execute(&mut *c).await.map(|_| ()))?;
    Ok(with_tx!(tx, c => sqlx::query_scalar(&sql).bind(name).fetch_one(&mut *c).await)?)
}

/// Locks the checkpoints of `names` (creating missing ones at 0) and returns them. On
/// Postgres one statement locks them all, in name order, so two processes never wait on each
/// other crosswise.
async fn lock_checkpoints(tx: &mut Tx, names: &[&str]) -> Result<HashMap<String, i64>, StoreError> {
    let Tx::Postgres(t) = tx else {
        let mut out = HashMap::new();
        for name in names {
            out.insert((*name).to_owned(), lock_checkpoint(tx, name).await?);
        }
        return Ok(out);
    };
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let lock = "select name, position from projection_checkpoints where name = any($1)
                order by name for update";
    let mut rows: Vec<(String, i64)> = sqlx::query_as(lock)
        .bind(&names)
        .fetch_all(&mut **t)
        .await?;
    if rows.len() < names.len() {
        sqlx::query(
            "insert into projection_checkpoints (name, position) select unnest($1::text[]), 0
             on conflict (name) do nothing",
        )
        .bind(&names)
        .execute(&mut **t)
        .await?;
        rows = sqlx::query_as(lock)
            .bind(&names)
            .fetch_all(&mut **t)
            .await?;
    }
    Ok(rows.into_iter().collect())
}

/// Moves the checkpoints of `names` to `position`, in one statement on Postgres.
async fn set_checkpoints(tx: &mut Tx, names: &[&str], position: i64) -> Result<(), StoreError> {
    let Tx::Postgres(t) = tx else {
        for name in names {
            set_checkpoint(tx, name, position).await?;
        }
        return Ok(());
    };
    if names.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    sqlx::query("update projection_checkpoints set position = $1 where name = any($2)")
        .bind(position)
        .bind(&names)
        .execute(&mut **t)
        .await?;
    Ok(())
}

async fn set_checkpoint(tx: &mut Tx, name: &str, position: i64) -> Result<(), StoreError> {
    with_tx!(tx, c => sqlx::query("update projection_checkpoints set position = $1 where name = $2")
        .bind(position).bind(name).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}
