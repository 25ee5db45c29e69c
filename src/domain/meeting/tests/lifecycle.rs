//! Convening, opening, suspending, resuming and closing.

use super::*;

#[test]
fn convening_snapshots_rules_and_sorted_members() {
    let mut members: Vec<StateCode> = MEMBERS.iter().rev().map(|c| s(c)).collect();
    members.push(s("NOR"));
    accepted(
        vec![],
        convene_with(
            MeetingKind::ReviewConference,
            members,
            RulesOfProcedure::default(),
        ),
        run(vec![convene()]),
    );
    match &run(vec![convene()])[0] {
        MeetingEvent::MeetingConvened { members, rules, .. } => {
            assert_eq!(members.len(), 5);
            assert_eq!(members[0], s("BRA"));
            assert_eq!(rules, &RulesOfProcedure::default());
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_meeting_is_convened_once() {
    refused(
        run(vec![convene()]),
        convene(),
        "This meeting has already been convened.",
    );
}

#[test]
fn nothing_happens_before_convening() {
    refused(
        vec![],
        MeetingCommand::Open { now: day(6) },
        "This meeting has not been convened.",
    );
}

#[test]
fn convening_checks_dates_symbol_members_and_rules() {
    let mut c = convene();
    if let MeetingCommand::Convene { ends, .. } = &mut c {
        *ends = day(5);
    }
    refused(
        vec![],
        c,
        "The end date (2026-07-05) is before the start date (2026-07-06).",
    );
    let mut c = convene();
    if let MeetingCommand::Convene { symbol, .. } = &mut c {
        *symbol = sym(&"A".repeat(86));
    }
    MeetingTest::with(())
        .given_no_previous_events()
        .when(c)
        .then_expect_error(MeetingError::SymbolTooLong(sym(&"A".repeat(86))));
    refused(
        vec![],
        convene_with(
            MeetingKind::PeriodicMeeting,
            vec![],
            RulesOfProcedure::default(),
        ),
        "The meeting has no member States to count a quorum against.",
    );
    let rules = RulesOfProcedure {
        quorum_to_decide: Fraction::at_least(3, 0),
        ..RulesOfProcedure::default()
    };
    refused(
        vec![],
        convene_with(MeetingKind::PeriodicMeeting, vec![s("NOR")], rules),
        "The rules of procedure are not workable: quorum to decide: 3/0 has a zero denominator.",
    );
}

#[test]
fn opening_records_the_quorum() {
    let mut c = vec![convene()];
    c.extend(present(&["BRA", "NOR"]));
    accepted(
        run(c),
        MeetingCommand::Open { now: day(6) },
        vec![MeetingEvent::MeetingOpened {
            on: day(6),
            states_present: 2,
            members: 5,
            quorum_needed: 2,
        }],
    );
}

#[test]
fn sitting_outside_the_convened_dates_is_recorded_not_refused() {
    let mut c = vec![convene()];
    c.extend(present(&["BRA", "NOR"]));
    let opened = |on| MeetingEvent::MeetingOpened {
        on,
        states_present: 2,
        members: 5,
        quorum_needed: 2,
    };
    let (starts, ends) = (day(6), day(10));
    // Within the dates: nothing to remark.
    accepted(
        run(c.clone()),
        MeetingCommand::Open { now: day(10) },
        vec![opened(day(10))],
    );
    // A day late: it opens, and the log says it sat outside its dates.
    let late = day(12);
    accepted(
        run(c.clone()),
        MeetingCommand::Open { now: late },
        vec![
            opened(late),
            MeetingEvent::SatOutsideConvenedDates {
                on: late,
                starts,
                ends,
            },
        ],
    );
    // Resumed the same late day: already on the record. Another late day: recorded again.
    c.push(MeetingCommand::Open { now: late });
    c.push(MeetingCommand::Suspend { now: late });
    accepted(
        run(c.clone()),
        MeetingCommand::Resume { now: late },
        vec![MeetingEvent::MeetingResumed { on: late }],
    );
    let given = run(c.clone());
    let mut m = Meeting::default();
    for e in given.clone() {
        cqrs_es::Aggregate::apply(&mut m, e);
    }
    assert_eq!(m.sat_outside_dates, vec![late]);
    accepted(
        given,
        MeetingCommand::Resume { now: day(13) },
        vec![
            MeetingEvent::MeetingResumed { on: day(13) },
            MeetingEvent::SatOutsideConvenedDates {
                on: day(13),
                starts,
                ends,
            },
        ],
    );
}

fn members(n: usize) -> Vec<StateCode> {
    let letters: Vec<char> = ('A'..='Z').collect();
    (0..n)
        .map(|i| {
            s(&format!(
                "{}{}{}",
                letters[i / 26 / 26 % 26],
                letters[i / 26 % 26],
                letters[i % 26]
            ))
        })
        .collect()
}

#[test]
fn no_quorum_no_opening() {
    let all = members(193);
    let mut c = vec![convene_with(
        MeetingKind::ReviewConference,
        all.clone(),
        RulesOfProcedure::default(),
    )];
    c.extend(
        all.iter()
            .take(41)
            .map(|m| MeetingCommand::MarkPresent { state: m.clone() }),
    );
    refused(
        run(c),
        MeetingCommand::Open { now: day(6) },
        "No quorum: 41 of 193 members present, 49 needed to open.",
    );
}

#[test]
fn the_quorum_to_open_comes_from_the_rules() {
    let rules = RulesOfProcedure {
        quorum_to_open: Fraction::more_than(1, 2),
        ..RulesOfProcedure::default()
    };
    let mut c = vec![convene_with(
        MeetingKind::PeriodicMeeting,
        MEMBERS.iter().map(|c| s(c)).collect(),
        rules,
    )];
    c.extend(present(&["BRA", "NOR"]));
    refused(
        run(c),
        MeetingCommand::Open { now: day(6) },
        "No quorum: 2 of 5 members present, 3 needed to open.",
    );
}

#[test]
fn a_consultative_day_needs_no_state_quorum() {
    accepted(
        run(vec![convene_with(
            MeetingKind::ConsultativeDay,
            vec![],
            RulesOfProcedure::default(),
        )]),
        MeetingCommand::Open { now: day(6) },
        vec![MeetingEvent::MeetingOpened {
            on: day(6),
            states_present: 0,
            members: 0,
            quorum_needed: 0,
        }],
    );
}

#[test]
fn suspend_resume_close() {
    accepted(
        opened(),
        MeetingCommand::Suspend { now: day(6) },
        vec![MeetingEvent::MeetingSuspended {
            on: day(6),
            by_motion: None,
        }],
    );
    let suspended = with(opened_cmds(), vec![MeetingCommand::Suspend { now: day(6) }]);
    accepted(
        suspended.clone(),
        MeetingCommand::Resume { now: day(7) },
        vec![MeetingEvent::MeetingResumed { on: day(7) }],
    );
    accepted(
        suspended.clone(),
        MeetingCommand::Close { now: day(7) },
        vec![MeetingEvent::MeetingClosed {
            on: day(7),
            by_motion: None,
        }],
    );
    refused(
        opened(),
        MeetingCommand::Resume { now: day(7) },
        "Cannot resume the meeting: the meeting is open.",
    );
    refused(
        opened(),
        MeetingCommand::Open { now: day(7) },
        "Cannot open the meeting: the meeting is open.",
    );
    refused(
        run(vec![convene()]),
        MeetingCommand::Close { now: day(7) },
        "Cannot close the meeting: the meeting is convened but not yet open.",
    );
    refused(
        suspended,
        MeetingCommand::Suspend { now: day(7) },
        "Cannot suspend the meeting: the meeting is suspended.",
    );
}

#[test]
fn business_waits_while_the_meeting_is_suspended() {
    let suspended = with(
        in_session_cmds(),
        vec![MeetingCommand::Suspend { now: day(6) }],
    );
    refused(
        suspended,
        MeetingCommand::TakeUpItem { item: 2 },
        "Cannot take up an item: the meeting is suspended.",
    );
}

#[test]
fn a_closed_meeting_takes_no_attendance() {
    let closed = with(opened_cmds(), vec![MeetingCommand::Close { now: day(6) }]);
    refused(
        closed,
        MeetingCommand::MarkPresent { state: s("USA") },
        "Cannot record attendance: the meeting is closed.",
    );
}

#[test]
fn a_programme_link_must_name_an_item_of_an_adopted_programme_of_work() {
    let link = |item: u32| ProgrammeLink {
        meeting_id: id("rc-1"),
        item,
    };
    let mut conference = Meeting::default();
    for e in on_item(2) {
        conference.apply(e);
    }
    assert_eq!(
        conference.check_programme_link(&link(1)),
        Err(MeetingError::NoProgrammeOfWork(id("rc-1")))
    );
    conference.apply(MeetingEvent::ProgrammeOfWorkAdopted {
        decision_number: 2,
        meetings: programme(),
    });
    assert_eq!(
        conference.check_programme_link(&link(1)),
        Ok(&programme()[0])
    );
    for item in [0, 2, 5] {
        let refusal = conference.check_programme_link(&link(item)).unwrap_err();
        assert_eq!(
            refusal,
            MeetingError::NotInProgrammeOfWork {
                meeting_id: id("rc-1"),
                item,
                scheduled: 1,
            }
        );
        assert!(!refusal.is_conflict());
    }
}

#[test]
fn only_a_consultative_day_precedes_a_conference_of_its_body() {
    let with_precedes = |kind: MeetingKind| {
        let mut c = convene_with(
            kind,
            MEMBERS.iter().map(|c| s(c)).collect(),
            RulesOfProcedure::default(),
        );
        if let MeetingCommand::Convene { precedes, .. } = &mut c {
            *precedes = Some(id("rc-2"));
        }
        c
    };
    let refused = Meeting::default()
        .decide(with_precedes(MeetingKind::PeriodicMeeting))
        .unwrap_err();
    assert_eq!(refused, MeetingError::OnlyAConsultativeDayPrecedes);
    let events = Meeting::default()
        .decide(with_precedes(MeetingKind::ConsultativeDay))
        .unwrap();
    let mut day = Meeting::default();
    for e in events {
        cqrs_es::Aggregate::apply(&mut day, e);
    }
    assert_eq!(day.precedes, Some(id("rc-2")));

    // The conference checks what may precede it: its own body's consultative day, ending
    // on or before its first day (6 to 10 March here).
    let mut conference = Meeting::default();
    for e in Meeting::default().decide(convene()).unwrap() {
        cqrs_es::Aggregate::apply(&mut conference, e);
    }
    let rc = id("rc-1");
    assert_eq!(
        conference.check_preceded_by(&rc, &id("poa"), self::day(6)),
        Ok(())
    );
    assert_eq!(
        conference.check_preceded_by(&rc, &id("other"), self::day(5)),
        Err(MeetingError::PrecedesAnotherBody {
            meeting_id: rc.clone(),
            body_id: id("other")
        })
    );
    assert_eq!(
        conference.check_preceded_by(&rc, &id("poa"), self::day(7)),
        Err(MeetingError::DoesNotPrecede {
            meeting_id: rc.clone(),
            starts: self::day(6),
            ends: self::day(7)
        })
    );
    assert_eq!(
        day.check_preceded_by(&id("cd-1"), &id("poa"), self::day(1)),
        Err(MeetingError::NotPrecededByConsultativeDay(id("cd-1")))
    );
}
