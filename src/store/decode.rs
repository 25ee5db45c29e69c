//! The one decoding seam: every reader of the log (aggregates, projections, the reactor,
//! history "as of", the offline replay) gets typed events through [`decode`].
//!
//! A stored event is decoded in three steps, after its hash was checked on the bytes as
//! stored (the hashed bytes are never touched):
//! 1. its payload is parsed as JSON;
//! 2. upcasters take it from its recorded schema version to the one this Plenary writes
//!    (`domain::schema::version`), one version at a time;
//! 3. it is deserialized with the value types taking what was recorded as it stands
//!    (`domain::values::as_recorded`): validation is for new input, not for history.
//!
//! A version newer than this Plenary knows is refused by name, never guessed at (ADR 14).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{StoreError, StoredEvent};
use crate::domain::{schema, values};

/// An upcaster: the payload of `event_type` at schema version `from`, turned into version
/// `from + 1`.
pub struct Upcaster {
    pub aggregate_type: &'static str,
    pub event_type: &'static str,
    pub from: u32,
    pub upcast: fn(Value) -> Result<Value, String>,
}

/// Every upcaster, oldest first.
pub static UPCASTERS: &[Upcaster] = &[
    Upcaster {
        aggregate_type: "Meeting",
        event_type: "DecisionTaken",
        from: 1,
        upcast: decision_taken_v1_to_v2,
    },
    Upcaster {
        aggregate_type: "Meeting",
        event_type: "SponsorshipAwarded",
        from: 1,
        upcast: sponsorship_awarded_v1_to_v2,
    },
];

/// Version 1 awards drew on no fund (the ledger did not exist): version 2 says so.
fn sponsorship_awarded_v1_to_v2(mut payload: Value) -> Result<Value, String> {
    let fields = payload
        .get_mut("SponsorshipAwarded")
        .and_then(Value::as_object_mut)
        .ok_or("not a SponsorshipAwarded payload")?;
    fields.insert("fund_id".into(), Value::Null);
    Ok(payload)
}

/// Version 1 decisions were all taken in the room: version 2 says so in `entered`.
fn decision_taken_v1_to_v2(mut payload: Value) -> Result<Value, String> {
    let fields = payload
        .get_mut("DecisionTaken")
        .and_then(Value::as_object_mut)
        .ok_or("not a DecisionTaken payload")?;
    fields.insert("entered".into(), Value::String("InTheRoom".into()));
    Ok(payload)
}

/// Decodes `e` into the typed event `E`, upcasting it from the version it was recorded in.
pub fn decode<E: DeserializeOwned>(e: &StoredEvent) -> Result<E, StoreError> {
    decode_parts(
        &e.aggregate_type,
        &e.event_type,
        &e.event_version,
        &e.payload,
        e.position,
    )
}

/// As [`decode`], from the parts of a stored event (for readers that hold them apart).
pub fn decode_parts<E: DeserializeOwned>(
    aggregate_type: &str,
    event_type: &str,
    event_version: &str,
    payload: &str,
    position: i64,
) -> Result<E, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { position, reason };
    // The common case, an event of the version this Plenary writes: straight from the text,
    // without building a JSON tree first (decoding is on every load and every projection).
    if event_version.parse() == Ok(schema::version(aggregate_type, event_type)) {
        return values::as_recorded(|| serde_json::from_str(payload)).map_err(|err| {
            corrupt(format!(
                "cannot decode {aggregate_type} event {event_type} v{event_version}: {err}"
            ))
        });
    }
    let value: Value = serde_json::from_str(payload).map_err(|err| {
        corrupt(format!(
            "{aggregate_type} event {event_type}: payload is not JSON: {err}"
        ))
    })?;
    decode_value(aggregate_type, event_type, event_version, value, position)
}

/// As [`decode_parts`], from a payload already parsed (cqrs-es hands events over so).
pub fn decode_value<E: DeserializeOwned>(
    aggregate_type: &str,
    event_type: &str,
    event_version: &str,
    payload: Value,
    position: i64,
) -> Result<E, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt { position, reason };
    let value = upcast(aggregate_type, event_type, event_version, payload).map_err(corrupt)?;
    values::as_recorded(|| serde_json::from_value(value)).map_err(|err| {
        corrupt(format!(
            "cannot decode {aggregate_type} event {event_type} v{event_version}: {err}"
        ))
    })
}

/// Takes `payload`, recorded at `event_version`, to the version this Plenary writes.
pub fn upcast(
    aggregate_type: &str,
    event_type: &str,
    event_version: &str,
    mut payload: Value,
) -> Result<Value, String> {
    let recorded: u32 = event_version.parse().map_err(|_| {
        format!(
            "{aggregate_type} event {event_type} has no schema version (it says {event_version:?})"
        )
    })?;
    let current = schema::version(aggregate_type, event_type);
    if recorded > current {
        return Err(format!(
            "{aggregate_type} event {event_type} is schema version {recorded}, written by a newer \
             Plenary; this one reads up to version {current}"
        ));
    }
    for from in recorded..current {
        let step = UPCASTERS
            .iter()
            .find(|u| {
                u.aggregate_type == aggregate_type && u.event_type == event_type && u.from == from
            })
            .ok_or_else(|| {
                format!("no upcaster takes {aggregate_type} event {event_type} from version {from}")
            })?;
        payload = (step.upcast)(payload)
            .map_err(|why| format!("upcasting {event_type} from version {from}: {why}"))?;
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_from_the_future_is_refused_by_name() {
        let err = upcast("Meeting", "MeetingOpened", "99", Value::Null).unwrap_err();
        assert!(err.contains("written by a newer Plenary"), "{err}");
        let err = upcast("Meeting", "MeetingOpened", "x", Value::Null).unwrap_err();
        assert!(err.contains("no schema version"), "{err}");
    }

    #[test]
    fn every_upcaster_leads_to_a_version_this_plenary_writes() {
        for u in UPCASTERS {
            assert!(u.from < schema::version(u.aggregate_type, u.event_type));
        }
    }

    #[test]
    fn a_version_1_decision_reads_as_taken_in_the_room() {
        use crate::domain::meeting::{DecisionEntry, MeetingEvent};
        let v1 = r#"{"DecisionTaken":{"number":1,"symbol":"A/CONF.1/DEC/1","meeting_id":"rc-1",
            "date":"2026-11-23","agenda_item":2,"kind":"AgendaAdoption","text":"The agenda was adopted.",
            "how":"Consensus","objections":[],"explanations":[],"consensus_call":null}}"#;
        let e: MeetingEvent = decode_parts("Meeting", "DecisionTaken", "1", v1, 7).unwrap();
        match e {
            MeetingEvent::DecisionTaken { entered, .. } => {
                assert_eq!(entered, DecisionEntry::InTheRoom)
            }
            other => panic!("{other:?}"),
        }
        // Without the upcaster, version 1 is not version 2.
        let err = values::as_recorded(|| serde_json::from_str::<MeetingEvent>(v1)).unwrap_err();
        assert!(err.to_string().contains("entered"), "{err}");
    }

    #[test]
    fn a_version_1_award_drew_on_no_fund() {
        use crate::domain::meeting::MeetingEvent;
        let v1 = r#"{"SponsorshipAwarded":{"request_id":"spons-1","expert":"Dr. Amina Diallo","state":"NOR","amount_usd":4200}}"#;
        let e: MeetingEvent = decode_parts("Meeting", "SponsorshipAwarded", "1", v1, 9).unwrap();
        match e {
            MeetingEvent::SponsorshipAwarded { fund_id, .. } => assert_eq!(fund_id, None),
            other => panic!("{other:?}"),
        }
        // The upcaster writes the field out: version 2 readers see it, null.
        let up = upcast(
            "Meeting",
            "SponsorshipAwarded",
            "1",
            serde_json::from_str(v1).unwrap(),
        );
        assert_eq!(up.unwrap()["SponsorshipAwarded"]["fund_id"], Value::Null);
        assert!(
            serde_json::from_str::<Value>(v1).unwrap()["SponsorshipAwarded"]
                .get("fund_id")
                .is_none()
        );
    }
}
