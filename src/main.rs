//! The `plenary` command line. Thin: every subcommand calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use plenary::api::{self, auth::Role, AppState};
use plenary::app::history::Cut;
use plenary::app::{App, Settings};
use plenary::audit::publisher::CheckpointPublisher;
use plenary::audit::{bundle, checkpoint, proof, replay, verify};
use plenary::store::{credentials, EventStore, DEFAULT_DATABASE_URL};
use std::time::Duration;

/// mimalloc instead of the system allocator: a profile of the HTTP benchmark showed glibc's
/// malloc and free at about a quarter of the server's CPU (JSON values are many small
/// allocations).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Plenary: an event-sourced record of consensus-based intergovernmental processes.
#[derive(Debug, Parser)]
#[command(name = "plenary", version)]
struct Cli {
    /// Database URL: sqlite://FILE (the default, nothing to install) or postgres://…
    #[arg(long, global = true, env = "PLENARY_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database: String,

    /// Log format.
    #[arg(long, global = true, env = "PLENARY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PLENARY_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// `/ready` fails when projections are more than this many events behind the log.
        #[arg(long, env = "PLENARY_READY_MAX_LAG", default_value_t = 1_000)]
        ready_max_lag: i64,
        /// Load the demo scenario (if the log is empty) and print a token for each role.
        #[arg(long)]
        demo: bool,
        /// Ed25519 signing key file (from `plenary keys generate`): the service then publishes
        /// signed checkpoints into the log.
        #[arg(long, env = "PLENARY_SIGNING_KEY")]
        signing_key: Option<PathBuf>,
        /// Seconds between signed checkpoints (with --signing-key).
        #[arg(long, env = "PLENARY_CHECKPOINT_EVERY", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
        checkpoint_every: u64,
    },
    /// Write an export bundle (events.jsonl + manifest.json) of the log or a range of it.
    Export {
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
    },
    /// Manage signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Offline tools for auditors: they read a bundle or proof, never the database.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Inspect the event log.
    Log {
        #[command(subcommand)]
        command: LogCommand,
    },
    /// Issue, list and revoke bearer credentials.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage read models.
    Projections {
        #[command(subcommand)]
        command: ProjectionsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum LogCommand {
    /// Check the whole hash chain; exits non-zero naming the first damaged position.
    Verify,
    /// Publish one signed checkpoint of the log now.
    Checkpoint {
        #[arg(long, env = "PLENARY_SIGNING_KEY")]
        signing_key: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Generate an Ed25519 key: writes the secret key to the --out file (mode 0600) and the
    /// public key next to it, with the extension replaced by .pub (k.key → k.pub); prints the
    /// public key, which auditors keep. Never overwrites either file.
    Generate {
        /// The secret key file; its public key goes to the same name ending in .pub.
        #[arg(long, default_value = "plenary-signing.key")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify an export bundle (a directory) or an inclusion proof (a file), offline. Exits
    /// non-zero naming the first bad position and the kind of damage.
    Verify {
        path: PathBuf,
        /// The public key you trust (64 hex characters or a .pub file).
        #[arg(long)]
        public_key: Option<String>,
        /// A checkpoint kept outside the system (saved from /api/v1/log/checkpoints, or an
        /// earlier export's manifest.json); repeatable.
        #[arg(long)]
        checkpoint: Vec<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the framework and the decisions register as of a moment, from a bundle alone.
    /// Verifies the bundle's chain first (hashes, links, count, Merkle root, the checkpoints
    /// published in it) and replays nothing from a damaged bundle; the manifest's signature
    /// is `audit verify --public-key`'s to check.
    Replay {
        bundle: PathBuf,
        /// A log position (`p:1234`, at most the bundle's last position: beyond it is refused),
        /// a date (its end, UTC) or an RFC 3339 time; bare digits are refused as ambiguous (a
        /// position or a year?).
        #[arg(long)]
        at: String,
        /// Write the declaration as Markdown to this file (`-` for stdout).
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// Write the declaration as HTML to this file (`-` for stdout).
        #[arg(long)]
        html: Option<PathBuf>,
        /// Compare with what this live server shows for the same moment (http://host:port).
        #[arg(long, requires = "token")]
        server: Option<String>,
        /// A bearer token for --server.
        #[arg(long, env = "PLENARY_TOKEN")]
        token: Option<String>,
        /// Print the replay as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Prove that the event at POSITION is in a published checkpoint (RFC 9162 inclusion
    /// proof), from a bundle or from the database.
    Prove {
        position: i64,
        /// Read events from this bundle instead of the database.
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// Write the proof here (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a credential and print its token once (only its hash is stored).
    Create {
        /// admin, secretariat, chair, delegate, observer or auditor.
        #[arg(long)]
        role: String,
        /// The meeting (chair), State code (delegate) or organisation (observer).
        #[arg(long)]
        scope: Option<String>,
        /// Who holds it, for the audit trail.
        #[arg(long, default_value = "unnamed")]
        label: String,
        /// Also print a one-time sign-in link for the web pages at this address
        /// (e.g. http://127.0.0.1:8080), valid for 15 minutes.
        #[arg(long)]
        sign_in_link: Option<String>,
    },
    /// Revoke a credential by id.
    Revoke { id: String },
    /// List credentials (never tokens).
    List,
}

#[derive(Debug, Subcommand)]
enum ProjectionsCommand {
    /// Empty a projection (or all) and rebuild it from position 0.
    Rebuild { name: Option<String> },
}

fn init_tracing(format: LogFormat) {
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

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cli.command {
        Command::Serve {
            bind,
            ready_max_lag,
            demo,
            signing_key,
            checkpoint_every,
        } => {
            let settings = Settings {
                ready_max_lag,
                ..Settings::default()
            };
            let app = App::open(&cli.database, settings).await?;
            let checkpoints = match signing_key {
                Some(path) => {
                    let key = checkpoint::read_signing_key(&path)?;
                    tracing::info!(every_s = checkpoint_every, public_key = %hex_key(&key), "publishing signed checkpoints");
                    Some((key, Duration::from_secs(checkpoint_every)))
                }
                None => None,
            };
            let service = plenary::service::Service::start(
                app.clone(),
                plenary::service::Options {
                    checkpoints,
                    ..Default::default()
                },
            );
            let listener = tokio::net::TcpListener::bind(&bind).await?;
            let address = listener.local_addr()?;
            if demo {
                load_demo(&app, &service.state, &address.to_string()).await?;
            }
            tracing::info!(address = %address, database = %app.store.url(), "plenary is serving");
            service.serve(listener, api::shutdown_signal()).await?;
            service.stop().await;
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Log {
            command: LogCommand::Checkpoint { signing_key },
        } => {
            let key = checkpoint::read_signing_key(&signing_key)?;
            let store = EventStore::open(&cli.database).await?;
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
        Command::Export {
            out,
            from,
            to,
            signing_key,
        } => {
            let signing_key = signing_key
                .map(|p| checkpoint::read_signing_key(&p))
                .transpose()?;
            let store = EventStore::open(&cli.database).await?;
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
        Command::Keys {
            command: KeysCommand::Generate { out },
        } => {
            let key = checkpoint::generate_key()?;
            let public = checkpoint::write_key_files(&out, &key)?;
            eprintln!(
                "wrote the secret key to {} and the public key to {}",
                out.display(),
                public.display()
            );
            println!("{}", hex_key(&key));
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command } => audit(command, &cli.database).await,
        Command::Log {
            command: LogCommand::Verify,
        } => {
            let store = EventStore::open(&cli.database).await?;
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
        Command::Token { command } => {
            let store = EventStore::open(&cli.database).await?;
            match command {
                TokenCommand::Create {
                    role,
                    scope,
                    label,
                    sign_in_link,
                } => {
                    let r = Role::parse(&role).ok_or_else(|| {
                        format!("unknown role '{role}': use admin, secretariat, chair, delegate, observer or auditor")
                    })?;
                    r.check_scope(scope.as_deref())?;
                    let (c, token) =
                        credentials::create(store.db(), r.as_str(), scope.as_deref(), &label)
                            .await?;
                    eprintln!(
                        "created {} ({}{}); the token is shown only once:",
                        c.id,
                        c.role,
                        c.scope.map(|s| format!(" of {s}")).unwrap_or_default()
                    );
                    println!("{token}");
                    if let Some(base) = sign_in_link {
                        let code = plenary::store::sessions::issue_link(
                            store.db(),
                            &c.id,
                            plenary::web::session::LINK_TTL_US,
                        )
                        .await?;
                        println!("{}/sign-in/link/{code}", base.trim_end_matches('/'));
                    }
                }
                TokenCommand::Revoke { id } => {
                    if !credentials::revoke(store.db(), &id).await? {
                        return Err(format!("no live credential {id}").into());
                    }
                    println!("revoked {id}");
                }
                TokenCommand::List => {
                    for c in credentials::list(store.db()).await? {
                        println!(
                            "{}\t{}\t{}\t{}\t{}",
                            c.id,
                            c.role,
                            c.scope.unwrap_or_else(|| "-".into()),
                            c.label,
                            if c.revoked_at_us.is_some() {
                                "revoked"
                            } else {
                                "live"
                            }
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Projections {
            command: ProjectionsCommand::Rebuild { name },
        } => {
            let app = App::open(&cli.database, Settings::default()).await?;
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
    }
}

fn hex_key(key: &ed25519_dalek::SigningKey) -> String {
    hex::encode(key.verifying_key().as_bytes())
}

/// The auditor's offline commands. None of them opens the database except `prove` without
/// `--bundle`.
async fn audit(
    command: AuditCommand,
    database: &str,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match command {
        AuditCommand::Verify {
            path,
            public_key,
            checkpoint: external,
            json,
        } => {
            let key = public_key
                .as_deref()
                .map(checkpoint::parse_public_key)
                .transpose()?;
            if path.is_file() {
                let text = std::fs::read_to_string(&path)?;
                let proof: proof::InclusionProof = serde_json::from_str(&text)
                    .map_err(|e| format!("{} is not an inclusion proof: {e}", path.display()))?;
                let r = verify::verify_proof(&proof, key.as_ref())?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&r)?);
                } else {
                    match &r.problem {
                        None => println!(
                            "ok: event {} ({}) is in the log described by the checkpoint up to position {}; signature {}",
                            r.position, r.event_type, r.checkpoint_last_position, r.signature
                        ),
                        Some(f) => println!(
                            "BAD PROOF at position {}: {}: {}",
                            f.position,
                            f.damage.label(),
                            f.detail
                        ),
                    }
                }
                return Ok(if r.problem.is_none() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                });
            }
            let external = external
                .iter()
                .map(|p| verify::External::read(p))
                .collect::<Result<Vec<_>, _>>()?;
            let r = verify::verify_bundle(&path, key.as_ref(), &external)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{} events checked ({}..={}), head {}, merkle root {}, signature {}",
                    r.events_checked,
                    r.first_position,
                    r.last_position,
                    r.head_hash,
                    r.merkle_root,
                    r.signature
                );
                for c in &r.checkpoints {
                    println!(
                        "  checkpoint up to {} ({}): {}",
                        c.last_position, c.source, c.outcome
                    );
                }
                match &r.problem {
                    None => println!("ok: the bundle is intact"),
                    Some(f) => println!(
                        "BROKEN at position {}: {}: {}",
                        f.position,
                        f.damage.label(),
                        f.detail
                    ),
                }
            }
            Ok(if r.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        AuditCommand::Replay {
            bundle: dir,
            at,
            markdown,
            html,
            server,
            token,
            json,
        } => {
            let cut = Cut::parse_at(&at)?;
            let r = replay::replay(&dir, cut)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print!("{}", replay::render_text(&r));
            }
            for (target, text) in [
                (
                    markdown,
                    replay::render_markdown as fn(&replay::Replayed) -> String,
                ),
                (html, replay::render_html),
            ] {
                match target {
                    Some(p) if p.as_os_str() == "-" => print!("{}", text(&r)),
                    Some(p) => {
                        std::fs::write(&p, text(&r))?;
                        eprintln!("wrote {}", p.display());
                    }
                    None => {}
                }
            }
            if let (Some(base), Some(token)) = (server, token) {
                let diffs = replay::compare_with_server(&r, cut, &base, &token).await?;
                if diffs.is_empty() {
                    println!("\nmatches {base} for the same moment");
                } else {
                    println!("\nDIFFERS from {base}:");
                    for d in diffs {
                        println!("  {d}");
                    }
                    return Ok(ExitCode::FAILURE);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Prove {
            position,
            bundle: dir,
            out,
        } => {
            let p = match dir {
                Some(dir) => proof::prove_from_bundle(&dir, position)?,
                None => {
                    let store = EventStore::open(database).await?;
                    proof::prove_from_store(&store, position).await?
                }
            };
            let text = serde_json::to_string_pretty(&p)? + "\n";
            match out {
                Some(path) => {
                    std::fs::write(&path, text)?;
                    eprintln!("wrote the proof to {}", path.display());
                }
                None => print!("{text}"),
            }
            if p.signature.is_none() {
                eprintln!("note: no signed checkpoint covers position {position}; the proof is against an unsigned root (publish a checkpoint, or export with --signing-key)");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads the demo scenario through the API (unless the log already holds events) and prints
/// a token for each role and the URLs to open.
async fn load_demo(
    app: &std::sync::Arc<App>,
    state: &AppState,
    address: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use plenary::demo;
    let client = demo::InProcess(api::router(state.clone()));
    let (_, admin) = credentials::create(app.store.db(), "admin", None, "Demo admin").await?;
    let tokens = demo::tokens(&client, &admin).await?;
    if app.store.head_from_db().await?.0 <= 0 {
        eprintln!("loading the demo scenario through the API…");
        let outcome = demo::load(&client, &tokens).await?;
        eprintln!(
            "demo loaded: {} adopted, {} failed for lack of consensus, {} revised after a conflict and adopted; framework at version {}",
            outcome.adopted, outcome.failed, outcome.revised, outcome.framework_version
        );
        for (day, position) in &outcome.day_ends {
            eprintln!("  end of {day}: log position {position}  →  http://{address}/api/v1/frameworks/{}?at=p:{position}", demo::BODY);
        }
    } else {
        eprintln!(
            "the log is not empty: the demo scenario is not loaded again (fresh tokens below)"
        );
    }
    // The links below are for clicking at once: the read models must already show what was
    // loaded, not catch up a moment later.
    let head = app.store.head_from_db().await?.0;
    if !app.projector.wait_for(head, Duration::from_secs(120)).await {
        eprintln!("the read models are still catching up with the log; pages may lag for a moment");
    }
    println!("\nTokens for the API (send as: Authorization: Bearer <token>):");
    println!("  admin        {}", tokens.admin);
    println!("  secretariat  {}", tokens.secretariat);
    println!("  auditor      {}", tokens.auditor);
    println!("  observer     {}  (cyberpeace-institute)", tokens.observer);
    for (m, t) in &tokens.chairs {
        println!("  chair        {t}  ({m})");
    }
    for s in ["NOR", "BRA", "EGY", "RUS", "IND"] {
        println!("  delegate     {}  ({s})", tokens.delegates[s]);
    }
    println!("\nAPI (with a token):");
    for path in [
        format!("/api/v1/frameworks/{}", demo::BODY),
        "/api/v1/amendments".to_owned(),
        "/api/v1/decisions".to_owned(),
        "/api/v1/audit/events?limit=50".to_owned(),
        "/docs".to_owned(),
    ] {
        println!("  http://{address}{path}");
    }
    // Last, so they are what a newcomer sees: one click signs a browser in as each role.
    let db = app.store.db();
    let mut links = vec![];
    let link = |who: String, token: &str, page: String| (who, token.to_owned(), page);
    links.push(link(
        format!("chair of {}", demo::PERIODIC_MEETING),
        &tokens.chairs[demo::PERIODIC_MEETING],
        format!("/meetings/{}/console", demo::PERIODIC_MEETING),
    ));
    for s in ["NOR", "BRA", "EGY"] {
        links.push(link(
            format!("delegate of {s}"),
            &tokens.delegates[s],
            format!("/meetings/{}/desk", demo::PERIODIC_MEETING),
        ));
    }
    links.push(link(
        "room screen (observer)".into(),
        &tokens.observer,
        format!("/meetings/{}/room", demo::PERIODIC_MEETING),
    ));
    links.push(link("secretariat".into(), &tokens.secretariat, "/".into()));
    links.push(link("auditor".into(), &tokens.auditor, "/".into()));
    println!("\nSign in with a browser (each link works once, for 15 minutes; `plenary token create --sign-in-link` makes more):");
    for (who, token, page) in links {
        let Some(c) = credentials::authenticate(db, &token).await? else {
            continue;
        };
        let code =
            plenary::store::sessions::issue_link(db, &c.id, plenary::web::session::LINK_TTL_US)
                .await?;
        println!("  {who:<24} http://{address}/sign-in/link/{code}?next={page}");
    }
    Ok(())
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
