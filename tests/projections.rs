//! The projector on both backends: the audit history's rows through the live path and a
//! rebuild (including text that COPY must escape), and a rebuild that fails half-way.

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;

use plenary::store::chain::canonical_json;
use plenary::store::{AppendCommand, EventStore, NewEvent};

use common::{all_events, TestDb};

backend_tests!(
    audit_rows_keep_awkward_text_and_a_rebuild_reproduces_them,
    a_failed_rebuild_leaves_the_old_rows_indexes_and_checkpoints,
    another_projector_on_the_database_never_leaves_this_ones_documents_stale,
    a_prefix_pages_through_exactly_its_own_documents,
);

/// Appends `n` events whose text fields hold what COPY's text format must escape (tab,
/// newline, carriage return, backslash, a literal `\N`), the empty string, NULLs (absent
/// metadata) and non-ASCII text, over two streams.
async fn append_awkward(store: &EventStore, n: usize) {
    for i in 0..n {
        let metadata = if i % 5 == 4 {
            "{}".to_string()
        } else {
            canonical_json(&serde_json::json!({
                "actor": format!("tab\there {i}"),
                "role": "back\\slash",
                "on_behalf_of": "\\N",
                "correlation_id": "line\nbreak\r\n",
                "causation_id": if i % 2 == 0 { "" } else { "ünïcødé ✓ \\t" },
            }))
        };
        let payload = canonical_json(&serde_json::json!({
            "Noted": { "meeting_id": format!("m\t{}\\N", i % 3), "amendment_id": "a\n\r\\b" }
        }));
        let stream = if i % 2 == 0 { "s\\1\t" } else { "s2" };
        let version = store.stream_version("Awkward", stream).await.unwrap();
        store
            .append(AppendCommand {
                aggregate_type: "Awkward".into(),
                aggregate_id: stream.into(),
                expected_version: version,
                events: vec![NewEvent {
                    event_type: "Noted".into(),
                    event_version: "1".into(),
                    payload,
                    metadata,
                }],
                idempotency_key: None,
                request_hash: String::new(),
                snapshot: None,
            })
            .await
            .unwrap();
    }
}

async fn checkpoint(store: &EventStore, name: &str) -> i64 {
    plenary::with_pool!(store.db(), p => sqlx::query_scalar::<_, i64>(
        "select position from projection_checkpoints where name = $1")
        .bind(name).fetch_one(p).await)
    .unwrap()
}

/// The audit table's index definitions (Postgres; empty on SQLite).
async fn audit_indexes(store: &EventStore) -> Vec<String> {
    match store.db() {
        plenary::store::Db::Postgres { pool, .. } => sqlx::query_scalar(
            "select indexdef from pg_indexes where schemaname = current_schema() and tablename = 'audit_log' order by indexname",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        plenary::store::Db::Sqlite(..) => Vec::new(),
    }
}

async fn audit_rows_keep_awkward_text_and_a_rebuild_reproduces_them(db: TestDb) {
    use plenary::projections::audit::{self, AuditEntry, AuditLog};
    let store = db.open().await;
    append_awkward(&store, 25).await;
    let expected: Vec<AuditEntry> = all_events(&store)
        .await
        .iter()
        .map(AuditEntry::from_event)
        .collect();
    assert_eq!(expected[4].actor, None, "some rows have NULLs");
    assert_eq!(expected[0].causation_id.as_deref(), Some(""));

    let indexes = audit_indexes(&store).await;
    let projector =
        plenary::projections::runner::Projector::new(store.clone(), vec![Arc::new(AuditLog)]);
    projector.catch_up().await.unwrap();
    assert_eq!(audit::dump(store.db()).await.unwrap(), expected);

    projector.rebuild(None).await.unwrap();
    assert_eq!(audit::dump(store.db()).await.unwrap(), expected);
    assert_eq!(checkpoint(&store, "audit").await, 25);
    assert_eq!(projector.position(), 25);
    assert_eq!(
        audit_indexes(&store).await,
        indexes,
        "the rebuild recreates every index as it was"
    );
    if db.backend == common::Backend::Postgres {
        assert_eq!(
            indexes.len(),
            8,
            "the primary key and seven secondary indexes"
        );
    }

    // The live runner goes on from the rebuilt checkpoint.
    append_awkward(&store, 3).await;
    projector.catch_up().await.unwrap();
    let all: Vec<AuditEntry> = all_events(&store)
        .await
        .iter()
        .map(AuditEntry::from_event)
        .collect();
    assert_eq!(audit::dump(store.db()).await.unwrap(), all);
}

/// A projection that fails to apply while `failing` is set.
struct Faulty {
    failing: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl plenary::projections::Projection for Faulty {
    fn name(&self) -> &'static str {
        "faulty"
    }
    async fn reset(
        &self,
        _: &mut plenary::store::sql::Tx,
    ) -> Result<(), plenary::store::StoreError> {
        Ok(())
    }
    async fn apply(
        &self,
        _: &mut plenary::store::sql::Tx,
        _: &[plenary::store::StoredEvent],
        _: &mut plenary::projections::Applying,
    ) -> Result<(), plenary::store::StoreError> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(plenary::store::StoreError::Database(
                "injected fault".into(),
            ));
        }
        Ok(())
    }
}

async fn a_failed_rebuild_leaves_the_old_rows_indexes_and_checkpoints(db: TestDb) {
    use plenary::projections::audit::{self, AuditLog};
    let store = db.open().await;
    append_awkward(&store, 12).await;
    let faulty = Arc::new(Faulty {
        failing: false.into(),
    });
    let projector = plenary::projections::runner::Projector::new(
        store.clone(),
        vec![Arc::new(AuditLog), faulty.clone()],
    );
    projector.catch_up().await.unwrap();
    let before = audit::dump(store.db()).await.unwrap();
    let indexes = audit_indexes(&store).await;
    assert_eq!(before.len(), 12);

    faulty
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let err = projector.rebuild(None).await.unwrap_err();
    assert!(err.to_string().contains("injected fault"), "{err}");
    if db.backend == common::Backend::Postgres {
        // One transaction: the audit table was emptied and its indexes dropped inside it,
        // and both are back as they were.
        assert_eq!(audit::dump(store.db()).await.unwrap(), before);
        assert_eq!(checkpoint(&store, "audit").await, 12);
        assert_eq!(checkpoint(&store, "faulty").await, 12);
    } else {
        // SQLite rebuilds a page per transaction after an emptying one: the checkpoint
        // says how far the rows go.
        let rows = audit::dump(store.db()).await.unwrap().len() as i64;
        assert_eq!(checkpoint(&store, "audit").await, rows);
    }
    assert_eq!(audit_indexes(&store).await, indexes);

    // Once the fault is gone, the projector (resuming) ends with the same rows.
    faulty
        .failing
        .store(false, std::sync::atomic::Ordering::SeqCst);
    projector.catch_up().await.unwrap();
    assert_eq!(audit::dump(store.db()).await.unwrap(), before);
}

/// Counts each stream's events: a document projection small enough to check by hand.
struct Tally;

impl plenary::projections::docs::DocFold for Tally {
    const NAME: &'static str = "tally";
    fn keys(&self, e: &plenary::store::StoredEvent) -> Vec<String> {
        vec![e.aggregate_id.clone()]
    }
    fn fold(
        &self,
        _: &str,
        doc: Option<serde_json::Value>,
        _: &plenary::store::StoredEvent,
    ) -> Result<Option<serde_json::Value>, plenary::store::StoreError> {
        let n = doc.and_then(|d| d["n"].as_i64()).unwrap_or(0);
        Ok(Some(serde_json::json!({ "n": n + 1 })))
    }
}

/// Two instances on one database: whichever projector takes a page applies it. This one's
/// cached documents must not be used once the other has changed them, neither for reads
/// after its next step nor as the base its next fold starts from.
async fn another_projector_on_the_database_never_leaves_this_ones_documents_stale(db: TestDb) {
    use plenary::projections::docs::Docs;
    use plenary::projections::runner::Projector;
    let store = db.open().await;
    let this = Projector::new(store.clone(), vec![Arc::new(Docs(Tally))]);
    let other = Projector::new(store.clone(), vec![Arc::new(Docs(Tally))]);
    let count = |p: Arc<Projector>| async move {
        p.doc("tally", "s2")
            .await
            .unwrap()
            .map(|d| d["n"].as_i64().unwrap())
    };

    append_awkward(&store, 2).await; // one event on each of two streams
    this.catch_up().await.unwrap();
    assert_eq!(count(this.clone()).await, Some(1));
    assert!(
        !this.cache().is_empty(),
        "the projector's own writes are cached"
    );

    // The other instance applies the next event on s2.
    append_awkward(&store, 2).await;
    other.catch_up().await.unwrap();
    assert_eq!(count(other.clone()).await, Some(2));

    // This projector's next fold must start from the other's document, not its cached one.
    append_awkward(&store, 2).await;
    this.catch_up().await.unwrap();
    assert_eq!(count(this.clone()).await, Some(3));
    assert_eq!(
        plenary::projections::docs::get(store.db(), "tally", "s2")
            .await
            .unwrap(),
        Some(serde_json::json!({ "n": 3 }))
    );

    // And a step that finds nothing to apply still drops what the other changed meanwhile.
    append_awkward(&store, 2).await;
    other.catch_up().await.unwrap();
    this.catch_up().await.unwrap();
    assert_eq!(count(this.clone()).await, Some(4));

    // A rebuild rewrites every document; none is served from before it.
    this.rebuild(None).await.unwrap();
    assert_eq!(count(this).await, Some(4));
}

/// `docs::page` bounds a prefix in Rust, not SQL (see its comment): neighbouring prefixes
/// ("m1" beside "m1/" and "m10/"), pages that end inside and at the end of a prefix, and
/// cursors must still give each prefix's documents exactly once, in key order.
async fn a_prefix_pages_through_exactly_its_own_documents(db: TestDb) {
    use plenary::projections::docs;
    let store = db.open().await;
    let keys = [
        "m0/9", "m1", "m1/1", "m1/2", "m1/3", "m10/1", "m10/2", "m1~", "m2/1",
    ];
    for (i, key) in keys.iter().enumerate() {
        plenary::with_pool!(store.db(), p => sqlx::query(
            "insert into read_docs (projection, key, body, position) values ('decisions', $1, $2, $3)")
            .bind(*key).bind(serde_json::json!({ "key": key }).to_string()).bind(i as i64 + 1)
            .execute(p).await.map(|_| ()))
        .unwrap();
    }
    let page = |prefix: &'static str, after: Option<String>, limit: i64| {
        let store = store.clone();
        async move {
            docs::page(
                store.db(),
                "decisions",
                prefix,
                after.as_deref(),
                Some(limit),
            )
            .await
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect::<Vec<_>>()
        }
    };
    for limit in 1..=4 {
        for (prefix, want) in [
            ("m1/", vec!["m1/1", "m1/2", "m1/3"]),
            ("m10/", vec!["m10/1", "m10/2"]),
            ("m2/", vec!["m2/1"]),
            ("m3/", vec![]),
            ("", keys.to_vec()),
        ] {
            let mut got = Vec::new();
            let mut after = None;
            loop {
                let batch = page(prefix, after.clone(), limit).await;
                assert!(batch.len() as i64 <= limit);
                got.extend(batch.iter().cloned());
                if (batch.len() as i64) < limit {
                    break;
                }
                after = batch.last().cloned();
            }
            assert_eq!(got, want, "prefix {prefix:?}, limit {limit}");
        }
    }
    let all = docs::list(store.db(), "decisions", "m1/").await.unwrap();
    assert_eq!(all.len(), 3, "a list without a limit keeps its bound");
}
