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
use super::commands::{context, respond};
use super::error::ApiError;
use super::extract::{page_limit, AsOfParams, CommandHeaders, Ids, Json, MinPosition, Query};
use super::AppState;
use crate::app;
use crate::app::as_of;
use crate::domain::body::PublicRecord;
use crate::domain::meeting::Meeting;
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
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::bodies::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
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

/// The live state of a meeting: status, current item, speakers' lists, pending motions and
/// vote, the consensus call with the objections standing, who is present, quorum.
/// The meeting now (from its read models) or as of `at` (from the log): version, state and
/// list entry.
async fn meeting_at(
    s: &AppState,
    id: &str,
    at: Option<&str>,
) -> Result<(i64, Meeting, Value), ApiError> {
    let Some(at) = at else {
        return load_view(s, id).await;
    };
    let cut = super::frameworks::cut_at(s, at).await?;
    let fold = as_of::meeting(&s.app.store, id, cut)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("meeting {id} had not been convened at {at}"))
        })?;
    Ok((fold.version, fold.meeting, fold.info.unwrap_or(Value::Null)))
}

fn entitled_to_personal_data(p: &Principal, meeting_id: &str) -> bool {
    match p.reader() {
        Reader::Everything => true,
        Reader::Chair { meeting } => meeting == meeting_id,
        _ => false,
    }
}

/// The live state of a meeting: status, current item, speakers' lists, pending motions and
/// vote, the consensus call with the objections standing, who is present, quorum; or its
/// state as of `?at=`.
#[tracing::instrument(skip_all)]
async fn meeting(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<AsOfParams>,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let (version, m, info) = meeting_at(&s, id, q.at.as_deref()).await?;
    let view = app::meetings::state_json(id, version, &m, info, entitled_to_personal_data(&p, id))
        .map_err(ApiError::internal)?;
    Ok(axum::Json(view))
}

async fn agenda(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<AsOfParams>,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    if q.at.is_some() {
        let (version, m, _) = meeting_at(&s, id, q.at.as_deref()).await?;
        let body = m.body_id.as_ref().map(|b| b.as_str());
        app::bodies::require_public(&s.app, &p, body, PublicRecord::Agendas).await?;
        return Ok(axum::Json(json!({
            "meeting_id": id,
            "version": version,
            "adopted": m.agenda_adopted,
            "current_item": m.current_item,
            "items": m.agenda,
        })));
    }
    // The stored view is the meeting's own serialisation: its fields are already the
    // response's, so the meeting is not decoded.
    let doc = s.view("meetings", id, "meeting").await?;
    let body = doc["body_id"].as_str();
    app::bodies::require_public(&s.app, &p, body, PublicRecord::Agendas).await?;
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
    Query(q): Query<AsOfParams>,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let (_, m, _) = meeting_at(&s, id, q.at.as_deref()).await?;
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
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::meetings::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}

// ---- decisions ----------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub(super) struct DecisionParams {
    pub(super) meeting: Option<String>,
    pub(super) body: Option<String>,
    kind: Option<String>,
    /// The register as of a moment (date, RFC 3339 time or `p:N`), answered from the log.
    pub(super) at: Option<String>,
    /// The `next` cursor of the previous page.
    pub(super) after: Option<String>,
    /// Page size, 1 to 1000 (default 200).
    pub(super) limit: Option<i64>,
    /// The language of a printed register (decisions.pdf, decisions.docx).
    pub(super) lang: Option<String>,
    #[serde(rename = "min_position")]
    _min: Option<i64>,
}

/// The decisions register, filterable by meeting, body and kind, in register order (meeting,
/// then number), a page at a time: `next` is the cursor for `after`, absent on the last page.
/// Public record.
#[tracing::instrument(skip_all)]
async fn decisions_register(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<DecisionParams>,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    if q.lang.is_some() {
        return Err(ApiError::bad_request(
            "lang",
            "the register's JSON is not translated; lang is for decisions.pdf and decisions.docx",
        ));
    }
    let limit = page_limit(q.limit)?;
    let cut = match &q.at {
        Some(at) => Some(super::frameworks::cut_at(&s, at).await?),
        None => None,
    };
    let (out, next) = register_page(&s, &p, &q, cut, q.after.clone(), limit).await?;
    Ok(axum::Json(json!({ "decisions": out, "next": next })))
}

/// One page of the register's entries as stored, filtered as `q` asks, now or as of `cut`
/// (the same entries, keys and paging, folded from the log).
pub(super) async fn register_page(
    s: &AppState,
    p: &Principal,
    q: &DecisionParams,
    cut: Option<crate::app::history::Cut>,
    after: Option<String>,
    limit: i64,
) -> Result<(Vec<Value>, Option<String>), ApiError> {
    let db = s.app.store.db();
    let prefix = q
        .meeting
        .as_deref()
        .map(|m| format!("{m}/"))
        .unwrap_or_default();
    // The public reads only the registers that bodies make public.
    let public = app::bodies::public_bodies(&s.app, p, PublicRecord::Register).await?;
    let meetings: Option<std::collections::HashSet<String>> = match (&q.body, &public) {
        (None, None) => None,
        (body, public) => Some(
            docs::list(db, list::NAME, "")
                .await?
                .into_iter()
                .filter(|m| body.as_ref().is_none_or(|b| m["body_id"] == b.as_str()))
                .filter(|m| {
                    public
                        .as_ref()
                        .is_none_or(|set| m["body_id"].as_str().is_some_and(|b| set.contains(b)))
                })
                .filter_map(|m| m["id"].as_str().map(str::to_owned))
                .collect(),
        ),
    };
    let wanted = |d: &Value| {
        let in_body = meetings
            .as_ref()
            .is_none_or(|ms| d["meeting_id"].as_str().is_some_and(|m| ms.contains(m)));
        in_body && q.kind.as_ref().is_none_or(|k| d["kind"] == k.as_str())
    };
    let (mut entries, next) = match cut {
        None => {
            docs::filtered_page(db, decisions::NAME, &prefix, after, limit, |d| {
                Ok::<_, ApiError>(wanted(&d).then_some(d))
            })
            .await?
        }
        Some(cut) => {
            let entries = as_of::register(&s.app.store, cut).await?;
            as_of::page(entries, after.as_deref(), limit, |key, d| {
                key.starts_with(&prefix) && wanted(d)
            })
        }
    };
    // The registry as of the same moment names the documents of each decision.
    let registry = crate::app::documents::registry(&s.app, cut).await?;
    crate::app::register::attach_documents(&mut entries, &registry);
    Ok((entries, next))
}
