//! National points of contact: each State's directory and the commands that keep it. Read by
//! delegates of any State, the secretariat and auditors only.

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::extract::{CommandHeaders, Ids, Json, MinPosition};
use super::AppState;
use crate::app;
use crate::app::contacts::Directory;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(all))
        .routes(routes!(one))
        .routes(routes!(command))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Directories {
    directories: Vec<Directory>,
}

/// Every State's national points of contact, with the secretariat's pings and who has not answered
/// in time
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/contacts", params(MinPosition))]
async fn all(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
) -> Result<axum::Json<Directories>, ApiError> {
    app::contacts::may_read(&p)?;
    s.read_after(min.0).await?;
    Ok(axum::Json(Directories {
        directories: app::contacts::all(&s.app, &p).await?,
    }))
}

/// One State's points of contact (empty if none is nominated)
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/contacts/{state}", params(MinPosition))]
async fn one(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<Directory>, ApiError> {
    app::contacts::may_read(&p)?;
    s.read_after(min.0).await?;
    Ok(axum::Json(
        app::contacts::one(&s.app, &p, ids[0].as_str()).await?,
    ))
}

/// Nominate, change or retire a point of contact; send a ping; confirm one
#[tracing::instrument(skip_all)]
#[utoipa::path(
    post,
    path = "/api/v1/contacts/{state}/commands",
    params(CommandHeaders)
)]
async fn command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::contacts::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}
