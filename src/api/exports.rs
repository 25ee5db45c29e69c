//! Downloads of the record: a meeting's report (JSON, or a standalone HTML document in any
//! of the six languages), and the register and participation figures as CSV (the audit
//! history's CSV is in `audit`). The renderers are `crate::export`'s, shared with the pages.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{Ids, MinPosition, Query};
use super::meetings::DecisionParams;
use super::AppState;
use crate::app::history::Cut;
use crate::app::register::RegisterEntry;
use crate::app::report::{self, MeetingReport};
use crate::export::printable::{self, Printable};
use crate::export::{Format, PrintError};
use crate::web::messages::Messages;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report_json))
        .routes(routes!(report_html))
        .routes(routes!(report_pdf))
        .routes(routes!(report_docx))
        .routes(routes!(register_csv))
        .routes(routes!(register_html))
        .routes(routes!(register_pdf))
        .routes(routes!(register_docx))
        .routes(routes!(participation_csv))
}

/// A file to save: its type, its name, and the body.
pub fn download(
    content_type: &'static str,
    filename: &str,
    body: impl Into<axum::body::Body>,
) -> Response {
    // A name may carry a filter the caller chose: only characters that need no quoting
    // reach the header (a control character there made the response itself fail).
    let filename: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// A printed format as a type, so that one generic handler serves both of a document's
/// printed routes: `get(report_printed::<Pdf>)` and `get(report_printed::<Docx>)`.
pub trait Printed: Send + Sync + 'static {
    const FORMAT: Format;
}

pub struct Pdf;
pub struct Docx;

impl Printed for Pdf {
    const FORMAT: Format = Format::Pdf;
}

impl Printed for Docx {
    const FORMAT: Format = Format::Docx;
}

/// A printed document as a download: typeset on a blocking thread (it is CPU work), named
/// `{stem}.{lang}.{pdf|docx}`. No font to typeset with is the server's state, not the
/// caller's fault: 503.
pub async fn printed(format: Format, doc: Printable, stem: &str) -> Result<Response, ApiError> {
    // Two documents at a time: a burst of downloads queues here instead of taking every
    // core from the commands.
    static PRINTING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let _turn = PRINTING.acquire().await.map_err(ApiError::internal)?;
    let name = format!("{stem}.{}.{}", doc.lang, format.extension());
    let bytes = tokio::task::spawn_blocking(move || crate::export::print(format, &doc))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| match e {
            PrintError::NoFonts(_) => ApiError::unavailable(e.to_string()),
            PrintError::Failed(_) => ApiError::internal(e),
        })?;
    Ok(download(format.content_type(), &name, bytes))
}

/// The messages of `lang` (English if absent), or a 400 naming the field.
pub fn language(lang: Option<&str>) -> Result<&'static Messages, ApiError> {
    match lang {
        None => Ok(crate::web::messages::english()),
        Some(lang) => crate::web::messages::get(lang).ok_or_else(|| {
            ApiError::bad_request("lang", "lang must be one of ar, en, es, fr, ru, zh")
        }),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportParams {
    /// The record as of a moment, answered from the log: a date YYYY-MM-DD (its end, UTC), an
    /// RFC 3339 time, or a log position p:N; a position beyond the end of the log is refused
    /// (400, field at).
    #[param(value_type = Option<super::params::Moment>, inline)]
    at: Option<String>,
    /// The language of the document's headings and of the Declaration annex where it is
    /// translated (default en).
    #[param(value_type = Option<super::params::Language>, inline)]
    lang: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

async fn report_at(s: &AppState, id: &str, at: Option<&str>) -> Result<MeetingReport, ApiError> {
    let cut = match at {
        Some(at) => super::frameworks::cut_at(s, at).await?,
        None => Cut::Position(s.app.store.head()),
    };
    report::meeting_report(&s.app, id, cut).await
}

super::params::documented_without! {
    /// The JSON report's parameters: it is not translated, so it refuses `lang`.
    ReportJson = ReportParams, without ["lang"]
}

super::params::documented_without! {
    /// The register downloads' parameters: a download has every entry, so they refuse the
    /// paging parameters.
    RegisterPrint = DecisionParams, without ["after", "limit"]
}

super::params::documented_without! {
    /// The register's CSV parameters: every entry, and not translated.
    RegisterCsv = DecisionParams, without ["after", "limit", "lang"]
}

/// The report of a meeting, generated from the log: attendance with gender figures, the agenda as
/// adopted and as changed, each decision with how it was taken, objections, explanations and
/// dissociations, and the annexes (the Declaration at the close, the programme of work, the
/// documents cited); with the log position and hash it was made from
#[tracing::instrument(skip_all)]
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/report",
    params(ReportJson, MinPosition)
)]
async fn report_json(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<ReportParams>,
) -> Result<axum::Json<MeetingReport>, ApiError> {
    s.read_after(min.0).await?;
    if q.lang.is_some() {
        return Err(ApiError::bad_request(
            "lang",
            "the JSON report is not translated; lang is for report.html",
        ));
    }
    Ok(axum::Json(
        report_at(&s, ids[0].as_str(), q.at.as_deref()).await?,
    ))
}

/// The report of a meeting as a standalone HTML document, in one of the six languages (headings,
/// and the Declaration annex where translated, the original beside it). `plenary audit replay
/// BUNDLE --at … --report ID --report-html FILE` writes the same bytes offline
#[tracing::instrument(skip_all)]
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/report.html",
    params(ReportParams, MinPosition)
)]
async fn report_html(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<ReportParams>,
) -> Result<Response, ApiError> {
    s.read_after(min.0).await?;
    let m = language(q.lang.as_deref())?;
    let r = report_at(&s, ids[0].as_str(), q.at.as_deref()).await?;
    let name = format!("report-{}-p{}.{}.html", r.meeting_id, r.position, m.lang);
    Ok(download(
        "text/html; charset=utf-8",
        &name,
        crate::export::report::html(&r, m),
    ))
}

/// The report of a meeting as PDF or DOCX: the same content as report.html.
#[tracing::instrument(skip_all)]
async fn report_printed<F: Printed>(
    State(s): State<AppState>,
    _p: Principal,
    min: MinPosition,
    Ids(ids): Ids,
    Query(q): Query<ReportParams>,
) -> Result<Response, ApiError> {
    s.read_after(min.0).await?;
    let m = language(q.lang.as_deref())?;
    let r = report_at(&s, ids[0].as_str(), q.at.as_deref()).await?;
    let stem = format!("report-{}-p{}", r.meeting_id, r.position);
    printed(F::FORMAT, printable::report(&r, m), &stem).await
}

/// Every entry the register filter `q` selects, in register order, and the log position
/// the register was read at. Without `at`, `exact` reads it from the log as of the head (a
/// printed document names the position it holds, and the read model may be a moment
/// behind); otherwise from the read model.
async fn register_entries(
    s: &AppState,
    p: &Principal,
    q: &DecisionParams,
    exact: bool,
) -> Result<(Vec<RegisterEntry>, i64), ApiError> {
    if q.after.is_some() || q.limit.is_some() {
        return Err(ApiError::bad_request(
            if q.after.is_some() { "after" } else { "limit" },
            "a download has every entry the filter selects; page with the JSON route",
        ));
    }
    let head = s.app.store.head();
    let cut = match &q.at {
        Some(at) => Some(super::frameworks::cut_at(s, at).await?),
        None if exact => Some(Cut::Position(head)),
        None => None,
    };
    let position = match cut {
        Some(Cut::Position(p)) => p,
        _ => head,
    };
    let mut entries = vec![];
    let mut after = None;
    loop {
        let (page, next) =
            crate::app::register::entries(&s.app, p, &q.filter(), cut, after, 1000).await?;
        entries.extend(page.iter().map(crate::app::register::entry));
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok((entries, position))
}

/// The register laid out for printing, filtered as the CSV is, and its file name's stem.
async fn register_document(
    s: &AppState,
    p: &Principal,
    q: &DecisionParams,
) -> Result<(Printable, String), ApiError> {
    let m = language(q.lang.as_deref())?;
    let (entries, position) = register_entries(s, p, q, true).await?;
    let hash = crate::app::history::hash_at(&s.app.store, position).await?;
    let scope = match (&q.meeting, &q.body) {
        (Some(meeting), _) => format!("{} {meeting}", m.t("register.meeting")),
        (None, Some(body)) => body.clone(),
        (None, None) => m.t("register.all_meetings").to_owned(),
    };
    let doc = printable::register(&entries, &scope, position, &hash, m);
    let stem = match &q.meeting {
        Some(meeting) => format!("decisions-{meeting}-p{position}"),
        None => format!("decisions-p{position}"),
    };
    Ok((doc, stem))
}

/// The register as PDF or DOCX.
#[tracing::instrument(skip_all)]
async fn register_printed<F: Printed>(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<DecisionParams>,
) -> Result<Response, ApiError> {
    s.read_after(min.0).await?;
    let (doc, stem) = register_document(&s, &p, &q).await?;
    printed(F::FORMAT, doc, &stem).await
}

/// The decisions register as a standalone HTML document, with the same content as decisions.pdf
#[tracing::instrument(skip_all)]
#[utoipa::path(
    get,
    path = "/api/v1/decisions.html",
    params(RegisterPrint, MinPosition)
)]
async fn register_html(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<DecisionParams>,
) -> Result<Response, ApiError> {
    s.read_after(min.0).await?;
    let (doc, stem) = register_document(&s, &p, &q).await?;
    let name = format!("{stem}.{}.html", doc.lang);
    Ok(download(
        "text/html; charset=utf-8",
        &name,
        crate::export::html::render(&doc),
    ))
}

/// The decisions register as CSV: every entry the filter selects, in register order (no paging)
///
/// Filtered as `GET /api/v1/decisions` is, without paging.
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/decisions.csv", params(RegisterCsv, MinPosition))]
async fn register_csv(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<DecisionParams>,
) -> Result<Response, ApiError> {
    s.read_after(min.0).await?;
    if q.lang.is_some() {
        return Err(ApiError::bad_request(
            "lang",
            "the CSV is not translated; lang is for decisions.pdf and decisions.docx",
        ));
    }
    let entries = register_entries(&s, &p, &q, false).await?.0;
    let name = match &q.meeting {
        Some(m) => format!("decisions-{m}.csv"),
        None => "decisions.csv".into(),
    };
    Ok(download(
        "text/csv; charset=utf-8",
        &name,
        crate::export::csv::register(&entries),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ParticipationParams {
    /// Body id.
    body: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

/// Participation over time as CSV: a row per body and year, then a row per State the reader may see
///
/// The rows `GET /api/v1/participation` gives this reader.
#[tracing::instrument(skip_all)]
#[utoipa::path(
    get,
    path = "/api/v1/participation.csv",
    params(ParticipationParams, MinPosition)
)]
async fn participation_csv(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Query(q): Query<ParticipationParams>,
) -> Result<Response, ApiError> {
    s.read_after(min.0).await?;
    let figures = crate::app::participation::over_time(&s.app, &p, q.body.as_deref()).await?;
    Ok(download(
        "text/csv; charset=utf-8",
        "participation.csv",
        crate::export::csv::participation(&figures),
    ))
}

// One handler per printed format: utoipa-axum names a route by its handler, which cannot
// be a generic one instantiated.
/// The report of a meeting as PDF, in one of the six languages, with the same content as
/// report.html (Arabic shaped and laid out right to left). `plenary audit replay BUNDLE --at …
/// --report ID --report-pdf FILE` writes the same bytes offline
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/report.pdf",
    params(ReportParams, MinPosition)
)]
async fn report_pdf(
    s: State<AppState>,
    p: Principal,
    min: MinPosition,
    ids: Ids,
    q: Query<ReportParams>,
) -> Result<Response, ApiError> {
    report_printed::<Pdf>(s, p, min, ids, q).await
}

/// The report of a meeting as a Word document, with the same content as report.pdf
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/report.docx",
    params(ReportParams, MinPosition)
)]
async fn report_docx(
    s: State<AppState>,
    p: Principal,
    min: MinPosition,
    ids: Ids,
    q: Query<ReportParams>,
) -> Result<Response, ApiError> {
    report_printed::<Docx>(s, p, min, ids, q).await
}

/// The decisions register as PDF: every entry the filter selects, in register order, with how each
/// was taken, objections, explanations, secretariat entries and corrigenda
#[utoipa::path(
    get,
    path = "/api/v1/decisions.pdf",
    params(RegisterPrint, MinPosition)
)]
async fn register_pdf(
    s: State<AppState>,
    reader: super::public::Reader,
    min: MinPosition,
    q: Query<DecisionParams>,
) -> Result<Response, ApiError> {
    register_printed::<Pdf>(s, reader, min, q).await
}

/// The decisions register as a Word document, with the same content as decisions.pdf
#[utoipa::path(
    get,
    path = "/api/v1/decisions.docx",
    params(RegisterPrint, MinPosition)
)]
async fn register_docx(
    s: State<AppState>,
    reader: super::public::Reader,
    min: MinPosition,
    q: Query<DecisionParams>,
) -> Result<Response, ApiError> {
    register_printed::<Docx>(s, reader, min, q).await
}
