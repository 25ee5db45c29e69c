//! Submissions: national reports, gap analyses, national positions on international law,
//! best practices, national views, stakeholders' working papers; drafts read by their filer,
//! the secretariat and auditors, published ones by anyone.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::extract::{CommandHeaders, Ids, Json, MinPosition, Query};
use super::AppState;
use crate::app;
use crate::app::submissions::{Filter, SubmissionLine};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/submissions", get(list))
        .route("/api/v1/submissions/{id}", get(one))
        .route("/api/v1/submissions/{id}/commands", post(command))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    kind: Option<String>,
    filer: Option<String>,
    topic: Option<String>,
    #[serde(rename = "min_position")]
    _min: Option<i64>,
}

#[derive(serde::Serialize)]
struct Submissions {
    submissions: Vec<SubmissionLine>,
}

#[tracing::instrument(skip_all)]
async fn list(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<Submissions>, ApiError> {
    s.read_after(min.0).await?;
    let f = Filter {
        kind: q.kind,
        filer: q.filer,
        topic: q.topic,
    };
    Ok(axum::Json(Submissions {
        submissions: app::submissions::list(&s.app, &p, &f).await?,
    }))
}

#[tracing::instrument(skip_all)]
async fn one(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<SubmissionLine>, ApiError> {
    s.read_after(min.0).await?;
    Ok(axum::Json(
        app::submissions::one(&s.app, &p, ids[0].as_str()).await?,
    ))
}

#[tracing::instrument(skip_all)]
async fn command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::submissions::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}
