//! The `plenary` command line. Thin: every subcommand calls into the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use plenary::api::{self, auth::Role, AppState};
use plenary::app::{App, Settings};
use plenary::store::{credentials, EventStore, DEFAULT_DATABASE_URL};

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
        } => {
            let settings = Settings {
                ready_max_lag,
                ..Settings::default()
            };
            let app = App::open(&cli.database, settings).await?;
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let projector = app.projector.spawn(stop_rx.clone());
            let reactor = plenary::app::reactor::Reactor::new(app.clone()).spawn(stop_rx);
            let listener = tokio::net::TcpListener::bind(&bind).await?;
            let address = listener.local_addr()?;
            let state = AppState::new(app.clone());
            if demo {
                load_demo(&app, &state, &address.to_string()).await?;
            }
            tracing::info!(address = %address, database = %app.store.url(), "plenary is serving");
            api::serve(listener, state, api::shutdown_signal()).await?;
            let _ = stop_tx.send(true);
            let _ = projector.await;
            let _ = reactor.await;
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
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
                        "BROKEN at position {}: {:?}: {}",
                        f.position, f.damage, f.detail
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Token { command } => {
            let store = EventStore::open(&cli.database).await?;
            match command {
                TokenCommand::Create { role, scope, label } => {
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
    println!("\nTokens (send as: Authorization: Bearer <token>):");
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
    println!("\nOpen:");
    for path in [
        format!("/api/v1/frameworks/{}", demo::BODY),
        format!("/api/v1/frameworks/{}/diff?from=1", demo::BODY),
        "/api/v1/amendments".to_owned(),
        "/api/v1/decisions".to_owned(),
        format!("/api/v1/meetings/{}", demo::REVIEW_CONFERENCE),
        "/api/v1/audit/events?limit=50".to_owned(),
        format!("/api/v1/stream?meeting={}&after=0", demo::REVIEW_CONFERENCE),
    ] {
        println!("  http://{address}{path}");
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
