//! The decisions register: every decision of every meeting, numbered within its meeting, with
//! how it was taken, the objections raised and withdrawn, and the explanations of position
//! (those given before the decision, recorded with it, and those given after it, which are
//! appended to its entry as they are made).

use serde_json::{json, Value};

use super::docs::DocFold;
use crate::domain::meeting::{Explanation, ExplanationTiming, MeetingEvent, TranslatedText};
use crate::store::{StoreError, StoredEvent};

pub const NAME: &str = "decisions";

pub struct DecisionsRegister;

/// Register keys sort by meeting, then decision number.
pub fn key(meeting_id: &str, number: u32) -> String {
    format!("{meeting_id}/{number:05}")
}

/// An outcome that is not a decision (no consensus on a call) has its own key, after the
/// meeting's decisions: it has no decision number, and it is on the record all the same.
pub fn outcome_key(meeting_id: &str, call: u32) -> String {
    format!("{meeting_id}/no-consensus-{call:05}")
}

impl DocFold for DecisionsRegister {
    const NAME: &'static str = NAME;

    /// 2: `entry` on every entry, and outcomes without a decision (no consensus).
    /// 3: `entered` on decisions the secretariat recorded, and `corrigenda`.
    /// 4: `translations` of a decision's text.
    fn version(&self) -> u32 {
        4
    }

    fn keys(&self, e: &StoredEvent) -> Vec<String> {
        use crate::domain::meeting::MeetingEventKind as K;
        let Some(kind) = e.kind::<K>() else {
            return vec![];
        };
        match kind {
            K::DecisionTaken => match crate::store::decode::decode(e) {
                Ok(MeetingEvent::DecisionTaken { number, .. }) => {
                    vec![key(&e.aggregate_id, number)]
                }
                _ => vec![],
            },
            K::NoConsensusDeclared => match crate::store::decode::decode(e) {
                Ok(MeetingEvent::NoConsensusDeclared { call, .. }) => {
                    vec![outcome_key(&e.aggregate_id, call)]
                }
                _ => vec![],
            },
            // A corrigendum is added to its decision's entry, which keeps its original text.
            K::DecisionCorrected => match crate::store::decode::decode(e) {
                Ok(MeetingEvent::DecisionCorrected { number, .. }) => {
                    vec![key(&e.aggregate_id, number)]
                }
                _ => vec![],
            },
            // A translation of a decision's text joins its entry, beside the original.
            K::TextTranslated => match crate::store::decode::decode(e) {
                Ok(MeetingEvent::TextTranslated {
                    text_of: TranslatedText::Decision { number },
                    ..
                }) => vec![key(&e.aggregate_id, number)],
                _ => vec![],
            },
            // An explanation of position after a decision belongs to that decision's entry.
            K::PositionExplained => match crate::store::decode::decode(e) {
                Ok(MeetingEvent::PositionExplained {
                    timing: ExplanationTiming::AfterDecision,
                    decision_number: Some(number),
                    ..
                }) => vec![key(&e.aggregate_id, number)],
                _ => vec![],
            },
            _ => vec![],
        }
    }

    fn fold(
        &self,
        _key: &str,
        doc: Option<Value>,
        e: &StoredEvent,
    ) -> Result<Option<Value>, StoreError> {
        let event: MeetingEvent = crate::store::decode::decode(e)?;
        if let MeetingEvent::PositionExplained {
            state,
            timing,
            text,
            dissociates_from,
            ..
        } = event
        {
            // The decision is always earlier in the log; without its entry there is nothing
            // to add to (and an entry is never created from an explanation alone).
            let Some(mut doc) = doc else {
                return Ok(None);
            };
            let explanation = serde_json::to_value(Explanation {
                state,
                timing,
                text,
                dissociates_from,
            })
            .map_err(|err| StoreError::Corrupt {
                position: e.position,
                reason: err.to_string(),
            })?;
            match doc.get_mut("explanations") {
                Some(Value::Array(list)) => list.push(explanation),
                _ => doc["explanations"] = json!([explanation]),
            }
            return Ok(Some(doc));
        }
        if let MeetingEvent::TextTranslated {
            language,
            origin,
            text,
            of_version,
            ..
        } = event
        {
            let Some(mut doc) = doc else {
                return Ok(None);
            };
            // One translation per language and origin: a new one replaces the old (the log
            // keeps both).
            let t = json!({ "language": language, "origin": origin, "text": text,
                "of_version": of_version, "position": e.position });
            if !doc["translations"].is_array() {
                doc["translations"] = json!([]);
            }
            if let Some(list) = doc["translations"].as_array_mut() {
                list.retain(|old| old["language"] != t["language"] || old["origin"] != t["origin"]);
                list.push(t);
            }
            return Ok(Some(doc));
        }
        if let MeetingEvent::DecisionCorrected {
            corrigendum,
            symbol,
            text,
            reason,
            date,
            ..
        } = event
        {
            let Some(mut doc) = doc else {
                return Ok(None);
            };
            let corr = json!({ "corrigendum": corrigendum, "symbol": symbol, "text": text,
                "reason": reason, "date": date, "position": e.position, "recorded_by": e.meta("actor") });
            match doc.get_mut("corrigenda") {
                Some(Value::Array(list)) => list.push(corr),
                _ => doc["corrigenda"] = json!([corr]),
            }
            return Ok(Some(doc));
        }
        if let MeetingEvent::NoConsensusDeclared {
            call,
            item,
            subject,
            objections,
            explanations,
            on,
        } = event
        {
            return Ok(Some(json!({
                "entry": "outcome",
                "kind": "no_consensus",
                "number": null,
                "symbol": null,
                "meeting_id": e.aggregate_id,
                "date": on,
                "agenda_item": item,
                "subject": subject,
                "text": "No consensus was found.",
                "objections": objections,
                "explanations": explanations,
                "consensus_call": call,
                "position": e.position,
                "recorded_at_us": e.recorded_at_us,
                "recorded_by": e.meta("actor"),
            })));
        }
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
            entered,
        } = event
        else {
            return Ok(None);
        };
        let kind_name = match &kind {
            crate::domain::meeting::DecisionKind::AgendaAdoption => "agenda_adoption",
            crate::domain::meeting::DecisionKind::AgendaChange => "agenda_change",
            crate::domain::meeting::DecisionKind::AmendmentAdopted { .. } => "amendment_adopted",
            crate::domain::meeting::DecisionKind::ProgrammeOfWork => "programme_of_work",
            crate::domain::meeting::DecisionKind::ReportAdopted { .. } => "report_adopted",
            crate::domain::meeting::DecisionKind::ProceduralOutcome { .. } => "procedural_outcome",
            crate::domain::meeting::DecisionKind::Decision => "decision",
        };
        let mut doc = json!({
            "entry": "decision",
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
        });
        // Only on decisions entered afterwards, so that every other entry reads as before.
        if let crate::domain::meeting::DecisionEntry::BySecretariat { on_instruction_of } = entered
        {
            doc["entered"] = json!({ "by": "secretariat", "on_instruction_of": on_instruction_of });
        }
        Ok(Some(doc))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use cqrs_es::DomainEvent;

    use super::*;
    use crate::domain::meeting::{DecisionEntry, DecisionKind, HowTaken};
    use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

    fn stored(position: i64, meeting: &str, e: MeetingEvent) -> StoredEvent {
        StoredEvent {
            position,
            event_id: uuid::Uuid::now_v7(),
            aggregate_type: "Meeting".into(),
            aggregate_id: meeting.into(),
            stream_version: position,
            event_type: e.event_type(),
            event_version: e.event_version(),
            payload: serde_json::to_string(&e).unwrap(),
            metadata: r#"{"actor":"chair"}"#.into(),
            recorded_at_us: position * 1_000,
            prev_hash: [0; 32],
            hash: [0; 32],
        }
    }

    fn explanation(state: &str, timing: ExplanationTiming, text: &str) -> Explanation {
        Explanation {
            state: StateCode::parse(state).unwrap(),
            timing,
            text: Text::parse(text).unwrap(),
            dissociates_from: vec![],
        }
    }

    fn decision(number: u32, before: Vec<Explanation>) -> MeetingEvent {
        MeetingEvent::DecisionTaken {
            number,
            symbol: DocumentSymbol::parse(&format!("A/CONF.1/DEC/{number}")).unwrap(),
            meeting_id: Id::parse("rc-1").unwrap(),
            date: Date::from_ymd_opt(2026, 7, 7).unwrap(),
            agenda_item: Some(2),
            kind: DecisionKind::Decision,
            text: Text::parse("The Conference decides.").unwrap(),
            how: HowTaken::Consensus,
            objections: vec![],
            explanations: before,
            consensus_call: Some(number),
            entered: DecisionEntry::InTheRoom,
        }
    }

    fn explained(e: Explanation, decision_number: Option<u32>) -> MeetingEvent {
        MeetingEvent::PositionExplained {
            call: 1,
            state: e.state,
            timing: e.timing,
            text: e.text,
            dissociates_from: e.dissociates_from,
            decision_number,
        }
    }

    /// Folds `events` into documents the way `Docs::apply` does, in batches of `batch`.
    fn fold_all(events: &[StoredEvent], batch: usize) -> BTreeMap<String, Value> {
        let mut docs: BTreeMap<String, Value> = BTreeMap::new();
        for chunk in events.chunks(batch) {
            for e in chunk {
                for k in DecisionsRegister.keys(e) {
                    let before = docs.remove(&k);
                    if let Some(after) = DecisionsRegister.fold(&k, before, e).unwrap() {
                        docs.insert(k, after);
                    }
                }
            }
        }
        // The JSON API sends each document as a typed RegisterRecord: the same JSON.
        for doc in docs.values() {
            let typed = crate::app::register::RegisterRecord::decode(doc.clone()).unwrap();
            assert_eq!(&serde_json::to_value(typed).unwrap(), doc);
        }
        docs
    }

    #[test]
    fn a_vote_a_secretariat_entry_and_documents_are_typed_as_recorded() {
        use crate::domain::meeting::{Ballot, RecordedVote};
        let MeetingEvent::DecisionTaken {
            number,
            symbol,
            meeting_id,
            date,
            agenda_item,
            text,
            objections,
            explanations,
            ..
        } = decision(3, vec![])
        else {
            unreachable!()
        };
        let voted = MeetingEvent::DecisionTaken {
            number,
            symbol,
            meeting_id,
            date,
            agenda_item,
            kind: DecisionKind::ProgrammeOfWork,
            text,
            how: HowTaken::Vote {
                yes: 10,
                no: 2,
                abstain: 3,
                recorded_votes: Some(vec![RecordedVote {
                    state: StateCode::parse("BRA").unwrap(),
                    ballot: Ballot::No,
                }]),
            },
            objections,
            explanations,
            consensus_call: None,
            entered: DecisionEntry::BySecretariat {
                on_instruction_of: Text::parse("The Chair, by letter of 9 July").unwrap(),
            },
        };
        let mut docs = fold_all(&[stored(1, "rc-1", voted)], 1);
        let doc = docs.get_mut(&key("rc-1", 3)).unwrap();
        assert_eq!(doc["entered"]["by"], "secretariat");
        doc["documents"] = json!(["A/CONF.1/2026/INF/1"]);
        let typed = crate::app::register::RegisterRecord::decode(doc.clone()).unwrap();
        assert_eq!(&serde_json::to_value(&typed).unwrap(), &*doc);
        // A field the record does not know is refused, not dropped from what the API sends.
        doc["surprise"] = json!(1);
        assert!(crate::app::register::RegisterRecord::decode(doc.clone()).is_err());
    }

    #[test]
    fn explanations_after_a_decision_reach_its_register_entry() {
        let before = explanation(
            "FRA",
            ExplanationTiming::BeforeDecision,
            "We join consensus.",
        );
        let after_1 = explanation("BRA", ExplanationTiming::AfterDecision, "Had we voted, no.");
        let after_2 = explanation("KEN", ExplanationTiming::AfterDecision, "We welcome it.");
        let events = vec![
            stored(1, "rc-1", decision(1, vec![before.clone()])),
            stored(2, "rc-1", explained(after_1.clone(), Some(1))),
            // Before a decision, or after "no consensus": no register entry to add to.
            stored(3, "rc-1", explained(before.clone(), None)),
            stored(
                4,
                "rc-1",
                explained(
                    explanation("USA", ExplanationTiming::AfterDecision, "No consensus."),
                    None,
                ),
            ),
            stored(5, "rc-1", decision(2, vec![])),
            stored(6, "rc-1", explained(after_2.clone(), Some(1))),
            // Same decision number in another meeting: that meeting's entry, not this one.
            stored(7, "pm-1", decision(1, vec![])),
        ];
        assert!(DecisionsRegister.keys(&events[2]).is_empty());
        assert!(DecisionsRegister.keys(&events[3]).is_empty());
        assert_eq!(DecisionsRegister.keys(&events[5]), vec![key("rc-1", 1)]);

        let docs = fold_all(&events, events.len());
        let first = &docs[&key("rc-1", 1)];
        assert_eq!(
            first["explanations"],
            serde_json::to_value(vec![before, after_1, after_2]).unwrap()
        );
        // The entry keeps the decision's own record and place in the register.
        assert_eq!(first["number"], 1);
        assert_eq!(first["position"], 1);
        assert_eq!(first["symbol"], "A/CONF.1/DEC/1");
        assert_eq!(docs[&key("rc-1", 2)]["explanations"], json!([]));
        assert_eq!(docs[&key("pm-1", 1)]["explanations"], json!([]));
        assert_eq!(docs.len(), 3);

        // A rebuild (one pass) and the live fold (event by event) agree.
        assert_eq!(fold_all(&events, 1), docs);
    }

    #[test]
    fn an_explanation_without_its_decision_creates_no_entry() {
        let e = stored(
            1,
            "rc-1",
            explained(
                explanation("BRA", ExplanationTiming::AfterDecision, "Had we voted, no."),
                Some(1),
            ),
        );
        assert_eq!(
            DecisionsRegister.fold(&key("rc-1", 1), None, &e).unwrap(),
            None
        );
    }

    #[test]
    fn no_consensus_is_on_the_record_as_an_outcome_not_a_decision() {
        use crate::domain::meeting::{ConsensusSubject, ObjectionRecord};
        let objection = ObjectionRecord {
            state: StateCode::parse("BRA").unwrap(),
            reason: Some(Text::parse("Not ready.").unwrap()),
            withdrawn: false,
        };
        let no_consensus = MeetingEvent::NoConsensusDeclared {
            call: 2,
            item: 3,
            subject: ConsensusSubject::DraftDecision {
                text: Text::parse("Establish a fund.").unwrap(),
            },
            objections: vec![objection.clone()],
            explanations: vec![],
            on: Date::from_ymd_opt(2026, 7, 8).unwrap(),
        };
        let events = vec![
            stored(1, "rc-1", decision(1, vec![])),
            stored(2, "rc-1", no_consensus),
            stored(3, "rc-1", decision(2, vec![])),
        ];
        assert_eq!(
            DecisionsRegister.keys(&events[1]),
            vec![outcome_key("rc-1", 2)]
        );
        let docs = fold_all(&events, 1);
        let outcome = &docs[&outcome_key("rc-1", 2)];
        assert_eq!(outcome["entry"], "outcome");
        assert_eq!(outcome["kind"], "no_consensus");
        assert_eq!(
            outcome["number"],
            Value::Null,
            "an outcome takes no decision number"
        );
        assert_eq!(outcome["consensus_call"], 2);
        assert_eq!(outcome["objections"], json!([objection]));
        assert_eq!(docs[&key("rc-1", 2)]["entry"], "decision");
        // In register order the meeting's decisions come first, then its outcomes.
        let order: Vec<&String> = docs.keys().collect();
        assert_eq!(
            order,
            vec![&key("rc-1", 1), &key("rc-1", 2), &outcome_key("rc-1", 2)]
        );
        assert_eq!(fold_all(&events, events.len()), docs);
    }

    #[test]
    fn translations_join_their_decision_and_a_corrigendum_leaves_them_behind() {
        use crate::app::register::entry;
        use crate::domain::framework::TranslationOrigin;
        use crate::domain::values::LanguageTag;
        let translated = |text: &str, origin, of_version| MeetingEvent::TextTranslated {
            text_of: TranslatedText::Decision { number: 1 },
            language: LanguageTag::Fr,
            origin,
            text: Text::parse(text).unwrap(),
            of_version,
        };
        let events = vec![
            stored(1, "rc-1", decision(1, vec![])),
            stored(
                2,
                "rc-1",
                translated("La Conférence décide.", TranslationOrigin::Machine, 0),
            ),
            stored(
                3,
                "rc-1",
                translated("La Conférence décide ainsi.", TranslationOrigin::Human, 0),
            ),
            // Of an agenda item, or of a decision not taken: nothing on the register.
            stored(
                4,
                "rc-1",
                MeetingEvent::TextTranslated {
                    text_of: TranslatedText::AgendaItem { number: 1 },
                    language: LanguageTag::Fr,
                    origin: TranslationOrigin::Human,
                    text: Text::parse("Ouverture").unwrap(),
                    of_version: 0,
                },
            ),
            stored(5, "rc-2", translated("Rien.", TranslationOrigin::Human, 0)),
            stored(
                6,
                "rc-1",
                translated("La Conférence en décide.", TranslationOrigin::Human, 0),
            ),
            stored(
                7,
                "rc-1",
                MeetingEvent::DecisionCorrected {
                    number: 1,
                    corrigendum: 1,
                    symbol: DocumentSymbol::parse("A/CONF.1/DEC/1/Corr.1").unwrap(),
                    text: Text::parse("The Conference decides so.").unwrap(),
                    reason: Text::parse("A word was missing.").unwrap(),
                    date: Date::from_ymd_opt(2026, 7, 8).unwrap(),
                },
            ),
        ];
        let docs = fold_all(&events, 3);
        assert_eq!(docs.len(), 1, "{docs:?}");
        let e = entry(&docs[&key("rc-1", 1)]);
        // One per language and origin, the latest kept; the corrigendum makes both stale.
        assert_eq!(e.translations.len(), 2, "{:?}", e.translations);
        let fr = e.localized("fr");
        assert_eq!(fr.text, "La Conférence en décide.");
        assert_eq!(fr.original.as_deref(), Some("The Conference decides."));
        assert!(fr.stale);
        assert_eq!(e.localized("ar").text, "The Conference decides.");
        // A translation made after the corrigendum translates the corrected text, and says so.
        let mut events = events;
        events.push(stored(
            8,
            "rc-1",
            translated("La Conférence décide ainsi.", TranslationOrigin::Human, 1),
        ));
        let e = entry(&fold_all(&events, 2)[&key("rc-1", 1)]);
        let fr = e.localized("fr");
        assert!(!fr.stale);
        assert_eq!(fr.original.as_deref(), Some("The Conference decides so."));
    }
}
