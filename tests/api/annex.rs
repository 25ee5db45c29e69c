//! The annex of regional initiatives (issue 22, item 5): drafted by the secretariat, adopted
//! by a review conference's decision on the register, read as adopted at any moment with the
//! decision that adopted each entry; drafts only for those who may see them; refusals.

use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};
use plenary::demo::REVIEW_CONFERENCE;

async fn the_annex_is_adopted_by_a_review_conference_and_read_as_of_any_moment(app: TestApp) {
    let (t, out) = app.load_demo().await;
    app.settle().await;
    let get = |path: String, token: String| {
        let app = &app;
        async move {
            let r = app.get(&path, &token).await;
            assert_eq!(r.status(), 200, "{path}");
            r.json::<Value>().await.unwrap()
        }
    };

    // As the demo left it: four entries adopted by the Conference's decision, each naming it;
    // the OAS entry drafted since, shown to the secretariat and States, not to observers.
    let public = get("/api/v1/annexes/poa".into(), t.observer.clone()).await;
    let entries = public["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4, "{public}");
    let decision = entries[0]["adopted_by"]["symbol"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(decision.starts_with("PoA/RC.1/2026/DEC/"), "{public}");
    assert!(entries
        .iter()
        .all(|e| e["adopted_by"]["symbol"] == decision.as_str()));
    assert!(entries
        .iter()
        .any(|e| e["organisation"] == "OSCE" && e["links"][0] == "https://www.osce.org/"));
    assert!(
        public["pending"].is_null(),
        "no drafts for observers: {public}"
    );
    let sec = get("/api/v1/annexes/poa".into(), t.secretariat.clone()).await;
    assert_eq!(sec["pending"][0]["id"], "oas-cicte", "{sec}");
    let nor = get("/api/v1/annexes/poa".into(), t.delegates["NOR"].clone()).await;
    assert_eq!(nor["pending"][0]["change"], "wording");

    // As of the first day, nothing had been adopted.
    let (_, day1) = &out.day_ends[0];
    let then = get(
        format!("/api/v1/annexes/poa?at=p:{day1}"),
        t.observer.clone(),
    )
    .await;
    assert_eq!(then["entries"].as_array().unwrap().len(), 0, "{then}");

    // The secretariat proposes removing one; the public annex is unchanged until a review
    // conference adopts it. A decision of a meeting that is not a review conference, one
    // not on the register, or one that already adopted the annex, is refused.
    let cmd = "/api/v1/annexes/poa/commands";
    let send = |body: Value| {
        let app = &app;
        let token = t.secretariat.clone();
        async move { app.post(cmd, &token, body).await }
    };
    let r = send(json!({ "ProposeRemoval": { "entry_id": "nordic-cooperation" } })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.settle().await;
    let still = get("/api/v1/annexes/poa".into(), t.observer.clone()).await;
    assert_eq!(still["entries"].as_array().unwrap().len(), 4);
    let number: u32 = decision.rsplit('/').next().unwrap().parse().unwrap();
    for (body, status, kind) in [
        (
            json!({ "RecordAdoption": { "meeting_id": REVIEW_CONFERENCE, "decision_number": number } }),
            reqwest::StatusCode::CONFLICT,
            "already-adopted-by",
        ),
        (
            json!({ "RecordAdoption": { "meeting_id": REVIEW_CONFERENCE, "decision_number": 99 } }),
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-decision",
        ),
        (
            json!({ "RecordAdoption": { "meeting_id": "poa-pm-1", "decision_number": 1 } }),
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-decision",
        ),
        (
            json!({ "DraftEntry": { "entry_id": "bad", "organisation": "X", "title": "X",
                "description": "X", "links": ["javascript:alert(1)"] } }),
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
            "bad-link",
        ),
        // What the server supplies, a client cannot: a forged decision is replaced by the
        // register's, which has already adopted the annex.
        (
            json!({ "RecordAdoption": { "meeting_id": REVIEW_CONFERENCE, "decision_number": number,
                "decision": { "meeting_id": REVIEW_CONFERENCE, "number": 99,
                    "symbol": "X/1", "date": "2026-11-26" }, "by_review_conference": true } }),
            reqwest::StatusCode::CONFLICT,
            "already-adopted-by",
        ),
    ] {
        let before = app.head().await;
        let p = problem(send(body.clone()).await, status).await;
        assert_eq!(p["type"], format!("/problems/{kind}"), "{body}: {p}");
        assert_eq!(app.head().await, before, "a refusal changes nothing");
    }
    // Only the secretariat keeps the annex; an unknown body has none.
    let r = app
        .post(
            cmd,
            &t.delegates["NOR"],
            json!({ "ProposeRemoval": { "entry_id": "osce-cbms" } }),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app.get("/api/v1/annexes/no-such-body", &t.observer).await;
    assert_eq!(r.status(), 404);
}

e2e_tests!(the_annex_is_adopted_by_a_review_conference_and_read_as_of_any_moment);
