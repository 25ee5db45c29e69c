//! The schema version of each event type, stored with every event (`event_version`). A change
//! to an event's shape that a reader of the old shape could not take raises the type's
//! version here and adds an upcaster from the old version (`store::decode`); see ADR 14.

/// The version this Plenary writes for `event_type` of `aggregate_type`.
pub fn version(aggregate_type: &str, event_type: &str) -> u32 {
    match (aggregate_type, event_type) {
        // 2: `entered`, how the decision reached the record.
        ("Meeting", "DecisionTaken") => 2,
        // 2: `fund_id`, the fund an award drew on.
        ("Meeting", "SponsorshipAwarded") => 2,
        _ => 1,
    }
}

/// The shape of an aggregate's state as snapshots store it. Raised whenever the aggregate's
/// struct changes what its JSON means (a field added with a default counts: an old snapshot
/// would decode with the default, not with what the log says). A snapshot of another shape
/// is dropped and the state rebuilt from the log.
pub fn state_shape(aggregate_type: &str) -> u32 {
    match aggregate_type {
        // 2: convened_dates and sat_outside_dates (ADR 13). 3: corrigenda. 4: statements.
        // 5: precedes.
        "Meeting" => 5,
        // 2: translations.
        "Amendment" => 2,
        // 2: attachment_limit. 3: public_records, regional_groups.
        "Body" => 3,
        // 2: answers to the survey template. 3: attachments.
        "Submission" => 3,
        _ => 1,
    }
}
