//! Given/when/then for the annex of regional initiatives.

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use super::*;
use crate::domain::framework::DecisionRef;
use crate::domain::values::{Date, DocumentSymbol, Id, Text};

type A = TestFramework<Annex>;

fn annex() -> A {
    TestFramework::with(())
}

fn id(s: &str) -> Id {
    Id::parse(s).unwrap()
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

fn decision(number: u32) -> DecisionRef {
    DecisionRef {
        meeting_id: id("poa-rc-1"),
        number,
        symbol: DocumentSymbol::parse(&format!("PoA/RC.1/2026/DEC/{number}")).unwrap(),
        date: "2026-11-26".parse::<Date>().unwrap(),
    }
}

fn draft(entry: &str, title: &str, links: &[&str]) -> AnnexCommand {
    AnnexCommand::DraftEntry {
        entry_id: id(entry),
        organisation: text("OSCE"),
        title: text(title),
        description: text("Confidence-building measures to reduce the risks of conflict."),
        links: links.iter().map(|l| l.to_string()).collect(),
    }
}

fn drafted(entry: &str, title: &str) -> AnnexEvent {
    AnnexEvent::EntryDrafted {
        entry_id: id(entry),
        organisation: text("OSCE"),
        title: text(title),
        description: text("Confidence-building measures to reduce the risks of conflict."),
        links: vec!["https://www.osce.org/".into()],
    }
}

fn adopt(number: u32, review_conference: bool) -> AnnexCommand {
    AnnexCommand::RecordAdoption {
        meeting_id: id("poa-rc-1"),
        decision_number: number,
        decision: Some(decision(number)),
        by_review_conference: review_conference,
    }
}

fn replay(events: &[AnnexEvent]) -> Annex {
    let mut a = Annex::default();
    for e in events {
        a.apply(e.clone());
    }
    a
}

#[test]
fn a_drafted_entry_joins_the_annex_when_a_review_conference_adopts_it() {
    annex()
        .given_no_previous_events()
        .when(draft("osce-cbms", "OSCE CBMs", &["https://www.osce.org/"]))
        .then_expect_events(vec![drafted("osce-cbms", "OSCE CBMs")]);
    annex()
        .given(vec![drafted("osce-cbms", "OSCE CBMs")])
        .when(adopt(6, true))
        .then_expect_events(vec![AnnexEvent::AnnexAdopted {
            decision: decision(6),
            adopted: vec![id("osce-cbms")],
            removed: vec![],
        }]);
    let a = replay(&[
        drafted("osce-cbms", "OSCE CBMs"),
        AnnexEvent::AnnexAdopted {
            decision: decision(6),
            adopted: vec![id("osce-cbms")],
            removed: vec![],
        },
    ]);
    let adopted: Vec<_> = a.adopted().collect();
    assert_eq!(adopted.len(), 1);
    assert_eq!(adopted[0].2, &decision(6));
    assert!(!a.has_pending());
}

#[test]
fn a_new_wording_waits_for_the_next_adoption_and_the_old_one_stands_until_then() {
    let first = AnnexEvent::AnnexAdopted {
        decision: decision(6),
        adopted: vec![id("osce-cbms")],
        removed: vec![],
    };
    let a = replay(&[
        drafted("osce-cbms", "OSCE CBMs"),
        first.clone(),
        drafted("osce-cbms", "OSCE confidence-building measures"),
    ]);
    let (_, wording, by) = a.adopted().next().unwrap();
    assert_eq!(wording.title.as_str(), "OSCE CBMs");
    assert_eq!(by, &decision(6));
    assert!(a.has_pending());
    // Removal of an adopted entry waits for an adoption too; a draft never adopted is
    // simply dropped.
    annex()
        .given(vec![drafted("osce-cbms", "OSCE CBMs"), first.clone()])
        .when(AnnexCommand::ProposeRemoval {
            entry_id: id("osce-cbms"),
        })
        .then_expect_events(vec![AnnexEvent::RemovalProposed {
            entry_id: id("osce-cbms"),
        }]);
    annex()
        .given(vec![drafted("nordic", "Nordic cooperation")])
        .when(AnnexCommand::ProposeRemoval {
            entry_id: id("nordic"),
        })
        .then_expect_events(vec![AnnexEvent::DraftDropped {
            entry_id: id("nordic"),
        }]);
    let dropped = replay(&[
        drafted("nordic", "Nordic cooperation"),
        AnnexEvent::DraftDropped {
            entry_id: id("nordic"),
        },
    ]);
    assert!(dropped.entries.is_empty());
    let removed = replay(&[
        drafted("osce-cbms", "OSCE CBMs"),
        first,
        AnnexEvent::RemovalProposed {
            entry_id: id("osce-cbms"),
        },
        AnnexEvent::AnnexAdopted {
            decision: decision(7),
            adopted: vec![],
            removed: vec![id("osce-cbms")],
        },
    ]);
    assert_eq!(removed.adopted().count(), 0);
    assert_eq!(removed.adoptions.len(), 2);
}

#[test]
fn refusals_say_why() {
    annex()
        .given_no_previous_events()
        .when(draft("x", "X", &["javascript:alert(1)"]))
        .then_expect_error(AnnexError::BadLink {
            index: 0,
            link: "javascript:alert(1)".into(),
        });
    annex()
        .given_no_previous_events()
        .when(draft("x", "X", &["https://ok.example/", "https://a b"]))
        .then_expect_error(AnnexError::BadLink {
            index: 1,
            link: "https://a b".into(),
        });
    annex()
        .given_no_previous_events()
        .when(draft("x", "X", &["https://a.example/"; 11]))
        .then_expect_error(AnnexError::TooManyLinks { given: 11, max: 10 });
    annex()
        .given_no_previous_events()
        .when(AnnexCommand::ProposeRemoval { entry_id: id("x") })
        .then_expect_error(AnnexError::UnknownEntry(id("x")));
    annex()
        .given_no_previous_events()
        .when(adopt(6, true))
        .then_expect_error(AnnexError::NothingToAdopt);
    annex()
        .given(vec![drafted("osce-cbms", "OSCE CBMs")])
        .when(adopt(6, false))
        .then_expect_error(AnnexError::NotAReviewConference {
            meeting_id: id("poa-rc-1"),
            decision: "PoA/RC.1/2026/DEC/6".into(),
        });
    annex()
        .given(vec![drafted("osce-cbms", "OSCE CBMs")])
        .when(AnnexCommand::RecordAdoption {
            meeting_id: id("poa-rc-1"),
            decision_number: 5,
            decision: Some(decision(6)),
            by_review_conference: true,
        })
        .then_expect_error(AnnexError::DecisionMismatch {
            meeting_id: id("poa-rc-1"),
            decision_number: 5,
            given: "PoA/RC.1/2026/DEC/6".into(),
        });
    annex()
        .given(vec![
            drafted("osce-cbms", "OSCE CBMs"),
            AnnexEvent::AnnexAdopted {
                decision: decision(6),
                adopted: vec![id("osce-cbms")],
                removed: vec![],
            },
            drafted("nordic", "Nordic cooperation"),
        ])
        .when(adopt(6, true))
        .then_expect_error(AnnexError::AlreadyAdoptedBy("PoA/RC.1/2026/DEC/6".into()));
}
