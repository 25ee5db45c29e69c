//! Meetings (list, live state, agenda, participation), bodies, and the decisions register.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{Principal, Role};
use super::commands::{authorize, context, run, today, Envelope, Who};
use super::error::ApiError;
use super::extract::{page_limit, CommandHeaders, Ids, Json, MinPosition, Query};
use super::{openapi, AppState};
use crate::app::history::Cut;
use crate::domain::amendment::AmendmentStatus;
use crate::domain::body::{Accreditation, Body, BodyCommand};
use crate::domain::framework::{check_applies, Conflict};
use crate::domain::meeting::{
    AmendmentStanding, ConsensusSubject, Meeting, MeetingCommand, MeetingError, ProgrammeLink,
    TabledUnder,
};
use crate::projections::visibility::Reader;
use crate::projections::{decisions, docs, meetings as list, state_view};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/bodies", get(bodies))
        .route("/api/v1/bodies/{id}", get(body))
        .route("/api/v1/bodies/{id}/commands", post(body_command))
        .route("/api/v1/meetings", get(meetings))
        .route("/api/v1/meetings/{id}", get(meeting))
        .route("/api/v1/meetings/{id}/agenda", get(agenda))
        .route("/api/v1/meetings/{id}/participation", get(participation))
        .route("/api/v1/meetings/{id}/commands", post(meeting_command))
        .route("/api/v1/decisions", get(decisions_register))
}

// ---- bodies ----------------------------------------------------------------------------

async fn bodies(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let docs = docs::list(s.app.store.db(), "bodies", "").await?;
    Ok(axum::Json(
        json!({ "bodies": docs.into_iter().map(public_view).collect::<Vec<_>>() }),
    ))
}

async fn body(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let doc = s.view("bodies", id, "body").await?;
    Ok(axum::Json(public_view(Arc::unwrap_or_clone(doc))))
}

/// Renames the view's bookkeeping fields for clients.
fn public_view(mut doc: Value) -> Value {
    if let Value::Object(o) = &mut doc {
        if let Some(v) = o.remove("_version") {
            o.insert("version".into(), v);
        }
        if let Some(id) = o.remove("_id") {
            o.entry("id").or_insert(id);
        }
    }
    doc
}

#[tracing::instrument(skip_all)]
async fn body_command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<Value>,
) -> Result<Response, ApiError> {
    let id = ids[0].as_str();
    let mut env = Envelope::parse(body)?;
    env.require_known(openapi::BODY_COMMANDS, &[])?;
    let who = match env.name.as_str() {
        "ObjectToAccreditation" | "WithdrawAccreditationObjection" => Who::DelegateOf("state"),
        _ => Who::Secretariat,
    };
    authorize(&p, who, &env)?;
    env.supply("now", today())?;
    let cmd: BodyCommand = env.decode(&["now"])?;
    // Rules of procedure change only by a decision that is on the register.
    if let BodyCommand::ModifyRulesOfProcedure { decision, .. } = &cmd {
        let key = decisions::key(decision.meeting_id.as_str(), decision.decision_number);
        let found = s.app.projector.doc(decisions::NAME, &key).await?;
        let matches = found
            .as_ref()
            .is_some_and(|d| d["symbol"] == decision.symbol.as_str());
        if !matches {
            return Err(ApiError::unprocessable(
                "unknown-decision",
                format!(
                    "decision {} ({}) of meeting {} is not on the decisions register",
                    decision.decision_number, decision.symbol, decision.meeting_id
                ),
            )
            .with_field("decision"));
        }
    }
    run(&s.app.bodies, id, cmd, &context(&p, h, hash)).await
}

// ---- meetings --------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct ListParams {
    body: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    #[serde(rename = "min_position")]
    _min: Option<i64>,
}

#[tracing::instrument(skip_all)]
async fn meetings(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let all = docs::list(s.app.store.db(), list::NAME, "").await?;
    let keep = |d: &Value, field: &str, want: &Option<String>| {
        want.as_deref().is_none_or(|w| d[field] == w)
    };
    let out: Vec<Value> = all
        .into_iter()
        .filter(|d| {
            keep(d, "body_id", &q.body) && keep(d, "kind", &q.kind) && keep(d, "status", &q.status)
        })
        .collect();
    Ok(axum::Json(json!({ "meetings": out })))
}

async fn load_view(s: &AppState, id: &str) -> Result<(i64, Meeting, Value), ApiError> {
    let doc = s.view("meetings", id, "meeting").await?;
    let (_, version, m) = state_view::decode::<Meeting>(&doc).map_err(ApiError::internal)?;
    let info = s
        .app
        .projector
        .doc(list::NAME, id)
        .await?
        .map_or(Value::Null, Arc::unwrap_or_clone);
    Ok((version, m, info))
}

fn quorum(m: &Meeting) -> Value {
    let members = m.member_count();
    let present = m.states_present();
    let to_open = m.rules.quorum_to_open.required(members);
    let to_decide = m.rules.quorum_to_decide.required(members);
    json!({
        "members": members,
        "states_present": present,
        "needed_to_open": to_open,
        "needed_to_decide": to_decide,
        "met_to_open": present >= to_open,
        "met_to_decide": present >= to_decide,
    })
}

/// The live state of a meeting: status, current item, speakers' lists, pending motions and
/// vote, the consensus call with the objections standing, who is present, quorum.
#[tracing::instrument(skip_all)]
async fn meeting(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let (version, m, info) = load_view(&s, id).await?;
    let standing = m
        .consensus
        .as_ref()
        .map(|c| c.standing_objections())
        .unwrap_or_default();
    let mut state = serde_json::to_value(&m).map_err(ApiError::internal)?;
    if let Value::Object(o) = &mut state {
        // Personal data (delegates' names and gender, travel funding) is not public record.
        let entitled = match p.reader() {
            Reader::Everything => true,
            Reader::Chair { meeting } => meeting == id,
            _ => false,
        };
        if !entitled {
            o.remove("delegations");
            o.remove("sponsorships");
        }
    }
    Ok(axum::Json(json!({
        "id": id,
        "version": version,
        "info": info,
        "quorum": quorum(&m),
        "standing_objections": standing,
        "state": state,
    })))
}

async fn agenda(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    // The stored view is the meeting's own serialisation: its fields are already the
    // response's, so the meeting is not decoded.
    let doc = s.view("meetings", id, "meeting").await?;
    Ok(axum::Json(json!({
        "meeting_id": id,
        "version": doc["_version"],
        "adopted": doc["agenda_adopted"],
        "current_item": doc["current_item"],
        "items": doc["agenda"],
    })))
}

/// Participation statistics: delegations and their members by gender, stakeholders by type,
/// and the sponsorship programme.
async fn participation(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let (_, m, _) = load_view(&s, id).await?;
    let mut by_gender: BTreeMap<String, u32> = BTreeMap::new();
    let mut heads_by_gender: BTreeMap<String, u32> = BTreeMap::new();
    let mut by_state: BTreeMap<String, u32> = BTreeMap::new();
    for (state, members) in &m.delegations {
        by_state.insert(state.to_string(), members.len() as u32);
        for member in members {
            let g = member
                .gender
                .map(|g| format!("{g:?}").to_lowercase())
                .unwrap_or_else(|| "not_given".into());
            if member.head_of_delegation {
                *heads_by_gender.entry(g.clone()).or_default() += 1;
            }
            *by_gender.entry(g).or_default() += 1;
        }
    }
    let mut stakeholders: BTreeMap<String, u32> = BTreeMap::new();
    for (kind, _) in m.stakeholders.values() {
        *stakeholders.entry(format!("{kind:?}")).or_default() += 1;
    }
    let mut sponsorship: BTreeMap<String, (u32, u64)> = BTreeMap::new();
    for r in m.sponsorships.values() {
        let e = sponsorship
            .entry(format!("{:?}", r.status).to_lowercase())
            .or_default();
        e.0 += 1;
        e.1 += u64::from(r.amount_usd);
    }
    // Per-State detail is shown only to those entitled to the personal data behind it.
    let detail = matches!(p.role, Role::Secretariat | Role::Auditor | Role::Admin)
        || (p.role == Role::Chair && p.scope.as_deref() == Some(id));
    Ok(axum::Json(json!({
        "meeting_id": id,
        "delegations": m.delegations.len(),
        "delegates_by_gender": by_gender,
        "heads_of_delegation_by_gender": heads_by_gender,
        "delegates_by_state": if detail { json!(by_state) } else { Value::Null },
        "observers": m.observers.len(),
        "stakeholders_by_type": stakeholders,
        "states_present": m.states_present(),
        "sponsorship": sponsorship.into_iter().map(|(k, (n, usd))| (k, json!({ "requests": n, "amount_usd": usd }))).collect::<BTreeMap<_, _>>(),
    })))
}

#[tracing::instrument(skip_all)]
async fn meeting_command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<Value>,
) -> Result<Response, ApiError> {
    let id = ids[0].as_str();
    let mut env = Envelope::parse(body)?;
    env.require_known(openapi::MEETING_COMMANDS, &[])?;
    let app = &s.app;
    let who = match env.name.as_str() {
        "Convene"
        | "RegisterDelegation"
        | "RegisterObserver"
        | "RegisterStakeholder"
        | "AwardSponsorship"
        | "DeclineSponsorship" => Who::Secretariat,
        "MarkPresent" | "MarkAbsent" | "IssueProvisionalAgenda" => Who::ChairOrSecretariat(id),
        "RequestSponsorship" => Who::DelegateOrSecretariat("state"),
        "RequestRightOfReply"
        | "RaisePointOfOrder"
        | "AppealRuling"
        | "MoveMotion"
        | "WithdrawMotion"
        | "RequestRecordedVote"
        | "CastVote"
        | "RaiseObjection"
        | "WithdrawObjection"
        | "ExplainPosition" => Who::DelegateOf("state"),
        "InscribeSpeaker" | "WithdrawSpeaker" => {
            // A delegate inscribes its own State, an observer its own organisation; the chair
            // and the secretariat anyone.
            let speaker = env.fields.get("speaker").cloned().unwrap_or(Value::Null);
            let own = match (p.role, &speaker) {
                (Role::Delegate, Value::Object(o)) => {
                    o.get("State").and_then(Value::as_str) == p.scope.as_deref()
                }
                (Role::Observer, Value::Object(o)) => {
                    let org = o
                        .get("Observer")
                        .or_else(|| o.get("Stakeholder"))
                        .and_then(Value::as_str);
                    org.is_some() && org == p.scope.as_deref()
                }
                _ => false,
            };
            if own {
                Who::DelegateOrSecretariat("__none__")
            } else {
                Who::ChairOrSecretariat(id)
            }
        }
        _ => Who::Chair(id),
    };
    // `own` speakers are already authorised; everything else goes through the table.
    if !matches!(who, Who::DelegateOrSecretariat("__none__")) {
        authorize(&p, who, &env)?;
    }
    env.supply("now", today())?;
    if env.name == "Convene" {
        let body_id = env.str("body_id").unwrap_or_default().to_owned();
        let (body, version): (Body, i64) = app.bodies.load(&body_id).await?;
        if version == 0 {
            return Err(ApiError::unprocessable(
                "unknown-body",
                format!("no body {body_id}: establish it first"),
            )
            .with_field("body_id"));
        }
        env.supply("rules", &body.rules)?;
        env.supply("members", &body.members)?;
        // A meeting convened under a programme of work names an item that programme has.
        if let Some(link) = env.fields.get("programme_link").filter(|v| !v.is_null()) {
            let link: ProgrammeLink = serde_json::from_value(link.clone()).map_err(|e| {
                ApiError::unprocessable("invalid-input", e.to_string()).with_field("programme_link")
            })?;
            let (linked, version) = app.meetings.load(link.meeting_id.as_str()).await?;
            if version == 0 {
                return Err(ApiError::unprocessable(
                    "unknown-meeting",
                    format!("no meeting {}", link.meeting_id),
                )
                .with_field("programme_link.meeting_id"));
            }
            if let Err(e) = linked.check_programme_link(&link) {
                let field = match e {
                    MeetingError::NoProgrammeOfWork(_) => "programme_link.meeting_id",
                    _ => "programme_link.item",
                };
                return Err(ApiError::unprocessable(e.code(), e.to_string()).with_field(field));
            }
        }
    }
    if env.name == "RegisterStakeholder" {
        // Whether it is accredited is the body's record, not the client's claim.
        let (meeting, _) = app.meetings.load(id).await?;
        let org = env.str("organisation_id").unwrap_or_default().to_owned();
        let accredited = match &meeting.body_id {
            Some(body_id) => {
                let (body, _) = app.bodies.load(body_id.as_str()).await?;
                body.stakeholders.iter().any(|(k, st)| {
                    k.as_str() == org && st.accreditation == Accreditation::Accredited
                })
            }
            None => false,
        };
        env.supply("accredited", accredited)?;
    }
    // Where a refusal about the amendment points in the request.
    let mut amendment_field = None;
    if env.name == "CallForConsensus" {
        let subject = env.fields.get("subject").and_then(|s| s.get("Amendment"));
        let amendment_id = subject
            .and_then(|a| a.get("amendment_id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let revision = subject
            .and_then(|a| a.get("revision"))
            .and_then(Value::as_u64)
            .and_then(|r| u32::try_from(r).ok());
        match amendment_id {
            Some(aid) => {
                let standing = amendment_standing(&s, &aid, revision)
                    .await?
                    .ok_or_else(|| {
                        ApiError::unprocessable("unknown-amendment", format!("no amendment {aid}"))
                            .with_field("subject.Amendment.amendment_id")
                    })?;
                env.supply("amendment", Some(standing))?;
                amendment_field = Some("subject.Amendment");
            }
            None => env.supply("amendment", None::<AmendmentStanding>)?,
        }
    }
    if env.name == "DeclareOutcome" {
        // Adopting an amendment applies it to the framework: check it still applies now,
        // whatever the amendment's own status says (the reactor sets that a moment later).
        let (meeting, _) = app.meetings.peek(id).await?;
        let called = match meeting.consensus.as_ref().filter(|c| c.open) {
            Some(c) => match &c.subject {
                ConsensusSubject::Amendment {
                    amendment_id,
                    revision,
                } => Some((amendment_id.to_string(), *revision)),
                _ => None,
            },
            None => None,
        };
        match called {
            Some((aid, revision)) => {
                let standing = amendment_standing(&s, &aid, Some(revision)).await?;
                env.supply("amendment", standing)?;
                amendment_field = Some("outcome");
            }
            None => env.supply("amendment", None::<AmendmentStanding>)?,
        }
    }
    let cmd: MeetingCommand =
        env.decode(&["now", "rules", "members", "amendment", "accredited"])?;
    run(&app.meetings, id, cmd, &context(&p, h, hash))
        .await
        .map_err(|e| match amendment_field {
            Some(field) if e.kind == "amendment-does-not-apply" && e.field.is_none() => {
                e.with_field(field)
            }
            _ => e,
        })
}

/// Waits (briefly) until every adoption already decided has been applied to its framework, so
/// an amendment is checked against the text it will really meet. Without this, a chair could
/// adopt B in the moment between A's adoption and its application, and B would be adopted
/// without ever applying.
async fn settled_framework(s: &AppState) -> Result<(), ApiError> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let pending = crate::app::reactor::pending_adoptions(&s.app.store).await?;
        let Some((position, amendment)) = pending.first() else {
            return Ok(());
        };
        if tokio::time::Instant::now() >= deadline {
            return Err(ApiError::unavailable(format!(
                "the adoption of amendment {amendment} (log position {position}) is still being applied to the framework; retry in a moment"
            )));
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// What the meeting needs to know about an amendment before it is called or adopted, read
/// from the Amendment aggregate and checked against the framework's current text; `None` if
/// there is no such amendment. `revision` is the one called (default: the current one).
async fn amendment_standing(
    s: &AppState,
    amendment_id: &str,
    revision: Option<u32>,
) -> Result<Option<AmendmentStanding>, ApiError> {
    let app = &s.app;
    let (a, version) = app.amendments.load(amendment_id).await?;
    if version == 0 {
        return Ok(None);
    }
    let operations = a
        .revisions()
        .iter()
        .find(|r| Some(r.number) == revision)
        .or_else(|| a.current_revision())
        .map(|r| r.operations.clone())
        .unwrap_or_default();
    if a.framework_id().is_some() {
        settled_framework(s).await?;
    }
    let conflict = match a.framework_id() {
        Some(fid) => match app
            .frameworks_as_of
            .at(&app.store, fid.as_str(), Cut::Latest)
            .await?
        {
            Some((framework, _)) => check_applies(framework.declaration(), &operations)
                .err()
                .map(|c| Conflict {
                    reason: format!("{} (framework version {})", c.reason, framework.version()),
                    ..c
                }),
            None => Some(Conflict {
                operation: 0,
                paragraph: None,
                reason: format!("framework {fid} does not exist"),
            }),
        },
        None => None,
    };
    Ok(Some(AmendmentStanding {
        tabled_under: a.tabled_under().map(|t| TabledUnder {
            meeting_id: t.meeting_id.clone(),
            item: t.agenda_item,
        }),
        current_revision: a.current_revision().map(|r| r.number).unwrap_or(0),
        in_conflict: a.status() == AmendmentStatus::InConflict,
        withdrawn: a.status() == AmendmentStatus::Withdrawn,
        conflict,
    }))
}

// ---- decisions ----------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct DecisionParams {
    meeting: Option<String>,
    body: Option<String>,
    kind: Option<String>,
    /// The `next` cursor of the previous page.
    after: Option<String>,
    /// Page size, 1 to 1000 (default 200).
    limit: Option<i64>,
    #[serde(rename = "min_position")]
    _min: Option<i64>,
}

/// The decisions register, filterable by meeting, body and kind, in register order (meeting,
/// then number), a page at a time: `next` is the cursor for `after`, absent on the last page.
/// Public record.
#[tracing::instrument(skip_all)]
async fn decisions_register(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Query(q): Query<DecisionParams>,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let limit = page_limit(q.limit)?;
    let db = s.app.store.db();
    let prefix = q
        .meeting
        .as_deref()
        .map(|m| format!("{m}/"))
        .unwrap_or_default();
    let meetings: Option<std::collections::HashSet<String>> = match &q.body {
        Some(body) => Some(
            docs::list(db, list::NAME, "")
                .await?
                .into_iter()
                .filter(|m| m["body_id"] == body.as_str())
                .filter_map(|m| m["id"].as_str().map(str::to_owned))
                .collect(),
        ),
        None => None,
    };
    let wanted = |d: &Value| {
        let in_body = meetings
            .as_ref()
            .is_none_or(|ms| d["meeting_id"].as_str().is_some_and(|m| ms.contains(m)));
        in_body && q.kind.as_ref().is_none_or(|k| d["kind"] == k.as_str())
    };
    let (out, next) = docs::filtered_page(db, decisions::NAME, &prefix, q.after, limit, |d| {
        Ok::<_, ApiError>(wanted(&d).then_some(d))
    })
    .await?;
    Ok(axum::Json(json!({ "decisions": out, "next": next })))
}
