//! The event-log benchmark.

use std::sync::Arc;
use std::time::{Duration, Instant};

use plenary::app::history::{framework_at, Cut};
use plenary::app::{App, CommandContext, Settings};
use plenary::domain::framework::{
    diff, Declaration, FrameworkCommand, Paragraph, ParagraphKind, Section,
};
use plenary::domain::meeting::MeetingCommand;
use plenary::domain::values::{Id, StateCode, Text};
use plenary::store::chain::canonical_json;
use plenary::store::{AppendCommand, EventStore, NewEvent};
use serde_json::json;

use crate::stats::{median, ms, percentile, runs};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// sqlite, postgres or both.
    #[arg(long, default_value = "both")]
    backend: String,
    /// Postgres server to use (a fresh schema is created and dropped).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// Seconds per append measurement.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Runs per measurement; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Size of the log for replay, rebuild and "as of".
    #[arg(long, default_value_t = 1_000_000)]
    events: i64,
    /// Append rates only (for A/B runs): skip replay, rebuild and the rest.
    #[arg(long)]
    appends_only: bool,
    /// Appender counts to measure.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
    appenders: Vec<usize>,
}

type Error = Box<dyn std::error::Error>;

pub async fn run(a: Args) -> Result<(), Error> {
    let backends: Vec<&str> = match a.backend.as_str() {
        "both" => vec!["sqlite", "postgres"],
        b => vec![b],
    };
    for b in backends {
        let dir = tempfile_dir()?;
        let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
        let store = match b {
            "sqlite" => EventStore::open(&format!("sqlite://{}/bench.db", dir.display())).await?,
            _ => EventStore::open_postgres(&a.postgres, Some(&schema)).await?,
        };
        println!("\n## backend: {b}");
        let result = bench_backend(&a, &store).await;
        store.close().await;
        if b != "sqlite" {
            drop_schema(&a.postgres, &schema).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf, Error> {
    let d = std::env::temp_dir().join(format!("plenary-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

async fn drop_schema(url: &str, schema: &str) {
    use sqlx::{Connection, Executor};
    if let Ok(mut c) = sqlx::PgConnection::connect(url).await {
        let _ = c
            .execute(format!("drop schema if exists {schema} cascade").as_str())
            .await;
    }
}

fn event(i: i64) -> NewEvent {
    NewEvent {
        event_type: "BenchEventRecorded".into(),
        event_version: "1".into(),
        payload: canonical_json(
            &json!({ "BenchEventRecorded": { "i": i, "note": "a typical small payload of a procedural event" } }),
        ),
        metadata: canonical_json(
            &json!({ "actor": "bench", "role": "secretariat", "correlation_id": "bench" }),
        ),
    }
}

fn cmd(stream: &str, expected: i64, events: Vec<NewEvent>) -> AppendCommand {
    AppendCommand {
        aggregate_type: "Bench".into(),
        aggregate_id: stream.into(),
        expected_version: expected,
        events,
        idempotency_key: None,
        request_hash: String::new(),
        snapshot: None,
    }
}

async fn bench_backend(a: &Args, store: &EventStore) -> Result<(), Error> {
    let app = App::with_store(store.clone(), Settings::default());
    let ctx = CommandContext::system("bench", "secretariat");

    // A framework in the log, for "framework as of" over a large log.
    app.frameworks
        .execute("bench-poa", establish(), &ctx)
        .await
        .map_err(|e| format!("establish framework: {e}"))?;

    // 1. Appends: one event per append, each appender on its own stream.
    println!("\n| appenders | events/s (median) | runs | p50 ms | p99 ms | events per commit |\n|---|---|---|---|---|---|");
    for &n in &a.appenders {
        let mut rates = Vec::new();
        let mut lat = Vec::new();
        for run in 0..a.runs {
            let deadline = Instant::now() + Duration::from_secs(a.seconds);
            let mut tasks = Vec::new();
            for t in 0..n {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    let stream = format!("append-{n}-{run}-{t}");
                    let mut v = 0;
                    let mut lat = Vec::new();
                    while Instant::now() < deadline {
                        let started = Instant::now();
                        store
                            .append(cmd(&stream, v, vec![event(v)]))
                            .await
                            .map_err(|e| e.to_string())?;
                        lat.push(started.elapsed());
                        v += 1;
                    }
                    Ok::<_, String>(lat)
                }));
            }
            let started = Instant::now();
            let mut count = 0;
            for t in tasks {
                let l = t.await??;
                count += l.len();
                lat.extend(l);
            }
            rates.push(count as f64 / started.elapsed().as_secs_f64());
        }
        lat.sort();
        println!(
            "| {n} | {:.0} | {} | {:.2} | {:.2} | {:.1} |",
            median(rates.clone()),
            runs(&rates),
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 0.99)),
            events_per_commit(store, n).await?
        );
    }
    println!("target (Postgres, 32 appenders): >= 30,000 events/s");
    if a.appends_only {
        return Ok(());
    }

    // 2. Fill the log to the requested size with batched multi-event commands.
    let have = store.head_from_db().await?.0;
    let missing = (a.events - have).max(0);
    let started = Instant::now();
    fill(store, missing).await?;
    let head = store.head_from_db().await?.0;
    println!(
        "\nfilled the log to {head} events ({:.0} events/s in 500-event commands, 16 writers)",
        missing as f64 / started.elapsed().as_secs_f64()
    );

    // 3. Replay: read the whole log in order.
    let mut rates = Vec::new();
    for _ in 0..a.runs {
        let started = Instant::now();
        let mut after = 0;
        let mut n = 0usize;
        loop {
            let page = store.read_all(after, 10_000).await?;
            let Some(last) = page.last() else { break };
            after = last.position;
            n += page.len();
        }
        rates.push(n as f64 / started.elapsed().as_secs_f64());
    }
    println!(
        "replay of {head} events: {:.0} events/s (median; runs {}) — target >= 250,000",
        median(rates.clone()),
        runs(&rates)
    );

    // 4. Rebuild of every projection from position 0.
    let started = Instant::now();
    app.projector.rebuild(None).await?;
    let secs = started.elapsed().as_secs_f64();
    println!("rebuild of all projections over {head} events: {:.1} s, {:.0} events/s — target >= 100,000 (Postgres)", secs, head as f64 / secs);

    // 5. The framework as of a position in the middle of a large log.
    let mut times = Vec::new();
    for i in 0..21 {
        let started = Instant::now();
        let cut = if i % 2 == 0 {
            Cut::Position(head / 2)
        } else {
            Cut::Latest
        };
        framework_at(store, "bench-poa", cut)
            .await?
            .ok_or("framework missing")?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "framework as of a position, over {head} events: {:.2} ms (median of 21) — target <= 50 ms",
        median(times)
    );

    // 6. Long streams: command latency on a 10-event vs a 10,000-event meeting, interleaved.
    let (short, mut short_present) = seed_meeting(&app, store, "bench-short", 10).await?;
    let (long, mut long_present) = seed_meeting(&app, store, "bench-long", 10_000).await?;
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    let nor = StateCode::parse("NOR")?;
    for i in 0..400 {
        let (id, present, out) = if i % 2 == 0 {
            ("bench-short", &mut short_present, &mut ta)
        } else {
            ("bench-long", &mut long_present, &mut tb)
        };
        // Toggle presence so the state stays the same size whatever the stream length.
        let cmd = if *present {
            MeetingCommand::MarkAbsent { state: nor.clone() }
        } else {
            MeetingCommand::MarkPresent { state: nor.clone() }
        };
        *present = !*present;
        let started = Instant::now();
        app.meetings
            .execute(id, cmd, &ctx)
            .await
            .map_err(|e| format!("{id}: {e}"))?;
        if i >= 40 {
            out.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let (ma, mb) = (median(ta), median(tb));
    println!("command latency: 10-event stream {ma:.3} ms, 10,000-event stream {mb:.3} ms (medians, interleaved): ratio {:.2} — target <= 1.2", mb / ma);
    // Cold: a fresh process state (no cache), loading from the stored snapshot.
    let cold = App::with_store(store.clone(), Settings::default());
    let mut cold_times = Vec::new();
    for (id, v) in [("bench-short", short), ("bench-long", long + 200)] {
        let started = Instant::now();
        let (_, version) = cold.meetings.load(id).await.map_err(|e| e.to_string())?;
        cold_times.push((id, version, started.elapsed().as_secs_f64() * 1000.0, v));
    }
    for (id, version, t, _) in cold_times {
        println!("cold load of {id} (version {version}): {t:.2} ms");
    }

    // 7. Word-level diff of two 10,000-word versions.
    let (old, new) = declarations_10k();
    let mut times = Vec::new();
    for _ in 0..31 {
        let started = Instant::now();
        let d = diff(&old, &new);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(!d.is_empty());
    }
    println!(
        "word diff of two 10,000-word versions: {:.2} ms (median of 31) — target <= 20 ms",
        median(times)
    );
    Ok(())
}

/// Mean batch size of the `n`-appender runs: the events of one batch share one recorded-at
/// time, so distinct times count commits.
async fn events_per_commit(store: &EventStore, n: usize) -> Result<f64, Error> {
    let pattern = format!("append-{n}-%");
    let (events, commits): (i64, i64) = plenary::with_pool!(store.db(), p => sqlx::query_as(
        "select count(*), count(distinct recorded_at_us) from events where aggregate_id like $1")
        .bind(&pattern).fetch_one(p).await)?;
    Ok(events as f64 / commits.max(1) as f64)
}

/// Appends `missing` small procedural-size events: 500 per command, 16 writers on their own
/// streams.
pub async fn fill(store: &EventStore, missing: i64) -> Result<(), Error> {
    let per_cmd = 500;
    let tasks_n = 16;
    let per_task = missing / tasks_n + 1;
    let mut tasks = Vec::new();
    for t in 0..tasks_n {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut v = 0;
            while v < per_task {
                let n = per_cmd.min(per_task - v);
                let events = (v..v + n).map(event).collect();
                store
                    .append(cmd(&format!("fill-{t}"), v, events))
                    .await
                    .map_err(|e| e.to_string())?;
                v += n;
            }
            Ok::<_, String>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}

pub fn establish() -> FrameworkCommand {
    let text = |s: &str| Text::parse(s).expect("text");
    FrameworkCommand::EstablishProgramme {
        body_id: Id::parse("bench-poa").expect("id"),
        name: text("Bench declaration"),
        establishing_symbol: plenary::domain::values::DocumentSymbol::parse("A/RES/77/37")
            .expect("symbol"),
        date: chrono::NaiveDate::from_ymd_opt(2022, 12, 7).expect("date"),
        co_sponsors: vec![StateCode::parse("NOR").expect("state")],
        sections: vec![plenary::domain::framework::SectionHeading {
            section: Section::General,
            title: text("General"),
        }],
        paragraphs: (1..=5)
            .map(|i| Paragraph {
                id: Id::parse(&format!("OP-{i}")).expect("id"),
                kind: ParagraphKind::Operative,
                section: Section::General,
                text: text(&format!(
                    "Operative paragraph number {i} of the bench declaration;"
                )),
            })
            .collect(),
    }
}

/// A meeting with `n` events: convened, then presence toggled directly in the log. Returns
/// its version and whether NOR is present.
async fn seed_meeting(
    app: &Arc<App>,
    store: &EventStore,
    id: &str,
    n: i64,
) -> Result<(i64, bool), Error> {
    let ctx = CommandContext::system("bench", "secretariat");
    let convene = MeetingCommand::Convene {
        meeting_id: Id::parse(id)?,
        body_id: Id::parse("bench-body")?,
        kind: plenary::domain::meeting::MeetingKind::PeriodicMeeting,
        symbol: plenary::domain::values::DocumentSymbol::parse("PoA/BENCH/1")?,
        title: Text::parse("Bench meeting")?,
        starts: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?,
        ends: chrono::NaiveDate::from_ymd_opt(2026, 1, 2).ok_or("date")?,
        venue: Text::parse("Geneva")?,
        chair: plenary::domain::meeting::Chair {
            name: Text::parse("Chair")?,
            state: None,
        },
        programme_link: None,
        precedes: None,
        rules: Default::default(),
        members: vec![StateCode::parse("NOR")?, StateCode::parse("BRA")?],
    };
    app.meetings
        .execute(id, convene, &ctx)
        .await
        .map_err(|e| e.to_string())?;
    let mut v = 1;
    while v < n {
        let batch: Vec<NewEvent> = (v..(v + 500).min(n))
            .map(|i| {
                let payload = if i % 2 == 1 {
                    json!({ "StateMarkedPresent": { "state": "NOR", "states_present": 1 } })
                } else {
                    json!({ "StateMarkedAbsent": { "state": "NOR", "states_present": 0 } })
                };
                NewEvent {
                    event_type: if i % 2 == 1 {
                        "StateMarkedPresent".into()
                    } else {
                        "StateMarkedAbsent".into()
                    },
                    event_version: "1".into(),
                    payload: canonical_json(&payload),
                    metadata: canonical_json(&json!({ "actor": "bench" })),
                }
            })
            .collect();
        let len = batch.len() as i64;
        store
            .append(AppendCommand {
                aggregate_type: "Meeting".into(),
                aggregate_id: id.into(),
                expected_version: v,
                events: batch,
                idempotency_key: None,
                request_hash: String::new(),
                snapshot: None,
            })
            .await?;
        v += len;
    }
    // Warm up: the first load replays once and the next commands store a snapshot.
    let nor = StateCode::parse("NOR")?;
    // Event i (stream version i + 1) marked NOR present when i is odd.
    let mut present = (v - 1) % 2 == 1;
    for _ in 0..30 {
        let cmd = if present {
            MeetingCommand::MarkAbsent { state: nor.clone() }
        } else {
            MeetingCommand::MarkPresent { state: nor.clone() }
        };
        present = !present;
        app.meetings
            .execute(id, cmd, &ctx)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok((v + 30, present))
}

/// Two 10,000-word declarations (100 paragraphs of 100 words), one word in ten changed.
fn declarations_10k() -> (Declaration, Declaration) {
    let words = [
        "States",
        "cooperation",
        "capacity",
        "norms",
        "international",
        "law",
        "security",
        "ICT",
        "measures",
        "the",
        "of",
        "and",
        "to",
        "in",
        "responsible",
    ];
    let para = |p: usize, changed: bool| {
        let text: Vec<String> = (0..100)
            .map(|w| {
                let i = (p * 7919 + w * 104_729) % words.len();
                if changed && (p + w).is_multiple_of(10) {
                    format!("amended{w}")
                } else {
                    words[i].to_owned()
                }
            })
            .collect();
        Paragraph {
            id: Id::parse(&format!("OP-{p}")).expect("id"),
            kind: ParagraphKind::Operative,
            section: Section::General,
            text: Text::parse(&text.join(" ")).expect("text"),
        }
    };
    let make = |changed: bool| Declaration {
        sections: vec![plenary::domain::framework::SectionHeading {
            section: Section::General,
            title: Text::parse("General").expect("t"),
        }],
        paragraphs: (0..100).map(|p| para(p, changed)).collect(),
    };
    (make(false), make(true))
}
