//! Submissions over HTTP: a State files its views and a stakeholder its working paper; drafts
//! stay with their filer until the secretariat publishes them under a symbol.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};

async fn a_state_files_and_the_secretariat_publishes(app: TestApp) {
    let sec = app.token("secretariat", None).await;
    let nor = app.token("delegate", Some("NOR")).await;
    let bra = app.token("delegate", Some("BRA")).await;
    let ngo = app.token("observer", Some("ngo-1")).await;
    let other = app.token("observer", Some("ngo-2")).await;
    let auditor = app.token("auditor", None).await;
    let r = app.post("/api/v1/bodies/poa/commands", &sec, json!({ "EstablishBody": { "body_id": "poa", "name": "PoA",
        "parent_body": null, "founding_document": null, "members": ["NOR", "BRA"], "rules": null } })).await;
    assert_eq!(r.status(), StatusCode::OK);
    for (org, accredited) in [("ngo-1", true), ("ngo-2", false)] {
        let r = app
            .post(
                "/api/v1/bodies/poa/commands",
                &sec,
                json!({ "RegisterStakeholder": { "organisation_id": org,
            "name": org, "kind": "CivilSociety", "already_accredited": accredited } }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let cmds = "/api/v1/submissions/sub-nor/commands";
    let draft = |state: &str| {
        json!({ "Draft": { "submission_id": "sub-nor", "body_id": "poa", "kind": "NationalViews",
        "state": state, "title": "Norway's views", "language": "en", "text": "Norway is among the world's most digitalized countries.",
        "resolution": "A/RES/71/28", "sections": ["capacity_building"], "paragraphs": [], "topics": ["due diligence"] } })
    };
    // Only for one's own State.
    assert_eq!(
        app.post(cmds, &bra, draft("NOR")).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = app.post(cmds, &nor, draft("NOR")).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // A client cannot claim to be accredited; the id must be the record's.
    let mut forged = draft("NOR");
    forged["Draft"]["submission_id"] = json!("other");
    let p = problem(
        app.post(cmds, &nor, forged).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "submission_id");
    let r = app.post(cmds, &nor, json!({ "Revise": { "state": "NOR", "text": "Revised: Norway is firmly committed to a free, open, peaceful and secure cyberspace." } })).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.settle().await;
    // The draft is Norway's, the secretariat's and the auditor's to read; not Brazil's.
    assert_eq!(
        app.get("/api/v1/submissions/sub-nor", &bra).await.status(),
        StatusCode::NOT_FOUND
    );
    let l: Value = app
        .get("/api/v1/submissions", &bra)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(l["submissions"].as_array().unwrap().len(), 0);
    for t in [&nor, &sec, &auditor] {
        let s: Value = app
            .get("/api/v1/submissions/sub-nor", t)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (s["status"].as_str(), s["revisions"].as_u64()),
            (Some("draft"), Some(2))
        );
    }
    // Published only once submitted, by the secretariat.
    let publish = json!({ "Publish": { "symbol": "A/72/315" } });
    let p = problem(
        app.post(cmds, &sec, publish.clone()).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["type"].as_str().unwrap().ends_with("wrong-status"), "{p}");
    assert_eq!(
        app.post(cmds, &nor, json!({ "Submit": { "state": "NOR" } }))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(cmds, &nor, publish.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.post(cmds, &sec, publish).await.status(), StatusCode::OK);
    let r = app.post(cmds, &sec, json!({ "AddLanguageVersion": { "state": "NOR", "language": "fr", "text": "La Norvège est l'un des pays les plus numérisés au monde.", "origin": "machine", "of_revision": 1 } })).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.settle().await;
    let s: Value = app
        .get("/api/v1/submissions/sub-nor", &bra)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["status"], "published");
    assert_eq!(s["symbol"], "A/72/315");
    assert!(s["text"].as_str().unwrap().starts_with("Revised"), "{s}");
    assert_eq!(s["versions"][0]["stale"], true, "{s}");
    let l: Value = app
        .get(
            "/api/v1/submissions?topic=Due%20Diligence&kind=national_views",
            &ngo,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(l["submissions"].as_array().unwrap().len(), 1, "{l}");

    // A stakeholder files a working paper only if accredited, and only for itself.
    let paper = |id: &str, org: &str| {
        json!({ "Draft": { "submission_id": id, "body_id": "poa", "kind": "StakeholderWorkingPaper",
        "organisation": org, "title": "A paper", "language": "en", "text": "Views.", "sections": [], "paragraphs": [], "topics": [] } })
    };
    let r = app
        .post(
            "/api/v1/submissions/wp-1/commands",
            &ngo,
            paper("wp-1", "ngo-1"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(
        app.post(
            "/api/v1/submissions/wp-2/commands",
            &ngo,
            paper("wp-2", "ngo-2")
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let p = problem(
        app.post(
            "/api/v1/submissions/wp-2/commands",
            &other,
            paper("wp-2", "ngo-2"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("not-accredited"),
        "{p}"
    );
    let mut claimed = paper("wp-3", "ngo-2");
    claimed["Draft"]["accredited"] = json!(true);
    let p = problem(
        app.post("/api/v1/submissions/wp-3/commands", &other, claimed)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("not-accredited"),
        "a client's claim is overwritten: {p}"
    );
    // Nothing refused was recorded.
    app.settle().await;
    assert_eq!(
        app.get("/api/v1/submissions/wp-2", &sec).await.status(),
        StatusCode::NOT_FOUND
    );
}

e2e_tests!(a_state_files_and_the_secretariat_publishes);
