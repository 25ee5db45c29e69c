//! Procedural motions and votes.

use super::*;

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
