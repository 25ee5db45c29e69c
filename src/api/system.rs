//! Health, readiness, credentials and the log itself.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::{Principal, Role};
use super::error::ApiError;
use super::extract::{Ids, Json};
use super::AppState;
use crate::app;
use crate::app::permissions;
use crate::store::chain::to_hex;
use crate::store::credentials;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(log_head))
        .routes(routes!(log_verify))
        .routes(routes!(log_checkpoints))
        .routes(routes!(projections))
        .routes(routes!(list_credentials, create_credential))
        .routes(routes!(revoke_credential))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// Always `ok`: an answer at all is the news.
    status: &'static str,
}

/// Liveness
///
/// The process is up.
#[utoipa::path(get, path = "/health")]
async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Readiness {
    ready: bool,
    /// `ok` or `unreachable`.
    database: &'static str,
    log_head: Option<i64>,
    projections_at: i64,
    lag: Option<i64>,
    max_lag: i64,
    /// Why the read models stopped following the log (an event they cannot read), if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    halted: Option<String>,
}

/// Readiness: database reachable and projections caught up
///
/// Ready when the database answers and the projections are within `max_lag` of the log.
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/ready")]
async fn ready(State(s): State<AppState>) -> Response {
    let at = s.app.projector.position();
    let max_lag = s.app.settings.ready_max_lag;
    let halted = s.app.projector.halted();
    let (status, body) = match s.app.store.head_from_db().await {
        Ok((head, _)) => {
            let lag = head - at;
            let ready = lag <= max_lag && halted.is_none();
            let body = Readiness {
                ready,
                database: "ok",
                log_head: Some(head),
                projections_at: at,
                lag: Some(lag),
                max_lag,
                halted,
            };
            (
                if ready {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                },
                body,
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Readiness {
                ready: false,
                database: "unreachable",
                log_head: None,
                projections_at: at,
                lag: None,
                max_lag,
                halted,
            },
        ),
    };
    if status == StatusCode::OK {
        return (status, axum::Json(body)).into_response();
    }
    // Not ready is an error like any other: problem+json, with the readiness fields as
    // extension members so a probe or an operator still sees why.
    let detail = match (&body.halted, body.lag) {
        (Some(why), _) => format!("the read models stopped at an event they cannot read: {why}"),
        (None, None) => "the database is unreachable".to_owned(),
        (None, Some(lag)) => {
            format!("projections are {lag} events behind the log (at most {max_lag})")
        }
    };
    let mut problem = serde_json::json!({
        "type": "/problems/not-ready",
        "title": "Service Unavailable",
        "status": 503,
        "detail": detail,
    });
    if let (Some(p), Ok(serde_json::Value::Object(fields))) =
        (problem.as_object_mut(), serde_json::to_value(&body))
    {
        p.extend(fields);
    }
    let mut res = (status, axum::Json(problem)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(1u64));
    res
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Head {
    position: i64,
    hash: String,
}

/// Head of the hash chain
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/log/head")]
async fn log_head(State(s): State<AppState>, p: Principal) -> Result<axum::Json<Head>, ApiError> {
    p.require(permissions::AUDIT_READERS)?;
    let (position, hash) = s.app.store.head_from_db().await?;
    Ok(axum::Json(Head {
        position,
        hash: to_hex(&hash),
    }))
}

/// Verify the whole hash chain on the server
///
/// Auditors should also verify an export offline (`plenary audit verify`).
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/log/verify")]
async fn log_verify(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<crate::store::verify::Report>, ApiError> {
    p.require(permissions::CHAIN_VERIFIERS)?;
    let report = s.app.store.verify().await?;
    Ok(axum::Json(report))
}

/// Signed checkpoints published into the log
///
/// Oldest first. An auditor keeps copies outside the system and later gives them to `plenary audit
/// verify --checkpoint`.
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/log/checkpoints")]
async fn log_checkpoints(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Checkpoints>, ApiError> {
    use crate::audit::checkpoint::{self, SignedCheckpoint};
    p.require(permissions::AUDIT_READERS)?;
    let events = s
        .app
        .store
        .read_stream(checkpoint::STREAM_TYPE, checkpoint::STREAM_ID, 0)
        .await?;
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let signed: SignedCheckpoint = e
            .payload_json()?
            .get_mut(checkpoint::EVENT_TYPE)
            .map(serde_json::Value::take)
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| {
                ApiError::from(crate::store::StoreError::Corrupt {
                    position: e.position,
                    reason: "a CheckpointPublished event that does not decode".into(),
                })
            })?;
        out.push(PublishedCheckpoint {
            signed,
            position: e.position,
            recorded_at_us: e.recorded_at_us,
        });
    }
    Ok(axum::Json(Checkpoints { checkpoints: out }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Checkpoints {
    /// Oldest first.
    checkpoints: Vec<PublishedCheckpoint>,
}

/// A signed checkpoint and where the log holds it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PublishedCheckpoint {
    #[serde(flatten)]
    signed: crate::audit::checkpoint::SignedCheckpoint,
    /// The log position of the CheckpointPublished event.
    position: i64,
    recorded_at_us: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ProjectionStatus {
    names: Vec<&'static str>,
    position: i64,
    log_head: i64,
}

/// Read-model positions
#[utoipa::path(get, path = "/api/v1/projections")]
async fn projections(
    State(s): State<AppState>,
    p: Principal,
) -> Result<impl IntoResponse, ApiError> {
    p.require(permissions::PROJECTION_READERS)?;
    Ok(axum::Json(ProjectionStatus {
        names: s.app.projector.names(),
        position: s.app.projector.position(),
        log_head: s.app.store.head(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCredential {
    role: Role,
    scope: Option<String>,
    label: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct IssuedCredential {
    #[serde(flatten)]
    credential: credentials::Credential,
    /// Shown once; only its hash is kept.
    token: String,
}

/// Issue a credential; the token is shown once
#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/api/v1/credentials")]
async fn create_credential(
    State(s): State<AppState>,
    p: Principal,
    Json(body, _): Json<NewCredential>,
) -> Result<impl IntoResponse, ApiError> {
    let (credential, token) =
        app::credentials::issue(&s.app, &p, body.role, body.scope.as_deref(), &body.label).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(IssuedCredential { credential, token }),
    ))
}

/// List credentials (never tokens)
#[utoipa::path(get, path = "/api/v1/credentials")]
async fn list_credentials(
    State(s): State<AppState>,
    p: Principal,
) -> Result<axum::Json<Vec<credentials::Credential>>, ApiError> {
    Ok(axum::Json(app::credentials::list(&s.app, &p).await?))
}

/// Revoke a credential
#[tracing::instrument(skip_all)]
#[utoipa::path(delete, path = "/api/v1/credentials/{id}")]
async fn revoke_credential(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
) -> Result<impl IntoResponse, ApiError> {
    app::credentials::revoke(&s.app, &p, ids[0].as_str()).await?;
    s.tokens.clear();
    Ok(StatusCode::NO_CONTENT)
}
