use cqrs_es::test::TestFramework;

use super::*;
use crate::domain::values::{Date, Id, StateCode, Text};

fn s(code: &str) -> StateCode {
    StateCode::parse(code).unwrap()
}

fn cohort(name: &str, states: &[&str]) -> Cohort {
    Cohort {
        name: Text::parse(name).unwrap(),
        states: states.iter().map(|c| s(c)).collect(),
    }
}

fn date(d: &str) -> Date {
    d.parse().unwrap()
}

fn set(cohorts: Vec<Cohort>, months: u32) -> ReportingCommand {
    ReportingCommand::SetSchedule {
        first_cycle_starts: date("2026-01-01"),
        cycle_months: months,
        cohorts,
        questions: vec![Question {
            id: Id::parse("q1").unwrap(),
            text: Text::parse("Has your State designated a national point of contact?").unwrap(),
        }],
        members: ["NOR", "SWE", "BRA", "EGY", "IDN"]
            .iter()
            .map(|c| s(c))
            .collect(),
    }
}

#[test]
fn cohorts_report_in_turn_so_no_state_reports_every_cycle() {
    let schedule = Schedule {
        first_cycle_starts: date("2026-01-01"),
        cycle_months: 12,
        cohorts: vec![
            cohort("Europe", &["NOR", "SWE"]),
            cohort("Others", &["BRA"]),
        ],
        questions: vec![],
    };
    assert_eq!(
        schedule.cycle_dates(1),
        Some((date("2026-01-01"), date("2026-12-31")))
    );
    assert_eq!(
        schedule.cycle_dates(3),
        Some((date("2028-01-01"), date("2028-12-31")))
    );
    assert_eq!(schedule.cycle_of(date("2025-12-31")), None);
    assert_eq!(schedule.cycle_of(date("2026-12-31")), Some(1));
    assert_eq!(schedule.cycle_of(date("2027-01-01")), Some(2));
    let due: Vec<&str> = (1..=4)
        .map(|k| schedule.cohort_due(k).unwrap().name.as_str())
        .collect();
    assert_eq!(due, ["Europe", "Others", "Europe", "Others"]);
    // A cycle starting mid-month: the day before the start is still the cycle before.
    let mid = Schedule {
        first_cycle_starts: date("2026-03-15"),
        cycle_months: 6,
        ..schedule
    };
    assert_eq!(mid.cycle_of(date("2026-09-14")), Some(1));
    assert_eq!(mid.cycle_of(date("2026-09-15")), Some(2));
}

#[test]
fn a_schedule_is_refused_with_the_rule_it_breaks() {
    let t = || TestFramework::<ReportingSchedule>::with(());
    t().given_no_previous_events()
        .when(set(vec![cohort("A", &["NOR"])], 0))
        .then_expect_error(ReportingError::CycleLength(0));
    t().given_no_previous_events()
        .when(set(vec![], 12))
        .then_expect_error(ReportingError::CohortCount(0));
    t().given_no_previous_events()
        .when(set(vec![cohort("A", &["NOR"]), cohort("B", &[])], 12))
        .then_expect_error(ReportingError::EmptyCohort(2));
    t().given_no_previous_events()
        .when(set(
            vec![cohort("A", &["NOR"]), cohort("B", &["SWE", "NOR"])],
            12,
        ))
        .then_expect_error(ReportingError::StateInTwoCohorts {
            state: s("NOR"),
            first: 1,
            second: 2,
        });
    t().given_no_previous_events()
        .when(set(vec![cohort("A", &["FRA"])], 12))
        .then_expect_error(ReportingError::NotAMember(s("FRA")));
    let ReportingCommand::SetSchedule {
        first_cycle_starts,
        cycle_months,
        cohorts,
        questions,
        ..
    } = set(vec![cohort("A", &["NOR", "SWE"])], 12);
    t().given_no_previous_events()
        .when(set(vec![cohort("A", &["NOR", "SWE"])], 12))
        .then_expect_events(vec![ReportingEvent::ScheduleSet {
            first_cycle_starts,
            cycle_months,
            cohorts,
            questions,
        }]);
}
