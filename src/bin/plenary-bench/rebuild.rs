//! The projection rebuild alone: loads the log once (or reuses a kept one), then times
//! `Projector::rebuild(None)` several times and prints each run and the median.

use std::time::Instant;

use plenary::app::{App, CommandContext, Settings};
use plenary::store::EventStore;

use crate::stats::{median, runs};
use crate::store::{establish, fill};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// sqlite or postgres.
    #[arg(long, default_value = "postgres")]
    backend: String,
    /// Postgres server to use.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// Postgres schema (or SQLite file) holding the log. Without it a fresh one is made
    /// and removed afterwards; with it the log is kept, and reused by later invocations
    /// (so that two builds can be compared on the same log).
    #[arg(long)]
    log: Option<String>,
    /// Size of the log to load when it is empty.
    #[arg(long, default_value_t = 1_000_000)]
    events: i64,
    /// Rebuilds to time; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Empty the projection tables and checkpoints before each run (not timed), as for the
    /// first rebuild of a new database, which is what `plenary-bench store` measures.
    /// Without it every run but the first replaces full tables.
    #[arg(long)]
    from_empty: bool,
}

type Error = Box<dyn std::error::Error>;

pub async fn run(a: Args) -> Result<(), Error> {
    // With RUST_LOG set (e.g. RUST_LOG=plenary=info), the projector's log says where each
    // rebuild's time went.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let schema = a
        .log
        .clone()
        .unwrap_or_else(|| format!("bench_rebuild_{}", uuid::Uuid::new_v4().simple()));
    let (store, cleanup): (EventStore, Option<Box<dyn FnOnce()>>) = match a.backend.as_str() {
        "sqlite" => {
            let path = match &a.log {
                Some(p) => std::path::PathBuf::from(p),
                None => std::env::temp_dir().join(format!(
                    "plenary-bench-rebuild-{}.db",
                    uuid::Uuid::new_v4().simple()
                )),
            };
            let store = EventStore::open(&format!("sqlite://{}", path.display())).await?;
            let keep = a.log.is_some();
            (
                store,
                Some(Box::new(move || {
                    if !keep {
                        for suffix in ["", "-wal", "-shm"] {
                            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                        }
                    }
                })),
            )
        }
        "postgres" => {
            let store = EventStore::open_postgres(&a.postgres, Some(&schema)).await?;
            (store, None)
        }
        other => return Err(format!("unknown backend {other}").into()),
    };
    let result = bench(&a, &store).await;
    store.close().await;
    if a.backend == "postgres" && a.log.is_none() {
        drop_schema(&a.postgres, &schema).await;
    }
    if let Some(c) = cleanup {
        c();
    }
    result
}

async fn drop_schema(url: &str, schema: &str) {
    use sqlx::{Connection, Executor};
    if let Ok(mut c) = sqlx::PgConnection::connect(url).await {
        let _ = c
            .execute(format!("drop schema if exists \"{schema}\" cascade").as_str())
            .await;
    }
}

async fn bench(a: &Args, store: &EventStore) -> Result<(), Error> {
    let app = App::with_store(store.clone(), Settings::default());
    let have = store.head_from_db().await?.0;
    if have == 0 {
        let ctx = CommandContext::system("bench", "secretariat");
        app.frameworks
            .execute("bench-poa", establish(), &ctx)
            .await
            .map_err(|e| format!("establish framework: {e}"))?;
        let started = Instant::now();
        fill(store, a.events - 1).await?;
        println!("loaded the log in {:.1} s", started.elapsed().as_secs_f64());
    } else if have < a.events {
        return Err(format!("the kept log has {have} events, fewer than --events").into());
    }
    let head = store.head_from_db().await?.0;
    println!(
        "rebuild of all projections over {head} events ({}), {} runs{}",
        a.backend,
        a.runs,
        if a.from_empty {
            ", each from empty projection tables"
        } else {
            ", each replacing the rows of the previous one"
        }
    );
    let mut rates = Vec::new();
    for run in 1..=a.runs {
        if a.from_empty {
            for table in ["audit_log", "read_docs", "projection_checkpoints"] {
                plenary::with_pool!(store.db(), p => sqlx::query(&format!("delete from {table}")).execute(p).await.map(|_| ()))?;
            }
            if let plenary::store::Db::Postgres { pool, .. } = store.db() {
                sqlx::query("vacuum audit_log, read_docs, projection_checkpoints")
                    .execute(pool)
                    .await?;
            }
        }
        let started = Instant::now();
        app.projector.rebuild(None).await?;
        let secs = started.elapsed().as_secs_f64();
        let rate = head as f64 / secs;
        println!("run {run}: {secs:.2} s, {rate:.0} events/s");
        rates.push(rate);
    }
    println!(
        "median: {:.0} events/s (runs {})",
        median(rates.clone()),
        runs(&rates)
    );
    Ok(())
}
