//! The document registry through the API (issue 23, item 1): series and symbols, relations,
//! language versions, documents of other processes, restricted distribution, bad input.

use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};

async fn the_secretariat_issues_symbols_in_series_and_relations(app: TestApp) {
    let (t, _) = app.load_demo().await;
    let sec = &t.secretariat;
    let path = "/api/v1/documents/commands";
    let send = |body: Value| {
        let app = &app;
        async move { app.post(path, sec, body).await }
    };
    // The demo issued the agenda and the amendments it adopted (main series, 1 and 2), an
    // information note (INF.1), two amendments as room papers (CRP.1 and 2) and its draft
    // report (L.1).
    let r = send(json!({ "IssueDocument": { "body_id": "poa", "prefix": "PoA/RC.1/2026", "series": "Main",
        "title": "Draft final report", "distribution": "General", "language": "en", "links": [] } })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = send(json!({ "IssueDocument": { "body_id": "poa", "prefix": "PoA/RC.1/2026", "series": "L",
        "title": "Draft decision on the programme of work", "distribution": "Limited", "language": "fr",
        "links": [{ "AgendaItem": { "meeting_id": "poa-rc-1", "item": 5 } }] } })).await;
    assert_eq!(r.status(), 200);
    let r = send(
        json!({ "IssueRelated": { "to": "PoA/RC.1/2026/L.2", "relation": "Revision",
        "title": null, "language": "fr" } }),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = send(
        json!({ "IssueRelated": { "to": "PoA/RC.1/2026/3", "relation": "Corrigendum",
        "title": "Draft final report: corrigendum", "language": "en" } }),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = send(json!({ "IssueDocument": { "body_id": "poa", "prefix": "PoA/RC.1/2026", "series": "Crp",
        "title": "Room document for delegations", "distribution": "Restricted", "language": "en", "links": [] } })).await;
    assert_eq!(r.status(), 200);
    app.settle().await;

    let list = |token: String| {
        let app = &app;
        async move {
            let r = app.get("/api/v1/documents?body=poa", &token).await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["documents"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let docs = list(sec.clone()).await;
    let find = |s: &str| docs.iter().find(|d| d["symbol"] == s).cloned();
    let symbols: Vec<&str> = docs.iter().map(|d| d["symbol"].as_str().unwrap()).collect();
    for s in [
        "A/RES/77/37",
        "PoA/RC.1/2026/1",
        "PoA/RC.1/2026/3",
        "PoA/RC.1/2026/3/Corr.1",
        "PoA/RC.1/2026/INF.1",
        "PoA/RC.1/2026/L.2",
        "PoA/RC.1/2026/L.2/Rev.1",
        "PoA/RC.1/2026/CRP.3",
    ] {
        assert!(symbols.contains(&s), "{s} in {symbols:?}");
    }
    let l2 = find("PoA/RC.1/2026/L.2").unwrap();
    assert_eq!(l2["replaced_by"], "PoA/RC.1/2026/L.2/Rev.1");
    assert_eq!(l2["languages"][0], "fr");
    assert_eq!(l2["links"][0], "item 5 of poa-rc-1");
    let rev = find("PoA/RC.1/2026/L.2/Rev.1").unwrap();
    assert_eq!(rev["relation"], "revision");
    assert_eq!(
        rev["title"], l2["title"],
        "a revision keeps the title unless given"
    );
    assert_eq!(find("A/RES/77/37").unwrap()["own"], false);
    assert_eq!(
        find("PoA/RC.1/2026/1").unwrap()["languages"][1],
        "fr (human)"
    );

    // Restricted: States, the secretariat, auditors; not observers.
    let public = list(t.observer.clone()).await;
    assert!(!public.iter().any(|d| d["symbol"] == "PoA/RC.1/2026/CRP.3"));
    assert!(public.iter().any(|d| d["symbol"] == "PoA/RC.1/2026/L.2"));
    let nor = list(t.delegates["NOR"].clone()).await;
    assert!(nor.iter().any(|d| d["symbol"] == "PoA/RC.1/2026/CRP.3"));

    // Refusals: a document of another process is not revised here; a symbol is issued once;
    // a prefix is not a document; bad input names its field; a delegate may not issue.
    let p = problem(
        send(json!({ "IssueRelated": { "to": "A/RES/77/37", "relation": "Revision", "title": null, "language": "en" } })).await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/external-document", "{p}");
    let p = problem(
        send(json!({ "RegisterExternal": { "body_id": "poa", "symbol": "A/RES/77/37", "title": "Again", "issuer": "GA", "date": null } })).await,
        reqwest::StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p["type"], "/problems/symbol-taken", "{p}");
    let p = problem(
        send(json!({ "IssueDocument": { "body_id": "poa", "prefix": "PoA/RC.1/2026/L.2", "series": "L",
            "title": "x", "distribution": "General", "language": "en", "links": [] } })).await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/not-a-prefix", "{p}");
    let p = problem(
        send(
            json!({ "IssueDocument": { "body_id": "poa", "prefix": "PoA RC", "series": "L",
            "title": "x", "distribution": "General", "language": "en", "links": [] } }),
        )
        .await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "IssueDocument.prefix", "{p}");
    let p = problem(
        send(
            json!({ "IssueDocument": { "body_id": "other", "prefix": "PoA/X", "series": "L",
            "title": "x", "distribution": "General", "language": "en", "links": [] } }),
        )
        .await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "body_id", "{p}");
    let r = app
        .post(
            path,
            &t.delegates["NOR"],
            json!({ "IssueDocument": { "body_id": "poa", "prefix": "PoA/X", "series": "L",
            "title": "x", "distribution": "General", "language": "en", "links": [] } }),
        )
        .await;
    assert_eq!(r.status(), 403);
    let p = problem(
        send(json!({ "AddLanguageVersion": { "symbol": "PoA/RC.1/2026/L.7", "language": "fr", "origin": "Human" } })).await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/unknown-document", "{p}");
}

/// An agenda cites registered documents only, and the refusal names the symbol's place.
async fn an_agenda_cites_only_registered_documents(app: TestApp) {
    let (t, _) = app.load_demo().await;
    let chair = &t.chairs["poa-pm-1"];
    let path = "/api/v1/meetings/poa-pm-1/commands";
    let agenda = |doc: &str| {
        json!({ "IssueProvisionalAgenda": { "items": [
            { "number": 1, "title": "Opening", "nature": "Procedural", "documents": [] },
            { "number": 2, "title": "Review", "nature": "Substantive", "documents": ["PoA/RC.1/2026/1", doc] } ] } })
    };
    let p = problem(
        app.post(path, chair, agenda("PoA/AM.1/2027/1")).await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/unregistered-document", "{p}");
    assert_eq!(p["field"], "items[1].documents[1]", "{p}");
    let head = app.head().await;
    let r = app
        .post(
            "/api/v1/documents/commands",
            &t.secretariat,
            json!({ "IssueDocument": { "body_id": "poa", "prefix": "PoA/AM.1/2027", "series": "Main",
            "title": "Provisional agenda", "distribution": "General", "language": "en",
            "links": [{ "Meeting": { "meeting_id": "poa-pm-1" } }] } }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.head().await,
        head + 1,
        "the refused agenda appended nothing"
    );
    let r = app.post(path, chair, agenda("PoA/AM.1/2027/1")).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

e2e_tests!(
    the_secretariat_issues_symbols_in_series_and_relations,
    an_agenda_cites_only_registered_documents
);
