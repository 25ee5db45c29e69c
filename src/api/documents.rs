//! The document registry: every body's documents and symbols, and the commands that issue
//! them (the secretariat's).

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::extract::{CommandHeaders, Json, MinPosition, Query};
use super::AppState;
use crate::app;
use crate::app::documents::DocumentLine;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/documents", get(list))
        .route("/api/v1/documents/commands", post(command))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    body: Option<String>,
    #[serde(rename = "min_position")]
    _min: Option<i64>,
}

#[derive(serde::Serialize)]
struct Documents {
    documents: Vec<DocumentLine>,
}

#[tracing::instrument(skip_all)]
async fn list(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Query(q): Query<Params>,
) -> Result<axum::Json<Documents>, ApiError> {
    s.read_after(min.0).await?;
    Ok(axum::Json(Documents {
        documents: app::documents::list(&s.app, &p, q.body.as_deref()).await?,
    }))
}

#[tracing::instrument(skip_all)]
async fn command(
    State(s): State<AppState>,
    p: Principal,
    h: CommandHeaders,
    Json(body, hash): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::documents::command(&s.app, &p, body, &ctx).await?,
    ))
}
