//! The command line: one file per subcommand, each a thin front end on the library (the
//! same services, store and audit tools as the HTTP API).

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::store::DEFAULT_DATABASE_URL;

pub mod audit;
pub mod csv;
pub mod export;
pub mod keys;
pub mod log;
pub mod projections;
pub mod serve;
pub mod token;

/// What a subcommand ends with: an exit code, or an error to print.
pub type Outcome = Result<ExitCode, Box<dyn std::error::Error>>;

/// Plenary: an event-sourced record of consensus-based intergovernmental processes.
#[derive(Debug, Parser)]
#[command(name = "plenary", version)]
pub struct Cli {
    /// Database URL: sqlite://FILE (the default, nothing to install) or postgres://…
    #[arg(long, global = true, env = "PLENARY_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database: String,

    /// Log format.
    #[arg(long, global = true, env = "PLENARY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service.
    Serve(serve::Args),
    /// Write an export bundle (events.jsonl + manifest.json) of the log or a range of it.
    Export(export::Args),
    /// Write the audit history or the decisions register as CSV, from the log.
    Csv {
        #[command(subcommand)]
        command: csv::Command,
    },
    /// Manage signing keys.
    Keys {
        #[command(subcommand)]
        command: keys::Command,
    },
    /// Offline tools for auditors: they read a bundle or proof, never the database.
    Audit {
        #[command(subcommand)]
        command: audit::Command,
    },
    /// Inspect the event log.
    Log {
        #[command(subcommand)]
        command: log::Command,
    },
    /// Issue, list and revoke bearer credentials.
    Token {
        #[command(subcommand)]
        command: token::Command,
    },
    /// Manage read models.
    Projections {
        #[command(subcommand)]
        command: projections::Command,
    },
}

pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Outcome {
    let database = cli.database.as_str();
    match cli.command {
        Command::Serve(args) => serve::run(args, database).await,
        Command::Export(args) => export::run(args, database).await,
        Command::Csv { command } => csv::run(command, database).await,
        Command::Keys { command } => keys::run(command).await,
        Command::Audit { command } => audit::run(command, database).await,
        Command::Log { command } => log::run(command, database).await,
        Command::Token { command } => token::run(command, database).await,
        Command::Projections { command } => projections::run(command, database).await,
    }
}

fn hex_key(key: &ed25519_dalek::SigningKey) -> String {
    hex::encode(key.verifying_key().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
