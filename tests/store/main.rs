//! Conformance suite for the event log: every test runs on SQLite and on Postgres.

#[path = "../common/mod.rs"]
mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, CqrsFramework, DomainEvent};
use plenary::store::chain::canonical_json;
use plenary::store::verify::Damage;
use plenary::store::{
    AggregateStore, AppendCommand, AppendError, EventStore, NewEvent, Repository,
};
use serde::{Deserialize, Serialize};

use common::{all_events, TestDb};

backend_tests!(
    append_assigns_position_id_time_and_chain,
    concurrent_appenders_get_contiguous_positions,
    concurrent_commands_on_one_stream_are_never_lost,
    stale_version_conflicts_and_writes_nothing,
    a_refused_command_does_not_take_its_batch_down,
    idempotency_key_returns_the_original_outcome,
    append_only_is_enforced_by_the_database,
    verify_names_a_changed_row,
    verify_names_a_deleted_row,
    verify_names_an_inserted_row,
    verify_names_swapped_rows,
    verify_names_a_truncated_log,
    snapshots_load_the_same_state_as_a_full_replay,
    long_streams_load_from_the_snapshot,
    acknowledged_appends_survive_reopening,
    an_undecodable_event_fails_loudly_with_its_position,
    subscribers_are_told_of_new_positions,
    the_live_feed_gives_every_screen_every_event_in_order,
    a_room_screen_gets_its_meeting_only_and_misses_none,
    reading_the_log_in_pages_sees_every_event_once,
    queued_commands_on_one_stream_commit_in_order,
    nothing_commits_on_top_of_a_failed_append,
    one_aggregate_under_32_concurrent_clients_loses_nothing,
    cancelled_commands_leave_their_aggregate_usable,
);

// ---- a tiny aggregate to run under CqrsFramework -------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct Counter {
    value: i64,
    applied: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum CounterEvent {
    Added { n: i64 },
}

impl DomainEvent for CounterEvent {
    fn event_type(&self) -> String {
        "Added".into()
    }
    fn event_version(&self) -> String {
        "1".into()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct CounterError(String);

impl Aggregate for Counter {
    const TYPE: &'static str = "Counter";
    type Command = i64;
    type Event = CounterEvent;
    type Error = CounterError;
    type Services = ();

    async fn handle(&mut self, n: i64, _: &(), sink: &EventSink<Self>) -> Result<(), CounterError> {
        if n < 0 {
            return Err(CounterError("negative".into()));
        }
        // As every aggregate must: the state decided on stays unchanged (see `domain::emit`).
        plenary::domain::emit([CounterEvent::Added { n }], sink).await;
        Ok(())
    }

    fn apply(&mut self, CounterEvent::Added { n }: CounterEvent) {
        self.value += n;
        self.applied += 1;
    }
}

/// Commands as the service runs them: on the repository's typed state cache.
type Cqrs = CqrsFramework<Counter, AggregateStore<Counter>>;

fn cqrs(store: &EventStore) -> Cqrs {
    CqrsFramework::new(
        AggregateStore::new(Repository::new(store.clone())),
        vec![],
        (),
    )
}

/// Commands through cqrs-es's own `PersistedEventStore` over the same repository.
fn persisted_cqrs(
    store: &EventStore,
) -> CqrsFramework<Counter, PersistedEventStore<Repository, Counter>> {
    CqrsFramework::new(
        PersistedEventStore::new_aggregate_store(Repository::new(store.clone())),
        vec![],
        (),
    )
}

fn cmd(stream: &str, expected: i64, n: usize, key: Option<&str>) -> AppendCommand {
    AppendCommand {
        aggregate_type: "Test".into(),
        aggregate_id: stream.into(),
        expected_version: expected,
        events: (0..n)
            .map(|i| NewEvent {
                event_type: "Happened".into(),
                event_version: "1".into(),
                payload: canonical_json(&serde_json::json!({ "i": i, "stream": stream })),
                metadata: canonical_json(
                    &serde_json::json!({ "actor": "tester", "role": "secretariat" }),
                ),
            })
            .collect(),
        idempotency_key: key.map(str::to_owned),
        request_hash: "h".into(),
        snapshot: None,
    }
}

// ---- tests ----------------------------------------------------------------------------

async fn append_assigns_position_id_time_and_chain(db: TestDb) {
    let store = db.open().await;
    let before = plenary::store::now_us();
    let a = store.append(cmd("s1", 0, 2, None)).await.unwrap();
    let b = store.append(cmd("s2", 0, 1, None)).await.unwrap();
    assert_eq!(
        (a.first_position, a.last_position, a.stream_version),
        (1, 2, 2)
    );
    assert_eq!(
        (b.first_position, b.last_position, b.stream_version),
        (3, 3, 1)
    );

    let events = all_events(&store).await;
    assert_eq!(
        events.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(events[1].stream_version, 2);
    assert_eq!(events[1].aggregate_id, "s1");
    assert_eq!(events[0].event_id.get_version_num(), 7);
    assert!(events[0].recorded_at_us >= before);
    assert_eq!(events[0].meta("actor").as_deref(), Some("tester"));
    assert_eq!(events[0].prev_hash, [0u8; 32]);
    for w in events.windows(2) {
        assert_eq!(
            w[1].prev_hash, w[0].hash,
            "each event links to its predecessor"
        );
    }
    for e in &events {
        assert_eq!(e.compute_hash(&e.prev_hash), e.hash);
    }
    let stream = store.read_stream("Test", "s1", 1).await.unwrap();
    assert_eq!(stream.len(), 1);
    assert_eq!(stream[0].stream_version, 2);
    assert!(store.verify().await.unwrap().ok());
}

async fn concurrent_appenders_get_contiguous_positions(db: TestDb) {
    let store = db.open().await;
    let tasks = 32;
    let per_task = 500;
    let mut handles = Vec::new();
    for t in 0..tasks {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..per_task {
                let a = store
                    .append(cmd(&format!("task-{t}"), i, 1, None))
                    .await
                    .unwrap();
                acked.push(a.first_position);
            }
            acked
        }));
    }
    let mut acked = Vec::new();
    for h in handles {
        acked.extend(h.await.unwrap());
    }
    let events = all_events(&store).await;
    let n = (tasks * per_task) as usize;
    assert_eq!(events.len(), n);
    let positions: Vec<i64> = events.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        (1..=n as i64).collect::<Vec<_>>(),
        "positions are contiguous"
    );
    acked.sort();
    assert_eq!(
        acked, positions,
        "every acknowledged append is present exactly once"
    );
    let ids: HashSet<_> = events.iter().map(|e| e.event_id).collect();
    assert_eq!(ids.len(), n);
    assert!(store.verify().await.unwrap().ok());
}

async fn concurrent_commands_on_one_stream_are_never_lost(db: TestDb) {
    // Many writers on one shared stream, each retrying on conflict as a client would.
    let store = db.open().await;
    let tasks = 32;
    let per_task = 20;
    let mut handles = Vec::new();
    for t in 0..tasks {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut conflicts = 0;
            for i in 0..per_task {
                loop {
                    let v = store.stream_version("Test", "shared").await.unwrap();
                    let key = format!("{t}-{i}");
                    match store.append(cmd("shared", v, 1, Some(&key))).await {
                        Ok(a) => {
                            acked.push((a.first_position, key));
                            break;
                        }
                        Err(AppendError::Conflict { .. }) => conflicts += 1,
                        Err(e) => panic!("unexpected {e}"),
                    }
                }
            }
            (acked, conflicts)
        }));
    }
    let mut acked = Vec::new();
    for h in handles {
        acked.extend(h.await.unwrap().0);
    }
    let events = store.read_stream("Test", "shared", 0).await.unwrap();
    assert_eq!(events.len(), tasks * per_task);
    let versions: Vec<i64> = events.iter().map(|e| e.stream_version).collect();
    assert_eq!(
        versions,
        (1..=(tasks * per_task) as i64).collect::<Vec<_>>()
    );
    let by_pos: HashMap<i64, _> = events.iter().map(|e| (e.position, e)).collect();
    for (pos, _) in &acked {
        assert!(
            by_pos.contains_key(pos),
            "acknowledged position {pos} is in the stream"
        );
    }
    assert!(store.verify().await.unwrap().ok());
}

async fn stale_version_conflicts_and_writes_nothing(db: TestDb) {
    let store = db.open().await;
    store.append(cmd("s", 0, 1, None)).await.unwrap();
    let err = store.append(cmd("s", 0, 3, None)).await.unwrap_err();
    assert_eq!(
        err,
        AppendError::Conflict {
            stream: "Test/s".into(),
            expected: 0,
            actual: 1
        }
    );
    // A version beyond the stream's end collides with no row, and is refused as well.
    let err = store.append(cmd("s", 5, 1, None)).await.unwrap_err();
    assert_eq!(
        err,
        AppendError::Conflict {
            stream: "Test/s".into(),
            expected: 5,
            actual: 1
        }
    );
    assert_eq!(all_events(&store).await.len(), 1);
    assert_eq!(store.head_from_db().await.unwrap().0, 1);
    // The next append still links correctly after a refused one.
    store.append(cmd("s", 1, 1, None)).await.unwrap();
    assert!(store.verify().await.unwrap().ok());
}

async fn a_refused_command_does_not_take_its_batch_down(db: TestDb) {
    let store = db.open().await;
    store.append(cmd("s", 0, 1, Some("k0"))).await.unwrap();
    // Sent together, so the writer is likely to put them in one batch; the outcomes must
    // be the same however it splits them.
    let (stale, fresh, repeated, keyed) = tokio::join!(
        store.append(cmd("s", 0, 1, None)),
        store.append(cmd("t", 0, 2, None)),
        store.append(cmd("u", 0, 1, Some("k0"))),
        store.append(cmd("v", 0, 1, Some("k1"))),
    );
    assert!(
        matches!(stale, Err(AppendError::Conflict { .. })),
        "{stale:?}"
    );
    assert!(
        matches!(repeated, Err(AppendError::Duplicate { .. })),
        "{repeated:?}"
    );
    assert_eq!(fresh.unwrap().stream_version, 2);
    assert_eq!(keyed.unwrap().stream_version, 1);
    assert_eq!(all_events(&store).await.len(), 4);
    assert!(store.verify().await.unwrap().ok());
}

async fn idempotency_key_returns_the_original_outcome(db: TestDb) {
    let store = db.open().await;
    let first = store.append(cmd("s", 0, 2, Some("k1"))).await.unwrap();
    let again = store.append(cmd("s", 2, 2, Some("k1"))).await.unwrap_err();
    assert_eq!(
        again,
        AppendError::Duplicate {
            original: first,
            request_hash: "h".into()
        }
    );
    assert_eq!(
        all_events(&store).await.len(),
        2,
        "a retried command appends nothing"
    );
    assert_eq!(store.idempotency("k1").await.unwrap().unwrap().0, first);

    // Under CqrsFramework: the repository records the outcome for the caller.
    let cqrs = cqrs(&store);
    let repo_meta = HashMap::from([("idempotency_key".to_string(), "k2".to_string())]);
    cqrs.execute_with_metadata("c", 5, repo_meta.clone())
        .await
        .unwrap();
    let n = all_events(&store).await.len();
    cqrs.execute_with_metadata("c", 5, repo_meta).await.unwrap();
    assert_eq!(all_events(&store).await.len(), n);
}

async fn append_only_is_enforced_by_the_database(db: TestDb) {
    let store = db.open().await;
    store.append(cmd("s", 0, 2, None)).await.unwrap();
    let upd = db
        .raw("update events set payload = '{}' where position = 1")
        .await;
    assert!(upd.unwrap_err().contains("append-only"));
    let del = db.raw("delete from events where position = 2").await;
    assert!(del.unwrap_err().contains("append-only"));
    assert!(store.verify().await.unwrap().ok());
}

async fn drop_triggers(db: &TestDb) {
    match db.backend {
        common::Backend::Sqlite => {
            db.raw("drop trigger events_no_update").await.unwrap();
            db.raw("drop trigger events_no_delete").await.unwrap();
        }
        common::Backend::Postgres => {
            db.raw("drop trigger events_append_only on events")
                .await
                .unwrap();
        }
    }
}

async fn tampered(db: &TestDb, sql: &str) -> plenary::store::verify::Finding {
    let store = db.open().await;
    for i in 0..10 {
        store
            .append(cmd(&format!("s{}", i % 3), i / 3, 1, None))
            .await
            .unwrap();
    }
    assert!(store.verify().await.unwrap().ok());
    drop_triggers(db).await;
    db.raw(sql).await.unwrap();
    let report = store.verify().await.unwrap();
    report.problem.expect("tampering is detected")
}

async fn verify_names_a_changed_row(db: TestDb) {
    let f = tampered(
        &db,
        "update events set payload = '{\"i\":99}' where position = 5",
    )
    .await;
    assert_eq!((f.position, f.damage), (5, Damage::Changed));
}

async fn verify_names_a_deleted_row(db: TestDb) {
    let f = tampered(&db, "delete from events where position = 4").await;
    assert_eq!((f.position, f.damage), (4, Damage::Missing));
}

async fn verify_names_an_inserted_row(db: TestDb) {
    // A copy of event 3 re-numbered to the end: well-formed, but not part of the chain.
    let f = tampered(
        &db,
        "insert into events (position, event_id, aggregate_type, aggregate_id, stream_version, event_type, event_version, payload, metadata, recorded_at_us, prev_hash, hash)
         select 11, '0190b3a8-0000-7000-8000-000000000001', aggregate_type, 'x', 1, event_type, event_version, payload, metadata, recorded_at_us, prev_hash, hash from events where position = 3",
    )
    .await;
    assert_eq!(f.position, 11);
    assert!(
        matches!(f.damage, Damage::Inserted | Damage::Changed),
        "{f:?}"
    );
}

async fn verify_names_swapped_rows(db: TestDb) {
    // Events 4 and 5 trade places, each intact (content, id, hashes), only renumbered.
    let f = tampered(
        &db,
        "update events set position = -5 where position = 5;
         update events set position = 5 where position = 4;
         update events set position = 4 where position = -5;",
    )
    .await;
    assert_eq!((f.position, f.damage), (4, Damage::Reordered), "{f:?}");
}

async fn verify_names_a_truncated_log(db: TestDb) {
    let f = tampered(&db, "delete from events where position >= 9").await;
    assert_eq!((f.position, f.damage), (9, Damage::Truncated));
}

/// Each way of running commands stores snapshots that load the state a full replay gives:
/// the service's `AggregateStore`, and cqrs-es's `PersistedEventStore` over the repository
/// (which would catch an aggregate whose `handle` changed the state it decided on).
async fn snapshots_load_the_same_state_as_a_full_replay(db: TestDb) {
    let store = db.open().await;
    let (typed, persisted) = (cqrs(&store), persisted_cqrs(&store));
    let expected = Counter {
        value: (1..=60).sum(),
        applied: 60,
    };
    for n in 1..=60 {
        typed.execute("typed", n).await.unwrap();
        persisted.execute("persisted", n).await.unwrap();
    }
    assert!(matches!(
        typed.execute("typed", -1).await,
        Err(AggregateError::UserError(_))
    ));
    assert!(matches!(
        persisted.execute("persisted", -1).await,
        Err(AggregateError::UserError(_))
    ));
    let repo = Repository::new(store.clone());
    let load = |id: &'static str| {
        let repo = repo.clone();
        async move {
            let snap =
                cqrs_es::persist::PersistedEventRepository::get_snapshot::<Counter>(&repo, id)
                    .await
                    .unwrap()
                    .unwrap();
            let state = serde_json::from_value::<Counter>(snap.aggregate).unwrap();
            assert_eq!(snap.current_sequence as i64, state.applied, "{id}");
            state
        }
    };
    // A stream whose last event is the snapshot's: nothing follows it in the log.
    for n in 1..=50 {
        typed.execute("exact", n).await.unwrap();
    }
    let exact = Counter {
        value: (1..=50).sum(),
        applied: 50,
    };
    assert_eq!(load("exact").await, exact);
    for id in ["typed", "persisted"] {
        assert_eq!(load(id).await, expected, "{id}");
        let (snap_version, _) = store
            .snapshot("Counter", id)
            .await
            .unwrap()
            .expect("a snapshot was stored");
        assert_eq!(snap_version, 50, "{id}: stored every 25 events");
    }
    // A snapshot of another shape is ignored even though it decodes (a field added with a
    // default would otherwise read as the default, not as the log says).
    db.raw("update snapshots set payload = '{\"value\":0,\"applied\":0,\"_shape\":2}'")
        .await
        .unwrap();
    for id in ["typed", "persisted"] {
        assert_eq!(load(id).await, expected, "{id}");
    }
    // A snapshot that no longer decodes is ignored, not trusted.
    db.raw("update snapshots set payload = '{\"garbage\":true}'")
        .await
        .unwrap();
    for id in ["typed", "persisted"] {
        assert_eq!(load(id).await, expected, "{id}");
    }
    assert_eq!(load("exact").await, exact);
}

async fn long_streams_load_from_the_snapshot(db: TestDb) {
    // Loading reads at most SNAPSHOT_EVERY events, however long the stream.
    let store = db.open().await;
    let cqrs = cqrs(&store);
    for _ in 0..1_000 {
        cqrs.execute("long", 1).await.unwrap();
    }
    let (v, _) = store.snapshot("Counter", "long").await.unwrap().unwrap();
    assert_eq!(v, 1_000);
    assert!(store
        .read_stream("Counter", "long", v)
        .await
        .unwrap()
        .is_empty());
    cqrs.execute("long", 1).await.unwrap();
    assert_eq!(
        store.stream_version("Counter", "long").await.unwrap(),
        1_001
    );
}

async fn acknowledged_appends_survive_reopening(db: TestDb) {
    let store = db.open().await;
    let a = store.append(cmd("s", 0, 3, Some("k"))).await.unwrap();
    store.close().await;
    drop(store);
    let store = db.open().await;
    let events = all_events(&store).await;
    assert_eq!(events.len(), 3);
    assert_eq!(events.last().unwrap().position, a.last_position);
    assert!(store.verify().await.unwrap().ok());
    let b = store.append(cmd("s", 3, 1, None)).await.unwrap();
    assert_eq!(b.first_position, 4);
    assert!(store.verify().await.unwrap().ok());
}

async fn an_undecodable_event_fails_loudly_with_its_position(db: TestDb) {
    let store = db.open().await;
    let cqrs = cqrs(&store);
    cqrs.execute("c", 1).await.unwrap();
    let mut bogus = cmd("c", 1, 1, None);
    bogus.aggregate_type = "Counter".into();
    bogus.events[0].event_type = "Vanished".into();
    bogus.events[0].payload = r#"{"Vanished":{}}"#.into();
    let a = store.append(bogus).await.unwrap();
    // This process may decide on its cached state, which the append above bypassed: the log
    // refuses that decision, and the next attempt loads the stream and meets the damage. If
    // the cache was already dropped (the append seen as another writer's, as Postgres's
    // notification can make it), the first attempt meets the damage itself.
    let first = cqrs.execute("c", 1).await.unwrap_err();
    let err = match first {
        cqrs_es::AggregateError::AggregateConflict => cqrs.execute("c", 1).await.unwrap_err(),
        other => other,
    };
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("position {}", a.first_position)),
        "{msg}"
    );
    assert_eq!(
        store.stream_version("Counter", "c").await.unwrap(),
        2,
        "nothing appended"
    );
}

async fn subscribers_are_told_of_new_positions(db: TestDb) {
    let store = db.open().await;
    let mut rx = store.subscribe();
    let writer = store.clone();
    tokio::spawn(async move { writer.append(cmd("s", 0, 1, None)).await.unwrap() });
    tokio::time::timeout(std::time::Duration::from_secs(5), rx.wait_for(|h| *h >= 1))
        .await
        .expect("notified")
        .unwrap();

    // Another process's appends (a second store on the same database) are seen too.
    let other = db.open().await;
    other.append(cmd("t", 0, 1, None)).await.unwrap();
    if db.backend == common::Backend::Postgres {
        tokio::time::timeout(std::time::Duration::from_secs(5), rx.wait_for(|h| *h >= 2))
            .await
            .expect("notified of the other process's append")
            .unwrap();
    }
    // And the first store's writer copes with the head having moved under it.
    store.append(cmd("s", 1, 1, None)).await.unwrap();
    assert!(store.verify().await.unwrap().ok());
}

/// The live feed (one reader of the log for every screen): screens that keep up get events
/// from the feed, a screen that starts behind or falls further behind than the feed keeps
/// catches up from the log; each sees every event once, in order.
async fn the_live_feed_gives_every_screen_every_event_in_order(db: TestDb) {
    use futures_util::StreamExt;
    use plenary::app::live::{Filter, Live, BUFFER};
    use plenary::projections::visibility::Reader;
    use std::time::Duration;

    let store = db.open().await;
    store.append(cmd("s", 0, 20, None)).await.unwrap();
    let live = Live::new(store.clone());
    let all = Filter {
        meeting: None,
        reader: Reader::Everything,
    };
    let head = store.head();
    let mut level: Vec<_> = (0..40)
        .map(|_| Box::pin(live.follow(head, all.clone())))
        .collect();
    let mut from_start = Box::pin(live.follow(0, all.clone()));
    // Polled once, so it joins the feed, then left alone while more than the feed keeps is
    // appended.
    let mut slow = Box::pin(live.follow(head, all.clone()));
    for s in level.iter_mut().chain([&mut slow]) {
        assert!(tokio::time::timeout(Duration::from_millis(20), s.next())
            .await
            .is_err());
    }
    assert_eq!(live.subscribers(), level.len() + 1);

    // A first burst that the level screens read as it comes.
    let mut version = 20;
    store.append(cmd("s", version, 50, None)).await.unwrap();
    version += 50;
    async fn next<S: futures_util::Stream + Unpin>(s: &mut S) -> S::Item {
        tokio::time::timeout(Duration::from_secs(20), s.next())
            .await
            .expect("an event within 20 s")
            .expect("the feed goes on")
    }
    for s in &mut level {
        for want in head + 1..=head + 50 {
            let e = next(s).await;
            assert_eq!(e.position, want);
        }
    }
    // Then more than the feed keeps, in batches.
    let more = BUFFER as i64 + 300;
    let mut appended = 0;
    while appended < more {
        store.append(cmd("s", version, 100, None)).await.unwrap();
        version += 100;
        appended += 100;
    }
    let last = store.head();
    assert_eq!(last, head + 50 + appended);
    for (name, s) in [("slow", &mut slow), ("from the start", &mut from_start)]
        .into_iter()
        .chain(level.iter_mut().take(3).map(|s| ("level", s)))
    {
        let mut want = match name {
            "from the start" => 1,
            "slow" => head + 1,
            _ => head + 51,
        };
        while want <= last {
            let e = next(s).await;
            assert_eq!(
                e.position, want,
                "the {name} screen missed or repeated an event"
            );
            assert_eq!(e.event_type, "Happened");
            want += 1;
        }
    }
}

/// A room screen follows one meeting's channel: it gets that meeting's events (and events
/// elsewhere that name the meeting), in order, none of another meeting's, also when it
/// joins while events are flowing and when it resumes from an earlier position.
async fn a_room_screen_gets_its_meeting_only_and_misses_none(db: TestDb) {
    use futures_util::StreamExt;
    use plenary::app::live::{Filter, Live};
    use plenary::projections::visibility::Reader;
    use std::time::Duration;

    let store = db.open().await;
    let live = Live::new(store.clone());
    let room = |m: &str| Filter {
        meeting: Some(m.to_owned()),
        reader: Reader::Everything,
    };
    let mut early = Box::pin(live.follow(store.head(), room("m1")));
    assert!(
        tokio::time::timeout(Duration::from_millis(20), early.next())
            .await
            .is_err()
    );
    let mut versions = std::collections::HashMap::new();
    let mut m1 = Vec::new();
    let mut late = None;
    for i in 0..300 {
        let (aggregate_type, id, payload) = match i % 3 {
            0 => ("Meeting", "m1", serde_json::json!({ "i": i })),
            1 => ("Meeting", "m2", serde_json::json!({ "i": i })),
            // Another record's event that names the meeting.
            _ => (
                "Amendment",
                "a1",
                serde_json::json!({ "i": i, "meeting_id": "m1" }),
            ),
        };
        let version = versions.entry(id).or_insert(0i64);
        let appended = store
            .append(AppendCommand {
                aggregate_type: aggregate_type.into(),
                aggregate_id: id.into(),
                expected_version: *version,
                events: vec![NewEvent {
                    event_type: "Happened".into(),
                    event_version: "1".into(),
                    payload: canonical_json(&serde_json::json!({ "Happened": payload })),
                    metadata: canonical_json(
                        &serde_json::json!({ "actor": "tester", "role": "secretariat" }),
                    ),
                }],
                idempotency_key: None,
                request_hash: "h".into(),
                snapshot: None,
            })
            .await
            .unwrap();
        *version += 1;
        if i % 3 != 1 {
            m1.extend(appended.positions());
        }
        if i == 150 {
            // Joins while the feed is flowing.
            let mut s = Box::pin(live.follow(store.head(), room("m1")));
            assert!(tokio::time::timeout(Duration::from_millis(5), s.next())
                .await
                .is_err());
            late = Some((s, m1.len()));
        }
    }
    async fn take<
        S: futures_util::Stream<Item = std::sync::Arc<plenary::app::live::LiveEvent>> + Unpin,
    >(
        s: &mut S,
        n: usize,
    ) -> Vec<i64> {
        let mut out = Vec::new();
        while out.len() < n {
            let e = tokio::time::timeout(Duration::from_secs(20), s.next())
                .await
                .expect("an event within 20 s")
                .expect("the feed goes on");
            assert_eq!(e.meeting.as_deref(), Some("m1"));
            out.push(e.position);
        }
        out
    }
    assert_eq!(take(&mut early, m1.len()).await, m1);
    let (mut late, seen_before) = late.unwrap();
    assert_eq!(
        take(&mut late, m1.len() - seen_before).await,
        m1[seen_before..]
    );
    let mut resumed = Box::pin(live.follow(m1[10], room("m1")));
    assert_eq!(take(&mut resumed, m1.len() - 11).await, m1[11..]);
    let mut other = Box::pin(live.follow(0, room("m2")));
    let first = tokio::time::timeout(Duration::from_secs(20), other.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.meeting.as_deref(), Some("m2"));
}

async fn reading_the_log_in_pages_sees_every_event_once(db: TestDb) {
    let store = Arc::new(db.open().await);
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..300 {
                store
                    .append(cmd(&format!("p{}", i % 7), i / 7, 1, None))
                    .await
                    .unwrap();
            }
        })
    };
    // Read while writing: every page continues exactly where the previous ended.
    let mut seen = Vec::new();
    let mut after = 0;
    while seen.len() < 300 {
        for e in store.read_all(after, 17).await.unwrap() {
            assert_eq!(e.position, after + 1, "no gap, no reordering");
            after = e.position;
            seen.push(e.position);
        }
        tokio::task::yield_now().await;
    }
    writer.await.unwrap();
    assert_eq!(seen.len(), 300);
}

/// Commands decided on a queued (not yet durable) append of the same stream: all commit, in
/// order, with contiguous stream versions.
async fn queued_commands_on_one_stream_commit_in_order(db: TestDb) {
    let store = db.open().await;
    let mut pending = Vec::new();
    let mut basis = None;
    for v in 0..50 {
        let p = store.enqueue(cmd("s", v, 1, None), basis).await.unwrap();
        basis = Some(p.ticket);
        pending.push(p);
    }
    let mut versions = Vec::new();
    for p in pending {
        versions.push(p.outcome().await.unwrap().stream_version);
    }
    assert_eq!(versions, (1..=50).collect::<Vec<i64>>());
    assert!(store.verify().await.unwrap().ok());
}

/// An append that fails takes every command decided on it down with it, even when the
/// stream versions they expect would otherwise line up with what the log holds.
async fn nothing_commits_on_top_of_a_failed_append(db: TestDb) {
    let store = db.open().await;
    store.append(cmd("s", 0, 1, None)).await.unwrap();
    // Decided on a stale view (expects 0, the stream is at 1): refused.
    let stale = store.enqueue(cmd("s", 0, 1, None), None).await.unwrap();
    // Decided on `stale`'s result: expects version 1, which the stream is at, but it rests
    // on a state that never existed.
    let dependent = store
        .enqueue(cmd("s", 1, 1, None), Some(stale.ticket))
        .await
        .unwrap();
    let second = store
        .enqueue(cmd("s", 2, 1, None), Some(dependent.ticket))
        .await
        .unwrap();
    assert!(matches!(
        stale.outcome().await,
        Err(AppendError::Conflict { .. })
    ));
    assert!(matches!(
        dependent.outcome().await,
        Err(AppendError::Conflict { .. })
    ));
    assert!(matches!(
        second.outcome().await,
        Err(AppendError::Conflict { .. })
    ));
    assert_eq!(store.stream_version("Test", "s").await.unwrap(), 1);
    // The stream is still usable.
    store.append(cmd("s", 1, 1, None)).await.unwrap();
    assert!(store.verify().await.unwrap().ok());
}

/// 32 clients × 500 commands on one aggregate through the command bus, as in a live session
/// on one meeting: no client sees a conflict, every acknowledged command is in the stream
/// exactly once, versions are contiguous and the state counts every command.
async fn one_aggregate_under_32_concurrent_clients_loses_nothing(db: TestDb) {
    use plenary::app::{CommandBus, CommandContext};
    let store = db.open().await;
    let bus = Arc::new(CommandBus::<Counter>::standalone(
        Repository::new(store.clone()),
        (),
    ));
    let (tasks, per_task) = (32, 500);
    let mut handles = Vec::new();
    for t in 0..tasks {
        let bus = bus.clone();
        handles.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..per_task {
                let mut ctx = CommandContext::system(&format!("client-{t}"), "secretariat");
                ctx.idempotency_key = Some(format!("{i}"));
                let receipt = bus.execute("shared", 1, &ctx).await.unwrap();
                assert!(!receipt.replayed);
                acked.extend(receipt.positions);
            }
            acked
        }));
    }
    let mut acked = Vec::new();
    for h in handles {
        acked.extend(h.await.unwrap());
    }
    let n = tasks * per_task;
    let events = store.read_stream("Counter", "shared", 0).await.unwrap();
    let versions: Vec<i64> = events.iter().map(|e| e.stream_version).collect();
    assert_eq!(versions, (1..=n as i64).collect::<Vec<_>>());
    let mut stored: Vec<i64> = events.iter().map(|e| e.position).collect();
    stored.sort();
    acked.sort();
    assert_eq!(acked, stored, "every acknowledged command exactly once");
    let (state, version) = bus.load("shared").await.unwrap();
    assert_eq!(
        (state.value, state.applied, version),
        (n as i64, n as i64, n as i64)
    );
    assert!(store.verify().await.unwrap().ok());
}

/// A client that disconnects drops its request midway, wherever it is: waiting for the lock,
/// deciding, or waiting for the commit. The aggregate's lock must not stay taken.
async fn cancelled_commands_leave_their_aggregate_usable(db: TestDb) {
    use plenary::app::{CommandBus, CommandContext};
    let store = db.open().await;
    let bus = Arc::new(CommandBus::<Counter>::standalone(
        Repository::new(store.clone()),
        (),
    ));
    for round in 0..50u64 {
        let mut tasks = Vec::new();
        for t in 0..8 {
            let bus = bus.clone();
            tasks.push(tokio::spawn(async move {
                let mut ctx = CommandContext::system("client", "secretariat");
                ctx.idempotency_key = Some(format!("{round}-{t}"));
                let _ = bus.execute("c", 1, &ctx).await;
            }));
        }
        // Cancel at different points: at once, after a few polls, after a little while.
        for _ in 0..round % 4 {
            tokio::task::yield_now().await;
        }
        if round % 5 == 4 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            let _ = t.await;
        }
    }
    let ctx = CommandContext::system("after", "secretariat");
    let done = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        bus.execute("c", 1, &ctx),
    )
    .await;
    assert!(matches!(done, Ok(Ok(_))), "the aggregate is still usable");
    // Whatever was acknowledged or not, the stream is contiguous and the state counts it all.
    let version = store.stream_version("Counter", "c").await.unwrap();
    let (state, loaded) = bus.load("c").await.unwrap();
    assert_eq!((state.applied, loaded), (version, version));
    assert!(store.verify().await.unwrap().ok());
}
