use proptest::prelude::*;

use super::*;
use crate::domain::handle_and_apply;
use crate::domain::values::{Date, Id, StateCode, Text};

fn s(code: &str) -> StateCode {
    StateCode::parse(code).unwrap()
}
fn id(raw: &str) -> Id {
    Id::parse(raw).unwrap()
}
fn text(raw: &str) -> Text {
    Text::parse(raw).unwrap()
}
fn day(d: u32) -> Date {
    Date::from_ymd_opt(2026, 3, d).unwrap()
}
fn email(v: &str) -> Channel {
    Channel {
        kind: ChannelKind::Email,
        value: text(v),
    }
}

fn nominate(state: &str, contact: &str) -> ContactCommand {
    ContactCommand::NominateContact {
        state: s(state),
        contact_id: id(contact),
        role: ContactRole::Technical,
        name: text("NorCERT duty officer"),
        organisation: Some(text("NorCERT")),
        channels: vec![email("cert@example.no")],
    }
}

fn directory() -> PointsOfContact {
    let mut d = PointsOfContact::default();
    handle_and_apply(&mut d, nominate("NOR", "cert")).unwrap();
    handle_and_apply(
        &mut d,
        ContactCommand::NominateContact {
            state: s("NOR"),
            contact_id: id("mfa"),
            role: ContactRole::Policy,
            name: text("Cyber ambassador"),
            organisation: None,
            channels: vec![Channel {
                kind: ChannelKind::Phone,
                value: text("+47 0000 0000"),
            }],
        },
    )
    .unwrap();
    d
}

#[test]
fn a_directory_belongs_to_one_state() {
    let mut d = directory();
    assert_eq!(d.state, Some(s("NOR")));
    let e = handle_and_apply(&mut d, nominate("FRA", "anssi")).unwrap_err();
    assert_eq!(e.code(), "wrong-state");
    assert_eq!(
        handle_and_apply(&mut d, nominate("NOR", "cert")).unwrap_err(),
        ContactError::AlreadyNominated(id("cert"))
    );
}

#[test]
fn a_contact_needs_a_channel_and_an_email_needs_an_at() {
    let mut d = PointsOfContact::default();
    let mut c = nominate("NOR", "cert");
    if let ContactCommand::NominateContact { channels, .. } = &mut c {
        channels.clear();
    }
    assert_eq!(
        handle_and_apply(&mut d, c).unwrap_err(),
        ContactError::NoChannel
    );
    let mut c = nominate("NOR", "cert");
    if let ContactCommand::NominateContact { channels, .. } = &mut c {
        *channels = vec![email("cert.example.no")];
    }
    assert_eq!(
        handle_and_apply(&mut d, c).unwrap_err().code(),
        "not-an-email-address"
    );
    assert_eq!(d, PointsOfContact::default());
}

#[test]
fn a_change_keeps_what_it_does_not_name_and_a_retired_contact_stays_retired() {
    let mut d = directory();
    let ev = handle_and_apply(
        &mut d,
        ContactCommand::ChangeContact {
            state: s("NOR"),
            contact_id: id("cert"),
            name: Some(text("NorCERT head of operations")),
            organisation: None,
            channels: None,
        },
    )
    .unwrap();
    assert!(
        matches!(&ev[0], ContactEvent::ContactChanged { organisation: Some(o), channels, .. }
        if o.as_str() == "NorCERT" && channels.len() == 1)
    );
    assert_eq!(
        d.contacts[&id("cert")].name.as_str(),
        "NorCERT head of operations"
    );
    handle_and_apply(
        &mut d,
        ContactCommand::RetireContact {
            state: s("NOR"),
            contact_id: id("cert"),
            reason: None,
        },
    )
    .unwrap();
    let again = ContactCommand::RetireContact {
        state: s("NOR"),
        contact_id: id("cert"),
        reason: None,
    };
    assert_eq!(
        handle_and_apply(&mut d, again).unwrap_err(),
        ContactError::Retired(id("cert"))
    );
    assert_eq!(d.current_contacts().count(), 1);
}

fn ping(p: &str, answer_by: u32, now: u32) -> ContactCommand {
    ContactCommand::SendPing {
        ping_id: id(p),
        answer_by: day(answer_by),
        now: day(now),
    }
}

fn confirm(p: &str, contact: &str, now: u32) -> ContactCommand {
    ContactCommand::ConfirmPing {
        state: s("NOR"),
        ping_id: id(p),
        contact_id: id(contact),
        now: day(now),
    }
}

#[test]
fn a_ping_asks_every_current_contact_and_flags_who_did_not_answer_in_time() {
    let mut d = PointsOfContact::default();
    assert_eq!(
        handle_and_apply(&mut d, ping("p1", 10, 1)).unwrap_err(),
        ContactError::NobodyToPing
    );
    let mut d = directory();
    assert_eq!(
        handle_and_apply(&mut d, ping("p1", 1, 2))
            .unwrap_err()
            .code(),
        "answer-by-in-the-past"
    );
    handle_and_apply(&mut d, ping("p1", 10, 1)).unwrap();
    assert_eq!(d.pings[&id("p1")].asked.len(), 2);
    handle_and_apply(&mut d, confirm("p1", "cert", 3)).unwrap();
    assert_eq!(
        handle_and_apply(&mut d, confirm("p1", "cert", 4))
            .unwrap_err()
            .code(),
        "already-confirmed"
    );
    // Before the date nobody is flagged; after it, only the contact who did not answer.
    assert!(d.unanswered(&id("mfa"), day(10)).is_none());
    assert!(d.unanswered(&id("mfa"), day(11)).is_some());
    assert!(d.unanswered(&id("cert"), day(11)).is_none());
    // A late answer clears the flag.
    handle_and_apply(&mut d, confirm("p1", "mfa", 12)).unwrap();
    assert!(d.unanswered(&id("mfa"), day(13)).is_none());
    // A contact nominated after the ping was not asked.
    handle_and_apply(&mut d, nominate("NOR", "new")).unwrap();
    assert_eq!(
        handle_and_apply(&mut d, confirm("p1", "new", 5))
            .unwrap_err()
            .code(),
        "not-pinged"
    );
    assert_eq!(
        handle_and_apply(&mut d, ping("p1", 20, 14))
            .unwrap_err()
            .code(),
        "ping-exists"
    );
}

fn any_command() -> impl Strategy<Value = ContactCommand> {
    let contact = prop::sample::select(vec!["a", "b", "c"]);
    let p = prop::sample::select(vec!["p1", "p2"]);
    prop_oneof![
        (prop::sample::select(vec!["NOR", "FRA"]), contact.clone())
            .prop_map(|(st, c)| nominate(st, c)),
        contact.clone().prop_map(|c| ContactCommand::RetireContact {
            state: s("NOR"),
            contact_id: id(c),
            reason: None
        }),
        (p.clone(), 1u32..20, 1u32..20).prop_map(|(p, a, n)| ping(p, a, n)),
        (p, contact, 1u32..28).prop_map(|(p, c, n)| confirm(p, c, n)),
    ]
}

proptest! {
    /// Whatever is sent, a ping's answers come from those it asked, a ping never asks a
    /// retired contact, and a refused command changes nothing.
    #[test]
    fn pings_only_ever_hold_answers_from_those_asked(commands in prop::collection::vec(any_command(), 0..30)) {
        let mut d = PointsOfContact::default();
        for c in commands {
            let before = d.clone();
            match handle_and_apply(&mut d, c) {
                Ok(events) => {
                    for e in events {
                        if let ContactEvent::PingSent { contacts, .. } = e {
                            for c in contacts {
                                prop_assert!(!before.contacts[&c].retired);
                            }
                        }
                    }
                }
                Err(_) => prop_assert_eq!(&d, &before),
            }
            for p in d.pings.values() {
                prop_assert!(p.confirmed.keys().all(|c| p.asked.contains(c)));
            }
        }
    }
}
