//! Issue 18: an as-of that the log cannot answer is refused like `min_position`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{e2e_tests, problem, TestApp, SMALL_BODY};

e2e_tests!(an_as_of_position_beyond_the_head_is_refused_like_min_position);

/// Item 7: `at=p:N` past the head was answered 200 with the state now.
async fn an_as_of_position_beyond_the_head_is_refused_like_min_position(app: TestApp) {
    let s = app.small_world("Meeting one").await;
    let r = app
        .post(
            &format!("/api/v1/frameworks/{SMALL_BODY}/commands"),
            &s.sec,
            json!({ "EstablishProgramme": {
                "body_id": SMALL_BODY, "name": "Declaration", "establishing_symbol": "A/RES/1/1",
                "date": "2027-01-01", "co_sponsors": ["NOR"],
                "sections": [{ "section": "general", "title": "General" }],
                "paragraphs": [{ "id": "OP-1", "kind": "operative", "section": "general", "text": "Decides." }] } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (head, _) = app.app.store.head_from_db().await.unwrap();
    let at = |p: i64| format!("/api/v1/frameworks/{SMALL_BODY}?at=p:{p}");

    let r = app.get(&at(head), &s.observer).await;
    assert_eq!(r.status(), StatusCode::OK);
    for beyond in [head + 1, head + 1000, i64::MAX] {
        let p = problem(
            app.get(&at(beyond), &s.observer).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(p["field"], "at", "{p}");
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("beyond the end of the log")
                && detail.contains(&format!("(position {head})")),
            "{p}"
        );
    }
    // The same rule as min_position, on a read that takes it.
    let p = problem(
        app.get(
            &format!("/api/v1/bodies/{SMALL_BODY}?min_position={}", head + 1),
            &s.observer,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "min_position", "{p}");
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("beyond the end of the log"));

    // The OpenAPI document says so where `at` is described.
    let doc: serde_json::Value = app
        .req(reqwest::Method::GET, "/openapi.json", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let params = doc["paths"]["/api/v1/frameworks/{id}"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let at_doc = params.iter().find(|p| p["name"] == "at").unwrap();
    assert!(
        at_doc["description"]
            .as_str()
            .unwrap()
            .contains("beyond the end of the log is refused"),
        "{at_doc}"
    );
}
