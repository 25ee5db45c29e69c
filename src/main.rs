//! The `plenary` binary: parses the command line and runs it (`plenary::cli`, one file per
//! subcommand).

use std::process::ExitCode;

use clap::Parser;
use plenary::cli::{self, Cli};

/// mimalloc instead of the system allocator: a profile of the HTTP benchmark showed glibc's
/// malloc and free at about a quarter of the server's CPU (JSON values are many small
/// allocations).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_tracing(cli.log_format);
    match cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
