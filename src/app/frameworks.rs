//! Frameworks (the Political Declaration): establishing a programme, external endorsements,
//! translations. Adopted amendments are applied by the reactor, never sent.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::app::access::Principal;
use crate::app::commands::{authorize, Envelope};
use crate::app::history::Cut;
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::body::PublicRecord;
use crate::domain::framework::{FrameworkCommand, FrameworkCommandKind, ParagraphDiff};

/// Runs one framework command for `p`: checks the name and who may send it, decodes, and
/// executes (the server supplies nothing to a framework command).
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: FrameworkCommandKind = env.kind()?;
    authorize(p, permissions::framework(kind), "", &env)?;
    let cmd: FrameworkCommand = env.decode(&[])?;
    Ok(app.frameworks.execute(id, cmd, ctx).await?)
}

/// The changes between two versions of a framework's Declaration, paragraph by paragraph,
/// word by word.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionDiff {
    pub from: u32,
    pub to: u32,
    /// Each paragraph: its status, numbers in both versions, and its word-level spans.
    #[schema(value_type = Vec<Object>)]
    pub paragraphs: Vec<ParagraphDiff>,
}

/// Framework `id` from version `from` to version `to` (the latest when none). Public record,
/// of a body that makes its framework public.
pub async fn diff(
    app: &App,
    p: &Principal,
    id: &str,
    from: u32,
    to: Option<u32>,
) -> Result<VersionDiff, Refusal> {
    let missing = |v: u32| Refusal::not_found(format!("framework {id} has no version {v}"));
    let (old, _) = app
        .frameworks_as_of
        .read(&app.store, id, Cut::Version(from))
        .await?
        .ok_or_else(|| missing(from))?;
    let (new, _) = app
        .frameworks_as_of
        .read(&app.store, id, to.map(Cut::Version).unwrap_or(Cut::Latest))
        .await?
        .ok_or_else(|| missing(to.unwrap_or(0)))?;
    let body = new.body_id().map(|b| b.as_str());
    crate::app::bodies::require_public(app, p, body, PublicRecord::Framework).await?;
    Ok(VersionDiff {
        from: old.version(),
        to: new.version(),
        paragraphs: crate::domain::framework::diff(old.declaration(), new.declaration()).paragraphs,
    })
}
