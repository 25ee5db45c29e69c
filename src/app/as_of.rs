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

/// Runs `f` on every event of `aggregate_type` that is part of the record as of `cut`, in
/// log order, reading the log a page at a time and no further than a position cut.
async fn each_event(
    store: &EventStore,
    aggregate_type: &str,
    cut: Cut,
    mut f: impl FnMut(&StoredEvent) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    const PAGE: i64 = 1000;
    let mut after = 0;
    loop {
        let batch = store.read_all(after, PAGE).await?;
        for e in &batch {
            if matches!(cut, Cut::Position(p) if e.position > p) {
                return Ok(());
            }
            if e.aggregate_type == aggregate_type && included(e, cut) {
                f(e)?;
            }
        }
        match batch.last() {
            Some(last) if batch.len() as i64 == PAGE => after = last.position,
            _ => return Ok(()),
        }
    }
}

/// The register as of `cut`, read from the log.
pub async fn register(store: &EventStore, cut: Cut) -> Result<Vec<(String, Value)>, StoreError> {
    let mut fold = RegisterFold::default();
    each_event(
        store,
        <crate::domain::meeting::Meeting as cqrs_es::Aggregate>::TYPE,
        cut,
        |e| fold.push(e),
    )
    .await?;
    Ok(fold.into_entries())
}

/// A page of `(key, item)` pairs in key order, paged as the read models page: the items
/// after `after` that `keep` takes, at most `limit`, and the last one's key as the cursor
/// when the page is full.
pub fn page<T>(
    items: impl IntoIterator<Item = (String, T)>,
    after: Option<&str>,
    limit: i64,
    mut keep: impl FnMut(&str, &T) -> bool,
) -> (Vec<T>, Option<String>) {
    let mut out = Vec::new();
    let mut next = None;
    for (key, item) in items {
        if after.is_some_and(|a| key.as_str() <= a) || !keep(&key, &item) {
            continue;
        }
        if out.len() as i64 == limit {
            break;
        }
        out.push(item);
        next = (out.len() as i64 == limit).then_some(key);
    }
    (out, next)
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
    let events = store
        .read_stream(
            <crate::domain::meeting::Meeting as cqrs_es::Aggregate>::TYPE,
            id,
            0,
        )
        .await?;
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
    let mut out: BTreeMap<String, AggregateFold<A>> = BTreeMap::new();
    each_event(store, A::TYPE, cut, |e| {
        out.entry(e.aggregate_id.clone()).or_default().push(e)
    })
    .await?;
    Ok(out)
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
    fn pages_as_the_read_models_page() {
        let items = || (1..=5).map(|n| (format!("k{n}"), n));
        let odd = |_: &str, n: &i32| n % 2 == 1;
        assert_eq!(page(items(), None, 2, odd), (vec![1, 3], Some("k3".into())));
        assert_eq!(page(items(), Some("k3"), 2, odd), (vec![5], None));
        // A full last page still names its cursor; the page after it is empty.
        assert_eq!(
            page(items(), Some("k3"), 1, odd),
            (vec![5], Some("k5".into()))
        );
        assert_eq!(page(items(), Some("k5"), 1, odd), (vec![], None));
    }

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
