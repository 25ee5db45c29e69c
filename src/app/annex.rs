//! The annex of regional initiatives (one record per body, its id the body's): the
//! secretariat drafts entries and proposes removals, and records the review conference's
//! decision that adopts the annex as drafted. The annex as adopted is public record, read
//! now or as of any moment like the framework; drafts are shown to the secretariat, States
//! and auditors.

use serde::Serialize;
use serde_json::Value;

use crate::app::access::{Principal, Role};
use crate::app::commands::{authorize, Envelope};
use crate::app::history::Cut;
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::annex::{Annex, AnnexCommand, AnnexCommandKind, EntryText, Pending};
use crate::domain::body::Body;
use crate::domain::framework::DecisionRef;
use crate::domain::meeting::MeetingKind;
use crate::domain::values::{DocumentSymbol, Id};
use crate::projections::{decisions, state_view};

/// Runs one command on body `id`'s annex for `p`.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: AnnexCommandKind = env.kind()?;
    authorize(p, permissions::annex(kind), "", &env)?;
    let (_, version): (Body, i64) = app.bodies.load(id).await?;
    if version == 0 {
        return Err(Refusal::not_found(format!(
            "no body {id}: an annex belongs to an established body"
        )));
    }
    let mut cmd: AnnexCommand = env.decode(SUPPLIED)?;
    // The server's facts (`skip_deserializing` in the domain), one arm per command.
    match &mut cmd {
        AnnexCommand::RecordAdoption {
            meeting_id,
            decision_number,
            decision,
            by_review_conference,
        } => {
            let (d, review_conference) =
                adopting_decision(app, id, meeting_id, *decision_number).await?;
            *decision = Some(d);
            *by_review_conference = review_conference;
        }
        AnnexCommand::DraftEntry { .. } | AnnexCommand::ProposeRemoval { .. } => {}
    }
    Ok(app.annexes.execute(id, cmd, ctx).await?)
}

/// The fields the server supplies (`skip_deserializing` in the domain): a client that sends
/// one is not refused, and its value is never read.
pub const SUPPLIED: &[&str] = &["decision", "by_review_conference"];

/// The decision an adoption names, from the register, and whether it was taken by a review
/// conference of body `body_id`.
async fn adopting_decision(
    app: &App,
    body_id: &str,
    meeting_id: &Id,
    number: u32,
) -> Result<(DecisionRef, bool), Refusal> {
    let not_on_register = || {
        Refusal::unprocessable(
            "unknown-decision",
            format!("decision {number} of meeting {meeting_id} is not on the decisions register"),
        )
        .with_field("decision_number")
    };
    let entry = app
        .projector
        .doc(
            decisions::NAME,
            &decisions::key(meeting_id.as_str(), number),
        )
        .await?
        .filter(|d| d["entry"] != "outcome")
        .ok_or_else(not_on_register)?;
    let decision = DecisionRef {
        meeting_id: meeting_id.clone(),
        number,
        symbol: entry["symbol"]
            .as_str()
            .and_then(|s| DocumentSymbol::parse(s).ok())
            .ok_or_else(not_on_register)?,
        date: entry["date"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .ok_or_else(not_on_register)?,
    };
    let (meeting, _) = app.meetings.load(meeting_id.as_str()).await?;
    let review_conference = meeting.kind == Some(MeetingKind::ReviewConference)
        && meeting.body_id.as_ref().map(|b| b.as_str()) == Some(body_id);
    Ok((decision, review_conference))
}

/// An entry as read: its wording, and the decision that adopted it (none for a draft).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[schema(as = AnnexEntryLine)]
pub struct EntryLine {
    pub id: String,
    pub organisation: String,
    pub title: String,
    pub description: String,
    pub links: Vec<String>,
    pub adopted_by: Option<AdoptionLine>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[schema(as = AnnexAdoptionLine)]
pub struct AdoptionLine {
    pub symbol: String,
    pub meeting_id: String,
    pub number: u32,
    pub date: String,
}

/// What the next adoption would do: a new entry or wording, or a removal.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PendingLine {
    pub id: String,
    /// `wording` or `removal`.
    pub change: &'static str,
    /// The drafted wording (for a removal, the wording that would go).
    pub entry: EntryLine,
}

/// A body's annex as adopted at a moment, by organisation, and what awaits adoption.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct AnnexView {
    pub body_id: String,
    /// Entries in force, ordered by organisation, then title.
    pub entries: Vec<EntryLine>,
    /// Every decision that adopted the annex, in order.
    pub adoptions: Vec<AdoptionLine>,
    /// Drafts and proposed removals (only for the secretariat, States and auditors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingLine>,
    /// The last log position included, when read as of a moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of_position: Option<i64>,
}

fn adoption(d: &DecisionRef) -> AdoptionLine {
    AdoptionLine {
        symbol: d.symbol.to_string(),
        meeting_id: d.meeting_id.to_string(),
        number: d.number,
        date: d.date.to_string(),
    }
}

fn line(id: &Id, t: &EntryText, by: Option<&DecisionRef>) -> EntryLine {
    EntryLine {
        id: id.to_string(),
        organisation: t.organisation.to_string(),
        title: t.title.to_string(),
        description: t.description.to_string(),
        links: t.links.clone(),
        adopted_by: by.map(adoption),
    }
}

/// Who sees what awaits adoption.
fn sees_drafts(p: &Principal) -> bool {
    matches!(
        p.role,
        Role::Secretariat | Role::Delegate | Role::Auditor | Role::Admin
    )
}

/// The view of `a` for `p`.
pub fn view(body_id: &str, a: &Annex, p: &Principal, as_of: Option<i64>) -> AnnexView {
    let mut entries: Vec<EntryLine> = a.adopted().map(|(id, t, d)| line(id, t, Some(d))).collect();
    entries.sort_by(|x, y| (&x.organisation, &x.title).cmp(&(&y.organisation, &y.title)));
    let pending = if sees_drafts(p) {
        a.entries
            .iter()
            .filter_map(|(id, e)| match (&e.pending, &e.adopted) {
                (Some(Pending::Wording(t)), _) => Some(PendingLine {
                    id: id.to_string(),
                    change: "wording",
                    entry: line(id, t, None),
                }),
                (Some(Pending::Removal), Some((t, d))) => Some(PendingLine {
                    id: id.to_string(),
                    change: "removal",
                    entry: line(id, t, Some(d)),
                }),
                _ => None,
            })
            .collect()
    } else {
        vec![]
    };
    AnnexView {
        body_id: body_id.to_owned(),
        entries,
        adoptions: a.adoptions.iter().map(adoption).collect(),
        pending,
        as_of_position: as_of,
    }
}

/// Body `body_id`'s annex now (its read model) or as of `cut` (folded from the log); an
/// empty annex for a body that has none yet, and not found for no such body.
pub async fn read(
    app: &App,
    p: &Principal,
    body_id: &str,
    cut: Option<Cut>,
) -> Result<AnnexView, Refusal> {
    if app
        .projector
        .doc(crate::projections::state_view::BODIES, body_id)
        .await?
        .is_none()
    {
        return Err(Refusal::not_found(format!("no body {body_id}")));
    }
    let annex = crate::domain::body::PublicRecord::Annex;
    crate::app::bodies::require_public(app, p, Some(body_id), annex).await?;
    Ok(match cut {
        None => {
            let annex = match app
                .projector
                .doc(crate::projections::state_view::ANNEXES, body_id)
                .await?
            {
                Some(v) => {
                    state_view::decode::<Annex>(&v)
                        .map_err(Refusal::internal)?
                        .2
                }
                None => Annex::default(),
            };
            view(body_id, &annex, p, None)
        }
        Some(cut) => {
            let folded = crate::app::as_of::aggregate::<Annex>(&app.store, body_id, cut).await?;
            let position = folded
                .as_ref()
                .and_then(|(_, events)| events.last().map(|e| e.position));
            let annex = folded.map(|(f, _)| f.state).unwrap_or_default();
            view(body_id, &annex, p, position.or(Some(0)))
        }
    })
}

/// The annex to print after body `body_id`'s Declaration as of log position `position`: the
/// entries in force then, as `p` may read them (none where the body keeps its annex from the
/// public, or has none).
pub async fn to_print(
    app: &App,
    p: &Principal,
    body_id: Option<&str>,
    position: i64,
) -> Result<Vec<AnnexView>, Refusal> {
    let Some(body_id) = body_id else {
        return Ok(vec![]);
    };
    match read(app, p, body_id, Some(Cut::Position(position))).await {
        Ok(a) if !a.entries.is_empty() => Ok(vec![a]),
        Ok(_) => Ok(vec![]),
        Err(r) if r.status.is_client_error() => Ok(vec![]),
        Err(r) => Err(r),
    }
}
