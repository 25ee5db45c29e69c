//! Full-text search over HTTP, on SQLite (FTS5) and Postgres (tsvector): a word finds its
//! other forms in each of the six languages; a reader finds the published texts and their own
//! drafts, never another's; a revision changes what is found; bad parameters are 400s naming
//! the parameter.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};

async fn found(app: &TestApp, token: Option<&str>, query: &str) -> Vec<(String, String)> {
    let mut r = app
        .client
        .get(format!("{}/api/v1/search?{query}", app.base));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    let v: Value = r.json().await.unwrap();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["submission_id"].as_str().unwrap().to_owned(),
                h["language"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    out.sort();
    out
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

async fn submissions_are_found_in_every_language_by_those_who_may_read_them(app: TestApp) {
    let sec = app.token("secretariat", None).await;
    let nor = app.token("delegate", Some("NOR")).await;
    let bra = app.token("delegate", Some("BRA")).await;
    let r = app.post("/api/v1/bodies/poa/commands", &sec, json!({ "EstablishBody": { "body_id": "poa", "name": "PoA",
        "parent_body": null, "founding_document": null, "members": ["NOR", "BRA"], "rules": null } })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let draft = |id: &str, state: &str, text: &str| {
        json!({ "Draft": { "submission_id": id, "body_id": "poa", "kind": "NationalPosition", "state": state,
            "title": format!("Position of {state}"), "language": "en", "text": text, "resolution": null,
            "sections": ["international_law"], "paragraphs": [], "topics": ["due diligence"] } })
    };
    let cmds = |id: &str| format!("/api/v1/submissions/{id}/commands");
    let ok = |r: reqwest::Response| async move {
        let status = r.status();
        assert_eq!(status, StatusCode::OK, "{}", r.text().await.unwrap());
    };
    ok(app
        .post(
            &cmds("pos-nor"),
            &nor,
            draft(
                "pos-nor",
                "NOR",
                "Due diligence is a legal obligation of States.",
            ),
        )
        .await)
    .await;
    for (lang, text) in [
        (
            "fr",
            "La diligence requise est une obligation juridique des États.",
        ),
        ("zh", "尽职调查是国家的法律义务。"),
        (
            "ru",
            "Должная осмотрительность является юридическим обязательством государств.",
        ),
        ("ar", "العناية الواجبة التزامٌ قانونيٌّ على الدول."),
        (
            "es",
            "La diligencia debida es una obligación jurídica de los Estados.",
        ),
    ] {
        ok(app
            .post(
                &cmds("pos-nor"),
                &nor,
                json!({ "AddLanguageVersion": { "state": "NOR", "language": lang,
            "text": text, "origin": "human", "of_revision": 1 } }),
            )
            .await)
        .await;
    }
    ok(app
        .post(
            &cmds("pos-nor"),
            &nor,
            json!({ "Submit": { "state": "NOR" } }),
        )
        .await)
    .await;
    ok(app
        .post(
            &cmds("pos-nor"),
            &sec,
            json!({ "Publish": { "symbol": "A/AC.292/2027/WP.9" } }),
        )
        .await)
    .await;
    ok(app
        .post(
            &cmds("pos-bra"),
            &bra,
            draft(
                "pos-bra",
                "BRA",
                "Sovereignty applies in cyberspace, with its obligations.",
            ),
        )
        .await)
    .await;
    app.settle().await;

    // A word finds its other forms, in each language, without a credential.
    // (A word matches its stem in any language: "obligations" finds the English, French and
    // Spanish versions, whose stems agree.)
    assert_eq!(
        sorted(found(&app, None, "q=obligations").await),
        pairs(&[("pos-nor", "en"), ("pos-nor", "es"), ("pos-nor", "fr")])
    );
    assert_eq!(
        found(&app, None, "q=etats&language=fr").await,
        pairs(&[("pos-nor", "fr")])
    );
    assert_eq!(
        found(&app, None, "q=%E4%B9%89%E5%8A%A1").await,
        pairs(&[("pos-nor", "zh")]),
        "义务"
    );
    assert_eq!(
        found(
            &app,
            None,
            "q=%D0%BE%D0%B1%D1%8F%D0%B7%D0%B0%D1%82%D0%B5%D0%BB%D1%8C%D1%81%D1%82%D0%B2%D0%B0"
        )
        .await,
        pairs(&[("pos-nor", "ru")]),
        "обязательства"
    );
    assert_eq!(
        found(&app, None, "q=%D8%A7%D9%84%D8%AA%D8%B2%D8%A7%D9%85").await,
        pairs(&[("pos-nor", "ar")]),
        "التزام, without its vowel marks"
    );
    assert_eq!(
        found(&app, None, "q=obligaciones&language=es").await,
        pairs(&[("pos-nor", "es")])
    );
    assert_eq!(
        sorted(found(&app, None, "q=juridica").await),
        pairs(&[("pos-nor", "es"), ("pos-nor", "fr")]),
        "jurídica, juridique"
    );
    // Every word must be there.
    assert!(found(&app, None, "q=obligation+sovereignty")
        .await
        .is_empty());
    // A draft is found by its filer and the secretariat only.
    assert_eq!(
        sorted(found(&app, Some(&bra), "q=obligation&language=en").await),
        pairs(&[("pos-bra", "en"), ("pos-nor", "en")])
    );
    assert_eq!(found(&app, Some(&nor), "q=sovereignty").await, vec![]);
    assert_eq!(
        found(&app, Some(&sec), "q=sovereignty").await,
        pairs(&[("pos-bra", "en")])
    );
    // A hit says where the words are.
    let v: Value = app
        .get("/api/v1/search?q=obligations&language=en", &nor)
        .await
        .json()
        .await
        .unwrap();
    let hit = &v["hits"][0];
    assert_eq!(hit["symbol"], "A/AC.292/2027/WP.9");
    let marked: Vec<&str> = hit["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["hit"] == true)
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    assert_eq!(marked, ["obligation"]);
    // A revision changes what is found.
    ok(app
        .post(
            &cmds("pos-bra"),
            &bra,
            json!({ "Revise": { "state": "BRA", "text": "Sovereignty applies in cyberspace." } }),
        )
        .await)
    .await;
    app.settle().await;
    assert_eq!(
        found(&app, Some(&bra), "q=obligations&language=en").await,
        pairs(&[("pos-nor", "en")])
    );
    assert_eq!(
        found(&app, Some(&bra), "q=cyberspace").await,
        pairs(&[("pos-bra", "en")])
    );
    // The limit, and whether there is more.
    let v: Value = app
        .get("/api/v1/search?q=obligation&limit=1", &sec)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (v["hits"].as_array().unwrap().len(), v["more"].as_bool()),
        (1, Some(true))
    );

    // The projection equals a rebuild from the log.
    let live = plenary::projections::search::dump(app.app.store.db())
        .await
        .unwrap();
    assert!(live.len() >= 8, "{live:?}");
    app.app.projector.rebuild(Some("search")).await.unwrap();
    assert_eq!(
        plenary::projections::search::dump(app.app.store.db())
            .await
            .unwrap(),
        live
    );
    assert_eq!(
        found(&app, Some(&bra), "q=cyberspace").await,
        pairs(&[("pos-bra", "en")])
    );

    // Bad parameters: 400 naming the parameter.
    for (query, field) in [
        ("q=", "q"),
        ("q=%20,;", "q"),
        ("q=x&language=de", "language"),
        ("q=x&limit=0", "limit"),
        ("q=x&colour=red", "colour"),
    ] {
        let p = problem(
            app.get(&format!("/api/v1/search?{query}"), &nor).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(
            p["field"] == field || p["detail"].as_str().unwrap().contains(field),
            "{query}: {p}"
        );
    }
}

e2e_tests!(submissions_are_found_in_every_language_by_those_who_may_read_them);
