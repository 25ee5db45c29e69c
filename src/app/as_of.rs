//! The record as of a moment, answered from the log: the decisions register and a meeting's
//! state, folded with the same code as the live read models (and as `plenary audit replay`,
//! which folds an export bundle with [`RegisterFold`] and [`MeetingFold`]). A live read
//! model holds the record now; an explanation of position given after a decision, say, is
//! already in that decision's entry, so "now, filtered by position" is not "as of then".

use std::collections::BTreeMap;

use cqrs_es::Aggregate;
use serde_json::Value;

use crate::app::history::Cut;
use crate::domain::meeting::{Meeting, MeetingEvent};
use crate::projections::decisions::DecisionsRegister;
use crate::projections::docs::DocFold;
use crate::projections::meetings::MeetingList;
use crate::store::{EventStore, StoreError, StoredEvent};

/// Whether `e` is part of the record as of `cut`. A time cut keeps every event recorded at
/// or before it (clocks may step back, so it is not always a prefix of the log).
pub fn included(e: &StoredEvent, cut: Cut) -> bool {
    match cut {
        Cut::Position(p) => e.position <= p,
        Cut::Time(t) => e.recorded_at_us <= t,
        Cut::Version(_) | Cut::Latest => true,
    }
}

/// The decisions register folded over events in log order.
#[derive(Debug, Default)]
pub struct RegisterFold(BTreeMap<String, Value>);

impl RegisterFold {
    pub fn push(&mut self, e: &StoredEvent) -> Result<(), StoreError> {
        for key in DecisionsRegister.keys(e) {
            if let Some(doc) = DecisionsRegister.fold(&key, self.0.remove(&key), e)? {
                self.0.insert(key, doc);
            }
        }
        Ok(())
    }

    /// Entries in register order (meeting, then number; outcomes after decisions), each with
    /// its key, which is the register's paging cursor.
    pub fn into_entries(self) -> Vec<(String, Value)> {
        self.0.into_iter().collect()
    }
}

/// The register as of `cut`, read from the log.
pub async fn register(store: &EventStore, cut: Cut) -> Result<Vec<(String, Value)>, StoreError> {
    const PAGE: i64 = 1000;
    let mut fold = RegisterFold::default();
    let mut after = 0;
    loop {
        let batch = store.read_all(after, PAGE).await?;
        for e in &batch {
            if let Cut::Position(p) = cut {
                if e.position > p {
                    return Ok(fold.into_entries());
                }
            }
            if e.aggregate_type == "Meeting" && included(e, cut) {
                fold.push(e)?;
            }
        }
        match batch.last() {
            Some(last) if batch.len() as i64 == PAGE => after = last.position,
            _ => return Ok(fold.into_entries()),
        }
    }
}

/// A meeting folded over its stream: its state, its stream version, and its entry in the
/// meeting list.
#[derive(Debug, Default)]
pub struct MeetingFold {
    pub meeting: Meeting,
    pub version: i64,
    pub info: Option<Value>,
}

impl MeetingFold {
    pub fn push(&mut self, e: &StoredEvent) -> Result<(), StoreError> {
        let event: MeetingEvent = crate::store::decode::decode(e)?;
        if !MeetingList.keys(e).is_empty() {
            self.info = MeetingList.fold(&e.aggregate_id, self.info.take(), e)?;
        }
        self.meeting.apply(event);
        self.version = e.stream_version;
        Ok(())
    }
}

/// A meeting as of `cut`, from its stream; `None` if it had not been convened yet.
pub async fn meeting(
    store: &EventStore,
    id: &str,
    cut: Cut,
) -> Result<Option<MeetingFold>, StoreError> {
    let events = store.read_stream("Meeting", id, 0).await?;
    let mut fold = MeetingFold::default();
    for e in events.iter().filter(|e| included(e, cut)) {
        fold.push(e)?;
    }
    Ok((fold.version > 0).then_some(fold))
}

/// An aggregate folded over its events, with its stream version.
#[derive(Debug, Default)]
pub struct AggregateFold<A> {
    pub state: A,
    pub version: i64,
}

impl<A: Aggregate> AggregateFold<A> {
    pub fn push(&mut self, e: &StoredEvent) -> Result<(), StoreError> {
        let event: A::Event = crate::store::decode::decode(e)?;
        self.state.apply(event);
        self.version = e.stream_version;
        Ok(())
    }
}

/// Every aggregate of one type as of `cut`, by id (the read models' key order), from the log.
pub async fn aggregates<A: Aggregate + Default>(
    store: &EventStore,
    cut: Cut,
) -> Result<BTreeMap<String, AggregateFold<A>>, StoreError> {
    const PAGE: i64 = 1000;
    let mut out: BTreeMap<String, AggregateFold<A>> = BTreeMap::new();
    let mut after = 0;
    loop {
        let batch = store.read_all(after, PAGE).await?;
        for e in &batch {
            if let Cut::Position(p) = cut {
                if e.position > p {
                    return Ok(out);
                }
            }
            if e.aggregate_type == A::TYPE && included(e, cut) {
                out.entry(e.aggregate_id.clone()).or_default().push(e)?;
            }
        }
        match batch.last() {
            Some(last) if batch.len() as i64 == PAGE => after = last.position,
            _ => return Ok(out),
        }
    }
}

/// One aggregate as of `cut`, from its stream, with the events included; `None` if it did
/// not exist yet.
pub async fn aggregate<A: Aggregate + Default>(
    store: &EventStore,
    id: &str,
    cut: Cut,
) -> Result<Option<(AggregateFold<A>, Vec<StoredEvent>)>, StoreError> {
    let events: Vec<StoredEvent> = store
        .read_stream(A::TYPE, id, 0)
        .await?
        .into_iter()
        .filter(|e| included(e, cut))
        .collect();
    let mut fold = AggregateFold::default();
    for e in &events {
        fold.push(e)?;
    }
    Ok((fold.version > 0).then_some((fold, events)))
}

/// The first place two JSON values differ, as a path and both values (for an auditor
/// comparing a replay with the live service: "which field", not "something").
pub fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let (va, vb) = (x.get(k), y.get(k));
                let here = format!("{path}.{k}");
                match (va, vb) {
                    (Some(va), Some(vb)) => first_difference(&here, va, vb),
                    (Some(va), None) => {
                        Some(format!("{here}: {va} on one side, absent on the other"))
                    }
                    (None, Some(vb)) => {
                        Some(format!("{here}: absent on one side, {vb} on the other"))
                    }
                    (None, None) => None,
                }
            })
        }
        (Value::Array(x), Value::Array(y)) => {
            let found = x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (va, vb))| first_difference(&format!("{path}[{i}]"), va, vb));
            found.or_else(|| {
                (x.len() != y.len())
                    .then(|| format!("{path}: {} entries against {}", x.len(), y.len()))
            })
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {a} against {b}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let a = json!({ "decisions": [{ "number": 1, "explanations": [] }] });
        let b = json!({ "decisions": [{ "number": 1, "explanations": [{ "state": "BRA" }] }] });
        assert_eq!(
            first_difference("register", &a, &b).unwrap(),
            "register.decisions[0].explanations: 0 entries against 1"
        );
        let c = json!({ "version": 3, "status": "open" });
        let d = json!({ "version": 3, "status": "closed" });
        assert_eq!(
            first_difference("meeting", &c, &d).unwrap(),
            "meeting.status: \"open\" against \"closed\""
        );
        assert_eq!(first_difference("x", &a, &a), None);
        assert!(first_difference("x", &json!({ "a": 1 }), &json!({}))
            .unwrap()
            .starts_with("x.a: 1 on one side"));
    }
}
