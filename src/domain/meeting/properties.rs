//! Property tests: random command sequences checked against an independent count.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::tests::{convene_with, day, item, provisional_items, s, t};
use super::*;
use crate::domain::body::{MotionKind, RulesOfProcedure};
use crate::domain::values::StateCode;

fn codes(n: usize) -> Vec<StateCode> {
    (0..n)
        .map(|i| {
            let a = (b'A' + (i / 26) as u8) as char;
            let b = (b'A' + (i % 26) as u8) as char;
            s(&format!("Q{a}{b}"))
        })
        .collect()
}

/// Applies a command if accepted; returns what it emitted.
fn step(m: &mut Meeting, c: MeetingCommand) -> Result<Vec<MeetingEvent>, MeetingError> {
    let events = crate::domain::handle_and_apply(m, c)?;
    for e in &events {
        // The event's type is its serde tag, so stored events and event_type() agree.
        let json = serde_json::to_value(e).unwrap();
        let tag = json.as_object().and_then(|o| o.keys().next().cloned());
        assert_eq!(tag, Some(cqrs_es::DomainEvent::event_type(e)));
        assert_eq!(serde_json::from_value::<MeetingEvent>(json).unwrap(), *e);
    }
    Ok(events)
}

/// Convened with `members`, everyone present, open, agenda adopted.
fn in_session(members: &[StateCode], kind: MeetingKind) -> (Meeting, Vec<MeetingEvent>) {
    let mut m = Meeting::default();
    let mut log = Vec::new();
    let mut cmds = vec![convene_with(
        kind,
        members.to_vec(),
        RulesOfProcedure::default(),
    )];
    cmds.extend(
        members
            .iter()
            .map(|st| MeetingCommand::MarkPresent { state: st.clone() }),
    );
    cmds.push(MeetingCommand::Open { now: day(6) });
    cmds.push(MeetingCommand::IssueProvisionalAgenda {
        items: provisional_items(),
    });
    cmds.push(MeetingCommand::AdoptAgenda { now: day(6) });
    for c in cmds {
        log.extend(step(&mut m, c).unwrap());
    }
    (m, log)
}

#[derive(Debug, Clone)]
enum VoteOp {
    Present(usize),
    Absent(usize),
    Move(usize, MotionKind),
    Put,
    Cast(usize, Ballot),
    Recorded(usize),
    Close,
    Resume,
    TakeUp,
}

fn ballot() -> impl Strategy<Value = Ballot> {
    prop_oneof![Just(Ballot::Yes), Just(Ballot::No), Just(Ballot::Abstain)]
}

fn motion_kind() -> impl Strategy<Value = MotionKind> {
    prop_oneof![
        Just(MotionKind::SuspendMeeting),
        Just(MotionKind::AdjournMeeting),
        Just(MotionKind::AdjournDebate),
        Just(MotionKind::CloseDebate),
    ]
}

fn vote_op(n: usize) -> impl Strategy<Value = VoteOp> {
    prop_oneof![
        2 => (0..n).prop_map(VoteOp::Present),
        2 => (0..n).prop_map(VoteOp::Absent),
        2 => ((0..n), motion_kind()).prop_map(|(i, k)| VoteOp::Move(i, k)),
        2 => Just(VoteOp::Put),
        6 => ((0..n), ballot()).prop_map(|(i, b)| VoteOp::Cast(i, b)),
        1 => (0..n).prop_map(VoteOp::Recorded),
        2 => Just(VoteOp::Close),
        1 => Just(VoteOp::Resume),
        1 => Just(VoteOp::TakeUp),
    ]
}

fn vote_case() -> impl Strategy<Value = (usize, Vec<VoteOp>)> {
    (1usize..15).prop_flat_map(|n| (Just(n), prop::collection::vec(vote_op(n), 0..80)))
}

#[derive(Debug, Clone)]
enum AgendaOp {
    Issue(u32),
    Adopt,
    Add(u32),
    Reorder(Vec<u32>),
    Defer(u32),
    TakeUp(u32),
    Conclude(u32),
    Suspend,
    Resume,
}

fn agenda_op() -> impl Strategy<Value = AgendaOp> {
    prop_oneof![
        (1u32..5).prop_map(AgendaOp::Issue),
        Just(AgendaOp::Adopt),
        (0u32..8).prop_map(AgendaOp::Add),
        Just((1u32..8).collect::<Vec<u32>>())
            .prop_shuffle()
            .prop_flat_map(|v| (0..=v.len()).prop_map(move |k| v[..k].to_vec()))
            .prop_map(AgendaOp::Reorder),
        (0u32..8).prop_map(AgendaOp::Defer),
        (0u32..8).prop_map(AgendaOp::TakeUp),
        (0u32..8).prop_map(AgendaOp::Conclude),
        Just(AgendaOp::Suspend),
        Just(AgendaOp::Resume),
    ]
}

/// What an agenda is, leaving aside which item is being discussed.
fn agenda_shape(m: &Meeting) -> Vec<(u32, String, bool)> {
    m.agenda
        .iter()
        .map(|e| {
            (
                e.item.number,
                e.item.title.to_string(),
                e.status == ItemStatus::Deferred,
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn no_vote_passes_without_a_majority_of_those_present_and_voting((n, ops) in vote_case()) {
        let members = codes(n);
        let (mut m, _) = in_session(&members, MeetingKind::PeriodicMeeting);
        step(&mut m, MeetingCommand::TakeUpItem { item: 2 }).unwrap();
        // The independent model: who is present, and the ballots of the vote in progress.
        let mut present: BTreeSet<StateCode> = members.iter().cloned().collect();
        let mut ballots: BTreeMap<StateCode, Ballot> = BTreeMap::new();
        let decide_quorum = n / 2 + 1;
        for op in ops {
            let cmd = match &op {
                VoteOp::Present(i) => MeetingCommand::MarkPresent { state: members[*i].clone() },
                VoteOp::Absent(i) => MeetingCommand::MarkAbsent { state: members[*i].clone() },
                VoteOp::Move(i, k) => MeetingCommand::MoveMotion { state: members[*i].clone(), kind: *k },
                VoteOp::Put => {
                    let pending = m.motions.iter().position(|x| x.status == MotionStatus::Pending);
                    MeetingCommand::PutQuestionToVote {
                        question: VoteQuestion::Motion { motion: pending.map_or(1, |p| p as u32 + 1) },
                    }
                }
                VoteOp::Cast(i, b) => MeetingCommand::CastVote { state: members[*i].clone(), ballot: *b },
                VoteOp::Recorded(i) => MeetingCommand::RequestRecordedVote { state: members[*i].clone() },
                VoteOp::Close => MeetingCommand::CloseVoting { now: day(7) },
                VoteOp::Resume => MeetingCommand::Resume { now: day(7) },
                VoteOp::TakeUp => MeetingCommand::TakeUpItem { item: 2 },
            };
            let result = step(&mut m, cmd);
            match (&op, &result) {
                (VoteOp::Present(i), Ok(_)) => prop_assert!(present.insert(members[*i].clone())),
                (VoteOp::Absent(i), Ok(_)) => prop_assert!(present.remove(&members[*i])),
                (VoteOp::Put, Ok(_)) => {
                    prop_assert!(present.len() >= decide_quorum, "vote opened without quorum");
                    ballots.clear();
                }
                (VoteOp::Put, Err(MeetingError::NoQuorumToDecide { present: p, needed, .. })) => {
                    prop_assert_eq!(*p as usize, present.len());
                    prop_assert_eq!(*needed as usize, decide_quorum);
                    prop_assert!(present.len() < decide_quorum);
                }
                (VoteOp::Cast(i, b), Ok(_)) => {
                    prop_assert!(present.contains(&members[*i]), "an absent State voted");
                    prop_assert!(ballots.insert(members[*i].clone(), *b).is_none(), "voted twice");
                }
                (VoteOp::Cast(i, _), Err(MeetingError::NotPresent { .. })) => {
                    prop_assert!(!present.contains(&members[*i]));
                }
                (VoteOp::Close, Ok(events)) => {
                    let yes = ballots.values().filter(|b| **b == Ballot::Yes).count() as u32;
                    let no = ballots.values().filter(|b| **b == Ballot::No).count() as u32;
                    let abstain = ballots.values().filter(|b| **b == Ballot::Abstain).count() as u32;
                    match events.first() {
                        Some(MeetingEvent::VoteConcluded { tally, carried, .. }) => {
                            prop_assert_eq!((tally.yes, tally.no, tally.abstain), (yes, no, abstain));
                            // Majority of those present and voting; abstentions do not count; a tie fails.
                            prop_assert_eq!(*carried, yes > no, "yes {} no {} abstain {}", yes, no, abstain);
                            let decided = events.iter().any(|e| matches!(e, MeetingEvent::DecisionTaken { .. }));
                            prop_assert_eq!(decided, *carried);
                        }
                        other => prop_assert!(false, "unexpected {:?}", other),
                    }
                    ballots.clear();
                }
                _ => {}
            }
            prop_assert_eq!(&m.present, &present);
        }
    }

    #[test]
    fn an_adopted_agenda_never_changes_without_a_decision(ops in prop::collection::vec(agenda_op(), 0..60)) {
        let members = codes(4);
        let mut m = Meeting::default();
        let mut log = Vec::new();
        let mut setup = vec![convene_with(MeetingKind::PeriodicMeeting, members.clone(), RulesOfProcedure::default())];
        setup.extend(members.iter().map(|st| MeetingCommand::MarkPresent { state: st.clone() }));
        setup.push(MeetingCommand::Open { now: day(6) });
        for c in setup {
            log.extend(step(&mut m, c).unwrap());
        }
        for op in ops {
            let cmd = match op {
                AgendaOp::Issue(k) => MeetingCommand::IssueProvisionalAgenda {
                    items: (1..=k).map(|i| item(i, "Item", ItemNature::Substantive)).collect(),
                },
                AgendaOp::Adopt => MeetingCommand::AdoptAgenda { now: day(6) },
                AgendaOp::Add(n) => MeetingCommand::ChangeAgenda {
                    change: AgendaChange::AddItem { item: item(n, "Added", ItemNature::Procedural) },
                    now: day(6),
                },
                AgendaOp::Reorder(order) => MeetingCommand::ChangeAgenda {
                    change: AgendaChange::Reorder { order },
                    now: day(6),
                },
                AgendaOp::Defer(n) => MeetingCommand::ChangeAgenda {
                    change: AgendaChange::DeferItem { item: n, to_meeting: None },
                    now: day(6),
                },
                AgendaOp::TakeUp(n) => MeetingCommand::TakeUpItem { item: n },
                AgendaOp::Conclude(n) => MeetingCommand::ConcludeItem { item: n },
                AgendaOp::Suspend => MeetingCommand::Suspend { now: day(6) },
                AgendaOp::Resume => MeetingCommand::Resume { now: day(6) },
            };
            let adopted_before = m.agenda_adopted;
            let before = agenda_shape(&m);
            if let Ok(events) = step(&mut m, cmd) {
                if adopted_before && agenda_shape(&m) != before {
                    prop_assert!(
                        events.iter().any(|e| matches!(e, MeetingEvent::DecisionTaken { kind: DecisionKind::AgendaChange, .. })),
                        "agenda changed without a decision: {:?}", events
                    );
                }
                log.extend(events);
            }
        }
        // And on the log itself: after adoption each change follows its own decision.
        let mut adopted = false;
        for (i, e) in log.iter().enumerate() {
            let number = match e {
                MeetingEvent::AgendaAdopted { decision_number, .. } => {
                    adopted = true;
                    Some(*decision_number)
                }
                MeetingEvent::ProvisionalAgendaIssued { .. } => {
                    prop_assert!(!adopted, "provisional agenda issued after adoption");
                    None
                }
                MeetingEvent::AgendaItemAdded { decision_number, .. }
                | MeetingEvent::AgendaReordered { decision_number, .. }
                | MeetingEvent::AgendaItemDeferred { decision_number, .. } => {
                    prop_assert!(adopted);
                    Some(*decision_number)
                }
                _ => None,
            };
            if let Some(n) = number {
                let preceded = i > 0 && matches!(&log[i - 1], MeetingEvent::DecisionTaken { number, .. } if *number == n);
                prop_assert!(preceded, "agenda event {:?} without its decision", e);
            }
        }
    }

    #[test]
    fn an_objection_by_a_state_not_present_is_refused(
        n in 2usize..12,
        absent_mask in prop::collection::vec(any::<bool>(), 12),
        objector in 0usize..13,
    ) {
        let members = codes(n);
        let (mut m, _) = in_session(&members, MeetingKind::ReviewConference);
        step(&mut m, MeetingCommand::TakeUpItem { item: 2 }).unwrap();
        step(&mut m, MeetingCommand::CallForConsensus {
            subject: ConsensusSubject::DraftDecision { text: t("Draft") },
            amendment: None,
        }).unwrap();
        for (i, st) in members.iter().enumerate() {
            if absent_mask[i] {
                step(&mut m, MeetingCommand::MarkAbsent { state: st.clone() }).unwrap();
            }
        }
        let (state, member) = match members.get(objector) {
            Some(st) => (st.clone(), true),
            None => (s("ZZZ"), false),
        };
        let is_present = member && !absent_mask[objector];
        let result = m.decide(MeetingCommand::RaiseObjection { state: state.clone(), reason: None });
        match result {
            Ok(events) => {
                prop_assert!(is_present);
                prop_assert_eq!(events.len(), 1);
            }
            Err(MeetingError::NotPresent { state: refused, .. }) => {
                prop_assert!(member && !is_present);
                prop_assert_eq!(refused, state);
            }
            Err(MeetingError::NotAMember(_)) => prop_assert!(!member),
            Err(other) => prop_assert!(false, "unexpected refusal {}", other),
        }
    }
}
