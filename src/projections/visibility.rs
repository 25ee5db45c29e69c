//! Which events a reader may see. Public records are open to every role; a few event types
//! carry personal data (travel funding, delegates' gender) and are limited to the
//! secretariat, chairs, auditors and the State concerned. National points of contact are for
//! States, the secretariat and auditors only: never observers, stakeholders or chairs as such.

use crate::domain::meeting::MeetingEventKind;
use crate::store::StoredEvent;

/// The meeting's events that are not part of the public record (named by kind, so a renamed
/// or removed event is a compile error, never personal data left public by a stale name).
pub const RESTRICTED_EVENTS: &[MeetingEventKind] = &[
    MeetingEventKind::SponsorshipRequested,
    MeetingEventKind::SponsorshipAwarded,
    MeetingEventKind::SponsorshipDeclined,
    MeetingEventKind::DelegationRegistered,
    MeetingEventKind::SpeakerIdentified,
];

/// What a reader is, as far as visibility goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    /// Admin, secretariat and auditors see everything.
    Everything,
    /// A chair sees everything about their meeting and the public record elsewhere.
    Chair { meeting: String },
    /// A delegate sees their own State's records and the public record.
    Delegate { state: String },
    /// Observers and stakeholders see the public record.
    Public,
}

pub fn visible(reader: &Reader, e: &StoredEvent, meeting: Option<&str>) -> bool {
    Audience::of(e, super::payload_fields(e).as_ref()).visible_to(reader, meeting)
}

/// What visibility needs to know of one event, worked out once so that many readers (the
/// live feed's screens) can each be checked without decoding the event again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Part of the public record.
    Everyone,
    /// The directory of points of contact: delegates of any State, the secretariat, auditors.
    States,
    /// Restricted: the secretariat, auditors, the meeting's chair and the State concerned
    /// (the State acted for, or named in the event's `state` field).
    Restricted {
        on_behalf_of: Option<String>,
        state: Option<String>,
    },
}

impl Audience {
    pub fn of(
        e: &StoredEvent,
        fields: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> Self {
        if e.aggregate_type
            == <crate::domain::contacts::PointsOfContact as cqrs_es::Aggregate>::TYPE
        {
            return Audience::States;
        }
        // A restricted document's issue names it to States, the secretariat and auditors only.
        if e.aggregate_type
            == <crate::domain::documents::DocumentRegistry as cqrs_es::Aggregate>::TYPE
            && fields
                .and_then(|f| f.get("distribution"))
                .is_some_and(|d| d == "Restricted")
        {
            return Audience::States;
        }
        // A submission is the filer's until it is published; its publication carries what
        // the public record needs.
        let unpublished = e.aggregate_type
            == <crate::domain::submission::Submission as cqrs_es::Aggregate>::TYPE
            && e.kind()
                != Some(crate::domain::submission::SubmissionEventKind::SubmissionPublished);
        let restricted = e
            .kind::<MeetingEventKind>()
            .is_some_and(|k| RESTRICTED_EVENTS.contains(&k));
        if !unpublished && !restricted {
            return Audience::Everyone;
        }
        Audience::Restricted {
            on_behalf_of: e.meta("on_behalf_of"),
            state: fields
                .and_then(|f| f.get("state"))
                .and_then(|s| s.as_str())
                .map(str::to_owned),
        }
    }

    /// Whether `reader` may see the event; `meeting` is the meeting it concerns.
    pub fn visible_to(&self, reader: &Reader, meeting: Option<&str>) -> bool {
        let (on_behalf_of, named) = match self {
            Audience::Everyone => return true,
            Audience::States => {
                return matches!(reader, Reader::Everything | Reader::Delegate { .. })
            }
            Audience::Restricted {
                on_behalf_of,
                state,
            } => (on_behalf_of, state),
        };
        match reader {
            Reader::Everything => true,
            Reader::Chair { meeting: m } => meeting == Some(m.as_str()),
            Reader::Delegate { state } => {
                on_behalf_of.as_deref() == Some(state.as_str())
                    || named.as_deref() == Some(state.as_str())
            }
            Reader::Public => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_of_contact_are_for_states_the_secretariat_and_auditors_only() {
        let a = Audience::States;
        assert!(a.visible_to(&Reader::Everything, None));
        assert!(a.visible_to(
            &Reader::Delegate {
                state: "FRA".into()
            },
            None
        ));
        assert!(!a.visible_to(&Reader::Public, None));
        assert!(!a.visible_to(
            &Reader::Chair {
                meeting: "m".into()
            },
            Some("m")
        ));
    }

    fn registry_event(e: crate::domain::documents::DocumentEvent) -> StoredEvent {
        use cqrs_es::DomainEvent;
        StoredEvent {
            position: 1,
            event_id: uuid::Uuid::nil(),
            aggregate_type: "DocumentRegistry".into(),
            aggregate_id: "registry".into(),
            stream_version: 1,
            event_type: e.event_type(),
            event_version: e.event_version(),
            payload: serde_json::to_string(&e).unwrap(),
            metadata: "{}".into(),
            recorded_at_us: 0,
            prev_hash: [0; 32],
            hash: [0; 32],
        }
    }

    /// A restricted document's issue and its language versions are for States, the
    /// secretariat and auditors; a general one's for everyone.
    #[test]
    fn restricted_documents_reach_only_those_who_may_read_them() {
        use crate::domain::documents::{
            Distribution, DocumentCommand, DocumentRegistry, Series, VersionOrigin,
        };
        use crate::domain::values::{DocumentSymbol, Id, LanguageTag, Text};
        let mut r = DocumentRegistry::default();
        let mut audiences = vec![];
        for distribution in [Distribution::Restricted, Distribution::General] {
            let issue = DocumentCommand::IssueDocument {
                body_id: Id::parse("poa").unwrap(),
                prefix: DocumentSymbol::parse("PoA/X").unwrap(),
                series: if distribution == Distribution::General {
                    Series::Crp
                } else {
                    Series::L
                },
                title: Text::parse("A title").unwrap(),
                distribution,
                language: LanguageTag::En,
                links: vec![],
                now: "2026-11-20".parse().unwrap(),
            };
            let mut events = r.decide(issue).unwrap();
            for e in events.clone() {
                cqrs_es::Aggregate::apply(&mut r, e);
            }
            let symbol = if distribution == Distribution::General {
                "PoA/X/CRP.1"
            } else {
                "PoA/X/L.1"
            };
            events.extend(
                r.decide(DocumentCommand::AddLanguageVersion {
                    symbol: DocumentSymbol::parse(symbol).unwrap(),
                    language: LanguageTag::Fr,
                    origin: VersionOrigin::Human,
                    now: "2026-11-21".parse().unwrap(),
                })
                .unwrap(),
            );
            for e in events {
                let stored = registry_event(e);
                let fields = crate::projections::payload_fields(&stored);
                audiences.push((distribution, Audience::of(&stored, fields.as_ref())));
            }
        }
        assert_eq!(audiences.len(), 4);
        for (distribution, a) in audiences {
            let public = a.visible_to(&Reader::Public, None);
            assert_eq!(
                public,
                distribution == Distribution::General,
                "{distribution:?}"
            );
            assert!(a.visible_to(
                &Reader::Delegate {
                    state: "NOR".into()
                },
                None
            ));
        }
    }
}
