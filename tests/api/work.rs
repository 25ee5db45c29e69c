//! A working group's programme of work (issue 22, item 6): the capacity-building working group
//! is a body of its own under the Programme, with its meetings and its tasks, each with its
//! status over time; only the secretariat records them.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};

async fn the_working_group_keeps_its_programme_of_work(app: TestApp) {
    let (t, _) = app.load_demo().await;
    app.settle().await;
    let read = || async {
        let r = app.get("/api/v1/bodies/poa-cbwg", &t.observer).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()
    };
    // The demo's working group: under the Programme, three tasks, one under way.
    let wg = read().await;
    assert_eq!(wg["parent_body"], "poa", "{wg}");
    let items = wg["work_items"].as_object().unwrap();
    assert_eq!(items.len(), 3, "{wg}");
    assert_eq!(items["needs-mapping"]["status"], "InProgress");
    assert_eq!(items["matching"]["status"], "Planned");
    let meetings: Value = app
        .get("/api/v1/meetings", &t.observer)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        meetings.to_string().contains("poa-cbwg-1"),
        "its first meeting is convened: {meetings}"
    );

    let cmd = "/api/v1/bodies/poa-cbwg/commands";
    let progress = |item: &str, status: &str, note: Option<&str>, output: Option<&str>| json!({ "RecordWorkItemProgress": { "item_id": item, "status": status, "note": note, "output": output } });
    // Only the secretariat records; nothing changes on a refusal.
    let before = app.head().await;
    let r = app
        .post(
            cmd,
            &t.delegates["NOR"],
            progress("matching", "InProgress", None, None),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let p = problem(
        app.post(
            cmd,
            &t.secretariat,
            progress("matching", "Finished", None, None),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p.to_string().contains("status"), "{p}");
    let p = problem(
        app.post(
            cmd,
            &t.secretariat,
            progress("matching", "Planned", None, None),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("nothing-to-record"),
        "{p}"
    );
    let p = problem(
        app.post(
            cmd,
            &t.secretariat,
            progress("no-such-task", "InProgress", None, None),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("unknown-work-item"),
        "{p}"
    );
    assert_eq!(app.head().await, before, "refusals change nothing");
    // The server dates a step: a date the client states is overwritten with today's.
    let r = app
        .post(
            cmd,
            &t.secretariat,
            json!({ "RecordWorkItemProgress": { "item_id": "matching", "status": "InProgress",
                "note": null, "output": null, "now": "2020-01-01" } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.settle().await;
    let step = &read().await["work_items"]["matching"]["steps"][0];
    assert_ne!(step["on"], "2020-01-01", "{step}");
    let before = app.head().await;
    let p = problem(
        app.post(
            cmd,
            &t.secretariat,
            json!({ "AddWorkItem": { "item_id": "late", "title": "Late", "description": null,
                "mandate": null, "due": "2001-01-01" } }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("due-before-added"),
        "{p}"
    );
    assert_eq!(app.head().await, before, "refusals change nothing");

    // The task completes with its output; then it takes no more progress.
    let r = app
        .post(
            cmd,
            &t.secretariat,
            progress(
                "needs-mapping",
                "Completed",
                Some("Adopted by the group"),
                Some("PoA/CBWG/2027/2"),
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.settle().await;
    let wg = read().await;
    let done = &wg["work_items"]["needs-mapping"];
    assert_eq!(done["status"], "Completed", "{done}");
    assert_eq!(done["steps"].as_array().unwrap().len(), 2, "{done}");
    assert_eq!(done["steps"][1]["output"], "PoA/CBWG/2027/2");
    let p = problem(
        app.post(
            cmd,
            &t.secretariat,
            progress("needs-mapping", "InProgress", Some("again"), None),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("work-item-closed"),
        "{p}"
    );
}

e2e_tests!(the_working_group_keeps_its_programme_of_work);
