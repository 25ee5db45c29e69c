//! The report of a meeting and the CSV exports, on the demo's known outcome (issue 23,
//! items 4, 5 and 7).

use serde_json::Value;

use crate::helpers::{e2e_tests, problem, TestApp};
use plenary::demo::REVIEW_CONFERENCE;

fn rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn the_report_of_the_review_conference_says_what_happened(app: TestApp) {
    let (t, out) = app.load_demo().await;
    app.settle().await;
    let path = format!("/api/v1/meetings/{REVIEW_CONFERENCE}/report");
    let r = app.get(&path, &t.observer).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();

    assert_eq!(report["symbol"], "PoA/RC.1/2026");
    assert_eq!(report["status"], "closed");
    assert_eq!(report["chair"], "Ambassador Ana Ruiz (CHL)");
    assert!(report["venue"].as_str().unwrap().contains("New York"));
    // It names what it was made from.
    let position = report["position"].as_i64().unwrap();
    assert!(position > 0 && position <= app.head().await);
    assert_eq!(report["hash"].as_str().unwrap().len(), 64);

    // Attendance: the States present, the list of participants, the gender figures.
    let a = &report["attendance"];
    assert_eq!(a["members"], 70);
    let present = a["states_present"].as_array().unwrap();
    assert!(
        present.len() >= 50 && present.iter().any(|s| s == "IRN"),
        "{a}"
    );
    assert!(
        !present.iter().any(|s| s == "USA"),
        "USA was never marked present"
    );
    assert_eq!(a["delegates_by_gender"]["female"], 3, "{a}");
    assert_eq!(a["delegates_by_gender"]["male"], 3, "{a}");
    assert_eq!(a["heads_by_gender"]["female"], 3, "{a}");
    assert_eq!(a["heads_by_gender"]["male"], 2, "{a}");
    let nor = a["delegations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["state"] == "NOR")
        .unwrap();
    assert_eq!(nor["members"][0], "Kari Nordmann", "the head first");
    assert_eq!(nor["head"], "Kari Nordmann");
    assert!(
        !nor.to_string().contains("Female"),
        "genders are counted, never listed"
    );
    assert_eq!(a["stakeholders"][0]["name"], "CyberPeace Institute");
    assert_eq!(a["sponsored_experts"], 2);

    // The agenda as adopted, five items; the documents it cites are in the annex.
    let adopted = report["agenda_adopted"].as_array().unwrap();
    assert_eq!(adopted.len(), 5);
    assert_eq!(adopted[1]["documents"][0], "PoA/RC.1/2026/1");
    let docs = report["annexes"]["documents"].as_array().unwrap();
    assert_eq!(docs[0]["symbol"], "PoA/RC.1/2026");
    assert!(
        docs.iter().any(|d| d["symbol"] == "PoA/RC.1/2026/INF.1"
            && d["title"]
                .as_str()
                .unwrap()
                .starts_with("Implementation of the framework")),
        "the registry's title: {docs:?}"
    );

    // The decisions: the two adoptions, the outcome without consensus, the withdrawn and
    // standing objections, and Egypt's dissociation.
    let decisions = report["decisions"].as_array().unwrap();
    let text = serde_json::to_string(decisions).unwrap();
    assert!(
        text.contains(&out.adopted) && text.contains(&out.revised),
        "{text}"
    );
    let outcomes: Vec<&Value> = decisions
        .iter()
        .filter(|d| d["decision"] == false)
        .collect();
    assert!(!outcomes.is_empty(), "Brazil's amendment met no consensus");
    let objections: Vec<&Value> = decisions
        .iter()
        .flat_map(|d| d["objections"].as_array().unwrap())
        .collect();
    assert!(objections
        .iter()
        .any(|o| o["state"] == "IND" && o["withdrawn"] == true));
    assert!(objections
        .iter()
        .any(|o| o["state"] == "RUS" && o["withdrawn"] == false));
    assert!(decisions.iter().any(|d| d["explanations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["state"] == "EGY" && x["dissociates_from"][0] == "OP-2")));
    for d in decisions.iter().filter(|d| d["decision"] == true) {
        assert!(
            d["symbol"]
                .as_str()
                .unwrap()
                .starts_with("PoA/RC.1/2026/DEC/"),
            "{d}"
        );
    }

    // Annexes: the Declaration as it stood at the close, the programme of work.
    assert_eq!(report["annexes"]["declaration"]["version"], 3);
    assert_eq!(
        report["annexes"]["programme_of_work"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // The summary records of the four sittings, and the decision adopting the report
    // (issue 23, item 2); their symbols are in the documents annex with the registry's
    // titles.
    let records = report["summary_records"].as_array().unwrap();
    assert_eq!(records.len(), 4, "{records:?}");
    assert_eq!(records[0]["date"], "2026-11-23");
    assert_eq!(records[3]["symbol"], "PoA/RC.1/2026/SR.4");
    assert_eq!(records[0]["kept"], 1);
    let adopted_by = &report["adopted_by"];
    assert_eq!(adopted_by["draft"], "PoA/RC.1/2026/L.1", "{report}");
    let adoption = decisions
        .iter()
        .find(|d| d["kind"] == "report_adopted")
        .expect("the report's adoption is on the register");
    assert_eq!(adoption["symbol"], adopted_by["decision"]);
    for sym in ["PoA/RC.1/2026/SR.1", "PoA/RC.1/2026/L.1"] {
        assert!(
            docs.iter()
                .any(|d| d["symbol"] == sym && d["title"].is_string()),
            "{sym} in {docs:?}"
        );
    }

    // As of the end of the first day: the agenda adopted, no amendment yet.
    let day1 = out.day_ends[0].1;
    let early: Value = app
        .get(&format!("{path}?at=p:{day1}"), &t.observer)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(early["status"], "open");
    assert!(early["position"].as_i64().unwrap() <= day1);
    assert_eq!(early["annexes"]["declaration"]["version"], 1);
    assert!(!serde_json::to_string(&early["decisions"])
        .unwrap()
        .contains(&out.adopted));
    assert!(
        early.get("adopted_by").is_none(),
        "not adopted yet: {early}"
    );

    // The printable document, in French: headings in French, the translated paragraph
    // shown with its original, and what it was made from.
    let r = app.get(&format!("{path}.html?lang=fr"), &t.observer).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let html = r.text().await.unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\""),
        "{}",
        &html[..80]
    );
    assert!(html.contains("Encourage les États"), "the French OP-2");
    // The agenda and the first decision in the secretariat's French, the original beside.
    assert!(html.contains("Ouverture de la Conférence"), "{html}");
    assert!(html.contains("comportant 5 points"), "{html}");
    assert!(
        html.contains("The agenda was adopted, with 5 items."),
        "the original"
    );
    assert!(html.contains(&format!("content=\"{}\"", report["hash"].as_str().unwrap())));
    assert!(!html.contains("<script"));
    let ar = app
        .get(&format!("{path}.html?lang=ar"), &t.observer)
        .await
        .text()
        .await
        .unwrap();
    assert!(ar.contains("dir=\"rtl\""));

    // Bad input names the field; an unknown meeting is 404.
    let p = problem(
        app.get(&format!("{path}.html?lang=xx"), &t.observer).await,
        reqwest::StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "lang", "{p}");
    let p = problem(
        app.get(&format!("{path}?at=p:999999999"), &t.observer)
            .await,
        reqwest::StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "at", "{p}");
    let p = problem(
        app.get(&format!("{path}?colour=red"), &t.observer).await,
        reqwest::StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");
    problem(
        app.get("/api/v1/meetings/no-such-meeting/report", &t.observer)
            .await,
        reqwest::StatusCode::NOT_FOUND,
    )
    .await;

    // The secretariat keeps a summary record; a symbol must be registered, and only the
    // secretariat keeps one.
    let cmd = format!("/api/v1/meetings/{REVIEW_CONFERENCE}/commands");
    let kept = |symbol: &str| {
        serde_json::json!({ "KeepSummaryRecord": { "date": "2026-11-24",
        "text": "Revised: the Conference considered the amendments.", "symbol": symbol } })
    };
    let p = problem(
        app.post(&cmd, &t.secretariat, kept("PoA/RC.1/2026/SR.99"))
            .await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "symbol", "{p}");
    let chair = &t.chairs[REVIEW_CONFERENCE];
    let p = problem(
        app.post(
            &cmd,
            chair,
            serde_json::json!({ "CallForConsensus": { "subject": { "Report": { "symbol": "PoA/RC.1/2026/L.77" } } } }),
        )
        .await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "subject.Report.symbol", "{p}");
    problem(
        app.post(&cmd, chair, kept("PoA/RC.1/2026/SR.2")).await,
        reqwest::StatusCode::FORBIDDEN,
    )
    .await;
    let r = app
        .post(&cmd, &t.secretariat, kept("PoA/RC.1/2026/SR.2"))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.settle().await;
    let again: Value = app.get(&path, &t.observer).await.json().await.unwrap();
    let day2 = &again["summary_records"][1];
    assert_eq!(day2["kept"], 2, "{day2}");
    assert!(day2["text"].as_str().unwrap().starts_with("Revised"));

    // A corrigendum to the first decision leaves its French translation of an older wording;
    // translating an item the agenda lacks is refused naming the rule.
    let translations = |r: &Value| -> Vec<Value> {
        r["translations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["text_of"] == "decision" && t["number"] == 1)
            .cloned()
            .collect()
    };
    assert_eq!(translations(&again)[0]["stale"], false, "{again}");
    let r = app
        .post(
            &cmd,
            &t.secretariat,
            serde_json::json!({ "IssueCorrigendum": { "decision": 1,
                "text": "The agenda was adopted, with its 5 items.", "reason": "Wording" } }),
        )
        .await;
    assert_eq!(r.status(), 200);
    app.settle().await;
    let corrected: Value = app.get(&path, &t.observer).await.json().await.unwrap();
    assert_eq!(translations(&corrected)[0]["stale"], true, "{corrected}");
    let p = problem(
        app.post(
            &cmd,
            &t.secretariat,
            serde_json::json!({ "TranslateText": { "text_of": { "AgendaItem": { "number": 42 } },
                "language": "fr", "origin": "human", "text": "x" } }),
        )
        .await,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/item-not-on-agenda", "{p}");
}

async fn the_register_participation_and_audit_history_download_as_csv(app: TestApp) {
    let (t, _) = app.load_demo().await;
    app.settle().await;
    let get_text = |path: String, token: String| {
        let app = &app;
        async move {
            let r = app.get(&path, &token).await;
            assert_eq!(r.status(), 200, "{path}");
            assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
            r.text().await.unwrap()
        }
    };

    // The register: a row per entry the JSON route gives, in the same order.
    let json: Value = app
        .get("/api/v1/decisions?limit=1000", &t.observer)
        .await
        .json()
        .await
        .unwrap();
    let entries = json["decisions"].as_array().unwrap();
    let csv = get_text("/api/v1/decisions.csv".into(), t.observer.clone()).await;
    assert!(csv.starts_with("symbol,meeting_id,number,date,"));
    let table = rows(&csv);
    assert_eq!(table.len(), entries.len());
    for (row, e) in table.iter().zip(entries) {
        assert_eq!(row[12], e["position"].to_string());
        assert_eq!(row[1], e["meeting_id"].as_str().unwrap());
    }
    let one = get_text(
        format!("/api/v1/decisions.csv?meeting={REVIEW_CONFERENCE}"),
        t.observer.clone(),
    )
    .await;
    assert!(rows(&one).iter().all(|r| r[1] == REVIEW_CONFERENCE));
    let p = problem(
        app.get("/api/v1/decisions.csv?limit=5", &t.observer).await,
        reqwest::StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "limit");

    // Participation: the totals for everyone; a State's rows only for those entitled.
    let public = rows(&get_text("/api/v1/participation.csv".into(), t.observer.clone()).await);
    assert!(!public.is_empty() && public.iter().all(|r| r[2].is_empty()));
    let sec = rows(&get_text("/api/v1/participation.csv".into(), t.secretariat.clone()).await);
    assert!(sec.iter().any(|r| r[2] == "BRA"));

    // The audit history: every event, in order, for those who may read it.
    let head = app.head().await;
    let csv = get_text("/api/v1/audit/events.csv".into(), t.auditor.clone()).await;
    let table = rows(&csv);
    assert_eq!(table.len() as i64, head, "a row per event");
    for (i, row) in table.iter().enumerate() {
        assert_eq!(row[0], (i + 1).to_string());
        assert_eq!(row[14].len(), 64);
    }
    let nor = rows(
        &get_text(
            "/api/v1/audit/events.csv?state=NOR".into(),
            t.auditor.clone(),
        )
        .await,
    );
    assert!(!nor.is_empty() && (nor.len() as i64) < head);
    let r = app
        .get("/api/v1/audit/events.csv", &t.delegates["NOR"])
        .await;
    assert_eq!(r.status(), 403);
    let p = problem(
        app.get("/api/v1/audit/events.csv?from=yesterday", &t.auditor)
            .await,
        reqwest::StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "from");
}

/// Issue 23, items 1 and 3: amendment texts in other languages, and amendments and
/// decisions naming their documents in the registry.
async fn amendments_and_decisions_carry_their_translations_and_documents(app: TestApp) {
    let (t, out) = app.load_demo().await;
    app.settle().await;

    // Norway's amendment: its French translation, and the conference room paper issued for it.
    let nor: Value = app
        .get(&format!("/api/v1/amendments/{}", out.adopted), &t.observer)
        .await
        .json()
        .await
        .unwrap();
    let fr = &nor["translations"][0];
    assert_eq!(fr["language"], "fr", "{nor}");
    assert_eq!(fr["origin"], "human");
    assert_eq!(fr["revision"], 1);
    assert_eq!(fr["wording"][0], "sur une base volontaire et par roulement");
    let decision = nor["decision"]["symbol"].as_str().unwrap().to_owned();
    let docs: Value = app
        .get("/api/v1/documents", &t.observer)
        .await
        .json()
        .await
        .unwrap();
    let crp = docs["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["symbol"] == "PoA/RC.1/2026/CRP.1")
        .unwrap_or_else(|| panic!("{docs}"));
    assert_eq!(crp["links"][0], format!("amendment {}", out.adopted));

    // The register: the decision that adopted it names the document of adopted amendments,
    // and the first decision carries its French translation.
    let json: Value = app
        .get(
            &format!("/api/v1/decisions?meeting={REVIEW_CONFERENCE}&limit=1000"),
            &t.observer,
        )
        .await
        .json()
        .await
        .unwrap();
    let entries = json["decisions"].as_array().unwrap();
    let adopted = entries
        .iter()
        .find(|e| e["symbol"] == decision.as_str())
        .unwrap();
    assert_eq!(adopted["documents"][0], "PoA/RC.1/2026/2", "{adopted}");
    let first = entries.iter().find(|e| e["number"] == 1).unwrap();
    assert_eq!(first["translations"][0]["language"], "fr", "{first}");
    assert!(
        entries.iter().filter(|e| e["documents"].is_array()).count() == 2,
        "only the two decisions the document names: {json}"
    );
    // The CSV names them in its last column; the printed register in French reads the
    // translation, with the original beside it.
    let csv = app
        .get("/api/v1/decisions.csv", &t.observer)
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",documents"));
    assert!(rows(&csv).iter().any(|r| r[13] == "PoA/RC.1/2026/2"));
    let html = app
        .get(
            &format!("/api/v1/decisions.html?lang=fr&meeting={REVIEW_CONFERENCE}"),
            &t.observer,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("L&#39;ordre du jour, comportant 5 points")
            || html.contains("L'ordre du jour, comportant 5 points"),
        "{html}"
    );
    assert!(html.contains("PoA/RC.1/2026/2"));

    // Only the secretariat translates, into a language other than the original, with one
    // wording per operation that proposes text, of a revision that exists.
    let cmd = format!("/api/v1/amendments/{}/commands", out.revised);
    let tr = |revision: u32, language: &str, wording: Vec<&str>| {
        serde_json::json!({ "TranslateText": { "revision": revision, "language": language,
            "origin": "machine", "title": "Análisis periódicos", "wording": wording } })
    };
    let r = app
        .post(&cmd, &t.delegates["EGY"], tr(2, "es", vec!["x"]))
        .await;
    assert_eq!(r.status(), 403);
    for (body, kind, field) in [
        (tr(2, "en", vec!["x"]), "translation-into-original", None),
        (tr(3, "es", vec!["x"]), "unknown-revision", None),
        (tr(2, "es", vec!["x", "y"]), "wording-count", None),
        (
            tr(2, "es", vec![""]),
            "invalid-input",
            Some("TranslateText.wording[0]"),
        ),
    ] {
        let p = problem(
            app.post(&cmd, &t.secretariat, body.clone()).await,
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["type"], format!("/problems/{kind}"), "{body}: {p}");
        if let Some(f) = field {
            assert_eq!(p["field"], f, "{p}");
        }
    }
    let r = app
        .post(&cmd, &t.secretariat, tr(2, "es", vec!["periódicamente"]))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.settle().await;
    let egy: Value = app
        .get(&format!("/api/v1/amendments/{}", out.revised), &t.observer)
        .await
        .json()
        .await
        .unwrap();
    let langs: Vec<(&str, u64)> = egy["translations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["language"].as_str().unwrap(),
                t["revision"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(langs, [("fr", 1), ("es", 2)], "{egy}");
}

e2e_tests!(
    the_report_of_the_review_conference_says_what_happened,
    the_register_participation_and_audit_history_download_as_csv,
    amendments_and_decisions_carry_their_translations_and_documents
);
