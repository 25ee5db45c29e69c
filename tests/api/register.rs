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

/// The secretariat records a decision taken on paper and corrects it; the register shows who
/// entered it and on whose instruction, and the original with its corrigendum, never
/// rewritten; as of before the corrigendum, the register is as it was.
async fn the_secretariat_records_and_corrects_decisions(app: TestApp) {
    use crate::helpers::SMALL_MEETING;
    let s = app.small_world("Meeting one").await;
    let cmds = format!("/api/v1/meetings/{SMALL_MEETING}/commands");
    let record = |date: &str| {
        serde_json::json!({ "RecordDecision": { "date": date, "agenda_item": null,
        "text": "Decides to hold an intersessional meeting.", "how": "Consensus",
        "on_instruction_of": "the Chair, by letter of 13 July" } })
    };
    let p = problem(
        app.post(&cmds, &s.sec, record("2027-08-01")).await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"]
            .as_str()
            .unwrap()
            .ends_with("outside-convened-dates"),
        "{p}"
    );
    assert_eq!(
        app.post(&cmds, &s.nor, record("2027-07-13")).await.status(),
        reqwest::StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&cmds, &s.chair, record("2027-07-13"))
            .await
            .status(),
        reqwest::StatusCode::FORBIDDEN
    );
    let r = app.post(&cmds, &s.sec, record("2027-07-13")).await;
    assert_eq!(
        r.status(),
        reqwest::StatusCode::OK,
        "{}",
        r.text().await.unwrap()
    );
    let before = r.json::<Value>().await.unwrap()["positions"][0]
        .as_i64()
        .unwrap();
    let corr = serde_json::json!({ "IssueCorrigendum": { "decision": 1,
        "text": "Decides to hold two intersessional meetings.", "reason": "The number of meetings" } });
    let p = problem(
        app.post(
            &cmds,
            &s.sec,
            serde_json::json!({ "IssueCorrigendum": { "decision": 2,
        "text": "x", "reason": "y" } }),
        )
        .await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("unknown-decision"),
        "{p}"
    );
    assert_eq!(
        app.post(&cmds, &s.sec, corr).await.status(),
        reqwest::StatusCode::OK
    );
    app.settle().await;
    let reg: Value = app
        .get(
            &format!("/api/v1/decisions?meeting={SMALL_MEETING}"),
            &s.observer,
        )
        .await
        .json()
        .await
        .unwrap();
    let d = &reg["decisions"][0];
    assert_eq!(
        d["text"], "Decides to hold an intersessional meeting.",
        "the original stays: {d}"
    );
    assert_eq!(
        d["entered"]["on_instruction_of"],
        "the Chair, by letter of 13 July"
    );
    assert_eq!(d["date"], "2027-07-13");
    assert_eq!(
        d["corrigenda"][0]["symbol"], "B/M.1/2027/DEC/1/Corr.1",
        "{d}"
    );
    assert_eq!(
        d["corrigenda"][0]["text"],
        "Decides to hold two intersessional meetings."
    );
    let then: Value = app
        .get(
            &format!("/api/v1/decisions?meeting={SMALL_MEETING}&at=p:{before}"),
            &s.observer,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(then["decisions"][0]["corrigenda"].is_null(), "{then}");
}

crate::helpers::e2e_tests!(
    the_register_pages_through_every_decision_once,
    the_board_pages_through_every_amendment_once,
    the_secretariat_records_and_corrects_decisions,
);
