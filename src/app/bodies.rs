//! Bodies: establishing them, membership, observers, stakeholders and their accreditation,
//! rules of procedure.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::app::access::Principal;
use crate::app::commands::{authorize, today, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::body::{
    Body, BodyCommand, BodyCommandKind, PublicRecord, RulesOfProcedure, Stakeholder, WorkItem,
};
use crate::domain::values::{Id, StateCode, Text};
use crate::projections::decisions;

/// Runs one body command for `p`: checks the name and who may send it, decodes what the
/// client may say, supplies the server's facts, and executes.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: BodyCommandKind = env.kind()?;
    authorize(p, permissions::body(kind), "", &env)?;
    let mut cmd: BodyCommand = env.decode(SUPPLIED)?;
    supply(app, &mut cmd);
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

/// The fields the server supplies (`skip_deserializing` in the domain): a client that sends
/// one is not refused, and its value is never read.
pub const SUPPLIED: &[&str] = &["now"];

/// Supplies the server's facts to a body command (`skip_deserializing` in the domain): one
/// arm per command, so a new command says what it needs.
fn supply(app: &App, cmd: &mut BodyCommand) {
    use BodyCommand as C;
    match cmd {
        C::ProposeAccreditation { now, .. }
        | C::ObjectToAccreditation { now, .. }
        | C::WithdrawAccreditationObjection { now, .. }
        | C::ConcludeAccreditation { now, .. }
        | C::AddWorkItem { now, .. }
        | C::RecordWorkItemProgress { now, .. } => *now = today(app),
        C::EstablishBody { .. }
        | C::AdmitMember { .. }
        | C::RegisterObserver { .. }
        | C::RegisterStakeholder { .. }
        | C::ModifyRulesOfProcedure { .. }
        | C::SetAttachmentLimit { .. }
        | C::SetPublicRecords { .. }
        | C::SetRegionalGroup { .. } => {}
    }
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
    let docs =
        crate::projections::docs::list(app.store.db(), crate::projections::state_view::BODIES, "")
            .await?;
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let (id, _, b) = crate::projections::state_view::decode::<crate::domain::body::Body>(&d)
            .map_err(Refusal::internal)?;
        out.push(body_line(&id, &b));
    }
    Ok(out)
}

/// A body as the API reads it: its record as the body keeps it (membership, observers,
/// stakeholders and their accreditation, rules of procedure, what it makes public, its
/// regional groups and programme of work).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BodyView {
    pub id: String,
    pub version: i64,
    #[schema(value_type = Option<String>)]
    pub name: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub parent_body: Option<Id>,
    #[schema(value_type = Object)]
    pub rules: RulesOfProcedure,
    #[schema(value_type = Vec<String>)]
    pub members: BTreeSet<StateCode>,
    /// Observers' names by id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub observers: BTreeMap<Id, Text>,
    /// Each stakeholder's name, kind and where its accreditation stands, by id.
    #[schema(value_type = Object)]
    pub stakeholders: BTreeMap<Id, Stakeholder>,
    /// In bytes; `null` until the secretariat sets one (the default then applies).
    pub attachment_limit: Option<u64>,
    /// What it makes public; `null` until it says (everything).
    #[schema(value_type = Option<Vec<String>>)]
    pub public_records: Option<BTreeSet<PublicRecord>>,
    #[schema(value_type = BTreeMap<String, Vec<String>>)]
    pub regional_groups: BTreeMap<Text, BTreeSet<StateCode>>,
    /// The programme of work, by item id.
    #[schema(value_type = Object)]
    pub work_items: BTreeMap<Id, WorkItem>,
}

impl BodyView {
    /// From the body's state view.
    pub fn from_view(doc: &Value) -> Result<Self, Refusal> {
        let (id, version, b) =
            crate::projections::state_view::decode::<Body>(doc).map_err(Refusal::internal)?;
        Ok(Self {
            id: b.id.as_ref().map_or(id, Id::to_string),
            version,
            name: b.name,
            parent_body: b.parent_body,
            rules: b.rules,
            members: b.members,
            observers: b.observers,
            stakeholders: b.stakeholders,
            attachment_limit: b.attachment_limit,
            public_records: b.public_records,
            regional_groups: b.regional_groups,
            work_items: b.work_items,
        })
    }
}

/// Every body, as the API lists them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BodyList {
    pub bodies: Vec<BodyView>,
}

/// Every body, in id order.
pub async fn views(app: &App) -> Result<BodyList, Refusal> {
    let docs =
        crate::projections::docs::list(app.store.db(), crate::projections::state_view::BODIES, "")
            .await?;
    Ok(BodyList {
        bodies: docs
            .iter()
            .map(BodyView::from_view)
            .collect::<Result<_, _>>()?,
    })
}

/// A body's state as the projection holds it (`None`: no such body).
pub async fn state(app: &App, id: &str) -> Result<Option<crate::domain::body::Body>, Refusal> {
    let Some(doc) =
        crate::projections::docs::get(app.store.db(), crate::projections::state_view::BODIES, id)
            .await?
    else {
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
    for d in
        crate::projections::docs::list(app.store.db(), crate::projections::state_view::BODIES, "")
            .await?
    {
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

/// A task on a body's programme of work, as its page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkItemLine {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub mandate: Option<String>,
    pub due: Option<String>,
    pub added_on: String,
    /// `Planned`, `InProgress`, `Completed` or `Discontinued`.
    pub status: &'static str,
    /// Due before today and not closed.
    pub overdue: bool,
    pub outputs: Vec<String>,
    pub steps: Vec<WorkStepLine>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkStepLine {
    pub on: String,
    pub status: &'static str,
    pub note: Option<String>,
    pub output: Option<String>,
}

/// A meeting of a body, as its page lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MeetingRef {
    pub id: String,
    pub symbol: String,
    pub title: String,
    pub starts: String,
    pub ends: String,
    pub status: String,
    /// A consultative day's: the symbol of the meeting it precedes.
    pub precedes: Option<String>,
}

/// A body with what hangs off it: its parent and working groups, its meetings, its
/// programme of work.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BodyOverview {
    pub body: BodyLine,
    pub parent: Option<(String, String)>,
    pub working_groups: Vec<(String, String)>,
    pub meetings: Vec<MeetingRef>,
    pub work_items: Vec<WorkItemLine>,
    pub today: String,
}

fn work_item_line(
    id: &str,
    w: &crate::domain::body::WorkItem,
    today: crate::domain::values::Date,
) -> WorkItemLine {
    let s = |x: &dyn ToString| x.to_string();
    WorkItemLine {
        id: id.to_owned(),
        title: s(&w.title),
        description: w.description.as_ref().map(|d| s(d)),
        mandate: w.mandate.as_ref().map(|d| s(d)),
        due: w.due.map(|d| s(&d)),
        added_on: s(&w.added_on),
        status: w.status.into(),
        overdue: w.is_overdue(today),
        outputs: w.outputs().map(|d| s(d)).collect(),
        steps: w
            .steps
            .iter()
            .map(|st| WorkStepLine {
                on: s(&st.on),
                status: st.status.into(),
                note: st.note.as_ref().map(|n| s(n)),
                output: st.output.as_ref().map(|o| s(o)),
            })
            .collect(),
    }
}

/// Body `id` with its parent, working groups, meetings and programme of work (any
/// credential: nothing here is personal).
pub async fn overview(app: &App, id: &str) -> Result<BodyOverview, Refusal> {
    use crate::domain::body::Body;
    let not_found = || Refusal::not_found(format!("no body {id}"));
    let mut all: Vec<(String, Body)> = vec![];
    for d in
        crate::projections::docs::list(app.store.db(), crate::projections::state_view::BODIES, "")
            .await?
    {
        let (bid, _, b) =
            crate::projections::state_view::decode::<Body>(&d).map_err(Refusal::internal)?;
        all.push((bid, b));
    }
    let name = |b: &Body| b.name.as_ref().map(|n| n.to_string()).unwrap_or_default();
    let (_, b) = all
        .iter()
        .find(|(bid, _)| bid == id)
        .ok_or_else(not_found)?;
    let parent = b.parent_body.as_ref().map(|p| {
        let pname = all
            .iter()
            .find(|(bid, _)| bid == p.as_str())
            .map(|(_, pb)| name(pb))
            .unwrap_or_default();
        (p.to_string(), pname)
    });
    let working_groups = all
        .iter()
        .filter(|(_, wb)| wb.parent_body.as_ref().is_some_and(|p| p.as_str() == id))
        .map(|(wid, wb)| (wid.clone(), name(wb)))
        .collect();
    let text = |d: &Value, k: &str| d[k].as_str().unwrap_or_default().to_owned();
    let listed =
        crate::projections::docs::list(app.store.db(), crate::projections::meetings::NAME, "")
            .await?;
    let symbol_of = |meeting: &str| {
        listed
            .iter()
            .find(|d| d["id"] == meeting)
            .map(|d| text(d, "symbol"))
            .unwrap_or_else(|| meeting.to_owned())
    };
    let meetings = listed
        .iter()
        .filter(|d| d["body_id"] == id)
        .map(|d| MeetingRef {
            id: text(d, "id"),
            symbol: text(d, "symbol"),
            title: text(d, "title"),
            starts: text(d, "starts"),
            ends: text(d, "ends"),
            status: text(d, "status"),
            precedes: d["precedes"].as_str().map(symbol_of),
        })
        .collect();
    let today = today(app);
    Ok(BodyOverview {
        body: body_line(id, b),
        parent,
        working_groups,
        meetings,
        work_items: b
            .work_items
            .iter()
            .map(|(wid, w)| work_item_line(wid.as_str(), w, today))
            .collect(),
        today: today.to_string(),
    })
}
