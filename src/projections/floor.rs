//! Who was given the floor last in each meeting, and when: the room screen's and the chair's
//! speaking-time countdown starts from the moment the event was recorded, which the meeting's
//! own state does not keep.

use serde_json::{json, Value};

use super::docs::DocFold;
use crate::domain::meeting::MeetingEvent;
use crate::store::{StoreError, StoredEvent};

pub const NAME: &str = "meeting_floor";

pub struct MeetingFloor;

impl DocFold for MeetingFloor {
    const NAME: &'static str = NAME;

    fn keys(&self, e: &StoredEvent) -> Vec<String> {
        if e.kind() == Some(crate::domain::meeting::MeetingEventKind::FloorGiven) {
            vec![e.aggregate_id.clone()]
        } else {
            vec![]
        }
    }

    fn fold(
        &self,
        _key: &str,
        doc: Option<Value>,
        e: &StoredEvent,
    ) -> Result<Option<Value>, StoreError> {
        let event: MeetingEvent = crate::store::decode::decode(e)?;
        match event {
            MeetingEvent::FloorGiven {
                item,
                speaker,
                right_of_reply,
                time_limit_seconds,
            } => Ok(Some(json!({
                "item": item,
                "speaker": speaker,
                "right_of_reply": right_of_reply,
                "time_limit_seconds": time_limit_seconds,
                "since_us": e.recorded_at_us,
            }))),
            _ => Ok(doc),
        }
    }
}
