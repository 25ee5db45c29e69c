//! Amendments to the Political Declaration: proposing, revising, co-sponsoring, tabling and
//! withdrawing. Their status after a decision or a change of text is the reactor's.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::app::access::{Principal, Role};
use crate::app::as_of;
use crate::app::commands::{authorize, Envelope};
use crate::app::history::Cut;
use crate::app::permissions::{self, Rule};
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::amendment::{
    Amendment, AmendmentCommand, AmendmentCommandKind, AmendmentEventKind, AmendmentStatus,
    AmendmentTranslation, ConflictRecord, Revision, TabledUnder,
};
use crate::domain::framework::{DecisionRef, Declaration};
use crate::domain::meeting::{ItemNature, MeetingStatus};
use crate::domain::values::{Id, StateCode};
use crate::projections::{docs, state_view};

/// Runs one amendment command for `p`: checks the name and who may send it, decodes what the
/// client may say, supplies the server's facts, and executes.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: AmendmentCommandKind = env.kind()?;
    let rule = permissions::amendment(kind);
    // The proposer's own delegate may table it; the rule covers everyone else.
    let tabled_by_proposer = rule == Rule::Tabling && p.role == Role::Delegate && {
        let (current, _) = app.amendments.load(id).await?;
        current.proposer().map(|s| s.as_str()) == p.scope.as_deref()
    };
    if !tabled_by_proposer {
        authorize(p, rule, "", &env)?;
    }
    let mut cmd: AmendmentCommand = env.decode(SUPPLIED)?;
    supply(app, id, &mut cmd).await?;
    Ok(app.amendments.execute(id, cmd, ctx).await?)
}

/// The fields the server supplies (`skip_deserializing` in the domain): a client that sends
/// one is not refused, and its value is never read.
pub const SUPPLIED: &[&str] = &["now", "base_text", "meeting_open", "item_substantive"];

/// Supplies the server's facts to amendment `id`'s command (`skip_deserializing` in the
/// domain): one arm per command, so a new command says what it needs.
async fn supply(app: &App, id: &str, cmd: &mut AmendmentCommand) -> Result<(), Refusal> {
    use AmendmentCommand as C;
    let clock = app.store.clock().now();
    match cmd {
        C::Propose {
            framework_id,
            base_version,
            base_text,
            now,
            ..
        } => {
            *now = clock;
            *base_text = drafted_against(app, framework_id.as_str(), *base_version).await?;
        }
        C::Revise {
            base_version,
            base_text,
            now,
            ..
        } => {
            *now = clock;
            let (current, _) = app.amendments.load(id).await?;
            let Some(framework_id) = current.framework_id() else {
                return Err(Refusal::unprocessable(
                    "invalid-input",
                    format!("there is no amendment {id} to revise"),
                ));
            };
            *base_text = drafted_against(app, framework_id.as_str(), *base_version).await?;
        }
        C::Table {
            meeting_id,
            agenda_item,
            meeting_open,
            item_substantive,
            now,
        } => {
            *now = clock;
            let (meeting, version) = app.meetings.load(meeting_id.as_str()).await?;
            if version == 0 {
                return Err(Refusal::unprocessable(
                    "unknown-meeting",
                    format!("no meeting {meeting_id}"),
                )
                .with_field("meeting_id"));
            }
            *meeting_open = meeting.status == MeetingStatus::Open;
            *item_substantive = meeting
                .agenda
                .iter()
                .any(|e| e.item.number == *agenda_item && e.item.nature == ItemNature::Substantive);
        }
        C::CoSponsor { now, .. }
        | C::WithdrawCoSponsorship { now, .. }
        | C::Withdraw { now, .. }
        | C::Reintroduce { now, .. }
        | C::MarkInConflict { now, .. }
        | C::Rebase { now, .. } => *now = clock,
        C::MarkAdopted { .. } | C::MarkNotAdopted { .. } | C::TranslateText { .. } => {}
    }
    Ok(())
}

/// The text an amendment's operations are drafted against: framework `framework_id` as it
/// stood at `base_version`, from the framework's own history.
async fn drafted_against(
    app: &App,
    framework_id: &str,
    base_version: u32,
) -> Result<Declaration, Refusal> {
    let (framework, _) = app
        .frameworks_as_of
        .at(&app.store, framework_id, Cut::Version(base_version))
        .await?
        .ok_or_else(|| {
            Refusal::unprocessable(
                "unknown-base-version",
                format!("framework {framework_id} has no version {base_version}"),
            )
            .with_field("base_version")
        })?;
    Ok(framework.declaration().clone())
}

/// One amendment as the board shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentCard {
    pub id: String,
    pub version: i64,
    #[schema(value_type = Option<String>)]
    pub framework_id: Option<Id>,
    /// `draft`, `tabled`, `in_conflict`, `adopted`, `no_consensus` or `withdrawn`.
    #[schema(value_type = String)]
    pub status: AmendmentStatus,
    #[schema(value_type = Option<String>)]
    pub proposer: Option<StateCode>,
    #[schema(value_type = Vec<String>)]
    pub co_sponsors: Vec<StateCode>,
    pub base_version: u32,
    /// The meeting and agenda item it is tabled under.
    #[schema(value_type = Option<Object>)]
    pub tabled_under: Option<TabledUnder>,
    /// Why it no longer applies to the framework's current text.
    #[schema(value_type = Option<Object>)]
    pub conflict: Option<ConflictRecord>,
    /// The decision that adopted it.
    #[schema(value_type = Option<Object>)]
    pub decision: Option<DecisionRef>,
    /// Each revision: its operations on the text, and when it was made.
    #[schema(value_type = Vec<Object>)]
    pub revisions: Vec<Revision>,
    /// Only where there are some, so that every other card reads as before.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>, required = false)]
    pub translations: Vec<AmendmentTranslation>,
    /// One amendment's page only: each revision's word-level diff against its base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_diffs: Option<Vec<RevisionDiff>>,
}

/// A revision's diff against the framework's text it was drafted on, as recorded with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionDiff {
    pub revision: Option<u32>,
    pub base_version: Option<u32>,
    /// Paragraph by paragraph, word by word.
    pub changes: Value,
}

/// A page of the amendments board: `next` is the cursor for `after`, none on the last page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmendmentBoard {
    pub amendments: Vec<AmendmentCard>,
    pub next: Option<String>,
}

pub fn card(id: &str, version: i64, a: &Amendment) -> AmendmentCard {
    AmendmentCard {
        id: id.to_owned(),
        version,
        framework_id: a.framework_id().cloned(),
        status: a.status(),
        proposer: a.proposer().cloned(),
        co_sponsors: a.co_sponsors().to_vec(),
        base_version: a.base_version(),
        tabled_under: a.tabled_under().cloned(),
        conflict: a.conflict().cloned(),
        decision: a.decision().cloned(),
        revisions: a.revisions().to_vec(),
        translations: a.translations().to_vec(),
        revision_diffs: None,
    }
}

/// Which cards the board shows: each filter, when given, must match.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub framework: Option<String>,
    /// An `AmendmentStatus` as the API names it (`draft`, `tabled`, …).
    pub status: Option<String>,
}

impl BoardFilter {
    fn keeps(&self, c: &AmendmentCard) -> bool {
        let framework = self
            .framework
            .as_deref()
            .is_none_or(|f| c.framework_id.as_ref().is_some_and(|id| id.as_str() == f));
        let status = self
            .status
            .as_deref()
            .is_none_or(|st| serde_json::to_value(c.status).is_ok_and(|v| v == st));
        framework && status
    }
}

/// Every draft amendment, in id order, a page at a time, now or as of `cut` (the same cards,
/// order and paging, folded from the log). Public record.
pub async fn board(
    app: &App,
    filter: &BoardFilter,
    cut: Option<Cut>,
    after: Option<String>,
    limit: i64,
) -> Result<(Vec<AmendmentCard>, Option<String>), Refusal> {
    Ok(match cut {
        None => {
            docs::filtered_page(
                app.store.db(),
                crate::projections::state_view::AMENDMENTS,
                "",
                after,
                limit,
                |doc| {
                    let (id, version, a) =
                        state_view::decode::<Amendment>(&doc).map_err(Refusal::internal)?;
                    let c = card(&id, version, &a);
                    Ok::<_, Refusal>(filter.keeps(&c).then_some(c))
                },
            )
            .await?
        }
        Some(cut) => {
            let cards = as_of::aggregates::<Amendment>(&app.store, cut)
                .await?
                .into_iter()
                .map(|(id, f)| {
                    let c = card(&id, f.version, &f.state);
                    (id, c)
                });
            as_of::page(cards, after.as_deref(), limit, |_, c| filter.keeps(c))
        }
    })
}

/// Amendment `id` as its read model has it now: its id, version and state.
pub async fn current(app: &App, id: &str) -> Result<Option<(String, i64, Amendment)>, Refusal> {
    let Some(doc) = app.projector.doc(state_view::AMENDMENTS, id).await? else {
        return Ok(None);
    };
    Ok(Some(
        state_view::decode::<Amendment>(&doc).map_err(Refusal::internal)?,
    ))
}

/// One amendment, now or as of `cut`, with each revision's diff from its own events; `None`
/// if it had not been proposed by then.
pub async fn show(app: &App, id: &str, cut: Option<Cut>) -> Result<Option<AmendmentCard>, Refusal> {
    let (mut c, events) = match cut {
        None => {
            let Some((id, version, a)) = current(app, id).await? else {
                return Ok(None);
            };
            let events = app
                .store
                .read_stream(<Amendment as cqrs_es::Aggregate>::TYPE, &id, 0)
                .await?;
            (card(&id, version, &a), events)
        }
        Some(cut) => match as_of::aggregate::<Amendment>(&app.store, id, cut).await? {
            None => return Ok(None),
            Some((f, events)) => (card(id, f.version, &f.state), events),
        },
    };
    let number = |f: &serde_json::Map<String, Value>, k: &str| {
        f.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    c.revision_diffs = Some(
        events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind(),
                    Some(
                        AmendmentEventKind::AmendmentProposed
                            | AmendmentEventKind::AmendmentRevised
                    )
                )
            })
            .filter_map(crate::projections::payload_fields)
            .map(|f| RevisionDiff {
                revision: number(&f, "revision"),
                base_version: number(&f, "base_version"),
                changes: f.get("changes").cloned().unwrap_or(Value::Null),
            })
            .collect(),
    );
    Ok(Some(c))
}
