use proptest::prelude::*;

use super::*;
use crate::domain::framework::Section;
use crate::domain::handle_and_apply;
use crate::domain::values::{Date, Id, LanguageTag, StateCode, Text};

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
    Date::from_ymd_opt(2027, 3, d).unwrap()
}

fn filed() -> AssistanceRequest {
    let mut r = AssistanceRequest::default();
    handle_and_apply(
        &mut r,
        RequestCommand::FileRequest {
            request_id: id("req-1"),
            state: s("GHA"),
            area: Section::CapacityBuilding,
            gap_analysis: None,
            priority: Priority::High,
            modality: Modality::CertDevelopment,
            language: LanguageTag::En,
            region: text("Africa"),
            needed_by: None,
            description: text("Setting up a national CERT"),
        },
    )
    .unwrap();
    r
}

fn proposed() -> AssistanceRequest {
    let mut r = filed();
    handle_and_apply(
        &mut r,
        RequestCommand::ProposeMatch {
            state: s("GHA"),
            offer_id: id("off-1"),
            offerer: Some(Party::Organisation(id("fund"))),
            now: day(1),
        },
    )
    .unwrap();
    r
}

fn accept(state: Option<&str>, org: Option<&str>) -> RequestCommand {
    RequestCommand::AcceptMatch {
        state: state.map(s),
        organisation: org.map(id),
        now: day(2),
    }
}

#[test]
fn a_match_takes_effect_only_when_both_sides_accept() {
    let mut r = proposed();
    assert_eq!(
        handle_and_apply(&mut r, accept(Some("NOR"), None))
            .unwrap_err()
            .code(),
        "not-a-party"
    );
    let ev = handle_and_apply(&mut r, accept(None, Some("fund"))).unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(r.status, RequestStatus::Open);
    assert_eq!(
        handle_and_apply(&mut r, accept(None, Some("fund")))
            .unwrap_err()
            .code(),
        "already-accepted"
    );
    let ev = handle_and_apply(&mut r, accept(Some("GHA"), None)).unwrap();
    assert!(matches!(ev.last(), Some(RequestEvent::MatchAgreed { .. })));
    assert_eq!(r.status, RequestStatus::Matched);
    let progress = |by: &str, completed| RequestCommand::RecordProgress {
        state: Some(s(by)),
        organisation: None,
        note: text("Trainers arrived"),
        completed,
        now: day(20),
    };
    assert_eq!(
        handle_and_apply(&mut r, progress("NOR", false))
            .unwrap_err()
            .code(),
        "not-a-party"
    );
    handle_and_apply(&mut r, progress("GHA", false)).unwrap();
    handle_and_apply(&mut r, progress("GHA", true)).unwrap();
    assert_eq!(r.status, RequestStatus::Completed);
    assert_eq!(r.current.as_ref().unwrap().progress.len(), 2);
}

#[test]
fn a_declined_match_frees_the_request_and_is_remembered() {
    let mut r = proposed();
    handle_and_apply(
        &mut r,
        RequestCommand::DeclineMatch {
            state: Some(s("GHA")),
            organisation: None,
            reason: None,
            now: day(2),
        },
    )
    .unwrap();
    assert!(r.current.is_none());
    assert_eq!(r.declined, vec![id("off-1")]);
    assert_eq!(
        handle_and_apply(&mut r, accept(Some("GHA"), None))
            .unwrap_err()
            .code(),
        "no-match-proposed"
    );
}

#[test]
fn an_offer_names_what_it_offers_and_only_its_offerer_withdraws_it() {
    let mut o = AssistanceOffer::default();
    let make = |areas: Vec<Section>, capacity| OfferCommand::MakeOffer {
        offer_id: id("off-1"),
        state: Some(s("NOR")),
        organisation: None,
        areas,
        modalities: vec![Modality::Training],
        languages: vec![LanguageTag::En],
        regions: vec![],
        capacity,
        description: text("CERT training"),
    };
    assert_eq!(
        handle_and_apply(&mut o, make(vec![], 1))
            .unwrap_err()
            .code(),
        "empty-offer"
    );
    assert_eq!(
        handle_and_apply(&mut o, make(vec![Section::CapacityBuilding], 0))
            .unwrap_err()
            .code(),
        "no-capacity"
    );
    handle_and_apply(&mut o, make(vec![Section::CapacityBuilding], 2)).unwrap();
    let withdraw = |st: &str| OfferCommand::WithdrawOffer {
        state: Some(s(st)),
        organisation: None,
    };
    assert_eq!(
        handle_and_apply(&mut o, withdraw("FRA"))
            .unwrap_err()
            .code(),
        "not-a-party"
    );
    handle_and_apply(&mut o, withdraw("NOR")).unwrap();
    assert!(o.withdrawn);
}

fn any_command() -> impl Strategy<Value = RequestCommand> {
    let who = prop::sample::select(vec![
        (Some("GHA"), None),
        (None, Some("fund")),
        (Some("NOR"), None),
    ]);
    prop_oneof![
        Just(RequestCommand::ProposeMatch {
            state: s("GHA"),
            offer_id: id("off-1"),
            offerer: Some(Party::Organisation(id("fund"))),
            now: day(1)
        }),
        who.clone().prop_map(|(st, o)| accept(st, o)),
        who.clone()
            .prop_map(|(st, o)| RequestCommand::DeclineMatch {
                state: st.map(s),
                organisation: o.map(id),
                reason: None,
                now: day(3)
            }),
        (who, any::<bool>()).prop_map(|((st, o), c)| RequestCommand::RecordProgress {
            state: st.map(s),
            organisation: o.map(id),
            note: text("n"),
            completed: c,
            now: day(4)
        }),
    ]
}

proptest! {
    /// Whatever is sent: a match is agreed only once both sides have accepted, progress is
    /// recorded only on an agreed match, and a refused command changes nothing.
    #[test]
    fn agreement_needs_both_sides(commands in prop::collection::vec(any_command(), 0..30)) {
        let mut r = filed();
        for c in commands {
            let before = r.clone();
            match handle_and_apply(&mut r, c) {
                Ok(events) => {
                    for e in &events {
                        match e {
                            RequestEvent::MatchAgreed { .. } => {
                                let m = r.current.as_ref().unwrap();
                                prop_assert!(m.requester_accepted && m.offerer_accepted);
                            }
                            RequestEvent::ProgressRecorded { .. } => {
                                prop_assert_eq!(before.status, RequestStatus::Matched);
                            }
                            _ => {}
                        }
                    }
                }
                Err(_) => prop_assert_eq!(&r, &before),
            }
        }
    }
}
