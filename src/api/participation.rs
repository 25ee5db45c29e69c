//! Participation over time: per body and year, and per State for those entitled.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{MinPosition, Query};
use super::AppState;
use crate::app;
use crate::app::participation::Participation;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/participation", get(over_time))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    body: Option<String>,
    #[serde(rename = "min_position")]
    _min: Option<i64>,
}

#[tracing::instrument(skip_all)]
async fn over_time(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Query(q): Query<Params>,
) -> Result<axum::Json<Participation>, ApiError> {
    s.read_after(min.0).await?;
    Ok(axum::Json(
        app::participation::over_time(&s.app, &p, q.body.as_deref()).await?,
    ))
}
