//! The amendments board and amendment commands.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::extract::{page_limit, CommandHeaders, Ids, Json, MinPosition, Query};
use super::AppState;
use crate::app;
use crate::domain::amendment::Amendment;
use crate::projections::{docs, state_view};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/amendments", get(board))
        .route("/api/v1/amendments/{id}", get(show))
        .route("/api/v1/amendments/{id}/commands", post(command))
}

#[derive(Debug, Deserialize)]
struct BoardParams {
    framework: Option<String>,
    status: Option<String>,
    /// The `next` cursor of the previous page.
    after: Option<String>,
    /// Page size, 1 to 1000 (default 200).
    limit: Option<i64>,
    #[serde(rename = "min_position")]
    _min: Option<i64>,
}

/// One amendment as the board shows it.
pub fn card(id: &str, version: i64, a: &Amendment) -> Value {
    json!({
        "id": id,
        "version": version,
        "framework_id": a.framework_id(),
        "status": a.status(),
        "proposer": a.proposer(),
        "co_sponsors": a.co_sponsors(),
        "base_version": a.base_version(),
        "tabled_under": a.tabled_under(),
        "conflict": a.conflict(),
        "decision": a.decision(),
        "revisions": a.revisions(),
    })
}

/// Every draft amendment with status, sponsors, revisions and conflict, in id order, a page
/// at a time: `next` is the cursor for `after`, absent on the last page. Public record.
#[tracing::instrument(skip_all)]
async fn board(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Query(q): Query<BoardParams>,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let limit = page_limit(q.limit)?;
    let (out, next) =
        docs::filtered_page(s.app.store.db(), "amendments", "", q.after, limit, |doc| {
            let (id, version, a) =
                state_view::decode::<Amendment>(&doc).map_err(ApiError::internal)?;
            let c = card(&id, version, &a);
            let framework = q
                .framework
                .as_deref()
                .is_none_or(|f| c["framework_id"] == f);
            let status = q.status.as_deref().is_none_or(|st| c["status"] == st);
            Ok::<_, ApiError>((framework && status).then_some(c))
        })
        .await?;
    Ok(axum::Json(json!({ "amendments": out, "next": next })))
}

/// One amendment with each revision's word-level diff against its base.
#[tracing::instrument(skip_all)]
async fn show(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let doc = s.view("amendments", id, "amendment").await?;
    let (id, version, a) = state_view::decode::<Amendment>(&doc).map_err(ApiError::internal)?;
    let mut c = card(&id, version, &a);
    // The diffs recorded with each revision, from the amendment's own events.
    let events = s.app.store.read_stream("Amendment", &id, 0).await?;
    let diffs: Vec<Value> = events
        .iter()
        .filter(|e| e.event_type == "AmendmentProposed" || e.event_type == "AmendmentRevised")
        .filter_map(crate::projections::payload_fields)
        .map(|f| json!({ "revision": f.get("revision"), "base_version": f.get("base_version"), "changes": f.get("changes") }))
        .collect();
    c["revision_diffs"] = Value::Array(diffs);
    Ok(axum::Json(c))
}

#[tracing::instrument(skip_all)]
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
