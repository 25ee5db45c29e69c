//! Reporting cycles (issue 22, item 3): the schedule as data, who is due, who has submitted
//! and who is overdue in each cycle, the priority areas gap analyses name, and national
//! reports that answer the survey template.

use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};

async fn each_cycle_says_who_is_due_who_reported_and_who_is_overdue(app: TestApp) {
    let (t, _) = app.load_demo().await;
    app.settle().await;
    let r: Value = app
        .get("/api/v1/reporting/poa", &t.observer)
        .await
        .json()
        .await
        .unwrap();
    let schedule = &r["schedule"];
    assert_eq!(schedule["cycle_months"], 12, "{r}");
    assert_eq!(schedule["cohorts"].as_array().unwrap().len(), 4);
    assert_eq!(schedule["questions"][1][0], "poc");
    let cycles = r["cycles"].as_array().unwrap();
    // 2025: the Asia-Pacific cohort, none of which reported: all overdue.
    let first = &cycles[0];
    assert_eq!(
        (first["starts"].as_str(), first["ends"].as_str()),
        (Some("2025-01-01"), Some("2025-12-31"))
    );
    assert_eq!(first["cohort"], "Asia-Pacific States");
    assert_eq!(first["overdue"].as_array().unwrap().len(), 8, "{first}");
    assert_eq!(first["when"], "past");
    // 2026: the African cohort; Kenya's published report counts, the others are awaited or
    // (once the year is over) overdue; Egypt's gap analysis names the priority areas.
    let second = &cycles[1];
    assert_eq!(second["cohort"], "African States");
    assert_eq!(second["submitted"][0][0], "KEN", "{second}");
    assert_eq!(second["submitted"][0][1], "ken-report-2026");
    let not_yet: Vec<&Value> = second["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["awaited"].as_array().unwrap())
        .collect();
    assert_eq!(not_yet.len(), 5, "{second}");
    assert!(!not_yet.iter().any(|s| *s == "KEN"));
    let areas = second["priority_areas"].as_array().unwrap();
    assert!(areas.contains(&json!(["capacity_building", 1])), "{second}");
    assert!(areas.contains(&json!(["incident response", 1])), "{second}");
    // The report carries its answers.
    let report: Value = app
        .get("/api/v1/submissions/ken-report-2026", &t.observer)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["answers"].as_array().unwrap().len(), 3, "{report}");

    // Refusals name the rule; only the secretariat sets the schedule.
    let cmd = "/api/v1/reporting/poa/commands";
    let set = |cohorts: Value| {
        json!({ "SetSchedule": { "first_cycle_starts": "2025-01-01", "cycle_months": 12,
            "cohorts": cohorts, "questions": [] } })
    };
    let r = app
        .post(
            cmd,
            &t.delegates["NOR"],
            set(json!([{ "name": "A", "states": ["NOR"] }])),
        )
        .await;
    assert_eq!(r.status(), 403);
    for (cohorts, kind) in [
        (json!([{ "name": "A", "states": ["XYZ"] }]), "not-a-member"),
        (
            json!([{ "name": "A", "states": ["NOR"] }, { "name": "B", "states": ["NOR"] }]),
            "state-in-two-cohorts",
        ),
        (json!([]), "cohort-count"),
    ] {
        let before = app.head().await;
        let p = problem(
            app.post(cmd, &t.secretariat, set(cohorts)).await,
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["type"], format!("/problems/{kind}"), "{p}");
        assert_eq!(app.head().await, before);
    }
    // A national report answers only the template's questions; views are not a report.
    let answer = |question: &str| {
        json!({ "AnswerSurvey": { "state": "NOR", "organisation": null,
            "answers": [{ "question": question, "answer": "Yes." }] } })
    };
    let nor_report = "/api/v1/submissions/nor-report-2027/commands";
    let r = app
        .post(
            nor_report,
            &t.delegates["NOR"],
            json!({ "Draft": { "submission_id": "nor-report-2027", "body_id": "poa",
                "kind": "NationalImplementationReport", "state": "NOR", "organisation": null,
                "title": "Norway 2027", "language": "en", "text": "Draft.", "resolution": null,
                "sections": [], "paragraphs": [], "topics": [] } }),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let p = problem(
        app.post(nor_report, &t.delegates["NOR"], answer("colour"))
            .await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/unknown-question", "{p}");
    // The questions are the body's, whatever the client sends.
    let mut forged = answer("colour");
    forged["AnswerSurvey"]["questions"] = json!(["colour"]);
    let p = problem(
        app.post(nor_report, &t.delegates["NOR"], forged).await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/unknown-question", "{p}");
    let r = app
        .post(nor_report, &t.delegates["NOR"], answer("poc"))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let p = problem(
        app.post(
            "/api/v1/submissions/nor-views-71-28/commands",
            &t.delegates["NOR"],
            answer("poc"),
        )
        .await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/not-a-report", "{p}");
}

e2e_tests!(each_cycle_says_who_is_due_who_reported_and_who_is_overdue);
