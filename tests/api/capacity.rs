//! Capacity building over HTTP: a request, two offers, the pairs suggested and why, and a
//! match that takes effect only when both sides accept, followed to completion.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};

async fn a_request_is_matched_with_an_offer_both_sides_accept(app: TestApp) {
    let gha = app.token("delegate", Some("GHA")).await;
    let nor = app.token("delegate", Some("NOR")).await;
    let bra = app.token("delegate", Some("BRA")).await;
    let fund = app.token("observer", Some("cyber-fund")).await;
    let req = "/api/v1/capacity/requests/gha-cert/commands";
    let r = app.post(req, &gha, json!({ "FileRequest": { "request_id": "gha-cert", "state": "GHA", "area": "capacity_building",
        "gap_analysis": null, "priority": "High", "modality": "CertDevelopment", "language": "en",
        "region": "Africa", "needed_by": "2027-12-31", "description": "Setting up a national CERT" } })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let offer = |id: &str, who: Value, modalities: Value, regions: Value| {
        let mut o = json!({ "MakeOffer": { "offer_id": id, "areas": ["capacity_building"], "modalities": modalities,
            "languages": ["en", "fr"], "regions": regions, "capacity": 1, "description": "Support" } });
        o["MakeOffer"]
            .as_object_mut()
            .unwrap()
            .extend(who.as_object().unwrap().clone());
        o
    };
    let r = app
        .post(
            "/api/v1/capacity/offers/nor-cert/commands",
            &nor,
            offer(
                "nor-cert",
                json!({ "state": "NOR" }),
                json!(["CertDevelopment", "Training"]),
                json!(["Africa"]),
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let r = app
        .post(
            "/api/v1/capacity/offers/fund-training/commands",
            &fund,
            offer(
                "fund-training",
                json!({ "organisation": "cyber-fund" }),
                json!(["Training"]),
                json!([]),
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Nobody offers in another's name.
    let r = app
        .post(
            "/api/v1/capacity/offers/x/commands",
            &bra,
            offer(
                "x",
                json!({ "state": "NOR" }),
                json!(["Training"]),
                json!([]),
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let p = problem(
        app.post(
            "/api/v1/capacity/offers/y/commands",
            &bra,
            offer("y", json!({ "state": "BRA" }), json!([]), json!([])),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["type"].as_str().unwrap().ends_with("empty-offer"), "{p}");
    app.settle().await;

    // Suggested pairs, best first, each with why.
    let b: Value = app
        .get("/api/v1/capacity", &bra)
        .await
        .json()
        .await
        .unwrap();
    let s = b["suggestions"].as_array().unwrap();
    assert_eq!(s.len(), 2, "{b}");
    assert_eq!(
        (s[0]["offer_id"].as_str(), s[0]["score"].as_u64()),
        (Some("nor-cert"), Some(8)),
        "{b}"
    );
    let why: Vec<&str> = s[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        why,
        [
            "area: capacity_building",
            "modality: CertDevelopment",
            "language: en",
            "region: Africa"
        ]
    );
    assert_eq!(
        s[1]["reasons"].as_array().unwrap().last().unwrap(),
        "any region"
    );

    // Only the requesting State (or the secretariat) proposes; the offerer is the offer's.
    let propose = json!({ "ProposeMatch": { "state": "GHA", "offer_id": "nor-cert", "offerer": { "State": "BRA" } } });
    assert_eq!(
        app.post(req, &bra, propose.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.post(req, &gha, propose).await.status(), StatusCode::OK);
    app.settle().await;
    let b: Value = app
        .get("/api/v1/capacity", &gha)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        b["requests"][0]["current"]["offerer"], "NOR",
        "the client's offerer is overwritten: {b}"
    );
    // A third State is no party to it; the match waits for both sides.
    let p = problem(
        app.post(req, &bra, json!({ "AcceptMatch": { "state": "BRA" } }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["type"].as_str().unwrap().ends_with("not-a-party"), "{p}");
    assert_eq!(
        app.post(req, &nor, json!({ "AcceptMatch": { "state": "NOR" } }))
            .await
            .status(),
        StatusCode::OK
    );
    let p = problem(
        app.post(
            req,
            &gha,
            json!({ "RecordProgress": { "state": "GHA", "note": "Early", "completed": false } }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("no-match-agreed"),
        "{p}"
    );
    assert_eq!(
        app.post(req, &gha, json!({ "AcceptMatch": { "state": "GHA" } }))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(app.post(req, &nor, json!({ "RecordProgress": { "state": "NOR", "note": "Trainers deployed", "completed": false } })).await.status(), StatusCode::OK);
    app.settle().await;
    let b: Value = app
        .get("/api/v1/capacity", &gha)
        .await
        .json()
        .await
        .unwrap();
    let r = &b["requests"][0];
    assert_eq!(
        (r["status"].as_str(), r["current"]["stage"].as_str()),
        (Some("matched"), Some("agreed")),
        "{b}"
    );
    assert_eq!(r["current"]["progress"][0][2], "Trainers deployed");
    assert!(
        b["suggestions"].as_array().unwrap().is_empty(),
        "a matched request is not suggested again: {b}"
    );
    let o = b["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "nor-cert")
        .unwrap();
    assert_eq!(o["in_use"], 1);
    assert_eq!(app.post(req, &gha, json!({ "RecordProgress": { "state": "GHA", "note": "CERT operational", "completed": true } })).await.status(), StatusCode::OK);
    app.settle().await;
    let b: Value = app
        .get("/api/v1/capacity", &gha)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(b["requests"][0]["status"], "completed");
}

e2e_tests!(a_request_is_matched_with_an_offer_both_sides_accept);
