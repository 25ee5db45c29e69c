//! Bodies: establishing them, membership, observers, stakeholders and their accreditation,
//! rules of procedure.

use serde_json::Value;

use crate::app::access::Principal;
use crate::app::commands::{authorize, today, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::body::{BodyCommand, BodyCommandKind};
use crate::projections::decisions;

/// Runs one body command for `p`: checks the name, who may send it, supplies the server's
/// facts, decodes, and executes.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let mut env = Envelope::parse(body)?;
    let kind: BodyCommandKind = env.kind()?;
    authorize(p, permissions::body(kind), "", &env)?;
    env.supply("now", today())?;
    let cmd: BodyCommand = env.decode(&["now"])?;
    // Rules of procedure change only by a decision that is on the register.
    if let BodyCommand::ModifyRulesOfProcedure { decision, .. } = &cmd {
        let key = decisions::key(decision.meeting_id.as_str(), decision.decision_number);
        let found = app.projector.doc(decisions::NAME, &key).await?;
        let matches = found
            .as_ref()
            .is_some_and(|d| d["symbol"] == decision.symbol.as_str());
        if !matches {
            return Err(Refusal::unprocessable(
                "unknown-decision",
                format!(
                    "decision {} ({}) of meeting {} is not on the decisions register",
                    decision.decision_number, decision.symbol, decision.meeting_id
                ),
            )
            .with_field("decision"));
        }
    }
    Ok(app.bodies.execute(id, cmd, ctx).await?)
}
