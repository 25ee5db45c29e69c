//! The audit history: every event in order, with who, on whose behalf, when and why.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::error::ApiError;
use super::extract::{MinPosition, Query};
use super::AppState;
use crate::projections::audit::{self, AuditEntry, AuditFilter};
use crate::store::chain::to_hex;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(csv))
        .routes(routes!(one))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Params {
    /// Type/id, e.g. Meeting/poa-rc-1.
    #[param(value_type = Option<super::params::StreamName>, inline)]
    stream: Option<String>,
    /// Credential actor.
    actor: Option<String>,
    /// The State acted for.
    state: Option<String>,
    /// Event type, e.g. ConsensusDeclared.
    #[serde(rename = "type")]
    event_type: Option<String>,
    /// Only events about this meeting.
    meeting: Option<String>,
    /// Only events about this amendment.
    amendment: Option<String>,
    /// From (inclusive): an RFC 3339 time or a date (its start, UTC).
    #[param(value_type = Option<super::params::DayOrTime>, inline)]
    from: Option<String>,
    /// To (inclusive): an RFC 3339 time or a date (its end, UTC).
    #[param(value_type = Option<super::params::DayOrTime>, inline)]
    to: Option<String>,
    /// Start after this position (the next of the previous page).
    #[param(value_type = Option<super::params::Position>, inline)]
    after: Option<i64>,
    /// Page size, 1 to 1000 (default 100).
    #[param(value_type = Option<super::params::PageSize>, inline)]
    limit: Option<i64>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min_position: Option<i64>,
}

/// An entry of the audit history, with its time in words.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AuditLine)]
pub(crate) struct Entry {
    #[serde(flatten)]
    entry: AuditEntry,
    recorded_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AuditPage)]
pub(crate) struct Page {
    events: Vec<Entry>,
    /// Pass as `after` for the next page; absent on the last page.
    next: Option<i64>,
}

/// Parses an RFC 3339 time or a plain date; `end` makes a date mean its last microsecond.
pub fn parse_time(field: &str, s: &str, end: bool) -> Result<i64, ApiError> {
    crate::app::history::parse_time(s, end).map_err(|why| ApiError::bad_request(field, why))
}

/// The query's filter; `limit` rows a page.
fn filter(q: Params, limit: i64) -> Result<AuditFilter, ApiError> {
    let (aggregate_type, aggregate_id) = match &q.stream {
        Some(st) => match st.split_once('/') {
            Some((t, i)) if !t.is_empty() && !i.is_empty() => {
                (Some(t.to_owned()), Some(i.to_owned()))
            }
            _ => {
                return Err(ApiError::bad_request(
                    "stream",
                    "stream must be Type/id, e.g. Meeting/rc-1",
                ))
            }
        },
        None => (None, None),
    };
    if !(1..=audit::MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(
            "limit",
            format!("limit must be 1 to {}", audit::MAX_PAGE),
        ));
    }
    Ok(AuditFilter {
        aggregate_type,
        aggregate_id,
        actor: q.actor,
        state: q.state,
        event_type: q.event_type,
        meeting: q.meeting,
        amendment: q.amendment,
        from_us: q
            .from
            .as_deref()
            .map(|t| parse_time("from", t, false))
            .transpose()?,
        to_us: q
            .to
            .as_deref()
            .map(|t| parse_time("to", t, true))
            .transpose()?,
        after: q.after,
        limit: Some(limit),
    })
}

super::params::documented_without! {
    /// The CSV's parameters: it refuses `limit`.
    CsvParams = Params, without ["limit"]
}

/// The audit history as CSV: every event the filter selects, in log order, streamed (no paging)
///
/// Streamed a page at a time, so memory stays flat however long the log: a header, then a row per
/// event in log order. `limit` is refused: a download is every row.
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/audit/events.csv", params(CsvParams, MinPosition))]
async fn csv(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Query(q): Query<Params>,
) -> Result<axum::response::Response, ApiError> {
    p.require(crate::app::permissions::AUDIT_READERS)?;
    s.read_after(min.0).await?;
    if q.limit.is_some() {
        return Err(ApiError::bad_request(
            "limit",
            "a CSV download has every row the filter selects; page with the JSON route",
        ));
    }
    let filter = filter(q, audit::MAX_PAGE)?;
    let db = s.app.store.db().clone();
    let first = audit::query(&db, &filter).await?;
    let header = crate::export::csv::audit_header();
    let start = futures_util::stream::iter([Ok::<_, std::io::Error>(header)]);
    // State: the page in hand (none once the last was sent) and the filter for the next.
    let pages = futures_util::stream::unfold((Some(first), filter), move |(page, mut f)| {
        let db = db.clone();
        async move {
            let rows = page.filter(|r| !r.is_empty())?;
            let bytes = crate::export::csv::audit_rows(&rows);
            let next = if rows.len() as i64 == audit::MAX_PAGE {
                f.after = rows.last().map(|r| r.position);
                match audit::query(&db, &f).await {
                    Ok(rows) => Some(rows),
                    Err(e) => {
                        // The status is sent already: the cut-off file is the signal, and
                        // the log says why.
                        tracing::error!(error = %e, "audit CSV stopped");
                        None
                    }
                }
            } else {
                None
            };
            Some((Ok(bytes), (next, f)))
        }
    });
    Ok(super::exports::download(
        "text/csv; charset=utf-8",
        "audit-history.csv",
        axum::body::Body::from_stream(futures_util::StreamExt::chain(start, pages)),
    ))
}

/// The audit history, filtered, in log order, with cursor paging
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/audit/events", params(Params, MinPosition))]
async fn list(
    State(s): State<AppState>,
    p: Principal,
    min: MinPosition,
    Query(q): Query<Params>,
) -> Result<axum::Json<Page>, ApiError> {
    p.require(crate::app::permissions::AUDIT_READERS)?;
    s.read_after(min.0).await?;
    let limit = q.limit.unwrap_or(100);
    let filter = filter(q, limit)?;
    let rows = audit::query(s.app.store.db(), &filter).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.position))
        .flatten();
    Ok(axum::Json(Page {
        events: rows
            .into_iter()
            .map(|entry| Entry {
                recorded_at: crate::app::history::rfc3339(entry.recorded_at_us),
                entry,
            })
            .collect(),
        next,
    }))
}

/// One event as stored: payload, metadata and hashes.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AuditEvent)]
pub(crate) struct FullEvent {
    position: i64,
    event_id: String,
    aggregate_type: String,
    aggregate_id: String,
    stream_version: i64,
    event_type: String,
    event_version: String,
    recorded_at: String,
    recorded_at_us: i64,
    #[schema(value_type = Object)]
    payload: serde_json::Value,
    #[schema(value_type = Object)]
    metadata: serde_json::Value,
    prev_hash: String,
    hash: String,
}

/// One event with payload, metadata and hashes
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/audit/events/{position}")]
async fn one(
    State(s): State<AppState>,
    p: Principal,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Result<axum::Json<FullEvent>, ApiError> {
    p.require(crate::app::permissions::AUDIT_READERS)?;
    let position: i64 =
        raw.parse().ok().filter(|p| *p > 0).ok_or_else(|| {
            ApiError::bad_request("position", "a log position is a positive integer")
        })?;
    let e = s
        .app
        .store
        .read_all(position - 1, 1)
        .await?
        .into_iter()
        .find(|e| e.position == position)
        .ok_or_else(|| ApiError::not_found(format!("no event at position {position}")))?;
    Ok(axum::Json(FullEvent {
        position: e.position,
        event_id: e.event_id.to_string(),
        aggregate_type: e.aggregate_type.clone(),
        aggregate_id: e.aggregate_id.clone(),
        stream_version: e.stream_version,
        event_type: e.event_type.clone(),
        event_version: e.event_version.clone(),
        recorded_at: crate::app::history::rfc3339(e.recorded_at_us),
        recorded_at_us: e.recorded_at_us,
        payload: e.payload_json()?,
        metadata: serde_json::from_str(&e.metadata).map_err(ApiError::internal)?,
        prev_hash: to_hex(&e.prev_hash),
        hash: to_hex(&e.hash),
    }))
}
