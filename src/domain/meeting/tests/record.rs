//! The secretariat's record-keeping: recorded decisions, corrigenda, summary records,
//! translations.

use super::*;

fn record(date: u32) -> MeetingCommand {
    MeetingCommand::RecordDecision {
        date: day(date),
        agenda_item: None,
        text: t("Decides to hold an intersessional meeting."),
        how: HowTaken::Consensus,
        on_instruction_of: t("the Chair, by letter of 7 March"),
    }
}

#[test]
fn a_decision_taken_outside_the_system_is_recorded_within_the_convened_dates() {
    let given = run(vec![convene()]);
    let mut m = Meeting::default();
    for e in &given {
        m.apply(e.clone());
    }
    assert_eq!(
        m.decide(record(11)).unwrap_err().code(),
        "outside-convened-dates"
    );
    let mut d = decision(
        1,
        DecisionKind::Decision,
        "Decides to hold an intersessional meeting.",
        HowTaken::Consensus,
        None,
    );
    if let MeetingEvent::DecisionTaken { entered, .. } = &mut d {
        *entered = DecisionEntry::BySecretariat {
            on_instruction_of: t("the Chair, by letter of 7 March"),
        };
    }
    accepted(given, record(7), vec![d]);
}

#[test]
fn a_corrigendum_is_numbered_and_never_rewrites_the_decision() {
    let given = run(vec![convene(), record(7)]);
    let corr = |n: u32| MeetingCommand::IssueCorrigendum {
        decision: n,
        text: t("Decides to hold two intersessional meetings."),
        reason: t("The number of meetings"),
        now: day(12),
    };
    refused(given.clone(), corr(2), "This meeting has no decision 2.");
    let mut with_one = given.clone();
    with_one.extend(run_from(&given, vec![corr(1)]));
    accepted(
        with_one,
        corr(1),
        vec![MeetingEvent::DecisionCorrected {
            number: 1,
            corrigendum: 2,
            symbol: sym("A/CONF.300/2026/DEC/1/Corr.2"),
            text: t("Decides to hold two intersessional meetings."),
            reason: t("The number of meetings"),
            date: day(12),
        }],
    );
    // The decision itself is untouched: its text is still the original.
    let mut m = Meeting::default();
    for e in run(vec![convene(), record(7), corr(1)]) {
        m.apply(e);
    }
    assert_eq!(m.decisions_taken, 1);
    assert_eq!(m.corrigenda.get(&1), Some(&1));
}

/// Runs `more` on the meeting `given` built, returning the new events.
fn run_from(given: &[MeetingEvent], more: Vec<MeetingCommand>) -> Vec<MeetingEvent> {
    let mut m = Meeting::default();
    for e in given {
        m.apply(e.clone());
    }
    let mut out = vec![];
    for c in more {
        for e in m.decide(c).unwrap() {
            m.apply(e.clone());
            out.push(e);
        }
    }
    out
}

// ---------------------------------------------------------------- summary records and the report

fn summary(date: u32) -> MeetingCommand {
    MeetingCommand::KeepSummaryRecord {
        date: day(date),
        text: t("The Chair opened the meeting."),
        symbol: Some(sym("A/CONF.300/2026/SR.1")),
    }
}

#[test]
fn a_summary_record_is_kept_for_a_day_the_meeting_sat() {
    // Not before the meeting has opened.
    let refusal = {
        let mut m = Meeting::default();
        for e in run(vec![convene()]) {
            m.apply(e);
        }
        m.decide(summary(7)).unwrap_err()
    };
    assert_eq!(refusal.code(), "wrong-meeting-stage", "{refusal}");
    // Not for a day outside the convened dates on which it did not sit.
    let mut m = Meeting::default();
    for e in opened() {
        m.apply(e);
    }
    assert_eq!(
        m.decide(summary(11)).unwrap_err().code(),
        "outside-convened-dates"
    );
    let kept = MeetingEvent::SummaryRecordKept {
        date: day(7),
        text: t("The Chair opened the meeting."),
        symbol: Some(sym("A/CONF.300/2026/SR.1")),
    };
    accepted(opened(), summary(7), vec![kept.clone()]);
    // Kept again for the same day: a new event, the first stays in the log.
    accepted(
        with(opened_cmds(), vec![summary(7)]),
        summary(7),
        vec![kept],
    );
}

#[test]
fn the_meeting_adopts_its_report_by_consensus() {
    let call = MeetingCommand::CallForConsensus {
        subject: ConsensusSubject::Report {
            symbol: sym("A/CONF.300/2026/L.9"),
        },
        amendment: None,
    };
    let mut expected = decision(
        2,
        DecisionKind::ReportAdopted {
            symbol: sym("A/CONF.300/2026/L.9"),
        },
        "The meeting adopted its report (A/CONF.300/2026/L.9) without a vote.",
        HowTaken::Consensus,
        Some(3),
    );
    if let MeetingEvent::DecisionTaken { consensus_call, .. } = &mut expected {
        *consensus_call = Some(1);
    }
    accepted(
        with(on_item_cmds(3), vec![call]),
        declare(DeclaredOutcome::AdoptedWithoutAVote),
        vec![expected],
    );
}

#[test]
fn a_translation_is_of_one_wording_of_an_agenda_item_or_a_decision() {
    use crate::domain::framework::TranslationOrigin;
    use crate::domain::values::LanguageTag;
    let translate = |text_of: TranslatedText| MeetingCommand::TranslateText {
        text_of,
        language: LanguageTag::Fr,
        origin: TranslationOrigin::Human,
        text: t("Texte"),
    };
    let mut m = Meeting::default();
    for e in in_session() {
        m.apply(e);
    }
    assert_eq!(
        m.decide(translate(TranslatedText::AgendaItem { number: 9 }))
            .unwrap_err()
            .code(),
        "item-not-on-agenda"
    );
    assert_eq!(
        m.decide(translate(TranslatedText::Decision { number: 2 }))
            .unwrap_err()
            .code(),
        "unknown-decision"
    );
    let translated = |text_of, of_version| MeetingEvent::TextTranslated {
        text_of,
        language: LanguageTag::Fr,
        origin: TranslationOrigin::Human,
        text: t("Texte"),
        of_version,
    };
    accepted(
        in_session(),
        translate(TranslatedText::AgendaItem { number: 1 }),
        vec![translated(TranslatedText::AgendaItem { number: 1 }, 0)],
    );
    // Made after a corrigendum, it translates the corrected wording.
    let corrected = with(
        in_session_cmds(),
        vec![MeetingCommand::IssueCorrigendum {
            decision: 1,
            text: t("The agenda was adopted, as corrected."),
            reason: t("A typing error"),
            now: day(7),
        }],
    );
    accepted(
        corrected,
        translate(TranslatedText::Decision { number: 1 }),
        vec![translated(TranslatedText::Decision { number: 1 }, 1)],
    );
}
