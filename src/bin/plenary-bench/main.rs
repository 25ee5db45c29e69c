//! `plenary-bench`: measures the event log and the HTTP service and prints figures.
//! Performance is measured here, never in timed tests; figures go to docs/PERFORMANCE.md.

mod audit;
mod contributions;
mod http;
mod pages;
mod rebuild;
mod screens;
mod stats;
mod store;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: a profile of the HTTP benchmark showed glibc's
/// malloc and free at about a quarter of the server's CPU (JSON values are many small
/// allocations).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "plenary-bench", about = "Benchmarks for Plenary")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The event log: appends with 1/8/32 appenders, replay, long streams, projection rebuild,
    /// framework-as-of over a large log, word diff.
    Store(store::Args),
    /// The HTTP service end to end: mixed load (speakers, chair actions, consensus calls and
    /// their outcomes, amendments, reads), one-meeting contention and fixed-rate projection
    /// reads, then checks that every acknowledged command is in the log once and projections
    /// equal a rebuild. In process, or against a running server with --url.
    Http(http::Args),
    /// The auditors' tools over a large log: export, offline verify, replay "as of", an
    /// inclusion proof.
    Audit(audit::Args),
    /// Memory of a real server: starts `plenary serve` as a child process, loads events
    /// (default 1,000,000) through its API, and prints its resident memory (VmRSS, VmHWM)
    /// after the load and after a round of fixed-rate projection reads.
    Memory(http::MemoryArgs),
    /// The projection rebuild alone: loads the log once (or reuses a kept one with --log),
    /// then times several rebuilds of every projection and prints each and the median.
    Rebuild(rebuild::Args),
    /// The meeting room at scale against a real `plenary serve` child: the chair's console
    /// of a 193-member meeting at a fixed rate and its weight, 10,000 room screens on the
    /// live stream (memory, acknowledgement-to-screen latency), and the mixed load's
    /// throughput without and with them, interleaved.
    Screens(screens::Args),
    /// Every page of every role against a real `plenary serve` child, on the demo (and on a
    /// log filled first with --events): first-load weight, and p50/p99 at a fixed rate.
    Pages(pages::Args),
    /// National contributions at the scale: 193 States x 10 years of reports with
    /// attachments (1 GiB), capacity-building requests and offers; the reporting-cycle view,
    /// the matching board and search (p50/p99), export and verification with attachments
    /// (MB/s).
    Contributions(contributions::Args),
}

fn main() {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = rt.block_on(async {
        println!("# plenary-bench — {}", machine());
        match cli.command {
            Command::Store(a) => store::run(a).await,
            Command::Http(a) => http::run(a).await,
            Command::Audit(a) => audit::run(a).await,
            Command::Memory(a) => http::memory(a).await,
            Command::Rebuild(a) => rebuild::run(a).await,
            Command::Screens(a) => screens::run(a).await,
            Command::Pages(a) => pages::run(a).await,
            Command::Contributions(a) => contributions::run(a).await,
        }
    });
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{cores} cores, {cpu}, Linux {}, {}",
        kernel.trim(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    )
}
