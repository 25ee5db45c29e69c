//! Public records without a credential (issue 22, item 9): the framework, the register,
//! published submissions, agendas, the annex, reporting cycles and the registry's
//! unrestricted documents, read as the public sees them, rate-limited per address; nothing
//! else, and a wrong token is never read as the public.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{e2e_tests, TestApp};

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

e2e_tests!(the_public_record_is_read_without_a_credential_and_nothing_more);
