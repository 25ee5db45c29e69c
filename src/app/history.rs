//! The framework as it stood at any moment: replayed from its stream in the log, up to a
//! position, a time or a version. A framework stream is short (one event per change), so
//! replaying it is cheap however long the whole log is.

use cqrs_es::Aggregate;

use crate::domain::framework::{Framework, FrameworkEvent};
use crate::store::{EventStore, StoreError};

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
