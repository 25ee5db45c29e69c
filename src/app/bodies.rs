//! Bodies: establishing them, membership, observers, stakeholders and their accreditation,
//! rules of procedure.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::app::access::Principal;
use crate::app::commands::{authorize, today, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::body::{BodyCommand, BodyCommandKind, PublicRecord};
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
    env.supply("now", today(app))?;
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

/// A body as the secretariat's desk shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BodyLine {
    pub id: String,
    pub name: String,
    pub parent_body: Option<String>,
    pub members: Vec<String>,
    pub observers: Vec<(String, String)>,
    pub stakeholders: Vec<StakeholderLine>,
    /// Each part of the record a body may make public, and whether it does.
    pub public_records: Vec<(&'static str, bool)>,
    /// Regional groups by name, each with its States.
    pub regional_groups: Vec<(String, Vec<String>)>,
}

/// A stakeholder of a body and where its accreditation stands.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StakeholderLine {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// `not_accredited`, `pending`, `accredited` or `rejected`.
    pub status: &'static str,
    /// The last day a State may object, while the procedure runs.
    pub notice_ends: Option<String>,
    /// Objections standing (pending) or that rejected it.
    pub objections: Vec<String>,
}

fn body_line(id: &str, b: &crate::domain::body::Body) -> BodyLine {
    use crate::domain::body::Accreditation as A;
    BodyLine {
        id: id.to_owned(),
        name: b.name.as_ref().map(|n| n.to_string()).unwrap_or_default(),
        parent_body: b.parent_body.as_ref().map(|p| p.to_string()),
        members: b.members.iter().map(|s| s.to_string()).collect(),
        public_records: <PublicRecord as strum::IntoEnumIterator>::iter()
            .map(|r| (r.into(), b.publishes(r)))
            .collect(),
        regional_groups: b
            .regional_groups
            .iter()
            .map(|(g, states)| {
                (
                    g.to_string(),
                    states.iter().map(|s| s.to_string()).collect(),
                )
            })
            .collect(),
        observers: b
            .observers
            .iter()
            .map(|(k, n)| (k.to_string(), n.to_string()))
            .collect(),
        stakeholders: b
            .stakeholders
            .iter()
            .map(|(k, s)| {
                let (status, notice_ends, objections) = match &s.accreditation {
                    A::NotAccredited => ("not_accredited", None, vec![]),
                    A::Pending {
                        notice_ends,
                        objections,
                    } => (
                        "pending",
                        Some(notice_ends.to_string()),
                        objections.iter().map(|s| s.to_string()).collect(),
                    ),
                    A::Accredited => ("accredited", None, vec![]),
                    A::Rejected { objecting_states } => (
                        "rejected",
                        None,
                        objecting_states.iter().map(|s| s.to_string()).collect(),
                    ),
                };
                StakeholderLine {
                    id: k.to_string(),
                    name: s.name.to_string(),
                    kind: format!("{:?}", s.kind),
                    status,
                    notice_ends,
                    objections,
                }
            })
            .collect(),
    }
}

/// Every body, in id order.
pub async fn list(app: &App) -> Result<Vec<BodyLine>, Refusal> {
    let docs = crate::projections::docs::list(app.store.db(), "bodies", "").await?;
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let (id, _, b) = crate::projections::state_view::decode::<crate::domain::body::Body>(&d)
            .map_err(Refusal::internal)?;
        out.push(body_line(&id, &b));
    }
    Ok(out)
}

/// A body's state as the projection holds it (`None`: no such body).
pub async fn state(app: &App, id: &str) -> Result<Option<crate::domain::body::Body>, Refusal> {
    let Some(doc) = crate::projections::docs::get(app.store.db(), "bodies", id).await? else {
        return Ok(None);
    };
    let (_, _, b) = crate::projections::state_view::decode::<crate::domain::body::Body>(&doc)
        .map_err(Refusal::internal)?;
    Ok(Some(b))
}

/// For the public (a reader without a credential), the bodies that make `record` public;
/// `None` for anyone else, whom the record's own visibility rules already cover.
pub async fn public_bodies(
    app: &App,
    p: &Principal,
    record: PublicRecord,
) -> Result<Option<BTreeSet<String>>, Refusal> {
    if !p.is_public() {
        return Ok(None);
    }
    let mut out = BTreeSet::new();
    for d in crate::projections::docs::list(app.store.db(), "bodies", "").await? {
        let (id, _, b) = crate::projections::state_view::decode::<crate::domain::body::Body>(&d)
            .map_err(Refusal::internal)?;
        if b.publishes(record) {
            out.insert(id);
        }
    }
    Ok(Some(out))
}

/// Refuses the public a record of `body` that the body does not make public (a record of no
/// body is public). Anyone with a credential passes.
pub async fn require_public(
    app: &App,
    p: &Principal,
    body: Option<&str>,
    record: PublicRecord,
) -> Result<(), Refusal> {
    let Some(body) = body.filter(|_| p.is_public()) else {
        return Ok(());
    };
    if state(app, body).await?.is_none_or(|b| b.publishes(record)) {
        return Ok(());
    }
    Err(not_public(body, record))
}

/// The refusal of a record a body keeps to readers with a credential.
pub fn not_public(body: &str, record: PublicRecord) -> Refusal {
    let what: &'static str = record.into();
    Refusal::unauthorized(format!(
        "body {body} does not make its {} public: send a credential",
        what.to_lowercase()
    ))
}
