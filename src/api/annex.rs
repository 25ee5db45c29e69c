//! The annex of regional initiatives: a body's annex as adopted, now or as of any moment, and
//! the secretariat's commands that keep it. The annex is public record; drafts are shown to
//! the secretariat, States and auditors (`app::annex`).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::extract::{CommandHeaders, Ids, Json, MinPosition, Query};
use super::AppState;
use crate::app;
use crate::app::annex::AnnexView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(command))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AnnexParams {
    /// The record as of a moment, answered from the log: a date YYYY-MM-DD (its end, UTC), an
    /// RFC 3339 time, or a log position p:N; a position beyond the end of the log is refused
    /// (400, field at).
    #[param(value_type = Option<super::params::Moment>, inline)]
    at: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

/// A body's annex of regional initiatives as adopted, now or as of a moment: each entry
/// (organisation, title, description, links) with the decision that adopted its wording, and every
/// adopting decision; drafts and proposed removals only to the secretariat, States, auditors and
/// admin
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/annexes/{id}", params(AnnexParams, MinPosition))]
async fn show(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<AnnexParams>,
) -> Result<axum::Json<AnnexView>, ApiError> {
    s.read_after(min.0).await?;
    let cut = match &q.at {
        Some(at) => Some(super::frameworks::cut_at(&s, at).await?),
        None => None,
    };
    Ok(axum::Json(
        app::annex::read(&s.app, &p, ids[0].as_str(), cut).await?,
    ))
}

/// Draft an entry or a new wording, propose a removal, record the review conference's decision that
/// adopts the annex as drafted (the decision must be on the register, taken by a review conference
/// of the body)
#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/api/v1/annexes/{id}/commands", params(CommandHeaders))]
async fn command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::annex::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}
