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

/// A consultative day names the review conference or annual meeting of its body it precedes
/// (issue 22, item 7); the server checks the meeting it names.
async fn a_consultative_day_is_tied_to_the_meeting_it_precedes(app: TestApp) {
    let (t, _) = app.load_demo().await;
    app.settle().await;
    let day: Value = app
        .get("/api/v1/meetings/poa-cd-1", &t.observer)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(day["state"]["precedes"], "poa-rc-1", "{day}");
    let convene = |id: &str, kind: &str, starts: &str, ends: &str, precedes: &str| {
        json!({ "Convene": { "meeting_id": id, "body_id": "poa", "kind": kind,
            "symbol": format!("PoA/CD.2/{id}"), "title": "Consultative day", "starts": starts, "ends": ends,
            "venue": "Geneva", "chair": { "name": "A. Chair", "state": null }, "programme_link": null,
            "precedes": precedes } })
    };
    let path = |id: &str| format!("/api/v1/meetings/{id}/commands");
    let before = app.head().await;
    for (kind, ends, precedes, rule) in [
        (
            "ConsultativeDay",
            "2027-07-13",
            "poa-pm-1",
            "does-not-precede",
        ),
        (
            "ConsultativeDay",
            "2027-07-11",
            "no-such-meeting",
            "unknown-meeting",
        ),
        (
            "ConsultativeDay",
            "2027-07-11",
            "poa-cd-1",
            "not-preceded-by-consultative-day",
        ),
        (
            "ConsultativeDay",
            "2027-03-01",
            "poa-cbwg-1",
            "not-preceded-by-consultative-day",
        ),
        (
            "PeriodicMeeting",
            "2027-07-11",
            "poa-pm-1",
            "only-a-consultative-day-precedes",
        ),
    ] {
        let p = problem(
            app.post(
                &path("cd-x"),
                &t.secretariat,
                convene("cd-x", kind, "2027-07-11", ends, precedes),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(
            p["type"].as_str().unwrap().ends_with(rule),
            "{precedes}: {p}"
        );
        if rule != "only-a-consultative-day-precedes" {
            assert_eq!(p["field"], "precedes", "{p}");
        }
    }
    assert_eq!(app.head().await, before, "refusals change nothing");
    let r = app
        .post(
            &path("poa-cd-2"),
            &t.secretariat,
            convene(
                "poa-cd-2",
                "ConsultativeDay",
                "2027-07-11",
                "2027-07-11",
                "poa-pm-1",
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.settle().await;
    let listed: Value = app
        .get("/api/v1/meetings", &t.observer)
        .await
        .json()
        .await
        .unwrap();
    let cd2 = listed["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "poa-cd-2")
        .cloned()
        .unwrap_or_default();
    assert_eq!(cd2["precedes"], "poa-pm-1", "{listed}");
}

e2e_tests!(
    the_working_group_keeps_its_programme_of_work,
    a_consultative_day_is_tied_to_the_meeting_it_precedes
);
