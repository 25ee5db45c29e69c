//! The document registry: every body's documents and symbols, and the commands that issue
//! them (the secretariat's).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::commands::{context, respond};
use super::error::ApiError;
use super::exports::{Docx, Pdf, Printed};
use super::extract::{CommandHeaders, Json, MinPosition, Query};
use super::AppState;
use crate::app;
use crate::app::documents::DocumentLine;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(command))
        .routes(routes!(record_html))
        .routes(routes!(record_pdf))
        .routes(routes!(record_docx))
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

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Documents {
    documents: Vec<DocumentLine>,
}

/// The document registry: every document each body issued (its symbol in the body's series, title,
/// distribution, language versions, what it revises, adds to or corrects, and what replaces it) and
/// the documents of other processes the record cites. Restricted documents only to States, the
/// secretariat, auditors and admin
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/documents", params(Params, MinPosition))]
async fn list(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<Params>,
) -> Result<axum::Json<Documents>, ApiError> {
    s.read_after(min.0).await?;
    Ok(axum::Json(Documents {
        documents: app::documents::list(&s.app, &p, q.body.as_deref()).await?,
    }))
}

/// Issue a document of a body (the next number of a series under a prefix), a revision, addendum or
/// corrigendum; register another process's document; add a language version. One registry for the
/// house: a symbol is issued once
#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/api/v1/documents/commands", params(CommandHeaders))]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RecordParams {
    /// The document's symbol, e.g. PoA/RC.1/2026/L.1.
    symbol: String,
    /// The record as of a moment, answered from the log: a date YYYY-MM-DD (its end, UTC), an
    /// RFC 3339 time, or a log position p:N; a position beyond the end of the log is refused
    /// (400, field at).
    #[param(value_type = Option<super::params::Moment>, inline)]
    at: Option<String>,
    /// The language (default en): the headings, and the text in that language where a
    /// version exists.
    #[param(value_type = Option<super::params::Language>, inline)]
    lang: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

/// A registered document printed: its record, and the text Plenary holds for it.
async fn record(
    s: &AppState,
    p: &Principal,
    q: &RecordParams,
) -> Result<crate::export::printable::Printable, ApiError> {
    let m = super::exports::language(q.lang.as_deref())?;
    let cut = match &q.at {
        Some(at) => super::frameworks::cut_at(s, at).await?,
        None => crate::app::history::Cut::Position(s.app.store.head()),
    };
    let (line, held, position) =
        app::documents::printable(&s.app, p, &q.symbol, m.lang, cut).await?;
    let hash = app::history::hash_at(&s.app.store, position).await?;
    Ok(crate::export::printable::document(
        &line,
        held.as_ref(),
        position,
        &hash,
        m,
    ))
}

/// A file name from a symbol: its slashes are not path separators anywhere.
fn stem(symbol: &str) -> String {
    symbol
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A registered document as a standalone HTML document: its record in the registry (distribution,
/// date, relations, language versions, what it belongs to) and, where Plenary holds its text (a
/// published submission under that symbol), the text. Restricted documents only to States, the
/// secretariat, auditors and admin (404 to others)
#[tracing::instrument(skip_all)]
#[utoipa::path(
    get,
    path = "/api/v1/documents/record.html",
    params(RecordParams, MinPosition)
)]
async fn record_html(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<RecordParams>,
) -> Result<Response, ApiError> {
    s.read_after(min.0).await?;
    let doc = record(&s, &p, &q).await?;
    let name = format!("{}.{}.html", stem(&q.symbol), doc.lang);
    Ok(super::exports::download(
        "text/html; charset=utf-8",
        &name,
        crate::export::html::render(&doc),
    ))
}

#[tracing::instrument(skip_all)]
async fn record_printed<F: Printed>(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<RecordParams>,
) -> Result<Response, ApiError> {
    s.read_after(min.0).await?;
    let doc = record(&s, &p, &q).await?;
    super::exports::printed(F::FORMAT, doc, &stem(&q.symbol)).await
}

// One handler per printed format: utoipa-axum names a route by its handler, which cannot
// be a generic one instantiated.
/// A registered document as PDF: its record in the registry (distribution, date, relations,
/// language versions, what it belongs to) and, where Plenary holds its text (a published submission
/// under that symbol), the text. Restricted documents only to States, the secretariat, auditors and
/// admin (404 to others)
#[utoipa::path(
    get,
    path = "/api/v1/documents/record.pdf",
    params(RecordParams, MinPosition)
)]
async fn record_pdf(
    s: State<AppState>,
    reader: super::public::Reader,
    min: MinPosition,
    q: Query<RecordParams>,
) -> Result<Response, ApiError> {
    record_printed::<Pdf>(s, reader, min, q).await
}

/// A registered document as a Word document: its record in the registry (distribution, date,
/// relations, language versions, what it belongs to) and, where Plenary holds its text (a published
/// submission under that symbol), the text. Restricted documents only to States, the secretariat,
/// auditors and admin (404 to others)
#[utoipa::path(
    get,
    path = "/api/v1/documents/record.docx",
    params(RecordParams, MinPosition)
)]
async fn record_docx(
    s: State<AppState>,
    reader: super::public::Reader,
    min: MinPosition,
    q: Query<RecordParams>,
) -> Result<Response, ApiError> {
    record_printed::<Docx>(s, reader, min, q).await
}
