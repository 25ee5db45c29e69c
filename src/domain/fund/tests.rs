use cqrs_es::test::TestFramework;

use super::*;
use crate::domain::values::{Date, Id, Party, StateCode, Text};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn established() -> FundEvent {
    FundEvent::FundEstablished {
        body_id: Id::parse("poa").unwrap(),
        name: Text::parse("Capacity-building trust fund").unwrap(),
        currency: "USD".into(),
    }
}

fn entry(id: &str, kind: EntryKind, amount: u64, date: &str) -> Entry {
    let disbursing = kind == EntryKind::Disbursement;
    Entry {
        entry_id: Id::parse(id).unwrap(),
        kind,
        donor: (!disbursing).then(|| Party::State(StateCode::parse("NOR").unwrap())),
        recipient: disbursing.then(|| Text::parse("KE-CIRT/CC").unwrap()),
        amount,
        purpose: Text::parse("CERT development").unwrap(),
        date: d(date),
    }
}

fn record(e: Entry) -> FundCommand {
    FundCommand::RecordEntry {
        entry_id: e.entry_id,
        kind: e.kind,
        donor: e.donor,
        recipient: e.recipient,
        amount: e.amount,
        purpose: e.purpose,
        date: e.date,
        today: d("2026-12-01"),
    }
}

#[test]
fn pledges_do_not_count_contributions_do_and_the_balance_is_read_as_of_a_date() {
    let pledge = entry("p1", EntryKind::Pledge, 500_000, "2026-02-01");
    let paid = entry("c1", EntryKind::Contribution, 300_000, "2026-03-01");
    let out = entry("d1", EntryKind::Disbursement, 120_000, "2026-06-01");
    let mut f = Fund::default();
    for e in [
        established(),
        FundEvent::EntryRecorded(pledge),
        FundEvent::EntryRecorded(paid),
        FundEvent::EntryRecorded(out),
    ] {
        cqrs_es::Aggregate::apply(&mut f, e);
    }
    assert_eq!(f.balance_on(d("2026-02-28")), 0);
    assert_eq!(f.balance_on(d("2026-03-01")), 300_000);
    assert_eq!(f.balance_on(d("2026-12-31")), 180_000);
}

#[test]
fn a_disbursement_never_overdraws_the_fund_on_its_day_or_after() {
    let t = || TestFramework::<Fund>::with(());
    let paid = FundEvent::EntryRecorded(entry("c1", EntryKind::Contribution, 100, "2026-03-01"));
    // Before the money came in.
    t().given(vec![established(), paid.clone()])
        .when(record(entry(
            "d1",
            EntryKind::Disbursement,
            50,
            "2026-02-01",
        )))
        .then_expect_error(FundError::Overdrawn {
            amount: 50,
            date: d("2026-02-01"),
            on: d("2026-02-01"),
            balance: 0,
        });
    // Backdated under an existing later disbursement that used the money.
    let spent = FundEvent::EntryRecorded(entry("d0", EntryKind::Disbursement, 80, "2026-05-01"));
    t().given(vec![established(), paid.clone(), spent])
        .when(record(entry(
            "d1",
            EntryKind::Disbursement,
            30,
            "2026-04-01",
        )))
        .then_expect_error(FundError::Overdrawn {
            amount: 30,
            date: d("2026-04-01"),
            on: d("2026-05-01"),
            balance: 20,
        });
    t().given(vec![established(), paid])
        .when(record(entry(
            "d1",
            EntryKind::Disbursement,
            100,
            "2026-03-01",
        )))
        .then_expect_events(vec![FundEvent::EntryRecorded(entry(
            "d1",
            EntryKind::Disbursement,
            100,
            "2026-03-01",
        ))]);
}

#[test]
fn refusals_name_the_rule() {
    let t = || TestFramework::<Fund>::with(());
    t().given(vec![established()])
        .when(record(entry(
            "c1",
            EntryKind::Contribution,
            0,
            "2026-03-01",
        )))
        .then_expect_error(FundError::ZeroAmount);
    t().given(vec![established()])
        .when(record(entry(
            "c1",
            EntryKind::Contribution,
            5,
            "2027-03-01",
        )))
        .then_expect_error(FundError::FutureDate {
            date: d("2027-03-01"),
            today: d("2026-12-01"),
        });
    let mut no_donor = entry("c1", EntryKind::Contribution, 5, "2026-03-01");
    no_donor.donor = None;
    t().given(vec![established()])
        .when(record(no_donor))
        .then_expect_error(FundError::WrongParty);
    t().given_no_previous_events()
        .when(record(entry(
            "c1",
            EntryKind::Contribution,
            5,
            "2026-03-01",
        )))
        .then_expect_error(FundError::NotEstablished);
    t().given_no_previous_events()
        .when(FundCommand::EstablishFund {
            body_id: Id::parse("poa").unwrap(),
            name: Text::parse("Fund").unwrap(),
            currency: "usd".into(),
        })
        .then_expect_error(FundError::Currency("usd".into()));
}
