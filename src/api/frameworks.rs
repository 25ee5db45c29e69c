//! The Political Declaration: as agreed now with each paragraph's provenance, as of any date,
//! log position or version, and the word-level difference between two versions.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::exports::{Docx, Pdf, Printed};
use super::extract::{CommandHeaders, Ids, Json, Query};
use super::AppState;
use crate::app;
use crate::app::frameworks::VersionDiff;
use crate::app::history::{view, Cut, FrameworkView};
use crate::domain::body::PublicRecord;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(show_diff))
        .routes(routes!(show_html))
        .routes(routes!(show_pdf))
        .routes(routes!(show_docx))
        .routes(routes!(command))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AtParams {
    /// A date YYYY-MM-DD (its end, UTC), an RFC 3339 time, or a log position p:N; bare digits
    /// are refused as ambiguous, and a position beyond the end of the log is refused (400,
    /// field at), as min_position is.
    #[param(value_type = Option<super::params::Moment>, inline)]
    at: Option<String>,
    /// A framework version.
    #[param(value_type = Option<super::params::Version>, inline)]
    version: Option<u32>,
    /// Accepted and ignored: a framework is read from the log itself, which is always
    /// current, so there is nothing to wait for.
    #[serde(rename = "min_position")]
    #[param(value_type = Option<super::params::Position>, inline)]
    _min: Option<i64>,
}

/// Parses `at` into a cut of the history.
pub fn parse_at(at: &str) -> Result<Cut, ApiError> {
    Cut::parse_at(at).map_err(|why| ApiError::bad_request("at", why))
}

/// Parses `at` and refuses a position past the head, as `min_position` is refused (and as
/// `plenary audit replay --at` refuses one past a bundle's end).
pub async fn cut_at(s: &AppState, at: &str) -> Result<Cut, ApiError> {
    let cut = parse_at(at)?;
    if let Cut::Position(p) = cut {
        s.within_log("at", p, at).await?;
    }
    Ok(cut)
}

/// The Political Declaration now (with provenance), or as of a moment
///
/// Every paragraph with the decision that gave it its wording; as of a moment with `at`, or a
/// version with `version`.
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/frameworks/{id}", params(AtParams))]
async fn show(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    Ids(ids): Ids,
    Query(q): Query<AtParams>,
) -> Result<axum::Json<FrameworkView>, ApiError> {
    Ok(axum::Json(framework(&s, &p, ids[0].as_str(), &q).await?.0))
}

/// The Declaration as a standalone HTML document, now or as of a moment; at p:N it is byte for byte
/// what `plenary audit replay BUNDLE --at p:N --html` writes offline
#[tracing::instrument(skip_all)]
#[utoipa::path(
    get,
    path = "/api/v1/frameworks/{id}/declaration.html",
    params(AtParams)
)]
async fn show_html(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    Ids(ids): Ids,
    Query(q): Query<AtParams>,
) -> Result<axum::response::Response, ApiError> {
    let (view, cut) = framework(&s, &p, ids[0].as_str(), &q).await?;
    // Replay names the last position it read: the cut's, or the head now.
    let position = match cut {
        Cut::Position(p) => p,
        _ => s.app.store.head().max(view.as_of_position),
    };
    let label = crate::audit::replay::cut_label(cut);
    let annexes = annexes(&s, &p, &view, cut, position).await?;
    let html = crate::audit::replay::declaration_html(
        std::slice::from_ref(&view),
        &annexes,
        &label,
        position,
    );
    Ok(super::exports::download(
        "text/html; charset=utf-8",
        &format!("declaration-{}-v{}.html", view.id, view.version),
        html,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PrintParams {
    /// A date YYYY-MM-DD (its end, UTC), an RFC 3339 time, or a log position p:N.
    #[param(value_type = Option<super::params::Moment>, inline)]
    at: Option<String>,
    /// A framework version.
    #[param(value_type = Option<super::params::Version>, inline)]
    version: Option<u32>,
    /// The document's language (default en): paragraphs translated into it are printed in
    /// it, the original beside each.
    #[param(value_type = Option<super::params::Language>, inline)]
    lang: Option<String>,
    /// Accepted and ignored: a framework is read from the log itself.
    #[serde(rename = "min_position")]
    #[param(value_type = Option<super::params::Position>, inline)]
    _min: Option<i64>,
}

/// The Declaration printed: what `plenary audit replay BUNDLE --at … --pdf|--docx` writes
/// (the same bytes for the PDF at the same position).
async fn printed(
    format: crate::export::Format,
    s: AppState,
    p: Principal,
    id: &str,
    q: PrintParams,
) -> Result<Response, ApiError> {
    let m = super::exports::language(q.lang.as_deref())?;
    let at = AtParams {
        at: q.at,
        version: q.version,
        _min: None,
    };
    let (view, cut) = framework(&s, &p, id, &at).await?;
    let position = match cut {
        Cut::Position(p) => p,
        _ => s.app.store.head().max(view.as_of_position),
    };
    let hash = app::history::hash_at(&s.app.store, position).await?;
    let annexes = annexes(&s, &p, &view, cut, position).await?;
    let doc = crate::export::printable::declaration(
        std::slice::from_ref(&view),
        &annexes,
        position,
        &hash,
        m,
    );
    let stem = format!("declaration-{}-v{}", view.id, view.version);
    super::exports::printed(format, doc, &stem).await
}

#[tracing::instrument(skip_all)]
async fn show_printed<F: Printed>(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    Ids(ids): Ids,
    Query(q): Query<PrintParams>,
) -> Result<Response, ApiError> {
    printed(F::FORMAT, s, p, ids[0].as_str(), q).await
}

/// The annex printed after the Declaration: its body's, as of the same position (of the
/// version's own moment, for a version).
async fn annexes(
    s: &AppState,
    p: &Principal,
    view: &FrameworkView,
    cut: Cut,
    position: i64,
) -> Result<Vec<app::annex::AnnexView>, ApiError> {
    let at = match cut {
        Cut::Version(_) => view.as_of_position,
        _ => position,
    };
    let framework = s
        .app
        .projector
        .doc(crate::projections::state_view::FRAMEWORKS, &view.id)
        .await?;
    let body = framework.as_ref().and_then(|f| f["body_id"].as_str());
    app::annex::to_print(&s.app, p, body, at).await
}

/// The framework view `q` asks for, and the cut it was read at.
async fn framework(
    s: &AppState,
    p: &Principal,
    id: &str,
    q: &AtParams,
) -> Result<(FrameworkView, Cut), ApiError> {
    let cut = match (&q.at, q.version) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "at",
                "give either at or version, not both",
            ))
        }
        (Some(at), None) => cut_at(s, at).await?,
        (None, Some(v)) => Cut::Version(v),
        (None, None) => Cut::Latest,
    };
    let (f, position) = s
        .app
        .frameworks_as_of
        .read(&s.app.store, id, cut)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "framework {id} did not exist at that moment (or has no such version)"
            ))
        })?;
    let body = f.body_id().map(|b| b.as_str());
    app::bodies::require_public(&s.app, p, body, PublicRecord::Framework).await?;
    Ok((view(id, &f, position), cut))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DiffParams {
    /// The old version.
    #[param(value_type = super::params::Version, inline)]
    from: u32,
    /// The new version (default: now).
    #[param(value_type = Option<super::params::Version>, inline)]
    to: Option<u32>,
    /// Accepted and ignored: a framework is read from the log itself.
    #[serde(rename = "min_position")]
    #[param(value_type = Option<super::params::Position>, inline)]
    _min: Option<i64>,
}

/// Word-level difference between two versions
#[utoipa::path(get, path = "/api/v1/frameworks/{id}/diff", params(DiffParams))]
async fn show_diff(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    Ids(ids): Ids,
    Query(q): Query<DiffParams>,
) -> Result<axum::Json<VersionDiff>, ApiError> {
    let diff = app::frameworks::diff(&s.app, &p, ids[0].as_str(), q.from, q.to).await?;
    Ok(axum::Json(diff))
}

/// Establish a programme, record an external endorsement, add a translation
#[tracing::instrument(skip_all)]
#[utoipa::path(
    post,
    path = "/api/v1/frameworks/{id}/commands",
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
        app::frameworks::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}

// One handler per printed format: utoipa-axum names a route by its handler, which cannot
// be a generic one instantiated.
/// The Declaration as PDF, now or as of a moment, in one of the six languages where translated (the
/// original marked); at p:N it is byte for byte what `plenary audit replay BUNDLE --at p:N --pdf
/// FILE` writes offline
#[utoipa::path(
    get,
    path = "/api/v1/frameworks/{id}/declaration.pdf",
    params(PrintParams)
)]
async fn show_pdf(
    s: State<AppState>,
    reader: super::public::Reader,
    ids: Ids,
    q: Query<PrintParams>,
) -> Result<Response, ApiError> {
    show_printed::<Pdf>(s, reader, ids, q).await
}

/// The Declaration as a Word document, with the same content as declaration.pdf
#[utoipa::path(
    get,
    path = "/api/v1/frameworks/{id}/declaration.docx",
    params(PrintParams)
)]
async fn show_docx(
    s: State<AppState>,
    reader: super::public::Reader,
    ids: Ids,
    q: Query<PrintParams>,
) -> Result<Response, ApiError> {
    show_printed::<Docx>(s, reader, ids, q).await
}
