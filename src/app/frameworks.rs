//! Frameworks (the Political Declaration): establishing a programme, external endorsements,
//! translations. Adopted amendments are applied by the reactor, never sent.

use serde_json::Value;

use crate::app::access::Principal;
use crate::app::commands::{authorize, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::framework::{FrameworkCommand, FrameworkCommandKind};

/// Runs one framework command for `p`: checks the name, who may send it, supplies the server's
/// facts, decodes, and executes.
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
