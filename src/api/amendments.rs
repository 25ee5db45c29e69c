//! The amendments board and amendment commands.

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
use crate::app::amendments::{AmendmentBoard, AmendmentCard, BoardFilter};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(board))
        .routes(routes!(show))
        .routes(routes!(command))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct BoardParams {
    /// Framework id.
    framework: Option<String>,
    /// draft, tabled, in_conflict, adopted, no_consensus, withdrawn.
    status: Option<String>,
    /// The record as of a moment, answered from the log: a date YYYY-MM-DD (its end, UTC), an
    /// RFC 3339 time, or a log position p:N; a position beyond the end of the log is refused
    /// (400, field at).
    #[param(value_type = Option<super::params::Moment>, inline)]
    at: Option<String>,
    /// The next cursor of the previous page.
    after: Option<String>,
    /// Page size, 1 to 1000 (default 200).
    #[param(value_type = Option<super::params::PageSize>, inline)]
    limit: Option<i64>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

/// The amendments board, a page at a time in id order
///
/// Every draft amendment with its status, sponsors, revisions and conflict, in id order, a page at
/// a time: `next` is the cursor for `after`, absent on the last page.
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/amendments", params(BoardParams, MinPosition))]
async fn board(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Query(q): Query<BoardParams>,
) -> Result<axum::Json<AmendmentBoard>, ApiError> {
    s.read_after(min.0).await?;
    let limit = page_limit(q.limit)?;
    let cut = match &q.at {
        Some(at) => Some(super::frameworks::cut_at(&s, at).await?),
        None => None,
    };
    let filter = BoardFilter {
        framework: q.framework,
        status: q.status,
    };
    let (amendments, next) = app::amendments::board(&s.app, &filter, cut, q.after, limit).await?;
    Ok(axum::Json(AmendmentBoard { amendments, next }))
}

/// One amendment with each revision's diff
///
/// Each revision's diff is word by word, against its base.
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/amendments/{id}", params(AsOfParams, MinPosition))]
async fn show(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<AsOfParams>,
) -> Result<axum::Json<AmendmentCard>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let cut = match &q.at {
        Some(at) => Some(super::frameworks::cut_at(&s, at).await?),
        None => None,
    };
    let card = app::amendments::show(&s.app, id, cut).await?;
    card.map(axum::Json).ok_or_else(|| match &q.at {
        Some(at) => ApiError::not_found(format!("amendment {id} had not been proposed at {at}")),
        None => ApiError::not_found(format!("no amendment {id}")),
    })
}

/// Propose, revise, co-sponsor, withdraw, reintroduce, table, translate (the secretariat: a
/// revision's title and wording, one per operation that proposes text)
#[tracing::instrument(skip_all)]
#[utoipa::path(
    post,
    path = "/api/v1/amendments/{id}/commands",
    params(CommandHeaders)
)]
async fn command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<Value>,
) -> Result<Response, ApiError> {
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::amendments::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}
