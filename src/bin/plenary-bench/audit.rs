//! The auditors' benchmark: export, offline verification, replay "as of" and an inclusion
//! proof over a large log (issue targets: export and verify >= 200,000 events/s, replay of
//! 1,000,000 events <= 5 s).

use std::time::Instant;

use plenary::app::history::Cut;
use plenary::app::{App, CommandContext, Settings};
use plenary::audit::bundle::{self, ExportOptions};
use plenary::audit::{proof, replay, verify};
use plenary::store::EventStore;

use crate::stats::median;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// sqlite or postgres (the store the export reads from).
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Postgres server to use (a fresh schema is created and dropped).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// Size of the log.
    #[arg(long, default_value_t = 1_000_000)]
    events: i64,
    /// Runs per measurement; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

type Error = Box<dyn std::error::Error>;

pub async fn run(a: Args) -> Result<(), Error> {
    let dir = std::env::temp_dir().join(format!(
        "plenary-bench-audit-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let store = match a.backend.as_str() {
        "sqlite" => EventStore::open(&format!("sqlite://{}/bench.db", dir.display())).await?,
        "postgres" => EventStore::open_postgres(&a.postgres, Some(&schema)).await?,
        other => return Err(format!("unknown backend {other}").into()),
    };
    println!("\n## audit: {} events, {} store", a.events, a.backend);
    let result = bench(&a, &store, &dir).await;
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
    result
}

async fn bench(a: &Args, store: &EventStore, dir: &std::path::Path) -> Result<(), Error> {
    // A framework at the start, so replay has a declaration to rebuild; then the bulk.
    let app = App::with_store(store.clone(), Settings::default());
    app.frameworks
        .execute(
            "bench-poa",
            crate::store::establish(),
            &CommandContext::system("bench", "secretariat"),
        )
        .await
        .map_err(|e| format!("establish framework: {e}"))?;
    let started = Instant::now();
    crate::store::fill(store, a.events).await?;
    println!(
        "filled the log with {} events in {:.1} s",
        a.events,
        started.elapsed().as_secs_f64()
    );
    let head = store.head_from_db().await?.0;

    // Reading the log alone, for comparison: the floor under the export's cost.
    let mut read_rates = Vec::new();
    for _ in 0..a.runs {
        let started = Instant::now();
        let (mut after, mut n) = (0, 0usize);
        loop {
            let page = store.read_all(after, 10_000).await?;
            let Some(last) = page.last() else { break };
            after = last.position;
            n += page.len();
        }
        read_rates.push(n as f64 / started.elapsed().as_secs_f64());
    }

    let mut export_rates = Vec::new();
    let bundle_dir = dir.join("bundle");
    for run in 0..a.runs {
        let out = dir.join(format!("export-{run}"));
        let started = Instant::now();
        let s = bundle::export(store, &out, ExportOptions::default()).await?;
        export_rates.push(s.manifest.checkpoint.count as f64 / started.elapsed().as_secs_f64());
        if run + 1 == a.runs {
            std::fs::rename(&out, &bundle_dir)?;
        } else {
            std::fs::remove_dir_all(&out)?;
        }
    }
    let size = std::fs::metadata(bundle_dir.join(bundle::EVENTS_FILE))?.len();

    let mut verify_rates = Vec::new();
    for _ in 0..a.runs {
        let started = Instant::now();
        let r = verify::verify_bundle(&bundle_dir, None, &[])?;
        if let Some(p) = r.problem {
            return Err(format!("the fresh bundle does not verify: {p:?}").into());
        }
        verify_rates.push(r.events_checked as f64 / started.elapsed().as_secs_f64());
    }

    let mut replay_secs = Vec::new();
    for _ in 0..a.runs {
        let started = Instant::now();
        let r = replay::replay(&bundle_dir, Cut::Position(head))?;
        if r.frameworks.is_empty() {
            return Err("replay found no framework".into());
        }
        replay_secs.push(started.elapsed().as_secs_f64());
    }

    // The audit history as CSV, as `GET /api/v1/audit/events.csv` makes it: the read model a
    // page at a time, each page written as CSV (HTTP transfer not included).
    app.projector.rebuild(None).await?;
    let mut csv_rates = Vec::new();
    for _ in 0..a.runs {
        let started = Instant::now();
        let mut f = plenary::projections::audit::AuditFilter {
            limit: Some(plenary::projections::audit::MAX_PAGE),
            ..Default::default()
        };
        let (mut rows, mut bytes) = (0usize, plenary::export::csv::audit_header().len());
        loop {
            let page = plenary::projections::audit::query(store.db(), &f).await?;
            let Some(last) = page.last() else { break };
            f.after = Some(last.position);
            rows += page.len();
            bytes += plenary::export::csv::audit_rows(&page).len();
        }
        if rows as i64 != head {
            return Err(format!("the CSV has {rows} rows for {head} events").into());
        }
        let _ = bytes;
        csv_rates.push(rows as f64 / started.elapsed().as_secs_f64());
    }

    let started = Instant::now();
    let p = proof::prove_from_bundle(&bundle_dir, head / 2)?;
    let prove_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let checked = verify::verify_proof(&p, None)?;
    let check_ms = started.elapsed().as_secs_f64() * 1e3;
    if checked.problem.is_some() {
        return Err("the proof does not verify".into());
    }

    let runs =
        |v: &[f64], f: fn(f64) -> String| v.iter().map(|x| f(*x)).collect::<Vec<_>>().join(" / ");
    println!(
        "bundle: {head} events, {:.0} MB ({:.0} bytes an event)\n",
        size as f64 / 1e6,
        size as f64 / head as f64
    );
    println!("| measurement | median | runs | target |\n|---|---|---|---|");
    println!(
        "| read the log (no export, for comparison) | {:.0} events/s | {} | - |",
        median(read_rates.clone()),
        runs(&read_rates, |x| format!("{x:.0}"))
    );
    println!(
        "| export | {:.0} events/s | {} | >= 200,000 events/s |",
        median(export_rates.clone()),
        runs(&export_rates, |x| format!("{x:.0}"))
    );
    println!(
        "| offline verify | {:.0} events/s | {} | >= 200,000 events/s |",
        median(verify_rates.clone()),
        runs(&verify_rates, |x| format!("{x:.0}"))
    );
    println!(
        "| replay as of the head | {:.2} s | {} | <= 5 s |",
        median(replay_secs.clone()),
        runs(&replay_secs, |x| format!("{x:.2}"))
    );
    println!(
        "| audit history as CSV (read model + CSV, no HTTP) | {:.0} rows/s | {} | >= 200,000 rows/s |",
        median(csv_rates.clone()),
        runs(&csv_rates, |x| format!("{x:.0}"))
    );
    println!("| inclusion proof (build, from the bundle) | {prove_s:.2} s | 1 | - |");
    println!("| inclusion proof (check) | {check_ms:.2} ms | 1 | - |");
    Ok(())
}
