//! The funding ledger (issue 22, item 6): pledges, contributions and disbursements by donor
//! and purpose; the balance as of any date; never overdrawn.

use reqwest::StatusCode;
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
    let ids: Vec<&str> = listed["funds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fund_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["poa-sponsorship", "poa-trust-fund"]);
    // The demo's two awards of the sponsorship programme were paid from its own fund.
    let sponsorship = get("/api/v1/funds/poa-sponsorship").await;
    assert_eq!(sponsorship["balance"], 30000 - 4200 - 5100, "{sponsorship}");

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

/// The sponsorship programme's awards draw on a fund: the disbursement is recorded first, so
/// an award the fund cannot pay is refused and changes nothing; sent again after it went
/// through, it is never paid twice.
async fn a_sponsorship_award_draws_on_its_fund(app: TestApp) {
    let sec = app.token("secretariat", None).await;
    let nor = app.token("delegate", Some("NOR")).await;
    let ok = |r: reqwest::Response| async move {
        let status = r.status();
        assert_eq!(status, StatusCode::OK, "{}", r.text().await.unwrap());
    };
    ok(app.post("/api/v1/bodies/poa/commands", &sec, json!({ "EstablishBody": { "body_id": "poa", "name": "PoA",
        "parent_body": null, "founding_document": null, "members": ["NOR", "BRA"], "rules": null } })).await).await;
    ok(app.post("/api/v1/meetings/rc-1/commands", &sec, json!({ "Convene": { "meeting_id": "rc-1", "body_id": "poa",
        "kind": "ReviewConference", "symbol": "PoA/RC.1", "title": "Review conference", "starts": "2026-01-01",
        "ends": "2027-12-31", "venue": "New York", "chair": { "name": "A. Chair", "state": null }, "programme_link": null } })).await).await;
    ok(app
        .post(
            "/api/v1/meetings/rc-1/commands",
            &nor,
            json!({ "RequestSponsorship": {
        "request_id": "sp-1", "expert": "Dr. Amina Diallo", "state": "NOR", "amount_usd": 4200 } }),
        )
        .await)
    .await;
    let fund = "/api/v1/funds/spons/commands";
    ok(app.post(fund, &sec, json!({ "EstablishFund": { "body_id": "poa", "name": "Sponsorship", "currency": "USD" } })).await).await;
    ok(app.post("/api/v1/funds/eur/commands", &sec, json!({ "EstablishFund": { "body_id": "poa", "name": "Euro fund", "currency": "EUR" } })).await).await;
    let award =
        |fund: &str| json!({ "AwardSponsorship": { "request_id": "sp-1", "fund_id": fund } });
    let head = app.head().await;
    // The fund holds nothing yet: refused, naming the fund; nothing recorded anywhere.
    let p = problem(
        app.post("/api/v1/meetings/rc-1/commands", &sec, award("spons"))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["type"].as_str().unwrap().ends_with("overdrawn"), "{p}");
    assert_eq!(p["field"], "fund_id");
    let p = problem(
        app.post("/api/v1/meetings/rc-1/commands", &sec, award("eur"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("fund-currency"),
        "{p}"
    );
    let p = problem(
        app.post("/api/v1/meetings/rc-1/commands", &sec, award("nowhere"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "fund_id", "{p}");
    assert_eq!(app.head().await, head, "a refused award changes nothing");

    let today = chrono::Utc::now().date_naive().to_string();
    ok(app.post(fund, &sec, json!({ "RecordEntry": { "entry_id": "c-1", "kind": "contribution", "donor": { "State": "NOR" },
        "recipient": null, "amount": 10000, "purpose": "sponsorship", "date": today } })).await).await;
    ok(app
        .post("/api/v1/meetings/rc-1/commands", &sec, award("spons"))
        .await)
    .await;
    app.settle().await;
    let ledger: Value = app
        .get("/api/v1/funds/spons", &sec)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ledger["balance"], 5800, "{ledger}");
    let m: Value = app
        .get("/api/v1/meetings/rc-1", &sec)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["state"]["sponsorships"]["sp-1"]["status"], "Awarded");
    assert_eq!(m["state"]["sponsorships"]["sp-1"]["fund_id"], "spons");
    // Sent again: the request is decided; the fund paid once.
    let p = problem(
        app.post("/api/v1/meetings/rc-1/commands", &sec, award("spons"))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p["field"], "request_id", "{p}");
    app.settle().await;
    let ledger: Value = app
        .get("/api/v1/funds/spons", &sec)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ledger["balance"], 5800, "{ledger}");
}

e2e_tests!(
    the_ledger_gives_the_balance_as_of_any_date_and_is_never_overdrawn,
    a_sponsorship_award_draws_on_its_fund
);
