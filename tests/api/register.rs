//! The decisions register a page at a time: every decision exactly once across pages.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{problem, TestApp};

async fn the_register_pages_through_every_decision_once(app: TestApp) {
    let (tokens, _) = app.load_demo().await;
    app.settle().await;
    let t = &tokens.observer;
    let all: Value = app
        .get("/api/v1/decisions?limit=1000", t)
        .await
        .json()
        .await
        .unwrap();
    let all = all["decisions"].as_array().unwrap().clone();
    assert!(all.len() >= 4, "the demo takes several decisions");

    let mut paged = Vec::new();
    let mut path = "/api/v1/decisions?limit=1".to_owned();
    loop {
        let r = app.get(&path, t).await;
        assert_eq!(r.status(), StatusCode::OK);
        let page: Value = r.json().await.unwrap();
        let items = page["decisions"].as_array().unwrap();
        assert!(items.len() <= 1);
        paged.extend(items.iter().cloned());
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/decisions?limit=1&after={next}"),
            None => break,
        }
    }
    assert_eq!(paged, all);

    // A filter applies across pages too.
    let adopted: Value = app
        .get("/api/v1/decisions?kind=amendment_adopted&limit=1", t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(adopted["decisions"][0]["kind"], "amendment_adopted");

    for bad in ["limit=0", "limit=1001", "limit=x"] {
        problem(
            app.get(&format!("/api/v1/decisions?{bad}"), t).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
}

crate::helpers::e2e_tests!(the_register_pages_through_every_decision_once);
