//! The funding ledger (issue 22, item 6): pledges, contributions and disbursements by donor
//! and purpose; the balance as of any date; never overdrawn.

use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};

async fn the_ledger_gives_the_balance_as_of_any_date_and_is_never_overdrawn(app: TestApp) {
    let (t, _) = app.load_demo().await;
    app.settle().await;
    let get = |path: &str| {
        let app = &app;
        let path = path.to_owned();
        let token = t.observer.clone();
        async move {
            let r = app.get(&path, &token).await;
            assert_eq!(r.status(), 200, "{path}");
            r.json::<Value>().await.unwrap()
        }
    };
    let now = get("/api/v1/funds/poa-trust-fund").await;
    assert_eq!(now["currency"], "USD");
    assert_eq!(
        (
            &now["pledged"],
            &now["received"],
            &now["disbursed"],
            &now["balance"]
        ),
        (
            &json!(750000),
            &json!(300000),
            &json!(120000),
            &json!(180000)
        ),
        "{now}"
    );
    assert_eq!(
        now["outstanding"], 450000,
        "NOR 200,000 and NLD 250,000 still to come"
    );
    let nor = now["by_donor"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["donor"] == "NOR")
        .unwrap();
    assert_eq!(
        (&nor["pledged"], &nor["received"]),
        (&json!(500000), &json!(300000))
    );
    // As of the day the money came in, before the disbursement.
    let then = get("/api/v1/funds/poa-trust-fund?on=2026-11-28").await;
    assert_eq!(then["balance"], 300000, "{then}");
    assert_eq!(then["entries"].as_array().unwrap().len(), 3);
    let listed = get("/api/v1/funds").await;
    assert_eq!(listed["funds"][0]["fund_id"], "poa-trust-fund");

    // Refusals: overdrawn (naming the day), a future date, a bad date, a delegate.
    let cmd = "/api/v1/funds/poa-trust-fund/commands";
    let entry = |id: &str, amount: u64, date: &str| {
        json!({ "RecordEntry": { "entry_id": id, "kind": "disbursement", "donor": null,
            "recipient": "A project", "amount": amount, "purpose": "capacity building", "date": date } })
    };
    let before = app.head().await;
    let p = problem(
        app.post(
            cmd,
            &t.secretariat,
            entry("too-much", 200_000, "2026-11-30"),
        )
        .await,
        reqwest::StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p["type"], "/problems/overdrawn", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("180000"), "{p}");
    let p = problem(
        app.post(cmd, &t.secretariat, entry("later", 1, "2999-01-01"))
            .await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/future-date", "{p}");
    assert_eq!(app.head().await, before, "refusals change nothing");
    let r = app
        .post(cmd, &t.delegates["NOR"], entry("nor", 1, "2026-11-30"))
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .get("/api/v1/funds/poa-trust-fund?on=yesterday", &t.observer)
        .await;
    assert_eq!(r.status(), 400);
    let r = app.get("/api/v1/funds/no-such-fund", &t.observer).await;
    assert_eq!(r.status(), 404);
}

e2e_tests!(the_ledger_gives_the_balance_as_of_any_date_and_is_never_overdrawn);
