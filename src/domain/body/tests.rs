use cqrs_es::test::TestFramework;

use super::*;
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

type BodyTest = TestFramework<Body>;

fn s(code: &str) -> StateCode {
    StateCode::parse(code).unwrap()
}
fn id(raw: &str) -> Id {
    Id::parse(raw).unwrap()
}
fn text(raw: &str) -> Text {
    Text::parse(raw).unwrap()
}
fn day(d: u32) -> Date {
    Date::from_ymd_opt(2026, 3, d).unwrap()
}

fn established() -> BodyEvent {
    BodyEvent::BodyEstablished {
        body_id: id("poa"),
        name: text("Programme of Action on ICT security"),
        parent_body: None,
        founding_document: Some(DocumentSymbol::parse("A/RES/77/37").unwrap()),
        members: vec![s("BRA"), s("FRA"), s("NOR")],
        rules: RulesOfProcedure::default(),
    }
}

fn registered_ngo() -> BodyEvent {
    BodyEvent::StakeholderRegistered {
        organisation_id: id("ngo-1"),
        name: text("Cyber Peace Institute"),
        kind: StakeholderKind::CivilSociety,
        accredited: false,
    }
}

fn proposed() -> BodyEvent {
    BodyEvent::AccreditationProposed {
        organisation_id: id("ngo-1"),
        notice_ends: day(10),
        proposed_on: day(1),
    }
}

#[test]
fn establishing_a_body_defaults_to_ga_main_committee_rules_and_sorts_members() {
    BodyTest::with(())
        .given_no_previous_events()
        .when(BodyCommand::EstablishBody {
            body_id: id("poa"),
            name: text("Programme of Action on ICT security"),
            parent_body: None,
            founding_document: Some(DocumentSymbol::parse("A/RES/77/37").unwrap()),
            members: vec![s("NOR"), s("BRA"), s("FRA"), s("NOR")],
            rules: None,
        })
        .then_expect_events(vec![established()]);
}

#[test]
fn a_body_is_established_once() {
    BodyTest::with(())
        .given(vec![established()])
        .when(BodyCommand::EstablishBody {
            body_id: id("poa"),
            name: text("Again"),
            parent_body: None,
            founding_document: None,
            members: vec![s("NOR")],
            rules: None,
        })
        .then_expect_error_message("This body has already been established.");
}

#[test]
fn a_body_needs_members_and_workable_rules() {
    BodyTest::with(())
        .given_no_previous_events()
        .when(BodyCommand::EstablishBody {
            body_id: id("poa"),
            name: text("Empty"),
            parent_body: None,
            founding_document: None,
            members: vec![],
            rules: None,
        })
        .then_expect_error(BodyError::NoMembers);
    let rules = RulesOfProcedure {
        quorum_to_open: Fraction::at_least(5, 4),
        ..RulesOfProcedure::default()
    };
    BodyTest::with(())
        .given_no_previous_events()
        .when(BodyCommand::EstablishBody {
            body_id: id("poa"),
            name: text("Odd"),
            parent_body: None,
            founding_document: None,
            members: vec![s("NOR")],
            rules: Some(rules),
        })
        .then_expect_error_message(
            "The rules of procedure are not workable: quorum to open: 5/4 can never be reached.",
        );
}

#[test]
fn nothing_happens_to_a_body_not_established() {
    BodyTest::with(())
        .given_no_previous_events()
        .when(BodyCommand::AdmitMember { state: s("NOR") })
        .then_expect_error(BodyError::NotEstablished);
}

#[test]
fn members_are_admitted_once() {
    BodyTest::with(())
        .given(vec![established()])
        .when(BodyCommand::AdmitMember { state: s("KEN") })
        .then_expect_events(vec![BodyEvent::MemberAdmitted { state: s("KEN") }]);
    BodyTest::with(())
        .given(vec![established()])
        .when(BodyCommand::AdmitMember { state: s("NOR") })
        .then_expect_error_message("NOR is already a member of this body.");
}

#[test]
fn observers_and_stakeholders_are_registered_once() {
    BodyTest::with(())
        .given(vec![established()])
        .when(BodyCommand::RegisterObserver {
            observer_id: id("icrc"),
            name: text("International Committee of the Red Cross"),
        })
        .then_expect_events(vec![BodyEvent::ObserverRegistered {
            observer_id: id("icrc"),
            name: text("International Committee of the Red Cross"),
        }]);
    BodyTest::with(())
        .given(vec![established(), registered_ngo()])
        .when(BodyCommand::RegisterObserver {
            observer_id: id("ngo-1"),
            name: text("Dup"),
        })
        .then_expect_error_message("ngo-1 is already registered with this body.");
    BodyTest::with(())
        .given(vec![established(), registered_ngo()])
        .when(BodyCommand::RegisterStakeholder {
            organisation_id: id("ngo-1"),
            name: text("Dup"),
            kind: StakeholderKind::Academia,
            already_accredited: true,
        })
        .then_expect_error(BodyError::AlreadyRegistered(id("ngo-1")));
}

#[test]
fn accreditation_is_proposed_with_a_notice_period_in_the_future() {
    BodyTest::with(())
        .given(vec![established(), registered_ngo()])
        .when(BodyCommand::ProposeAccreditation {
            organisation_id: id("ngo-1"),
            notice_ends: day(10),
            now: day(1),
        })
        .then_expect_events(vec![proposed()]);
    BodyTest::with(())
        .given(vec![established(), registered_ngo()])
        .when(BodyCommand::ProposeAccreditation {
            organisation_id: id("ngo-1"),
            notice_ends: day(1),
            now: day(1),
        })
        .then_expect_error_message(
            "The notice period must end after today (2026-03-01); 2026-03-01 was given.",
        );
    BodyTest::with(())
        .given(vec![established(), registered_ngo(), proposed()])
        .when(BodyCommand::ProposeAccreditation {
            organisation_id: id("ngo-1"),
            notice_ends: day(20),
            now: day(2),
        })
        .then_expect_error_message("The accreditation of ngo-1 is already pending.");
    BodyTest::with(())
        .given(vec![established()])
        .when(BodyCommand::ProposeAccreditation {
            organisation_id: id("ngo-9"),
            notice_ends: day(20),
            now: day(2),
        })
        .then_expect_error_message("ngo-9 is not a registered stakeholder of this body.");
}

#[test]
fn an_already_accredited_stakeholder_needs_no_procedure() {
    BodyTest::with(())
        .given(vec![
            established(),
            BodyEvent::StakeholderRegistered {
                organisation_id: id("ngo-2"),
                name: text("ECOSOC NGO"),
                kind: StakeholderKind::CivilSociety,
                accredited: true,
            },
        ])
        .when(BodyCommand::ProposeAccreditation {
            organisation_id: id("ngo-2"),
            notice_ends: day(20),
            now: day(2),
        })
        .then_expect_error_message("ngo-2 is already accredited.");
}

#[test]
fn only_member_states_object_and_only_within_the_notice_period() {
    let given = vec![established(), registered_ngo(), proposed()];
    BodyTest::with(())
        .given(given.clone())
        .when(BodyCommand::ObjectToAccreditation {
            organisation_id: id("ngo-1"),
            state: s("BRA"),
            reason: Some(text("Not relevant to the mandate")),
            now: day(10),
        })
        .then_expect_events(vec![BodyEvent::AccreditationObjected {
            organisation_id: id("ngo-1"),
            state: s("BRA"),
            reason: Some(text("Not relevant to the mandate")),
            on: day(10),
        }]);
    BodyTest::with(())
        .given(given.clone())
        .when(BodyCommand::ObjectToAccreditation {
            organisation_id: id("ngo-1"),
            state: s("KEN"),
            reason: None,
            now: day(2),
        })
        .then_expect_error_message("KEN is not a member State of this body.");
    BodyTest::with(())
        .given(given.clone())
        .when(BodyCommand::ObjectToAccreditation {
            organisation_id: id("ngo-1"),
            state: s("BRA"),
            reason: None,
            now: day(11),
        })
        .then_expect_error_message(
            "The notice period for ngo-1 ended on 2026-03-10; objections can no longer be raised or withdrawn.",
        );
    BodyTest::with(())
        .given(vec![established(), registered_ngo()])
        .when(BodyCommand::ObjectToAccreditation {
            organisation_id: id("ngo-1"),
            state: s("BRA"),
            reason: None,
            now: day(2),
        })
        .then_expect_error_message("No accreditation of ngo-1 is pending.");
}

fn objected(state: &str) -> BodyEvent {
    BodyEvent::AccreditationObjected {
        organisation_id: id("ngo-1"),
        state: s(state),
        reason: None,
        on: day(2),
    }
}

#[test]
fn a_state_objects_once_and_may_withdraw() {
    let given = vec![established(), registered_ngo(), proposed(), objected("BRA")];
    BodyTest::with(())
        .given(given.clone())
        .when(BodyCommand::ObjectToAccreditation {
            organisation_id: id("ngo-1"),
            state: s("BRA"),
            reason: None,
            now: day(3),
        })
        .then_expect_error_message("BRA has already objected to the accreditation of ngo-1.");
    BodyTest::with(())
        .given(given.clone())
        .when(BodyCommand::WithdrawAccreditationObjection {
            organisation_id: id("ngo-1"),
            state: s("BRA"),
            now: day(3),
        })
        .then_expect_events(vec![BodyEvent::AccreditationObjectionWithdrawn {
            organisation_id: id("ngo-1"),
            state: s("BRA"),
            on: day(3),
        }]);
    BodyTest::with(())
        .given(given.clone())
        .when(BodyCommand::WithdrawAccreditationObjection {
            organisation_id: id("ngo-1"),
            state: s("FRA"),
            now: day(3),
        })
        .then_expect_error_message("FRA has no objection standing to the accreditation of ngo-1.");
    BodyTest::with(())
        .given(given)
        .when(BodyCommand::WithdrawAccreditationObjection {
            organisation_id: id("ngo-1"),
            state: s("BRA"),
            now: day(11),
        })
        .then_expect_error(BodyError::NoticePeriodOver {
            organisation: id("ngo-1"),
            notice_ended: day(10),
        });
}

#[test]
fn accreditation_concludes_only_after_the_notice_period() {
    BodyTest::with(())
        .given(vec![established(), registered_ngo(), proposed()])
        .when(BodyCommand::ConcludeAccreditation {
            organisation_id: id("ngo-1"),
            now: day(10),
        })
        .then_expect_error_message(
            "The accreditation of ngo-1 cannot be concluded before its notice period ends on 2026-03-10.",
        );
}

#[test]
fn without_a_standing_objection_the_stakeholder_is_accredited() {
    BodyTest::with(())
        .given(vec![
            established(),
            registered_ngo(),
            proposed(),
            objected("BRA"),
            BodyEvent::AccreditationObjectionWithdrawn {
                organisation_id: id("ngo-1"),
                state: s("BRA"),
                on: day(3),
            },
        ])
        .when(BodyCommand::ConcludeAccreditation {
            organisation_id: id("ngo-1"),
            now: day(11),
        })
        .then_expect_events(vec![BodyEvent::StakeholderAccredited {
            organisation_id: id("ngo-1"),
            on: day(11),
        }]);
}

#[test]
fn a_standing_objection_rejects_and_names_the_objectors() {
    BodyTest::with(())
        .given(vec![
            established(),
            registered_ngo(),
            proposed(),
            objected("NOR"),
            objected("BRA"),
        ])
        .when(BodyCommand::ConcludeAccreditation {
            organisation_id: id("ngo-1"),
            now: day(11),
        })
        .then_expect_events(vec![BodyEvent::AccreditationRejected {
            organisation_id: id("ngo-1"),
            objecting_states: vec![s("BRA"), s("NOR")],
            on: day(11),
        }]);
}

#[test]
fn rules_change_only_with_a_decision_and_must_be_workable() {
    let decision = DecisionReference {
        meeting_id: id("rc-1"),
        decision_number: 3,
        symbol: DocumentSymbol::parse("A/CONF.1/DEC/3").unwrap(),
    };
    let rules = RulesOfProcedure {
        quorum_to_open: Fraction::at_least(1, 3),
        ..RulesOfProcedure::default()
    };
    BodyTest::with(())
        .given(vec![established()])
        .when(BodyCommand::ModifyRulesOfProcedure {
            rules: rules.clone(),
            decision: decision.clone(),
        })
        .then_expect_events(vec![BodyEvent::RulesOfProcedureModified {
            rules,
            decision: decision.clone(),
        }]);
    let bad = RulesOfProcedure {
        motion_precedence: vec![MotionKind::CloseDebate, MotionKind::CloseDebate],
        ..RulesOfProcedure::default()
    };
    BodyTest::with(())
        .given(vec![established()])
        .when(BodyCommand::ModifyRulesOfProcedure {
            rules: bad,
            decision,
        })
        .then_expect_error_message("The rules of procedure are not workable: the motion to close the debate is listed twice in the order of precedence.");
}

#[test]
fn error_codes_are_distinct_and_classified() {
    let errors = [
        BodyError::AlreadyEstablished,
        BodyError::NotEstablished,
        BodyError::NoMembers,
        BodyError::InvalidRules(String::new()),
        BodyError::AlreadyMember(s("NOR")),
        BodyError::NotAMember(s("NOR")),
        BodyError::AlreadyRegistered(id("x")),
        BodyError::UnknownStakeholder(id("x")),
        BodyError::AlreadyAccredited(id("x")),
        BodyError::AccreditationPending(id("x")),
        BodyError::NoAccreditationPending(id("x")),
        BodyError::NoticeEndsTooEarly {
            notice_ends: day(1),
            now: day(1),
        },
        BodyError::NoticePeriodOver {
            organisation: id("x"),
            notice_ended: day(1),
        },
        BodyError::NoticePeriodNotOver {
            organisation: id("x"),
            notice_ends: day(1),
        },
        BodyError::AlreadyObjected {
            state: s("NOR"),
            organisation: id("x"),
        },
        BodyError::NoObjectionToWithdraw {
            state: s("NOR"),
            organisation: id("x"),
        },
    ];
    let codes: std::collections::BTreeSet<_> = errors.iter().map(|e| e.code()).collect();
    assert_eq!(codes.len(), errors.len());
    assert!(BodyError::NotEstablished.is_conflict());
    assert!(!BodyError::NotAMember(s("NOR")).is_conflict());
}

#[test]
fn body_survives_a_json_snapshot() {
    let mut body = Body::default();
    for e in [established(), registered_ngo(), proposed(), objected("BRA")] {
        cqrs_es::Aggregate::apply(&mut body, e);
    }
    let json = serde_json::to_string(&body).unwrap();
    assert_eq!(serde_json::from_str::<Body>(&json).unwrap(), body);
}

#[test]
fn accreditations_fall_due_the_day_after_the_notice_period_ends() {
    let mut body = Body::default();
    for e in [established(), registered_ngo(), proposed()] {
        cqrs_es::Aggregate::apply(&mut body, e);
    }
    assert!(body.accreditations_due(day(10)).is_empty());
    assert_eq!(body.accreditations_due(day(11)), vec![id("ngo-1")]);
    cqrs_es::Aggregate::apply(
        &mut body,
        BodyEvent::StakeholderAccredited {
            organisation_id: id("ngo-1"),
            on: day(11),
        },
    );
    assert!(body.accreditations_due(day(20)).is_empty());
}

#[test]
fn handling_a_command_leaves_the_body_it_was_decided_on_unchanged() {
    // The store keeps the state cqrs-es computes from the loaded body plus the events; that is
    // right only if `handle` does not apply them itself (see `domain::emit`).
    let mut body = Body::default();
    let establish = BodyCommand::EstablishBody {
        body_id: id("poa"),
        name: text("Programme of Action on ICT security"),
        parent_body: None,
        founding_document: None,
        members: vec![s("NOR"), s("BRA")],
        rules: None,
    };
    let events = crate::domain::handle_and_apply(&mut body, establish).unwrap();
    assert_eq!(events.len(), 1);
    let register = BodyCommand::RegisterStakeholder {
        organisation_id: id("ngo-1"),
        name: text("Cyber Peace Institute"),
        kind: StakeholderKind::CivilSociety,
        already_accredited: false,
    };
    crate::domain::handle_and_apply(&mut body, register).unwrap();
    assert_eq!(body.stakeholders.len(), 1);
}

#[test]
fn a_body_publishes_everything_until_it_chooses() {
    let mut body = Body::default();
    cqrs_es::Aggregate::apply(&mut body, established());
    assert!(body.publishes(PublicRecord::Submissions));
    // The set is kept sorted and without duplicates, whatever order it came in.
    BodyTest::with(())
        .given(vec![established()])
        .when(BodyCommand::SetPublicRecords {
            records: vec![
                PublicRecord::Register,
                PublicRecord::Framework,
                PublicRecord::Register,
            ],
        })
        .then_expect_events(vec![BodyEvent::PublicRecordsSet {
            records: vec![PublicRecord::Framework, PublicRecord::Register],
        }]);
    cqrs_es::Aggregate::apply(
        &mut body,
        BodyEvent::PublicRecordsSet {
            records: vec![PublicRecord::Framework, PublicRecord::Register],
        },
    );
    assert!(body.publishes(PublicRecord::Register));
    assert!(!body.publishes(PublicRecord::Submissions));
    cqrs_es::Aggregate::apply(&mut body, BodyEvent::PublicRecordsSet { records: vec![] });
    assert!(!body.publishes(PublicRecord::Framework));
}

#[test]
fn public_records_need_an_established_body() {
    BodyTest::with(())
        .given_no_previous_events()
        .when(BodyCommand::SetPublicRecords { records: vec![] })
        .then_expect_error(BodyError::NotEstablished);
}

#[test]
fn a_state_is_in_one_regional_group_at_a_time() {
    let weog = BodyEvent::RegionalGroupSet {
        group: text("WEOG"),
        states: vec![s("FRA"), s("NOR")],
    };
    BodyTest::with(())
        .given(vec![established()])
        .when(BodyCommand::SetRegionalGroup {
            group: text("WEOG"),
            states: vec![s("NOR"), s("FRA"), s("NOR")],
        })
        .then_expect_events(vec![weog.clone()]);
    BodyTest::with(())
        .given(vec![established(), weog.clone()])
        .when(BodyCommand::SetRegionalGroup {
            group: text("GRULAC"),
            states: vec![s("BRA"), s("FRA")],
        })
        .then_expect_error(BodyError::InAnotherGroup {
            state: s("FRA"),
            group: "WEOG".into(),
        });
    // The same group may be restated, and an empty list dissolves it.
    BodyTest::with(())
        .given(vec![established(), weog.clone()])
        .when(BodyCommand::SetRegionalGroup {
            group: text("WEOG"),
            states: vec![s("NOR")],
        })
        .then_expect_events(vec![BodyEvent::RegionalGroupSet {
            group: text("WEOG"),
            states: vec![s("NOR")],
        }]);
    let mut body = Body::default();
    cqrs_es::Aggregate::apply(&mut body, established());
    cqrs_es::Aggregate::apply(&mut body, weog);
    assert_eq!(body.regional_group(&s("FRA")), Some(&text("WEOG")));
    assert_eq!(body.regional_group(&s("BRA")), None);
    cqrs_es::Aggregate::apply(
        &mut body,
        BodyEvent::RegionalGroupSet {
            group: text("WEOG"),
            states: vec![],
        },
    );
    assert!(body.regional_groups.is_empty());
}

#[test]
fn a_regional_group_name_is_one_trimmed_line() {
    for bad in [" WEOG", "WEOG\nGRULAC", &"x".repeat(101)] {
        BodyTest::with(())
            .given(vec![established()])
            .when(BodyCommand::SetRegionalGroup {
                group: text(bad),
                states: vec![s("NOR")],
            })
            .then_expect_error(BodyError::GroupName);
    }
}

fn item_added() -> BodyEvent {
    BodyEvent::WorkItemAdded {
        item_id: id("needs-mapping"),
        title: text("A template for mapping national needs"),
        description: None,
        mandate: Some(DocumentSymbol::parse("PoA/RC.1/2026/DEC/4").unwrap()),
        due: Some(day(30)),
        on: day(2),
    }
}

#[test]
fn a_work_item_is_added_once_and_not_due_before_it_exists() {
    let add = |item: &str, due: Option<Date>| BodyCommand::AddWorkItem {
        item_id: id(item),
        title: text("A template for mapping national needs"),
        description: None,
        mandate: Some(DocumentSymbol::parse("PoA/RC.1/2026/DEC/4").unwrap()),
        due,
        now: day(2),
    };
    BodyTest::with(())
        .given(vec![established()])
        .when(add("needs-mapping", Some(day(30))))
        .then_expect_events(vec![item_added()]);
    BodyTest::with(())
        .given(vec![established(), item_added()])
        .when(add("needs-mapping", None))
        .then_expect_error(BodyError::WorkItemExists(id("needs-mapping")));
    BodyTest::with(())
        .given(vec![established()])
        .when(add("late", Some(day(1))))
        .then_expect_error(BodyError::DueBeforeAdded {
            due: day(1),
            added_on: day(2),
        });
}

#[test]
fn a_work_item_progresses_until_it_is_closed() {
    let progress =
        |status: WorkItemStatus, note: Option<&str>| BodyCommand::RecordWorkItemProgress {
            item_id: id("needs-mapping"),
            status,
            note: note.map(text),
            output: None,
            now: day(10),
        };
    let started = BodyEvent::WorkItemProgressed {
        item_id: id("needs-mapping"),
        status: WorkItemStatus::InProgress,
        note: Some(text("A first draft is with the States")),
        output: None,
        on: day(10),
    };
    BodyTest::with(())
        .given(vec![established(), item_added()])
        .when(progress(
            WorkItemStatus::InProgress,
            Some("A first draft is with the States"),
        ))
        .then_expect_events(vec![started.clone()]);
    // The same status again says nothing new unless it brings a note or an output.
    BodyTest::with(())
        .given(vec![established(), item_added(), started.clone()])
        .when(progress(WorkItemStatus::InProgress, None))
        .then_expect_error(BodyError::NothingToRecord(id("needs-mapping")));
    let done = BodyEvent::WorkItemProgressed {
        item_id: id("needs-mapping"),
        status: WorkItemStatus::Completed,
        note: None,
        output: Some(DocumentSymbol::parse("PoA/CBWG/2026/1").unwrap()),
        on: day(20),
    };
    BodyTest::with(())
        .given(vec![
            established(),
            item_added(),
            started.clone(),
            done.clone(),
        ])
        .when(progress(WorkItemStatus::InProgress, Some("again")))
        .then_expect_error(BodyError::WorkItemClosed {
            item: id("needs-mapping"),
            status: "Completed".into(),
            on: day(20),
        });
    BodyTest::with(())
        .given(vec![established()])
        .when(progress(WorkItemStatus::InProgress, Some("x")))
        .then_expect_error(BodyError::UnknownWorkItem(id("needs-mapping")));

    let mut body = Body::default();
    for e in [established(), item_added(), started, done] {
        cqrs_es::Aggregate::apply(&mut body, e);
    }
    let item = &body.work_items[&id("needs-mapping")];
    assert_eq!(item.status, WorkItemStatus::Completed);
    assert_eq!(item.steps.len(), 2);
    assert_eq!(
        item.outputs().map(|d| d.to_string()).collect::<Vec<_>>(),
        ["PoA/CBWG/2026/1"]
    );
    assert!(
        !item.is_overdue(day(31)),
        "a completed item is never overdue"
    );
}

#[test]
fn an_open_item_past_its_day_is_overdue() {
    let mut body = Body::default();
    for e in [established(), item_added()] {
        cqrs_es::Aggregate::apply(&mut body, e);
    }
    let item = &body.work_items[&id("needs-mapping")];
    assert!(!item.is_overdue(day(30)));
    assert!(item.is_overdue(day(31)));
}

mod properties {
    //! Whatever the secretariat sends, in whatever order, the regional groups and the
    //! programme of work keep their invariants.

    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    const STATES: [&str; 6] = ["BRA", "FRA", "KEN", "NOR", "USA", "IND"];
    const GROUPS: [&str; 3] = ["African States", "WEOG", "GRULAC"];
    const STATUSES: [WorkItemStatus; 4] = [
        WorkItemStatus::Planned,
        WorkItemStatus::InProgress,
        WorkItemStatus::Completed,
        WorkItemStatus::Discontinued,
    ];

    fn run(body: &mut Body, command: BodyCommand) -> bool {
        match body.decide(command) {
            Ok(events) => {
                for e in events {
                    cqrs_es::Aggregate::apply(body, e);
                }
                true
            }
            Err(_) => false,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn a_state_is_never_in_two_groups_and_no_group_is_empty(
            commands in prop::collection::vec(
                (0..GROUPS.len(), prop::collection::vec(0..STATES.len(), 0..4)),
                0..25,
            )
        ) {
            let mut body = Body::default();
            cqrs_es::Aggregate::apply(&mut body, established());
            for (group, states) in commands {
                run(&mut body, BodyCommand::SetRegionalGroup {
                    group: text(GROUPS[group]),
                    states: states.iter().map(|i| s(STATES[*i])).collect(),
                });
                let mut seen: BTreeMap<StateCode, usize> = BTreeMap::new();
                for members in body.regional_groups.values() {
                    prop_assert!(!members.is_empty());
                    for m in members {
                        *seen.entry(m.clone()).or_default() += 1;
                    }
                }
                prop_assert!(seen.values().all(|n| *n == 1), "{:?}", body.regional_groups);
            }
        }

        #[test]
        fn a_closed_task_never_changes_and_every_step_is_kept(
            steps in prop::collection::vec((0..STATUSES.len(), any::<bool>()), 0..20)
        ) {
            let mut body = Body::default();
            cqrs_es::Aggregate::apply(&mut body, established());
            cqrs_es::Aggregate::apply(&mut body, item_added());
            let item = id("needs-mapping");
            let mut accepted = 0;
            for (status, with_note) in steps {
                let before = body.work_items[&item].clone();
                let ok = run(&mut body, BodyCommand::RecordWorkItemProgress {
                    item_id: item.clone(),
                    status: STATUSES[status],
                    note: with_note.then(|| text("a note")),
                    output: None,
                    now: day(10),
                });
                let after = &body.work_items[&item];
                if before.status.is_closed() {
                    prop_assert!(!ok);
                }
                if ok {
                    accepted += 1;
                    prop_assert_eq!(after.status, STATUSES[status]);
                } else {
                    prop_assert_eq!(&before, after);
                }
                prop_assert_eq!(after.steps.len(), accepted);
            }
        }
    }
}
