//! `plenary projections`: rebuild read models from the log.

use std::process::ExitCode;

use crate::app::{App, Settings};

use super::Outcome;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Empty a projection (or all) and rebuild it from position 0.
    Rebuild { name: Option<String> },
}

pub async fn run(command: Command, database: &str) -> Outcome {
    let Command::Rebuild { name } = command;
    let app = App::open(database, Settings::default()).await?;
    let started = std::time::Instant::now();
    app.projector.rebuild(name.as_deref()).await?;
    println!(
        "rebuilt {} up to position {} in {:.1?}",
        name.as_deref().unwrap_or("all projections"),
        app.projector.position(),
        started.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}
