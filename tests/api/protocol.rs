//! The HTTP protocol of commands and reads: Idempotency-Key, If-Match, read-your-writes with
//! `?min_position=`, the live stream (resume, visibility), and projections equal to a rebuild
//! after the whole demo scenario.

use std::time::Duration;

use futures_util::StreamExt;
use plenary::projections::{audit, docs};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp, SMALL_BODY, SMALL_MEETING};

e2e_tests!(
    an_idempotent_retry_replays_and_appends_nothing,
    a_reused_key_with_another_body_is_refused,
    a_stale_if_match_is_a_conflict,
    reads_see_the_writes_they_ask_for,
    the_stream_resumes_and_hides_restricted_events,
    after_the_demo_every_projection_equals_a_rebuild,
);

fn body_cmds() -> String {
    format!("/api/v1/bodies/{SMALL_BODY}/commands")
}

fn meeting_cmds() -> String {
    format!("/api/v1/meetings/{SMALL_MEETING}/commands")
}

async fn keyed(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.req(Method::POST, &body_cmds(), Some(token))
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn an_idempotent_retry_replays_and_appends_nothing(app: TestApp) {
    let s = app.small_world("Meeting one").await;
    let cmd = json!({ "AdmitMember": { "state": "CHL" } });
    let first = keyed(&app, &s.sec, "admit-chl", &cmd).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["replayed"], false, "{first}");
    let positions = first["positions"].as_array().unwrap().clone();
    assert!(!positions.is_empty(), "{first}");
    let head = app.head().await;
    assert_eq!(positions.last().unwrap().as_i64().unwrap(), head);

    // The retry (twice, and concurrently) returns the same positions, replayed, appending nothing.
    for _ in 0..2 {
        let again = keyed(&app, &s.sec, "admit-chl", &cmd).await;
        assert_eq!(again.status(), StatusCode::OK);
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["replayed"], true, "{again}");
        assert_eq!(again["positions"].as_array().unwrap(), &positions);
        assert_eq!(again["stream_version"], first["stream_version"]);
    }
    let (a, b) = tokio::join!(
        keyed(&app, &s.sec, "admit-chl", &cmd),
        keyed(&app, &s.sec, "admit-chl", &cmd)
    );
    for r in [a, b] {
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["positions"].as_array().unwrap(), &positions);
    }
    assert_eq!(app.head().await, head, "a retry appends nothing");

    // Without the key the same command is a new request, refused by the rules (already a member).
    let r = app.post(&body_cmds(), &s.sec, cmd.clone()).await;
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(app.head().await, head);

    // Only the client's key is recorded: commands sent without one (the whole small world)
    // leave no row, since no client could retry with the key the server made up for them.
    let sql = "select count(*) from idempotency";
    let rows: i64 = match app.app.store.db() {
        plenary::store::Db::Postgres { pool, .. } => {
            sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
        }
        plenary::store::Db::Sqlite(pool, _) => {
            sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
        }
    };
    assert_eq!(rows, 1);
}

async fn a_reused_key_with_another_body_is_refused(app: TestApp) {
    let s = app.small_world("Meeting one").await;
    let r = keyed(
        &app,
        &s.sec,
        "k-1",
        &json!({ "AdmitMember": { "state": "CHL" } }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let head = app.head().await;
    let r = keyed(
        &app,
        &s.sec,
        "k-1",
        &json!({ "AdmitMember": { "state": "ARG" } }),
    )
    .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["type"], "/problems/idempotency-key-reused", "{p}");
    assert_eq!(app.head().await, head, "a refused key appends nothing");
    // The same key on another resource with another body: refused too.
    let r = app
        .req(Method::POST, &meeting_cmds(), Some(&s.sec))
        .header("idempotency-key", "k-1")
        .json(&json!({ "MarkPresent": { "state": "NOR" } }))
        .send()
        .await
        .unwrap();
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["type"], "/problems/idempotency-key-reused", "{p}");
    assert_eq!(app.head().await, head);
    // ARG was never admitted.
    let b: Value = app
        .get(
            &format!("/api/v1/bodies/{SMALL_BODY}?min_position={head}"),
            &s.sec,
        )
        .await
        .json()
        .await
        .unwrap();
    let members = b["members"].as_array().unwrap();
    assert!(
        members.contains(&json!("CHL")) && !members.contains(&json!("ARG")),
        "{b}"
    );
}

async fn a_stale_if_match_is_a_conflict(app: TestApp) {
    let s = app.small_world("Meeting one").await;
    let r = app
        .post(
            &meeting_cmds(),
            &s.sec,
            json!({ "MarkPresent": { "state": "NOR" } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let v: Value = r.json().await.unwrap();
    let version = v["stream_version"].as_i64().unwrap();
    assert_eq!(etag, format!("\"{version}\""));
    let head = app.head().await;

    // Acting on an older version: 409, problem+json with a stable type, nothing appended.
    let r = app
        .req(Method::POST, &meeting_cmds(), Some(&s.sec))
        .header("if-match", format!("\"{}\"", version - 1))
        .json(&json!({ "MarkPresent": { "state": "BRA" } }))
        .send()
        .await
        .unwrap();
    let p = problem(r, StatusCode::CONFLICT).await;
    assert_eq!(p["type"], "/problems/stale-version", "{p}");
    assert_eq!(app.head().await, head);
    // A version from the future is stale too.
    let r = app
        .req(Method::POST, &meeting_cmds(), Some(&s.sec))
        .header("if-match", format!("\"{}\"", version + 5))
        .json(&json!({ "MarkPresent": { "state": "BRA" } }))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::CONFLICT).await;
    assert_eq!(app.head().await, head);
    // A malformed If-Match is bad input.
    let r = app
        .req(Method::POST, &meeting_cmds(), Some(&s.sec))
        .header("if-match", "yesterday")
        .json(&json!({ "MarkPresent": { "state": "BRA" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(r, StatusCode::BAD_REQUEST).await["field"],
        "If-Match"
    );
    // The current version is accepted.
    let r = app
        .req(Method::POST, &meeting_cmds(), Some(&s.sec))
        .header("if-match", etag)
        .json(&json!({ "MarkPresent": { "state": "BRA" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["stream_version"].as_i64().unwrap(), version + 1);
}

async fn reads_see_the_writes_they_ask_for(app: TestApp) {
    let s = app.small_world("Meeting one").await;
    for state in ["CHL", "ARG", "PER", "URY", "PRY"] {
        let r = app
            .post(
                &body_cmds(),
                &s.sec,
                json!({ "AdmitMember": { "state": state } }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let p = r.json::<Value>().await.unwrap()["positions"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_i64()
            .unwrap();
        // At once, without sleeping: the read waits until it includes the write.
        let b: Value = app
            .get(
                &format!("/api/v1/bodies/{SMALL_BODY}?min_position={p}"),
                &s.nor,
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(
            b["members"].as_array().unwrap().contains(&json!(state)),
            "{b}"
        );
        // The same through the header, on the audit history.
        let r = app
            .req(
                Method::GET,
                "/api/v1/audit/events?limit=1000",
                Some(&s.auditor),
            )
            .header("x-min-position", p.to_string())
            .send()
            .await
            .unwrap();
        let events: Value = r.json().await.unwrap();
        assert!(events["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["position"] == p));
    }
    let r = app
        .post(
            &meeting_cmds(),
            &s.chair,
            json!({ "MarkPresent": { "state": "KEN" } }),
        )
        .await;
    let p = r.json::<Value>().await.unwrap()["positions"][0]
        .as_i64()
        .unwrap();
    let m: Value = app
        .get(
            &format!("/api/v1/meetings/{SMALL_MEETING}?min_position={p}"),
            &s.observer,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        m["state"]["present"]
            .as_array()
            .unwrap()
            .contains(&json!("KEN")),
        "{m}"
    );
    // Beyond the log: 400, not a wait.
    let head = app.head().await;
    let r = app
        .get(
            &format!("/api/v1/meetings?min_position={}", head + 1),
            &s.observer,
        )
        .await;
    assert_eq!(
        problem(r, StatusCode::BAD_REQUEST).await["field"],
        "min_position"
    );
    let r = app
        .get("/api/v1/meetings?min_position=soon", &s.observer)
        .await;
    problem(r, StatusCode::BAD_REQUEST).await;
}

/// Reads a server-sent event stream until `until` appears (or fails after 10 s).
pub(crate) async fn read_until(r: reqwest::Response, until: &str) -> String {
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut body = r.bytes_stream();
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !text.contains(until) {
            let chunk = body.next().await.unwrap().unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the stream never sent {until:?}; it sent:\n{text}"));
    text
}

pub(crate) fn ids(text: &str) -> Vec<i64> {
    text.lines()
        .filter_map(|l| l.strip_prefix("id:"))
        .map(|v| v.trim().parse().unwrap())
        .collect()
}

async fn the_stream_resumes_and_hides_restricted_events(app: TestApp) {
    let s = app.small_world("Meeting one").await;
    let convened = app.head().await;
    // Subscribed before the events exist: they arrive live.
    let live = app
        .req(
            Method::GET,
            &format!("/api/v1/stream?meeting={SMALL_MEETING}"),
            Some(&s.sec),
        )
        .send()
        .await
        .unwrap();
    // A sponsorship request (personal data, restricted), then a public act.
    let r = app
        .post(
            &meeting_cmds(),
            &s.nor,
            json!({ "RequestSponsorship": { "request_id": "sp-1",
            "expert": "Dr. Kari Nordmann", "state": "NOR", "amount_usd": 900 } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let restricted = r.json::<Value>().await.unwrap()["positions"][0]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            &meeting_cmds(),
            &s.sec,
            json!({ "RegisterObserver": { "observer_id": "holy-see", "name": "Holy See" } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let public = r.json::<Value>().await.unwrap()["positions"][0]
        .as_i64()
        .unwrap();
    let until = format!("id: {public}\n");

    let text = read_until(live, &until).await;
    assert_eq!(ids(&text), vec![restricted, public], "{text}");
    assert!(text.contains("event: SponsorshipRequested"), "{text}");

    // An observer, from the start of the log: the public record only.
    let r = app
        .req(
            Method::GET,
            &format!("/api/v1/stream?meeting={SMALL_MEETING}&after=0"),
            Some(&s.observer),
        )
        .send()
        .await
        .unwrap();
    let text = read_until(r, &until).await;
    let seen = ids(&text);
    assert!(seen.contains(&convened) && seen.contains(&public), "{text}");
    assert!(
        !seen.contains(&restricted),
        "an observer saw a restricted event: {text}"
    );
    assert!(
        !text.contains("SponsorshipRequested") && !text.contains("Nordmann"),
        "{text}"
    );

    // Another State's delegate does not see it; the State concerned and the secretariat do.
    for (token, sees) in [
        (&s.bra, false),
        (&s.nor, true),
        (&s.sec, true),
        (&s.auditor, true),
    ] {
        let r = app
            .req(
                Method::GET,
                &format!("/api/v1/stream?meeting={SMALL_MEETING}&after=0"),
                Some(token),
            )
            .send()
            .await
            .unwrap();
        let text = read_until(r, &until).await;
        assert_eq!(ids(&text).contains(&restricted), sees, "{text}");
    }

    // Resuming with Last-Event-ID: only what came after it, Last-Event-ID winning over ?after=.
    let r = app
        .req(
            Method::GET,
            &format!("/api/v1/stream?meeting={SMALL_MEETING}&after=0"),
            Some(&s.sec),
        )
        .header("last-event-id", restricted.to_string())
        .send()
        .await
        .unwrap();
    let text = read_until(r, &until).await;
    assert_eq!(ids(&text), vec![public], "{text}");
    // Digits only: a sign another parser might read differently is refused too.
    for bad in ["not-a-position", "-1", "+5", "99999999999999999999"] {
        let r = app
            .req(Method::GET, "/api/v1/stream", Some(&s.sec))
            .header("last-event-id", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(r, StatusCode::BAD_REQUEST).await["field"],
            "Last-Event-ID",
            "{bad}"
        );
    }
    let r = app.get("/api/v1/stream?colour=red", &s.sec).await;
    problem(r, StatusCode::BAD_REQUEST).await;
}

async fn after_the_demo_every_projection_equals_a_rebuild(app: TestApp) {
    let (t, _) = app.load_demo().await;
    let head = app.head().await;
    let db = app.app.store.db();
    let live_audit = audit::dump(db).await.unwrap();
    let live_docs = docs::dump(db).await.unwrap();
    assert_eq!(live_audit.len() as i64, head, "one audit row per event");
    // Every kind of read model has rows.
    let kinds: std::collections::BTreeSet<&str> =
        live_docs.iter().map(|(p, ..)| p.as_str()).collect();
    for k in ["amendments", "bodies", "decisions", "meetings"] {
        assert!(kinds.contains(k), "no {k} rows: {kinds:?}");
    }
    // What the API shows before.
    let api_before = api_views(&app, &t.auditor).await;

    app.app.projector.rebuild(None).await.unwrap();
    assert!(app.app.projector.position() >= head);
    let rebuilt_audit = audit::dump(db).await.unwrap();
    let rebuilt_docs = docs::dump(db).await.unwrap();

    assert_eq!(live_audit.len(), rebuilt_audit.len());
    for (l, r) in live_audit.iter().zip(&rebuilt_audit) {
        assert_eq!(l, r, "audit row {} differs after a rebuild", l.position);
    }
    assert_eq!(live_docs.len(), rebuilt_docs.len());
    for (l, r) in live_docs.iter().zip(&rebuilt_docs) {
        assert_eq!(
            l, r,
            "read_docs row {}/{} differs after a rebuild",
            l.0, l.1
        );
    }
    assert_eq!(api_before, api_views(&app, &t.auditor).await);
}

async fn api_views(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/bodies",
        "/api/v1/meetings",
        "/api/v1/decisions",
        "/api/v1/amendments",
        "/api/v1/frameworks/poa",
        "/api/v1/meetings/poa-rc-1",
        "/api/v1/meetings/poa-rc-1/agenda",
        "/api/v1/meetings/poa-rc-1/participation",
        "/api/v1/audit/events?limit=1000",
    ] {
        let r = app.get(path, token).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        out.push(r.json().await.unwrap());
    }
    out
}
