//! The demo scenario of DOMAIN.md end to end through the real server, asserting on what it
//! produced: the decisions register, the amendments board, the framework with provenance and
//! as of each day, the procedural vote with its tally, and the programme of work.

use std::collections::BTreeMap;

use plenary::demo::{self, Outcome, Tokens};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{e2e_tests, TestApp};

e2e_tests!(
    the_demo_scenario_produces_the_record_it_should,
    the_framework_as_of_any_cut_is_the_same_from_the_kept_history_as_from_a_replay,
    a_framework_read_sees_a_change_as_soon_as_it_is_acknowledged,
);

async fn read(app: &TestApp, path: &str, token: &str) -> Value {
    let r = app.get(path, token).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.unwrap()
}

/// Every event of the log, with payloads, in order.
async fn events(app: &TestApp, t: &Tokens) -> Vec<Value> {
    let head = app.head().await;
    let mut out = Vec::new();
    for p in 1..=head {
        out.push(read(app, &format!("/api/v1/audit/events/{p}"), &t.auditor).await);
    }
    out
}

fn of_type<'a>(events: &'a [Value], ty: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event_type"] == ty).collect()
}

async fn the_demo_scenario_produces_the_record_it_should(app: TestApp) {
    let (t, out): (Tokens, Outcome) = app.load_demo().await;
    let rc = demo::REVIEW_CONFERENCE;
    assert_eq!(out.adopted, "poa-am-nor-1");
    assert_eq!(out.failed, "poa-am-bra-1");
    assert_eq!(out.revised, "poa-am-egy-1");
    assert_eq!(out.framework_version, 3);
    let log = events(&app, &t).await;
    let observer = &t.observer;

    // The agenda read (served from the stored view as it is) says what the meeting's decoded
    // state says.
    let meeting = read(&app, &format!("/api/v1/meetings/{rc}"), observer).await;
    let agenda = read(&app, &format!("/api/v1/meetings/{rc}/agenda"), observer).await;
    assert_eq!(agenda["items"], meeting["state"]["agenda"]);
    assert_eq!(agenda["adopted"], meeting["state"]["agenda_adopted"]);
    assert_eq!(agenda["current_item"], meeting["state"]["current_item"]);
    assert_eq!(agenda["version"], meeting["version"]);
    assert!(agenda["items"].as_array().is_some_and(|i| !i.is_empty()));

    let register = read(&app, &format!("/api/v1/decisions?meeting={rc}"), observer).await;
    let entries = register["decisions"].as_array().unwrap();
    // The register holds decisions and, after them, outcomes that are not decisions.
    let (decisions, outcomes): (Vec<Value>, Vec<Value>) = entries
        .iter()
        .cloned()
        .partition(|d| d["entry"] == "decision");
    assert!(outcomes.iter().all(|o| o["entry"] == "outcome"));
    let adopted_by = |id: &str| -> Option<&Value> {
        decisions
            .iter()
            .find(|d| d["detail"]["AmendmentAdopted"]["amendment_id"] == id)
    };
    // Numbered 1, 2, 3... within the meeting, each with a symbol and a date.
    for (i, d) in decisions.iter().enumerate() {
        assert_eq!(d["number"].as_u64(), Some(i as u64 + 1), "{d}");
        assert!(d["symbol"].as_str().is_some_and(|s| !s.is_empty()), "{d}");
        assert!(d["date"].is_string(), "{d}");
    }
    assert_eq!(decisions[0]["kind"], "agenda_adoption");

    // Norway's amendment: adopted without a vote after India objected and withdrew.
    let nor = adopted_by(&out.adopted).expect("Norway's amendment is on the register");
    assert_eq!(nor["kind"], "amendment_adopted");
    assert_eq!(nor["how_taken"], "Consensus", "{nor}");
    assert_eq!(nor["agenda_item"], 4);
    let objections = nor["objections"].as_array().unwrap();
    assert_eq!(objections.len(), 1, "{nor}");
    assert_eq!(objections[0]["state"], "IND");
    assert_eq!(objections[0]["withdrawn"], true);
    assert_eq!(
        objections[0]["reason"],
        "Reporting must remain voluntary in every case."
    );
    let explanations = nor["explanations"].as_array().unwrap();
    assert!(
        explanations
            .iter()
            .any(|e| e["state"] == "EGY" && e["dissociates_from"][0] == "OP-2"),
        "{nor}"
    );
    // Both objection events are on the log, in the same consensus call, before the decision.
    let call = nor["consensus_call"].as_u64().unwrap();
    let decided_at = nor["position"].as_i64().unwrap();
    for ty in ["ObjectionRaised", "ObjectionWithdrawn"] {
        let found = of_type(&log, ty)
            .into_iter()
            .filter(|e| {
                e["payload"][ty]["state"] == "IND"
                    && e["payload"][ty]["call"].as_u64() == Some(call)
            })
            .collect::<Vec<_>>();
        assert_eq!(found.len(), 1, "{ty} of IND in call {call}");
        assert!(found[0]["position"].as_i64().unwrap() < decided_at);
        assert_eq!(found[0]["metadata"]["on_behalf_of"], "IND");
    }
    let board = read(
        &app,
        &format!("/api/v1/amendments/{}", out.adopted),
        observer,
    )
    .await;
    assert_eq!(board["status"], "adopted");
    assert_eq!(board["decision"]["number"], nor["number"]);
    assert_eq!(
        board["co_sponsors"].as_array().unwrap().len(),
        3,
        "ISL, FIN and SWE: {board}"
    );

    // Brazil's: no consensus, never a decision, never applied, never voted on.
    let bra = read(
        &app,
        &format!("/api/v1/amendments/{}", out.failed),
        observer,
    )
    .await;
    assert_eq!(bra["status"], "no_consensus", "{bra}");
    assert!(adopted_by(&out.failed).is_none());
    let no_consensus = of_type(&log, "NoConsensusDeclared");
    assert_eq!(no_consensus.len(), 1);
    let nc = &no_consensus[0]["payload"]["NoConsensusDeclared"];
    assert_eq!(
        nc["subject"]["Amendment"]["amendment_id"],
        out.failed.as_str()
    );
    assert!(nc["objections"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["state"] == "RUS" && o["withdrawn"] == false));
    // ... and on the register, as an outcome with the standing objection, not a decision.
    let outcome = outcomes
        .iter()
        .find(|o| o["subject"]["Amendment"]["amendment_id"] == out.failed.as_str())
        .expect("no consensus is on the register");
    assert_eq!(outcome["kind"], "no_consensus");
    assert_eq!(outcome["number"], Value::Null);
    assert_eq!(outcome["objections"], nc["objections"]);
    assert!(
        entries.last().unwrap()["entry"] == "outcome",
        "outcomes come after decisions"
    );
    assert!(of_type(&log, "AmendmentNotAdopted")
        .iter()
        .any(|e| e["aggregate_id"] == out.failed.as_str()));
    for e in of_type(&log, "VotingOpened") {
        assert!(
            e["payload"]["VotingOpened"]["question"]
                .get("Motion")
                .is_some(),
            "only a procedural motion was ever put to the vote: {e}"
        );
    }

    // Egypt's: in conflict after Norway's adoption, revised against version 2, then adopted.
    let egy_events: Vec<&Value> = log
        .iter()
        .filter(|e| e["aggregate_id"] == out.revised.as_str() && e["aggregate_type"] == "Amendment")
        .collect();
    let order: Vec<&str> = egy_events
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    let at = |ty: &str| {
        order
            .iter()
            .position(|t| *t == ty)
            .unwrap_or_else(|| panic!("no {ty} in {order:?}"))
    };
    assert!(
        at("AmendmentInConflict") < at("AmendmentRevised"),
        "{order:?}"
    );
    assert!(at("AmendmentRevised") < at("AmendmentAdopted"), "{order:?}");
    // The conflict was recorded by the system itself, after Norway's adoption.
    let conflict = egy_events[at("AmendmentInConflict")];
    assert!(conflict["position"].as_i64().unwrap() > decided_at);
    assert_eq!(
        conflict["payload"]["AmendmentInConflict"]["current_version"],
        2
    );
    let egy = read(
        &app,
        &format!("/api/v1/amendments/{}", out.revised),
        observer,
    )
    .await;
    assert_eq!(egy["status"], "adopted");
    assert_eq!(egy["revisions"].as_array().unwrap().len(), 2, "{egy}");
    assert_eq!(egy["base_version"], 2);
    let egy_decision = adopted_by(&out.revised).expect("Egypt's amendment is on the register");
    assert_eq!(egy_decision["detail"]["AmendmentAdopted"]["revision"], 2);

    // The framework: version 3, OP-2 worded by Egypt's decision, the rest as established.
    let f = read(
        &app,
        &format!("/api/v1/frameworks/{}", demo::BODY),
        observer,
    )
    .await;
    assert_eq!(f["version"], 3);
    let paragraphs = f["paragraphs"].as_array().unwrap();
    let by_id: BTreeMap<&str, &Value> = paragraphs
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let op2 = by_id["OP-2"];
    assert!(
        op2["text"]
            .as_str()
            .unwrap()
            .contains("on a voluntary, rotating and periodic basis"),
        "{op2}"
    );
    assert_eq!(op2["provenance"]["source"], "decision", "{op2}");
    assert_eq!(op2["provenance"]["amendment_id"], out.revised.as_str());
    assert_eq!(op2["provenance"]["decision"]["meeting_id"], rc);
    assert_eq!(
        op2["provenance"]["decision"]["number"],
        egy_decision["number"]
    );
    assert_eq!(
        op2["provenance"]["decision"]["symbol"],
        egy_decision["symbol"]
    );
    assert_eq!(op2["provenance"]["decision"]["date"], egy_decision["date"]);
    assert!(
        !by_id.contains_key("OP-BRA-1"),
        "the failed amendment was never applied"
    );
    for (id, p) in &by_id {
        if *id != "OP-2" {
            assert_eq!(p["provenance"]["source"], "establishment", "{p}");
            assert_eq!(p["provenance"]["symbol"], "A/RES/77/37");
        }
    }
    let applied: Vec<String> = f["applied_amendments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert!(
        applied.iter().any(|a| a.contains(&out.adopted)),
        "{applied:?}"
    );
    assert!(
        applied.iter().any(|a| a.contains(&out.revised)),
        "{applied:?}"
    );
    assert!(
        !applied.iter().any(|a| a.contains(&out.failed)),
        "{applied:?}"
    );
    // As it stood at the end of each day: 1 after day 1, 2 after day 2, 3 from day 3 on.
    let expected = [1, 2, 3, 3];
    assert_eq!(out.day_ends.len(), expected.len());
    for ((day, pos), want) in out.day_ends.iter().zip(expected) {
        let v = read(
            &app,
            &format!("/api/v1/frameworks/{}?at=p:{pos}", demo::BODY),
            observer,
        )
        .await;
        assert_eq!(v["version"], want, "as of {day} (position {pos})");
    }
    let diff = read(
        &app,
        &format!("/api/v1/frameworks/{}/diff?from=1&to=3", demo::BODY),
        observer,
    )
    .await;
    assert!(diff.to_string().contains("periodic"), "{diff}");

    // The procedural vote: a motion to adjourn, recorded with its tally, and rejected.
    let votes = of_type(&log, "VoteConcluded");
    assert_eq!(votes.len(), 1);
    let v = &votes[0]["payload"]["VoteConcluded"];
    assert_eq!(v["question"]["Motion"]["kind"], "AdjournMeeting", "{v}");
    assert_eq!(v["carried"], false, "{v}");
    let recorded = v["recorded_votes"]
        .as_array()
        .expect("a recorded vote was requested");
    let count = |b: &str| recorded.iter().filter(|r| r["ballot"] == b).count() as u64;
    assert_eq!(v["tally"]["yes"].as_u64(), Some(count("Yes")), "{v}");
    assert_eq!(v["tally"]["no"].as_u64(), Some(count("No")), "{v}");
    assert_eq!(
        v["tally"]["abstain"].as_u64(),
        Some(count("Abstain")),
        "{v}"
    );
    assert!(count("No") > count("Yes") && count("Abstain") > 0, "{v}");
    assert_eq!(
        of_type(&log, "VoteCast").len(),
        recorded.len(),
        "one ballot per State present"
    );
    assert!(recorded
        .iter()
        .any(|r| r["state"] == "RUS" && r["ballot"] == "Yes"));
    // Rejected: no procedural decision, and the conference went on.
    assert!(!decisions.iter().any(|d| d["kind"] == "procedural_outcome"));

    // The programme of work, adopted by consensus, and the first periodic meeting under it.
    let pow: Vec<&Value> = decisions
        .iter()
        .filter(|d| d["kind"] == "programme_of_work")
        .collect();
    assert_eq!(pow.len(), 1);
    assert_eq!(pow[0]["how_taken"], "Consensus");
    assert_eq!(pow[0]["agenda_item"], 5);
    let adopted = of_type(&log, "ProgrammeOfWorkAdopted");
    assert_eq!(adopted.len(), 1);
    let planned = &adopted[0]["payload"]["ProgrammeOfWorkAdopted"];
    assert_eq!(planned["decision_number"], pow[0]["number"]);
    assert_eq!(planned["meetings"].as_array().unwrap().len(), 3);
    let meetings = read(
        &app,
        &format!("/api/v1/meetings?body={}", demo::BODY),
        observer,
    )
    .await;
    let list = meetings["meetings"].as_array().unwrap();
    let status = |id: &str| {
        list.iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("no meeting {id}: {meetings}"))["status"]
            .clone()
    };
    assert_eq!(status(rc), "closed");
    assert_eq!(status(demo::CONSULTATIVE_DAY), "closed");
    assert_eq!(status(demo::PERIODIC_MEETING), "convened");
    let convened = log
        .iter()
        .find(|e| {
            e["event_type"] == "MeetingConvened" && e["aggregate_id"] == demo::PERIODIC_MEETING
        })
        .unwrap();
    assert!(
        convened["payload"].to_string().contains(rc),
        "poa-pm-1 is linked to the programme of work of {rc}: {convened}"
    );

    // The log verifies, and an auditor sees every event.
    let v = read(&app, "/api/v1/log/verify", &t.auditor).await;
    assert!(v["problem"].is_null(), "{v}");
    assert_eq!(v["events_checked"].as_i64(), Some(log.len() as i64));
}

/// The service answers "the framework as of" from the states it keeps of each framework
/// stream (filled piecemeal while the demo proposed and adopted amendments). Every kind of
/// cut, at and around every event of the stream, gives what a replay of the stream gives.
async fn the_framework_as_of_any_cut_is_the_same_from_the_kept_history_as_from_a_replay(
    app: TestApp,
) {
    use plenary::app::history::{framework_at, Cut, FrameworkHistories};
    let (_, out) = app.load_demo().await;
    let store = &app.app.store;
    let stream = store.read_stream("Framework", demo::BODY, 0).await.unwrap();
    assert!(stream.len() >= 3, "the demo changes the framework");
    let mut cuts = vec![Cut::Latest];
    for v in 0..=out.framework_version as u32 + 1 {
        cuts.push(Cut::Version(v));
    }
    for e in &stream {
        for d in [-1, 0, 1] {
            cuts.push(Cut::Position(e.position + d));
            cuts.push(Cut::Time(e.recorded_at_us + d));
        }
    }
    let fresh = FrameworkHistories::default();
    for cut in cuts {
        let replayed = framework_at(store, demo::BODY, cut).await.unwrap();
        for kept in [&app.app.frameworks_as_of, &fresh] {
            let kept = kept.at(store, demo::BODY, cut).await.unwrap();
            assert_eq!(kept.map(|(f, p)| ((*f).clone(), p)), replayed, "{cut:?}");
        }
    }
}

/// "The framework now" is answered from the kept history without reading the log while no
/// append to a framework has ended since; a change acknowledged to a client moves that mark
/// before the client hears of it, so the client's next read shows the change.
async fn a_framework_read_sees_a_change_as_soon_as_it_is_acknowledged(app: TestApp) {
    let (t, out) = app.load_demo().await;
    let path = format!("/api/v1/frameworks/{}", demo::BODY);
    for round in 1..=3u64 {
        let before = read(&app, &path, &t.observer).await;
        assert_eq!(before["version"], out.framework_version + round - 1);
        assert_eq!(
            read(&app, &path, &t.observer).await,
            before,
            "a second read agrees"
        );
        let text = format!("Decides, in round {round}, to keep the repository under review.");
        let r = app
            .post(
                &format!("{path}/commands"),
                &t.secretariat,
                serde_json::json!({ "RecordExternalEndorsement": {
                    "symbol": format!("A/RES/80/{round}"), "date": "2027-03-01",
                    "operations": [{ "op": "replace_paragraph", "paragraph": "OP-4", "text": text }] } }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let after = read(&app, &path, &t.observer).await;
        assert_eq!(after["version"], out.framework_version + round, "{after}");
        let op4 = after["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "OP-4")
            .unwrap();
        assert_eq!(op4["text"].as_str(), Some(text.as_str()));
    }
}
