//! The framework as it stood at any moment: replayed from its stream in the log, up to a
//! position, a time or a version. A framework stream is short (one event per change), so
//! replaying it is cheap however long the whole log is.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
    let events = store
        .read_stream(
            <crate::domain::framework::Framework as cqrs_es::Aggregate>::TYPE,
            framework_id,
            0,
        )
        .await?;
    fold_framework(&events, cut)
}

/// Each framework's state after each of its events, as far as this process has read its
/// stream, so "the framework as of" costs no replay. A stream never changes below its head:
/// only events past the last one known are read, and a cut that falls inside what is known
/// (an earlier version, position or time) needs no read at all.
#[derive(Default)]
pub struct FrameworkHistories(Mutex<HashMap<String, Known>>);

/// What is known of one framework's stream.
#[derive(Clone, Default)]
struct Known {
    steps: Arc<Vec<Step>>,
    /// `EventStore::mark` taken before the stream was last read to its end.
    read_at: Option<(u64, i64)>,
}

/// A framework as it stood after one event of its stream.
#[derive(Clone)]
pub struct Step {
    position: i64,
    recorded_at_us: i64,
    stream_version: i64,
    state: Arc<Framework>,
}

impl FrameworkHistories {
    /// The same answer as [`framework_at`], from what is known of the stream.
    pub async fn at(
        &self,
        store: &EventStore,
        framework_id: &str,
        cut: Cut,
    ) -> Result<Option<(Arc<Framework>, i64)>, StoreError> {
        self.answer(store, framework_id, cut, false).await
    }

    /// As [`at`](Self::at), for a client's read: "now" is answered without reading the log
    /// while the store's mark shows no append to a framework since the stream was last read
    /// (so it may lag another instance's append by its notification, as projections do).
    pub async fn read(
        &self,
        store: &EventStore,
        framework_id: &str,
        cut: Cut,
    ) -> Result<Option<(Arc<Framework>, i64)>, StoreError> {
        self.answer(store, framework_id, cut, true).await
    }

    async fn answer(
        &self,
        store: &EventStore,
        framework_id: &str,
        cut: Cut,
        by_mark: bool,
    ) -> Result<Option<(Arc<Framework>, i64)>, StoreError> {
        let known = self
            .0
            .lock()
            .ok()
            .and_then(|m| m.get(framework_id).cloned())
            .unwrap_or_default();
        let mut steps = known.steps;
        let mark = store.mark(<crate::domain::framework::Framework as cqrs_es::Aggregate>::TYPE);
        let current = by_mark && known.read_at == Some(mark);
        if !current && !within(&steps, cut) {
            let after = steps.last().map_or(0, |s| s.stream_version);
            let events = store
                .read_stream(
                    <crate::domain::framework::Framework as cqrs_es::Aggregate>::TYPE,
                    framework_id,
                    after,
                )
                .await?;
            let mut longer: Vec<Step> = steps.to_vec();
            extend(&mut longer, &events)?;
            steps = Arc::new(longer);
            if let Ok(mut m) = self.0.lock() {
                let entry = m.entry(framework_id.to_owned()).or_default();
                if entry.steps.len() <= steps.len() {
                    *entry = Known {
                        steps: steps.clone(),
                        read_at: Some(mark),
                    };
                }
            }
        }
        Ok(cut_steps(&steps, cut))
    }
}

/// Whether the answer for `cut` lies inside the steps known (no later event could count).
fn within(steps: &[Step], cut: Cut) -> bool {
    let Some(last) = steps.last() else {
        return false;
    };
    match cut {
        Cut::Latest => false,
        Cut::Position(p) => last.position >= p,
        Cut::Time(t) => last.recorded_at_us > t,
        Cut::Version(v) => last.state.version() >= v,
    }
}

/// Appends the state after each of `events` (the stream's next events, in order).
fn extend(steps: &mut Vec<Step>, events: &[StoredEvent]) -> Result<(), StoreError> {
    let mut framework = steps
        .last()
        .map(|s| Framework::clone(&s.state))
        .unwrap_or_default();
    for e in events {
        framework.apply(decode(e)?);
        steps.push(Step {
            position: e.position,
            recorded_at_us: e.recorded_at_us,
            stream_version: e.stream_version,
            state: Arc::new(framework.clone()),
        });
    }
    Ok(())
}

/// [`fold_framework`]'s cut over steps already folded.
fn cut_steps(steps: &[Step], cut: Cut) -> Option<(Arc<Framework>, i64)> {
    let mut at: Option<&Step> = None;
    for s in steps {
        let before = at.map_or_else(|| Framework::default().version(), |a| a.state.version());
        let included = match cut {
            Cut::Position(p) => s.position <= p,
            Cut::Time(t) => s.recorded_at_us <= t,
            Cut::Version(v) => before < v,
            Cut::Latest => true,
        };
        if !included {
            break;
        }
        at = Some(s);
    }
    let at = at?;
    match cut {
        Cut::Version(v) if at.state.version() != v => None,
        _ => Some((at.state.clone(), at.position)),
    }
}

fn decode(e: &StoredEvent) -> Result<FrameworkEvent, StoreError> {
    crate::store::decode::decode(e)
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
        framework.apply(decode(e)?);
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
    /// `p:1234` (a log position), `2026-07-14` (the end of that day, UTC), or an RFC 3339
    /// time. Bare digits are refused: `2026` could be a position or a year.
    pub fn parse_at(at: &str) -> Result<Cut, String> {
        if let Some(digits) = at.strip_prefix("p:") {
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                return digits
                    .parse()
                    .map(Cut::Position)
                    .map_err(|_| "log position out of range".to_owned());
            }
            return Err(format!(
                "'{at}' is not a log position: write p: and digits, e.g. p:104"
            ));
        }
        if !at.is_empty() && at.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "'{at}' is ambiguous: write p:{at} for a log position, or a date as YYYY-MM-DD"
            ));
        }
        parse_time(at, true).map(Cut::Time).map_err(|_| {
            format!(
                "'{at}' is neither a log position (p:N), an RFC 3339 time nor a date (YYYY-MM-DD)"
            )
        })
    }
}

/// A log time (microseconds since the epoch) as RFC 3339, in UTC.
pub fn rfc3339(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
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
        "'{s}' is neither an RFC 3339 time nor a date (YYYY-MM-DD)"
    ))
}

/// The framework as the API shows it (and as an offline replay prints it).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FrameworkView {
    pub id: String,
    pub name: Option<String>,
    pub version: u32,
    /// The log position this view includes.
    pub as_of_position: i64,
    /// In order: id, number, kind, section, text, wording_version, provenance (the amendment
    /// and decision that gave the wording) and translations.
    #[schema(value_type = Vec<Object>)]
    pub paragraphs: Vec<ParagraphView>,
    /// The amendments applied, in order, each with the version it made.
    #[schema(value_type = Vec<Object>)]
    pub applied_amendments: serde_json::Value,
    /// External endorsements recorded, in order.
    #[schema(value_type = Vec<Object>)]
    pub endorsements: serde_json::Value,
}

/// The hash (hex) of the event at `position`: what an exported document names beside the
/// position it was made from, for an auditor to find in a verified bundle. Empty for 0.
pub async fn hash_at(store: &EventStore, position: i64) -> Result<String, StoreError> {
    if position < 1 {
        return Ok(String::new());
    }
    Ok(store
        .read_all(position - 1, 1)
        .await?
        .first()
        .map(|e| hex::encode(e.hash))
        .unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::Cut;

    #[test]
    fn an_as_of_means_one_thing_only() {
        assert_eq!(Cut::parse_at("p:104"), Ok(Cut::Position(104)));
        assert!(matches!(Cut::parse_at("2026-11-24"), Ok(Cut::Time(_))));
        assert!(matches!(
            Cut::parse_at("2026-11-24T10:00:00Z"),
            Ok(Cut::Time(_))
        ));
        for ambiguous in ["2026", "104", "p:", "p:x", "p:-1", ""] {
            assert!(Cut::parse_at(ambiguous).is_err(), "{ambiguous}");
        }
    }
}
