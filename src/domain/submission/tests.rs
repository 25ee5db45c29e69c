use proptest::prelude::*;

use super::*;
use crate::domain::framework::{Section, TranslationOrigin};
use crate::domain::handle_and_apply;
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, StateCode, Text};

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

fn draft(
    kind: SubmissionKind,
    state: Option<&str>,
    org: Option<&str>,
    accredited: bool,
) -> SubmissionCommand {
    SubmissionCommand::Draft {
        submission_id: id("sub-1"),
        body_id: id("poa"),
        kind,
        state: state.map(s),
        organisation: org.map(id),
        title: text("Norway's views under resolution 71/28"),
        language: LanguageTag::En,
        text: text("Norway is among the world's most digitalized countries."),
        resolution: Some(DocumentSymbol::parse("A/RES/71/28").unwrap()),
        sections: vec![Section::CapacityBuilding],
        paragraphs: vec![],
        topics: vec![],
        accredited,
    }
}

fn by_norway() -> Submission {
    let mut sub = Submission::default();
    handle_and_apply(
        &mut sub,
        draft(SubmissionKind::NationalViews, Some("NOR"), None, false),
    )
    .unwrap();
    sub
}

fn nor<T>(f: impl FnOnce(Option<StateCode>, Option<Id>) -> T) -> T {
    f(Some(s("NOR")), None)
}

#[test]
fn who_files_what() {
    let mut sub = Submission::default();
    let e = handle_and_apply(
        &mut sub,
        draft(SubmissionKind::GapAnalysis, Some("NOR"), Some("ngo"), true),
    )
    .unwrap_err();
    assert_eq!(e, SubmissionError::OneFiler);
    let e = handle_and_apply(
        &mut sub,
        draft(
            SubmissionKind::StakeholderWorkingPaper,
            Some("NOR"),
            None,
            false,
        ),
    )
    .unwrap_err();
    assert_eq!(e.code(), "filed-by-states-only");
    let e = handle_and_apply(
        &mut sub,
        draft(SubmissionKind::GapAnalysis, None, Some("ngo"), true),
    )
    .unwrap_err();
    assert_eq!(e.code(), "stakeholders-file-working-papers");
    let e = handle_and_apply(
        &mut sub,
        draft(
            SubmissionKind::StakeholderWorkingPaper,
            None,
            Some("ngo"),
            false,
        ),
    )
    .unwrap_err();
    assert_eq!(e, SubmissionError::NotAccredited(id("ngo")));
    let mut views = draft(SubmissionKind::NationalViews, Some("NOR"), None, false);
    if let SubmissionCommand::Draft { resolution, .. } = &mut views {
        *resolution = None;
    }
    assert_eq!(
        handle_and_apply(&mut sub, views).unwrap_err(),
        SubmissionError::ResolutionMissing
    );
    handle_and_apply(
        &mut sub,
        draft(
            SubmissionKind::StakeholderWorkingPaper,
            None,
            Some("ngo"),
            true,
        ),
    )
    .unwrap();
    assert_eq!(sub.filer, Some(Filer::Organisation(id("ngo"))));
}

#[test]
fn a_submission_is_revised_submitted_published_and_keeps_every_revision() {
    let mut sub = by_norway();
    // Another State cannot act on it.
    let e = handle_and_apply(
        &mut sub,
        SubmissionCommand::Submit {
            state: Some(s("FRA")),
            organisation: None,
            now: day(2),
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "not-the-filer");
    handle_and_apply(
        &mut sub,
        nor(|state, organisation| SubmissionCommand::Revise {
            state,
            organisation,
            title: None,
            text: text("Revised text."),
        }),
    )
    .unwrap();
    assert_eq!(sub.revisions.len(), 2);
    assert_eq!(sub.revisions[1].title, sub.revisions[0].title);
    let e = handle_and_apply(
        &mut sub,
        SubmissionCommand::Publish {
            symbol: DocumentSymbol::parse("A/72/315").unwrap(),
            now: day(3),
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "wrong-status");
    handle_and_apply(
        &mut sub,
        nor(|state, organisation| SubmissionCommand::Submit {
            state,
            organisation,
            now: day(2),
        }),
    )
    .unwrap();
    let e = handle_and_apply(
        &mut sub,
        nor(|state, organisation| SubmissionCommand::Revise {
            state,
            organisation,
            title: None,
            text: text("Too late."),
        }),
    )
    .unwrap_err();
    assert_eq!(e.code(), "wrong-status");
    let ev = handle_and_apply(
        &mut sub,
        SubmissionCommand::Publish {
            symbol: DocumentSymbol::parse("A/72/315").unwrap(),
            now: day(3),
        },
    )
    .unwrap();
    assert!(
        matches!(&ev[0], SubmissionEvent::SubmissionPublished { revision: 2, text: t, .. } if t.as_str() == "Revised text.")
    );
    assert_eq!(sub.status, SubmissionStatus::Published);
    handle_and_apply(
        &mut sub,
        nor(|state, organisation| SubmissionCommand::Withdraw {
            state,
            organisation,
            reason: None,
            now: day(4),
        }),
    )
    .unwrap();
    assert_eq!(sub.status, SubmissionStatus::Withdrawn);
    let e = handle_and_apply(
        &mut sub,
        nor(|state, organisation| SubmissionCommand::Withdraw {
            state,
            organisation,
            reason: None,
            now: day(5),
        }),
    )
    .unwrap_err();
    assert_eq!(e.code(), "wrong-status");
}

#[test]
fn a_language_version_is_of_one_revision_in_another_language() {
    let mut sub = by_norway();
    let version = |language, of_revision| {
        nor(
            |state, organisation| SubmissionCommand::AddLanguageVersion {
                state,
                organisation,
                language,
                text: text("Texte."),
                origin: TranslationOrigin::Machine,
                of_revision,
            },
        )
    };
    assert_eq!(
        handle_and_apply(&mut sub, version(LanguageTag::En, 1))
            .unwrap_err()
            .code(),
        "same-language"
    );
    assert_eq!(
        handle_and_apply(&mut sub, version(LanguageTag::Fr, 2))
            .unwrap_err()
            .code(),
        "unknown-revision"
    );
    handle_and_apply(&mut sub, version(LanguageTag::Fr, 1)).unwrap();
    handle_and_apply(&mut sub, version(LanguageTag::Fr, 1)).unwrap();
    assert_eq!(sub.versions.len(), 1);
}

#[test]
fn nothing_but_a_draft_starts_a_submission() {
    let mut sub = Submission::default();
    let e = handle_and_apply(
        &mut sub,
        SubmissionCommand::Publish {
            symbol: DocumentSymbol::parse("A/1").unwrap(),
            now: day(1),
        },
    )
    .unwrap_err();
    assert_eq!(e, SubmissionError::NotDrafted);
    let mut sub = by_norway();
    let e = handle_and_apply(
        &mut sub,
        draft(SubmissionKind::NationalViews, Some("NOR"), None, false),
    )
    .unwrap_err();
    assert_eq!(e, SubmissionError::AlreadyDrafted);
}

fn any_command() -> impl Strategy<Value = SubmissionCommand> {
    let who = prop::sample::select(vec![Some("NOR"), Some("FRA")]);
    prop_oneof![
        who.clone().prop_map(|w| SubmissionCommand::Revise {
            state: w.map(s),
            organisation: None,
            title: None,
            text: text("r")
        }),
        who.clone().prop_map(|w| SubmissionCommand::Submit {
            state: w.map(s),
            organisation: None,
            now: day(2)
        }),
        Just(SubmissionCommand::Publish {
            symbol: DocumentSymbol::parse("A/72/315").unwrap(),
            now: day(3)
        }),
        who.clone().prop_map(|w| SubmissionCommand::Withdraw {
            state: w.map(s),
            organisation: None,
            reason: None,
            now: day(4)
        }),
        (who.clone(), 0u32..4).prop_map(|(w, r)| SubmissionCommand::AddLanguageVersion {
            state: w.map(s),
            organisation: None,
            language: LanguageTag::Fr,
            text: text("t"),
            origin: TranslationOrigin::Human,
            of_revision: r
        }),
        who.clone().prop_map(|w| SubmissionCommand::AnswerSurvey {
            state: w.map(s),
            organisation: None,
            answers: vec![SurveyAnswer {
                question: Id::parse("q1").unwrap(),
                answer: text("Yes.")
            }],
            questions: vec![Id::parse("q1").unwrap()],
        }),
        (who.clone(), 0u8..3, 0u64..3).prop_map(|(w, f, size)| SubmissionCommand::Attach {
            state: w.map(s),
            organisation: None,
            attachment: file(f, size),
        }),
        (who, 0u8..3).prop_map(|(w, f)| SubmissionCommand::Detach {
            state: w.map(s),
            organisation: None,
            sha256: file(f, 1).sha256,
        }),
    ]
}

/// One of a few files (`n`), of `size` bytes as the command says.
fn file(n: u8, size: u64) -> Attachment {
    Attachment {
        name: crate::domain::values::FileName::parse(&format!("report-{n}.pdf")).unwrap(),
        media_type: crate::domain::values::MediaType::parse("application/pdf").unwrap(),
        sha256: crate::domain::values::ContentHash::of(&[n]),
        size,
    }
}

proptest! {
    /// Whatever is sent: revisions are never lost, only the filer changes anything, a refused
    /// command changes nothing, and a published text is a revision that was submitted.
    #[test]
    fn revisions_are_kept_and_only_the_filer_acts(commands in prop::collection::vec(any_command(), 0..25)) {
        let mut sub = by_norway();
        for c in commands {
            let before = sub.clone();
            let filer_ok = match &c {
                SubmissionCommand::Publish { .. } => true,
                SubmissionCommand::Revise { state, .. } | SubmissionCommand::Submit { state, .. }
                | SubmissionCommand::Withdraw { state, .. } | SubmissionCommand::AddLanguageVersion { state, .. }
                | SubmissionCommand::AnswerSurvey { state, .. } | SubmissionCommand::Attach { state, .. }
                | SubmissionCommand::Detach { state, .. } => state.as_ref() == Some(&s("NOR")),
                SubmissionCommand::Draft { .. } => false,
            };
            match handle_and_apply(&mut sub, c) {
                Ok(events) => {
                    prop_assert!(filer_ok);
                    for e in events {
                        if let SubmissionEvent::SubmissionPublished { revision, .. } = e {
                            prop_assert_eq!(Some(revision), before.submitted_revision);
                        }
                    }
                }
                Err(_) => prop_assert_eq!(&sub, &before),
            }
            // A published or withdrawn text keeps its files as they were.
            if before.status == SubmissionStatus::Published || before.status == SubmissionStatus::Withdrawn {
                prop_assert_eq!(&sub.attachments, &before.attachments);
            }
            let mut hashes: Vec<_> = sub.attachments.iter().map(|a| &a.sha256).collect();
            hashes.dedup();
            prop_assert_eq!(hashes.len(), sub.attachments.len());
            prop_assert!(sub.attachments.iter().all(|a| a.size > 0));
            prop_assert!(sub.revisions.len() >= before.revisions.len());
            prop_assert_eq!(&sub.revisions[..before.revisions.len()], &before.revisions[..]);
        }
    }
}

#[test]
fn a_national_report_answers_the_survey_template() {
    let q = |id: &str| Id::parse(id).unwrap();
    let answer = |id: &str, text_: &str| SurveyAnswer {
        question: q(id),
        answer: text(text_),
    };
    let answering =
        |answers: Vec<SurveyAnswer>, questions: Vec<Id>| SubmissionCommand::AnswerSurvey {
            state: Some(s("NOR")),
            organisation: None,
            answers,
            questions,
        };
    let mut report = Submission::default();
    handle_and_apply(
        &mut report,
        draft(
            SubmissionKind::NationalImplementationReport,
            Some("NOR"),
            None,
            false,
        ),
    )
    .unwrap();
    let template = vec![q("poc"), q("cert")];
    handle_and_apply(
        &mut report,
        answering(vec![answer("poc", "Yes, two.")], template.clone()),
    )
    .unwrap();
    handle_and_apply(
        &mut report,
        answering(
            vec![answer("poc", "Yes, two."), answer("cert", "NorCERT.")],
            template.clone(),
        ),
    )
    .unwrap();
    assert_eq!(
        report.answers.len(),
        2,
        "the latest answers replace the earlier"
    );
    let refused = |sub: &mut Submission, c| handle_and_apply(sub, c).unwrap_err();
    assert_eq!(
        refused(
            &mut report,
            answering(vec![answer("x", "?")], template.clone())
        ),
        SubmissionError::UnknownQuestion(q("x"))
    );
    assert_eq!(
        refused(
            &mut report,
            answering(
                vec![answer("poc", "a"), answer("poc", "b")],
                template.clone()
            )
        ),
        SubmissionError::AnsweredTwice(q("poc"))
    );
    assert_eq!(
        refused(&mut report, answering(vec![], vec![])),
        SubmissionError::NoTemplate
    );
    // Views are not a report; and only the filer answers.
    let mut views = by_norway();
    assert_eq!(
        refused(&mut views, answering(vec![], template.clone())),
        SubmissionError::NotAReport
    );
    let by_sweden = SubmissionCommand::AnswerSurvey {
        state: Some(s("SWE")),
        organisation: None,
        answers: vec![],
        questions: template,
    };
    assert!(matches!(
        refused(&mut report, by_sweden),
        SubmissionError::NotTheFiler { .. }
    ));
}

#[test]
fn files_are_attached_and_taken_off_before_publication_only() {
    let mut sub = by_norway();
    let attach = |state: &str, f: u8, size: u64| SubmissionCommand::Attach {
        state: Some(s(state)),
        organisation: None,
        attachment: file(f, size),
    };
    let events = handle_and_apply(&mut sub, attach("NOR", 1, 1200)).unwrap();
    assert_eq!(
        events,
        vec![SubmissionEvent::AttachmentAdded {
            state: Some(s("NOR")),
            attachment: file(1, 1200)
        }]
    );
    assert_eq!(sub.attachments, vec![file(1, 1200)]);
    // Another State does not attach to Norway's report.
    let e = handle_and_apply(&mut sub, attach("FRA", 2, 10)).unwrap_err();
    assert!(matches!(e, SubmissionError::NotTheFiler { .. }));
    // The same bytes twice are one file; an empty file is none.
    let e = handle_and_apply(&mut sub, attach("NOR", 1, 1200)).unwrap_err();
    assert_eq!(e.code(), "already-attached");
    let e = handle_and_apply(&mut sub, attach("NOR", 2, 0)).unwrap_err();
    assert_eq!(e, SubmissionError::EmptyAttachment);
    // Taken off: gone from the state; an unknown hash is refused.
    handle_and_apply(
        &mut sub,
        SubmissionCommand::Detach {
            state: Some(s("NOR")),
            organisation: None,
            sha256: file(1, 1).sha256,
        },
    )
    .unwrap();
    assert!(sub.attachments.is_empty());
    let e = handle_and_apply(
        &mut sub,
        SubmissionCommand::Detach {
            state: Some(s("NOR")),
            organisation: None,
            sha256: file(1, 1).sha256,
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "unknown-attachment");
    // At most MAX_ATTACHMENTS files.
    for n in 0..MAX_ATTACHMENTS as u8 {
        handle_and_apply(&mut sub, attach("NOR", 10 + n, 5)).unwrap();
    }
    let e = handle_and_apply(&mut sub, attach("NOR", 200, 5)).unwrap_err();
    assert_eq!(e, SubmissionError::TooManyAttachments(MAX_ATTACHMENTS));
    // Once published, the files are part of the record as published.
    let mut published = by_norway();
    handle_and_apply(&mut published, attach("NOR", 1, 9)).unwrap();
    for c in [
        SubmissionCommand::Submit {
            state: Some(s("NOR")),
            organisation: None,
            now: day(2),
        },
        SubmissionCommand::Publish {
            symbol: DocumentSymbol::parse("A/81/1").unwrap(),
            now: day(3),
        },
    ] {
        handle_and_apply(&mut published, c).unwrap();
    }
    let e = handle_and_apply(&mut published, attach("NOR", 2, 9)).unwrap_err();
    assert_eq!(e.code(), "wrong-status");
}
