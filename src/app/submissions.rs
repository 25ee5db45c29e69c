//! Submissions: what States and stakeholders file, from draft to publication, with every
//! revision and language version. A draft or submitted text is read by its filer, the
//! secretariat and auditors; once published it is part of the public record.

use serde::Serialize;
use serde_json::Value;

use crate::app::access::{Principal, Role};
use crate::app::commands::{authorize, today, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::body::{Accreditation, Body};
use crate::domain::framework::TranslationOrigin;
use crate::domain::submission::{
    Filer, Submission, SubmissionCommand, SubmissionCommandKind, SubmissionKind,
};
use crate::projections::{docs, state_view};

/// Runs one command on submission `id` for `p`.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let mut env = Envelope::parse(body)?;
    let kind: SubmissionCommandKind = env.kind()?;
    authorize(p, permissions::submission(kind), "", &env)?;
    env.supply("now", today(app))?;
    if kind == SubmissionCommandKind::Draft {
        env.require_record_id("submission_id", id)?;
        let body_id = env.str("body_id").unwrap_or_default().to_owned();
        let (body, version): (Body, i64) = app.bodies.load(&body_id).await?;
        if version == 0 {
            return Err(
                Refusal::unprocessable("unknown-body", format!("no body {body_id}"))
                    .with_field("body_id"),
            );
        }
        // Whether a stakeholder is accredited is the body's record, not the client's claim.
        let org = env.str("organisation").map(str::to_owned);
        let accredited = org.is_some_and(|o| {
            body.stakeholders
                .iter()
                .any(|(k, s)| k.as_str() == o && s.accreditation == Accreditation::Accredited)
        });
        env.supply("accredited", accredited)?;
    }
    if kind == SubmissionCommandKind::AnswerSurvey {
        // The questions are the body's template, not the client's list.
        let (current, _) = app.submissions.load(id).await?;
        let questions = match current.body_id {
            Some(body) => crate::app::reporting::questions(app, body.as_str()).await?,
            None => vec![],
        };
        env.supply("questions", questions)?;
    }
    let cmd: SubmissionCommand = env.decode(&["now", "accredited", "questions"])?;
    Ok(app.submissions.execute(id, cmd, ctx).await?)
}

/// A submission as it is read.
#[derive(Debug, Clone, Serialize)]
pub struct SubmissionLine {
    pub id: String,
    pub version: i64,
    pub body_id: String,
    pub kind: &'static str,
    /// The filing State's code or the stakeholder's id.
    pub filer: String,
    pub filed_by_state: bool,
    /// `draft`, `submitted`, `published` or `withdrawn`.
    pub status: &'static str,
    pub symbol: Option<String>,
    pub submitted_on: Option<String>,
    pub published_on: Option<String>,
    pub language: String,
    pub resolution: Option<String>,
    /// Section codes (`international_law`, …).
    pub sections: Vec<String>,
    pub paragraphs: Vec<String>,
    pub topics: Vec<String>,
    /// The revision shown: the published one for the public, the latest for its filer.
    pub revision: u32,
    pub revisions: u32,
    pub title: String,
    pub text: String,
    pub versions: Vec<VersionLine>,
    /// Answers to the body's survey template (question id, answer).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionLine {
    pub language: String,
    /// `human` or `machine`.
    pub origin: &'static str,
    pub of_revision: u32,
    /// Of an older revision than the one shown.
    pub stale: bool,
    pub text: String,
}

pub fn kind_code(k: SubmissionKind) -> &'static str {
    match k {
        SubmissionKind::NationalImplementationReport => "national_implementation_report",
        SubmissionKind::GapAnalysis => "gap_analysis",
        SubmissionKind::NationalPosition => "national_position",
        SubmissionKind::BestPractice => "best_practice",
        SubmissionKind::NationalViews => "national_views",
        SubmissionKind::StakeholderWorkingPaper => "stakeholder_working_paper",
    }
}

/// Whether `p` reads `s` before publication: its filer, the secretariat, auditors.
fn sees_drafts(p: &Principal, s: &Submission) -> bool {
    match (p.role, &s.filer) {
        (Role::Secretariat | Role::Auditor | Role::Admin, _) => true,
        (Role::Delegate, Some(Filer::State(st))) => p.scope.as_deref() == Some(st.as_str()),
        (Role::Observer, Some(Filer::Organisation(o))) => p.scope.as_deref() == Some(o.as_str()),
        _ => false,
    }
}

fn line(p: &Principal, id: &str, version: i64, s: &Submission) -> Option<SubmissionLine> {
    let own = sees_drafts(p, s);
    if !own && s.published_on.is_none() {
        return None;
    }
    let revision = if own {
        s.revisions.len() as u32
    } else {
        s.submitted_revision.unwrap_or(1)
    };
    let shown = s.revisions.get(revision.saturating_sub(1) as usize)?;
    let (filer, filed_by_state) = match s.filer.as_ref()? {
        Filer::State(st) => (st.to_string(), true),
        Filer::Organisation(o) => (o.to_string(), false),
    };
    Some(SubmissionLine {
        id: id.to_owned(),
        version,
        body_id: s
            .body_id
            .as_ref()
            .map(|b| b.to_string())
            .unwrap_or_default(),
        kind: s.kind.map(kind_code).unwrap_or_default(),
        filer,
        filed_by_state,
        status: s.status.as_str(),
        symbol: s.symbol.as_ref().map(|x| x.to_string()),
        submitted_on: s.submitted_on.map(|d| d.to_string()),
        published_on: s.published_on.map(|d| d.to_string()),
        language: s
            .language
            .map(|l| format!("{l:?}").to_lowercase())
            .unwrap_or_default(),
        resolution: s.resolution.as_ref().map(|r| r.to_string()),
        sections: s
            .sections
            .iter()
            .filter_map(|x| serde_json::to_value(x).ok())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        paragraphs: s.paragraphs.iter().map(|x| x.to_string()).collect(),
        topics: s.topics.iter().map(|x| x.to_string()).collect(),
        revision,
        revisions: s.revisions.len() as u32,
        title: shown.title.to_string(),
        text: shown.text.to_string(),
        versions: s
            .versions
            .iter()
            .filter(|v| own || v.of_revision <= revision)
            .map(|v| VersionLine {
                language: format!("{:?}", v.language).to_lowercase(),
                origin: match v.origin {
                    TranslationOrigin::Human => "human",
                    TranslationOrigin::Machine => "machine",
                },
                of_revision: v.of_revision,
                stale: v.of_revision < revision,
                text: v.text.to_string(),
            })
            .collect(),
        answers: s
            .answers
            .iter()
            .map(|a| (a.question.to_string(), a.answer.to_string()))
            .collect(),
    })
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<String>,
    /// The filing State or stakeholder.
    pub filer: Option<String>,
    /// A topic, matched without regard to case.
    pub topic: Option<String>,
}

/// The submissions `p` may read, in id order, filtered.
pub async fn list(app: &App, p: &Principal, f: &Filter) -> Result<Vec<SubmissionLine>, Refusal> {
    let views = docs::list(app.store.db(), "submissions", "").await?;
    let mut out = vec![];
    for v in &views {
        let (id, version, s) = state_view::decode::<Submission>(v).map_err(Refusal::internal)?;
        let Some(l) = line(p, &id, version, &s) else {
            continue;
        };
        let topic_ok = f
            .topic
            .as_deref()
            .is_none_or(|t| l.topics.iter().any(|x| x.eq_ignore_ascii_case(t.trim())));
        if f.kind.as_deref().is_none_or(|k| k == l.kind)
            && f.filer.as_deref().is_none_or(|x| x == l.filer)
            && topic_ok
        {
            out.push(l);
        }
    }
    Ok(out)
}

/// One submission, if `p` may read it (else not found: a draft's existence is not public).
pub async fn one(app: &App, p: &Principal, id: &str) -> Result<SubmissionLine, Refusal> {
    let found = app.projector.doc("submissions", id).await?;
    let not_found = || Refusal::not_found(format!("no submission {id}"));
    let v = found.ok_or_else(not_found)?;
    let (_, version, s) = state_view::decode::<Submission>(&v).map_err(Refusal::internal)?;
    line(p, id, version, &s).ok_or_else(not_found)
}
