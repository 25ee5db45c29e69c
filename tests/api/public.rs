//! Public records without a credential (issue 22, item 9): the framework, the register,
//! published submissions, agendas, the annex, reporting cycles and the registry's
//! unrestricted documents, read as the public sees them, rate-limited per address; nothing
//! else, and a wrong token is never read as the public.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{e2e_tests, problem, TestApp};

async fn the_public_record_is_read_without_a_credential_and_nothing_more(app: TestApp) {
    let (t, _) = app.load_demo().await;
    app.settle().await;
    let anonymous = |path: &str| app.req(Method::GET, path, None).send();

    // What is public record answers, with the public's view.
    for path in [
        "/api/v1/frameworks/poa",
        "/api/v1/decisions",
        "/api/v1/decisions.csv",
        "/api/v1/meetings/poa-rc-1/agenda",
        "/api/v1/submissions",
        "/api/v1/submissions/nor-views-71-28",
        "/api/v1/annexes/poa",
        "/api/v1/reporting/poa",
        "/api/v1/documents",
    ] {
        let r = anonymous(path).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let annex: Value = anonymous("/api/v1/annexes/poa")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        annex["pending"].is_null(),
        "no drafts for the public: {annex}"
    );
    // The same as an observer of no organisation: published submissions only.
    let public: Value = anonymous("/api/v1/submissions")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secretariat: Value = app
        .get("/api/v1/submissions", &t.secretariat)
        .await
        .json()
        .await
        .unwrap();
    let statuses = |v: &Value| -> Vec<String> {
        v["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        statuses(&public).iter().all(|s| s == "published"),
        "{public}"
    );
    assert!(statuses(&secretariat).len() >= statuses(&public).len());

    // Everything else still asks for a credential: the meeting (its delegations' names),
    // the report, points of contact, the audit history, capacity building, commands.
    for path in [
        "/api/v1/meetings/poa-rc-1",
        "/api/v1/meetings/poa-rc-1/report",
        "/api/v1/contacts",
        "/api/v1/audit/events",
        "/api/v1/capacity",
        "/api/v1/participation",
    ] {
        let r = anonymous(path).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // A wrong token is refused, not read as the public.
    let r = app
        .req(
            Method::GET,
            "/api/v1/frameworks/poa",
            Some("pln_not-a-token"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Past the burst, an address waits: 429 with Retry-After, problem+json. A credential
    // is not limited.
    let mut limited = None;
    for _ in 0..(plenary::api::public::BURST * 3) {
        let r = anonymous("/api/v1/annexes/poa").await.unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("the public's reads are limited");
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(crate::helpers::content_type(&r), "application/problem+json");
    let r = app.get("/api/v1/annexes/poa", &t.observer).await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// What a body keeps from the public (SetPublicRecords) asks for a credential, or is left out
/// of a list; readers with a credential see what they saw.
async fn a_body_chooses_what_it_makes_public(app: TestApp) {
    let (t, _) = app.load_demo().await;
    app.settle().await;
    let anonymous = |path: &str| app.req(Method::GET, path, None).send();
    let json = |r: reqwest::Response| async move { r.json::<Value>().await.unwrap() };
    let count = |v: &Value, key: &str| v[key].as_array().map(Vec::len).unwrap_or(0);
    let before = json(anonymous("/api/v1/decisions").await.unwrap()).await;
    assert!(count(&before, "decisions") > 0, "{before}");
    let submissions = json(anonymous("/api/v1/submissions").await.unwrap()).await;
    assert!(count(&submissions, "submissions") > 0, "{submissions}");

    // Input that names no part of the record is refused, naming the field.
    let p = problem(
        app.post(
            "/api/v1/bodies/poa/commands",
            &t.secretariat,
            serde_json::json!({ "SetPublicRecords": { "records": ["Budget"] } }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.to_string().contains("records"), "{p}");
    // A delegate may not choose.
    let r = app
        .post(
            "/api/v1/bodies/poa/commands",
            &t.delegates["NOR"],
            serde_json::json!({ "SetPublicRecords": { "records": [] } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = app
        .post(
            "/api/v1/bodies/poa/commands",
            &t.secretariat,
            serde_json::json!({ "SetPublicRecords": { "records": ["Annex", "Framework"] } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.settle().await;
    for path in ["/api/v1/frameworks/poa", "/api/v1/annexes/poa"] {
        assert_eq!(
            anonymous(path).await.unwrap().status(),
            StatusCode::OK,
            "{path}"
        );
    }
    for path in [
        "/api/v1/meetings/poa-rc-1/agenda",
        "/api/v1/submissions/nor-views-71-28",
        "/api/v1/reporting/poa",
    ] {
        let r = anonymous(path).await.unwrap();
        let p = problem(r, StatusCode::UNAUTHORIZED).await;
        assert!(
            p["detail"].as_str().unwrap().contains("does not make its"),
            "{path}: {p}"
        );
    }
    // Lists leave the body's records out for the public.
    let public = json(anonymous("/api/v1/decisions").await.unwrap()).await;
    assert_eq!(count(&public, "decisions"), 0, "{public}");
    let public = json(anonymous("/api/v1/submissions").await.unwrap()).await;
    assert_eq!(count(&public, "submissions"), 0, "{public}");
    let public = json(anonymous("/api/v1/documents").await.unwrap()).await;
    assert_eq!(count(&public, "documents"), 0, "{public}");
    let public = json(anonymous("/api/v1/search?q=Norway").await.unwrap()).await;
    assert_eq!(count(&public, "hits"), 0, "{public}");
    // A credential reads what it read before.
    let observer = json(app.get("/api/v1/decisions", &t.observer).await).await;
    assert_eq!(observer["decisions"], before["decisions"]);
    let observer = json(app.get("/api/v1/search?q=Norway", &t.observer).await).await;
    assert!(count(&observer, "hits") > 0, "{observer}");

    // Nothing public: the framework too asks for a credential.
    let r = app
        .post(
            "/api/v1/bodies/poa/commands",
            &t.secretariat,
            serde_json::json!({ "SetPublicRecords": { "records": [] } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.settle().await;
    let r = anonymous("/api/v1/frameworks/poa/declaration.pdf")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app.get("/api/v1/frameworks/poa", &t.observer).await;
    assert_eq!(r.status(), StatusCode::OK);
}

e2e_tests!(
    the_public_record_is_read_without_a_credential_and_nothing_more,
    a_body_chooses_what_it_makes_public
);
