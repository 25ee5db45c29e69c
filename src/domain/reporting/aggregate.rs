use std::collections::BTreeSet;

use chrono::{Datelike, Months};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::domain::values::{Date, Id, StateCode, Text};

/// At most this many questions in a template, and cohorts in a rotation.
pub const MAX_QUESTIONS: usize = 100;
pub const MAX_COHORTS: usize = 20;

/// States that report in the same cycle (a region, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    pub name: Text,
    pub states: Vec<StateCode>,
}

/// One question of the survey template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: Id,
    pub text: Text,
}

/// The schedule: cycle `k` (from 1) starts `cycle_months × (k − 1)` months after
/// `first_cycle_starts`, and cohort `(k − 1) mod cohorts` reports in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub first_cycle_starts: Date,
    pub cycle_months: u32,
    pub cohorts: Vec<Cohort>,
    pub questions: Vec<Question>,
}

impl Schedule {
    /// Cycle `k`'s first and last days (from 1).
    pub fn cycle_dates(&self, k: u32) -> Option<(Date, Date)> {
        let start = self.first_cycle_starts.checked_add_months(Months::new(
            self.cycle_months.checked_mul(k.checked_sub(1)?)?,
        ))?;
        let next = start.checked_add_months(Months::new(self.cycle_months))?;
        Some((start, next.pred_opt()?))
    }

    /// The cycle `day` falls in (none before the first).
    pub fn cycle_of(&self, day: Date) -> Option<u32> {
        if day < self.first_cycle_starts || self.cycle_months == 0 {
            return None;
        }
        let months = (day.year() - self.first_cycle_starts.year()) * 12 + day.month() as i32
            - self.first_cycle_starts.month() as i32;
        let mut k = u32::try_from(months).ok()? / self.cycle_months + 1;
        // A day of the month before the start's day belongs to the cycle before.
        while k > 1 && self.cycle_dates(k).is_some_and(|(s, _)| day < s) {
            k -= 1;
        }
        Some(k)
    }

    /// The cohort due in cycle `k`.
    pub fn cohort_due(&self, k: u32) -> Option<&Cohort> {
        let n = self.cohorts.len();
        (n > 0 && k > 0).then(|| &self.cohorts[(k as usize - 1) % n])
    }
}

/// One body's reporting schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportingSchedule {
    pub schedule: Option<Schedule>,
}

// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::reporting::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(ReportingCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum ReportingCommand {
    /// Sets (or replaces) the schedule. `members` are the body's members, supplied by the
    /// application: every State in a cohort must be one.
    SetSchedule {
        first_cycle_starts: Date,
        cycle_months: u32,
        cohorts: Vec<Cohort>,
        questions: Vec<Question>,
        #[serde(skip_deserializing)]
        members: Vec<StateCode>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(ReportingEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum ReportingEvent {
    ScheduleSet {
        first_cycle_starts: Date,
        cycle_months: u32,
        cohorts: Vec<Cohort>,
        questions: Vec<Question>,
    },
}

impl DomainEvent for ReportingEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(ReportingEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("ReportingSchedule", &self.event_type()).to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportingError {
    #[error("a cycle lasts from 1 to 60 months; {0} was given")]
    CycleLength(u32),
    #[error("a rotation has from 1 to {MAX_COHORTS} cohorts; {0} were given")]
    CohortCount(usize),
    #[error("cohort {0} has no State")]
    EmptyCohort(usize),
    #[error("{state} is in cohorts {first} and {second}: a State reports with one cohort")]
    StateInTwoCohorts {
        state: StateCode,
        first: usize,
        second: usize,
    },
    #[error("{0} is not a member of this body")]
    NotAMember(StateCode),
    #[error("a template has at most {MAX_QUESTIONS} questions; {0} were given")]
    TooManyQuestions(usize),
    #[error("question {0} is in the template twice")]
    DuplicateQuestion(Id),
}

impl ReportingError {
    /// Stable slug, used as the problem+json `type`.
    pub fn code(&self) -> &'static str {
        match self {
            ReportingError::CycleLength(_) => "cycle-length",
            ReportingError::CohortCount(_) => "cohort-count",
            ReportingError::EmptyCohort(_) => "empty-cohort",
            ReportingError::StateInTwoCohorts { .. } => "state-in-two-cohorts",
            ReportingError::NotAMember(_) => "not-a-member",
            ReportingError::TooManyQuestions(_) => "too-many-questions",
            ReportingError::DuplicateQuestion(_) => "duplicate-question",
        }
    }

    /// Every refusal here is about the input (422).
    pub fn is_conflict(&self) -> bool {
        false
    }
}

crate::domain::aggregate!(
    ReportingSchedule,
    "ReportingSchedule",
    ReportingCommand,
    ReportingEvent,
    ReportingError
);

impl ReportingSchedule {
    fn decide(&self, command: ReportingCommand) -> Result<Vec<ReportingEvent>, ReportingError> {
        let ReportingCommand::SetSchedule {
            first_cycle_starts,
            cycle_months,
            cohorts,
            questions,
            members,
        } = command;
        if !(1..=60).contains(&cycle_months) {
            return Err(ReportingError::CycleLength(cycle_months));
        }
        if cohorts.is_empty() || cohorts.len() > MAX_COHORTS {
            return Err(ReportingError::CohortCount(cohorts.len()));
        }
        let members: BTreeSet<&StateCode> = members.iter().collect();
        let mut seen: Vec<(&StateCode, usize)> = vec![];
        for (i, c) in cohorts.iter().enumerate() {
            if c.states.is_empty() {
                return Err(ReportingError::EmptyCohort(i + 1));
            }
            for s in &c.states {
                if !members.contains(s) {
                    return Err(ReportingError::NotAMember(s.clone()));
                }
                if let Some((_, first)) = seen.iter().find(|(t, _)| *t == s) {
                    return Err(ReportingError::StateInTwoCohorts {
                        state: s.clone(),
                        first: *first,
                        second: i + 1,
                    });
                }
                seen.push((s, i + 1));
            }
        }
        if questions.len() > MAX_QUESTIONS {
            return Err(ReportingError::TooManyQuestions(questions.len()));
        }
        for (i, q) in questions.iter().enumerate() {
            if questions[..i].iter().any(|p| p.id == q.id) {
                return Err(ReportingError::DuplicateQuestion(q.id.clone()));
            }
        }
        Ok(vec![ReportingEvent::ScheduleSet {
            first_cycle_starts,
            cycle_months,
            cohorts,
            questions,
        }])
    }

    fn apply_event(&mut self, event: ReportingEvent) {
        let ReportingEvent::ScheduleSet {
            first_cycle_starts,
            cycle_months,
            cohorts,
            questions,
        } = event;
        self.schedule = Some(Schedule {
            first_cycle_starts,
            cycle_months,
            cohorts,
            questions,
        });
    }
}
