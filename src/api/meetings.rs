//! Meetings (list, live state, agenda, participation), bodies, and the decisions register.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::extract::{page_limit, AsOfParams, CommandHeaders, Ids, Json, MinPosition, Query};
use super::AppState;
use crate::app;
use crate::app::meeting_reads::{
    self, AgendaView, Loaded, MeetingFilter, MeetingParticipation, MeetingView,
};
use crate::app::register::RegisterFilter;
use crate::domain::body::PublicRecord;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bodies))
        .routes(routes!(body))
        .routes(routes!(body_command))
        .routes(routes!(meetings))
        .routes(routes!(meeting))
        .routes(routes!(agenda))
        .routes(routes!(participation))
        .routes(routes!(meeting_command))
        .routes(routes!(decisions_register))
}

// ---- bodies ----------------------------------------------------------------------------

/// Bodies with their rules of procedure and registers
#[utoipa::path(get, path = "/api/v1/bodies", params(MinPosition))]
async fn bodies(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
) -> Result<axum::Json<app::bodies::BodyList>, ApiError> {
    s.read_after(min.0).await?;
    Ok(axum::Json(app::bodies::views(&s.app).await?))
}

/// One body
#[utoipa::path(get, path = "/api/v1/bodies/{id}", params(MinPosition))]
async fn body(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<app::bodies::BodyView>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let doc = s
        .view(crate::projections::state_view::BODIES, id, "body")
        .await?;
    Ok(axum::Json(app::bodies::BodyView::from_view(&doc)?))
}

/// A command to a body
#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/api/v1/bodies/{id}/commands", params(CommandHeaders))]
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Body id.
    body: Option<String>,
    /// Meeting kind.
    kind: Option<String>,
    /// convened, open, suspended, closed.
    status: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

/// The meeting list
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/meetings", params(ListParams, MinPosition))]
async fn meetings(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<meeting_reads::MeetingList>, ApiError> {
    s.read_after(min.0).await?;
    let filter = MeetingFilter {
        body: q.body,
        kind: q.kind,
        status: q.status,
    };
    Ok(axum::Json(meeting_reads::MeetingList {
        meetings: meeting_reads::list(&s.app, &filter).await?,
    }))
}

/// The meeting now (from its read models) or as of `at` (from the log).
async fn meeting_at(s: &AppState, id: &str, at: Option<&str>) -> Result<Loaded, ApiError> {
    let cut = match at {
        Some(at) => Some(super::frameworks::cut_at(s, at).await?),
        None => None,
    };
    meeting_reads::load(&s.app, id, cut)
        .await?
        .ok_or_else(|| match at {
            Some(at) => ApiError::not_found(format!("meeting {id} had not been convened at {at}")),
            None => ApiError::not_found(format!("no meeting {id}")),
        })
}

/// Live state: current item, speakers, motions, vote, consensus call, presence, quorum
///
/// The meeting's status, the current item, the speakers' lists, pending motions and the vote, the
/// consensus call with the objections standing, who is present and the quorum; or the state as of
/// `at`.
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/meetings/{id}", params(AsOfParams, MinPosition))]
async fn meeting(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<AsOfParams>,
) -> Result<axum::Json<MeetingView>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let l = meeting_at(&s, id, q.at.as_deref()).await?;
    let entitled = meeting_reads::sees_personal_data(&p, id);
    let view =
        MeetingView::of(id, l.version, &l.meeting, l.info, entitled).map_err(ApiError::internal)?;
    Ok(axum::Json(view))
}

/// The agenda
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/agenda",
    params(AsOfParams, MinPosition)
)]
async fn agenda(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<AsOfParams>,
) -> Result<axum::Json<AgendaView>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let (body, agenda) = match q.at.as_deref() {
        Some(at) => {
            let l = meeting_at(&s, id, Some(at)).await?;
            let body = l.meeting.body_id.as_ref().map(|b| b.as_str().to_owned());
            (body, AgendaView::of(id, l.version, &l.meeting))
        }
        None => {
            let doc = s
                .view(crate::projections::state_view::MEETINGS, id, "meeting")
                .await?;
            let body = doc["body_id"].as_str().map(str::to_owned);
            (body, AgendaView::from_view(id, &doc)?)
        }
    };
    app::bodies::require_public(&s.app, &p, body.as_deref(), PublicRecord::Agendas).await?;
    Ok(axum::Json(agenda))
}

/// Participation statistics: gender, stakeholders, sponsorship
///
/// Delegations and their members by gender, stakeholders by type, and the sponsorship programme.
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/participation",
    params(AsOfParams, MinPosition)
)]
async fn participation(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<AsOfParams>,
) -> Result<axum::Json<MeetingParticipation>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let l = meeting_at(&s, id, q.at.as_deref()).await?;
    let entitled = meeting_reads::sees_personal_data(&p, id);
    Ok(axum::Json(MeetingParticipation::of(
        id, &l.meeting, entitled,
    )))
}

/// A command in a meeting
#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/api/v1/meetings/{id}/commands", params(CommandHeaders))]
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct DecisionParams {
    /// Meeting id.
    pub(super) meeting: Option<String>,
    /// Body id.
    pub(super) body: Option<String>,
    /// agenda_adoption, agenda_change, amendment_adopted, programme_of_work,
    /// procedural_outcome, decision; or no_consensus: a call on which the chair found no
    /// consensus, on the record as an outcome (entry: outcome), with no decision number or
    /// symbol, after the meeting's decisions.
    kind: Option<String>,
    /// The record as of a moment, answered from the log: a date YYYY-MM-DD (its end, UTC), an
    /// RFC 3339 time, or a log position p:N; a position beyond the end of the log is refused
    /// (400, field at).
    #[param(value_type = Option<super::params::Moment>, inline)]
    pub(super) at: Option<String>,
    /// The next cursor of the previous page.
    pub(super) after: Option<String>,
    /// Page size, 1 to 1000 (default 200).
    #[param(value_type = Option<super::params::PageSize>, inline)]
    pub(super) limit: Option<i64>,
    /// The language of a printed register (default en).
    #[param(value_type = Option<super::params::Language>, inline)]
    pub(super) lang: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

super::params::documented_without! {
    /// The register's JSON parameters: it is not translated, so it refuses `lang`.
    RegisterPage = DecisionParams, without ["lang"]
}

/// The decisions register, a page at a time in register order. A decision's symbol is its meeting's
/// symbol, /DEC/ and its number at that meeting
///
/// Filtered by meeting, body and kind, in register order (meeting, then number), a page at a time:
/// `next` is the cursor for `after`, absent on the last page.
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/decisions", params(RegisterPage, MinPosition))]
async fn decisions_register(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<DecisionParams>,
) -> Result<axum::Json<app::register::RegisterRecords>, ApiError> {
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
    Ok(axum::Json(
        app::register::records(&s.app, &p, &q.filter(), cut, q.after.clone(), limit).await?,
    ))
}

impl DecisionParams {
    pub(super) fn filter(&self) -> RegisterFilter {
        RegisterFilter {
            meeting: self.meeting.clone(),
            body: self.body.clone(),
            kind: self.kind.clone(),
        }
    }
}
