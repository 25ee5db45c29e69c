//! Participation over time: per body and year, and per State for those entitled.

use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{MinPosition, Query};
use super::AppState;
use crate::app;
use crate::app::participation::Participation;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(over_time))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Params {
    /// Body id.
    body: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

/// Participation over time: delegations, delegates and heads of delegation by gender, and the
/// sponsorship programme's reach, per body and year across every meeting; per State only to the
/// secretariat, auditors and admin, and to a delegate for its own State
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/participation", params(Params, MinPosition))]
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
