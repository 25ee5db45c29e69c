//! `decide`: which events a command produces, by procedure area. The match below is
//! exhaustive, so a new command does not compile until it is given to an area; each area's
//! file holds one method per command, with the rules it checks.

mod agenda;
mod consensus;
mod debate;
mod lifecycle;
mod motions;
mod participation;
mod record;

use super::commands::MeetingCommand;
use super::error::MeetingError;
use super::events::MeetingEvent;
use super::guards::Result;
use super::state::{Meeting, MeetingStatus};

/// A command that produces one event.
fn one(e: MeetingEvent) -> Result<Vec<MeetingEvent>> {
    Ok(vec![e])
}

impl Meeting {
    /// Decides which events a command produces; a refusal produces none.
    pub fn decide(&self, command: MeetingCommand) -> Result<Vec<MeetingEvent>> {
        use MeetingCommand as C;
        if self.status == MeetingStatus::NotConvened && !matches!(command, C::Convene { .. }) {
            return Err(MeetingError::NotConvened);
        }
        match command {
            // lifecycle
            C::Convene {
                meeting_id,
                body_id,
                kind,
                symbol,
                title,
                starts,
                ends,
                venue,
                chair,
                programme_link,
                precedes,
                rules,
                members,
            } => self.convene(
                meeting_id,
                body_id,
                kind,
                symbol,
                title,
                starts,
                ends,
                venue,
                chair,
                programme_link,
                precedes,
                rules,
                members,
            ),
            C::Open { now } => self.open(now),
            C::Suspend { now } => self.suspend(now),
            C::Resume { now } => self.resume(now),
            C::Close { now } => self.close(now),
            // participation
            C::RegisterDelegation { state, members } => self.register_delegation(state, members),
            C::RegisterObserver { observer_id, name } => self.register_observer(observer_id, name),
            C::RegisterStakeholder {
                organisation_id,
                name,
                kind,
                role,
                accredited,
            } => self.register_stakeholder(organisation_id, name, kind, role, accredited),
            C::MarkPresent { state } => self.mark_present(state),
            C::MarkAbsent { state } => self.mark_absent(state),
            C::RequestSponsorship {
                request_id,
                expert,
                state,
                amount_usd,
            } => self.request_sponsorship(request_id, expert, state, amount_usd),
            C::AwardSponsorship {
                request_id,
                fund_id,
            } => self.award_sponsorship(request_id, fund_id),
            C::DeclineSponsorship { request_id, reason } => {
                self.decline_sponsorship(request_id, reason)
            }
            // agenda
            C::IssueProvisionalAgenda { items } => self.issue_provisional_agenda(items),
            C::AdoptAgenda { now } => self.adopt_agenda(now),
            C::ChangeAgenda { change, now } => self.change_agenda(change, now),
            C::TakeUpItem { item } => self.take_up_item(item),
            C::ConcludeItem { item } => self.conclude_item(item),
            // debate
            C::InscribeSpeaker { item, speaker } => self.inscribe_speaker(item, speaker),
            C::WithdrawSpeaker { item, speaker } => self.withdraw_speaker(item, speaker),
            C::CallNextSpeaker { item } => self.call_next_speaker(item),
            C::IdentifySpeaker {
                item,
                state,
                delegate,
            } => self.identify_speaker(item, state, delegate),
            C::SetSpeakingTime { item, seconds } => self.set_speaking_time(item, seconds),
            C::CloseSpeakersList { item } => self.close_speakers_list(item),
            C::RequestRightOfReply { item, state } => self.request_right_of_reply(item, state),
            C::RaisePointOfOrder { state, point } => self.raise_point_of_order(state, point),
            C::RuleOnPointOfOrder { point, ruling } => self.rule_on_point_of_order(point, ruling),
            C::AppealRuling { point, state } => self.appeal_ruling(point, state),
            // motions
            C::MoveMotion { state, kind } => self.move_motion(state, kind),
            C::WithdrawMotion { motion, state } => self.withdraw_motion(motion, state),
            C::PutQuestionToVote { question } => self.put_question_to_vote(question),
            C::RequestRecordedVote { state } => self.request_recorded_vote(state),
            C::CastVote { state, ballot } => self.cast_vote(state, ballot),
            C::CloseVoting { now } => self.close_voting(now),
            // consensus
            C::CallForConsensus { subject, amendment } => {
                self.call_for_consensus(subject, amendment)
            }
            C::RaiseObjection { state, reason } => self.raise_objection(state, reason),
            C::WithdrawObjection { state } => self.withdraw_objection(state),
            C::ExplainPosition {
                state,
                timing,
                text,
                dissociates_from,
            } => self.explain_position(state, timing, text, dissociates_from),
            C::WithdrawConsensusCall { now } => self.withdraw_consensus_call(now),
            C::DeclareOutcome {
                outcome,
                now,
                amendment,
            } => self.declare_outcome(outcome, now, amendment),
            // record
            C::RecordDecision {
                date,
                agenda_item,
                text,
                how,
                on_instruction_of,
            } => self.record_decision(date, agenda_item, text, how, on_instruction_of),
            C::KeepSummaryRecord { date, text, symbol } => {
                self.keep_summary_record(date, text, symbol)
            }
            C::TranslateText {
                text_of,
                language,
                origin,
                text,
            } => self.translate_text(text_of, language, origin, text),
            C::IssueCorrigendum {
                decision,
                text,
                reason,
                now,
            } => self.issue_corrigendum(decision, text, reason, now),
        }
    }
}
