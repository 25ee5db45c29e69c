//! Submissions: national reports, gap analyses, national positions on international law,
//! best practices, national views, stakeholders' working papers; drafts read by their filer,
//! the secretariat and auditors, published ones by anyone.

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
use crate::app::submissions::{Filter, SubmissionLine};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
        .routes(routes!(command))
        .routes(routes!(search))
        .routes(routes!(attach))
        .routes(routes!(attachment))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// national_implementation_report, gap_analysis, national_position, best_practice,
    /// national_views, stakeholder_working_paper.
    kind: Option<String>,
    /// The filing State's code or the stakeholder's id.
    filer: Option<String>,
    /// A topic, e.g. due diligence (any case).
    topic: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Submissions {
    submissions: Vec<SubmissionLine>,
}

/// Submissions: the published ones, and the drafts and submitted texts of the reader's own State or
/// organisation (all of them for the secretariat and auditors)
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/submissions", params(ListParams, MinPosition))]
async fn list(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<Submissions>, ApiError> {
    s.read_after(min.0).await?;
    let f = Filter {
        kind: q.kind,
        filer: q.filer,
        topic: q.topic,
    };
    Ok(axum::Json(Submissions {
        submissions: app::submissions::list(&s.app, &p, &f).await?,
    }))
}

/// One submission with its language versions (404 for a draft the reader may not read)
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/submissions/{id}", params(MinPosition))]
async fn one(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<axum::Json<SubmissionLine>, ApiError> {
    s.read_after(min.0).await?;
    Ok(axum::Json(
        app::submissions::one(&s.app, &p, ids[0].as_str()).await?,
    ))
}

/// Draft, revise, submit, publish, withdraw a submission; add a language version; answer the body's
/// survey template (a national implementation report)
#[tracing::instrument(skip_all)]
#[utoipa::path(
    post,
    path = "/api/v1/submissions/{id}/commands",
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
        app::submissions::command(&s.app, &p, ids[0].as_str(), body, &ctx).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// The words to look for (1 to 12 words, at most 200 characters).
    #[param(value_type = Option<super::params::Words>, inline)]
    q: Option<String>,
    /// Only submissions of this kind (national_position, …).
    kind: Option<String>,
    /// Only versions in this language.
    #[param(value_type = Option<super::params::Language>, inline)]
    language: Option<String>,
    /// At most this many hits, 1 to 1000 (default 20).
    #[param(value_type = Option<super::params::PageSize>, inline)]
    limit: Option<u32>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

/// Full-text search over submissions in every language they were filed in: the versions holding
/// every word of q (each word matches its stem in any of the six languages; Chinese by character),
/// best first, each with the text around the words found. The published texts, and the reader's own
/// drafts (all for the secretariat and auditors)
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/search", params(SearchParams, MinPosition))]
async fn search(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Query(q): Query<SearchParams>,
) -> Result<axum::Json<app::search::Results>, ApiError> {
    s.read_after(min.0).await?;
    let q = app::search::SearchQuery {
        q: q.q.unwrap_or_default(),
        kind: q.kind,
        language: q.language,
        limit: q.limit,
    };
    Ok(axum::Json(app::search::search(&s.app, &p, &q).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AttachParams {
    /// The file's name as offered on download (1 to 200 characters, no / \ " or control
    /// characters).
    name: String,
}

/// Attach a file (the PDF of a national report) before publication: stored by its SHA-256, named in
/// the log by hash and size, carried by export bundles
///
/// The file is the request body, its media type in `Content-Type`. Nothing is read before the
/// sender is authorized; a file over the body's limit is answered 413 and stores nothing.
#[tracing::instrument(skip_all)]
#[utoipa::path(
    post,
    path = "/api/v1/submissions/{id}/attachments",
    params(AttachParams, CommandHeaders)
)]
async fn attach(
    State(s): State<AppState>,
    p: Principal,
    Ids(ids): Ids,
    h: CommandHeaders,
    Query(q): Query<AttachParams>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let media_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let pending = match app::submissions::begin_attach(
        &s.app,
        &p,
        ids[0].as_str(),
        &q.name,
        media_type,
    )
    .await
    {
        Ok(x) => x,
        Err(e) => {
            // Refused before reading: the body is dropped unread (up to DRAIN bytes), so
            // that the client sees the refusal rather than a broken connection.
            let _ = read_limited(&headers, body, 0).await;
            return Err(e);
        }
    };
    let bytes = read_limited(&headers, body, pending.limit)
        .await?
        .ok_or_else(|| pending.too_large())?;
    // A retry with the same key must send the same file under the same name.
    let file = crate::domain::values::ContentHash::of(&bytes);
    let hash = super::extract::RequestHash(
        crate::domain::values::ContentHash::of(
            format!("{}\n{media_type}\n{file}", q.name).as_bytes(),
        )
        .to_string(),
    );
    let ctx = context(&p, h, hash);
    Ok(respond(pending.finish(&s.app, &bytes, &ctx).await?))
}

/// Reads a body of at most `limit` bytes; `None` when it is longer (told by Content-Length
/// before reading, or found while reading). The rest of a refused body is read and dropped,
/// up to [`DRAIN`] bytes, so that a client still sending sees the 413 rather than a broken
/// connection; nothing of it is kept.
async fn read_limited(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
    limit: u64,
) -> Result<Option<Vec<u8>>, ApiError> {
    use http_body_util::BodyExt;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut body = body;
    let mut out = Vec::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    let mut over = declared.is_some_and(|n| n > limit);
    let mut seen = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::bad_request("file", format!("the upload broke off: {e}")))?;
        if let Ok(data) = frame.into_data() {
            seen += data.len() as u64;
            over |= seen > limit;
            if over {
                out = Vec::new();
                if seen > limit.saturating_add(DRAIN) {
                    break;
                }
            } else {
                out.extend_from_slice(&data);
            }
        }
    }
    Ok((!over).then_some(out))
}

/// How much of a refused upload is read past the limit before the connection is given up.
pub const DRAIN: u64 = 16 << 20;

/// An attachment's bytes, to whoever may read the submission
#[tracing::instrument(skip_all)]
#[utoipa::path(
    get,
    path = "/api/v1/submissions/{id}/attachments/{sha256}",
    params(MinPosition)
)]
async fn attachment(
    State(s): State<AppState>,
    super::public::Reader(p): super::public::Reader,
    min: MinPosition,
    Ids(ids): Ids,
) -> Result<Response, ApiError> {
    s.read_after(min.0).await?;
    let f = app::submissions::attachment(&s.app, &p, ids[0].as_str(), ids[1].as_str()).await?;
    Ok(file_response(f, ids[1].as_str()))
}

/// A stored file as a download: never rendered by the browser as a page of this site.
pub fn file_response(f: app::submissions::AttachmentFile, sha256: &str) -> Response {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let ascii: String = f
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(&f.name)
    );
    let mut res = f.bytes.into_response();
    let h = res.headers_mut();
    for (k, v) in [
        (header::CONTENT_TYPE, f.media_type.as_str()),
        (header::CONTENT_DISPOSITION, disposition.as_str()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        ),
        (
            header::CACHE_CONTROL,
            "private, max-age=31536000, immutable",
        ),
    ] {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{sha256}\"")) {
        h.insert(header::ETAG, v);
    }
    res
}

/// RFC 5987 encoding of a file name for `filename*`.
fn utf8_percent_encode(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
