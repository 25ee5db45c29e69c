//! National contributions at the scale of the targets (issue 22): 193 States filing
//! a national report a year for ten years (1,930 submissions), each answering the survey
//! template and carrying a PDF-sized attachment (1 GiB in all by default); capacity-building
//! requests and offers. Then, over real HTTP to an in-process server, at one request at a
//! time: the reporting-cycle view, the matching board and search (p50/p99); then export and
//! offline verification of the whole log with its attachments (MB/s).
//! Targets: reporting view and matching p99 <= 20 ms; search p99 <= 50 ms; export and
//! verification >= 100 MB/s.

use std::time::{Duration, Instant};

use plenary::app::{App, Settings};
use plenary::audit::bundle::{self, ExportOptions};
use plenary::audit::verify;
use plenary::demo::Client;
use plenary::store::{credentials, EventStore};
use serde_json::json;

use crate::http::{Error, Http};
use crate::stats::{median, ms, percentile};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    backend: String,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// States (each files one report a year).
    #[arg(long, default_value_t = 193)]
    states: usize,
    #[arg(long, default_value_t = 10)]
    years: usize,
    /// Bytes of attachments in all, shared equally among the reports.
    #[arg(long, default_value_t = 1 << 30)]
    attachment_bytes: u64,
    /// Requests per read measured (after 20 to warm up).
    #[arg(long, default_value_t = 500)]
    reads: usize,
    /// Runs of export and verification; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

/// Three capital letters for State number `i` (AAA, AAB, …).
fn code(i: usize) -> String {
    let l = |n: usize| (b'A' + (n % 26) as u8) as char;
    format!("{}{}{}", l(i / 676), l(i / 26), l(i))
}

/// Words for the reports' texts, so that a search has something to tell apart.
const WORDS: &str = include_str!("../../../assets/demo/norway-views-71-28.txt");

fn report_text(vocabulary: &[&str], seed: usize) -> String {
    let mut x = seed as u64 * 6364136223846793005 + 1442695040888963407;
    let mut out = String::new();
    for _ in 0..300 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(vocabulary[(x >> 33) as usize % vocabulary.len()]);
        out.push(' ');
    }
    out
}

/// Bytes that do not compress (a PDF's streams do not either), different for each report.
fn attachment(size: usize, seed: usize) -> Vec<u8> {
    let mut x = seed as u64 ^ 0x9E3779B97F4A7C15;
    let mut out = Vec::with_capacity(size + 8);
    out.extend_from_slice(b"%PDF-1.7\n");
    while out.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(size);
    out
}

pub async fn run(a: Args) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!(
        "plenary-bench-contributions-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let store = match a.backend.as_str() {
        "sqlite" => EventStore::open(&format!("sqlite://{}/bench.db", dir.display())).await?,
        "postgres" => EventStore::open_postgres(&a.postgres, Some(&schema)).await?,
        other => return Err(format!("unknown backend {other}").into()),
    };
    println!(
        "\n## contributions: {} States x {} years, {} MiB of attachments, {} store",
        a.states,
        a.years,
        a.attachment_bytes >> 20,
        a.backend
    );
    let result = bench(&a, store.clone(), &dir).await;
    store.close().await;
    if a.backend == "postgres" {
        use sqlx::{Connection, Executor};
        if let Ok(mut c) = sqlx::PgConnection::connect(&a.postgres).await {
            let _ = c
                .execute(format!("drop schema if exists {schema} cascade").as_str())
                .await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    result.map_err(|e| e.to_string().into())
}

async fn ok(http: &Http, path: &str, token: &str, body: serde_json::Value) -> Result<(), Error> {
    let (status, v) = http.send("POST", path, token, Some(body.clone())).await?;
    if status != 200 {
        return Err(format!("POST {path} {body}: {status} {v}").into());
    }
    Ok(())
}

async fn bench(a: &Args, store: EventStore, dir: &std::path::Path) -> Result<(), Error> {
    let app = App::with_store(store.clone(), Settings::default());
    let service = plenary::service::Service::start(app.clone(), Default::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let http = Http::new(format!("http://{}", listener.local_addr()?));
    let _server = service.serve_in_background(listener);
    let db = store.db();
    let (_, sec) = credentials::create(db, "secretariat", None, "bench").await?;
    let states: Vec<String> = (0..a.states).map(code).collect();
    let mut delegates = vec![];
    for s in &states {
        delegates.push(
            credentials::create(db, "delegate", Some(s), "bench")
                .await?
                .1,
        );
    }
    ok(
        &http,
        "/api/v1/bodies/poa/commands",
        &sec,
        json!({ "EstablishBody": { "body_id": "poa",
        "name": "Programme of Action", "parent_body": null, "founding_document": null,
        "members": states, "rules": null } }),
    )
    .await?;
    ok(
        &http,
        "/api/v1/bodies/poa/commands",
        &sec,
        json!({ "SetAttachmentLimit": { "bytes": 64 << 20 } }),
    )
    .await?;
    let cohorts: Vec<serde_json::Value> = states
        .chunks(states.len().div_ceil(4))
        .enumerate()
        .map(|(i, c)| json!({ "name": format!("Cohort {}", i + 1), "states": c }))
        .collect();
    let questions: Vec<serde_json::Value> = (1..=5)
        .map(|i| json!({ "id": format!("q{i}"), "text": format!("Question {i} of the national survey?") }))
        .collect();
    let first_year = 2017;
    ok(
        &http,
        "/api/v1/reporting/poa/commands",
        &sec,
        json!({ "SetSchedule": {
        "first_cycle_starts": format!("{first_year}-01-01"), "cycle_months": 12,
        "cohorts": cohorts, "questions": questions } }),
    )
    .await?;

    // The reports: drafted, answered, attached, submitted and published, a year at a time
    // on that year's date.
    let vocabulary: Vec<&str> = WORDS
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.len() > 3)
        .collect();
    let n = a.states * a.years;
    let size = (a.attachment_bytes / n as u64).max(1) as usize;
    let started = Instant::now();
    let mut uploaded = 0u64;
    for y in 0..a.years {
        let year = first_year + y as i32;
        let day = chrono::NaiveDate::from_ymd_opt(year, 6, 1).unwrap_or_default();
        store
            .clock()
            .simulate(day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc());
        for (i, s) in states.iter().enumerate() {
            let id = format!("nir-{s}-{year}");
            let path = format!("/api/v1/submissions/{id}/commands");
            let tok = &delegates[i];
            ok(
                &http,
                &path,
                tok,
                json!({ "Draft": { "submission_id": id, "body_id": "poa",
                "kind": "NationalImplementationReport", "state": s,
                "title": format!("National report of {s}, {year}"), "language": "en",
                "text": report_text(&vocabulary, i * 100 + y), "resolution": null,
                "sections": ["capacity_building"], "paragraphs": [], "topics": [] } }),
            )
            .await?;
            let answers: Vec<serde_json::Value> = (1..=5)
                .map(|q| json!({ "question": format!("q{q}"), "answer": format!("Answer {q} of {s} in {year}.") }))
                .collect();
            ok(
                &http,
                &path,
                tok,
                json!({ "AnswerSurvey": { "state": s, "answers": answers } }),
            )
            .await?;
            let file = attachment(size, i * 100 + y);
            uploaded += file.len() as u64;
            let (status, v) = http
                .upload(
                    &format!("/api/v1/submissions/{id}/attachments?name=report-{year}.pdf"),
                    tok,
                    "application/pdf",
                    file,
                )
                .await?;
            if status != 200 {
                return Err(format!("upload {id}: {status} {v}").into());
            }
            ok(&http, &path, tok, json!({ "Submit": { "state": s } })).await?;
            ok(
                &http,
                &path,
                &sec,
                json!({ "Publish": { "symbol": format!("A/AC.292/{year}/NR.{}", i + 1) } }),
            )
            .await?;
        }
    }
    store.clock().system();
    // Capacity building: a request per State, an offer per five States.
    let areas = [
        "international_law",
        "norms_rules_principles",
        "confidence_building_measures",
        "capacity_building",
    ];
    let modalities = [
        "Training",
        "Equipment",
        "LegislativeAssistance",
        "CertDevelopment",
    ];
    let languages = ["en", "fr", "es", "ar", "ru", "zh"];
    for (i, s) in states.iter().enumerate() {
        let id = format!("req-{s}");
        ok(&http, &format!("/api/v1/capacity/requests/{id}/commands"), &delegates[i], json!({ "FileRequest": {
            "request_id": id, "state": s, "area": areas[i % 4], "gap_analysis": null, "priority": "High",
            "modality": modalities[i % 4], "language": languages[i % 6], "region": format!("Region {}", i % 5),
            "needed_by": null, "description": format!("Support for {s}") } })).await?;
        if i % 5 == 0 {
            let id = format!("off-{s}");
            ok(&http, &format!("/api/v1/capacity/offers/{id}/commands"), &delegates[i], json!({ "MakeOffer": {
                "offer_id": id, "state": s, "organisation": null, "areas": [areas[i % 4], areas[(i + 1) % 4]],
                "modalities": [modalities[i % 4]], "languages": [languages[i % 6], "en"],
                "regions": [format!("Region {}", i % 5)], "capacity": 5, "description": format!("Offer of {s}") } })).await?;
        }
    }
    app.projector
        .wait_for(store.head(), Duration::from_secs(120))
        .await;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "filed {n} reports with {} MiB of attachments ({} bytes each) and {} requests in {secs:.1} s; log head {}",
        uploaded >> 20,
        size,
        states.len(),
        store.head()
    );

    // Reads, one at a time, as the secretariat (who sees everything: the largest answers).
    let q = |i: usize| {
        let a = vocabulary[(i * 7919) % vocabulary.len()];
        let b = vocabulary[(i * 104729) % vocabulary.len()];
        if i.is_multiple_of(2) {
            format!("/api/v1/search?q={a}")
        } else {
            format!("/api/v1/search?q={a}+{b}")
        }
    };
    type PathFn<'a> = Box<dyn Fn(usize) -> String + 'a>;
    let reads: [(&str, PathFn, f64); 3] = [
        (
            "reporting-cycle view",
            Box::new(|_| "/api/v1/reporting/poa".to_owned()),
            20.0,
        ),
        (
            "matching board",
            Box::new(|_| "/api/v1/capacity".to_owned()),
            20.0,
        ),
        ("search", Box::new(q), 50.0),
    ];
    for (name, path, target) in &reads {
        for i in 0..20 {
            http.request("GET", &path(i), &sec, None).await?;
        }
        let mut lat = Vec::with_capacity(a.reads);
        let mut bytes = 0;
        for i in 0..a.reads {
            let t = Instant::now();
            let (status, body) = http.request("GET", &path(i), &sec, None).await?;
            lat.push(t.elapsed());
            if status != 200 {
                return Err(format!("GET {}: {status}", path(i)).into());
            }
            bytes += body.len();
        }
        lat.sort_unstable();
        let p99 = ms(percentile(&lat, 0.99));
        println!(
            "{name}: p50 {:.2} ms, p99 {p99:.2} ms, max {:.2} ms ({} requests, {} KiB an answer) — target p99 <= {target} ms: {}",
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 1.0)),
            a.reads,
            bytes / a.reads / 1024,
            if p99 <= *target { "met" } else { "MISSED" }
        );
    }

    // Export and verification of the whole log with its attachments.
    let mut export_rates = vec![];
    let mut verify_rates = vec![];
    for run in 0..a.runs {
        let out = dir.join(format!("export-{run}"));
        let t = Instant::now();
        let s = bundle::export(&store, &out, ExportOptions::default()).await?;
        let secs = t.elapsed().as_secs_f64();
        if let Some(d) = s.damage {
            return Err(format!("the export found damage: {d:?}").into());
        }
        let events = std::fs::metadata(out.join(bundle::EVENTS_FILE))?.len();
        let total = events + s.manifest.attachments.as_ref().map_or(0, |x| x.bytes);
        export_rates.push(total as f64 / secs / 1e6);
        let t = Instant::now();
        let r = verify::verify_bundle(&out, None, &[])?;
        let secs = t.elapsed().as_secs_f64();
        if let Some(p) = r.problem {
            return Err(format!("the fresh bundle does not verify: {p:?}").into());
        }
        verify_rates.push(total as f64 / secs / 1e6);
        if run == 0 {
            println!(
                "bundle: {} events ({} MB) and {} attachments ({} MB)",
                r.events_checked,
                events / 1_000_000,
                r.attachments_checked,
                r.attachment_bytes / 1_000_000
            );
        }
        std::fs::remove_dir_all(&out)?;
    }
    let (e, v) = (median(export_rates.clone()), median(verify_rates.clone()));
    println!(
        "export: median {e:.0} MB/s ({}) — target >= 100 MB/s: {}",
        crate::stats::runs(&export_rates),
        if e >= 100.0 { "met" } else { "MISSED" }
    );
    println!(
        "offline verification: median {v:.0} MB/s ({}) — target >= 100 MB/s: {}",
        crate::stats::runs(&verify_rates),
        if v >= 100.0 { "met" } else { "MISSED" }
    );
    Ok(())
}
