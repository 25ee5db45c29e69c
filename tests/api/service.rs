//! The generic service: auth, errors, audit history, read-your-writes, live stream, rebuild.

use std::time::Duration;

use futures_util::StreamExt;
use plenary::projections::{audit, docs};
use plenary::store::chain::canonical_json;
use plenary::store::{AppendCommand, NewEvent};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{problem, TestApp};

crate::helpers::e2e_tests!(
    health_and_readiness,
    requests_without_a_valid_token_are_refused,
    credentials_are_issued_and_revoked_by_admins_only,
    bad_input_gets_problem_json_with_the_field,
    audit_history_is_filterable_and_paged,
    reads_wait_for_a_minimum_position,
    live_stream_sends_new_events_and_resumes,
    rebuild_produces_exactly_the_live_rows,
);

fn event(meeting: &str, version: i64, actor: &str, state: Option<&str>) -> AppendCommand {
    let mut meta = json!({ "actor": actor, "role": "delegate", "correlation_id": "corr-1" });
    if let Some(s) = state {
        meta["on_behalf_of"] = json!(s);
    }
    AppendCommand {
        // Not a real aggregate type: projections of real aggregates would refuse to decode it.
        aggregate_type: "Note".into(),
        aggregate_id: meeting.into(),
        expected_version: version,
        events: vec![NewEvent {
            event_type: "SomethingNoted".into(),
            event_version: "1".into(),
            payload: canonical_json(
                &json!({ "SomethingNoted": { "meeting_id": meeting, "note": format!("n{version}") } }),
            ),
            metadata: canonical_json(&meta),
        }],
        idempotency_key: None,
        request_hash: String::new(),
        snapshot: None,
    }
}

async fn seed(app: &TestApp, n: i64) -> i64 {
    let mut last = 0;
    for i in 0..n {
        let meeting = if i % 2 == 0 { "rc-1" } else { "pm-1" };
        let state = if i % 3 == 0 { Some("NOR") } else { Some("BRA") };
        let a = app
            .app
            .store
            .append(event(meeting, i / 2, &format!("actor-{}", i % 4), state))
            .await
            .unwrap();
        last = a.last_position;
    }
    last
}

async fn health_and_readiness(app: TestApp) {
    let r = app.req(Method::GET, "/health", None).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.req(Method::GET, "/ready", None).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["database"], "ok");
}

async fn requests_without_a_valid_token_are_refused(app: TestApp) {
    let r = app
        .req(Method::GET, "/api/v1/audit/events", None)
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("www-authenticate"));
    problem(r, StatusCode::UNAUTHORIZED).await;
    let r = app
        .req(Method::GET, "/api/v1/audit/events", Some("pln_nonsense"))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNAUTHORIZED).await;
    let r = app
        .req(Method::GET, "/api/v1/audit/events", None)
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNAUTHORIZED).await;
}

async fn credentials_are_issued_and_revoked_by_admins_only(app: TestApp) {
    let auditor = app.token("auditor", None).await;
    let r = app.get("/api/v1/audit/events", &auditor).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Only admins manage credentials.
    let r = app
        .post(
            "/api/v1/credentials",
            &auditor,
            json!({ "role": "admin", "label": "x" }),
        )
        .await;
    problem(r, StatusCode::FORBIDDEN).await;
    // Scope rules.
    let r = app
        .post(
            "/api/v1/credentials",
            &app.admin,
            json!({ "role": "delegate", "label": "x" }),
        )
        .await;
    assert_eq!(
        problem(r, StatusCode::UNPROCESSABLE_ENTITY).await["field"],
        "scope"
    );
    let r = app
        .post(
            "/api/v1/credentials",
            &app.admin,
            json!({ "role": "delegate", "scope": "norway", "label": "x" }),
        )
        .await;
    assert_eq!(
        problem(r, StatusCode::UNPROCESSABLE_ENTITY).await["field"],
        "scope"
    );
    // Listing never shows tokens or hashes.
    let r = app.get("/api/v1/credentials", &app.admin).await;
    let text = r.text().await.unwrap();
    assert!(
        !text.contains(&auditor) && !text.contains("token_hash"),
        "{text}"
    );
    let list: Value = serde_json::from_str(&text).unwrap();
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == "auditor")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Revoked: refused at once.
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/credentials/{id}"),
            Some(&app.admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app.get("/api/v1/audit/events", &auditor).await;
    problem(r, StatusCode::UNAUTHORIZED).await;
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/credentials/{id}"),
            Some(&app.admin),
        )
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::NOT_FOUND).await;
    // The database holds only hashes.
    let stored: Vec<String> = plenary::with_pool!(app.app.store.db(), p =>
        sqlx::query_scalar("select token_hash from credentials").fetch_all(p).await)
    .unwrap();
    assert!(stored
        .iter()
        .all(|h| h.len() == 64 && !h.starts_with("pln_")));
}

async fn bad_input_gets_problem_json_with_the_field(app: TestApp) {
    let admin = app.admin.clone();
    // Unknown field.
    let r = app
        .post(
            "/api/v1/credentials",
            &admin,
            json!({ "role": "auditor", "label": "x", "colour": "red" }),
        )
        .await;
    let b = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(b["detail"].as_str().unwrap().contains("colour"), "{b}");
    // Wrong type, with the field named.
    let r = app
        .post(
            "/api/v1/credentials",
            &admin,
            json!({ "role": "auditor", "label": 5 }),
        )
        .await;
    assert_eq!(
        problem(r, StatusCode::UNPROCESSABLE_ENTITY).await["field"],
        "label"
    );
    // Unknown enum value.
    let r = app
        .post(
            "/api/v1/credentials",
            &admin,
            json!({ "role": "king", "label": "x" }),
        )
        .await;
    assert_eq!(
        problem(r, StatusCode::UNPROCESSABLE_ENTITY).await["field"],
        "role"
    );
    // Malformed JSON.
    let r = app
        .req(Method::POST, "/api/v1/credentials", Some(&admin))
        .header("content-type", "application/json")
        .body("{\"role\":")
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::BAD_REQUEST).await;
    // Wrong content type.
    let r = app
        .req(Method::POST, "/api/v1/credentials", Some(&admin))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    // Oversized body.
    let huge = format!(
        "{{\"label\":\"{}\"}}",
        "x".repeat(plenary::api::MAX_BODY_BYTES + 10)
    );
    let r = app
        .req(Method::POST, "/api/v1/credentials", Some(&admin))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::PAYLOAD_TOO_LARGE).await;
    // Invalid UTF-8.
    let r = app
        .req(Method::POST, "/api/v1/credentials", Some(&admin))
        .header("content-type", "application/json")
        .body(vec![b'"', 0xff, 0xfe, b'"'])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    // Deeply nested JSON is refused, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let r = app
        .req(Method::POST, "/api/v1/credentials", Some(&admin))
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    // Bad ids and bad query parameters.
    let r = app
        .req(Method::DELETE, "/api/v1/credentials/..%2Fetc", Some(&admin))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::BAD_REQUEST).await;
    let r = app.get("/api/v1/audit/events?limit=lots", &admin).await;
    assert_eq!(problem(r, StatusCode::BAD_REQUEST).await["field"], "limit");
    let r = app.get("/api/v1/audit/events?from=yesterday", &admin).await;
    assert_eq!(problem(r, StatusCode::BAD_REQUEST).await["field"], "from");
    let r = app.get("/api/v1/audit/events/abc", &admin).await;
    problem(r, StatusCode::BAD_REQUEST).await;
    // Unknown route and method.
    problem(
        app.get("/api/v1/nothing", &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let r = app
        .req(Method::PUT, "/api/v1/log/head", Some(&admin))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::METHOD_NOT_ALLOWED).await;
    // Nothing was appended by any of it.
    assert_eq!(app.app.store.head_from_db().await.unwrap().0, 0);
}

async fn audit_history_is_filterable_and_paged(app: TestApp) {
    let last = seed(&app, 30).await;
    let auditor = app.token("auditor", None).await;
    let delegate = app.token("delegate", Some("NOR")).await;
    problem(
        app.get("/api/v1/audit/events", &delegate).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let all: Value = app
        .get(
            &format!("/api/v1/audit/events?limit=1000&min_position={last}"),
            &auditor,
        )
        .await
        .json()
        .await
        .unwrap();
    let events = all["events"].as_array().unwrap();
    assert_eq!(events.len(), 30);
    let e = &events[0];
    for field in [
        "position",
        "actor",
        "role",
        "on_behalf_of",
        "correlation_id",
        "recorded_at",
        "hash",
        "event_type",
        "meeting_id",
    ] {
        assert!(!e[field].is_null(), "{field} missing in {e}");
    }

    let by_meeting: Value = app
        .get("/api/v1/audit/events?meeting=rc-1&limit=1000", &auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_meeting["events"].as_array().unwrap().len(), 15);
    let by_state: Value = app
        .get("/api/v1/audit/events?state=NOR&limit=1000", &auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_state["events"].as_array().unwrap().len(), 10);
    let by_actor: Value = app
        .get(
            "/api/v1/audit/events?actor=actor-1&stream=Note/pm-1",
            &auditor,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(by_actor["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] == "actor-1" && e["aggregate_id"] == "pm-1"));
    let none: Value = app
        .get("/api/v1/audit/events?to=2001-01-01", &auditor)
        .await
        .json()
        .await
        .unwrap();
    assert!(none["events"].as_array().unwrap().is_empty());

    // Cursor paging visits every event once, in order.
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page: Value = app
            .get(
                &format!("/api/v1/audit/events?limit=7&after={after}"),
                &auditor,
            )
            .await
            .json()
            .await
            .unwrap();
        for e in page["events"].as_array().unwrap() {
            seen.push(e["position"].as_i64().unwrap());
        }
        match page["next"].as_i64() {
            Some(n) => after = n,
            None => break,
        }
    }
    assert_eq!(seen, (1..=30).collect::<Vec<_>>());

    let one: Value = app
        .get("/api/v1/audit/events/3", &auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["payload"]["SomethingNoted"]["note"], "n1");
    assert_eq!(one["hash"].as_str().unwrap().len(), 64);
    problem(
        app.get("/api/v1/audit/events/999", &auditor).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn reads_wait_for_a_minimum_position(app: TestApp) {
    let auditor = app.token("auditor", None).await;
    let last = seed(&app, 5).await;
    // Asked to include `last`, the read waits for the projector instead of answering stale.
    let r: Value = app
        .get(
            &format!("/api/v1/audit/events?min_position={last}"),
            &auditor,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["events"].as_array().unwrap().len(), 5);
    // Beyond the end of the log: a client error, answered at once.
    let r = app
        .req(Method::GET, "/api/v1/audit/events", Some(&auditor))
        .header("x-min-position", (last + 100).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(r, StatusCode::BAD_REQUEST).await["field"],
        "min_position"
    );
    // An event the projections cannot decode stalls them (loudly, never skipped): a read that
    // must include it answers 503 with Retry-After instead of stale data.
    let mut bad = event("rc-9", 0, "actor-x", None);
    bad.aggregate_type = "Meeting".into();
    let stalled = app.app.store.append(bad).await.unwrap().last_position;
    let r = app
        .req(Method::GET, "/api/v1/audit/events", Some(&auditor))
        .header("x-min-position", stalled.to_string())
        .send()
        .await
        .unwrap();
    let retry = r.headers().get("retry-after").cloned();
    problem(r, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(retry.is_some());
}

async fn live_stream_sends_new_events_and_resumes(app: TestApp) {
    let observer = app.token("observer", Some("icrc")).await;
    let r = app
        .req(
            Method::GET,
            "/api/v1/stream?meeting=rc-1&after=0",
            Some(&observer),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut body = r.bytes_stream();
    seed(&app, 6).await; // rc-1 gets positions 1, 3, 5
    let mut text = String::new();
    let read = async {
        while !text.contains("id: 5\n") {
            let chunk = body.next().await.unwrap().unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("stream delivered events");
    assert!(text.contains("id: 1\n") && text.contains("id: 3\n"));
    assert!(
        !text.contains("id: 2\n"),
        "events of other meetings are filtered out"
    );
    drop(body);

    // Resume after position 3.
    let r = app
        .req(Method::GET, "/api/v1/stream?meeting=rc-1", Some(&observer))
        .header("last-event-id", "3")
        .send()
        .await
        .unwrap();
    let mut body = r.bytes_stream();
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !text.contains("id: 5\n") {
            text.push_str(&String::from_utf8_lossy(
                &body.next().await.unwrap().unwrap(),
            ));
        }
    })
    .await
    .unwrap();
    assert!(!text.contains("id: 1\n") && !text.contains("id: 3\n"));
}

async fn rebuild_produces_exactly_the_live_rows(app: TestApp) {
    let last = seed(&app, 40).await;
    assert!(
        app.app
            .projector
            .wait_for(last, Duration::from_secs(10))
            .await
    );
    let db = app.app.store.db();
    let live = (
        audit::dump(db).await.unwrap(),
        docs::dump(db).await.unwrap(),
    );
    app.app.projector.rebuild(None).await.unwrap();
    let rebuilt = (
        audit::dump(db).await.unwrap(),
        docs::dump(db).await.unwrap(),
    );
    assert_eq!(live.0.len(), 40);
    assert_eq!(live, rebuilt, "a rebuild reproduces the live rows exactly");
}
