//! Funding ledgers: every fund, one fund's ledger as of a date, and the secretariat's
//! commands that keep it.

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
use crate::app::funds::Ledger;
use crate::domain::values::Date;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(all))
        .routes(routes!(one))
        .routes(routes!(command))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Funds {
    funds: Vec<Ledger>,
}

/// Every fund's ledger as of today: pledged, received, disbursed, the balance and what is
/// outstanding, by donor and by purpose
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/funds", params(MinPosition))]
async fn all(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
) -> Result<axum::Json<Funds>, ApiError> {
    s.read_after(min.0).await?;
    Ok(axum::Json(Funds {
        funds: app::funds::all(&s.app).await?,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OnParams {
    /// The ledger as of the end of this day, YYYY-MM-DD (default today).
    #[param(value_type = Option<super::params::Day>, inline)]
    on: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

/// One fund's ledger as of the end of a day: its entries dated then or before, the totals, by donor
/// and by purpose
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/funds/{id}", params(OnParams, MinPosition))]
async fn one(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<OnParams>,
) -> Result<axum::Json<Ledger>, ApiError> {
    s.read_after(min.0).await?;
    let on = match q.on.as_deref() {
        Some(d) => Some(
            d.parse::<Date>()
                .map_err(|_| ApiError::bad_request("on", "on must be a date, YYYY-MM-DD"))?,
        ),
        None => None,
    };
    Ok(axum::Json(
        app::funds::one(&s.app, ids[0].as_str(), on).await?,
    ))
}

/// Establish a fund; record a pledge, a contribution received or a disbursement (never taking the
/// balance below zero on its day or after)
#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/api/v1/funds/{id}/commands", params(CommandHeaders))]
async fn command(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Json(body, hash): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let ctx = context(&p, h, hash);
    Ok(respond(
        app::funds::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}
