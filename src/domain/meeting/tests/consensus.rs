//! The consensus procedure and its outcomes.

use super::*;

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
