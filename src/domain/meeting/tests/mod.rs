//! Given / when / then tests: one per rule, and one per refusal with its message.

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use super::*;
use crate::domain::body::{Fraction, MotionKind, RulesOfProcedure, StakeholderKind, Tally};
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

mod agenda;
mod consensus;
mod debate;
mod lifecycle;
mod motions;
mod participation;
mod record;

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

fn register_ngo(accredited: bool) -> MeetingCommand {
    MeetingCommand::RegisterStakeholder {
        organisation_id: id("ngo-1"),
        name: t("Cyber Peace Institute"),
        kind: StakeholderKind::CivilSociety,
        role: StakeholderRole::Participant,
        accredited,
    }
}

fn register_icrc() -> MeetingCommand {
    MeetingCommand::RegisterObserver {
        observer_id: id("icrc"),
        name: t("ICRC"),
    }
}

fn delegate(name: &str, gender: Option<Gender>, head: bool) -> DelegateMember {
    DelegateMember {
        name: t(name),
        gender,
        head_of_delegation: head,
    }
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

fn raise_point() -> MeetingCommand {
    MeetingCommand::RaisePointOfOrder {
        state: s("BRA"),
        point: t("The speaker is not addressing the item."),
    }
}

fn inscribe(n: u32, speaker: Speaker) -> MeetingCommand {
    MeetingCommand::InscribeSpeaker { item: n, speaker }
}

fn vote_on(motion: u32) -> MeetingCommand {
    MeetingCommand::PutQuestionToVote {
        question: VoteQuestion::Motion { motion },
    }
}

fn move_motion(state: &str, kind: MotionKind) -> MeetingCommand {
    MeetingCommand::MoveMotion {
        state: s(state),
        kind,
    }
}

fn programme() -> Vec<PlannedMeeting> {
    vec![PlannedMeeting {
        kind: MeetingKind::PeriodicMeeting,
        title: t("First periodic meeting"),
        starts: Date::from_ymd_opt(2027, 7, 5).unwrap(),
        ends: Date::from_ymd_opt(2027, 7, 9).unwrap(),
    }]
}

fn explain(state: &str, timing: ExplanationTiming) -> MeetingCommand {
    MeetingCommand::ExplainPosition {
        state: s(state),
        timing,
        text: t("We join consensus but dissociate from OP-3."),
        dissociates_from: vec![id("OP-3")],
    }
}

fn declare_amendment_adopted(facts: Option<AmendmentStanding>) -> MeetingCommand {
    MeetingCommand::DeclareOutcome {
        outcome: DeclaredOutcome::AdoptedWithoutAVote,
        now: day(7),
        amendment: facts,
    }
}

fn declare(outcome: DeclaredOutcome) -> MeetingCommand {
    MeetingCommand::DeclareOutcome {
        outcome,
        now: day(7),
        amendment: None,
    }
}

fn object(state: &str) -> MeetingCommand {
    MeetingCommand::RaiseObjection {
        state: s(state),
        reason: Some(t("We cannot accept operative paragraph 3.")),
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
