//! Capacity building: requests, offers, the pairs suggested between them and why, and the
//! commands that file, match, accept and follow them.

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::extract::{CommandHeaders, Ids, Json, MinPosition};
use super::AppState;
use crate::app;
use crate::app::capacity::CapacityBoard;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(board))
        .routes(routes!(request_command))
        .routes(routes!(offer_command))
}

/// Capacity building: every request (with its match and progress), every offer (with the room it
/// has left), and the pairs suggested between open requests and offers, best first, each with why
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/capacity", params(MinPosition))]
async fn board(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
) -> Result<axum::Json<CapacityBoard>, ApiError> {
    s.read_after(min.0).await?;
    Ok(axum::Json(app::capacity::board(&s.app, &p).await?))
}

/// File a request for capacity-building support; propose, accept or decline a match; record
/// progress to completion
#[tracing::instrument(skip_all)]
#[utoipa::path(
    post,
    path = "/api/v1/capacity/requests/{id}/commands",
    params(CommandHeaders)
)]
async fn request_command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::capacity::request_command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}

/// Make or withdraw an offer of capacity-building support
#[tracing::instrument(skip_all)]
#[utoipa::path(
    post,
    path = "/api/v1/capacity/offers/{id}/commands",
    params(CommandHeaders)
)]
async fn offer_command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::capacity::offer_command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}
