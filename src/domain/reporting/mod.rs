//! A body's reporting schedule (one record per body): how long a reporting cycle is, the
//! cohorts of States that report in turn (so that no State reports every cycle, and a region
//! can report together), and the survey template national implementation reports answer.
//! Who is due, who has submitted and who is overdue in each cycle is read from the schedule
//! and the submissions (`app::reporting`).

pub mod aggregate;

pub use aggregate::{
    Cohort, Question, ReportingCommand, ReportingCommandKind, ReportingError, ReportingEvent,
    ReportingEventKind, ReportingSchedule, Schedule,
};

#[cfg(test)]
mod tests;
