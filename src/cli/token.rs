//! `plenary token`: issue, list and revoke bearer credentials (only hashes are stored).

use std::process::ExitCode;

use crate::app::access::Role;
use crate::store::{credentials, EventStore};

use super::Outcome;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
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

pub async fn run(command: Command, database: &str) -> Outcome {
    let store = EventStore::open(database).await?;
    match command {
        Command::Create {
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
                credentials::create(store.db(), r.as_str(), scope.as_deref(), &label).await?;
            eprintln!(
                "created {} ({}{}); the token is shown only once:",
                c.id,
                c.role,
                c.scope.map(|s| format!(" of {s}")).unwrap_or_default()
            );
            println!("{token}");
            if let Some(base) = sign_in_link {
                let code = crate::store::sessions::issue_link(
                    store.db(),
                    &c.id,
                    crate::web::session::LINK_TTL_US,
                )
                .await?;
                println!("{}/sign-in/link/{code}", base.trim_end_matches('/'));
            }
        }
        Command::Revoke { id } => {
            if !credentials::revoke(store.db(), &id).await? {
                return Err(format!("no live credential {id}").into());
            }
            println!("revoked {id}");
        }
        Command::List => {
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
