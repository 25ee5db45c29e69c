//! History readable for decades (issue 21): the golden log, written by an earlier Plenary
//! (tests/fixtures/golden), verifies and replays with this one to exactly what that version
//! derived, offline and through the API of a fresh store on each backend; and an event that
//! today's rules would refuse still decodes as it was recorded.

#[path = "common/mod.rs"]
mod common;
#[path = "api/helpers.rs"]
mod helpers;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use common::Backend;
use plenary::app::history::Cut;
use plenary::audit::bundle::{self, EventLine, Manifest};
use plenary::audit::{replay, verify};
use plenary::store::StoredEvent;

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden")
}

fn expected(name: &str) -> Value {
    let path = golden().join("expected").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The conference days' last positions, as the demo printed them when it wrote the log.
const DAYS: [(&str, i64); 4] = [
    ("2026-11-23", 89),
    ("2026-11-24", 106),
    ("2026-11-25", 116),
    ("2026-11-26", 181),
];

fn events() -> Vec<StoredEvent> {
    let dir = golden();
    let manifest = Manifest::read(&dir).unwrap();
    let mut out = Vec::new();
    bundle::for_each_line(&dir, &manifest, |_, line| {
        let l: EventLine<'_> = serde_json::from_str(line).unwrap();
        out.push(l.to_stored().unwrap());
        true
    })
    .unwrap();
    out
}

#[test]
fn the_golden_log_verifies_and_replays_to_what_it_derived() {
    let checked = verify::verify_bundle(&golden(), None, &[]).unwrap();
    assert!(checked.problem.is_none(), "{:?}", checked.problem);
    assert_eq!(checked.last_position, 181);
    for (day, position) in DAYS {
        let r = replay::replay(&golden(), Cut::Position(position)).unwrap();
        let want = expected(&format!("framework-end-of-{day}.json"));
        assert_eq!(
            serde_json::to_value(&r.frameworks).unwrap(),
            want["frameworks"],
            "the Declaration at the end of {day}"
        );
    }
    let r = replay::replay(&golden(), Cut::Position(181)).unwrap();
    assert_eq!(
        Value::Array(r.decisions),
        expected("register.json")["decisions"]
    );
}

async fn the_golden_log_reads_the_same_through_the_api(backend: Backend) {
    let Some(app) = helpers::spawn_app_from(backend, &events()).await else {
        eprintln!("skipped: set {} to run the Postgres half", common::PG_ENV);
        return;
    };
    assert_eq!(app.app.store.head(), 181);
    let auditor = app.token("auditor", None).await;
    let read = |path: String| {
        let app = &app;
        let auditor = &auditor;
        async move {
            let r = app.get(&path, auditor).await;
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };
    for (day, position) in DAYS {
        let live = read(format!("/api/v1/frameworks/poa?at=p:{position}")).await;
        let want = expected(&format!("framework-end-of-{day}.json"));
        assert_eq!(
            live, want["frameworks"][0],
            "the Declaration at the end of {day}"
        );
    }
    let register = read("/api/v1/decisions?limit=1000&at=p:181".into()).await;
    let mut entries = register["decisions"].as_array().unwrap().clone();
    entries.sort_by_key(|d| d["position"].as_i64());
    assert_eq!(
        Value::Array(entries),
        expected("register.json")["decisions"]
    );
    // The read models, built from the imported log, agree with it.
    let head = app.app.store.head();
    let now = read(format!("/api/v1/decisions?limit=1000&min_position={head}")).await;
    assert_eq!(now["decisions"], register["decisions"]);
    let history = read("/api/v1/audit/events?state=NOR&limit=1000".into()).await;
    assert_eq!(
        history,
        expected("audit-history-NOR.json"),
        "Norway's audit history"
    );
}

/// An event valid when it was written, refused by today's rules (a State code in lower
/// case), is read as it was recorded: the aggregate loads, the read model shows it.
async fn history_decodes_as_it_was_recorded(backend: Backend) {
    use plenary::domain::values::StateCode;
    use plenary::store::{chain, AppendCommand, NewEvent};
    let Some(app) = helpers::spawn_app(backend).await else {
        eprintln!("skipped: set {} to run the Postgres half", common::PG_ENV);
        return;
    };
    assert!(StateCode::parse("Nor").is_err(), "today's rule refuses it");
    let payload = json!({ "BodyEstablished": { "body_id": "old-body", "name": "An old body",
        "parent_body": null, "founding_document": null, "members": ["BRA", "Nor"],
        "rules": serde_json::to_value(plenary::domain::body::RulesOfProcedure::default()).unwrap() } });
    app.app
        .store
        .append(AppendCommand {
            aggregate_type: "Body".into(),
            aggregate_id: "old-body".into(),
            expected_version: 0,
            idempotency_key: None,
            request_hash: String::new(),
            snapshot: None,
            events: vec![NewEvent {
                event_type: "BodyEstablished".into(),
                event_version: "1".into(),
                payload: chain::canonical_json(&payload),
                metadata: chain::canonical_json(&json!({ "actor": "an earlier Plenary" })),
            }],
        })
        .await
        .unwrap();
    let (body, version) = app.app.bodies.load("old-body").await.unwrap();
    assert_eq!(version, 1);
    assert!(body.members.iter().any(|s| s.as_str() == "Nor"), "{body:?}");
    app.settle().await;
    let token = app.token("secretariat", None).await;
    let r = app
        .get("/api/v1/bodies/old-body?min_position=1", &token)
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let view: Value = r.json().await.unwrap();
    assert!(view.to_string().contains("\"Nor\""), "{view}");
}

/// An event written by a newer Plenary (a schema version this one does not know) is never
/// guessed at: the read models stop there and /ready says why, instead of retrying for ever.
async fn an_event_from_a_newer_plenary_stops_the_read_models_and_says_why(backend: Backend) {
    use plenary::store::{chain, AppendCommand, NewEvent};
    let Some(app) = helpers::spawn_app(backend).await else {
        eprintln!("skipped: set {} to run the Postgres half", common::PG_ENV);
        return;
    };
    let payload = json!({ "BodyEstablished": { "body_id": "future", "name": "From the future",
        "parent_body": null, "founding_document": null, "members": ["BRA"],
        "rules": serde_json::to_value(plenary::domain::body::RulesOfProcedure::default()).unwrap() } });
    app.app
        .store
        .append(AppendCommand {
            aggregate_type: "Body".into(),
            aggregate_id: "future".into(),
            expected_version: 0,
            idempotency_key: None,
            request_hash: String::new(),
            snapshot: None,
            events: vec![NewEvent {
                event_type: "BodyEstablished".into(),
                event_version: "99".into(),
                payload: chain::canonical_json(&payload),
                metadata: chain::canonical_json(&json!({ "actor": "a later Plenary" })),
            }],
        })
        .await
        .unwrap();
    let mut why = None;
    for _ in 0..250 {
        why = app.app.projector.halted();
        if why.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let why = why.expect("the read models stop at the event");
    assert!(why.contains("written by a newer Plenary"), "{why}");
    let r = app
        .client
        .get(format!("{}/ready", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("cannot read"),
        "{body}"
    );
    assert!(
        body["halted"].as_str().unwrap().contains("version 99"),
        "{body}"
    );
}

/// A read model whose shape version differs from the one it was built with is rebuilt from
/// the log (the service does this when it starts), and comes back exactly as before.
async fn a_read_model_of_another_shape_is_rebuilt_from_the_log(backend: Backend) {
    use plenary::projections::docs;
    let Some(app) = helpers::spawn_app_from(backend, &events()).await else {
        eprintln!("skipped: set {} to run the Postgres half", common::PG_ENV);
        return;
    };
    app.settle().await;
    let db = app.app.store.db();
    // Started on an imported log: every projection was built, and recorded its version.
    let mut pending = app.app.projector.rebuild_outdated().await.unwrap();
    for _ in 0..50 {
        if pending.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        pending = app.app.projector.rebuild_outdated().await.unwrap();
    }
    assert!(pending.is_empty(), "{pending:?}");
    let before = docs::dump(db).await.unwrap();
    assert!(before.iter().any(|(p, ..)| p == "decisions"));
    // As if an older Plenary had built the register: another version, and rows it lacks.
    app.db
        .raw("update projection_versions set version = 1 where name = 'decisions'")
        .await
        .unwrap();
    app.db
        .raw("delete from read_docs where projection = 'decisions'")
        .await
        .unwrap();
    let rebuilt = app.app.projector.rebuild_outdated().await.unwrap();
    assert_eq!(rebuilt, vec!["decisions"]);
    assert_eq!(docs::dump(db).await.unwrap(), before);
    assert!(app
        .app
        .projector
        .rebuild_outdated()
        .await
        .unwrap()
        .is_empty());
}

mod sqlite {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_golden_log_reads_the_same_through_the_api() {
        super::the_golden_log_reads_the_same_through_the_api(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn history_decodes_as_it_was_recorded() {
        super::history_decodes_as_it_was_recorded(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn an_event_from_a_newer_plenary_stops_the_read_models_and_says_why() {
        super::an_event_from_a_newer_plenary_stops_the_read_models_and_says_why(Backend::Sqlite)
            .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_read_model_of_another_shape_is_rebuilt_from_the_log() {
        super::a_read_model_of_another_shape_is_rebuilt_from_the_log(Backend::Sqlite).await
    }
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_golden_log_reads_the_same_through_the_api() {
        super::the_golden_log_reads_the_same_through_the_api(Backend::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn history_decodes_as_it_was_recorded() {
        super::history_decodes_as_it_was_recorded(Backend::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn an_event_from_a_newer_plenary_stops_the_read_models_and_says_why() {
        super::an_event_from_a_newer_plenary_stops_the_read_models_and_says_why(Backend::Postgres)
            .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_read_model_of_another_shape_is_rebuilt_from_the_log() {
        super::a_read_model_of_another_shape_is_rebuilt_from_the_log(Backend::Postgres).await
    }
}
