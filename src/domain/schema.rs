//! The schema version of each event type, stored with every event (`event_version`). A change
//! to an event's shape that a reader of the old shape could not take raises the type's
//! version here and adds an upcaster from the old version (`store::decode`); see ADR 14.

/// The version this Plenary writes for `event_type` of `aggregate_type`.
pub fn version(aggregate_type: &str, event_type: &str) -> u32 {
    match (aggregate_type, event_type) {
        _ => 1,
    }
}
