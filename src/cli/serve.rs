//! `plenary serve`: the HTTP service, with the demo scenario and sign-in links on request.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::api::{self, AppState};
use crate::app::{App, Settings};
use crate::audit::checkpoint;
use crate::store::credentials;

use super::{hex_key, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "PLENARY_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// `/ready` fails when projections are more than this many events behind the log.
    #[arg(long, env = "PLENARY_READY_MAX_LAG", default_value_t = 1_000)]
    ready_max_lag: i64,
    /// Milliseconds a read waits for the read models to include a position it needs (the
    /// page shown after a command, a read with min_position); then a page shows what they
    /// hold and its live update follows, and the API answers 503.
    #[arg(long, env = "PLENARY_READ_WAIT_MS", default_value_t = 3_000, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    read_wait_ms: u64,
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
}

pub async fn run(args: Args, database: &str) -> Outcome {
    let Args {
        bind,
        ready_max_lag,
        read_wait_ms,
        demo,
        signing_key,
        checkpoint_every,
    } = args;
    let settings = Settings {
        ready_max_lag,
        read_wait: Duration::from_millis(read_wait_ms),
    };
    let app = App::open(database, settings).await?;
    let checkpoints = match signing_key {
        Some(path) => {
            let key = checkpoint::read_signing_key(&path)?;
            tracing::info!(every_s = checkpoint_every, public_key = %hex_key(&key), "publishing signed checkpoints");
            Some((key, Duration::from_secs(checkpoint_every)))
        }
        None => None,
    };
    let service = crate::service::Service::start(
        app.clone(),
        crate::service::Options {
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

/// Loads the demo scenario through the API (unless the log already holds events) and prints
/// a token for each role and the URLs to open.
async fn load_demo(
    app: &std::sync::Arc<App>,
    state: &AppState,
    address: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use crate::demo;
    let client = demo::InProcess(api::router(state.clone()));
    let (_, admin) = credentials::create(app.store.db(), "admin", None, "Demo admin").await?;
    let tokens = demo::tokens(&client, &admin).await?;
    if app.store.head_from_db().await?.0 <= 0 {
        eprintln!("loading the demo scenario through the API…");
        // On the scenario's own dates, so the dates below, `?at=DATE` and the register agree.
        let outcome = demo::load(&client, &tokens, Some(app.store.clock())).await?;
        eprintln!(
            "demo loaded: {} adopted, {} failed for lack of consensus, {} revised after a conflict and adopted; framework at version {}",
            outcome.adopted, outcome.failed, outcome.revised, outcome.framework_version
        );
        for (day, position) in &outcome.day_ends {
            eprintln!("  end of {day}: log position {position}  →  http://{address}/api/v1/frameworks/{}?at={day}", demo::BODY);
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
    for s in ["NOR", "BRA", "EGY", "RUS", "IND", "KEN", "IDN"] {
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
            crate::store::sessions::issue_link(db, &c.id, crate::web::session::LINK_TTL_US).await?;
        println!("  {who:<24} http://{address}/sign-in/link/{code}?next={page}");
    }
    Ok(())
}
