//! Amendments to the Political Declaration: proposing, revising, co-sponsoring, tabling and
//! withdrawing. Their status after a decision or a change of text is the reactor's.

use serde_json::Value;

use crate::app::access::{Principal, Role};
use crate::app::commands::{authorize, Envelope};
use crate::app::history::Cut;
use crate::app::permissions::{self, Rule};
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::amendment::{AmendmentCommand, AmendmentCommandKind};
use crate::domain::meeting::{ItemNature, MeetingStatus};

/// Runs one amendment command for `p`: checks the name, who may send it, supplies the server's
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
    let kind: AmendmentCommandKind = env.kind()?;
    let rule = permissions::amendment(kind);
    // The proposer's own delegate may table it; the rule covers everyone else.
    let tabled_by_proposer = rule == Rule::Tabling && p.role == Role::Delegate && {
        let (current, _) = app.amendments.load(id).await?;
        current.proposer().map(|s| s.as_str()) == p.scope.as_deref()
    };
    if !tabled_by_proposer {
        authorize(p, rule, "", &env)?;
    }
    env.supply("now", app.store.clock().now())?;
    // The text the operations are drafted against, from the framework's own history.
    if matches!(
        kind,
        AmendmentCommandKind::Propose | AmendmentCommandKind::Revise
    ) {
        let framework_id = if kind == AmendmentCommandKind::Propose {
            env.str("framework_id").map(str::to_owned)
        } else {
            app.amendments
                .load(id)
                .await?
                .0
                .framework_id()
                .map(|f| f.to_string())
        };
        let Some(framework_id) = framework_id else {
            return Err(
                Refusal::unprocessable("invalid-input", "framework_id is required")
                    .with_field("framework_id"),
            );
        };
        let base_version = env
            .fields
            .get("base_version")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| {
                Refusal::unprocessable(
                    "invalid-input",
                    "base_version must be a framework version number",
                )
                .with_field("base_version")
            })?;
        let (framework, _) = app
            .frameworks_as_of
            .at(&app.store, &framework_id, Cut::Version(base_version))
            .await?
            .ok_or_else(|| {
                Refusal::unprocessable(
                    "unknown-base-version",
                    format!("framework {framework_id} has no version {base_version}"),
                )
                .with_field("base_version")
            })?;
        env.supply("base_text", framework.declaration())?;
    }
    if kind == AmendmentCommandKind::Table {
        let meeting_id = env.str("meeting_id").unwrap_or_default().to_owned();
        let item = env
            .fields
            .get("agenda_item")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let (meeting, version) = app.meetings.load(&meeting_id).await?;
        if version == 0 {
            return Err(Refusal::unprocessable(
                "unknown-meeting",
                format!("no meeting {meeting_id}"),
            )
            .with_field("meeting_id"));
        }
        let substantive = meeting
            .agenda
            .iter()
            .any(|e| u64::from(e.item.number) == item && e.item.nature == ItemNature::Substantive);
        env.supply("meeting_open", meeting.status == MeetingStatus::Open)?;
        env.supply("item_substantive", substantive)?;
    }
    let cmd: AmendmentCommand = env.decode(&["now"])?;
    Ok(app.amendments.execute(id, cmd, ctx).await?)
}

/// One amendment as the board shows it.
pub fn card(id: &str, version: i64, a: &crate::domain::amendment::Amendment) -> Value {
    let mut card = serde_json::json!({
        "id": id,
        "version": version,
        "framework_id": a.framework_id(),
        "status": a.status(),
        "proposer": a.proposer(),
        "co_sponsors": a.co_sponsors(),
        "base_version": a.base_version(),
        "tabled_under": a.tabled_under(),
        "conflict": a.conflict(),
        "decision": a.decision(),
        "revisions": a.revisions(),
    });
    // Only where there are some, so that every other card reads as before.
    if !a.translations().is_empty() {
        card["translations"] = serde_json::json!(a.translations());
    }
    card
}
