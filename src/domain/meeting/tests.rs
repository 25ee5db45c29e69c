//! Given / when / then tests: one per rule, and one per refusal with its message.

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use super::*;
use crate::domain::body::{Fraction, MotionKind, RulesOfProcedure, StakeholderKind, Tally};
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

type MeetingTest = TestFramework<Meeting>;

pub(super) fn s(code: &str) -> StateCode {
    StateCode::parse(code).unwrap()
}
pub(super) fn id(raw: &str) -> Id {
    Id::parse(raw).unwrap()
}
pub(super) fn t(raw: &str) -> Text {
    Text::parse(raw).unwrap()
}
pub(super) fn day(d: u32) -> Date {
    Date::from_ymd_opt(2026, 7, d).unwrap()
}
fn sym(raw: &str) -> DocumentSymbol {
    DocumentSymbol::parse(raw).unwrap()
}

pub(super) const MEMBERS: [&str; 5] = ["BRA", "FRA", "KEN", "NOR", "USA"];

pub(super) fn convene_with(
    kind: MeetingKind,
    members: Vec<StateCode>,
    rules: RulesOfProcedure,
) -> MeetingCommand {
    MeetingCommand::Convene {
        meeting_id: id("rc-1"),
        body_id: id("poa"),
        kind,
        symbol: sym("A/CONF.300/2026"),
        title: t("First Review Conference"),
        starts: day(6),
        ends: day(10),
        venue: t("New York"),
        chair: Chair {
            name: t("Ambassador Chair"),
            state: Some(s("KEN")),
        },
        programme_link: None,
        precedes: None,
        rules,
        members,
    }
}

pub(super) fn convene() -> MeetingCommand {
    convene_with(
        MeetingKind::ReviewConference,
        MEMBERS.iter().map(|c| s(c)).collect(),
        RulesOfProcedure::default(),
    )
}

/// Runs commands from scratch and returns every event; a refusal fails the test.
pub(super) fn run(commands: Vec<MeetingCommand>) -> Vec<MeetingEvent> {
    let mut meeting = Meeting::default();
    let mut all = Vec::new();
    for c in commands {
        let events = meeting
            .decide(c.clone())
            .unwrap_or_else(|e| panic!("{c:?} refused: {e}"));
        for e in events {
            meeting.apply(e.clone());
            all.push(e);
        }
    }
    all
}

fn present(codes: &[&str]) -> Vec<MeetingCommand> {
    codes
        .iter()
        .map(|c| MeetingCommand::MarkPresent { state: s(c) })
        .collect()
}

pub(super) fn item(number: u32, title: &str, nature: ItemNature) -> AgendaItem {
    AgendaItem {
        number,
        title: t(title),
        nature,
        documents: vec![],
    }
}

pub(super) fn provisional_items() -> Vec<AgendaItem> {
    vec![
        item(1, "Adoption of the agenda", ItemNature::Procedural),
        item(2, "Political Declaration", ItemNature::Substantive),
        item(3, "Programme of work", ItemNature::Substantive),
    ]
}

/// Open, four of five members present.
fn opened_cmds() -> Vec<MeetingCommand> {
    let mut c = vec![convene()];
    c.extend(present(&["BRA", "FRA", "KEN", "NOR"]));
    c.push(MeetingCommand::Open { now: day(6) });
    c
}

fn opened() -> Vec<MeetingEvent> {
    run(opened_cmds())
}

/// Open, with the agenda adopted (decision 1).
fn in_session_cmds() -> Vec<MeetingCommand> {
    let mut c = opened_cmds();
    c.push(MeetingCommand::IssueProvisionalAgenda {
        items: provisional_items(),
    });
    c.push(MeetingCommand::AdoptAgenda { now: day(6) });
    c
}

fn in_session() -> Vec<MeetingEvent> {
    run(in_session_cmds())
}

/// In session, taking up `n`.
fn on_item_cmds(n: u32) -> Vec<MeetingCommand> {
    let mut c = in_session_cmds();
    c.push(MeetingCommand::TakeUpItem { item: n });
    c
}

fn on_item(n: u32) -> Vec<MeetingEvent> {
    run(on_item_cmds(n))
}

fn with(mut base: Vec<MeetingCommand>, more: Vec<MeetingCommand>) -> Vec<MeetingEvent> {
    base.extend(more);
    run(base)
}

fn draft() -> ConsensusSubject {
    ConsensusSubject::DraftDecision {
        text: t("The Conference decides to establish a capacity-building working group."),
    }
}

fn call_draft() -> MeetingCommand {
    MeetingCommand::CallForConsensus {
        subject: draft(),
        amendment: None,
    }
}

fn accepted(given: Vec<MeetingEvent>, cmd: MeetingCommand, expected: Vec<MeetingEvent>) {
    MeetingTest::with(())
        .given(given)
        .when(cmd)
        .then_expect_events(expected);
}

fn refused(given: Vec<MeetingEvent>, cmd: MeetingCommand, message: &str) {
    MeetingTest::with(())
        .given(given)
        .when(cmd)
        .then_expect_error_message(message);
}

fn decision(
    number: u32,
    kind: DecisionKind,
    text: &str,
    how: HowTaken,
    agenda_item: Option<u32>,
) -> MeetingEvent {
    MeetingEvent::DecisionTaken {
        number,
        symbol: sym(&format!("A/CONF.300/2026/DEC/{number}")),
        meeting_id: id("rc-1"),
        date: day(7),
        agenda_item,
        kind,
        text: t(text),
        how,
        objections: vec![],
        explanations: vec![],
        consensus_call: None,
        entered: DecisionEntry::InTheRoom,
    }
}

// ---------------------------------------------------------------- convening and lifecycle

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
fn the_speaker_who_took_the_floor_is_recorded_from_the_delegation() {
    let mut base = vec![
        MeetingCommand::RegisterDelegation {
            state: s("NOR"),
            members: vec![
                delegate("Ms. Head", Some(Gender::Female), true),
                delegate("Mr. Adviser", Some(Gender::Male), false),
            ],
        },
        inscribe(2, Speaker::State(s("NOR"))),
    ];
    let identify = |state: &str, delegate: &str| MeetingCommand::IdentifySpeaker {
        item: 2,
        state: s(state),
        delegate: t(delegate),
    };
    // Not before the State was given the floor on that item.
    refused(
        with(on_item_cmds(2), base.clone()),
        identify("NOR", "Ms. Head"),
        "No statement of NOR on item 2 awaits its speaker: NOR was not given the floor there, or its speaker is already recorded.",
    );
    base.push(MeetingCommand::CallNextSpeaker { item: 2 });
    accepted(
        with(on_item_cmds(2), base.clone()),
        identify("NOR", "Ms. Head"),
        vec![MeetingEvent::SpeakerIdentified {
            item: 2,
            state: s("NOR"),
            delegate: t("Ms. Head"),
        }],
    );
    // Only a member of that delegation.
    refused(
        with(on_item_cmds(2), base.clone()),
        identify("NOR", "Someone Else"),
        "Someone Else is not a member of the delegation of NOR (delegate).",
    );
    // The state counts the statement and the speaker's gender, not the name; a statement's
    // speaker is recorded once.
    base.push(identify("NOR", "Ms. Head"));
    refused(
        with(on_item_cmds(2), base.clone()),
        identify("NOR", "Mr. Adviser"),
        "No statement of NOR on item 2 awaits its speaker: NOR was not given the floor there, or its speaker is already recorded.",
    );
    let mut m = Meeting::default();
    for e in with(on_item_cmds(2), base) {
        cqrs_es::Aggregate::apply(&mut m, e);
    }
    let nor = &m.statements[&s("NOR")];
    assert_eq!(nor.made, 1);
    assert_eq!(
        nor.speakers,
        [("female".to_owned(), 1)].into_iter().collect()
    );
    assert!(m.unidentified.is_empty());
}

// ---------------------------------------------------------------- attendance

fn delegate(name: &str, gender: Option<Gender>, head: bool) -> DelegateMember {
    DelegateMember {
        name: t(name),
        gender,
        head_of_delegation: head,
    }
}

#[test]
fn delegations_are_registered_for_member_states() {
    let members = vec![
        delegate("Head", Some(Gender::Female), true),
        delegate("Adviser", None, false),
    ];
    accepted(
        run(vec![convene()]),
        MeetingCommand::RegisterDelegation {
            state: s("NOR"),
            members: members.clone(),
        },
        vec![MeetingEvent::DelegationRegistered {
            state: s("NOR"),
            members,
        }],
    );
    refused(
        run(vec![convene()]),
        MeetingCommand::RegisterDelegation {
            state: s("DEU"),
            members: vec![delegate("X", None, true)],
        },
        "DEU is not a member of this body.",
    );
    refused(
        run(vec![convene()]),
        MeetingCommand::RegisterDelegation {
            state: s("NOR"),
            members: vec![],
        },
        "The delegation of NOR has no members.",
    );
    refused(
        run(vec![convene()]),
        MeetingCommand::RegisterDelegation {
            state: s("NOR"),
            members: vec![delegate("A", None, true), delegate("B", None, true)],
        },
        "The delegation of NOR names more than one head of delegation.",
    );
}

fn register_icrc() -> MeetingCommand {
    MeetingCommand::RegisterObserver {
        observer_id: id("icrc"),
        name: t("ICRC"),
    }
}

fn register_ngo(accredited: bool) -> MeetingCommand {
    MeetingCommand::RegisterStakeholder {
        organisation_id: id("ngo-1"),
        name: t("Cyber Peace Institute"),
        kind: StakeholderKind::CivilSociety,
        role: StakeholderRole::Participant,
        accredited,
    }
}

#[test]
fn observers_and_accredited_stakeholders_are_admitted_once() {
    accepted(
        run(vec![convene()]),
        register_icrc(),
        vec![MeetingEvent::ObserverAdmitted {
            observer_id: id("icrc"),
            name: t("ICRC"),
        }],
    );
    refused(
        run(vec![convene(), register_icrc()]),
        register_icrc(),
        "icrc is already registered for this meeting.",
    );
    accepted(
        run(vec![convene()]),
        register_ngo(true),
        vec![MeetingEvent::StakeholderAdmitted {
            organisation_id: id("ngo-1"),
            name: t("Cyber Peace Institute"),
            kind: StakeholderKind::CivilSociety,
            role: StakeholderRole::Participant,
        }],
    );
    refused(
        run(vec![convene()]),
        register_ngo(false),
        "ngo-1 is not accredited to this body; it can be invited once accredited.",
    );
    refused(
        run(vec![convene(), register_ngo(true)]),
        register_ngo(true),
        "ngo-1 is already registered for this meeting.",
    );
}

#[test]
fn presence_is_marked_and_counted() {
    accepted(
        run(vec![
            convene(),
            MeetingCommand::MarkPresent { state: s("NOR") },
        ]),
        MeetingCommand::MarkPresent { state: s("BRA") },
        vec![MeetingEvent::StateMarkedPresent {
            state: s("BRA"),
            states_present: 2,
        }],
    );
    accepted(
        opened(),
        MeetingCommand::MarkAbsent { state: s("BRA") },
        vec![MeetingEvent::StateMarkedAbsent {
            state: s("BRA"),
            states_present: 3,
        }],
    );
    refused(
        opened(),
        MeetingCommand::MarkPresent { state: s("BRA") },
        "BRA is already marked present.",
    );
    refused(
        opened(),
        MeetingCommand::MarkAbsent { state: s("USA") },
        "USA is not marked present.",
    );
    refused(
        opened(),
        MeetingCommand::MarkPresent { state: s("DEU") },
        "DEU is not a member of this body.",
    );
}

fn request_sponsorship() -> MeetingCommand {
    MeetingCommand::RequestSponsorship {
        request_id: id("sp-1"),
        expert: t("Dr. Expert"),
        state: s("KEN"),
        amount_usd: 4000,
    }
}

#[test]
fn sponsorship_is_requested_then_awarded_or_declined_once() {
    accepted(
        run(vec![convene()]),
        request_sponsorship(),
        vec![MeetingEvent::SponsorshipRequested {
            request_id: id("sp-1"),
            expert: t("Dr. Expert"),
            state: s("KEN"),
            amount_usd: 4000,
        }],
    );
    let requested = run(vec![convene(), request_sponsorship()]);
    accepted(
        requested.clone(),
        MeetingCommand::AwardSponsorship {
            request_id: id("sp-1"),
            fund_id: Some(id("sponsorship")),
        },
        vec![MeetingEvent::SponsorshipAwarded {
            request_id: id("sp-1"),
            expert: t("Dr. Expert"),
            state: s("KEN"),
            amount_usd: 4000,
            fund_id: Some(id("sponsorship")),
        }],
    );
    accepted(
        requested.clone(),
        MeetingCommand::DeclineSponsorship {
            request_id: id("sp-1"),
            reason: Some(t("Funds exhausted")),
        },
        vec![MeetingEvent::SponsorshipDeclined {
            request_id: id("sp-1"),
            reason: Some(t("Funds exhausted")),
        }],
    );
    refused(
        requested.clone(),
        request_sponsorship(),
        "sp-1 is already registered for this meeting.",
    );
    refused(
        run(vec![
            convene(),
            request_sponsorship(),
            MeetingCommand::AwardSponsorship {
                request_id: id("sp-1"),
                fund_id: None,
            },
        ]),
        MeetingCommand::DeclineSponsorship {
            request_id: id("sp-1"),
            reason: None,
        },
        "Sponsorship request sp-1 has already been decided.",
    );
    refused(
        requested,
        MeetingCommand::AwardSponsorship {
            request_id: id("sp-2"),
            fund_id: None,
        },
        "There is no sponsorship request sp-2.",
    );
    refused(
        run(vec![convene()]),
        MeetingCommand::RequestSponsorship {
            request_id: id("sp-1"),
            expert: t("Dr. Expert"),
            state: s("KEN"),
            amount_usd: 0,
        },
        "A sponsorship request must be for an amount above zero.",
    );
}

// ---------------------------------------------------------------- agenda

#[test]
fn the_provisional_agenda_is_checked() {
    accepted(
        opened(),
        MeetingCommand::IssueProvisionalAgenda {
            items: provisional_items(),
        },
        vec![MeetingEvent::ProvisionalAgendaIssued {
            items: provisional_items(),
        }],
    );
    refused(
        opened(),
        MeetingCommand::IssueProvisionalAgenda { items: vec![] },
        "The agenda has no items.",
    );
    refused(
        opened(),
        MeetingCommand::IssueProvisionalAgenda {
            items: vec![item(0, "Zero", ItemNature::Procedural)],
        },
        "Agenda items are numbered from 1.",
    );
    refused(
        opened(),
        MeetingCommand::IssueProvisionalAgenda {
            items: vec![
                item(1, "One", ItemNature::Procedural),
                item(1, "Again", ItemNature::Procedural),
            ],
        },
        "Item 1 appears more than once on the agenda.",
    );
    refused(
        in_session(),
        MeetingCommand::IssueProvisionalAgenda {
            items: provisional_items(),
        },
        "The agenda has already been adopted; changing it needs a decision.",
    );
}

#[test]
fn adopting_the_agenda_is_decision_number_one() {
    let mut given = opened_cmds();
    given.push(MeetingCommand::IssueProvisionalAgenda {
        items: provisional_items(),
    });
    accepted(
        run(given),
        MeetingCommand::AdoptAgenda { now: day(7) },
        vec![
            decision(
                1,
                DecisionKind::AgendaAdoption,
                "The agenda was adopted, with 3 items.",
                HowTaken::Consensus,
                None,
            ),
            MeetingEvent::AgendaAdopted {
                items: provisional_items(),
                decision_number: 1,
            },
        ],
    );
    refused(
        opened(),
        MeetingCommand::AdoptAgenda { now: day(7) },
        "There is no provisional agenda to adopt.",
    );
    refused(
        in_session(),
        MeetingCommand::AdoptAgenda { now: day(7) },
        "The agenda has already been adopted; changing it needs a decision.",
    );
    refused(
        run(vec![
            convene(),
            MeetingCommand::IssueProvisionalAgenda {
                items: provisional_items(),
            },
        ]),
        MeetingCommand::AdoptAgenda { now: day(7) },
        "Cannot adopt the agenda: the meeting is convened but not yet open.",
    );
}

#[test]
fn adding_an_item_to_the_adopted_agenda_is_a_decision() {
    let new = item(4, "Other matters", ItemNature::Procedural);
    accepted(
        in_session(),
        MeetingCommand::ChangeAgenda {
            change: AgendaChange::AddItem { item: new.clone() },
            now: day(7),
        },
        vec![
            decision(
                2,
                DecisionKind::AgendaChange,
                "Item 4 \"Other matters\" was added to the agenda.",
                HowTaken::Consensus,
                Some(4),
            ),
            MeetingEvent::AgendaItemAdded {
                item: new,
                decision_number: 2,
            },
        ],
    );
    refused(
        in_session(),
        MeetingCommand::ChangeAgenda {
            change: AgendaChange::AddItem {
                item: item(2, "Dup", ItemNature::Procedural),
            },
            now: day(7),
        },
        "Item 2 appears more than once on the agenda.",
    );
    refused(
        run(opened_cmds()),
        MeetingCommand::ChangeAgenda {
            change: AgendaChange::AddItem {
                item: item(4, "Early", ItemNature::Procedural),
            },
            now: day(7),
        },
        "The agenda has not been adopted yet.",
    );
}

#[test]
fn reordering_the_adopted_agenda_is_a_decision() {
    accepted(
        in_session(),
        MeetingCommand::ChangeAgenda {
            change: AgendaChange::Reorder {
                order: vec![1, 3, 2],
            },
            now: day(7),
        },
        vec![
            decision(
                2,
                DecisionKind::AgendaChange,
                "The agenda was reordered: items 1, 3, 2.",
                HowTaken::Consensus,
                None,
            ),
            MeetingEvent::AgendaReordered {
                order: vec![1, 3, 2],
                decision_number: 2,
            },
        ],
    );
    refused(
        in_session(),
        MeetingCommand::ChangeAgenda {
            change: AgendaChange::Reorder { order: vec![1, 3] },
            now: day(7),
        },
        "The new order must list every item of the agenda exactly once.",
    );
}

#[test]
fn deferring_an_item_is_a_decision_and_the_item_is_then_out_of_reach() {
    let defer = |n| MeetingCommand::ChangeAgenda {
        change: AgendaChange::DeferItem {
            item: n,
            to_meeting: Some(id("pm-1")),
        },
        now: day(7),
    };
    accepted(
        in_session(),
        defer(3),
        vec![
            decision(
                2,
                DecisionKind::AgendaChange,
                "Item 3 \"Programme of work\" was deferred to meeting pm-1.",
                HowTaken::Consensus,
                Some(3),
            ),
            MeetingEvent::AgendaItemDeferred {
                item: 3,
                to_meeting: Some(id("pm-1")),
                decision_number: 2,
            },
        ],
    );
    let deferred = with(in_session_cmds(), vec![defer(3)]);
    refused(
        deferred.clone(),
        MeetingCommand::TakeUpItem { item: 3 },
        "Agenda item 3 has been deferred to a later meeting.",
    );
    refused(
        deferred,
        defer(3),
        "Agenda item 3 has been deferred to a later meeting.",
    );
    refused(
        on_item(2),
        defer(2),
        "Agenda item 2 is under consideration.",
    );
    refused(
        in_session(),
        defer(5),
        "Agenda item 5 is not on the adopted agenda.",
    );
    refused(
        with(
            on_item_cmds(2),
            vec![MeetingCommand::ConcludeItem { item: 2 }],
        ),
        defer(2),
        "Consideration of agenda item 2 has been concluded.",
    );
}

#[test]
fn items_are_taken_up_one_at_a_time_from_the_adopted_agenda() {
    accepted(
        in_session(),
        MeetingCommand::TakeUpItem { item: 2 },
        vec![MeetingEvent::ItemTakenUp {
            item: 2,
            title: t("Political Declaration"),
            nature: ItemNature::Substantive,
        }],
    );
    refused(
        in_session(),
        MeetingCommand::TakeUpItem { item: 5 },
        "Agenda item 5 is not on the adopted agenda.",
    );
    refused(
        on_item(2),
        MeetingCommand::TakeUpItem { item: 3 },
        "Agenda item 2 is still under consideration; conclude it first.",
    );
    refused(
        on_item(2),
        MeetingCommand::TakeUpItem { item: 2 },
        "Agenda item 2 is under consideration.",
    );
    let mut c = opened_cmds();
    c.push(MeetingCommand::IssueProvisionalAgenda {
        items: provisional_items(),
    });
    refused(
        run(c),
        MeetingCommand::TakeUpItem { item: 2 },
        "The agenda has not been adopted yet.",
    );
    refused(
        with(
            on_item_cmds(2),
            vec![MeetingCommand::ConcludeItem { item: 2 }],
        ),
        MeetingCommand::TakeUpItem { item: 2 },
        "Consideration of agenda item 2 has been concluded.",
    );
}

#[test]
fn only_the_item_under_consideration_is_concluded() {
    accepted(
        on_item(2),
        MeetingCommand::ConcludeItem { item: 2 },
        vec![MeetingEvent::ItemConcluded { item: 2 }],
    );
    refused(
        on_item(2),
        MeetingCommand::ConcludeItem { item: 3 },
        "Agenda item 3 is not the item under consideration.",
    );
    refused(
        with(on_item_cmds(2), vec![call_draft()]),
        MeetingCommand::ConcludeItem { item: 2 },
        "A call for consensus is open; the chair must declare its outcome first.",
    );
    refused(
        with(
            on_item_cmds(2),
            vec![MeetingCommand::MoveMotion {
                state: s("BRA"),
                kind: MotionKind::CloseDebate,
            }],
        ),
        MeetingCommand::ConcludeItem { item: 2 },
        "A motion to close the debate (motion 1) is pending; it must be decided or withdrawn first.",
    );
}

// ---------------------------------------------------------------- speakers

fn inscribe(n: u32, speaker: Speaker) -> MeetingCommand {
    MeetingCommand::InscribeSpeaker { item: n, speaker }
}

#[test]
fn states_observers_and_stakeholders_are_inscribed_in_order() {
    let mut c = on_item_cmds(2);
    c.extend([register_icrc(), register_ngo(true)]);
    c.push(inscribe(2, Speaker::State(s("NOR"))));
    c.push(inscribe(2, Speaker::Observer(id("icrc"))));
    accepted(
        run(c.clone()),
        inscribe(2, Speaker::Stakeholder(id("ngo-1"))),
        vec![MeetingEvent::SpeakerInscribed {
            item: 2,
            speaker: Speaker::Stakeholder(id("ngo-1")),
            position: 3,
        }],
    );
    refused(
        run(c.clone()),
        inscribe(2, Speaker::State(s("NOR"))),
        "NOR is already waiting to speak on item 2.",
    );
    refused(
        run(c.clone()),
        inscribe(2, Speaker::Observer(id("eu"))),
        "observer eu is not registered for this meeting.",
    );
    refused(
        run(c),
        inscribe(9, Speaker::State(s("NOR"))),
        "Agenda item 9 is not on the adopted agenda.",
    );
}

#[test]
fn speakers_may_withdraw() {
    let c = with(on_item_cmds(2), vec![inscribe(2, Speaker::State(s("NOR")))]);
    accepted(
        c.clone(),
        MeetingCommand::WithdrawSpeaker {
            item: 2,
            speaker: Speaker::State(s("NOR")),
        },
        vec![MeetingEvent::SpeakerWithdrawn {
            item: 2,
            speaker: Speaker::State(s("NOR")),
        }],
    );
    refused(
        c,
        MeetingCommand::WithdrawSpeaker {
            item: 2,
            speaker: Speaker::State(s("BRA")),
        },
        "BRA is not on the list of speakers for item 2.",
    );
}

#[test]
fn the_floor_goes_to_the_list_in_order_then_to_replies_with_the_time_limit() {
    let base = vec![
        MeetingCommand::SetSpeakingTime {
            item: 2,
            seconds: 180,
        },
        inscribe(2, Speaker::State(s("NOR"))),
        inscribe(2, Speaker::State(s("BRA"))),
        MeetingCommand::RequestRightOfReply {
            item: 2,
            state: s("FRA"),
        },
    ];
    accepted(
        with(on_item_cmds(2), base.clone()),
        MeetingCommand::CallNextSpeaker { item: 2 },
        vec![MeetingEvent::FloorGiven {
            item: 2,
            speaker: Speaker::State(s("NOR")),
            right_of_reply: false,
            time_limit_seconds: Some(180),
        }],
    );
    let mut later = base.clone();
    later.extend([
        MeetingCommand::CallNextSpeaker { item: 2 },
        MeetingCommand::CallNextSpeaker { item: 2 },
    ]);
    accepted(
        with(on_item_cmds(2), later.clone()),
        MeetingCommand::CallNextSpeaker { item: 2 },
        vec![MeetingEvent::FloorGiven {
            item: 2,
            speaker: Speaker::State(s("FRA")),
            right_of_reply: true,
            time_limit_seconds: Some(180),
        }],
    );
    later.push(MeetingCommand::CallNextSpeaker { item: 2 });
    refused(
        with(on_item_cmds(2), later),
        MeetingCommand::CallNextSpeaker { item: 2 },
        "No one is waiting to speak on item 2.",
    );
    refused(
        with(on_item_cmds(2), base),
        MeetingCommand::CallNextSpeaker { item: 3 },
        "Agenda item 3 is not the item under consideration.",
    );
}

#[test]
fn a_time_limit_is_at_least_a_second() {
    refused(
        on_item(2),
        MeetingCommand::SetSpeakingTime {
            item: 2,
            seconds: 0,
        },
        "A speaking time limit must be at least one second.",
    );
}

#[test]
fn a_closed_list_takes_no_inscriptions_but_replies_are_still_accorded() {
    accepted(
        on_item(2),
        MeetingCommand::CloseSpeakersList { item: 2 },
        vec![MeetingEvent::SpeakersListClosed { item: 2 }],
    );
    let closed = with(
        on_item_cmds(2),
        vec![MeetingCommand::CloseSpeakersList { item: 2 }],
    );
    refused(
        closed.clone(),
        inscribe(2, Speaker::State(s("NOR"))),
        "The list of speakers on item 2 is closed.",
    );
    refused(
        closed.clone(),
        MeetingCommand::CloseSpeakersList { item: 2 },
        "The list of speakers on item 2 is closed.",
    );
    accepted(
        closed,
        MeetingCommand::RequestRightOfReply {
            item: 2,
            state: s("NOR"),
        },
        vec![MeetingEvent::RightOfReplyRequested {
            item: 2,
            state: s("NOR"),
        }],
    );
}

#[test]
fn a_right_of_reply_is_for_a_state_present_once() {
    refused(
        on_item(2),
        MeetingCommand::RequestRightOfReply {
            item: 2,
            state: s("USA"),
        },
        "USA is not present and cannot exercise a right of reply.",
    );
    refused(
        with(
            on_item_cmds(2),
            vec![MeetingCommand::RequestRightOfReply {
                item: 2,
                state: s("NOR"),
            }],
        ),
        MeetingCommand::RequestRightOfReply {
            item: 2,
            state: s("NOR"),
        },
        "NOR is already waiting to speak on item 2.",
    );
}

// ---------------------------------------------------------------- points of order

fn raise_point() -> MeetingCommand {
    MeetingCommand::RaisePointOfOrder {
        state: s("BRA"),
        point: t("The speaker is not addressing the item."),
    }
}

fn rule_point() -> MeetingCommand {
    MeetingCommand::RuleOnPointOfOrder {
        point: 1,
        ruling: t("The speaker may continue."),
    }
}

fn appeal() -> MeetingCommand {
    MeetingCommand::AppealRuling {
        point: 1,
        state: s("BRA"),
    }
}

#[test]
fn points_of_order_are_raised_by_states_present_and_ruled_on_once() {
    accepted(
        on_item(2),
        raise_point(),
        vec![MeetingEvent::PointOfOrderRaised {
            point: 1,
            state: s("BRA"),
            text: t("The speaker is not addressing the item."),
        }],
    );
    refused(
        on_item(2),
        MeetingCommand::RaisePointOfOrder {
            state: s("USA"),
            point: t("x"),
        },
        "USA is not present and cannot raise a point of order.",
    );
    accepted(
        with(on_item_cmds(2), vec![raise_point()]),
        rule_point(),
        vec![MeetingEvent::PointOfOrderRuled {
            point: 1,
            ruling: t("The speaker may continue."),
        }],
    );
    refused(
        with(on_item_cmds(2), vec![raise_point(), rule_point()]),
        rule_point(),
        "The chair has already ruled on point of order 1.",
    );
    refused(on_item(2), rule_point(), "There is no point of order 1.");
}

#[test]
fn a_ruling_may_be_appealed_once_after_it_is_given() {
    refused(
        with(on_item_cmds(2), vec![raise_point()]),
        appeal(),
        "The chair has not yet ruled on point of order 1.",
    );
    accepted(
        with(on_item_cmds(2), vec![raise_point(), rule_point()]),
        appeal(),
        vec![MeetingEvent::RulingAppealed {
            point: 1,
            state: s("BRA"),
        }],
    );
    refused(
        with(on_item_cmds(2), vec![raise_point(), rule_point(), appeal()]),
        appeal(),
        "The ruling on point of order 1 has already been appealed.",
    );
    refused(
        with(on_item_cmds(2), vec![raise_point(), rule_point()]),
        MeetingCommand::PutQuestionToVote {
            question: VoteQuestion::Appeal { point: 1 },
        },
        "The chair's ruling on point of order 1 has not been appealed.",
    );
}

fn votes(ballots: &[(&str, Ballot)]) -> Vec<MeetingCommand> {
    ballots
        .iter()
        .map(|(c, b)| MeetingCommand::CastVote {
            state: s(c),
            ballot: *b,
        })
        .collect()
}

#[test]
fn the_ruling_stands_unless_overturned_by_a_majority() {
    let mut c = vec![
        raise_point(),
        rule_point(),
        appeal(),
        MeetingCommand::PutQuestionToVote {
            question: VoteQuestion::Appeal { point: 1 },
        },
    ];
    c.extend(votes(&[("BRA", Ballot::Yes), ("FRA", Ballot::No)]));
    accepted(
        with(on_item_cmds(2), c.clone()),
        MeetingCommand::CloseVoting { now: day(7) },
        vec![MeetingEvent::VoteConcluded {
            question: VoteOn::Appeal { point: 1 },
            tally: Tally {
                yes: 1,
                no: 1,
                abstain: 0,
            },
            yes_needed: 2,
            carried: false,
            recorded_votes: None,
        }],
    );
    c.extend(votes(&[("KEN", Ballot::Yes)]));
    let mut m = Meeting::default();
    for e in with(on_item_cmds(2), c.clone()) {
        m.apply(e);
    }
    let events = m
        .decide(MeetingCommand::CloseVoting { now: day(7) })
        .unwrap();
    assert!(matches!(
        events.as_slice(),
        [MeetingEvent::VoteConcluded { carried: true, .. }]
    ));
    for e in events {
        m.apply(e);
    }
    assert_eq!(m.points_of_order[0].status, PointStatus::Overturned);
}

// ---------------------------------------------------------------- motions and votes

fn move_motion(state: &str, kind: MotionKind) -> MeetingCommand {
    MeetingCommand::MoveMotion {
        state: s(state),
        kind,
    }
}

fn vote_on(motion: u32) -> MeetingCommand {
    MeetingCommand::PutQuestionToVote {
        question: VoteQuestion::Motion { motion },
    }
}

#[test]
fn a_motion_is_moved_by_a_state_present() {
    accepted(
        on_item(2),
        move_motion("NOR", MotionKind::AdjournMeeting),
        vec![MeetingEvent::MotionMoved {
            motion: 1,
            kind: MotionKind::AdjournMeeting,
            state: s("NOR"),
            item: Some(2),
            displaced: vec![],
        }],
    );
    refused(
        on_item(2),
        move_motion("USA", MotionKind::AdjournMeeting),
        "USA is not present and cannot move a motion.",
    );
    refused(
        in_session(),
        move_motion("NOR", MotionKind::CloseDebate),
        "No agenda item is under consideration.",
    );
}

#[test]
fn the_rules_decide_which_motions_exist() {
    let rules = RulesOfProcedure {
        motion_precedence: vec![MotionKind::SuspendMeeting, MotionKind::AdjournMeeting],
        ..RulesOfProcedure::default()
    };
    let mut c = vec![convene_with(
        MeetingKind::PeriodicMeeting,
        MEMBERS.iter().map(|c| s(c)).collect(),
        rules,
    )];
    c.extend(present(&["BRA", "FRA", "KEN"]));
    c.push(MeetingCommand::Open { now: day(6) });
    refused(
        run(c),
        move_motion("BRA", MotionKind::CloseDebate),
        "The rules of procedure do not provide for a motion to close the debate.",
    );
}

#[test]
fn a_motion_of_higher_precedence_displaces_lower_ones() {
    accepted(
        with(
            on_item_cmds(2),
            vec![move_motion("NOR", MotionKind::CloseDebate)],
        ),
        move_motion("BRA", MotionKind::SuspendMeeting),
        vec![MeetingEvent::MotionMoved {
            motion: 2,
            kind: MotionKind::SuspendMeeting,
            state: s("BRA"),
            item: Some(2),
            displaced: vec![1],
        }],
    );
    refused(
        with(
            on_item_cmds(2),
            vec![move_motion("NOR", MotionKind::SuspendMeeting)],
        ),
        move_motion("BRA", MotionKind::CloseDebate),
        "A motion to suspend the meeting is pending and takes precedence over a motion to close the debate.",
    );
    refused(
        with(
            on_item_cmds(2),
            vec![move_motion("NOR", MotionKind::AdjournDebate)],
        ),
        move_motion("BRA", MotionKind::AdjournDebate),
        "A motion to adjourn the debate is already pending.",
    );
    // A displaced motion is no longer before the meeting.
    refused(
        with(
            on_item_cmds(2),
            vec![
                move_motion("NOR", MotionKind::CloseDebate),
                move_motion("BRA", MotionKind::SuspendMeeting),
            ],
        ),
        vote_on(1),
        "Motion 1 is not pending.",
    );
}

#[test]
fn only_the_mover_withdraws_a_pending_motion() {
    let moved = with(
        on_item_cmds(2),
        vec![move_motion("NOR", MotionKind::AdjournMeeting)],
    );
    accepted(
        moved.clone(),
        MeetingCommand::WithdrawMotion {
            motion: 1,
            state: s("NOR"),
        },
        vec![MeetingEvent::MotionWithdrawn {
            motion: 1,
            state: s("NOR"),
        }],
    );
    refused(
        moved.clone(),
        MeetingCommand::WithdrawMotion {
            motion: 1,
            state: s("BRA"),
        },
        "Only the mover can withdraw motion 1; BRA did not move it.",
    );
    refused(
        moved,
        MeetingCommand::WithdrawMotion {
            motion: 2,
            state: s("NOR"),
        },
        "There is no motion 2.",
    );
    // Withdrawn, it may be moved again by another member (rule 122).
    accepted(
        with(
            on_item_cmds(2),
            vec![
                move_motion("NOR", MotionKind::AdjournMeeting),
                MeetingCommand::WithdrawMotion {
                    motion: 1,
                    state: s("NOR"),
                },
            ],
        ),
        move_motion("BRA", MotionKind::AdjournMeeting),
        vec![MeetingEvent::MotionMoved {
            motion: 2,
            kind: MotionKind::AdjournMeeting,
            state: s("BRA"),
            item: Some(2),
            displaced: vec![],
        }],
    );
}

#[test]
fn a_vote_needs_the_quorum_to_decide() {
    let moved = with(
        on_item_cmds(2),
        vec![move_motion("NOR", MotionKind::AdjournMeeting)],
    );
    accepted(
        moved.clone(),
        vote_on(1),
        vec![MeetingEvent::VotingOpened {
            question: VoteOn::Motion {
                motion: 1,
                kind: MotionKind::AdjournMeeting,
            },
            states_present: 4,
            members: 5,
            quorum_needed: 3,
        }],
    );
    let thin = with(
        on_item_cmds(2),
        vec![
            move_motion("NOR", MotionKind::AdjournMeeting),
            MeetingCommand::MarkAbsent { state: s("BRA") },
            MeetingCommand::MarkAbsent { state: s("FRA") },
        ],
    );
    refused(
        thin,
        vote_on(1),
        "No quorum: 2 of 5 members present, 3 needed to take a decision.",
    );
}

#[test]
fn a_substantive_proposal_is_never_put_to_a_vote() {
    MeetingTest::with(())
        .given(on_item(2))
        .when(MeetingCommand::PutQuestionToVote {
            question: VoteQuestion::Proposal { subject: draft() },
        })
        .then_expect_error(MeetingError::SubstantiveQuestionNotVotable);
    refused(
        with(on_item_cmds(2), vec![call_draft()]),
        MeetingCommand::PutQuestionToVote {
            question: VoteQuestion::Proposal { subject: draft() },
        },
        "A substantive proposal is never put to a vote: it is decided by consensus.",
    );
}

fn voting_on_motion(kind: MotionKind) -> Vec<MeetingCommand> {
    let mut c = on_item_cmds(2);
    c.extend([move_motion("NOR", kind), vote_on(1)]);
    c
}

#[test]
fn votes_are_cast_once_by_states_present_during_a_vote() {
    let voting = run(voting_on_motion(MotionKind::AdjournMeeting));
    accepted(
        voting.clone(),
        MeetingCommand::CastVote {
            state: s("BRA"),
            ballot: Ballot::Abstain,
        },
        vec![MeetingEvent::VoteCast {
            state: s("BRA"),
            ballot: Ballot::Abstain,
        }],
    );
    refused(
        voting.clone(),
        MeetingCommand::CastVote {
            state: s("USA"),
            ballot: Ballot::Yes,
        },
        "USA is not present and cannot vote.",
    );
    refused(
        voting.clone(),
        MeetingCommand::CastVote {
            state: s("DEU"),
            ballot: Ballot::Yes,
        },
        "DEU is not a member of this body.",
    );
    let mut twice = voting_on_motion(MotionKind::AdjournMeeting);
    twice.extend(votes(&[("BRA", Ballot::Yes)]));
    refused(
        run(twice),
        MeetingCommand::CastVote {
            state: s("BRA"),
            ballot: Ballot::No,
        },
        "BRA has already voted.",
    );
    refused(
        on_item(2),
        MeetingCommand::CastVote {
            state: s("BRA"),
            ballot: Ballot::No,
        },
        "No vote is in progress.",
    );
    refused(voting.clone(), vote_on(1), "Voting is in progress.");
    refused(
        voting.clone(),
        MeetingCommand::Suspend { now: day(7) },
        "Voting is in progress.",
    );
    refused(
        voting,
        move_motion("BRA", MotionKind::SuspendMeeting),
        "Voting is in progress.",
    );
}

#[test]
fn a_recorded_vote_is_requested_once() {
    let voting = run(voting_on_motion(MotionKind::AdjournMeeting));
    accepted(
        voting,
        MeetingCommand::RequestRecordedVote { state: s("KEN") },
        vec![MeetingEvent::RecordedVoteRequested { state: s("KEN") }],
    );
    let mut c = voting_on_motion(MotionKind::AdjournMeeting);
    c.push(MeetingCommand::RequestRecordedVote { state: s("KEN") });
    refused(
        run(c),
        MeetingCommand::RequestRecordedVote { state: s("BRA") },
        "A recorded vote has already been requested.",
    );
}

#[test]
fn a_carried_motion_to_suspend_is_a_decision_and_suspends() {
    let mut c = voting_on_motion(MotionKind::SuspendMeeting);
    c.push(MeetingCommand::RequestRecordedVote { state: s("KEN") });
    c.extend(votes(&[
        ("BRA", Ballot::Yes),
        ("FRA", Ballot::Yes),
        ("KEN", Ballot::No),
        ("NOR", Ballot::Abstain),
    ]));
    let tally = Tally {
        yes: 2,
        no: 1,
        abstain: 1,
    };
    let recorded = vec![
        RecordedVote {
            state: s("BRA"),
            ballot: Ballot::Yes,
        },
        RecordedVote {
            state: s("FRA"),
            ballot: Ballot::Yes,
        },
        RecordedVote {
            state: s("KEN"),
            ballot: Ballot::No,
        },
        RecordedVote {
            state: s("NOR"),
            ballot: Ballot::Abstain,
        },
    ];
    accepted(
        run(c),
        MeetingCommand::CloseVoting { now: day(7) },
        vec![
            MeetingEvent::VoteConcluded {
                question: VoteOn::Motion {
                    motion: 1,
                    kind: MotionKind::SuspendMeeting,
                },
                tally,
                yes_needed: 2,
                carried: true,
                recorded_votes: Some(recorded.clone()),
            },
            decision(
                2,
                DecisionKind::ProceduralOutcome {
                    motion: MotionKind::SuspendMeeting,
                    tally,
                },
                "The motion to suspend the meeting was carried by 2 votes to 1, with 1 abstentions.",
                HowTaken::Vote {
                    yes: 2,
                    no: 1,
                    abstain: 1,
                    recorded_votes: Some(recorded),
                },
                Some(2),
            ),
            MeetingEvent::MeetingSuspended {
                on: day(7),
                by_motion: Some(1),
            },
        ],
    );
}

#[test]
fn a_tie_rejects_the_motion_and_nothing_else_happens() {
    let mut c = voting_on_motion(MotionKind::AdjournMeeting);
    c.extend(votes(&[
        ("BRA", Ballot::Yes),
        ("FRA", Ballot::No),
        ("KEN", Ballot::Abstain),
    ]));
    accepted(
        run(c),
        MeetingCommand::CloseVoting { now: day(7) },
        vec![MeetingEvent::VoteConcluded {
            question: VoteOn::Motion {
                motion: 1,
                kind: MotionKind::AdjournMeeting,
            },
            tally: Tally {
                yes: 1,
                no: 1,
                abstain: 1,
            },
            yes_needed: 2,
            carried: false,
            recorded_votes: None,
        }],
    );
}

fn carried(kind: MotionKind) -> Vec<MeetingEvent> {
    let mut c = voting_on_motion(kind);
    c.extend(votes(&[("BRA", Ballot::Yes)]));
    let mut m = Meeting::default();
    for e in run(c) {
        m.apply(e);
    }
    m.decide(MeetingCommand::CloseVoting { now: day(7) })
        .unwrap()
}

#[test]
fn each_carried_motion_has_its_effect() {
    assert_eq!(
        carried(MotionKind::AdjournMeeting).last(),
        Some(&MeetingEvent::MeetingClosed {
            on: day(7),
            by_motion: Some(1)
        })
    );
    assert_eq!(
        carried(MotionKind::AdjournDebate).last(),
        Some(&MeetingEvent::DebateAdjourned {
            item: 2,
            by_motion: 1
        })
    );
    assert_eq!(
        carried(MotionKind::CloseDebate).last(),
        Some(&MeetingEvent::DebateClosed {
            item: 2,
            by_motion: 1
        })
    );
    // After closure of the debate nobody else is inscribed.
    let mut c = on_item_cmds(2);
    c.extend([
        inscribe(2, Speaker::State(s("KEN"))),
        move_motion("NOR", MotionKind::CloseDebate),
        vote_on(1),
    ]);
    c.extend(votes(&[("BRA", Ballot::Yes)]));
    c.push(MeetingCommand::CloseVoting { now: day(7) });
    let closed = run(c);
    refused(
        closed.clone(),
        inscribe(2, Speaker::State(s("FRA"))),
        "The list of speakers on item 2 is closed.",
    );
    refused(
        closed,
        MeetingCommand::CallNextSpeaker { item: 2 },
        "No one is waiting to speak on item 2.",
    );
    // After adjournment of the debate the item can be taken up again later.
    let mut c = voting_on_motion(MotionKind::AdjournDebate);
    c.extend(votes(&[("BRA", Ballot::Yes)]));
    c.push(MeetingCommand::CloseVoting { now: day(7) });
    accepted(
        run(c),
        MeetingCommand::TakeUpItem { item: 2 },
        vec![MeetingEvent::ItemTakenUp {
            item: 2,
            title: t("Political Declaration"),
            nature: ItemNature::Substantive,
        }],
    );
}

// ---------------------------------------------------------------- consensus

#[test]
fn the_chair_calls_for_consensus_on_a_substantive_item() {
    accepted(
        on_item(2),
        call_draft(),
        vec![MeetingEvent::ConsensusCalled {
            call: 1,
            item: 2,
            subject: draft(),
        }],
    );
    refused(
        on_item(1),
        call_draft(),
        "Agenda item 1 is procedural; only substantive items are decided by consensus.",
    );
    refused(
        in_session(),
        call_draft(),
        "No agenda item is under consideration.",
    );
    refused(
        with(on_item_cmds(2), vec![call_draft()]),
        call_draft(),
        "A call for consensus is open; the chair must declare its outcome first.",
    );
    refused(
        with(on_item_cmds(2), vec![call_draft()]),
        move_motion("NOR", MotionKind::AdjournMeeting),
        "A call for consensus is open; the chair must declare its outcome first.",
    );
}

fn amendment_subject() -> ConsensusSubject {
    ConsensusSubject::Amendment {
        amendment_id: id("am-nor-1"),
        revision: 2,
    }
}

fn standing(item: u32) -> AmendmentStanding {
    AmendmentStanding {
        tabled_under: Some(TabledUnder {
            meeting_id: id("rc-1"),
            item,
        }),
        current_revision: 2,
        in_conflict: false,
        withdrawn: false,
        conflict: None,
    }
}

fn call_amendment(facts: Option<AmendmentStanding>) -> MeetingCommand {
    MeetingCommand::CallForConsensus {
        subject: amendment_subject(),
        amendment: facts,
    }
}

#[test]
fn only_a_tabled_current_unconflicted_amendment_is_called() {
    accepted(
        on_item(2),
        call_amendment(Some(standing(2))),
        vec![MeetingEvent::ConsensusCalled {
            call: 1,
            item: 2,
            subject: amendment_subject(),
        }],
    );
    refused(
        on_item(2),
        call_amendment(None),
        "Amendment am-nor-1 is not tabled under agenda item 2 of this meeting.",
    );
    refused(
        on_item(2),
        call_amendment(Some(standing(3))),
        "Amendment am-nor-1 is not tabled under agenda item 2 of this meeting.",
    );
    let mut f = standing(2);
    f.in_conflict = true;
    refused(
        on_item(2),
        call_amendment(Some(f)),
        "Amendment am-nor-1 amends a text that has changed since it was drafted; it must be revised before it can be decided.",
    );
    let mut f = standing(2);
    f.current_revision = 3;
    refused(
        on_item(2),
        call_amendment(Some(f)),
        "Revision 2 of amendment am-nor-1 has been superseded by revision 3.",
    );
    let mut f = standing(2);
    f.withdrawn = true;
    refused(
        on_item(2),
        call_amendment(Some(f)),
        "Amendment am-nor-1 has been withdrawn.",
    );
}

fn object(state: &str) -> MeetingCommand {
    MeetingCommand::RaiseObjection {
        state: s(state),
        reason: Some(t("We cannot accept operative paragraph 3.")),
    }
}

#[test]
fn states_present_object_while_the_call_is_open() {
    let open_call = with(on_item_cmds(2), vec![call_draft()]);
    accepted(
        open_call.clone(),
        object("BRA"),
        vec![MeetingEvent::ObjectionRaised {
            call: 1,
            state: s("BRA"),
            reason: Some(t("We cannot accept operative paragraph 3.")),
        }],
    );
    refused(
        open_call.clone(),
        object("USA"),
        "USA is not present and cannot object.",
    );
    refused(
        open_call,
        object("DEU"),
        "DEU is not a member of this body.",
    );
    refused(
        with(on_item_cmds(2), vec![call_draft(), object("BRA")]),
        object("BRA"),
        "BRA already has an objection standing.",
    );
    refused(on_item(2), object("BRA"), "No call for consensus is open.");
}

#[test]
fn an_objection_may_be_withdrawn_and_raised_again() {
    let objected = with(on_item_cmds(2), vec![call_draft(), object("BRA")]);
    accepted(
        objected,
        MeetingCommand::WithdrawObjection { state: s("BRA") },
        vec![MeetingEvent::ObjectionWithdrawn {
            call: 1,
            state: s("BRA"),
        }],
    );
    refused(
        with(on_item_cmds(2), vec![call_draft()]),
        MeetingCommand::WithdrawObjection { state: s("BRA") },
        "BRA has no objection standing.",
    );
    let withdrawn = with(
        on_item_cmds(2),
        vec![
            call_draft(),
            object("BRA"),
            MeetingCommand::WithdrawObjection { state: s("BRA") },
        ],
    );
    accepted(
        withdrawn,
        object("BRA"),
        vec![MeetingEvent::ObjectionRaised {
            call: 1,
            state: s("BRA"),
            reason: Some(t("We cannot accept operative paragraph 3.")),
        }],
    );
}

fn declare(outcome: DeclaredOutcome) -> MeetingCommand {
    MeetingCommand::DeclareOutcome {
        outcome,
        now: day(7),
        amendment: None,
    }
}

fn declare_amendment_adopted(facts: Option<AmendmentStanding>) -> MeetingCommand {
    MeetingCommand::DeclareOutcome {
        outcome: DeclaredOutcome::AdoptedWithoutAVote,
        now: day(7),
        amendment: facts,
    }
}

fn op3_conflict() -> crate::domain::framework::Conflict {
    crate::domain::framework::Conflict {
        operation: 1,
        paragraph: Some(id("OP-3")),
        reason: "operation 1: paragraph OP-3 does not exist in this version".into(),
    }
}

#[test]
fn an_amendment_that_no_longer_applies_is_not_called() {
    // The framework changed (another amendment was adopted) and the amendment's status does
    // not say so yet: the application's check against the current text decides.
    let mut f = standing(2);
    f.conflict = Some(op3_conflict());
    refused(
        on_item(2),
        call_amendment(Some(f)),
        "Amendment am-nor-1 no longer applies to the current text of the framework, so it cannot be decided until it is revised: operation 1: paragraph OP-3 does not exist in this version.",
    );
}

#[test]
fn an_amendment_is_declared_adopted_only_while_it_still_applies() {
    let called = with(on_item_cmds(2), vec![call_amendment(Some(standing(2)))]);
    let mut f = standing(2);
    f.conflict = Some(op3_conflict());
    refused(
        called.clone(),
        declare_amendment_adopted(Some(f)),
        "Amendment am-nor-1 no longer applies to the current text of the framework, so it cannot be decided until it is revised: operation 1: paragraph OP-3 does not exist in this version.",
    );
    let mut f = standing(2);
    f.in_conflict = true;
    refused(
        called.clone(),
        declare_amendment_adopted(Some(f)),
        "Amendment am-nor-1 amends a text that has changed since it was drafted; it must be revised before it can be decided.",
    );
    // Without the facts the adoption cannot be checked, so it is refused.
    refused(
        called.clone(),
        declare_amendment_adopted(None),
        "Amendment am-nor-1 is not tabled under agenda item 2 of this meeting.",
    );
    // "No consensus" needs no check: nothing is applied.
    let m = {
        let mut m = Meeting::default();
        for e in called {
            m.apply(e);
        }
        m
    };
    assert!(m
        .decide(MeetingCommand::DeclareOutcome {
            outcome: DeclaredOutcome::NoConsensus,
            now: day(7),
            amendment: None,
        })
        .is_ok());
    assert!(m
        .decide(declare_amendment_adopted(Some(standing(2))))
        .is_ok());
}

#[test]
fn adoption_is_refused_while_an_objection_stands() {
    refused(
        with(
            on_item_cmds(2),
            vec![call_draft(), object("NOR"), object("BRA")],
        ),
        declare(DeclaredOutcome::AdoptedWithoutAVote),
        "The proposal cannot be declared adopted while an objection stands: BRA, NOR.",
    );
}

fn explain(state: &str, timing: ExplanationTiming) -> MeetingCommand {
    MeetingCommand::ExplainPosition {
        state: s(state),
        timing,
        text: t("We join consensus but dissociate from OP-3."),
        dissociates_from: vec![id("OP-3")],
    }
}

#[test]
fn adopted_after_an_objection_was_withdrawn_the_record_keeps_it_all() {
    let given = with(
        on_item_cmds(2),
        vec![
            call_amendment(Some(standing(2))),
            object("BRA"),
            MeetingCommand::WithdrawObjection { state: s("BRA") },
            explain("FRA", ExplanationTiming::BeforeDecision),
        ],
    );
    accepted(
        given,
        declare_amendment_adopted(Some(standing(2))),
        vec![MeetingEvent::DecisionTaken {
            number: 2,
            symbol: sym("A/CONF.300/2026/DEC/2"),
            meeting_id: id("rc-1"),
            date: day(7),
            agenda_item: Some(2),
            kind: DecisionKind::AmendmentAdopted {
                amendment_id: id("am-nor-1"),
                revision: 2,
            },
            text: t("Amendment am-nor-1 (revision 2) was adopted without a vote."),
            how: HowTaken::Consensus,
            objections: vec![ObjectionRecord {
                state: s("BRA"),
                reason: Some(t("We cannot accept operative paragraph 3.")),
                withdrawn: true,
            }],
            explanations: vec![Explanation {
                state: s("FRA"),
                timing: ExplanationTiming::BeforeDecision,
                text: t("We join consensus but dissociate from OP-3."),
                dissociates_from: vec![id("OP-3")],
            }],
            consensus_call: Some(1),
            entered: DecisionEntry::InTheRoom,
        }],
    );
}

#[test]
fn no_consensus_is_on_the_record_and_is_not_a_decision() {
    let given = with(on_item_cmds(2), vec![call_draft(), object("BRA")]);
    accepted(
        given,
        declare(DeclaredOutcome::NoConsensus),
        vec![MeetingEvent::NoConsensusDeclared {
            call: 1,
            item: 2,
            subject: draft(),
            objections: vec![ObjectionRecord {
                state: s("BRA"),
                reason: Some(t("We cannot accept operative paragraph 3.")),
                withdrawn: false,
            }],
            explanations: vec![],
            on: day(7),
        }],
    );
}

#[test]
fn after_the_outcome_no_objection_but_explanations_after_the_decision() {
    let decided = with(
        on_item_cmds(2),
        vec![call_draft(), declare(DeclaredOutcome::AdoptedWithoutAVote)],
    );
    refused(
        decided.clone(),
        object("BRA"),
        "The call for consensus has already ended: its outcome was declared or the proposal withdrawn.",
    );
    refused(
        decided.clone(),
        MeetingCommand::WithdrawObjection { state: s("BRA") },
        "The call for consensus has already ended: its outcome was declared or the proposal withdrawn.",
    );
    refused(
        decided.clone(),
        declare(DeclaredOutcome::NoConsensus),
        "The call for consensus has already ended: its outcome was declared or the proposal withdrawn.",
    );
    refused(
        decided.clone(),
        explain("NOR", ExplanationTiming::BeforeDecision),
        "The call for consensus has already ended: its outcome was declared or the proposal withdrawn.",
    );
    accepted(
        decided,
        explain("NOR", ExplanationTiming::AfterDecision),
        vec![MeetingEvent::PositionExplained {
            call: 1,
            state: s("NOR"),
            timing: ExplanationTiming::AfterDecision,
            text: t("We join consensus but dissociate from OP-3."),
            dissociates_from: vec![id("OP-3")],
            decision_number: Some(2),
        }],
    );
    refused(
        with(on_item_cmds(2), vec![call_draft()]),
        explain("NOR", ExplanationTiming::AfterDecision),
        "No outcome of a call for consensus has been declared yet.",
    );
    refused(
        with(on_item_cmds(2), vec![call_draft()]),
        explain("USA", ExplanationTiming::BeforeDecision),
        "USA is not present and cannot explain its position.",
    );
    refused(
        on_item(2),
        declare(DeclaredOutcome::AdoptedWithoutAVote),
        "No call for consensus is open.",
    );
    refused(
        with(on_item_cmds(2), vec![call_draft()]),
        MeetingCommand::Close { now: day(7) },
        "A call for consensus is open; the chair must declare its outcome first.",
    );
}

#[test]
fn a_proposal_withdrawn_ends_the_call_without_an_outcome() {
    let given = with(on_item_cmds(2), vec![call_draft(), object("BRA")]);
    accepted(
        given,
        MeetingCommand::WithdrawConsensusCall { now: day(7) },
        vec![MeetingEvent::ConsensusCallWithdrawn {
            call: 1,
            item: 2,
            subject: draft(),
            objections: vec![ObjectionRecord {
                state: s("BRA"),
                reason: Some(t("We cannot accept operative paragraph 3.")),
                withdrawn: false,
            }],
            explanations: vec![],
            on: day(7),
        }],
    );
    let withdrawn = with(
        on_item_cmds(2),
        vec![
            call_draft(),
            MeetingCommand::WithdrawConsensusCall { now: day(7) },
        ],
    );
    refused(
        withdrawn.clone(),
        object("NOR"),
        "The call for consensus has already ended: its outcome was declared or the proposal withdrawn.",
    );
    accepted(
        withdrawn,
        MeetingCommand::ConcludeItem { item: 2 },
        vec![MeetingEvent::ItemConcluded { item: 2 }],
    );
    refused(
        on_item(2),
        MeetingCommand::WithdrawConsensusCall { now: day(7) },
        "No call for consensus is open.",
    );
}

fn programme() -> Vec<PlannedMeeting> {
    vec![PlannedMeeting {
        kind: MeetingKind::PeriodicMeeting,
        title: t("First periodic meeting"),
        starts: Date::from_ymd_opt(2027, 7, 5).unwrap(),
        ends: Date::from_ymd_opt(2027, 7, 9).unwrap(),
    }]
}

#[test]
fn a_review_conference_adopts_a_programme_of_work_by_consensus() {
    let call = MeetingCommand::CallForConsensus {
        subject: ConsensusSubject::ProgrammeOfWork {
            meetings: programme(),
        },
        amendment: None,
    };
    accepted(
        with(on_item_cmds(3), vec![call.clone()]),
        declare(DeclaredOutcome::AdoptedWithoutAVote),
        vec![
            MeetingEvent::DecisionTaken {
                number: 2,
                symbol: sym("A/CONF.300/2026/DEC/2"),
                meeting_id: id("rc-1"),
                date: day(7),
                agenda_item: Some(3),
                kind: DecisionKind::ProgrammeOfWork,
                text: t("The programme of work was adopted without a vote, scheduling 1 meetings."),
                how: HowTaken::Consensus,
                objections: vec![],
                explanations: vec![],
                consensus_call: Some(1),
                entered: DecisionEntry::InTheRoom,
            },
            MeetingEvent::ProgrammeOfWorkAdopted {
                decision_number: 2,
                meetings: programme(),
            },
        ],
    );
    let mut c = vec![convene_with(
        MeetingKind::PeriodicMeeting,
        MEMBERS.iter().map(|c| s(c)).collect(),
        RulesOfProcedure::default(),
    )];
    c.extend(present(&["BRA", "FRA", "KEN"]));
    c.extend([
        MeetingCommand::Open { now: day(6) },
        MeetingCommand::IssueProvisionalAgenda {
            items: provisional_items(),
        },
        MeetingCommand::AdoptAgenda { now: day(6) },
        MeetingCommand::TakeUpItem { item: 3 },
    ]);
    refused(
        run(c),
        call,
        "Only a review conference adopts a programme of work.",
    );
    refused(
        on_item(3),
        MeetingCommand::CallForConsensus {
            subject: ConsensusSubject::ProgrammeOfWork { meetings: vec![] },
            amendment: None,
        },
        "A programme of work must schedule at least one meeting.",
    );
}

#[test]
fn a_draft_decision_adopted_is_numbered_after_earlier_decisions() {
    let given = with(
        on_item_cmds(2),
        vec![
            call_draft(),
            declare(DeclaredOutcome::AdoptedWithoutAVote),
            call_draft(),
        ],
    );
    let events = {
        let mut m = Meeting::default();
        for e in given {
            m.apply(e);
        }
        m.decide(declare(DeclaredOutcome::AdoptedWithoutAVote))
            .unwrap()
    };
    match &events[..] {
        [MeetingEvent::DecisionTaken {
            number,
            symbol,
            kind,
            consensus_call,
            ..
        }] => {
            assert_eq!(*number, 3);
            assert_eq!(symbol.as_str(), "A/CONF.300/2026/DEC/3");
            assert_eq!(kind, &DecisionKind::Decision);
            assert_eq!(*consensus_call, Some(2));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_pending_procedural_motion_comes_before_a_call_for_consensus() {
    refused(
        with(
            on_item_cmds(2),
            vec![move_motion("NOR", MotionKind::CloseDebate)],
        ),
        call_draft(),
        "A motion to close the debate (motion 1) is pending; it must be decided or withdrawn first.",
    );
}

/// Four of five present; then two leave, so only two remain against a quorum of three.
fn thinned(mut c: Vec<MeetingCommand>) -> Vec<MeetingEvent> {
    c.extend([
        MeetingCommand::MarkAbsent { state: s("BRA") },
        MeetingCommand::MarkAbsent { state: s("FRA") },
    ]);
    run(c)
}

#[test]
fn every_decision_needs_a_majority_of_members_present() {
    const NO_QUORUM: &str = "No quorum: 2 of 5 members present, 3 needed to take a decision.";
    let mut c = opened_cmds();
    c.push(MeetingCommand::IssueProvisionalAgenda {
        items: provisional_items(),
    });
    refused(
        thinned(c),
        MeetingCommand::AdoptAgenda { now: day(7) },
        NO_QUORUM,
    );
    refused(
        thinned(in_session_cmds()),
        MeetingCommand::ChangeAgenda {
            change: AgendaChange::Reorder {
                order: vec![3, 2, 1],
            },
            now: day(7),
        },
        NO_QUORUM,
    );
    let mut c = on_item_cmds(2);
    c.push(call_draft());
    let thin_call = thinned(c);
    refused(
        thin_call.clone(),
        declare(DeclaredOutcome::AdoptedWithoutAVote),
        NO_QUORUM,
    );
    // "No consensus" is not a decision, so it needs no quorum.
    let mut m = Meeting::default();
    for e in thin_call {
        m.apply(e);
    }
    assert!(m.decide(declare(DeclaredOutcome::NoConsensus)).is_ok());
}

// ---------------------------------------------------------------- plumbing

#[test]
fn meeting_survives_a_json_snapshot_and_events_round_trip() {
    let events = with(
        on_item_cmds(2),
        vec![
            register_icrc(),
            inscribe(2, Speaker::Observer(id("icrc"))),
            raise_point(),
            call_draft(),
            object("BRA"),
        ],
    );
    let mut m = Meeting::default();
    for e in events.clone() {
        m.apply(e);
    }
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<Meeting>(&json).unwrap(), m);
    for e in events {
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<MeetingEvent>(&json).unwrap(), e);
        let name = cqrs_es::DomainEvent::event_type(&e);
        assert!(json.starts_with(&format!("{{\"{name}\"")), "{json}");
    }
}

#[test]
fn errors_say_whether_they_are_conflicts() {
    assert!(MeetingError::NoQuorum {
        present: 1,
        members: 5,
        needed: 2
    }
    .is_conflict());
    assert!(MeetingError::ConsensusCallEnded.is_conflict());
    assert!(!MeetingError::SubstantiveQuestionNotVotable.is_conflict());
    assert!(!MeetingError::ItemNotOnAgenda(5).is_conflict());
    assert_eq!(
        MeetingError::NotPresent {
            state: s("BRA"),
            action: "object"
        }
        .code(),
        "state-not-present"
    );
}

/// The scenario of the brief, as far as one meeting goes.
#[test]
fn the_first_review_conference_end_to_end() {
    let am = |n: &str| ConsensusSubject::Amendment {
        amendment_id: id(n),
        revision: 2,
    };
    let facts = Some(standing(2));
    let mut c = in_session_cmds();
    c.extend([
        MeetingCommand::TakeUpItem { item: 2 },
        MeetingCommand::CallForConsensus {
            subject: am("am-nor-1"),
            amendment: facts.clone(),
        },
        object("BRA"),
        MeetingCommand::WithdrawObjection { state: s("BRA") },
        declare_amendment_adopted(facts.clone()),
        explain("FRA", ExplanationTiming::AfterDecision),
        MeetingCommand::CallForConsensus {
            subject: am("am-ken-1"),
            amendment: facts,
        },
    ]);
    // USA was absent: it is marked present before it can object.
    let mut with_usa = c;
    with_usa.extend([
        MeetingCommand::MarkPresent { state: s("USA") },
        object("USA"),
        declare(DeclaredOutcome::NoConsensus),
        MeetingCommand::ConcludeItem { item: 2 },
        MeetingCommand::TakeUpItem { item: 3 },
        MeetingCommand::CallForConsensus {
            subject: ConsensusSubject::ProgrammeOfWork {
                meetings: programme(),
            },
            amendment: None,
        },
        declare(DeclaredOutcome::AdoptedWithoutAVote),
        move_motion("NOR", MotionKind::AdjournMeeting),
        vote_on(1),
    ]);
    with_usa.extend(votes(&[
        ("BRA", Ballot::Yes),
        ("FRA", Ballot::Yes),
        ("KEN", Ballot::Yes),
        ("NOR", Ballot::No),
        ("USA", Ballot::Abstain),
    ]));
    with_usa.push(MeetingCommand::CloseVoting { now: day(10) });
    let log = run(with_usa);

    let register: Vec<(u32, DecisionKind)> = log
        .iter()
        .filter_map(|e| match e {
            MeetingEvent::DecisionTaken { number, kind, .. } => Some((*number, kind.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        register,
        vec![
            (1, DecisionKind::AgendaAdoption),
            (
                2,
                DecisionKind::AmendmentAdopted {
                    amendment_id: id("am-nor-1"),
                    revision: 2
                }
            ),
            (3, DecisionKind::ProgrammeOfWork),
            (
                4,
                DecisionKind::ProceduralOutcome {
                    motion: MotionKind::AdjournMeeting,
                    tally: Tally {
                        yes: 3,
                        no: 1,
                        abstain: 1
                    }
                }
            ),
        ]
    );
    assert!(log
        .iter()
        .any(|e| matches!(e, MeetingEvent::NoConsensusDeclared { call: 2, .. })));
    assert!(log.iter().any(|e| matches!(
        e,
        MeetingEvent::PositionExplained {
            decision_number: Some(2),
            ..
        }
    )));
    assert_eq!(
        log.last(),
        Some(&MeetingEvent::MeetingClosed {
            on: day(10),
            by_motion: Some(1)
        })
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

// ---------------------------------------------------------------- the secretariat's record-keeping

fn record(date: u32) -> MeetingCommand {
    MeetingCommand::RecordDecision {
        date: day(date),
        agenda_item: None,
        text: t("Decides to hold an intersessional meeting."),
        how: HowTaken::Consensus,
        on_instruction_of: t("the Chair, by letter of 7 March"),
    }
}

#[test]
fn a_decision_taken_outside_the_system_is_recorded_within_the_convened_dates() {
    let given = run(vec![convene()]);
    let mut m = Meeting::default();
    for e in &given {
        m.apply(e.clone());
    }
    assert_eq!(
        m.decide(record(11)).unwrap_err().code(),
        "outside-convened-dates"
    );
    let mut d = decision(
        1,
        DecisionKind::Decision,
        "Decides to hold an intersessional meeting.",
        HowTaken::Consensus,
        None,
    );
    if let MeetingEvent::DecisionTaken { entered, .. } = &mut d {
        *entered = DecisionEntry::BySecretariat {
            on_instruction_of: t("the Chair, by letter of 7 March"),
        };
    }
    accepted(given, record(7), vec![d]);
}

#[test]
fn a_corrigendum_is_numbered_and_never_rewrites_the_decision() {
    let given = run(vec![convene(), record(7)]);
    let corr = |n: u32| MeetingCommand::IssueCorrigendum {
        decision: n,
        text: t("Decides to hold two intersessional meetings."),
        reason: t("The number of meetings"),
        now: day(12),
    };
    refused(given.clone(), corr(2), "This meeting has no decision 2.");
    let mut with_one = given.clone();
    with_one.extend(run_from(&given, vec![corr(1)]));
    accepted(
        with_one,
        corr(1),
        vec![MeetingEvent::DecisionCorrected {
            number: 1,
            corrigendum: 2,
            symbol: sym("A/CONF.300/2026/DEC/1/Corr.2"),
            text: t("Decides to hold two intersessional meetings."),
            reason: t("The number of meetings"),
            date: day(12),
        }],
    );
    // The decision itself is untouched: its text is still the original.
    let mut m = Meeting::default();
    for e in run(vec![convene(), record(7), corr(1)]) {
        m.apply(e);
    }
    assert_eq!(m.decisions_taken, 1);
    assert_eq!(m.corrigenda.get(&1), Some(&1));
}

/// Runs `more` on the meeting `given` built, returning the new events.
fn run_from(given: &[MeetingEvent], more: Vec<MeetingCommand>) -> Vec<MeetingEvent> {
    let mut m = Meeting::default();
    for e in given {
        m.apply(e.clone());
    }
    let mut out = vec![];
    for c in more {
        for e in m.decide(c).unwrap() {
            m.apply(e.clone());
            out.push(e);
        }
    }
    out
}

// ---------------------------------------------------------------- summary records and the report

fn summary(date: u32) -> MeetingCommand {
    MeetingCommand::KeepSummaryRecord {
        date: day(date),
        text: t("The Chair opened the meeting."),
        symbol: Some(sym("A/CONF.300/2026/SR.1")),
    }
}

#[test]
fn a_summary_record_is_kept_for_a_day_the_meeting_sat() {
    // Not before the meeting has opened.
    let refusal = {
        let mut m = Meeting::default();
        for e in run(vec![convene()]) {
            m.apply(e);
        }
        m.decide(summary(7)).unwrap_err()
    };
    assert_eq!(refusal.code(), "wrong-meeting-stage", "{refusal}");
    // Not for a day outside the convened dates on which it did not sit.
    let mut m = Meeting::default();
    for e in opened() {
        m.apply(e);
    }
    assert_eq!(
        m.decide(summary(11)).unwrap_err().code(),
        "outside-convened-dates"
    );
    let kept = MeetingEvent::SummaryRecordKept {
        date: day(7),
        text: t("The Chair opened the meeting."),
        symbol: Some(sym("A/CONF.300/2026/SR.1")),
    };
    accepted(opened(), summary(7), vec![kept.clone()]);
    // Kept again for the same day: a new event, the first stays in the log.
    accepted(
        with(opened_cmds(), vec![summary(7)]),
        summary(7),
        vec![kept],
    );
}

#[test]
fn the_meeting_adopts_its_report_by_consensus() {
    let call = MeetingCommand::CallForConsensus {
        subject: ConsensusSubject::Report {
            symbol: sym("A/CONF.300/2026/L.9"),
        },
        amendment: None,
    };
    let mut expected = decision(
        2,
        DecisionKind::ReportAdopted {
            symbol: sym("A/CONF.300/2026/L.9"),
        },
        "The meeting adopted its report (A/CONF.300/2026/L.9) without a vote.",
        HowTaken::Consensus,
        Some(3),
    );
    if let MeetingEvent::DecisionTaken { consensus_call, .. } = &mut expected {
        *consensus_call = Some(1);
    }
    accepted(
        with(on_item_cmds(3), vec![call]),
        declare(DeclaredOutcome::AdoptedWithoutAVote),
        vec![expected],
    );
}

#[test]
fn a_translation_is_of_one_wording_of_an_agenda_item_or_a_decision() {
    use crate::domain::framework::TranslationOrigin;
    use crate::domain::values::LanguageTag;
    let translate = |text_of: TranslatedText| MeetingCommand::TranslateText {
        text_of,
        language: LanguageTag::Fr,
        origin: TranslationOrigin::Human,
        text: t("Texte"),
    };
    let mut m = Meeting::default();
    for e in in_session() {
        m.apply(e);
    }
    assert_eq!(
        m.decide(translate(TranslatedText::AgendaItem { number: 9 }))
            .unwrap_err()
            .code(),
        "item-not-on-agenda"
    );
    assert_eq!(
        m.decide(translate(TranslatedText::Decision { number: 2 }))
            .unwrap_err()
            .code(),
        "unknown-decision"
    );
    let translated = |text_of, of_version| MeetingEvent::TextTranslated {
        text_of,
        language: LanguageTag::Fr,
        origin: TranslationOrigin::Human,
        text: t("Texte"),
        of_version,
    };
    accepted(
        in_session(),
        translate(TranslatedText::AgendaItem { number: 1 }),
        vec![translated(TranslatedText::AgendaItem { number: 1 }, 0)],
    );
    // Made after a corrigendum, it translates the corrected wording.
    let corrected = with(
        in_session_cmds(),
        vec![MeetingCommand::IssueCorrigendum {
            decision: 1,
            text: t("The agenda was adopted, as corrected."),
            reason: t("A typing error"),
            now: day(7),
        }],
    );
    accepted(
        corrected,
        translate(TranslatedText::Decision { number: 1 }),
        vec![translated(TranslatedText::Decision { number: 1 }, 1)],
    );
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
