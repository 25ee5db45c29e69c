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
use super::extract::{page_limit, AsOfParams, CommandHeaders, Ids, Json, MinPosition, Query};
use super::AppState;
use crate::app;
use crate::app::as_of;
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
    /// The board as of a moment (date, RFC 3339 time or `p:N`), answered from the log.
    at: Option<String>,
    /// The `next` cursor of the previous page.
    after: Option<String>,
    /// Page size, 1 to 1000 (default 200).
    limit: Option<i64>,
    #[serde(rename = "min_position")]
    _min: Option<i64>,
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
    let wanted = |c: &Value| {
        let framework = q
            .framework
            .as_deref()
            .is_none_or(|f| c["framework_id"] == f);
        framework && q.status.as_deref().is_none_or(|st| c["status"] == st)
    };
    let (out, next) = match &q.at {
        None => {
            docs::filtered_page(s.app.store.db(), "amendments", "", q.after, limit, |doc| {
                let (id, version, a) =
                    state_view::decode::<Amendment>(&doc).map_err(ApiError::internal)?;
                let c = app::amendments::card(&id, version, &a);
                Ok::<_, ApiError>(wanted(&c).then_some(c))
            })
            .await?
        }
        Some(at) => {
            // The same cards, order and paging as the read model, folded from the log.
            let cut = super::frameworks::cut_at(&s, at).await?;
            let cards = as_of::aggregates::<Amendment>(&s.app.store, cut)
                .await?
                .into_iter()
                .map(|(id, f)| {
                    let c = app::amendments::card(&id, f.version, &f.state);
                    (id, c)
                });
            as_of::page(cards, q.after.as_deref(), limit, |_, c| wanted(c))
        }
    };
    Ok(axum::Json(json!({ "amendments": out, "next": next })))
}

/// One amendment with each revision's word-level diff against its base.
#[tracing::instrument(skip_all)]
async fn show(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<AsOfParams>,
) -> Result<axum::Json<Value>, ApiError> {
    s.read_after(min.0).await?;
    let id = ids[0].as_str();
    let (mut c, events) = match &q.at {
        None => {
            let doc = s.view("amendments", id, "amendment").await?;
            let (id, version, a) =
                state_view::decode::<Amendment>(&doc).map_err(ApiError::internal)?;
            let events = s.app.store.read_stream("Amendment", &id, 0).await?;
            (app::amendments::card(&id, version, &a), events)
        }
        Some(at) => {
            let cut = super::frameworks::cut_at(&s, at).await?;
            let (f, events) = as_of::aggregate::<Amendment>(&s.app.store, id, cut)
                .await?
                .ok_or_else(|| {
                    ApiError::not_found(format!("amendment {id} had not been proposed at {at}"))
                })?;
            (app::amendments::card(id, f.version, &f.state), events)
        }
    };
    // The diffs recorded with each revision, from the amendment's own events.
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
