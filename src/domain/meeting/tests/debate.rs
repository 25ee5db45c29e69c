//! The speakers' list, the floor, rights of reply, and points of order.

use super::*;

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
