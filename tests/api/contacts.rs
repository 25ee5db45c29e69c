//! National points of contact over HTTP: a State keeps its own directory, the secretariat
//! pings, contacts confirm; only States, the secretariat and auditors read it, on the read
//! routes, in the live stream and in the audit history.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};
use crate::protocol::{ids, read_until};

fn nominate(state: &str, contact: &str, email: &str) -> Value {
    json!({ "NominateContact": { "state": state, "contact_id": contact, "role": "Technical",
        "name": format!("{state} CERT duty officer"), "organisation": "National CERT",
        "channels": [{ "kind": "Email", "value": email }] } })
}

async fn a_state_keeps_its_directory_and_answers_pings(app: TestApp) {
    let sec = app.token("secretariat", None).await;
    let nor = app.token("delegate", Some("NOR")).await;
    let bra = app.token("delegate", Some("BRA")).await;
    let observer = app.token("observer", Some("icrc")).await;
    let chair = app.token("chair", Some("m-1")).await;
    let auditor = app.token("auditor", None).await;
    let cmds = "/api/v1/contacts/NOR/commands";

    let r = app
        .post(cmds, &nor, nominate("NOR", "cert", "cert@example.no"))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let first = r.json::<Value>().await.unwrap()["positions"][0]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            cmds,
            &sec,
            json!({ "NominateContact": { "state": "NOR", "contact_id": "mfa",
        "role": "Policy", "name": "Cyber ambassador", "organisation": null,
        "channels": [{ "kind": "Phone", "value": "+47 0000 0000" }] } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // Another State cannot touch Norway's directory, nor name another State in it.
    let r = app
        .post(cmds, &bra, nominate("NOR", "x", "x@example.br"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let p = problem(
        app.post(cmds, &bra, nominate("BRA", "x", "x@example.br"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "state");
    // Bad input names the field and the rule, and changes nothing.
    let p = problem(
        app.post(cmds, &nor, nominate("NOR", "bad", "no-at-sign"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"]
            .as_str()
            .unwrap()
            .ends_with("not-an-email-address"),
        "{p}"
    );
    let p = problem(
        app.post(cmds, &nor, nominate("NOR", "cert", "cert@example.no"))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("cert"), "{p}");
    let p = problem(
        app.post(
            "/api/v1/contacts/not-a-state/commands",
            &sec,
            json!({ "SendPing": { "ping_id": "p", "answer_by": "2099-01-01" } }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "id");

    // The secretariat pings; a delegate of Norway cannot; the contact's answer is recorded.
    let ping = json!({ "SendPing": { "ping_id": "ping-2027", "answer_by": "2099-01-31" } });
    assert_eq!(
        app.post(cmds, &nor, ping.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.post(cmds, &sec, ping).await.status(), StatusCode::OK);
    let r = app.post(cmds, &nor, json!({ "ConfirmPing": { "state": "NOR", "ping_id": "ping-2027", "contact_id": "cert" } })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let last = r.json::<Value>().await.unwrap()["positions"][0]
        .as_i64()
        .unwrap();
    let r = app.post(cmds, &nor, json!({ "RetireContact": { "state": "NOR", "contact_id": "mfa", "reason": "moved on" } })).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.settle().await;

    // States (any), the secretariat and auditors read it; observers and chairs do not.
    for (token, ok) in [
        (&nor, true),
        (&bra, true),
        (&sec, true),
        (&auditor, true),
        (&observer, false),
        (&chair, false),
    ] {
        let r = app.get("/api/v1/contacts/NOR", token).await;
        assert_eq!(r.status() == StatusCode::OK, ok, "{}", r.status());
        if !ok {
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            assert_eq!(
                app.get("/api/v1/contacts", token).await.status(),
                StatusCode::FORBIDDEN
            );
            continue;
        }
        let d: Value = r.json().await.unwrap();
        let cert = d["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "cert")
            .unwrap();
        assert_eq!(cert["channels"][0]["value"], "cert@example.no");
        assert!(cert["unanswered"].is_null());
        let mfa = d["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "mfa")
            .unwrap();
        assert_eq!(mfa["retired"], true);
        assert_eq!(d["pings"][0]["confirmed"][0][0], "cert");
        assert_eq!(d["pings"][0]["asked"].as_array().unwrap().len(), 2);
    }
    let all: Value = app
        .get("/api/v1/contacts", &bra)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["directories"][0]["state"], "NOR");

    // The live stream: an observer never sees a contact's event; a State does. A public act
    // after them marks where to stop reading.
    let r = app
        .post(
            "/api/v1/bodies/b-c/commands",
            &sec,
            json!({ "EstablishBody": { "body_id": "b-c", "name": "Body",
        "parent_body": null, "founding_document": null, "members": ["NOR"], "rules": null } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let public = r.json::<Value>().await.unwrap()["positions"][0]
        .as_i64()
        .unwrap();
    assert!(public > last);
    let until = format!("id: {public}\n");
    for (token, sees) in [(&observer, false), (&bra, true), (&sec, true)] {
        let r = app
            .req(
                Method::GET,
                &format!("/api/v1/stream?after={}", first - 1),
                Some(token),
            )
            .send()
            .await
            .unwrap();
        let text = read_until(r, &until).await;
        let seen = ids(&text);
        assert!(seen.contains(&public), "{text}");
        assert_eq!(
            seen.contains(&first) && text.contains("ContactNominated"),
            sees,
            "{text}"
        );
        if !sees {
            assert!(
                !text.contains("example.no") && seen == vec![public],
                "{text}"
            );
        }
    }
    // The audit history of the contact shows who changed what.
    let h: Value = app
        .get("/api/v1/audit/events?stream=PointsOfContact/NOR", &auditor)
        .await
        .json()
        .await
        .unwrap();
    let events = h["events"].as_array().unwrap();
    assert_eq!(events.len(), 5, "{h}");
    assert!(
        events
            .iter()
            .any(|e| e["event_type"] == "PingSent" && e["role"] == "secretariat"),
        "{h}"
    );
}

e2e_tests!(a_state_keeps_its_directory_and_answers_pings);
