//! Reporting cycles: a body's schedule and, per cycle, who is due, who has submitted, who is
//! overdue and the priority areas gap analyses name; the secretariat sets the schedule.

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::extract::{CommandHeaders, Ids, Json, MinPosition};
use super::AppState;
use crate::app;
use crate::app::reporting::ReportingOverview;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(command))
}

/// A body's reporting schedule (cycle length, cohorts in rotation, survey template) and, for each
/// cycle from the first to the next, who is due, who has submitted a national implementation
/// report, who is overdue or awaited, and the priority areas the cycle's gap analyses name (reports
/// counted as the reader may read them)
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/reporting/{id}", params(MinPosition))]
async fn show(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<ReportingOverview>, ApiError> {
    s.read_after(min.0).await?;
    Ok(axum::Json(
        app::reporting::overview(&s.app, &p, ids[0].as_str()).await?,
    ))
}

/// Set the body's reporting schedule (every State in a cohort a member, in one cohort only)
#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/api/v1/reporting/{id}/commands", params(CommandHeaders))]
async fn command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::reporting::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}
