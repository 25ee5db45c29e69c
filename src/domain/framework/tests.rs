//! Given/when/then for every rule of the `Framework` aggregate, and properties over random
//! histories.

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;
use proptest::prelude::*;

use super::text::tests::{arb_declaration, arb_seeds, para, pid, sample, text, valid_ops};
use super::*;
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, StateCode};

type F = TestFramework<Framework>;

fn fw() -> F {
    TestFramework::with(())
}

fn sym(s: &str) -> DocumentSymbol {
    DocumentSymbol::parse(s).unwrap()
}

fn state(s: &str) -> StateCode {
    StateCode::parse(s).unwrap()
}

fn id(s: &str) -> Id {
    Id::parse(s).unwrap()
}

fn date(d: &str) -> Date {
    d.parse().unwrap()
}

fn decision(n: u32) -> DecisionRef {
    DecisionRef {
        meeting_id: id("rc1-m3"),
        number: n,
        symbol: sym(&format!("A/CONF.300/DEC/{n}")),
        date: date("2026-06-10"),
    }
}

fn establish_cmd(d: &Declaration) -> FrameworkCommand {
    FrameworkCommand::EstablishProgramme {
        body_id: id("poa"),
        name: text("Programme of Action on ICT security"),
        establishing_symbol: sym("A/RES/77/37"),
        date: date("2022-12-07"),
        co_sponsors: vec![state("FRA"), state("EGY")],
        sections: d.sections.clone(),
        paragraphs: d.paragraphs.clone(),
    }
}

fn established(d: &Declaration) -> FrameworkEvent {
    FrameworkEvent::ProgrammeEstablished {
        body_id: id("poa"),
        name: text("Programme of Action on ICT security"),
        establishing_symbol: sym("A/RES/77/37"),
        date: date("2022-12-07"),
        co_sponsors: vec![state("FRA"), state("EGY")],
        sections: d.sections.clone(),
        paragraphs: d.paragraphs.clone(),
        version: 1,
        numbering: d.numbering(),
    }
}

fn rw(p: &str, at: usize, old: &str, new: &str) -> Operation {
    Operation::ReplaceWords {
        paragraph: pid(p),
        at_word: at,
        old: old.into(),
        new: new.into(),
    }
}

fn apply_cmd(n: u32, amendment: &str, base: u32, ops: Vec<Operation>) -> FrameworkCommand {
    FrameworkCommand::ApplyAdoptedAmendment {
        decision: decision(n),
        amendment_id: id(amendment),
        revision: 1,
        base_version: base,
        operations: ops,
    }
}

/// The event the aggregate must emit for `ops` applied on `current` producing `version`.
fn applied_event(
    n: u32,
    amendment: &str,
    base: u32,
    version: u32,
    current: &Declaration,
    ops: Vec<Operation>,
) -> FrameworkEvent {
    let next = apply(current, &ops).unwrap();
    let (changed, deleted) = text::changed_paragraphs(current, &next);
    FrameworkEvent::AmendmentApplied {
        decision: decision(n),
        amendment_id: id(amendment),
        revision: 1,
        base_version: base,
        rebased: base != version - 1,
        version,
        operations: ops,
        changed,
        deleted,
        numbering: next.numbering(),
    }
}

fn private_sector_ops() -> Vec<Operation> {
    vec![rw("PP-2", 6, "private sector", "private sector, academia")]
}

fn first_amendment() -> FrameworkEvent {
    applied_event(1, "am-1", 1, 2, &sample(), private_sector_ops())
}

fn execute(
    agg: &mut Framework,
    cmd: FrameworkCommand,
) -> Result<Vec<FrameworkEvent>, FrameworkError> {
    crate::domain::handle_and_apply(agg, cmd)
}

fn replay(events: &[FrameworkEvent]) -> Framework {
    let mut agg = Framework::default();
    for e in events {
        agg.apply(e.clone());
    }
    agg
}

// ---- establishment ----

#[test]
fn establishing_the_programme_creates_version_1() {
    fw().given_no_previous_events()
        .when(establish_cmd(&sample()))
        .then_expect_events(vec![established(&sample())]);
}

#[test]
fn a_programme_is_established_once() {
    fw().given(vec![established(&sample())])
        .when(establish_cmd(&sample()))
        .then_expect_error(FrameworkError::AlreadyEstablished);
}

#[test]
fn establishing_refuses_duplicate_paragraph_ids_and_co_sponsors() {
    let mut d = sample();
    d.paragraphs.push(d.paragraphs[0].clone());
    let err = fw()
        .given_no_previous_events()
        .when(establish_cmd(&d))
        .inspect_result()
        .unwrap_err();
    assert_eq!(err.code(), "invalid-declaration");
    assert!(!err.is_conflict());
    assert_eq!(
        err.to_string(),
        "the declaration is not well-formed: paragraph id PP-1 is used twice"
    );

    let mut cmd = establish_cmd(&sample());
    if let FrameworkCommand::EstablishProgramme { co_sponsors, .. } = &mut cmd {
        co_sponsors.push(state("FRA"));
    }
    fw().given_no_previous_events()
        .when(cmd)
        .then_expect_error(FrameworkError::DuplicateCoSponsor(state("FRA")));
}

#[test]
fn establishing_refuses_paragraphs_outside_declared_sections() {
    let mut d = sample();
    d.paragraphs.push(para(
        "OP-9",
        ParagraphKind::Operative,
        Section::InternationalLaw,
        "Affirms.",
    ));
    fw().given_no_previous_events()
        .when(establish_cmd(&d))
        .then_expect_error(FrameworkError::InvalidDeclaration(
            text::DeclarationError::UnknownSection {
                paragraph: pid("OP-9"),
                section: Section::InternationalLaw,
            },
        ));
}

#[test]
fn nothing_happens_before_establishment() {
    fw().given_no_previous_events()
        .when(apply_cmd(1, "am-1", 1, private_sector_ops()))
        .then_expect_error(FrameworkError::NotEstablished);
    fw().given_no_previous_events()
        .when(FrameworkCommand::RecordExternalEndorsement {
            symbol: sym("A/RES/80/16"),
            date: date("2025-12-01"),
            operations: private_sector_ops(),
        })
        .then_expect_error(FrameworkError::NotEstablished);
}

// ---- adopted amendments ----

#[test]
fn an_adopted_amendment_produces_the_next_version_with_new_wording() {
    fw().given(vec![established(&sample())])
        .when(apply_cmd(1, "am-1", 1, private_sector_ops()))
        .then_expect_events(vec![first_amendment()]);
    if let FrameworkEvent::AmendmentApplied {
        changed,
        deleted,
        version,
        ..
    } = first_amendment()
    {
        assert_eq!(version, 2);
        assert!(deleted.is_empty());
        assert_eq!(changed.len(), 1);
        assert_eq!(
            changed[0].text.as_str(),
            "Recognizing the role of the private sector, academia and civil society,"
        );
    }
}

#[test]
fn a_retried_application_is_a_no_op() {
    // The app re-sends after a crash: same decision, amendment and revision. Nothing happens.
    fw().given(vec![established(&sample()), first_amendment()])
        .when(apply_cmd(1, "am-1", 1, private_sector_ops()))
        .then_expect_events(vec![]);
}

#[test]
fn an_amendment_is_never_applied_by_a_second_decision() {
    let err = FrameworkError::AmendmentAlreadyApplied {
        amendment_id: id("am-1"),
        symbol: sym("A/CONF.300/DEC/1"),
        version: 2,
    };
    assert!(err.is_conflict());
    assert_eq!(err.code(), "amendment-already-applied");
    fw().given(vec![established(&sample()), first_amendment()])
        .when(apply_cmd(
            2,
            "am-1",
            2,
            vec![rw("OP-1", 1, "Decides", "Agrees")],
        ))
        .then_expect_error(err);
}

#[test]
fn a_decision_applies_one_amendment_only() {
    fw().given(vec![established(&sample()), first_amendment()])
        .when(apply_cmd(
            1,
            "am-2",
            2,
            vec![rw("OP-1", 1, "Decides", "Agrees")],
        ))
        .then_expect_error(FrameworkError::DecisionAlreadyApplied {
            symbol: sym("A/CONF.300/DEC/1"),
            amendment_id: id("am-1"),
        });
}

#[test]
fn a_base_version_from_the_future_is_refused() {
    fw().given(vec![established(&sample())])
        .when(apply_cmd(1, "am-1", 3, private_sector_ops()))
        .then_expect_error(FrameworkError::UnknownBaseVersion {
            base_version: 3,
            current_version: 1,
        });
}

#[test]
fn an_older_base_is_rebased_when_it_still_applies() {
    let v2 = apply(&sample(), &private_sector_ops()).unwrap();
    let ops = vec![rw("OP-1", 1, "Decides", "Agrees")];
    fw().given(vec![established(&sample()), first_amendment()])
        .when(apply_cmd(2, "am-2", 1, ops.clone()))
        .then_expect_events(vec![applied_event(2, "am-2", 1, 3, &v2, ops)]);
}

#[test]
fn an_older_base_that_no_longer_applies_is_refused_with_the_conflict() {
    let ops = vec![rw("PP-2", 6, "private sector and", "private sector, and")];
    let err = fw()
        .given(vec![established(&sample()), first_amendment()])
        .when(apply_cmd(2, "am-2", 1, ops))
        .inspect_result()
        .unwrap_err();
    assert_eq!(err.code(), "rebase-conflict");
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        "amendment am-2 was drafted against version 1 and no longer applies to version 2: operation 1: \
         paragraph PP-2 does not contain 'private sector and' at word 6 (it reads 'private sector, academia')"
    );
}

#[test]
fn invalid_operations_at_the_current_version_are_refused() {
    fw().given(vec![established(&sample())])
        .when(apply_cmd(
            1,
            "am-1",
            1,
            vec![rw("OP-2", 14, "private sector", "x")],
        ))
        .then_expect_error(FrameworkError::InvalidOperations {
            version: 1,
            error: OpError::WordsNotFound {
                op: 1,
                paragraph: pid("OP-2"),
                at_word: 14,
                expected: "private sector".into(),
                found: String::new(),
            },
        });
}

// ---- external endorsements ----

fn endorsement_cmd() -> FrameworkCommand {
    FrameworkCommand::RecordExternalEndorsement {
        symbol: sym("A/RES/80/16"),
        date: date("2025-12-01"),
        operations: vec![Operation::DeleteParagraph {
            paragraph: pid("PP-1"),
        }],
    }
}

fn endorsement_event() -> FrameworkEvent {
    let next = apply(
        &sample(),
        &[Operation::DeleteParagraph {
            paragraph: pid("PP-1"),
        }],
    )
    .unwrap();
    FrameworkEvent::ExternalEndorsementRecorded {
        symbol: sym("A/RES/80/16"),
        date: date("2025-12-01"),
        version: 2,
        operations: vec![Operation::DeleteParagraph {
            paragraph: pid("PP-1"),
        }],
        changed: vec![],
        deleted: vec![pid("PP-1")],
        numbering: next.numbering(),
    }
}

#[test]
fn an_external_endorsement_changes_the_framework() {
    fw().given(vec![established(&sample())])
        .when(endorsement_cmd())
        .then_expect_events(vec![endorsement_event()]);
}

#[test]
fn an_endorsement_is_recorded_once() {
    fw().given(vec![established(&sample()), endorsement_event()])
        .when(endorsement_cmd())
        .then_expect_events(vec![]);
    fw().given(vec![established(&sample()), endorsement_event()])
        .when(FrameworkCommand::RecordExternalEndorsement {
            symbol: sym("A/RES/80/16"),
            date: date("2025-12-02"),
            operations: vec![rw("OP-1", 1, "Decides", "Agrees")],
        })
        .then_expect_error(FrameworkError::EndorsementAlreadyRecorded {
            symbol: sym("A/RES/80/16"),
        });
}

// ---- provenance ("blame") and numbering ----

#[test]
fn provenance_names_the_decision_that_gave_the_present_wording() {
    let move_ops = vec![Operation::MoveParagraph {
        paragraph: pid("OP-3"),
        after: None,
    }];
    let v2 = apply(&sample(), &private_sector_ops()).unwrap();
    let agg = replay(&[
        established(&sample()),
        first_amendment(),
        applied_event(2, "am-2", 2, 3, &v2, move_ops),
    ]);
    assert_eq!(agg.version(), 3);
    let views = agg.paragraph_views();
    let pp2 = views.iter().find(|v| v.id == pid("PP-2")).unwrap();
    assert_eq!(pp2.wording_version, 2);
    assert_eq!(
        pp2.provenance,
        Provenance::Decision {
            decision: decision(1),
            amendment_id: id("am-1")
        }
    );
    // A move alone does not change who gave a paragraph its wording; numbers follow the order.
    let op3 = views.iter().find(|v| v.id == pid("OP-3")).unwrap();
    assert_eq!(op3.wording_version, 1);
    assert_eq!(
        op3.provenance,
        Provenance::Establishment {
            symbol: sym("A/RES/77/37"),
            date: date("2022-12-07")
        }
    );
    assert_eq!(views[0].id, pid("OP-3"));
    assert_eq!(views[0].number, "OP1");
    assert_eq!(
        views.iter().find(|v| v.id == pid("OP-2")).unwrap().number,
        "OP3"
    );
}

#[test]
fn endorsement_provenance_and_deletion() {
    let agg = replay(&[established(&sample()), endorsement_event()]);
    assert!(agg.record(&pid("PP-1")).is_none());
    assert_eq!(agg.declaration().paragraphs.len(), 4);
    assert_eq!(agg.endorsements().len(), 1);
    assert_eq!(
        agg.declaration().display_number(&pid("PP-2")).as_deref(),
        Some("PP1")
    );
}

// ---- translations ----

fn translation(lang: LanguageTag, origin: TranslationOrigin, of_version: u32) -> FrameworkCommand {
    FrameworkCommand::AddTranslation {
        paragraph: pid("PP-2"),
        language: lang,
        text: text("Reconnaissant le rôle du secteur privé et de la société civile,"),
        origin,
        of_version,
    }
}

fn translation_added(
    lang: LanguageTag,
    origin: TranslationOrigin,
    of_version: u32,
) -> FrameworkEvent {
    FrameworkEvent::TranslationAdded {
        paragraph: pid("PP-2"),
        language: lang,
        origin,
        text: text("Reconnaissant le rôle du secteur privé et de la société civile,"),
        of_version,
    }
}

#[test]
fn a_translation_of_the_current_wording_is_added() {
    fw().given(vec![established(&sample())])
        .when(translation(LanguageTag::Fr, TranslationOrigin::Human, 1))
        .then_expect_events(vec![translation_added(
            LanguageTag::Fr,
            TranslationOrigin::Human,
            1,
        )]);
}

#[test]
fn translation_refusals() {
    fw().given(vec![established(&sample())])
        .when(translation(LanguageTag::En, TranslationOrigin::Human, 1))
        .then_expect_error(FrameworkError::TranslationIntoOriginal {
            paragraph: pid("PP-2"),
        });
    fw().given(vec![established(&sample())])
        .when(translation(LanguageTag::Fr, TranslationOrigin::Machine, 2))
        .then_expect_error(FrameworkError::TranslationOfUnknownWording {
            paragraph: pid("PP-2"),
            of_version: 2,
            wording_version: 1,
        });
    fw().given(vec![established(&sample()), first_amendment()])
        .when(translation(LanguageTag::Fr, TranslationOrigin::Human, 1))
        .then_expect_error(FrameworkError::TranslationOutdated {
            paragraph: pid("PP-2"),
            of_version: 1,
            wording_version: 2,
        });
    fw().given(vec![established(&sample())])
        .when(FrameworkCommand::AddTranslation {
            paragraph: pid("OP-12"),
            language: LanguageTag::Ar,
            text: text("نص"),
            origin: TranslationOrigin::Human,
            of_version: 1,
        })
        .then_expect_error(FrameworkError::UnknownParagraph {
            paragraph: pid("OP-12"),
        });
}

#[test]
fn human_and_machine_translations_are_kept_apart_and_go_out_of_date() {
    let agg = replay(&[
        established(&sample()),
        translation_added(LanguageTag::Fr, TranslationOrigin::Machine, 1),
        translation_added(LanguageTag::Fr, TranslationOrigin::Human, 1),
        translation_added(LanguageTag::Es, TranslationOrigin::Human, 1),
    ]);
    let pp2 = |a: &Framework| {
        a.paragraph_views()
            .into_iter()
            .find(|v| v.id == pid("PP-2"))
            .unwrap()
    };
    let before = pp2(&agg);
    assert_eq!(before.translations.len(), 3);
    assert!(before.translations.iter().all(|t| !t.out_of_date));
    let mut agg = agg;
    agg.apply(first_amendment());
    let after = pp2(&agg);
    assert_eq!(after.translations.len(), 3);
    assert!(after.translations.iter().all(|t| t.out_of_date));
    // An untouched paragraph's translations stay current.
    agg.apply(FrameworkEvent::TranslationAdded {
        paragraph: pid("OP-1"),
        language: LanguageTag::Ru,
        origin: TranslationOrigin::Human,
        text: text("Постановляет"),
        of_version: 1,
    });
    let op1 = agg
        .paragraph_views()
        .into_iter()
        .find(|v| v.id == pid("OP-1"))
        .unwrap();
    assert!(!op1.translations[0].out_of_date);
}

#[test]
fn events_and_aggregate_round_trip_through_json() {
    use cqrs_es::DomainEvent;
    let e = first_amendment();
    assert_eq!(e.event_type(), "AmendmentApplied");
    assert_eq!(e.event_version(), "1");
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.starts_with("{\"AmendmentApplied\":"), "{json}");
    assert_eq!(serde_json::from_str::<FrameworkEvent>(&json).unwrap(), e);
    let agg = replay(&[established(&sample()), first_amendment()]);
    let snap = serde_json::to_string(&agg).unwrap();
    assert_eq!(serde_json::from_str::<Framework>(&snap).unwrap(), agg);
}

// ---- properties over random histories ----

/// One step of a random history: a new amendment (ops drafted against the current version or
/// an older one), a duplicate of an earlier application, or a re-use of an earlier decision.
#[derive(Debug, Clone)]
enum Step {
    Amend {
        seeds: Vec<text::tests::OpSeed>,
        base_back: usize,
    },
    Repeat(usize),
    ReuseDecision(usize),
    Endorse {
        seeds: Vec<text::tests::OpSeed>,
    },
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (arb_seeds(), 0usize..3).prop_map(|(seeds, base_back)| Step::Amend { seeds, base_back }),
        2 => any::<usize>().prop_map(Step::Repeat),
        1 => any::<usize>().prop_map(Step::ReuseDecision),
        1 => arb_seeds().prop_map(|seeds| Step::Endorse { seeds }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn replaying_adopted_changes_in_order_yields_the_current_text_and_nothing_applies_twice(
        d0 in arb_declaration(),
        steps in proptest::collection::vec(arb_step(), 1..12),
    ) {
        let mut agg = Framework::default();
        let mut log = execute(&mut agg, establish_cmd(&d0)).unwrap();
        let mut versions = vec![d0.clone()]; // versions[v-1] = text at version v
        let mut sent: Vec<FrameworkCommand> = Vec::new();
        for (i, step) in steps.into_iter().enumerate() {
            let cmd = match step {
                Step::Amend { seeds, base_back } => {
                    let base = versions.len().saturating_sub(base_back).max(1);
                    let ops = valid_ops(&versions[base - 1], &seeds, &format!("s{i}"));
                    if ops.is_empty() { continue; }
                    apply_cmd(i as u32 + 1, &format!("am-{i}"), base as u32, ops)
                }
                Step::Repeat(k) if !sent.is_empty() => sent[k % sent.len()].clone(),
                Step::ReuseDecision(k) if !sent.is_empty() => match sent[k % sent.len()].clone() {
                    FrameworkCommand::ApplyAdoptedAmendment { decision, base_version, operations, .. } =>
                        FrameworkCommand::ApplyAdoptedAmendment {
                            decision, amendment_id: id(&format!("other-{i}")), revision: 1, base_version, operations,
                        },
                    other => other,
                },
                Step::Endorse { seeds } => {
                    let ops = valid_ops(versions.last().unwrap(), &seeds, &format!("e{i}"));
                    if ops.is_empty() { continue; }
                    FrameworkCommand::RecordExternalEndorsement {
                        symbol: sym(&format!("A/RES/80/{i}")), date: date("2025-12-01"), operations: ops,
                    }
                }
                _ => continue,
            };
            let before = agg.clone();
            match execute(&mut agg, cmd.clone()) {
                Ok(events) => {
                    prop_assert!(events.len() <= 1);
                    if events.is_empty() {
                        prop_assert_eq!(&agg, &before);
                    } else {
                        versions.push(agg.declaration().clone());
                    }
                    log.extend(events);
                }
                // A refused command emits nothing and changes nothing.
                Err(_) => prop_assert_eq!(&agg, &before),
            }
            sent.push(cmd);
        }

        // Applying the adopted changes in decision order to the initial text gives the current text.
        let mut text_now = d0.clone();
        let mut amendments = std::collections::HashSet::new();
        let mut decisions = std::collections::HashSet::new();
        for (v, e) in log.iter().enumerate() {
            match e {
                FrameworkEvent::AmendmentApplied { amendment_id, decision, operations, version, .. } => {
                    prop_assert!(amendments.insert(amendment_id.clone()), "{} applied twice", amendment_id);
                    prop_assert!(decisions.insert(decision.symbol.clone()), "{} used twice", decision.symbol);
                    prop_assert_eq!(*version as usize, v + 1);
                    text_now = apply(&text_now, operations).unwrap();
                }
                FrameworkEvent::ExternalEndorsementRecorded { operations, version, .. } => {
                    prop_assert_eq!(*version as usize, v + 1);
                    text_now = apply(&text_now, operations).unwrap();
                }
                _ => {}
            }
        }
        prop_assert_eq!(&text_now, agg.declaration());
        prop_assert_eq!(agg.version() as usize, log.len());
        // Replaying the log rebuilds exactly the live aggregate.
        prop_assert_eq!(&replay(&log), &agg);
        // Every paragraph has a record, and its wording version is one that exists.
        for v in agg.paragraph_views() {
            prop_assert!(v.wording_version >= 1 && v.wording_version <= agg.version());
        }
        prop_assert_eq!(agg.paragraph_views().len(), agg.declaration().paragraphs.len());
    }
}
