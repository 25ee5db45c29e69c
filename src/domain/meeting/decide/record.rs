//! The secretariat's record-keeping: decisions taken outside the system, summary records,
//! translations and corrigenda.

use super::one;
use crate::domain::framework::TranslationOrigin;
use crate::domain::meeting::commands::*;
use crate::domain::meeting::error::MeetingError;
use crate::domain::meeting::events::*;
use crate::domain::meeting::guards::{decision_symbol, Result};
use crate::domain::meeting::state::*;
use crate::domain::values::{Date, DocumentSymbol, LanguageTag, Text};
use MeetingEvent as E;

impl Meeting {
    pub(super) fn record_decision(
        &self,
        date: Date,
        agenda_item: Option<u32>,
        text: Text,
        how: HowTaken,
        on_instruction_of: Text,
    ) -> Result<Vec<MeetingEvent>> {
        if let Some((starts, ends)) = self.convened_dates {
            if date < starts || date > ends {
                return Err(MeetingError::OutsideConvenedDates { date, starts, ends });
            }
        }
        if let Some(n) = agenda_item {
            if !self.agenda.iter().any(|e| e.item.number == n) {
                return Err(MeetingError::ItemNotOnAgenda(n));
            }
        }
        let mut decision =
            self.decision(DecisionKind::Decision, text, how, date, agenda_item, None);
        if let E::DecisionTaken { entered, .. } = &mut decision {
            *entered = DecisionEntry::BySecretariat { on_instruction_of };
        }
        one(decision)
    }

    pub(super) fn keep_summary_record(
        &self,
        date: Date,
        text: Text,
        symbol: Option<DocumentSymbol>,
    ) -> Result<Vec<MeetingEvent>> {
        if matches!(
            self.status,
            MeetingStatus::NotConvened | MeetingStatus::Convened
        ) {
            return Err(MeetingError::WrongStage {
                action: "keep a summary record",
                status: self.status,
            });
        }
        if let Some((starts, ends)) = self.convened_dates {
            let sat_outside = self.sat_outside_dates.contains(&date);
            if (date < starts || date > ends) && !sat_outside {
                return Err(MeetingError::OutsideConvenedDates { date, starts, ends });
            }
        }
        one(E::SummaryRecordKept { date, text, symbol })
    }

    pub(super) fn translate_text(
        &self,
        text_of: TranslatedText,
        language: LanguageTag,
        origin: TranslationOrigin,
        text: Text,
    ) -> Result<Vec<MeetingEvent>> {
        let of_version = match text_of {
            TranslatedText::AgendaItem { number } => {
                if !self.agenda.iter().any(|e| e.item.number == number) {
                    return Err(MeetingError::ItemNotOnAgenda(number));
                }
                0
            }
            TranslatedText::Decision { number } => {
                if number == 0 || number > self.decisions_taken {
                    return Err(MeetingError::UnknownDecision(number));
                }
                self.corrigenda.get(&number).copied().unwrap_or(0)
            }
        };
        one(E::TextTranslated {
            text_of,
            language,
            origin,
            text,
            of_version,
        })
    }

    pub(super) fn issue_corrigendum(
        &self,
        decision: u32,
        text: Text,
        reason: Text,
        now: Date,
    ) -> Result<Vec<MeetingEvent>> {
        if decision == 0 || decision > self.decisions_taken {
            return Err(MeetingError::UnknownDecision(decision));
        }
        let corrigendum = self.corrigenda.get(&decision).copied().unwrap_or(0) + 1;
        let symbol = self.symbol.as_ref().map(|s| s.as_str()).unwrap_or_default();
        let symbol = DocumentSymbol::parse(&format!(
            "{}/Corr.{corrigendum}",
            decision_symbol(symbol, decision)
        ))
        .map_err(|e| MeetingError::CorrigendumSymbol(e.to_string()))?;
        one(E::DecisionCorrected {
            number: decision,
            corrigendum,
            symbol,
            text,
            reason,
            date: now,
        })
    }
}
