//! The domain: aggregates, commands, events and rules of procedure. No I/O lives here, so
//! everything in this module is tested without a database.

pub mod amendment;
pub mod annex;
pub mod body;
pub mod capacity;
pub mod contacts;
pub mod documents;
pub mod framework;
pub mod fund;
pub mod meeting;
pub mod reporting;
pub mod schema;
pub mod submission;
pub mod values;

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use strum::IntoEnumIterator;

/// Every event type of every aggregate, as stored (`event_type`).
pub fn event_types() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = vec![];
    all.extend(body::BodyEventKind::iter().map(<&'static str>::from));
    all.extend(meeting::events::MeetingEventKind::iter().map(<&'static str>::from));
    all.extend(amendment::AmendmentEventKind::iter().map(<&'static str>::from));
    all.extend(framework::FrameworkEventKind::iter().map(<&'static str>::from));
    all.extend(contacts::ContactEventKind::iter().map(<&'static str>::from));
    all.extend(documents::DocumentEventKind::iter().map(<&'static str>::from));
    all.extend(submission::SubmissionEventKind::iter().map(<&'static str>::from));
    all.extend(capacity::RequestEventKind::iter().map(<&'static str>::from));
    all.extend(capacity::OfferEventKind::iter().map(<&'static str>::from));
    all.extend(annex::AnnexEventKind::iter().map(<&'static str>::from));
    all.extend(reporting::ReportingEventKind::iter().map(<&'static str>::from));
    all.extend(fund::FundEventKind::iter().map(<&'static str>::from));
    all
}

/// The kind of an event (its variant, without the fields) and the aggregate type it is stored
/// under, so a reader of stored events names a kind the compiler knows rather than a string
/// (`StoredEvent::kind`).
pub trait EventKind: std::str::FromStr + Into<&'static str> + Copy {
    const AGGREGATE: &'static str;
}

macro_rules! event_kind {
    ($($kind:ty => $aggregate:ty),* $(,)?) => {
        $(impl EventKind for $kind {
            const AGGREGATE: &'static str = <$aggregate as Aggregate>::TYPE;
        })*
    };
}
event_kind! {
    meeting::events::MeetingEventKind => meeting::Meeting,
    amendment::AmendmentEventKind => amendment::Amendment,
    framework::FrameworkEventKind => framework::Framework,
    submission::SubmissionEventKind => submission::Submission,
    body::BodyEventKind => body::Body,
    contacts::ContactEventKind => contacts::PointsOfContact,
    documents::DocumentEventKind => documents::DocumentRegistry,
    capacity::RequestEventKind => capacity::AssistanceRequest,
    capacity::OfferEventKind => capacity::AssistanceOffer,
    annex::AnnexEventKind => annex::Annex,
    reporting::ReportingEventKind => reporting::ReportingSchedule,
    fund::FundEventKind => fund::Fund,
}

/// The one `impl Aggregate` every record has: `handle` decides (`decide`, pure) and emits
/// through [`emit`]; `apply` is the record's own `apply_event`. No services: what a rule needs
/// from elsewhere is in the command, supplied by the application.
macro_rules! aggregate {
    ($t:ty, $name:literal, $command:ty, $event:ty, $error:ty) => {
        impl cqrs_es::Aggregate for $t {
            const TYPE: &'static str = $name;
            type Command = $command;
            type Event = $event;
            type Error = $error;
            type Services = ();

            async fn handle(
                &mut self,
                command: Self::Command,
                _services: &Self::Services,
                sink: &cqrs_es::event_sink::EventSink<Self>,
            ) -> ::core::result::Result<(), Self::Error> {
                let events = self.decide(command)?;
                crate::domain::emit(events, sink).await;
                Ok(())
            }

            fn apply(&mut self, event: Self::Event) {
                self.apply_event(event)
            }
        }
    };
}
pub(crate) use aggregate;

/// Hands a decision's events to cqrs-es, leaving the state they were decided on unchanged.
///
/// `EventSink::write` applies each event to the aggregate it is given. Writing through a
/// scratch aggregate keeps the loaded one as it was: the store applies the committed events
/// to it exactly once, and a refused command's state goes back to the cache as it was
/// (`store::aggregates`, ADR 4). Nothing reads the scratch afterwards, so it starts empty
/// rather than as a copy of the state (a copy cost a clone of every member list per
/// command); this is why every `apply` must be total: never panic, whatever the state.
pub async fn emit<A: Aggregate>(events: impl IntoIterator<Item = A::Event>, sink: &EventSink<A>) {
    let mut scratch = A::default();
    for event in events {
        sink.write(event, &mut scratch).await;
    }
}

/// Runs a command through `handle` as cqrs-es does, checks that `handle` left the state it
/// decided on unchanged (the contract of [`emit`]), then applies the events.
#[cfg(test)]
pub(crate) fn handle_and_apply<A>(a: &mut A, command: A::Command) -> Result<Vec<A::Event>, A::Error>
where
    A: Aggregate<Services = ()> + Clone + PartialEq + std::fmt::Debug,
    A::Event: Clone,
{
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    // The handlers never wait on anything, so polling once more than needed is enough.
    fn block_on<T>(f: impl Future<Output = T>) -> T {
        let mut f = std::pin::pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }
    let before = a.clone();
    let sink = EventSink::default();
    block_on(a.handle(command, &(), &sink))?;
    assert_eq!(*a, before, "handle changed the state it decided on");
    let events = block_on(sink.collect());
    for e in &events {
        a.apply(e.clone());
    }
    Ok(events)
}

#[cfg(test)]
mod event_type_tests {
    /// The kinds' names are the stored event types: one of each, checked against `event_type`
    /// in each aggregate's tests via this list's length and a few names.
    #[test]
    fn every_event_type_is_named_once() {
        let all = super::event_types();
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
        // Each kind reads back from its stored name.
        fn round_trip<
            K: super::EventKind + strum::IntoEnumIterator + PartialEq + std::fmt::Debug,
        >() -> usize {
            K::iter()
                .inspect(|k| {
                    let name: &'static str = (*k).into();
                    assert_eq!(name.parse::<K>().ok().as_ref(), Some(k), "{name}");
                })
                .count()
        }
        use super::*;
        let kinds = round_trip::<body::BodyEventKind>()
            + round_trip::<meeting::MeetingEventKind>()
            + round_trip::<amendment::AmendmentEventKind>()
            + round_trip::<framework::FrameworkEventKind>()
            + round_trip::<contacts::ContactEventKind>()
            + round_trip::<documents::DocumentEventKind>()
            + round_trip::<submission::SubmissionEventKind>()
            + round_trip::<capacity::RequestEventKind>()
            + round_trip::<capacity::OfferEventKind>()
            + round_trip::<annex::AnnexEventKind>()
            + round_trip::<reporting::ReportingEventKind>()
            + round_trip::<fund::FundEventKind>();
        assert_eq!(kinds, all.len());
        for t in [
            "BodyEstablished",
            "MeetingConvened",
            "DecisionTaken",
            "AmendmentProposed",
            "TranslationAdded",
        ] {
            assert!(all.contains(&t), "{t}");
        }
    }
}
