//! Accreditation by non-objection takes effect when the notice period ends, with nobody
//! sending a command: the sweep concludes it, once.

use chrono::{Days, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use plenary::app::accreditation::conclude_due;

async fn accreditations_are_concluded_when_their_notice_period_ends(app: TestApp) {
    let sec = app.token("secretariat", None).await;
    let bra = app.token("delegate", Some("BRA")).await;
    let path = "/api/v1/bodies/poa/commands";
    let ok = |r: reqwest::Response| async move {
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    };
    ok(app
        .post(
            path,
            &sec,
            json!({ "EstablishBody": {
        "body_id": "poa", "name": "Programme of Action", "parent_body": null,
        "founding_document": null, "members": ["NOR", "BRA", "FRA"], "rules": null } }),
        )
        .await)
    .await;
    let notice_ends = Utc::now().date_naive() + Days::new(14);
    for org in ["ngo-a", "ngo-b"] {
        ok(app
            .post(
                path,
                &sec,
                json!({ "RegisterStakeholder": {
            "organisation_id": org, "name": format!("Organisation {org}"), "kind": "CivilSociety",
            "already_accredited": false } }),
            )
            .await)
        .await;
        ok(app
            .post(
                path,
                &sec,
                json!({ "ProposeAccreditation": {
            "organisation_id": org, "notice_ends": notice_ends } }),
            )
            .await)
        .await;
    }
    let last = ok(app
        .post(
            path,
            &bra,
            json!({ "ObjectToAccreditation": {
        "organisation_id": "ngo-b", "state": "BRA", "reason": "Not relevant to the mandate" } }),
        )
        .await)
    .await;
    let seen = last["positions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_i64()
        .unwrap();
    body(&app, &sec, seen).await;

    // Not before the notice period is over.
    assert_eq!(conclude_due(&app.app, notice_ends).await.unwrap(), 0);
    let head = app.app.store.head();

    // The day after: one accredited, one rejected with its objector named.
    let after = notice_ends + Days::new(1);
    assert_eq!(conclude_due(&app.app, after).await.unwrap(), 2);
    let b = body(&app, &sec, app.app.store.head()).await;
    let text = b.to_string();
    assert_eq!(
        b["stakeholders"]["ngo-a"]["accreditation"], "Accredited",
        "{text}"
    );
    assert_eq!(
        b["stakeholders"]["ngo-b"]["accreditation"]["Rejected"]["objecting_states"],
        json!(["BRA"]),
        "{text}"
    );
    assert_eq!(app.app.store.head(), head + 2);

    // A second sweep (another instance, a retry) concludes nothing again.
    assert_eq!(conclude_due(&app.app, after).await.unwrap(), 0);
    assert_eq!(app.app.store.head(), head + 2);
}

/// The body's read model once it includes `min`.
async fn body(app: &TestApp, token: &str, min: i64) -> Value {
    let r = app
        .get(&format!("/api/v1/bodies/poa?min_position={min}"), token)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

crate::helpers::e2e_tests!(accreditations_are_concluded_when_their_notice_period_ends);
