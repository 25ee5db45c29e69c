//! Given/when/then for every rule and refusal of the `Amendment` aggregate.

use chrono::{DateTime, TimeZone, Utc};
use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use proptest::prelude::*;

use super::*;
use crate::domain::framework::text::tests::{pid, sample, text};
use crate::domain::framework::{
    apply, check_applies, diff, Conflict, DecisionRef, Declaration, OpError, Operation,
    ParagraphDiff, SpanKind, TranslationOrigin,
};
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, StateCode};

type A = TestFramework<Amendment>;

fn am() -> A {
    TestFramework::with(())
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 9, 10, 0, 0).unwrap()
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

fn decision() -> DecisionRef {
    DecisionRef {
        meeting_id: id("rc1-m3"),
        number: 4,
        symbol: DocumentSymbol::parse("A/CONF.300/DEC/4").unwrap(),
        date: date("2026-06-10"),
    }
}

fn ops() -> Vec<Operation> {
    vec![Operation::ReplaceWords {
        paragraph: pid("PP-2"),
        at_word: 6,
        old: "private sector".into(),
        new: "private sector, academia".into(),
    }]
}

fn ops_v2() -> Vec<Operation> {
    vec![Operation::ReplaceWords {
        paragraph: pid("PP-2"),
        at_word: 9,
        old: "civil society,".into(),
        new: "civil society and the technical community,".into(),
    }]
}

fn propose() -> AmendmentCommand {
    AmendmentCommand::Propose {
        framework_id: Id::parse("poa").unwrap(),
        proposer: state("NOR"),
        co_sponsors: vec![state("NLD")],
        title: text("Stakeholders in the preamble"),
        base_version: 1,
        operations: ops(),
        base_text: sample(),
        now: now(),
    }
}

fn proposed() -> AmendmentEvent {
    AmendmentEvent::AmendmentProposed {
        framework_id: Id::parse("poa").unwrap(),
        proposer: state("NOR"),
        co_sponsors: vec![state("NLD")],
        title: text("Stakeholders in the preamble"),
        revision: 1,
        base_version: 1,
        operations: ops(),
        changes: changes_of(&sample(), &ops()),
        at: now(),
    }
}

fn changes_of(base: &Declaration, operations: &[Operation]) -> Vec<ParagraphDiff> {
    diff(base, &apply(base, operations).unwrap()).changes()
}

fn revise(by: &str, base_version: u32, base_text: Declaration) -> AmendmentCommand {
    AmendmentCommand::Revise {
        by: state(by),
        title: None,
        base_version,
        operations: ops_v2(),
        base_text,
        now: now(),
    }
}

fn revised(by: &str, base_version: u32) -> AmendmentEvent {
    AmendmentEvent::AmendmentRevised {
        by: state(by),
        revision: 2,
        title: text("Stakeholders in the preamble"),
        base_version,
        operations: ops_v2(),
        changes: changes_of(&sample(), &ops_v2()),
        at: now(),
    }
}

fn table(open: bool, substantive: bool) -> AmendmentCommand {
    AmendmentCommand::Table {
        meeting_id: id("rc1-m3"),
        agenda_item: 7,
        meeting_open: open,
        item_substantive: substantive,
        now: now(),
    }
}

fn tabled() -> AmendmentEvent {
    AmendmentEvent::AmendmentTabled {
        meeting_id: id("rc1-m3"),
        agenda_item: 7,
        at: now(),
    }
}

fn withdrawn() -> AmendmentEvent {
    AmendmentEvent::AmendmentWithdrawn {
        by: state("NOR"),
        at: now(),
    }
}

/// Version 2 of the framework: PP-2 reworded so that `ops()` no longer applies.
fn conflicting_v2() -> Declaration {
    apply(
        &sample(),
        &[Operation::ReplaceWords {
            paragraph: pid("PP-2"),
            at_word: 6,
            old: "private".into(),
            new: "public".into(),
        }],
    )
    .unwrap()
}

/// Version 2 of the framework with an unrelated change: `ops()` still applies.
fn harmless_v2() -> Declaration {
    apply(
        &sample(),
        &[Operation::DeleteParagraph {
            paragraph: pid("PP-1"),
        }],
    )
    .unwrap()
}

fn conflict() -> Conflict {
    check_applies(&conflicting_v2(), &ops()).unwrap_err()
}

fn in_conflict() -> AmendmentEvent {
    AmendmentEvent::AmendmentInConflict {
        current_version: 2,
        conflict: conflict(),
        at: now(),
    }
}

fn adopted() -> AmendmentEvent {
    AmendmentEvent::AmendmentAdopted {
        decision: decision(),
        revision: 1,
        base_version: 1,
    }
}

fn not_adopted_cmd() -> AmendmentCommand {
    AmendmentCommand::MarkNotAdopted {
        meeting_id: id("rc1-m3"),
        date: date("2026-06-10"),
    }
}

fn replay(events: &[AmendmentEvent]) -> Amendment {
    let mut a = Amendment::default();
    for e in events {
        a.apply(e.clone());
    }
    a
}

// ---- proposal ----

#[test]
fn a_state_proposes_an_amendment_against_a_stated_version() {
    am().given_no_previous_events()
        .when(propose())
        .then_expect_events(vec![proposed()]);
    let a = replay(&[proposed()]);
    assert_eq!(a.status(), AmendmentStatus::Draft);
    assert_eq!(a.proposer(), Some(&state("NOR")));
    assert_eq!(a.revisions().len(), 1);
    assert_eq!(a.base_version(), 1);
    // The event carries the readable diff for the amendments board.
    let AmendmentEvent::AmendmentProposed { changes, .. } = proposed() else {
        unreachable!()
    };
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].id, pid("PP-2"));
    let spans: Vec<(SpanKind, &str)> = changes[0]
        .spans
        .iter()
        .map(|s| (s.kind, s.text.as_str()))
        .collect();
    assert_eq!(
        spans,
        [
            (SpanKind::Unchanged, "Recognizing the role of the private"),
            (SpanKind::Deleted, "sector"),
            (SpanKind::Inserted, "sector, academia"),
            (SpanKind::Unchanged, "and civil society,"),
        ]
    );
}

#[test]
fn a_proposal_whose_words_are_not_where_stated_is_refused() {
    let cmd = AmendmentCommand::Propose {
        framework_id: Id::parse("poa").unwrap(),
        proposer: state("NOR"),
        co_sponsors: vec![],
        title: text("x"),
        base_version: 1,
        operations: vec![Operation::ReplaceWords {
            paragraph: pid("OP-2"),
            at_word: 4,
            old: "private sector".into(),
            new: "x".into(),
        }],
        base_text: sample(),
        now: now(),
    };
    let err = am()
        .given_no_previous_events()
        .when(cmd)
        .inspect_result()
        .unwrap_err();
    assert_eq!(err.code(), "invalid-operations");
    assert!(!err.is_conflict());
    assert_eq!(
        err.to_string(),
        "the operations do not apply to version 1: operation 1: paragraph OP-2 does not contain \
         'private sector' at word 4 (it reads 'to implement')"
    );
}

#[test]
fn overlapping_operations_are_refused() {
    let mut operations = ops();
    operations.push(Operation::ReplaceParagraph {
        paragraph: pid("PP-2"),
        text: text("Recognizing all stakeholders,"),
    });
    let cmd = AmendmentCommand::Propose {
        framework_id: Id::parse("poa").unwrap(),
        proposer: state("NOR"),
        co_sponsors: vec![],
        title: text("x"),
        base_version: 1,
        operations,
        base_text: sample(),
        now: now(),
    };
    let err = am()
        .given_no_previous_events()
        .when(cmd)
        .inspect_result()
        .unwrap_err();
    assert_eq!(
        err,
        AmendmentError::InvalidOperations {
            base_version: 1,
            error: OpError::Overlap {
                first: 1,
                second: 2,
                paragraph: pid("PP-2"),
                detail: "its wording is replaced".into()
            }
        }
    );
    assert!(err.to_string().contains("operations 1 and 2 overlap"));
}

#[test]
fn proposal_refusals() {
    am().given(vec![proposed()])
        .when(propose())
        .then_expect_error(AmendmentError::AlreadyProposed);
    let with = |co: Vec<&str>, base: u32| AmendmentCommand::Propose {
        framework_id: Id::parse("poa").unwrap(),
        proposer: state("NOR"),
        co_sponsors: co.into_iter().map(state).collect(),
        title: text("x"),
        base_version: base,
        operations: ops(),
        base_text: sample(),
        now: now(),
    };
    am().given_no_previous_events()
        .when(with(vec!["NLD", "NLD"], 1))
        .then_expect_error(AmendmentError::DuplicateCoSponsor(state("NLD")));
    am().given_no_previous_events()
        .when(with(vec!["NOR"], 1))
        .then_expect_error(AmendmentError::ProposerAsCoSponsor(state("NOR")));
    am().given_no_previous_events()
        .when(with(vec![], 0))
        .then_expect_error(AmendmentError::InvalidBaseVersion { base_version: 0 });
}

#[test]
fn nothing_can_be_done_to_an_amendment_never_proposed() {
    am().given_no_previous_events()
        .when(AmendmentCommand::CoSponsor {
            state: state("FRA"),
            now: now(),
        })
        .then_expect_error(AmendmentError::NotProposed);
    am().given_no_previous_events()
        .when(AmendmentCommand::Reintroduce {
            by: state("FRA"),
            now: now(),
        })
        .then_expect_error(AmendmentError::NotProposed);
    assert_eq!(
        Amendment::default().can_be_decided(),
        Err(AmendmentError::NotProposed)
    );
}

// ---- revisions ----

#[test]
fn the_proposer_or_a_co_sponsor_revises_and_every_revision_is_kept() {
    am().given(vec![proposed()])
        .when(revise("NLD", 1, sample()))
        .then_expect_events(vec![revised("NLD", 1)]);
    let a = replay(&[proposed(), revised("NOR", 1)]);
    let numbers: Vec<u32> = a.revisions().iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(a.revisions()[0].operations, ops());
    assert_eq!(a.current_revision().unwrap().operations, ops_v2());
}

#[test]
fn revision_refusals() {
    am().given(vec![proposed()])
        .when(revise("FRA", 1, sample()))
        .then_expect_error(AmendmentError::NotASponsor {
            state: state("FRA"),
        });
    am().given(vec![proposed(), revised("NOR", 2)])
        .when(revise("NOR", 1, sample()))
        .then_expect_error(AmendmentError::StaleBaseVersion {
            base_version: 1,
            current_base: 2,
        });
    am().given(vec![proposed(), withdrawn()])
        .when(revise("NOR", 1, sample()))
        .then_expect_error(AmendmentError::Closed {
            status: AmendmentStatus::Withdrawn,
        });
    let err = am()
        .given(vec![proposed()])
        .when(AmendmentCommand::Revise {
            by: state("NOR"),
            title: None,
            base_version: 2,
            operations: ops(),
            base_text: conflicting_v2(),
            now: now(),
        })
        .inspect_result()
        .unwrap_err();
    assert_eq!(err.code(), "invalid-operations");
}

// ---- sponsorship ----

#[test]
fn co_sponsorship_is_added_and_withdrawn() {
    am().given(vec![proposed()])
        .when(AmendmentCommand::CoSponsor {
            state: state("ISL"),
            now: now(),
        })
        .then_expect_events(vec![AmendmentEvent::CoSponsorshipAdded {
            state: state("ISL"),
            at: now(),
        }]);
    am().given(vec![proposed()])
        .when(AmendmentCommand::WithdrawCoSponsorship {
            state: state("NLD"),
            now: now(),
        })
        .then_expect_events(vec![AmendmentEvent::CoSponsorshipWithdrawn {
            state: state("NLD"),
            at: now(),
        }]);
    let a = replay(&[
        proposed(),
        AmendmentEvent::CoSponsorshipAdded {
            state: state("ISL"),
            at: now(),
        },
        AmendmentEvent::CoSponsorshipWithdrawn {
            state: state("NLD"),
            at: now(),
        },
    ]);
    assert_eq!(a.co_sponsors(), [state("ISL")]);
}

#[test]
fn sponsorship_refusals() {
    for s in ["NOR", "NLD"] {
        am().given(vec![proposed()])
            .when(AmendmentCommand::CoSponsor {
                state: state(s),
                now: now(),
            })
            .then_expect_error(AmendmentError::AlreadySponsor { state: state(s) });
    }
    // The proposer is not a co-sponsor and cannot step back from it; it withdraws instead.
    for s in ["NOR", "FRA"] {
        am().given(vec![proposed()])
            .when(AmendmentCommand::WithdrawCoSponsorship {
                state: state(s),
                now: now(),
            })
            .then_expect_error(AmendmentError::NotACoSponsor { state: state(s) });
    }
    am().given(vec![proposed(), adopted_path()[0].clone(), adopted()])
        .when(AmendmentCommand::CoSponsor {
            state: state("FRA"),
            now: now(),
        })
        .then_expect_error(AmendmentError::Closed {
            status: AmendmentStatus::Adopted,
        });
}

fn adopted_path() -> Vec<AmendmentEvent> {
    vec![tabled()]
}

// ---- withdrawal and reintroduction (rule 122) ----

#[test]
fn the_proposer_withdraws_before_a_decision() {
    am().given(vec![proposed(), tabled()])
        .when(AmendmentCommand::Withdraw {
            by: state("NOR"),
            now: now(),
        })
        .then_expect_events(vec![withdrawn()]);
    assert_eq!(
        replay(&[proposed(), withdrawn()]).status(),
        AmendmentStatus::Withdrawn
    );
}

#[test]
fn withdrawal_refusals() {
    am().given(vec![proposed()])
        .when(AmendmentCommand::Withdraw {
            by: state("NLD"),
            now: now(),
        })
        .then_expect_error(AmendmentError::NotProposer {
            state: state("NLD"),
            proposer: state("NOR"),
        });
    am().given(vec![proposed(), tabled(), adopted()])
        .when(AmendmentCommand::Withdraw {
            by: state("NOR"),
            now: now(),
        })
        .then_expect_error(AmendmentError::Closed {
            status: AmendmentStatus::Adopted,
        });
    am().given(vec![proposed(), withdrawn()])
        .when(AmendmentCommand::Withdraw {
            by: state("NOR"),
            now: now(),
        })
        .then_expect_error(AmendmentError::Closed {
            status: AmendmentStatus::Withdrawn,
        });
}

#[test]
fn another_state_reintroduces_a_withdrawn_amendment_and_becomes_proposer() {
    let reintroduced = AmendmentEvent::AmendmentReintroduced {
        by: state("BRA"),
        previous_proposer: state("NOR"),
        at: now(),
    };
    am().given(vec![proposed(), withdrawn()])
        .when(AmendmentCommand::Reintroduce {
            by: state("BRA"),
            now: now(),
        })
        .then_expect_events(vec![reintroduced.clone()]);
    let a = replay(&[proposed(), tabled(), withdrawn(), reintroduced]);
    assert_eq!(a.proposer(), Some(&state("BRA")));
    assert!(a.co_sponsors().is_empty());
    assert_eq!(a.status(), AmendmentStatus::Draft);
    assert_eq!(a.tabled_under(), None);
    assert_eq!(a.revisions().len(), 1);
}

#[test]
fn reintroduction_refusals() {
    am().given(vec![proposed(), withdrawn()])
        .when(AmendmentCommand::Reintroduce {
            by: state("NOR"),
            now: now(),
        })
        .then_expect_error(AmendmentError::ReintroducedBySameState {
            state: state("NOR"),
        });
    am().given(vec![proposed()])
        .when(AmendmentCommand::Reintroduce {
            by: state("BRA"),
            now: now(),
        })
        .then_expect_error(AmendmentError::NotWithdrawn {
            status: AmendmentStatus::Draft,
        });
}

// ---- tabling ----

#[test]
fn tabled_under_a_substantive_item_of_an_open_meeting() {
    am().given(vec![proposed()])
        .when(table(true, true))
        .then_expect_events(vec![tabled()]);
    let a = replay(&[proposed(), tabled()]);
    assert_eq!(a.status(), AmendmentStatus::Tabled);
    assert_eq!(
        a.tabled_under(),
        Some(&TabledUnder {
            meeting_id: id("rc1-m3"),
            agenda_item: 7
        })
    );
}

#[test]
fn tabling_refusals() {
    am().given(vec![proposed()])
        .when(table(false, true))
        .then_expect_error(AmendmentError::MeetingNotOpen {
            meeting_id: id("rc1-m3"),
        });
    let err = am()
        .given(vec![proposed()])
        .when(table(true, false))
        .inspect_result()
        .unwrap_err();
    assert_eq!(
        err,
        AmendmentError::ItemNotSubstantive {
            meeting_id: id("rc1-m3"),
            agenda_item: 7
        }
    );
    assert!(!err.is_conflict());
    am().given(vec![proposed(), tabled()])
        .when(table(true, true))
        .then_expect_error(AmendmentError::AlreadyTabled {
            meeting_id: id("rc1-m3"),
            agenda_item: 7,
        });
    am().given(vec![proposed(), withdrawn()])
        .when(table(true, true))
        .then_expect_error(AmendmentError::Closed {
            status: AmendmentStatus::Withdrawn,
        });
}

// ---- conflicts and rebasing ----

#[test]
fn a_conflict_with_a_changed_framework_is_recorded_and_blocks_deciding() {
    am().given(vec![proposed(), tabled()])
        .when(AmendmentCommand::MarkInConflict {
            current_version: 2,
            conflict: conflict(),
            now: now(),
        })
        .then_expect_events(vec![in_conflict()]);
    let a = replay(&[proposed(), tabled(), in_conflict()]);
    assert_eq!(a.status(), AmendmentStatus::InConflict);
    let err = a.can_be_decided().unwrap_err();
    assert_eq!(err.code(), "amendment-in-conflict");
    assert!(err.is_conflict());
    assert!(
        err.to_string().starts_with(
            "the amendment must be revised before a decision: it no longer applies to version 2: operation 1: \
             paragraph PP-2 does not contain 'private sector' at word 6"
        ),
        "{err}"
    );
    am().given(vec![proposed(), tabled(), in_conflict()])
        .when(AmendmentCommand::MarkAdopted {
            decision: decision(),
        })
        .then_expect_error(err);
}

#[test]
fn conflict_refusals_and_repeats() {
    am().given(vec![proposed(), tabled(), in_conflict()])
        .when(AmendmentCommand::MarkInConflict {
            current_version: 2,
            conflict: conflict(),
            now: now(),
        })
        .then_expect_events(vec![]);
    am().given(vec![proposed()])
        .when(AmendmentCommand::MarkInConflict {
            current_version: 1,
            conflict: conflict(),
            now: now(),
        })
        .then_expect_error(AmendmentError::InvalidConflictVersion {
            current_version: 1,
            base_version: 1,
        });
}

#[test]
fn revising_resolves_the_conflict() {
    let rev = AmendmentCommand::Revise {
        by: state("NOR"),
        title: Some(text("Stakeholders, revised")),
        base_version: 2,
        operations: ops_v2(),
        base_text: conflicting_v2(),
        now: now(),
    };
    let ev = AmendmentEvent::AmendmentRevised {
        by: state("NOR"),
        revision: 2,
        title: text("Stakeholders, revised"),
        base_version: 2,
        operations: ops_v2(),
        changes: changes_of(&conflicting_v2(), &ops_v2()),
        at: now(),
    };
    am().given(vec![proposed(), tabled(), in_conflict()])
        .when(rev)
        .then_expect_events(vec![ev.clone()]);
    let a = replay(&[proposed(), tabled(), in_conflict(), ev]);
    assert_eq!(a.status(), AmendmentStatus::Tabled);
    assert_eq!(a.can_be_decided(), Ok(()));
    assert_eq!(a.base_version(), 2);
}

#[test]
fn rebasing_on_a_version_where_the_operations_still_apply() {
    let rebased = AmendmentEvent::AmendmentRebased {
        from_version: 1,
        to_version: 2,
        at: now(),
    };
    am().given(vec![proposed(), tabled()])
        .when(AmendmentCommand::Rebase {
            new_version: 2,
            current_text: harmless_v2(),
            now: now(),
        })
        .then_expect_events(vec![rebased.clone()]);
    let a = replay(&[proposed(), tabled(), rebased]);
    assert_eq!(a.base_version(), 2);
    assert_eq!(a.revisions().len(), 1);
    // Already on that version: nothing to record.
    am().given(vec![proposed(), tabled()])
        .when(AmendmentCommand::Rebase {
            new_version: 1,
            current_text: sample(),
            now: now(),
        })
        .then_expect_events(vec![]);
}

#[test]
fn rebase_refusals() {
    am().given(vec![proposed()])
        .when(AmendmentCommand::Rebase {
            new_version: 2,
            current_text: conflicting_v2(),
            now: now(),
        })
        .then_expect_error(AmendmentError::RebaseConflict {
            new_version: 2,
            conflict: conflict(),
        });
    am().given(vec![proposed(), revised("NOR", 3)])
        .when(AmendmentCommand::Rebase {
            new_version: 2,
            current_text: harmless_v2(),
            now: now(),
        })
        .then_expect_error(AmendmentError::StaleBaseVersion {
            base_version: 2,
            current_base: 3,
        });
}

// ---- the consensus outcome ----

#[test]
fn a_tabled_amendment_is_adopted_by_consensus() {
    am().given(vec![proposed(), tabled()])
        .when(AmendmentCommand::MarkAdopted {
            decision: decision(),
        })
        .then_expect_events(vec![adopted()]);
    let a = replay(&[proposed(), tabled(), adopted()]);
    assert_eq!(a.status(), AmendmentStatus::Adopted);
    assert_eq!(a.decision(), Some(&decision()));
    // A retry with the same decision is a no-op.
    am().given(vec![proposed(), tabled(), adopted()])
        .when(AmendmentCommand::MarkAdopted {
            decision: decision(),
        })
        .then_expect_events(vec![]);
}

#[test]
fn no_consensus_closes_the_amendment() {
    let ev = AmendmentEvent::AmendmentNotAdopted {
        meeting_id: id("rc1-m3"),
        date: date("2026-06-10"),
        revision: 1,
    };
    am().given(vec![proposed(), tabled()])
        .when(not_adopted_cmd())
        .then_expect_events(vec![ev.clone()]);
    am().given(vec![proposed(), tabled(), ev.clone()])
        .when(not_adopted_cmd())
        .then_expect_events(vec![]);
    am().given(vec![proposed(), tabled(), ev])
        .when(AmendmentCommand::MarkAdopted {
            decision: decision(),
        })
        .then_expect_error(AmendmentError::Closed {
            status: AmendmentStatus::NoConsensus,
        });
}

#[test]
fn deciding_refusals() {
    am().given(vec![proposed()])
        .when(AmendmentCommand::MarkAdopted {
            decision: decision(),
        })
        .then_expect_error(AmendmentError::NotTabled {
            status: AmendmentStatus::Draft,
        });
    am().given(vec![proposed()])
        .when(not_adopted_cmd())
        .then_expect_error(AmendmentError::NotTabled {
            status: AmendmentStatus::Draft,
        });
    am().given(vec![proposed(), tabled(), withdrawn()])
        .when(AmendmentCommand::MarkAdopted {
            decision: decision(),
        })
        .then_expect_error(AmendmentError::Closed {
            status: AmendmentStatus::Withdrawn,
        });
    let mut other = decision();
    other.number = 5;
    am().given(vec![proposed(), tabled(), adopted()])
        .when(AmendmentCommand::MarkAdopted { decision: other })
        .then_expect_error(AmendmentError::Closed {
            status: AmendmentStatus::Adopted,
        });
}

#[test]
fn error_codes_and_statuses_classify() {
    let e = AmendmentError::NotProposer {
        state: state("NLD"),
        proposer: state("NOR"),
    };
    assert_eq!(e.code(), "not-proposer");
    assert!(e.is_conflict());
    assert_eq!(
        e.to_string(),
        "only the proposer (NOR) may do this, not NLD"
    );
    assert!(!AmendmentError::InvalidBaseVersion { base_version: 0 }.is_conflict());
    assert_eq!(
        serde_json::to_string(&AmendmentStatus::NoConsensus).unwrap(),
        "\"no_consensus\""
    );
}

#[test]
fn events_and_aggregate_round_trip_through_json() {
    let e = proposed();
    assert_eq!(e.event_type(), "AmendmentProposed");
    assert_eq!(e.event_version(), "1");
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.starts_with("{\"AmendmentProposed\":"), "{json}");
    assert_eq!(serde_json::from_str::<AmendmentEvent>(&json).unwrap(), e);
    let a = replay(&[proposed(), tabled(), in_conflict()]);
    let snap = serde_json::to_string(&a).unwrap();
    assert_eq!(serde_json::from_str::<Amendment>(&snap).unwrap(), a);
}

// ---- property: the status machine never reopens a closed amendment ----

fn arb_command() -> impl Strategy<Value = AmendmentCommand> {
    let st = prop_oneof![Just("NOR"), Just("NLD"), Just("BRA")].prop_map(state);
    prop_oneof![
        Just(propose()),
        st.clone().prop_map(|s| revise(s.as_str(), 1, sample())),
        st.clone().prop_map(|s| AmendmentCommand::CoSponsor {
            state: s,
            now: now()
        }),
        st.clone()
            .prop_map(|s| AmendmentCommand::WithdrawCoSponsorship {
                state: s,
                now: now()
            }),
        st.clone()
            .prop_map(|s| AmendmentCommand::Withdraw { by: s, now: now() }),
        st.prop_map(|s| AmendmentCommand::Reintroduce { by: s, now: now() }),
        (any::<bool>(), any::<bool>()).prop_map(|(o, s)| table(o, s)),
        Just(AmendmentCommand::MarkInConflict {
            current_version: 2,
            conflict: conflict(),
            now: now()
        }),
        Just(AmendmentCommand::Rebase {
            new_version: 2,
            current_text: harmless_v2(),
            now: now()
        }),
        Just(AmendmentCommand::MarkAdopted {
            decision: decision()
        }),
        Just(not_adopted_cmd()),
    ]
}

fn run<X>(a: &mut X, cmd: X::Command) -> Result<Vec<X::Event>, X::Error>
where
    X: Aggregate<Services = ()> + Clone + PartialEq + std::fmt::Debug,
    X::Event: Clone,
{
    crate::domain::handle_and_apply(a, cmd)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decided_amendments_stay_decided_and_conflicts_block_decisions(
        cmds in proptest::collection::vec(arb_command(), 1..25)
    ) {
        let mut a = Amendment::default();
        let mut log = Vec::new();
        for cmd in cmds {
            let before = a.clone();
            let was = a.status();
            let decidable = a.can_be_decided().is_ok();
            match run(&mut a, cmd.clone()) {
                Ok(events) => {
                    for e in &events {
                        if matches!(e, AmendmentEvent::AmendmentAdopted { .. } | AmendmentEvent::AmendmentNotAdopted { .. }) {
                            prop_assert!(decidable, "decided while {:?}", was);
                        }
                    }
                    log.extend(events);
                }
                Err(_) => prop_assert_eq!(&a, &before),
            }
            if before.is_proposed() && matches!(was, AmendmentStatus::Adopted | AmendmentStatus::NoConsensus) {
                prop_assert_eq!(a.status(), was);
            }
        }
        prop_assert_eq!(&replay(&log), &a);
        let adoptions = log.iter().filter(|e| matches!(e, AmendmentEvent::AmendmentAdopted { .. })).count();
        prop_assert!(adoptions <= 1);
    }
}

// ---- the conference scenario, both aggregates together, as the app drives them ----

#[test]
fn scenario_conflict_revision_adoption_and_no_consensus() {
    use crate::domain::framework::{Framework, FrameworkCommand};
    let mut framework = Framework::default();
    let d = sample();
    run(
        &mut framework,
        FrameworkCommand::EstablishProgramme {
            body_id: id("poa"),
            name: text("Programme of Action"),
            establishing_symbol: DocumentSymbol::parse("A/RES/77/37").unwrap(),
            date: date("2022-12-07"),
            co_sponsors: vec![state("FRA"), state("EGY")],
            sections: d.sections.clone(),
            paragraphs: d.paragraphs.clone(),
        },
    )
    .unwrap();

    // Norway and Brazil both draft against version 1, on the same words.
    let mut norway = Amendment::default();
    run(&mut norway, propose()).unwrap();
    let mut brazil = Amendment::default();
    run(
        &mut brazil,
        AmendmentCommand::Propose {
            framework_id: Id::parse("poa").unwrap(),
            proposer: state("BRA"),
            co_sponsors: vec![],
            title: text("Public sector"),
            base_version: 1,
            operations: vec![Operation::ReplaceWords {
                paragraph: pid("PP-2"),
                at_word: 6,
                old: "private".into(),
                new: "public".into(),
            }],
            base_text: framework.declaration().clone(),
            now: now(),
        },
    )
    .unwrap();
    for a in [&mut norway, &mut brazil] {
        run(a, table(true, true)).unwrap();
    }

    // Brazil's is adopted first (after an objection raised and withdrawn, in the meeting).
    let mut dec1 = decision();
    dec1.number = 1;
    dec1.symbol = DocumentSymbol::parse("A/CONF.300/DEC/1").unwrap();
    brazil.can_be_decided().unwrap();
    run(
        &mut brazil,
        AmendmentCommand::MarkAdopted { decision: dec1 },
    )
    .unwrap();
    let apply_brazil = brazil.framework_command(id("am-bra")).unwrap();
    run(&mut framework, apply_brazil.clone()).unwrap();
    assert_eq!(framework.version(), 2);
    // The app retries after a crash: nothing is applied twice.
    assert_eq!(run(&mut framework, apply_brazil).unwrap(), vec![]);
    assert_eq!(framework.version(), 2);

    // Norway's draft no longer applies: the conflict is shown and blocks the decision.
    let c = check_applies(
        framework.declaration(),
        &norway.current_revision().unwrap().operations,
    )
    .unwrap_err();
    run(
        &mut norway,
        AmendmentCommand::MarkInConflict {
            current_version: 2,
            conflict: c,
            now: now(),
        },
    )
    .unwrap();
    assert_eq!(norway.status(), AmendmentStatus::InConflict);
    assert_eq!(
        norway.can_be_decided().unwrap_err().code(),
        "amendment-in-conflict"
    );

    // Norway revises against version 2, and it is adopted by consensus.
    run(
        &mut norway,
        AmendmentCommand::Revise {
            by: state("NOR"),
            title: None,
            base_version: 2,
            operations: vec![Operation::ReplaceWords {
                paragraph: pid("PP-2"),
                at_word: 6,
                old: "public sector".into(),
                new: "public and private sectors, academia".into(),
            }],
            base_text: framework.declaration().clone(),
            now: now(),
        },
    )
    .unwrap();
    norway.can_be_decided().unwrap();
    run(
        &mut norway,
        AmendmentCommand::MarkAdopted {
            decision: decision(),
        },
    )
    .unwrap();
    run(
        &mut framework,
        norway.framework_command(id("am-nor")).unwrap(),
    )
    .unwrap();
    assert_eq!(framework.version(), 3);
    let pp2 = framework
        .paragraph_views()
        .into_iter()
        .find(|p| p.id == pid("PP-2"))
        .unwrap();
    assert_eq!(
        pp2.text.as_str(),
        "Recognizing the role of the public and private sectors, academia and civil society,"
    );
    assert_eq!(pp2.wording_version, 3);
    assert_eq!(
        pp2.provenance,
        crate::domain::framework::Provenance::Decision {
            decision: decision(),
            amendment_id: id("am-nor")
        }
    );

    // A third amendment fails for lack of consensus and changes nothing.
    let mut third = Amendment::default();
    run(
        &mut third,
        AmendmentCommand::Propose {
            framework_id: Id::parse("poa").unwrap(),
            proposer: state("IRN"),
            co_sponsors: vec![],
            title: text("Delete OP-3"),
            base_version: 3,
            operations: vec![Operation::DeleteParagraph {
                paragraph: pid("OP-3"),
            }],
            base_text: framework.declaration().clone(),
            now: now(),
        },
    )
    .unwrap();
    run(&mut third, table(true, true)).unwrap();
    run(&mut third, not_adopted_cmd()).unwrap();
    assert_eq!(third.status(), AmendmentStatus::NoConsensus);
    assert_eq!(third.framework_command(id("am-irn")), None);
    assert_eq!(framework.version(), 3);
}

// ---- translations ----

fn translate(revision: u32, language: LanguageTag, wording: &[&str]) -> AmendmentCommand {
    AmendmentCommand::TranslateText {
        revision,
        language,
        origin: TranslationOrigin::Human,
        title: text("Les parties prenantes dans le préambule"),
        wording: wording.iter().map(|w| text(w)).collect(),
    }
}

#[test]
fn a_revision_is_translated_title_and_wording_one_per_operation_that_proposes_text() {
    am().given(vec![proposed()])
        .when(translate(
            1,
            LanguageTag::Fr,
            &["secteur privé, milieu universitaire"],
        ))
        .then_expect_events(vec![AmendmentEvent::AmendmentTranslated {
            revision: 1,
            language: LanguageTag::Fr,
            origin: TranslationOrigin::Human,
            title: text("Les parties prenantes dans le préambule"),
            wording: vec![text("secteur privé, milieu universitaire")],
        }]);
    // A deletion or a move proposes no wording, so it takes no translation.
    let deleting = AmendmentEvent::AmendmentProposed {
        framework_id: Id::parse("poa").unwrap(),
        proposer: state("NOR"),
        co_sponsors: vec![],
        title: text("Stakeholders in the preamble"),
        revision: 1,
        base_version: 1,
        operations: vec![
            Operation::DeleteParagraph {
                paragraph: pid("OP-1"),
            },
            ops()[0].clone(),
        ],
        changes: vec![],
        at: now(),
    };
    am().given(vec![deleting])
        .when(translate(1, LanguageTag::Ar, &["a", "b"]))
        .then_expect_error(AmendmentError::WordingCount {
            revision: 1,
            expected: 1,
            given: 2,
        });
}

#[test]
fn a_translation_names_a_revision_that_exists_and_a_language_other_than_the_original() {
    am().given_no_previous_events()
        .when(translate(1, LanguageTag::Fr, &["x"]))
        .then_expect_error(AmendmentError::NotProposed);
    am().given(vec![proposed()])
        .when(translate(2, LanguageTag::Fr, &["x"]))
        .then_expect_error(AmendmentError::UnknownRevision {
            revision: 2,
            revisions: 1,
        });
    am().given(vec![proposed()])
        .when(translate(0, LanguageTag::Fr, &["x"]))
        .then_expect_error(AmendmentError::UnknownRevision {
            revision: 0,
            revisions: 1,
        });
    am().given(vec![proposed()])
        .when(translate(1, LanguageTag::En, &["x"]))
        .then_expect_error(AmendmentError::TranslationIntoOriginal);
}

#[test]
fn a_new_translation_of_the_same_origin_replaces_the_old_and_a_later_revision_leaves_it_behind() {
    let fr = |revision, w: &str| AmendmentEvent::AmendmentTranslated {
        revision,
        language: LanguageTag::Fr,
        origin: TranslationOrigin::Human,
        title: text("Titre"),
        wording: vec![text(w)],
    };
    let machine = AmendmentEvent::AmendmentTranslated {
        revision: 1,
        language: LanguageTag::Fr,
        origin: TranslationOrigin::Machine,
        title: text("Titre"),
        wording: vec![text("m")],
    };
    let a = replay(&[
        proposed(),
        fr(1, "un"),
        machine,
        revised("NOR", 1),
        fr(2, "deux"),
    ]);
    let t = a.translations();
    assert_eq!(t.len(), 2, "one per language and origin: {t:?}");
    let human = t
        .iter()
        .find(|t| t.origin == TranslationOrigin::Human)
        .unwrap();
    assert_eq!((human.revision, human.wording[0].as_str()), (2, "deux"));
    let machine = t
        .iter()
        .find(|t| t.origin == TranslationOrigin::Machine)
        .unwrap();
    assert!(machine.revision < a.current_revision().unwrap().number);
}

#[test]
fn deleted_words_need_no_translation_and_an_older_revision_does_not_replace_a_newer_one() {
    // Deleting words proposes no wording: the translation has the title only.
    let deleting = AmendmentEvent::AmendmentProposed {
        framework_id: Id::parse("poa").unwrap(),
        proposer: state("NOR"),
        co_sponsors: vec![],
        title: text("Fewer words"),
        revision: 1,
        base_version: 1,
        operations: vec![Operation::ReplaceWords {
            paragraph: pid("PP-2"),
            at_word: 6,
            old: "private sector".into(),
            new: String::new(),
        }],
        changes: vec![],
        at: now(),
    };
    am().given(vec![deleting])
        .when(translate(1, LanguageTag::Fr, &[]))
        .then_expect_events(vec![AmendmentEvent::AmendmentTranslated {
            revision: 1,
            language: LanguageTag::Fr,
            origin: TranslationOrigin::Human,
            title: text("Les parties prenantes dans le préambule"),
            wording: vec![],
        }]);
    // Revision 2's French is kept: revision 1's, by the same hand, would put an older text
    // in its place.
    let fr2 = AmendmentEvent::AmendmentTranslated {
        revision: 2,
        language: LanguageTag::Fr,
        origin: TranslationOrigin::Human,
        title: text("Titre"),
        wording: vec![text("deux")],
    };
    am().given(vec![proposed(), revised("NOR", 1), fr2])
        .when(translate(1, LanguageTag::Fr, &["un"]))
        .then_expect_error(AmendmentError::OlderThanKept {
            revision: 1,
            kept: 2,
        });
}
