//! The meeting list: what each meeting is (kind, symbol, title, dates, venue, chair, the
//! programme of work it follows) and where it stands.

use serde_json::{json, Value};

use super::docs::DocFold;
use crate::domain::meeting::MeetingEvent;
use crate::store::{StoreError, StoredEvent};

pub const NAME: &str = "meeting_list";

pub struct MeetingList;

impl DocFold for MeetingList {
    const NAME: &'static str = NAME;

    fn keys(&self, e: &StoredEvent) -> Vec<String> {
        use crate::domain::meeting::MeetingEventKind as K;
        let relevant = matches!(
            e.kind(),
            Some(
                K::MeetingConvened
                    | K::MeetingOpened
                    | K::MeetingSuspended
                    | K::MeetingResumed
                    | K::MeetingClosed
                    | K::AgendaAdopted
                    | K::DecisionTaken
                    | K::ProgrammeOfWorkAdopted
            )
        );
        if relevant {
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
        let mut d = doc.unwrap_or_else(|| json!({ "id": e.aggregate_id, "decisions": 0 }));
        match event {
            MeetingEvent::MeetingConvened {
                body_id,
                kind,
                symbol,
                title,
                starts,
                ends,
                venue,
                chair,
                programme_link,
                precedes,
                members,
                ..
            } => {
                d["body_id"] = json!(body_id);
                d["kind"] = json!(kind);
                d["symbol"] = json!(symbol);
                d["title"] = json!(title);
                d["starts"] = json!(starts);
                d["ends"] = json!(ends);
                d["venue"] = json!(venue);
                d["chair"] = json!(chair);
                d["programme_link"] = json!(programme_link);
                if let Some(p) = precedes {
                    d["precedes"] = json!(p);
                }
                d["members"] = json!(members.len());
                d["status"] = json!("convened");
                d["convened_at_us"] = json!(e.recorded_at_us);
            }
            MeetingEvent::MeetingOpened { .. } | MeetingEvent::MeetingResumed { .. } => {
                d["status"] = json!("open")
            }
            MeetingEvent::MeetingSuspended { .. } => d["status"] = json!("suspended"),
            MeetingEvent::MeetingClosed { .. } => d["status"] = json!("closed"),
            MeetingEvent::AgendaAdopted { .. } => d["agenda_adopted"] = json!(true),
            MeetingEvent::DecisionTaken { number, .. } => d["decisions"] = json!(number),
            MeetingEvent::ProgrammeOfWorkAdopted { meetings, .. } => {
                d["programme_of_work"] = json!(meetings)
            }
            _ => {}
        }
        d["version"] = json!(e.stream_version);
        Ok(Some(d))
    }
}
