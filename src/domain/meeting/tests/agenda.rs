//! The provisional and adopted agenda, its changes, and its items.

use super::*;

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
