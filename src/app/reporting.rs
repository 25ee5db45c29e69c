//! Reporting cycles: a body's schedule (one record per body, its id the body's), set by the
//! secretariat, and for each cycle who is due, who has submitted a national implementation
//! report, who is overdue, and the priority areas that the cycle's gap analyses name. The
//! overview is computed from the schedule and the submissions the reader may see.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::app::access::Principal;
use crate::app::commands::{authorize, today, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::submissions;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::body::Body;
use crate::domain::reporting::{ReportingCommand, ReportingCommandKind, ReportingSchedule};
use crate::domain::values::{Date, Id};

/// Runs one command on body `id`'s reporting schedule for `p`.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: ReportingCommandKind = env.kind()?;
    authorize(p, permissions::reporting(kind), "", &env)?;
    let (b, version): (Body, i64) = app.bodies.load(id).await?;
    if version == 0 {
        return Err(Refusal::not_found(format!(
            "no body {id}: a reporting schedule belongs to an established body"
        )));
    }
    let mut cmd: ReportingCommand = env.decode(SUPPLIED)?;
    // Cohorts are drawn from the body's members, as its register has them.
    match &mut cmd {
        ReportingCommand::SetSchedule { members, .. } => *members = b.members.into_iter().collect(),
    }
    Ok(app.reporting.execute(id, cmd, ctx).await?)
}

/// The fields the server supplies (`skip_deserializing` in the domain): a client that sends
/// one is not refused, and its value is never read.
pub const SUPPLIED: &[&str] = &["members"];

/// The schedule as the log has it now (not the read model, which may be a moment behind: a
/// report answered just after the schedule is set must find its questions).
async fn schedule(app: &App, body_id: &str) -> Result<ReportingSchedule, Refusal> {
    Ok(app.reporting.load(body_id).await?.0)
}

/// Body `body_id`'s survey template: each question's id and text (none without a schedule).
pub async fn template(app: &App, body_id: &str) -> Result<Vec<(String, String)>, Refusal> {
    Ok(schedule(app, body_id)
        .await?
        .schedule
        .map(|s| {
            s.questions
                .into_iter()
                .map(|q| (q.id.to_string(), q.text.to_string()))
                .collect()
        })
        .unwrap_or_default())
}

/// The ids of body `body_id`'s survey questions (none without a schedule).
pub async fn questions(app: &App, body_id: &str) -> Result<Vec<Id>, Refusal> {
    Ok(schedule(app, body_id)
        .await?
        .schedule
        .map(|s| s.questions.into_iter().map(|q| q.id).collect())
        .unwrap_or_default())
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ScheduleLine {
    pub first_cycle_starts: String,
    pub cycle_months: u32,
    /// Each cohort's name and States, in rotation order.
    pub cohorts: Vec<(String, Vec<String>)>,
    /// The survey template: question id and text.
    pub questions: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CycleLine {
    pub number: u32,
    pub starts: String,
    pub ends: String,
    /// `past`, `current` or `next`.
    pub when: &'static str,
    pub cohort: String,
    pub due: Vec<String>,
    /// Each State of the cohort that has submitted a national implementation report in
    /// the cycle, with the report and the day it was submitted.
    pub submitted: Vec<(String, String, String)>,
    /// Due, the cycle over, and no report.
    pub overdue: Vec<String>,
    /// Due, the cycle still running, and no report yet.
    pub awaited: Vec<String>,
    /// The framework sections and topics the cycle's gap analyses name, most named first.
    pub priority_areas: Vec<(String, u32)>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ReportingOverview {
    pub body_id: String,
    pub today: String,
    /// None until the secretariat sets one.
    pub schedule: Option<ScheduleLine>,
    /// From the first cycle to the one after today's.
    pub cycles: Vec<CycleLine>,
}

/// At most this many cycles are listed (a 1-month cycle over decades would be long).
const MAX_CYCLES: u32 = 120;

fn in_cycle(day: Option<&String>, starts: Date, ends: Date) -> bool {
    day.and_then(|d| d.parse::<Date>().ok())
        .is_some_and(|d| d >= starts && d <= ends)
}

/// Body `body_id`'s reporting schedule and cycles as `p` may see them (submitted reports
/// count as `p` can read them: published ones for everyone, the rest for their filer, the
/// secretariat and auditors).
pub async fn overview(
    app: &App,
    p: &Principal,
    body_id: &str,
) -> Result<ReportingOverview, Refusal> {
    if app
        .projector
        .doc(crate::projections::state_view::BODIES, body_id)
        .await?
        .is_none()
    {
        return Err(Refusal::not_found(format!("no body {body_id}")));
    }
    let reporting = crate::domain::body::PublicRecord::Reporting;
    crate::app::bodies::require_public(app, p, Some(body_id), reporting).await?;
    let today = today(app);
    let Some(s) = schedule(app, body_id).await?.schedule else {
        return Ok(ReportingOverview {
            body_id: body_id.to_owned(),
            today: today.to_string(),
            schedule: None,
            cycles: vec![],
        });
    };
    // From the submissions' catalogue (the search projection): what the view counts, read
    // by the same rule as the submissions themselves, without decoding each one.
    let all: Vec<crate::projections::search::Filing> =
        crate::projections::search::filings(app.store.db(), body_id)
            .await?
            .into_iter()
            .filter(|f| f.published || submissions::reads_drafts_of(p, &f.filer, f.filed_by_state))
            .collect();
    // Each State's national reports, in id order, so a cycle looks at a State's own only.
    let mut reports: BTreeMap<&str, Vec<&crate::projections::search::Filing>> = BTreeMap::new();
    for f in all
        .iter()
        .filter(|f| f.kind == "national_implementation_report" && f.filed_by_state)
    {
        reports.entry(f.filer.as_str()).or_default().push(f);
    }
    let current = s.cycle_of(today).unwrap_or(0);
    let mut cycles = vec![];
    for k in 1..=(current + 1).min(MAX_CYCLES) {
        let (Some((starts, ends)), Some(cohort)) = (s.cycle_dates(k), s.cohort_due(k)) else {
            break;
        };
        let mut submitted = vec![];
        let mut overdue = vec![];
        let mut awaited = vec![];
        for state in &cohort.states {
            let report = reports.get(state.as_str()).and_then(|rs| {
                rs.iter()
                    .find(|x| in_cycle(x.submitted_on.as_ref(), starts, ends))
            });
            match report {
                Some(r) => submitted.push((
                    state.to_string(),
                    r.submission_id.clone(),
                    r.submitted_on.clone().unwrap_or_default(),
                )),
                None if ends < today => overdue.push(state.to_string()),
                None => awaited.push(state.to_string()),
            }
        }
        let mut areas: BTreeMap<String, u32> = BTreeMap::new();
        for g in all
            .iter()
            .filter(|x| x.kind == "gap_analysis" && in_cycle(x.submitted_on.as_ref(), starts, ends))
        {
            let named: Vec<String> = serde_json::from_str(&g.areas).unwrap_or_default();
            for a in named {
                *areas.entry(a).or_default() += 1;
            }
        }
        let mut priority_areas: Vec<(String, u32)> = areas.into_iter().collect();
        priority_areas.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        cycles.push(CycleLine {
            number: k,
            starts: starts.to_string(),
            ends: ends.to_string(),
            when: if k < current {
                "past"
            } else if k == current {
                "current"
            } else {
                "next"
            },
            cohort: cohort.name.to_string(),
            due: cohort.states.iter().map(|x| x.to_string()).collect(),
            submitted,
            overdue,
            awaited,
            priority_areas,
        });
    }
    Ok(ReportingOverview {
        body_id: body_id.to_owned(),
        today: today.to_string(),
        schedule: Some(ScheduleLine {
            first_cycle_starts: s.first_cycle_starts.to_string(),
            cycle_months: s.cycle_months,
            cohorts: s
                .cohorts
                .iter()
                .map(|c| {
                    (
                        c.name.to_string(),
                        c.states.iter().map(|x| x.to_string()).collect(),
                    )
                })
                .collect(),
            questions: s
                .questions
                .iter()
                .map(|q| (q.id.to_string(), q.text.to_string()))
                .collect(),
        }),
        cycles,
    })
}
