//! Auditors' tools end to end: export bundles, signed checkpoints, offline verification with
//! every kind of damage, inclusion proofs, and replay compared with the live server.

#[path = "common/mod.rs"]
mod common;
#[path = "api/helpers.rs"]
mod helpers;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ed25519_dalek::SigningKey;
use plenary::api::{self, AppState};
use plenary::app::history::Cut;
use plenary::audit::bundle::{self, ExportOptions, Manifest};
use plenary::audit::checkpoint::SignedCheckpoint;
use plenary::audit::publisher::CheckpointPublisher;
use plenary::audit::{proof, replay, verify};
use plenary::demo::{self, InProcess};
use plenary::store::verify::Damage;
use plenary::store::{AppendCommand, EventStore, NewEvent};

use common::Backend;
use helpers::{spawn_app, TestApp};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

async fn caught_up(app: &TestApp) {
    for _ in 0..500 {
        if app.app.projector.position() >= app.app.store.head() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("projections did not catch up");
}

/// The demo scenario loaded through the API, a signed checkpoint published, and a signed
/// export of the whole log.
struct Loaded {
    app: TestApp,
    tokens: demo::Tokens,
    outcome: demo::Outcome,
    dir: tempfile::TempDir,
}

async fn loaded(app: TestApp) -> Loaded {
    let client = InProcess(api::router(AppState::new(app.app.clone())));
    let tokens = demo::tokens(&client, &app.admin).await.unwrap();
    let outcome = demo::load(&client, &tokens, None).await.unwrap();
    let mut publisher = CheckpointPublisher::new(app.app.store.clone(), key(1));
    let (signed, _) = publisher.publish().await.unwrap().expect("a checkpoint");
    assert_eq!(
        publisher.publish().await.unwrap(),
        None,
        "nothing new: no second checkpoint"
    );
    assert_eq!(signed.checkpoint.first_position, 1);
    caught_up(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let summary = bundle::export(
        &app.app.store,
        &dir.path().join("bundle"),
        ExportOptions {
            signing_key: Some(key(1)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(summary.damage.is_none());
    Loaded {
        app,
        tokens,
        outcome,
        dir,
    }
}

impl Loaded {
    fn bundle(&self) -> PathBuf {
        self.dir.path().join("bundle")
    }
}

async fn replay_equals_live_at_every_position(app: TestApp) {
    let l = loaded(app).await;
    let report = verify::verify_bundle(&l.bundle(), Some(&key(1).verifying_key()), &[]).unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.signature, "valid");
    assert_eq!(report.checkpoints.len(), 1);
    assert_eq!(report.checkpoints[0].outcome, "ok");

    // The published checkpoint, as an auditor fetches it to keep elsewhere.
    let listed: serde_json::Value = l
        .app
        .get("/api/v1/log/checkpoints", &l.tokens.auditor)
        .await
        .json()
        .await
        .unwrap();
    let entry = &listed["checkpoints"][0];
    assert_eq!(listed["checkpoints"].as_array().unwrap().len(), 1);
    let kept = l.dir.path().join("kept.json");
    std::fs::write(&kept, entry.to_string()).unwrap();
    let external = verify::External::read(&kept).unwrap();
    let r = verify::verify_bundle(
        &l.bundle(),
        Some(&key(1).verifying_key()),
        std::slice::from_ref(&external),
    )
    .unwrap();
    assert!(r.ok() && r.checkpoints.len() == 2, "{r:?}");

    let head = l.app.app.store.head();
    let mut points: Vec<i64> = l.outcome.day_ends.iter().map(|(_, p)| *p).collect();
    points.push(head);
    assert!(points.len() >= 4);
    let mut versions = Vec::new();
    let mut decisions = Vec::new();
    // Replay parity at every position of the log: the frameworks, the register and every
    // meeting's state from the bundle equal the live service's `at=` answers.
    for p in 1..=head {
        let r = replay::replay(&l.bundle(), Cut::Position(p)).unwrap();
        let diffs =
            replay::compare_with_server(&r, Cut::Position(p), &l.app.base, &l.tokens.auditor)
                .await
                .unwrap();
        assert!(diffs.is_empty(), "at position {p}: {diffs:?}");
        if points.contains(&p) {
            versions.push(r.frameworks.iter().map(|f| f.version).max().unwrap_or(0));
            decisions.push(r.decisions.len());
            assert!(!r.meetings.is_empty(), "the demo's meetings are replayed");
            assert!(
                p < head || !r.amendments.is_empty(),
                "the demo's amendments are replayed"
            );
        }
    }
    // The points differ: the declaration grows in versions and the register in decisions.
    assert!(versions.first() < versions.last(), "{versions:?}");
    assert!(decisions.first() < decisions.last(), "{decisions:?}");

    // A cut by time, at the moment the first conference day ended.
    let day1 = l.outcome.day_ends[0].1;
    let at = l.app.app.store.read_all(day1 - 1, 1).await.unwrap()[0].recorded_at_us;
    let r = replay::replay(&l.bundle(), Cut::Time(at)).unwrap();
    let diffs = replay::compare_with_server(&r, Cut::Time(at), &l.app.base, &l.tokens.auditor)
        .await
        .unwrap();
    assert!(diffs.is_empty(), "{diffs:?}");

    // Declaration text as Markdown and HTML: every paragraph, escaped.
    let r = replay::replay(&l.bundle(), Cut::Position(head)).unwrap();
    let md = replay::render_markdown(&r);
    let html = replay::render_html(&r);
    let f = &r.frameworks[0];
    assert!(md.contains(&format!("Version {}", f.version)));
    for p in &f.paragraphs {
        let first_word = p.text.as_str().split_whitespace().next().unwrap();
        assert!(html.contains(&replay::html_escape(first_word)));
    }
    assert!(!html.contains("<script"));
    // The annex of regional initiatives as adopted follows the Declaration.
    let annexes = r.annexes_of(&r.frameworks);
    assert!(
        annexes.iter().any(|a| !a.entries.is_empty()),
        "the demo's annex is replayed: {:?}",
        r.annexes
    );
    for e in &annexes[0].entries {
        assert!(html.contains(&replay::html_escape(&e.title)), "{}", e.title);
        assert!(
            e.adopted_by.is_some(),
            "an entry in force names its decision"
        );
    }
    assert!(replay::render_text(&r).contains("Annex of regional initiatives"));
}

async fn inclusion_proof_verifies_and_fails_after_a_one_byte_change(app: TestApp) {
    let l = loaded(app).await;
    let vk = key(1).verifying_key();
    let r = replay::replay(&l.bundle(), Cut::Position(l.app.app.store.head())).unwrap();
    let adopted = r
        .decisions
        .iter()
        .find(|d| d["kind"] == "amendment_adopted")
        .expect("an adopted amendment in the register");
    let position = adopted["position"].as_i64().unwrap();

    for p in [
        proof::prove_from_store(&l.app.app.store, position)
            .await
            .unwrap(),
        proof::prove_from_bundle(&l.bundle(), position).unwrap(),
    ] {
        assert!(
            p.signature.is_some(),
            "proved against the signed checkpoint"
        );
        assert_eq!(p.event["event_type"], "DecisionTaken");
        let ok = verify::verify_proof(&p, Some(&vk)).unwrap();
        assert!(ok.problem.is_none(), "{ok:?}");

        // One byte of the decision's content changed.
        let text = serde_json::to_string(&p).unwrap();
        let needle = "\"DecisionTaken\":{";
        let at = text.find(needle).unwrap() + needle.len() + 2;
        let mut bytes = text.into_bytes();
        bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
        let changed: proof::InclusionProof = serde_json::from_slice(&bytes).unwrap();
        let bad = verify::verify_proof(&changed, Some(&vk)).unwrap();
        assert_eq!(bad.problem.unwrap().damage, Damage::Changed);

        // One hex digit of the audit path changed.
        let mut tampered = p.clone();
        let first = tampered.path[0].as_bytes()[0];
        tampered.path[0].replace_range(0..1, if first == b'0' { "1" } else { "0" });
        let bad = verify::verify_proof(&tampered, Some(&vk)).unwrap();
        assert_eq!(bad.problem.unwrap().damage, Damage::Changed);

        // The right proof under a key the auditor does not trust.
        let bad = verify::verify_proof(&p, Some(&key(2).verifying_key())).unwrap();
        assert_eq!(bad.problem.unwrap().damage, Damage::SignatureMismatch);
    }
}

/// Whether the tools to read a PDF back are here. `.ci/run` installs them and sets
/// PLENARY_TEST_PDF, and then their absence fails the test instead of skipping it.
fn pdf_tools() -> bool {
    let here = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !here && std::env::var_os("PLENARY_TEST_PDF").is_some() {
        panic!("PLENARY_TEST_PDF is set but pdftotext (poppler-utils) is missing");
    }
    if !here {
        eprintln!("skipped: pdftotext (poppler-utils) is not installed; .ci/run installs it");
    }
    here
}

/// Keeps a printed document under target/printed/, to be looked at (pdftoppm).
fn keep(name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/printed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// The text of a PDF as pdftotext reads it, whitespace collapsed.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext: {:?}", out);
    words(&String::from_utf8(out.stdout).unwrap())
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `n` words of `s`: a paragraph may run onto the next page, with a footer between.
fn opening(s: &str, n: usize) -> String {
    s.split_whitespace().take(n).collect::<Vec<_>>().join(" ")
}

/// Every paragraph of a DOCX, read with docx-rs's reader, whitespace collapsed.
fn docx_text(bytes: &[u8]) -> String {
    use docx_rs::{DocumentChild, TableCellContent, TableChild, TableRowChild};
    let d = docx_rs::read_docx(bytes).expect("a DOCX that opens");
    let mut out = Vec::new();
    for c in &d.document.children {
        match c {
            DocumentChild::Paragraph(p) => out.push(p.raw_text()),
            DocumentChild::Table(t) => {
                for TableChild::TableRow(row) in &t.rows {
                    for TableRowChild::TableCell(cell) in &row.cells {
                        for content in &cell.children {
                            if let TableCellContent::Paragraph(p) = content {
                                out.push(p.raw_text());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    words(&out.join("\n"))
}

/// The Declaration, the report and the register printed (issue 23, item 5): the live service
/// and `audit replay` make the same PDF bytes at the same position; the text read back from
/// the PDF and the DOCX is the document's, in English, French, Arabic and Chinese, with the
/// position and hash it was made from.
async fn printed_documents_are_the_same_live_and_offline(app: TestApp) {
    use plenary::export::{self, printable, Format};
    use plenary::web::messages;
    if !pdf_tools() {
        return;
    }
    let l = loaded(app).await;
    let head = l.app.app.store.head();
    let r = replay::replay(&l.bundle(), Cut::Position(head)).unwrap();
    let f = &r.frameworks[0];
    let get = |path: String| {
        let app = &l.app;
        let token = l.tokens.auditor.clone();
        async move {
            let res = app.get(&path, &token).await;
            assert_eq!(res.status(), 200, "{path}");
            let ty = res.headers()["content-type"].to_str().unwrap().to_owned();
            (ty, res.bytes().await.unwrap().to_vec())
        }
    };

    // The Declaration in French: OP-2 in the human translation, its original marked.
    let fr = messages::get("fr").unwrap();
    let (ty, live) = get(format!(
        "/api/v1/frameworks/{}/declaration.pdf?at=p:{head}&lang=fr",
        f.id
    ))
    .await;
    assert_eq!(ty, "application/pdf");
    let annexes = r.annexes_of(std::slice::from_ref(f));
    let doc = printable::declaration(std::slice::from_ref(f), &annexes, r.position, &r.hash, fr);
    let offline = export::print(Format::Pdf, &doc).unwrap();
    assert!(live == offline, "the live PDF and the replayed one differ");
    keep("declaration.fr.pdf", &offline);
    assert_eq!(
        export::print(Format::Pdf, &doc).unwrap(),
        offline,
        "the same document twice is the same bytes"
    );
    let text = pdf_text(&offline);
    let op2 = f.paragraphs.iter().find(|p| p.id.as_str() == "OP-2");
    let fr_op2 = &op2
        .unwrap()
        .translations
        .iter()
        .find(|t| t.language.to_string() == "fr");
    assert!(
        text.contains(&opening(fr_op2.unwrap().text.as_str(), 8)),
        "{text}"
    );
    assert!(text.contains(&words(fr.t("framework.original"))), "{text}");
    // The annex as adopted at the same position, each entry with its decision.
    assert!(text.contains(&words(fr.t("annex.title"))), "{text}");
    for e in &annexes[0].entries {
        assert!(text.contains(&opening(&e.title, 3)), "{}: {text}", e.title);
    }
    for p in &f.paragraphs {
        assert!(
            text.contains(&opening(p.text.as_str(), 6)),
            "{}: {text}",
            p.id.as_str()
        );
    }
    assert!(
        text.contains(&r.hash),
        "the footer names the head hash: {text}"
    );
    assert!(text.contains(&format!(" {head} ")), "and the position");

    // In Arabic and Chinese: OP-1's translation, shaped into real glyphs (read back as text).
    for lang in ["ar", "zh"] {
        let m = messages::get(lang).unwrap();
        let doc = printable::declaration(std::slice::from_ref(f), &annexes, r.position, &r.hash, m);
        let pdf = export::print(Format::Pdf, &doc).unwrap();
        keep(&format!("declaration.{lang}.pdf"), &pdf);
        // Arabic vowel marks come back from the glyphs in canonical order, not as typed.
        let bare = |s: &str| -> String {
            s.chars()
                .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}'))
                .collect()
        };
        // A Chinese line breaks between any two characters; pdftotext puts a space there.
        let text = bare(&pdf_text(&pdf)).replace(' ', "");
        let op1 = f
            .paragraphs
            .iter()
            .find(|p| p.id.as_str() == "OP-1")
            .unwrap();
        let t = op1
            .translations
            .iter()
            .find(|t| t.language.to_string() == lang)
            .unwrap();
        // Arabic is read back word by word; a pdftotext line may order the words of an RTL
        // run either way, so check the words rather than their order.
        for w in t.text.as_str().split_whitespace().take(6) {
            let w = bare(w.trim_end_matches(['؛', '；']));
            assert!(text.contains(&w), "{lang}: {w} in {text}");
        }
        let original = opening(op1.text.as_str(), 6).replace(' ', "");
        assert!(text.contains(&original), "{lang}: the original beside it");
    }

    // The report in Arabic: the same bytes live and offline, its headings in Arabic.
    let ar = messages::get("ar").unwrap();
    let id = demo::REVIEW_CONFERENCE;
    let (_, live) = get(format!(
        "/api/v1/meetings/{id}/report.pdf?lang=ar&at=p:{head}"
    ))
    .await;
    let report = &r.reports[id];
    let offline = export::print(Format::Pdf, &printable::report(report, ar)).unwrap();
    assert!(
        live == offline,
        "the live report PDF and the replayed one differ"
    );
    keep("report.ar.pdf", &offline);
    let text = pdf_text(&offline);
    for w in ar.t("report.attendance").split_whitespace() {
        assert!(text.contains(w), "{w} in {text}");
    }
    assert!(text.contains(&report.symbol), "{text}");
    // English inside an Arabic page: pdftotext may move a sentence's final stop to its
    // other end, so compare the words.
    let letters = |s: &str| {
        words(
            &s.chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect::<String>(),
        )
    };
    let bare_text = letters(&text);
    for e in &report.decisions {
        assert!(
            bare_text.contains(&letters(&opening(&e.text, 5))),
            "{}: {text}",
            e.text
        );
    }

    // The report in English, as DOCX: opened, and every line of the document is in it.
    let en = messages::english();
    let (ty, live) = get(format!("/api/v1/meetings/{id}/report.docx?at=p:{head}")).await;
    assert_eq!(
        ty,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let doc = printable::report(report, en);
    let text = docx_text(&live);
    keep("report.en.docx", &live);
    assert_eq!(text, docx_text(&export::print(Format::Docx, &doc).unwrap()));
    for line in doc.plain_text().lines().filter(|l| !l.is_empty()) {
        if line == doc.made_from || line.starts_with(' ') {
            continue;
        }
        assert!(text.contains(&words(line)), "{line} in the DOCX");
    }

    // The register, whole: PDF and DOCX, each decision's text in it.
    let (_, live) = get(format!("/api/v1/decisions.pdf?at=p:{head}")).await;
    let entries: Vec<_> = r
        .decisions
        .iter()
        .map(plenary::app::register::entry)
        .collect();
    let doc = printable::register(&entries, en.t("register.all_meetings"), head, &r.hash, en);
    let offline = export::print(Format::Pdf, &doc).unwrap();
    assert!(
        live == offline,
        "the live register PDF and the replayed one differ"
    );
    keep("register.en.pdf", &offline);
    let (_, docx) = get(format!("/api/v1/decisions.docx?at=p:{head}&lang=en")).await;
    let (pdf, docx) = (pdf_text(&offline), docx_text(&docx));
    for e in &entries {
        assert!(pdf.contains(&opening(&e.text, 5)), "{}", e.text);
        assert!(docx.contains(&words(&e.text)), "{}", e.text);
    }

    // A registered document: its record, and Norway's views published under its symbol.
    let (_, pdf) = get("/api/v1/documents/record.pdf?symbol=A/72/315".to_owned()).await;
    keep("A-72-315.en.pdf", &pdf);
    let text = pdf_text(&pdf);
    assert!(text.contains("report of the Secretary-General"), "{text}");
    assert!(text.contains("Norway: developments in the field"), "{text}");
    let (ty, html) =
        get("/api/v1/documents/record.html?symbol=PoA/RC.1/2026/1&lang=fr".to_owned()).await;
    assert!(ty.starts_with("text/html"), "{ty}");
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("lang=\"fr\"") && html.contains("fr (human)"),
        "{html}"
    );
    let (_, docx) =
        get("/api/v1/documents/record.docx?symbol=A/RES/77/37&lang=es".to_owned()).await;
    assert!(docx_text(&docx).contains("General Assembly"));
    for (path, status) in [
        (
            "/api/v1/documents/record.pdf?symbol=PoA/RC.1/2026/L.99",
            404,
        ),
        ("/api/v1/documents/record.pdf", 400),
        ("/api/v1/documents/record.html?symbol=A/72/315&lang=xx", 400),
    ] {
        let res = l.app.get(path, &l.tokens.auditor).await;
        assert_eq!(res.status(), status, "{path}");
    }
    // The register as HTML, with the same entries.
    let (_, html) = get(format!("/api/v1/decisions.html?at=p:{head}")).await;
    let html = String::from_utf8(html).unwrap();
    for e in &entries {
        assert!(
            html.contains(&plenary::audit::replay::html_escape(&e.text)),
            "{}",
            e.text
        );
    }
    assert!(html.contains(&format!("content=\"{}\"", r.hash)));

    // Bad input changes nothing and says which field.
    for path in [
        format!("/api/v1/frameworks/{}/declaration.pdf?lang=xx", f.id),
        format!("/api/v1/meetings/{id}/report.docx?lang=de"),
        "/api/v1/decisions?lang=fr".to_owned(),
        "/api/v1/decisions.csv?lang=fr".to_owned(),
    ] {
        let res = l.app.get(&path, &l.tokens.auditor).await;
        assert!(res.status().is_client_error(), "{path}: {}", res.status());
    }
    let res = l
        .app
        .get("/api/v1/decisions.pdf?lang=xx", &l.tokens.auditor)
        .await;
    assert_eq!(res.status(), 400);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["field"], "lang", "{problem}");
}

helpers::e2e_tests!(
    replay_equals_live_at_every_position,
    inclusion_proof_verifies_and_fails_after_a_one_byte_change,
    printed_documents_are_the_same_live_and_offline
);

// ---- replay parity on random meetings ---------------------------------------------------

/// One act in a randomly generated meeting; delegates are Norway (0) and Brazil (1), whose
/// tokens the small world holds; attendance is taken for any member.
#[derive(Debug, Clone)]
enum Act {
    Present(usize),
    Absent(usize),
    Open,
    AdoptAgenda,
    TakeUp,
    Suspend,
    Resume,
    Inscribe(usize),
    Next,
    CallDraft,
    Object(usize),
    WithdrawObjection(usize),
    Explain(usize, bool),
    Declare(bool),
}

fn act() -> impl proptest::strategy::Strategy<Value = Act> {
    use proptest::prelude::*;
    prop_oneof![
        3 => (0..helpers::SMALL_MEMBERS.len()).prop_map(Act::Present),
        1 => (0..helpers::SMALL_MEMBERS.len()).prop_map(Act::Absent),
        1 => Just(Act::Open),
        1 => Just(Act::AdoptAgenda),
        1 => Just(Act::TakeUp),
        1 => Just(Act::Suspend),
        1 => Just(Act::Resume),
        2 => (0..2usize).prop_map(Act::Inscribe),
        1 => Just(Act::Next),
        2 => Just(Act::CallDraft),
        2 => (0..2usize).prop_map(Act::Object),
        1 => (0..2usize).prop_map(Act::WithdrawObjection),
        2 => (0..2usize, any::<bool>()).prop_map(|(d, after)| Act::Explain(d, after)),
        2 => any::<bool>().prop_map(Act::Declare),
    ]
}

/// Commands the random meetings got accepted, to show the runs did more than be refused.
static ACCEPTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs `acts` in a fresh small world (refusals are part of the game), exports the log, and
/// compares the offline replay with the live `at=` answers at every position.
async fn random_meeting_replays_as_it_happened(app: TestApp, acts: Vec<Act>) -> Result<(), String> {
    use serde_json::json;
    let s = app.small_world("A random meeting").await;
    let path = format!("/api/v1/meetings/{}/commands", helpers::SMALL_MEETING);
    let delegates = [(&s.nor, "NOR"), (&s.bra, "BRA")];
    let agenda = json!({ "IssueProvisionalAgenda": { "items": [
        { "number": 1, "title": "Opening", "nature": "Procedural", "documents": [] },
        { "number": 2, "title": "Draft decisions", "nature": "Substantive", "documents": [] } ] } });
    app.post(&path, &s.chair, agenda).await;
    // A meeting under way first (five present, open, agenda adopted, item 2 taken up), so
    // that the random part reaches calls, objections and decisions, not only refusals.
    let mut all: Vec<Act> = (0..5).map(Act::Present).collect();
    all.extend([Act::Open, Act::AdoptAgenda, Act::TakeUp]);
    all.extend(acts);
    for a in &all {
        let (token, body) = match a {
            Act::Present(i) => (
                &s.chair,
                json!({ "MarkPresent": { "state": helpers::SMALL_MEMBERS[*i] } }),
            ),
            Act::Absent(i) => (
                &s.chair,
                json!({ "MarkAbsent": { "state": helpers::SMALL_MEMBERS[*i] } }),
            ),
            Act::Open => (&s.chair, json!({ "Open": {} })),
            Act::AdoptAgenda => (&s.chair, json!({ "AdoptAgenda": {} })),
            Act::TakeUp => (&s.chair, json!({ "TakeUpItem": { "item": 2 } })),
            Act::Suspend => (&s.chair, json!({ "Suspend": {} })),
            Act::Resume => (&s.chair, json!({ "Resume": {} })),
            Act::Inscribe(d) => (
                &s.chair,
                json!({ "InscribeSpeaker": { "item": 2, "speaker": { "State": delegates[*d].1 } } }),
            ),
            Act::Next => (&s.chair, json!({ "CallNextSpeaker": { "item": 2 } })),
            Act::CallDraft => (
                &s.chair,
                json!({ "CallForConsensus": { "subject": { "DraftDecision": { "text": "Decides to meet again." } } } }),
            ),
            Act::Object(d) => (
                delegates[*d].0,
                json!({ "RaiseObjection": { "state": delegates[*d].1, "reason": null } }),
            ),
            Act::WithdrawObjection(d) => (
                delegates[*d].0,
                json!({ "WithdrawObjection": { "state": delegates[*d].1 } }),
            ),
            Act::Explain(d, after) => (
                delegates[*d].0,
                json!({ "ExplainPosition": { "state": delegates[*d].1,
                "timing": if *after { "AfterDecision" } else { "BeforeDecision" }, "text": "Our position.", "dissociates_from": [] } }),
            ),
            Act::Declare(adopted) => (
                &s.chair,
                json!({ "DeclareOutcome": { "outcome": if *adopted { "AdoptedWithoutAVote" } else { "NoConsensus" } } }),
            ),
        };
        let status = app.post(&path, token, body).await.status();
        if status.is_server_error() {
            return Err(format!("{a:?} answered {status}"));
        }
        if status.is_success() {
            ACCEPTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
    caught_up(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    bundle::export(&app.app.store, &bundle, ExportOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let head = app.app.store.head();
    for p in 1..=head {
        let r = replay::replay(&bundle, Cut::Position(p))?;
        let diffs =
            replay::compare_with_server(&r, Cut::Position(p), &app.base, &s.auditor).await?;
        if !diffs.is_empty() {
            return Err(format!("at position {p} of {head}: {diffs:?}"));
        }
    }
    Ok(())
}

/// Replay parity for randomly generated meetings (issue 18): at every log position, the
/// framework, the register and the meeting's state from the bundle equal the live `at=`.
#[test]
fn replay_equals_live_at_every_position_of_random_meetings() {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let mut backends = vec![Backend::Sqlite];
    if std::env::var_os(common::PG_ENV).is_some() {
        backends.push(Backend::Postgres);
    }
    for backend in backends {
        let mut runner = TestRunner::new(Config {
            cases: 8,
            max_shrink_iters: 32,
            ..Config::default()
        });
        let strategy = proptest::collection::vec(act(), 8..40);
        runner
            .run(&strategy, |acts| {
                rt.block_on(async {
                    let app = spawn_app(backend).await.expect("the backend is reachable");
                    random_meeting_replays_as_it_happened(app, acts).await
                })
                .map_err(TestCaseError::fail)
            })
            .unwrap_or_else(|e| panic!("on {backend:?}: {e}"));
    }
    let accepted = ACCEPTED.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("random meetings: {accepted} commands accepted");
    assert!(
        accepted >= 100,
        "the random meetings did little: {accepted} commands accepted"
    );
}

// ---- tamper tests on bundle files -------------------------------------------------------

/// A small log of 40 events on three streams with a signed checkpoint after event 30, exported
/// signed to `signed/` and unsigned to `plain/`.
async fn small_bundles() -> (tempfile::TempDir, SignedCheckpoint) {
    let dir = tempfile::tempdir().unwrap();
    let store = EventStore::open(&format!("sqlite://{}", dir.path().join("log.db").display()))
        .await
        .unwrap();
    let mut versions = [0i64; 3];
    let mut checkpoint = None;
    for i in 0..40 {
        if i == 30 {
            let mut p = CheckpointPublisher::new(store.clone(), key(1));
            checkpoint = p.publish().await.unwrap().map(|(s, _)| s);
            continue;
        }
        let s = i % 3;
        store
            .append(AppendCommand {
                aggregate_type: "Note".into(),
                aggregate_id: format!("n{s}"),
                expected_version: versions[s],
                events: vec![NewEvent {
                    event_type: "Noted".into(),
                    event_version: "1".into(),
                    payload: format!(r#"{{"Noted":{{"text":"note number {i} <b>é</b>"}}}}"#),
                    metadata: r#"{"actor":"tester","role":"secretariat"}"#.into(),
                }],
                idempotency_key: None,
                request_hash: String::new(),
                snapshot: None,
            })
            .await
            .unwrap();
        versions[s] += 1;
    }
    // Range exports too: from 10 (after the checkpoint's start, before its end) and from 35
    // (after its end).
    for (name, signing_key, from) in [
        ("signed", Some(key(1)), None),
        ("plain", None, None),
        ("from10", Some(key(1)), Some(10)),
        ("from35", Some(key(1)), Some(35)),
    ] {
        bundle::export(
            &store,
            &dir.path().join(name),
            ExportOptions {
                signing_key,
                from,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    store.close().await;
    (dir, checkpoint.unwrap())
}

fn copy_bundle(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in [bundle::EVENTS_FILE, bundle::MANIFEST_FILE] {
        std::fs::copy(from.join(f), to.join(f)).unwrap();
    }
}

fn lines(dir: &Path) -> Vec<Vec<u8>> {
    std::fs::read(dir.join(bundle::EVENTS_FILE))
        .unwrap()
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn write_lines(dir: &Path, lines: &[Vec<u8>]) {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    std::fs::write(dir.join(bundle::EVENTS_FILE), out).unwrap();
}

/// Re-hashes event `e` at its place in the chain after `prev`, as a forger would.
fn forge(mut e: plenary::store::StoredEvent, prev: [u8; 32]) -> Vec<u8> {
    e.prev_hash = prev;
    e.hash = e.compute_hash(&prev);
    let mut out = Vec::new();
    bundle::write_line(&mut out, &e).unwrap();
    out
}

fn parse(line: &[u8]) -> plenary::store::StoredEvent {
    bundle::parse_line(std::str::from_utf8(line).unwrap()).unwrap()
}

fn damage_of(dir: &Path, trusted: Option<&SigningKey>) -> Option<(i64, Damage)> {
    let vk = trusted.map(SigningKey::verifying_key);
    let r = verify::verify_bundle(dir, vk.as_ref(), &[]).unwrap();
    r.problem.map(|f| (f.position, f.damage))
}

#[tokio::test]
async fn tampered_bundles_name_the_first_bad_position_and_the_damage() {
    let (root, _) = small_bundles().await;
    let signed = root.path().join("signed");
    let plain = root.path().join("plain");
    assert_eq!(damage_of(&signed, Some(&key(1))), None);
    assert_eq!(damage_of(&plain, None), None);
    let original = lines(&signed);
    assert_eq!(original.len(), 40);

    let case = |name: &str, edit: &dyn Fn(&mut Vec<Vec<u8>>)| {
        let dir = root.path().join(name);
        copy_bundle(&signed, &dir);
        let mut l = original.clone();
        edit(&mut l);
        write_lines(&dir, &l);
        damage_of(&dir, Some(&key(1)))
    };

    // Changed: one byte of one event's text.
    let changed = case("changed", &|l| {
        let i = l[6].windows(6).position(|w| w == b"number").unwrap();
        l[6][i] = b'N';
    });
    assert_eq!(changed, Some((7, Damage::Changed)));
    // Nothing is replayed from a damaged bundle.
    let err = replay::replay(&root.path().join("changed"), Cut::Position(40)).unwrap_err();
    assert!(err.contains("damaged at position 7"), "{err}");
    let good = replay::replay(&signed, Cut::Position(40)).unwrap();
    assert_eq!(good.chain_verified.last_position, 40);
    // A position past the bundle's end is refused, not replayed to the end (issue 18, item 7).
    let err = replay::replay(&signed, Cut::Position(41)).unwrap_err();
    assert!(
        err.contains("beyond the end of the bundle: its last position is 40"),
        "{err}"
    );
    // A range bundle lacks the streams' beginnings: replaying it would invent a state.
    let err = replay::replay(&root.path().join("from10"), Cut::Position(40)).unwrap_err();
    assert!(err.contains("starts at position 10"), "{err}");

    // Missing: an event removed from the middle.
    assert_eq!(
        case("missing", &|l| {
            l.remove(9);
        }),
        Some((10, Damage::Missing))
    );

    // Reordered: two events swapped.
    assert_eq!(
        case("reordered", &|l| l.swap(11, 12)),
        Some((12, Damage::Reordered))
    );

    // Truncated: the last two events cut off.
    assert_eq!(
        case("truncated", &|l| l.truncate(38)),
        Some((39, Damage::Truncated))
    );

    // Inserted: a well-formed event forged after the head, correctly chained.
    assert_eq!(
        case("inserted-after", &|l| {
            let last = parse(l.last().unwrap());
            let mut extra = last.clone();
            extra.position += 1;
            extra.event_id = uuid::Uuid::now_v7();
            l.push(forge(extra, last.hash));
        }),
        Some((41, Damage::Inserted))
    );

    // Inserted: a line duplicated (issue 18, item 4: it was "reordered").
    assert_eq!(
        case("duplicated", &|l| {
            let copy = l[20].clone();
            l.insert(21, copy);
        }),
        Some((21, Damage::Inserted))
    );

    // Inserted: an event re-hashed so it no longer links to its predecessor.
    assert_eq!(
        case("inserted-middle", &|l| {
            let e = parse(&l[19]);
            l[19] = forge(e, [7u8; 32]);
        }),
        Some((20, Damage::Inserted))
    );

    // Truncated: the file cut in the middle of its last line, also inside a UTF-8 sequence
    // (issue 18, item 5: it was "changed").
    for (name, keep) in [("cut-mid-line", 0.5), ("cut-mid-char", -1.0)] {
        let dir = root.path().join(name);
        copy_bundle(&signed, &dir);
        let mut text = Vec::new();
        for l in &original[..39] {
            text.extend_from_slice(l);
            text.push(b'\n');
        }
        let last = &original[39];
        let cut = if keep > 0.0 {
            (last.len() as f64 * keep) as usize
        } else {
            // Just after the first byte of "é" (0xc3 0xa9).
            last.windows(2).position(|w| w == [0xc3, 0xa9]).unwrap() + 1
        };
        text.extend_from_slice(&last[..cut]);
        std::fs::write(dir.join(bundle::EVENTS_FILE), text).unwrap();
        let r = verify::verify_bundle(&dir, Some(&key(1).verifying_key()), &[]).unwrap();
        let f = r.problem.unwrap();
        assert_eq!(
            (f.position, f.damage),
            (40, Damage::Truncated),
            "{name}: {f:?}"
        );
        assert!(f.detail.contains("cut off"), "{}", f.detail);
    }
    // A last line that is whole but lost only its LF holds every event: nothing is wrong.
    let dir = root.path().join("no-final-lf");
    copy_bundle(&signed, &dir);
    let text = std::fs::read(signed.join(bundle::EVENTS_FILE)).unwrap();
    std::fs::write(dir.join(bundle::EVENTS_FILE), &text[..text.len() - 1]).unwrap();
    assert_eq!(damage_of(&dir, Some(&key(1))), None);

    // A line that is not even UTF-8.
    assert_eq!(
        case("not-utf8", &|l| l[4] = vec![0xff, 0xfe, b'{']),
        Some((5, Damage::Changed))
    );

    // Signature: the right bundle, a key the auditor does not trust.
    assert_eq!(
        damage_of(&signed, Some(&key(2))).map(|d| d.1),
        Some(Damage::SignatureMismatch)
    );
    // Signature: the manifest's root edited (signed bundle) ...
    let edit_manifest = |from: &Path, name: &str| {
        let dir = root.path().join(name);
        copy_bundle(from, &dir);
        let mut m = Manifest::read(&dir).unwrap();
        m.checkpoint.merkle_root = "00".repeat(32);
        std::fs::write(
            dir.join(bundle::MANIFEST_FILE),
            serde_json::to_string(&m).unwrap(),
        )
        .unwrap();
        dir
    };
    let dir = edit_manifest(&signed, "manifest-signed");
    assert_eq!(
        damage_of(&dir, Some(&key(1))).map(|d| d.1),
        Some(Damage::SignatureMismatch)
    );
    // ... and in an unsigned bundle, where the root no longer matches the events.
    let dir = edit_manifest(&plain, "manifest-plain");
    assert_eq!(damage_of(&dir, None), Some((40, Damage::ManifestMismatch)));
    // A key given for an unsigned bundle is a failure, not a pass.
    assert_eq!(
        damage_of(&plain, Some(&key(1))).map(|d| d.1),
        Some(Damage::SignatureMismatch)
    );
}

#[tokio::test]
async fn a_consistently_rewritten_history_is_caught_by_a_checkpoint_kept_elsewhere() {
    let (root, published) = small_bundles().await;
    let plain = root.path().join("plain");
    // The forger changes event 5 and re-hashes everything after it, and drops the published
    // checkpoint (it would give them away), then writes a fresh unsigned manifest.
    let dir = root.path().join("rewritten");
    copy_bundle(&plain, &dir);
    let mut prev = [0u8; 32];
    let mut out = Vec::new();
    let mut hashes = Vec::new();
    let mut position = 0;
    for line in lines(&plain) {
        let mut e = parse(&line);
        if e.aggregate_type == "Log" {
            continue;
        }
        position += 1;
        e.position = position;
        if position == 5 {
            e.payload = e.payload.replace("note number", "NOTE NUMBER");
        }
        let forged = forge(e, prev);
        let e = parse(&forged);
        prev = e.hash;
        hashes.push(e.hash);
        out.push(forged);
    }
    write_lines(&dir, &out);
    let mut m = Manifest::read(&dir).unwrap();
    m.checkpoint.count = out.len() as i64;
    m.checkpoint.last_position = out.len() as i64;
    m.checkpoint.head_hash = hex::encode(prev);
    m.checkpoint.merkle_root = hex::encode(plenary::audit::merkle::root(&hashes));
    std::fs::write(
        dir.join(bundle::MANIFEST_FILE),
        serde_json::to_string(&m).unwrap(),
    )
    .unwrap();

    // On its own, a consistent rewrite verifies: this is why checkpoints are kept elsewhere.
    assert_eq!(damage_of(&dir, None), None);
    let kept = std::env::temp_dir().join(format!("cp-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&kept, serde_json::to_string(&published).unwrap()).unwrap();
    let external = verify::External::read(&kept).unwrap();
    let _ = std::fs::remove_file(&kept);
    let r = verify::verify_bundle(
        &dir,
        Some(&key(1).verifying_key()),
        std::slice::from_ref(&external),
    );
    let problem = r.unwrap().problem.unwrap();
    // The unsigned manifest fails the trusted key first; without the key, the checkpoint
    // itself names the rewrite.
    assert_eq!(problem.damage, Damage::SignatureMismatch);
    let r = verify::verify_bundle(&dir, None, std::slice::from_ref(&external)).unwrap();
    let problem = r.problem.unwrap();
    assert_eq!(problem.damage, Damage::Changed);
    assert_eq!(problem.position, 30);
    // And the untouched bundle agrees with the same checkpoint.
    let r = verify::verify_bundle(&plain, Some(&key(1).verifying_key()), &[external]);
    let r = r.unwrap();
    assert!(r.checkpoints.iter().all(|c| c.outcome == "ok"), "{r:?}");
    assert_eq!(
        r.problem.map(|p| p.damage),
        Some(Damage::SignatureMismatch),
        "plain is unsigned"
    );
}

/// Issue 18, item 6: a checkpoint kept outside is applied to a range bundle as far as the
/// hash chain reaches, and one it cannot reach fails the run instead of being skipped.
#[tokio::test]
async fn a_range_bundle_is_checked_against_a_checkpoint_that_starts_before_it() {
    let (root, published) = small_bundles().await;
    assert_eq!(
        (
            published.checkpoint.first_position,
            published.checkpoint.last_position
        ),
        (1, 30)
    );
    let kept = root.path().join("kept.json");
    std::fs::write(&kept, serde_json::to_string(&published).unwrap()).unwrap();
    let external = verify::External::read(&kept).unwrap();
    let vk = key(1).verifying_key();

    // Positions 10..=40 against a checkpoint of 1..=30: its head hash is event 30's, which
    // commits to every event of the bundle before it.
    let from10 = root.path().join("from10");
    let r = verify::verify_bundle(&from10, Some(&vk), std::slice::from_ref(&external)).unwrap();
    assert!(r.ok(), "{r:?}");
    let outside = r
        .checkpoints
        .iter()
        .find(|c| c.source.contains("kept"))
        .unwrap();
    assert!(
        outside.outcome.starts_with("ok") && outside.outcome.contains("head hash"),
        "{outside:?}"
    );
    // The checkpoint published inside the bundle (at 31, also covering 1..=30) likewise.
    assert!(
        r.checkpoints.iter().all(|c| c.outcome.starts_with("ok")),
        "{r:?}"
    );

    // The same range with event 20 rewritten and everything after it re-hashed, under a fresh
    // unsigned manifest: on its own it verifies; the checkpoint kept outside catches it.
    let dir = root.path().join("from10-rewritten");
    copy_bundle(&from10, &dir);
    let mut m = Manifest::read(&dir).unwrap();
    let mut prev: [u8; 32] = hex::decode(&m.checkpoint.prev_hash)
        .unwrap()
        .try_into()
        .unwrap();
    let mut out = Vec::new();
    let mut hashes = Vec::new();
    for line in lines(&from10) {
        let mut e = parse(&line);
        if e.aggregate_type == "Log" {
            // The published checkpoint would give the forger away: dropped, positions kept
            // contiguous by leaving the bundle at 30.
            break;
        }
        if e.position == 20 {
            e.payload = e.payload.replace("note number", "NOTE NUMBER");
        }
        let forged = forge(e, prev);
        let e = parse(&forged);
        prev = e.hash;
        hashes.push(e.hash);
        out.push(forged);
    }
    write_lines(&dir, &out);
    m.checkpoint.count = out.len() as i64;
    m.checkpoint.last_position = 30;
    m.checkpoint.head_hash = hex::encode(prev);
    m.checkpoint.merkle_root = hex::encode(plenary::audit::merkle::root(&hashes));
    m.public_key = None;
    m.signature = None;
    std::fs::write(
        dir.join(bundle::MANIFEST_FILE),
        serde_json::to_string(&m).unwrap(),
    )
    .unwrap();
    assert_eq!(damage_of(&dir, None), None);
    let r = verify::verify_bundle(&dir, None, std::slice::from_ref(&external)).unwrap();
    let f = r.problem.unwrap();
    assert_eq!((f.position, f.damage), (30, Damage::Changed), "{f:?}");

    // A range checkpoint inside the bundle's range is checked whole: range, count and root.
    let mut inner = Manifest::read(&root.path().join("from35")).unwrap();
    inner.public_key = None;
    inner.signature = None;
    let inner_file = root.path().join("inner.json");
    std::fs::write(&inner_file, serde_json::to_string(&inner).unwrap()).unwrap();
    let inner = verify::External::read(&inner_file).unwrap();
    let r = verify::verify_bundle(&from10, None, std::slice::from_ref(&inner)).unwrap();
    assert!(r.ok(), "{r:?}");
    assert!(
        r.checkpoints
            .iter()
            .any(|c| c.outcome == "matches (unsigned)"),
        "{r:?}"
    );
    let mut wrong = inner.clone();
    wrong.checkpoint.merkle_root = "00".repeat(32);
    let r = verify::verify_bundle(&from10, None, &[wrong]).unwrap();
    assert_eq!(r.problem.map(|f| f.damage), Some(Damage::Changed));

    // Positions 35..=40 cannot reach a checkpoint that ends at 30: the run fails, saying why.
    let err =
        verify::verify_bundle(&root.path().join("from35"), Some(&vk), &[external]).unwrap_err();
    assert!(err.contains("cannot be checked"), "{err}");
    assert!(err.contains("starts at or before position 31"), "{err}");
}

// ---- the command line, as the README walks an auditor through it ------------------------

fn plenary(args: &[&str], db: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_plenary"))
        .args(args)
        .env("PLENARY_DATABASE_URL", db)
        .env_remove("PLENARY_SIGNING_KEY")
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_auditor_walkthrough_on_the_command_line() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let client = InProcess(api::router(AppState::new(app.app.clone())));
    let tokens = demo::tokens(&client, &app.admin).await.unwrap();
    let outcome = demo::load(&client, &tokens, None).await.unwrap();
    caught_up(&app).await;
    let db = app.db.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();

    let public = ok(&plenary(&["keys", "generate", "--out", &p("k.key")], &db));
    assert_eq!(public.trim().len(), 64);
    assert!(!plenary(&["keys", "generate", "--out", &p("k.key")], &db)
        .status
        .success());
    // Help and behaviour agree on where the public key goes (issue 18, item 9) ...
    let help = ok(&plenary(&["keys", "generate", "--help"], &db));
    assert!(help.contains("k.key → k.pub"), "{help}");
    assert!(!help.contains("FILE.pub"), "{help}");
    assert!(Path::new(&p("k.pub")).exists());
    // ... and a secret key is never written where its public key would go.
    let out = plenary(&["keys", "generate", "--out", &p("s.pub")], &db);
    assert!(!out.status.success());
    assert!(!Path::new(&p("s.pub")).exists());
    let published = ok(&plenary(
        &["log", "checkpoint", "--signing-key", &p("k.key")],
        &db,
    ));
    assert!(published.contains("merkle_root"));
    std::fs::write(p("kept.json"), &published).unwrap();
    ok(&plenary(
        &["export", &p("bundle"), "--signing-key", &p("k.key")],
        &db,
    ));
    let report = ok(&plenary(
        &["audit", "verify", &p("bundle"), "--public-key", &p("k.pub")],
        &db,
    ));
    assert!(report.contains("signature valid"), "{report}");
    assert!(report.contains("ok: the bundle is intact"));

    let day2 = format!("p:{}", outcome.day_ends[1].1);
    let out = ok(&plenary(
        &[
            "audit",
            "replay",
            &p("bundle"),
            "--at",
            &day2,
            "--markdown",
            &p("day2.md"),
            "--html",
            &p("day2.html"),
            "--server",
            &app.base,
            "--token",
            &tokens.auditor,
        ],
        &db,
    ));
    assert!(out.contains("matches"), "{out}");
    assert!(std::fs::read_to_string(p("day2.html"))
        .unwrap()
        .starts_with("<!doctype html>"));
    // The service's download of the Declaration at that position is the same document.
    let live = app
        .get(
            &format!(
                "/api/v1/frameworks/{}/declaration.html?at={day2}",
                demo::BODY
            ),
            &tokens.auditor,
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(p("day2.html")).unwrap(), live);
    assert!(std::fs::read_to_string(p("day2.md"))
        .unwrap()
        .contains("# "));

    // The audit history and the register as CSV from the log: the service's rows.
    ok(&plenary(&["csv", "audit", &p("audit.csv")], &db));
    let audit_csv = std::fs::read_to_string(p("audit.csv")).unwrap();
    let live = app
        .get("/api/v1/audit/events.csv", &tokens.auditor)
        .await
        .text()
        .await
        .unwrap();
    // The service's read model may not have seen what the CLI appended (the checkpoint): its
    // rows are the log's up to where it has read.
    assert!(live.lines().count() > 100);
    assert!(
        audit_csv.starts_with(&live),
        "the API's rows are the log's rows"
    );
    assert_eq!(
        audit_csv.lines().count() as i64,
        app.app.store.head_from_db().await.unwrap().0 + 1,
        "a header and a row per event"
    );
    ok(&plenary(
        &[
            "csv",
            "register",
            &p("register.csv"),
            "--meeting",
            demo::REVIEW_CONFERENCE,
            "--at",
            &day2,
        ],
        &db,
    ));
    let live = app
        .get(
            &format!(
                "/api/v1/decisions.csv?meeting={}&at={day2}",
                demo::REVIEW_CONFERENCE
            ),
            &tokens.auditor,
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(p("register.csv")).unwrap(), live);
    assert!(live.lines().count() > 1);

    // The conference's report, written offline, is the service's download (issue 23).
    ok(&plenary(
        &[
            "audit",
            "replay",
            &p("bundle"),
            "--at",
            &day2,
            "--report",
            demo::REVIEW_CONFERENCE,
            "--report-html",
            &p("report.html"),
            "--lang",
            "ar",
        ],
        &db,
    ));
    let live = app
        .get(
            &format!(
                "/api/v1/meetings/{}/report.html?lang=ar&at={day2}",
                demo::REVIEW_CONFERENCE
            ),
            &tokens.auditor,
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(p("report.html")).unwrap(), live);
    let out = plenary(
        &[
            "audit",
            "replay",
            &p("bundle"),
            "--at",
            &day2,
            "--report",
            "no-such-meeting",
            "--report-json",
            &p("x.json"),
        ],
        &db,
    );
    assert_eq!(out.status.code(), Some(1));

    let decision = replay::replay(Path::new(&p("bundle")), Cut::Position(app.app.store.head()))
        .unwrap()
        .decisions
        .last()
        .unwrap()["position"]
        .to_string();
    ok(&plenary(
        &[
            "audit",
            "prove",
            &decision,
            "--bundle",
            &p("bundle"),
            "--out",
            &p("proof.json"),
        ],
        &db,
    ));
    let checked = ok(&plenary(
        &[
            "audit",
            "verify",
            &p("proof.json"),
            "--public-key",
            public.trim(),
        ],
        &db,
    ));
    assert!(checked.contains("signature valid"), "{checked}");

    // A position past the bundle's end is refused, naming the end (issue 18, item 7).
    let last = Manifest::read(Path::new(&p("bundle")))
        .unwrap()
        .checkpoint
        .last_position;
    let out = plenary(
        &[
            "audit",
            "replay",
            &p("bundle"),
            "--at",
            &format!("p:{}", last + 1),
        ],
        &db,
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("its last position is {last}")),
        "{stderr}"
    );
    ok(&plenary(
        &[
            "audit",
            "replay",
            &p("bundle"),
            "--at",
            &format!("p:{last}"),
        ],
        &db,
    ));

    // A range export verifies on its own.
    ok(&plenary(
        &["export", &p("range"), "--from", "10", "--to", "50"],
        &db,
    ));
    ok(&plenary(&["audit", "verify", &p("range")], &db));
    // A range that starts inside the kept checkpoint is checked against it by its head hash;
    // one that starts after a checkpoint's end fails the run (issue 18, item 6).
    ok(&plenary(
        &[
            "export",
            &p("range60"),
            "--from",
            "60",
            "--signing-key",
            &p("k.key"),
        ],
        &db,
    ));
    let report = ok(&plenary(
        &[
            "audit",
            "verify",
            &p("range60"),
            "--public-key",
            &p("k.pub"),
            "--checkpoint",
            &p("kept.json"),
        ],
        &db,
    ));
    assert!(report.contains("ok (by its head hash"), "{report}");
    ok(&plenary(&["export", &p("early"), "--to", "5"], &db));
    let early = Path::new(&p("early")).join(bundle::MANIFEST_FILE);
    let out = plenary(
        &[
            "audit",
            "verify",
            &p("range"),
            "--checkpoint",
            &early.display().to_string(),
        ],
        &db,
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be checked"), "{stderr}");

    // Damage: a non-zero exit naming the position.
    let events = Path::new(&p("bundle")).join(bundle::EVENTS_FILE);
    let text = std::fs::read_to_string(&events).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let (second, rest) = rest.split_once('\n').unwrap();
    std::fs::write(&events, format!("{first}\n{rest}")).unwrap();
    let _ = second;
    let out = plenary(&["audit", "verify", &p("bundle")], &db);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("BROKEN at position 2: missing"), "{stdout}");
    // The JSON report names it with the same word (issue 18, item 8).
    let out = plenary(&["audit", "verify", &p("bundle"), "--json"], &db);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["problem"]["damage"], "missing", "{report}");
    assert_eq!(report["problem"]["position"], 2, "{report}");
}

/// `serve --demo` loads the scenario on its own dates (issue 23, item 6): the dates the demo
/// prints, `?at=DATE`, the register's dates and `audit replay --at DATE` agree, every event
/// of the scenario says it was recorded on a simulated clock, and the next real command is
/// stamped with the server's clock and says nothing of the kind.
async fn the_demo_on_its_own_dates(app: TestApp) {
    let client = InProcess(api::router(AppState::new(app.app.clone())));
    let tokens = demo::tokens(&client, &app.admin).await.unwrap();
    let before = app.app.store.head();
    let clock = app.app.store.clock();
    let outcome = demo::load(&client, &tokens, Some(clock)).await.unwrap();
    assert!(
        !clock.is_simulated(),
        "the server's clock again after loading"
    );
    caught_up(&app).await;
    let days: Vec<&str> = outcome.day_ends.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(
        days,
        ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"]
    );

    let auditor = &tokens.auditor;
    for (day, position) in &outcome.day_ends {
        let framework = |at: String| {
            let app = &app;
            async move {
                let path = format!("/api/v1/frameworks/{}?at={at}", demo::BODY);
                let r = app.get(&path, auditor).await;
                assert_eq!(r.status(), 200, "{path}");
                r.json::<serde_json::Value>().await.unwrap()
            }
        };
        let by_date = framework(day.clone()).await;
        let by_position = framework(format!("p:{position}")).await;
        assert_eq!(by_date["version"], by_position["version"], "{day}");
        assert_eq!(by_date["paragraphs"], by_position["paragraphs"], "{day}");
    }
    // The day before the conference the Declaration stood at its first version; before
    // resolution 77/37 it did not exist.
    let r = app
        .get(
            &format!("/api/v1/frameworks/{}?at=2026-11-22", demo::BODY),
            auditor,
        )
        .await;
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["version"], 1);
    let r = app
        .get(
            &format!("/api/v1/frameworks/{}?at=2022-12-06", demo::BODY),
            auditor,
        )
        .await;
    assert_eq!(r.status(), 404);

    // Each decision of the conference is dated on a day it sat.
    let register: serde_json::Value = app
        .get("/api/v1/decisions?limit=500", auditor)
        .await
        .json()
        .await
        .unwrap();
    let entries = register["decisions"].as_array().expect("decisions");
    assert!(!entries.is_empty());
    for d in entries {
        let date = d["date"].as_str().unwrap_or_default();
        assert!(days.contains(&date), "decision dated {date}: {d}");
    }

    let events = app.app.store.read_all(before, 100_000).await.unwrap();
    for e in &events {
        let metadata: serde_json::Value = serde_json::from_str(&e.metadata).unwrap();
        assert_eq!(metadata["clock"], "simulated", "position {}", e.position);
        let day = plenary::app::history::rfc3339(e.recorded_at_us);
        assert!(
            day.as_str() < "2026-12-01",
            "position {} at {day}",
            e.position
        );
    }

    // The audit history of one day, by its time bounds: exactly that day's events, in JSON
    // and in CSV.
    let day: serde_json::Value = app
        .get(
            "/api/v1/audit/events?from=2026-11-24&to=2026-11-24&limit=1000",
            auditor,
        )
        .await
        .json()
        .await
        .unwrap();
    let positions: Vec<i64> = day["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    let expected: Vec<i64> = ((outcome.day_ends[0].1 + 1)..=outcome.day_ends[1].1).collect();
    assert_eq!(positions, expected);
    let csv = app
        .get(
            "/api/v1/audit/events.csv?from=2026-11-24&to=2026-11-24",
            auditor,
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv.lines().count(),
        expected.len() + 1,
        "a header and a row per event"
    );

    // The same record replayed offline at a date, and compared with the server at that date.
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    bundle::export(&app.app.store, &bundle, ExportOptions::default())
        .await
        .unwrap();
    let end_of_24 = plenary::app::history::parse_time("2026-11-24", true).unwrap();
    let by_date = replay::replay(&bundle, Cut::Time(end_of_24)).unwrap();
    let by_position = replay::replay(&bundle, Cut::Position(outcome.day_ends[1].1)).unwrap();
    assert_eq!(by_date.position, by_position.position);
    assert_eq!(by_date.decisions, by_position.decisions);
    let diffs = replay::compare_with_server(&by_date, Cut::Time(end_of_24), &app.base, auditor)
        .await
        .unwrap();
    assert!(diffs.is_empty(), "{diffs:?}");

    // The report of the conference at the end of its second day, in French: the service's
    // download and the one `audit replay` writes offline are the same bytes.
    let day2 = outcome.day_ends[1].1;
    let live = app
        .get(
            &format!(
                "/api/v1/meetings/{}/report.html?lang=fr&at=p:{day2}",
                demo::REVIEW_CONFERENCE
            ),
            auditor,
        )
        .await
        .text()
        .await
        .unwrap();
    let replayed = replay::replay(&bundle, Cut::Position(day2)).unwrap();
    let offline = plenary::export::report::html(
        &replayed.reports[demo::REVIEW_CONFERENCE],
        plenary::web::messages::get("fr").unwrap(),
    );
    assert!(live.contains("Encourage les États"));
    assert_eq!(live, offline);

    // A real command after loading: today's date, nothing said of the clock.
    let head = app.app.store.head();
    let chair = &tokens.chairs[demo::PERIODIC_MEETING];
    let r = app
        .post(
            &format!("/api/v1/meetings/{}/commands", demo::PERIODIC_MEETING),
            chair,
            serde_json::json!({ "Open": {} }),
        )
        .await;
    assert!(
        r.status().is_success() || r.status() == 409,
        "{}",
        r.status()
    );
    let sec = &tokens.secretariat;
    let r = app
        .post(
            &format!("/api/v1/meetings/{}/commands", demo::PERIODIC_MEETING),
            sec,
            serde_json::json!({ "MarkPresent": { "state": "NOR" } }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let later = app.app.store.read_all(head, 100).await.unwrap();
    assert!(!later.is_empty());
    for e in &later {
        assert!(!e.metadata.contains("\"clock\""), "{}", e.metadata);
        assert!(plenary::store::now_us() - e.recorded_at_us < 600_000_000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_on_its_own_dates_sqlite() {
    the_demo_on_its_own_dates(spawn_app(Backend::Sqlite).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_on_its_own_dates_postgres() {
    if let Some(app) = spawn_app(Backend::Postgres).await {
        the_demo_on_its_own_dates(app).await;
    }
}
