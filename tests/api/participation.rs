//! Participation over time, on the demo: totals for everyone, figures per State only for
//! those entitled to the personal data behind them.

use serde_json::Value;

use crate::helpers::{e2e_tests, TestApp};

async fn participation_over_time_shows_each_reader_what_it_may_see(app: TestApp) {
    let (t, _) = app.load_demo().await;
    app.settle().await;
    let read = |token: String| {
        let app = &app;
        async move {
            let r = app.get("/api/v1/participation?body=poa", &token).await;
            assert!(r.status().is_success(), "{}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };
    let public = read(t.observer.clone()).await;
    let years = public["by_year"].as_array().unwrap();
    let y2026 = years
        .iter()
        .find(|y| y["year"] == 2026)
        .expect("the 2026 meetings");
    assert!(
        y2026["figures"]["meetings"].as_u64().unwrap() >= 2,
        "{public}"
    );
    // The sponsorship programme's reach, by the body's regional groups (two experts funded
    // at the conference: one from Norway, one from Kenya).
    let reach = &y2026["figures"]["sponsored_by_region"];
    assert_eq!(
        reach["Western European and other States"],
        serde_json::json!({ "experts": 1, "usd": 4200 }),
        "{reach}"
    );
    assert_eq!(
        reach["African States"],
        serde_json::json!({ "experts": 1, "usd": 5100 }),
        "{reach}"
    );
    assert_eq!(y2026["figures"]["sponsored"], 2, "{y2026}");
    let delegates: u64 = y2026["figures"]["delegates"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(
        delegates >= y2026["figures"]["delegations"].as_u64().unwrap() && delegates > 0,
        "{public}"
    );
    assert!(
        public["by_state"].as_array().unwrap().is_empty(),
        "an observer sees no State's figures"
    );
    // Statements, and the speakers the chair identified, by gender (the demo: Norway's head
    // of delegation and Egypt's delegate on item 3).
    assert!(
        y2026["figures"]["statements"].as_u64().unwrap() >= 2,
        "{public}"
    );
    assert_eq!(y2026["figures"]["speakers"]["female"], 1, "{public}");
    assert_eq!(y2026["figures"]["speakers"]["male"], 1, "{public}");
    // Who spoke is personal data: not in the meeting's state for an observer.
    let m: Value = app
        .get("/api/v1/meetings/poa-rc-1", &t.observer)
        .await
        .json()
        .await
        .unwrap();
    assert!(m["state"].get("statements").is_none(), "{}", m["state"]);
    let m: Value = app
        .get("/api/v1/meetings/poa-rc-1", &t.secretariat)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["state"]["statements"]["NOR"]["speakers"]["female"], 1);
    let nor = read(t.delegates["NOR"].clone()).await;
    let rows = nor["by_state"].as_array().unwrap();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r["state"] == "NOR"),
        "{nor}"
    );
    assert_eq!(nor["by_year"], public["by_year"]);
    let sec = read(t.secretariat.clone()).await;
    let states: std::collections::BTreeSet<&str> = sec["by_state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert!(states.len() >= 5 && states.contains("BRA"), "{states:?}");
    // The per-State rows add up to the totals.
    let sum: u64 = sec["by_state"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["year"] == 2026)
        .map(|r| r["figures"]["delegations"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, y2026["figures"]["delegations"].as_u64().unwrap());
}

e2e_tests!(participation_over_time_shows_each_reader_what_it_may_see);
