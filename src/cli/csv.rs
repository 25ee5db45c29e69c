//! `plenary csv`: the record as CSV from the log itself (no read model, so no lag and no
//! running service needed): the audit history, with a progress bar on a terminal, and the
//! decisions register as of any moment. The same rows and columns as the API's downloads.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::app::history::Cut;
use crate::projections::audit::AuditEntry;
use crate::store::EventStore;

use super::Outcome;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The audit history: a row per event in log order, as `GET /api/v1/audit/events.csv`.
    Audit {
        /// File to write (`-` for stdout).
        out: PathBuf,
        /// From this RFC 3339 time or date (inclusive).
        #[arg(long)]
        from: Option<String>,
        /// Up to the end of this RFC 3339 time or date.
        #[arg(long)]
        to: Option<String>,
    },
    /// The decisions register, as `GET /api/v1/decisions.csv`.
    Register {
        /// File to write (`-` for stdout).
        out: PathBuf,
        /// Only this meeting's entries.
        #[arg(long)]
        meeting: Option<String>,
        /// As of a date, an RFC 3339 time or a log position (`p:N`); now by default.
        #[arg(long)]
        at: Option<String>,
    },
}

fn open_out(out: &PathBuf) -> std::io::Result<Box<dyn Write>> {
    Ok(if out.as_os_str() == "-" {
        Box::new(std::io::BufWriter::new(std::io::stdout()))
    } else {
        Box::new(std::io::BufWriter::new(std::fs::File::create(out)?))
    })
}

pub async fn run(command: Command, database: &str) -> Outcome {
    let store = EventStore::open(database).await?;
    let result = match command {
        Command::Audit { out, from, to } => audit(&store, &out, from, to).await,
        Command::Register { out, meeting, at } => register(&store, &out, meeting, at).await,
    };
    store.close().await;
    result
}

async fn audit(
    store: &EventStore,
    out: &PathBuf,
    from: Option<String>,
    to: Option<String>,
) -> Outcome {
    let bound = |s: Option<String>, end: bool| {
        s.map(|t| crate::app::history::parse_time(&t, end))
            .transpose()
    };
    let (from, to) = (bound(from, false)?, bound(to, true)?);
    let head = store.head_from_db().await?.0;
    let bar = crate::audit::bundle::progress_bar(true, head.max(0) as u64);
    let mut w = open_out(out)?;
    w.write_all(&crate::export::csv::audit_header())?;
    let started = std::time::Instant::now();
    let (mut after, mut rows) = (0, 0u64);
    while after < head {
        let page = store.read_all(after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        let entries: Vec<AuditEntry> = page
            .iter()
            .filter(|e| e.position <= head)
            .filter(|e| from.is_none_or(|t| e.recorded_at_us >= t))
            .filter(|e| to.is_none_or(|t| e.recorded_at_us <= t))
            .map(AuditEntry::from_event)
            .collect();
        rows += entries.len() as u64;
        w.write_all(&crate::export::csv::audit_rows(&entries))?;
        bar.set_position(after.min(head) as u64);
    }
    w.flush()?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "wrote {rows} rows (the log up to position {head}) in {secs:.1}s ({:.0} rows/s)",
        rows as f64 / secs.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

async fn register(
    store: &EventStore,
    out: &PathBuf,
    meeting: Option<String>,
    at: Option<String>,
) -> Outcome {
    let cut = match at {
        Some(at) => Cut::parse_at(&at)?,
        None => Cut::Latest,
    };
    let prefix = meeting.map(|m| format!("{m}/")).unwrap_or_default();
    let mut docs: Vec<_> = crate::app::as_of::register(store, cut)
        .await?
        .into_iter()
        .filter(|(key, _)| key.starts_with(&prefix))
        .map(|(_, d)| d)
        .collect();
    let registry = crate::app::as_of::aggregate::<crate::domain::documents::DocumentRegistry>(
        store,
        crate::app::documents::REGISTRY,
        cut,
    )
    .await?
    .map(|(fold, _)| fold.state)
    .unwrap_or_default();
    crate::app::register::attach_documents(&mut docs, &registry);
    let entries: Vec<_> = docs.iter().map(crate::app::register::entry).collect();
    let mut w = open_out(out)?;
    w.write_all(&crate::export::csv::register(&entries))?;
    w.flush()?;
    eprintln!("wrote {} entries", entries.len());
    Ok(ExitCode::SUCCESS)
}
