//! The framework as it stood at any moment: replayed from its stream in the log, up to a
//! position, a time or a version. A framework stream is short (one event per change), so
//! replaying it is cheap however long the whole log is.

use cqrs_es::Aggregate;

use serde::Serialize;

use crate::domain::framework::{Framework, FrameworkEvent, ParagraphView};
use crate::store::{EventStore, StoreError, StoredEvent};

/// Where to cut the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Everything up to and including this log position.
    Position(i64),
    /// Everything recorded at or before this time (microseconds since the epoch).
    Time(i64),
    /// The framework at this version number.
    Version(u32),
    /// Now.
    Latest,
}

/// The framework as of `cut`, with the log position of the last event applied; `None` if it
/// did not exist yet.
pub async fn framework_at(
    store: &EventStore,
    framework_id: &str,
    cut: Cut,
) -> Result<Option<(Framework, i64)>, StoreError> {
    let events = store.read_stream("Framework", framework_id, 0).await?;
    fold_framework(&events, cut)
}

/// Folds one framework stream's events (in order) up to `cut`. Shared by the live service and
/// the offline replay of an export, so both answer "as of" identically.
pub fn fold_framework(
    events: &[StoredEvent],
    cut: Cut,
) -> Result<Option<(Framework, i64)>, StoreError> {
    let mut framework = Framework::default();
    let mut at = None;
    for e in events {
        let included = match cut {
            Cut::Position(p) => e.position <= p,
            Cut::Time(t) => e.recorded_at_us <= t,
            Cut::Version(v) => framework.version() < v,
            Cut::Latest => true,
        };
        if !included {
            break;
        }
        let event: FrameworkEvent =
            serde_json::from_str(&e.payload).map_err(|err| StoreError::Corrupt {
                position: e.position,
                reason: format!("cannot decode Framework event {}: {err}", e.event_type),
            })?;
        framework.apply(event);
        at = Some(e.position);
    }
    if let Cut::Version(v) = cut {
        if framework.version() != v {
            return Ok(None);
        }
    }
    Ok(at.map(|p| (framework, p)))
}

impl Cut {
    /// `p:1234` or `1234` (a log position), `2026-07-14` (the end of that day, UTC), or an
    /// RFC 3339 time.
    pub fn parse_at(at: &str) -> Result<Cut, String> {
        let digits = at.strip_prefix("p:").unwrap_or(at);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return digits
                .parse()
                .map(Cut::Position)
                .map_err(|_| "log position out of range".to_owned());
        }
        parse_time(at, true).map(Cut::Time)
    }
}

/// An RFC 3339 time, or a date meaning its start (`end = false`) or its last microsecond.
pub fn parse_time(s: &str, end: bool) -> Result<i64, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_micros());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let t = if end {
            d.and_hms_micro_opt(23, 59, 59, 999_999)
        } else {
            d.and_hms_opt(0, 0, 0)
        };
        if let Some(t) = t {
            return Ok(t.and_utc().timestamp_micros());
        }
    }
    Err(format!(
        "'{s}' is neither a log position, an RFC 3339 time nor a date (YYYY-MM-DD)"
    ))
}

/// The framework as the API shows it (and as an offline replay prints it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub name: Option<String>,
    pub version: u32,
    /// The log position this view includes.
    pub as_of_position: i64,
    pub paragraphs: Vec<ParagraphView>,
    pub applied_amendments: serde_json::Value,
    pub endorsements: serde_json::Value,
}

pub fn view(id: &str, f: &Framework, position: i64) -> FrameworkView {
    FrameworkView {
        id: id.to_owned(),
        name: f.name().map(|n| n.to_string()),
        version: f.version(),
        as_of_position: position,
        paragraphs: f.paragraph_views(),
        applied_amendments: serde_json::to_value(f.applied_amendments()).unwrap_or_default(),
        endorsements: serde_json::to_value(f.endorsements()).unwrap_or_default(),
    }
}
