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
use crate::domain::body::{Accreditation, Body, PublicRecord};
use crate::domain::framework::TranslationOrigin;
use crate::domain::submission::{
    Attachment, Filer, Submission, SubmissionCommand, SubmissionCommandKind, SubmissionKind,
};
use crate::domain::values::{ContentHash, FileName, Id, MediaType, StateCode};
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
    let env = Envelope::parse(body)?;
    let kind: SubmissionCommandKind = env.kind()?;
    authorize(p, permissions::submission(kind), "", &env)?;
    if kind == SubmissionCommandKind::Draft {
        env.require_record_id("submission_id", id)?;
    }
    if kind == SubmissionCommandKind::Attach {
        // The bytes make the attachment: a hash the client names could be anyone's file.
        return Err(Refusal::unprocessable(
            "attach-by-upload",
            format!("a file is attached by sending its bytes to POST /api/v1/submissions/{id}/attachments"),
        )
        .with_field("Attach"));
    }
    let mut cmd: SubmissionCommand = env.decode(SUPPLIED)?;
    supply(app, id, &mut cmd).await?;
    Ok(app.submissions.execute(id, cmd, ctx).await?)
}

/// The fields the server supplies (`skip_deserializing` in the domain): a client that sends
/// one is not refused, and its value is never read.
pub const SUPPLIED: &[&str] = &["now", "accredited", "questions"];

/// Supplies the server's facts to submission `id`'s command (`skip_deserializing` in the
/// domain): one arm per command, so a new command says what it needs.
async fn supply(app: &App, id: &str, cmd: &mut SubmissionCommand) -> Result<(), Refusal> {
    use SubmissionCommand as C;
    match cmd {
        C::Draft {
            body_id,
            organisation,
            accredited,
            ..
        } => {
            let (body, version): (Body, i64) = app.bodies.load(body_id.as_str()).await?;
            if version == 0 {
                return Err(
                    Refusal::unprocessable("unknown-body", format!("no body {body_id}"))
                        .with_field("body_id"),
                );
            }
            // Whether a stakeholder is accredited is the body's record, not the client's
            // claim.
            *accredited = organisation.as_ref().is_some_and(|o| {
                body.stakeholders
                    .get(o)
                    .is_some_and(|s| s.accreditation == Accreditation::Accredited)
            });
        }
        C::AnswerSurvey { questions, .. } => {
            // The questions are the body's template, not the client's list.
            let (current, _) = app.submissions.load(id).await?;
            *questions = match current.body_id {
                Some(body) => crate::app::reporting::questions(app, body.as_str()).await?,
                None => vec![],
            };
        }
        C::Submit { now, .. } | C::Publish { now, .. } | C::Withdraw { now, .. } => {
            *now = today(app)
        }
        C::Revise { .. } | C::AddLanguageVersion { .. } | C::Attach { .. } | C::Detach { .. } => {}
    }
    Ok(())
}

/// A submission as it is read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// Files attached (their bytes at `/api/v1/submissions/{id}/attachments/{sha256}`).
    pub attachments: Vec<AttachmentLine>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentLine {
    pub name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionLine {
    pub language: String,
    /// `human` or `machine`.
    pub origin: &'static str,
    pub of_revision: u32,
    /// Of an older revision than the one shown.
    pub stale: bool,
    pub text: String,
}

/// The kinds' codes, as reads and filters spell them.
pub const KINDS: [&str; 6] = [
    "national_implementation_report",
    "gap_analysis",
    "national_position",
    "best_practice",
    "national_views",
    "stakeholder_working_paper",
];

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

/// Whether `p` reads the drafts of `filer` (a State if `by_state`, else an organisation):
/// its own, or everyone's for the secretariat, auditors and admin.
pub fn reads_drafts_of(p: &Principal, filer: &str, by_state: bool) -> bool {
    match p.role {
        Role::Secretariat | Role::Auditor | Role::Admin => true,
        Role::Delegate => by_state && p.scope.as_deref() == Some(filer),
        Role::Observer => !by_state && p.scope.as_deref() == Some(filer),
        _ => false,
    }
}

/// Whether `p` reads `s` before publication: its filer, the secretariat, auditors.
fn sees_drafts(p: &Principal, s: &Submission) -> bool {
    match &s.filer {
        Some(Filer::State(st)) => reads_drafts_of(p, st.as_str(), true),
        Some(Filer::Organisation(o)) => reads_drafts_of(p, o.as_str(), false),
        None => matches!(p.role, Role::Secretariat | Role::Auditor | Role::Admin),
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
        attachments: s
            .attachments
            .iter()
            .map(|a| AttachmentLine {
                name: a.name.to_string(),
                media_type: a.media_type.to_string(),
                sha256: a.sha256.to_string(),
                size: a.size,
            })
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
    let public = crate::app::bodies::public_bodies(app, p, PublicRecord::Submissions).await?;
    let views = docs::list(
        app.store.db(),
        crate::projections::state_view::SUBMISSIONS,
        "",
    )
    .await?;
    let mut out = vec![];
    for v in &views {
        let (id, version, s) = state_view::decode::<Submission>(v).map_err(Refusal::internal)?;
        let published = |set: &std::collections::BTreeSet<String>| {
            s.body_id.as_ref().is_none_or(|b| set.contains(b.as_str()))
        };
        if !public.as_ref().is_none_or(published) {
            continue;
        }
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
    let found = app
        .projector
        .doc(crate::projections::state_view::SUBMISSIONS, id)
        .await?;
    let not_found = || Refusal::not_found(format!("no submission {id}"));
    let v = found.ok_or_else(not_found)?;
    let (_, version, s) = state_view::decode::<Submission>(&v).map_err(Refusal::internal)?;
    let body = s.body_id.as_ref().map(|b| b.as_str());
    crate::app::bodies::require_public(app, p, body, PublicRecord::Submissions).await?;
    line(p, id, version, &s).ok_or_else(not_found)
}

/// An attachment about to be uploaded: authorized and checked before a byte is read, so a
/// refused upload stores nothing.
#[derive(Debug)]
pub struct PendingAttachment {
    id: String,
    state: Option<StateCode>,
    organisation: Option<Id>,
    name: FileName,
    media_type: MediaType,
    /// The body's limit: the front end reads at most this many bytes, else answers 413.
    pub limit: u64,
    current: Submission,
}

/// The party `p` files for: its own State or organisation; the secretariat acts for the filer.
fn filing_party(p: &Principal, s: &Submission) -> (Option<StateCode>, Option<Id>) {
    let own = match (p.role, &s.filer) {
        (Role::Secretariat, Some(f)) => Some(f.clone()),
        (Role::Delegate, _) => p
            .scope
            .as_deref()
            .and_then(|x| StateCode::parse(x).ok())
            .map(Filer::State),
        (Role::Observer, _) => p
            .scope
            .as_deref()
            .and_then(|x| Id::parse(x).ok())
            .map(Filer::Organisation),
        _ => None,
    };
    match own {
        Some(Filer::State(st)) => (Some(st), None),
        Some(Filer::Organisation(o)) => (None, Some(o)),
        None => (None, None),
    }
}

/// Checks an upload to submission `id` before its bytes are read: who sends it, the file's
/// name and media type, and that the submission takes attachments now.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn begin_attach(
    app: &App,
    p: &Principal,
    id: &str,
    name: &str,
    media_type: &str,
) -> Result<PendingAttachment, Refusal> {
    let (current, version) = app.submissions.load(id).await?;
    // A draft the principal may not read does not exist for them.
    if version == 0 || (!sees_drafts(p, &current) && current.published_on.is_none()) {
        return Err(Refusal::not_found(format!("no submission {id}")));
    }
    // Auditors and admins read drafts; only the filer and the secretariat attach.
    let filer = matches!(p.role, Role::Secretariat | Role::Delegate | Role::Observer)
        && sees_drafts(p, &current);
    if !filer {
        return Err(Refusal::forbidden(
            "only the filer of this submission (its State's delegates or the organisation itself) or the secretariat attaches files",
        ));
    }
    let (state, organisation) = filing_party(p, &current);
    // Who attaches is the filing party, for the same rule as every submission command.
    let env = Envelope::parse(
        serde_json::json!({ "Attach": { "state": state, "organisation": organisation } }),
    )?;
    authorize(
        p,
        permissions::submission(SubmissionCommandKind::Attach),
        "",
        &env,
    )?;
    let name = FileName::parse(name).map_err(|e| {
        Refusal::unprocessable("invalid-input", format!("name: {e}")).with_field("name")
    })?;
    let media_type = MediaType::parse(media_type).map_err(|e| {
        Refusal::unprocessable("invalid-input", format!("Content-Type: {e}"))
            .with_field("Content-Type")
    })?;
    let body = current
        .body_id
        .as_ref()
        .map(|b| b.to_string())
        .unwrap_or_default();
    let (body, _): (Body, i64) = app.bodies.load(&body).await?;
    let pending = PendingAttachment {
        id: id.to_owned(),
        state,
        organisation,
        name,
        media_type,
        limit: body.attachment_limit(),
        current,
    };
    // The rules that do not depend on the bytes, decided now on a placeholder.
    pending.check(ContentHash::of(b""), 1)?;
    Ok(pending)
}

impl PendingAttachment {
    fn command(&self, sha256: ContentHash, size: u64) -> SubmissionCommand {
        SubmissionCommand::Attach {
            state: self.state.clone(),
            organisation: self.organisation.clone(),
            attachment: Attachment {
                name: self.name.clone(),
                media_type: self.media_type.clone(),
                sha256,
                size,
            },
        }
    }

    fn check(&self, sha256: ContentHash, size: u64) -> Result<(), Refusal> {
        self.current
            .decide(self.command(sha256, size))
            .map(|_| ())
            .map_err(|e| Refusal::from(crate::app::CommandError::Rejected(e)))
    }

    /// The refusal for a file over the body's limit (413; nothing is stored).
    pub fn too_large(&self) -> Refusal {
        Refusal::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "attachment-too-large",
            format!(
                "this body accepts attachments of at most {} bytes",
                self.limit
            ),
        )
        .with_field("file")
    }

    /// Stores the bytes (durably), then appends `AttachmentAdded` naming them.
    #[tracing::instrument(skip_all, fields(id = %self.id, size = bytes.len()))]
    pub async fn finish(
        self,
        app: &App,
        bytes: &[u8],
        ctx: &CommandContext,
    ) -> Result<CommandReceipt, Refusal> {
        if bytes.len() as u64 > self.limit {
            return Err(self.too_large());
        }
        let size = bytes.len() as u64;
        // Refused before storing when the bytes decide it (empty, already attached).
        self.check(ContentHash::of(bytes), size)?;
        let sha256 = crate::store::attachments::put(app.store.db(), bytes).await?;
        let cmd = self.command(sha256, size);
        Ok(app.submissions.execute(&self.id, cmd, ctx).await?)
    }
}

/// A file attached to a submission `p` may read, with its bytes.
pub struct AttachmentFile {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// The attachment `sha256` of submission `id`, if `p` may read the submission.
pub async fn attachment(
    app: &App,
    p: &Principal,
    id: &str,
    sha256: &str,
) -> Result<AttachmentFile, Refusal> {
    let line = one(app, p, id).await?;
    let a = line
        .attachments
        .into_iter()
        .find(|a| a.sha256 == sha256)
        .ok_or_else(|| Refusal::not_found(format!("no attachment {sha256} on submission {id}")))?;
    let bytes = crate::store::attachments::get(app.store.db(), sha256)
        .await?
        .ok_or_else(|| Refusal::internal(format!("the bytes of {sha256} are missing")))?;
    Ok(AttachmentFile {
        name: a.name,
        media_type: a.media_type,
        bytes,
    })
}
