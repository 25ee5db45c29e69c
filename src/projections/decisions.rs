//! The decisions register: every decision of every meeting, numbered within its meeting, with
//! how it was taken, the objections raised and withdrawn, and the explanations of position.

use serde_json::{json, Value};

use super::docs::DocFold;
use crate::domain::meeting::MeetingEvent;
use crate::store::{StoreError, StoredEvent};

pub const NAME: &str = "decisions";

pub struct DecisionsRegister;

/// Register keys sort by meeting, then decision number.
pub fn key(meeting_id: &str, number: u32) -> String {
    format!("{meeting_id}/{number:05}")
}

impl DocFold for DecisionsRegister {
    const NAME: &'static str = NAME;

    fn keys(&self, e: &StoredEvent) -> Vec<String> {
        if e.aggregate_type == "Meeting" && e.event_type == "DecisionTaken" {
            if let Ok(MeetingEvent::DecisionTaken { number, .. }) = serde_json::from_str(&e.payload)
            {
                return vec![key(&e.aggregate_id, number)];
            }
        }
        vec![]
    }

    fn fold(
        &self,
        _key: &str,
        _doc: Option<Value>,
        e: &StoredEvent,
    ) -> Result<Option<Value>, StoreError> {
        let event: MeetingEvent =
            serde_json::from_str(&e.payload).map_err(|err| StoreError::Corrupt {
                position: e.position,
                reason: format!("cannot decode DecisionTaken: {err}"),
            })?;
        let MeetingEvent::DecisionTaken {
            number,
            symbol,
            meeting_id,
            date,
            agenda_item,
            kind,
            text,
            how,
            objections,
            explanations,
            consensus_call,
        } = event
        else {
            return Ok(None);
        };
        let kind_name = match &kind {
            crate::domain::meeting::DecisionKind::AgendaAdoption => "agenda_adoption",
            crate::domain::meeting::DecisionKind::AgendaChange => "agenda_change",
            crate::domain::meeting::DecisionKind::AmendmentAdopted { .. } => "amendment_adopted",
            crate::domain::meeting::DecisionKind::ProgrammeOfWork => "programme_of_work",
            crate::domain::meeting::DecisionKind::ProceduralOutcome { .. } => "procedural_outcome",
            crate::domain::meeting::DecisionKind::Decision => "decision",
        };
        Ok(Some(json!({
            "number": number,
            "symbol": symbol,
            "meeting_id": meeting_id,
            "date": date,
            "agenda_item": agenda_item,
            "kind": kind_name,
            "detail": kind,
            "text": text,
            "how_taken": how,
            "objections": objections,
            "explanations": explanations,
            "consensus_call": consensus_call,
            "position": e.position,
            "recorded_at_us": e.recorded_at_us,
            "recorded_by": e.meta("actor"),
        })))
    }
}
