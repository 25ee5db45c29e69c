//! The amendments board and amendment commands.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{Principal, Role};
use super::commands::{authorize, context, run, Envelope, Who};
use super::error::ApiError;
use super::extract::{page_limit, CommandHeaders, Ids, Json, MinPosition, Query};
use super::{openapi, AppState};
use crate::app::history::Cut;
use crate::domain::amendment::{Amendment, AmendmentCommand};
use crate::domain::meeting::{ItemNature, MeetingStatus};
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
    let id = ids[0].as_str();
    let mut env = Envelope::parse(body)?;
    env.require_known(
        openapi::AMENDMENT_COMMANDS,
        openapi::AMENDMENT_SYSTEM_COMMANDS,
    )?;
    let app = &s.app;
    match env.name.as_str() {
        "Propose" => authorize(&p, Who::DelegateOf("proposer"), &env)?,
        "Revise" | "Withdraw" | "Reintroduce" => authorize(&p, Who::DelegateOf("by"), &env)?,
        "CoSponsor" | "WithdrawCoSponsorship" => authorize(&p, Who::DelegateOf("state"), &env)?,
        "Table" => {
            // Tabled by the chair of that meeting, the secretariat, or the proposer's delegate.
            let meeting = env.str("meeting_id").unwrap_or_default().to_owned();
            let (current, _) = app.amendments.load(id).await?;
            let is_proposer = p.role == Role::Delegate
                && current.proposer().map(|s| s.as_str()) == p.scope.as_deref();
            if !is_proposer {
                authorize(&p, Who::ChairOrSecretariat(&meeting), &env)?;
            }
        }
        _ => authorize(&p, Who::System, &env)?,
    }
    env.supply("now", chrono::Utc::now())?;
    // The text the operations are drafted against, from the framework's own history.
    if matches!(env.name.as_str(), "Propose" | "Revise") {
        let framework_id = if env.name == "Propose" {
            env.str("framework_id").map(str::to_owned)
        } else {
            app.amendments
                .load(id)
                .await?
                .0
                .framework_id()
                .map(|f| f.to_string())
        };
        let Some(framework_id) = framework_id else {
            return Err(
                ApiError::unprocessable("invalid-input", "framework_id is required")
                    .with_field("framework_id"),
            );
        };
        let base_version = env
            .fields
            .get("base_version")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "invalid-input",
                    "base_version must be a framework version number",
                )
                .with_field("base_version")
            })?;
        let (framework, _) = app
            .frameworks_as_of
            .at(&app.store, &framework_id, Cut::Version(base_version))
            .await?
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "unknown-base-version",
                    format!("framework {framework_id} has no version {base_version}"),
                )
                .with_field("base_version")
            })?;
        env.supply("base_text", framework.declaration())?;
    }
    if env.name == "Table" {
        let meeting_id = env.str("meeting_id").unwrap_or_default().to_owned();
        let item = env
            .fields
            .get("agenda_item")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let (meeting, version) = app.meetings.load(&meeting_id).await?;
        if version == 0 {
            return Err(ApiError::unprocessable(
                "unknown-meeting",
                format!("no meeting {meeting_id}"),
            )
            .with_field("meeting_id"));
        }
        let substantive = meeting
            .agenda
            .iter()
            .any(|e| u64::from(e.item.number) == item && e.item.nature == ItemNature::Substantive);
        env.supply("meeting_open", meeting.status == MeetingStatus::Open)?;
        env.supply("item_substantive", substantive)?;
    }
    let cmd: AmendmentCommand = env.decode(&["now"])?;
    run(&app.amendments, id, cmd, &context(&p, h, hash)).await
}
