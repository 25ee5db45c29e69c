//! The decisions register and the amendments board a page at a time: every entry exactly
//! once across pages.

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

async fn the_board_pages_through_every_amendment_once(app: TestApp) {
    let (tokens, _) = app.load_demo().await;
    app.settle().await;
    let t = &tokens.observer;
    let get = |path: String| {
        let app = &app;
        async move {
            let r = app.get(&path, t).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            r.json::<Value>().await.unwrap()
        }
    };
    let all = get("/api/v1/amendments?limit=1000".into()).await;
    assert!(all["next"].is_null());
    let all = all["amendments"].as_array().unwrap().clone();
    assert!(all.len() >= 3, "the demo drafts several amendments");

    for limit in [1, 2] {
        let mut paged = Vec::new();
        let mut path = format!("/api/v1/amendments?limit={limit}");
        loop {
            let page = get(path.clone()).await;
            let items = page["amendments"].as_array().unwrap();
            assert!(items.len() <= limit);
            paged.extend(items.iter().cloned());
            match page["next"].as_str() {
                Some(next) => path = format!("/api/v1/amendments?limit={limit}&after={next}"),
                None => break,
            }
        }
        assert_eq!(paged, all, "limit {limit}");
    }

    // Filters apply across pages: every adopted amendment, one per page.
    let adopted: Vec<&Value> = all.iter().filter(|a| a["status"] == "adopted").collect();
    assert!(!adopted.is_empty(), "the demo adopts an amendment");
    let mut paged = Vec::new();
    let mut path = "/api/v1/amendments?status=adopted&limit=1".to_owned();
    loop {
        let page = get(path.clone()).await;
        paged.extend(page["amendments"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/amendments?status=adopted&limit=1&after={next}"),
            None => break,
        }
    }
    assert_eq!(paged.iter().collect::<Vec<_>>(), adopted);

    for bad in ["limit=0", "limit=1001", "limit=x"] {
        problem(
            app.get(&format!("/api/v1/amendments?{bad}"), t).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
}

crate::helpers::e2e_tests!(
    the_register_pages_through_every_decision_once,
    the_board_pages_through_every_amendment_once,
);
