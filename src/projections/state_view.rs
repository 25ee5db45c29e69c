//! A read model that is the aggregate's own state, folded with the domain's `apply`: the live
//! state of a meeting (current item, speakers, pending vote, consensus call, presence) is
//! exactly what the rules were decided against, never a second interpretation of the events.

use std::marker::PhantomData;

use cqrs_es::Aggregate;
use serde_json::Value;

use super::docs::DocFold;
use crate::store::{StoreError, StoredEvent};

pub struct StateView<A> {
    _a: PhantomData<fn() -> A>,
}

impl<A> Default for StateView<A> {
    fn default() -> Self {
        Self { _a: PhantomData }
    }
}

/// Names the read model of each aggregate type.
pub trait ViewName {
    const VIEW: &'static str;
}

impl<A: Aggregate + ViewName + 'static> DocFold for StateView<A> {
    const NAME: &'static str = A::VIEW;

    /// The aggregate's state shape: a view holds the aggregate's own JSON.
    fn version(&self) -> u32 {
        crate::domain::schema::state_shape(A::TYPE)
    }

    fn keys(&self, e: &StoredEvent) -> Vec<String> {
        if e.aggregate_type == A::TYPE {
            vec![e.aggregate_id.clone()]
        } else {
            vec![]
        }
    }

    fn fold(
        &self,
        key: &str,
        doc: Option<Value>,
        e: &StoredEvent,
    ) -> Result<Option<Value>, StoreError> {
        self.fold_all(key, doc, &[e])
    }

    /// Decodes the view once, applies every event, and encodes it once.
    fn fold_all(
        &self,
        _key: &str,
        doc: Option<Value>,
        events: &[&StoredEvent],
    ) -> Result<Option<Value>, StoreError> {
        let Some(last) = events.last() else {
            return Ok(doc);
        };
        let corrupt = |position: i64, reason: String| StoreError::Corrupt { position, reason };
        let mut state: A = match doc {
            Some(doc) => {
                decode::<A>(&doc)
                    .map_err(|err| {
                        corrupt(
                            events[0].position,
                            format!("stored {} view: {err}", A::TYPE),
                        )
                    })?
                    .2
            }
            None => A::default(),
        };
        for e in events {
            let event: A::Event = crate::store::decode::decode(e)?;
            state.apply(event);
        }
        let mut v =
            serde_json::to_value(&state).map_err(|err| corrupt(last.position, err.to_string()))?;
        if let Value::Object(o) = &mut v {
            o.insert("_id".into(), Value::from(last.aggregate_id.clone()));
            o.insert("_version".into(), Value::from(last.stream_version));
        }
        Ok(Some(v))
    }
}

/// Splits a stored view into (aggregate id, stream version, state). The state ignores the
/// bookkeeping fields `_id` and `_version` (the aggregates accept unknown fields).
pub fn decode<A: Aggregate>(doc: &Value) -> Result<(String, i64, A), serde_json::Error> {
    let Value::Object(o) = doc else {
        return Err(serde::de::Error::custom(format!(
            "expected an object, found {doc}"
        )));
    };
    let id = o
        .get("_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let version = o.get("_version").and_then(Value::as_i64).unwrap_or(0);
    // A view holds what the log recorded: values a rule tightened since must still read.
    let state = crate::domain::values::as_recorded(|| A::deserialize(doc))?;
    Ok((id, version, state))
}

/// Each view's name, for the reads that name a view without its type.
pub const BODIES: &str = <crate::domain::body::Body as ViewName>::VIEW;
pub const MEETINGS: &str = <crate::domain::meeting::Meeting as ViewName>::VIEW;
pub const AMENDMENTS: &str = <crate::domain::amendment::Amendment as ViewName>::VIEW;
pub const FRAMEWORKS: &str = <crate::domain::framework::Framework as ViewName>::VIEW;
pub const FUNDS: &str = <crate::domain::fund::Fund as ViewName>::VIEW;
pub const ANNEXES: &str = <crate::domain::annex::Annex as ViewName>::VIEW;
pub const CONTACTS: &str = <crate::domain::contacts::PointsOfContact as ViewName>::VIEW;
pub const DOCUMENTS: &str = <crate::domain::documents::DocumentRegistry as ViewName>::VIEW;
pub const SUBMISSIONS: &str = <crate::domain::submission::Submission as ViewName>::VIEW;
pub const ASSISTANCE_REQUESTS: &str =
    <crate::domain::capacity::AssistanceRequest as ViewName>::VIEW;
pub const ASSISTANCE_OFFERS: &str = <crate::domain::capacity::AssistanceOffer as ViewName>::VIEW;

impl ViewName for crate::domain::body::Body {
    const VIEW: &'static str = "bodies";
}
impl ViewName for crate::domain::meeting::Meeting {
    const VIEW: &'static str = "meetings";
}
impl ViewName for crate::domain::amendment::Amendment {
    const VIEW: &'static str = "amendments";
}
impl ViewName for crate::domain::fund::Fund {
    const VIEW: &'static str = "funds";
}
impl ViewName for crate::domain::reporting::ReportingSchedule {
    const VIEW: &'static str = "reporting_schedules";
}
impl ViewName for crate::domain::annex::Annex {
    const VIEW: &'static str = "annexes";
}
impl ViewName for crate::domain::contacts::PointsOfContact {
    const VIEW: &'static str = "contacts";
}
impl ViewName for crate::domain::documents::DocumentRegistry {
    const VIEW: &'static str = "documents";
}
impl ViewName for crate::domain::submission::Submission {
    const VIEW: &'static str = "submissions";
}
impl ViewName for crate::domain::capacity::AssistanceRequest {
    const VIEW: &'static str = "assistance_requests";
}
impl ViewName for crate::domain::capacity::AssistanceOffer {
    const VIEW: &'static str = "assistance_offers";
}
impl ViewName for crate::domain::framework::Framework {
    const VIEW: &'static str = "frameworks";
}
