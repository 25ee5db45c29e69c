//! `plenary log`: check the hash chain, publish a signed checkpoint.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::audit::checkpoint;
use crate::audit::publisher::CheckpointPublisher;
use crate::store::EventStore;

use super::Outcome;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check the whole hash chain; exits non-zero naming the first damaged position.
    Verify,
    /// Publish one signed checkpoint of the log now.
    Checkpoint {
        #[arg(long, env = "PLENARY_SIGNING_KEY")]
        signing_key: PathBuf,
    },
}

pub async fn run(command: Command, database: &str) -> Outcome {
    match command {
        Command::Checkpoint { signing_key } => {
            let key = checkpoint::read_signing_key(&signing_key)?;
            let store = EventStore::open(database).await?;
            match CheckpointPublisher::new(store, key).publish().await? {
                Some((s, position)) => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "position": position,
                        "checkpoint": s.checkpoint,
                        "public_key": s.public_key,
                        "signature": s.signature,
                    }))?
                ),
                None => eprintln!("nothing new since the last checkpoint"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let store = EventStore::open(database).await?;
            let report = store.verify().await?;
            match &report.problem {
                None => {
                    println!(
                        "ok: {} events, chain intact up to position {} (head {})",
                        report.events_checked, report.last_position, report.last_hash
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(f) => {
                    println!(
                        "BROKEN at position {}: {}: {}",
                        f.position,
                        f.damage.label(),
                        f.detail
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
