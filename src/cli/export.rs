//! `plenary export`: an export bundle of the log or a range of it.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::audit::{bundle, checkpoint};
use crate::store::EventStore;

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to create (must not exist or be empty).
    out: PathBuf,
    /// First position (default 1).
    #[arg(long)]
    from: Option<i64>,
    /// Last position (default: the head when the export starts).
    #[arg(long)]
    to: Option<i64>,
    /// Sign the manifest with this Ed25519 key file.
    #[arg(long, env = "PLENARY_SIGNING_KEY")]
    signing_key: Option<PathBuf>,
}

pub async fn run(args: Args, database: &str) -> Outcome {
    let Args {
        out,
        from,
        to,
        signing_key,
    } = args;
    let signing_key = signing_key
        .map(|p| checkpoint::read_signing_key(&p))
        .transpose()?;
    let store = EventStore::open(database).await?;
    let started = std::time::Instant::now();
    let summary = bundle::export(
        &store,
        &out,
        bundle::ExportOptions {
            from,
            to,
            signing_key,
            progress: true,
        },
    )
    .await?;
    let c = &summary.manifest.checkpoint;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "exported {} events ({}..={}) to {} in {secs:.1}s ({:.0} events/s)\n  head {}\n  merkle root {}\n  {}",
        c.count,
        c.first_position,
        c.last_position,
        out.display(),
        c.count as f64 / secs.max(1e-9),
        c.head_hash,
        c.merkle_root,
        if summary.manifest.signature.is_some() { "signed" } else { "not signed (no --signing-key)" }
    );
    if let Some(f) = summary.damage {
        println!(
            "WARNING: the log is damaged at position {} ({}): {}; the bundle holds it as found",
            f.position,
            f.damage.label(),
            f.detail
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
