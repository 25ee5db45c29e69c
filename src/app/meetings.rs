//! Meetings: convening, participation, agenda, debate, procedural motions and votes, and the
//! consensus procedure.

use serde_json::Value;

use crate::app::access::Principal;
use crate::app::commands::{authorize, today, Envelope};
use crate::app::history::Cut;
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::amendment::AmendmentStatus;
use crate::domain::body::{Accreditation, Body};
use crate::domain::documents::DocumentRegistry;
use crate::domain::framework::{check_applies, Conflict};
use crate::domain::meeting::{
    AgendaChange, AmendmentStanding, ConsensusSubject, MeetingCommand, MeetingCommandKind,
    MeetingError, ProgrammeLink, TabledUnder,
};
use crate::domain::values::{DocumentSymbol, Id, Text};

/// Runs one meeting command for `p`: checks the name and who may send it, decodes what the
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
    let kind: MeetingCommandKind = env.kind()?;
    authorize(p, permissions::meeting(kind), id, &env)?;
    let mut cmd: MeetingCommand = env.decode(SUPPLIED)?;
    // Where a refusal about the amendment points in the request.
    let amendment_field = supply(app, id, &mut cmd, ctx).await?;
    app.meetings
        .execute(id, cmd, ctx)
        .await
        .map_err(Refusal::from)
        .map_err(|e| match amendment_field {
            Some(field) if e.kind == "amendment-does-not-apply" && e.field.is_none() => {
                e.with_field(field)
            }
            _ => e,
        })
}

/// The fields of meeting commands the server supplies (`skip_deserializing` in the domain):
/// a client that sends one is not refused, and its value is never read.
pub const SUPPLIED: &[&str] = &["now", "rules", "members", "amendment", "accredited"];

/// Supplies the server's facts to meeting `id`'s command and checks what it cites against
/// other records. One arm per command, so a new command is a compile error here until someone
/// says what it needs. Returns where a refusal about the amendment points in the request.
async fn supply(
    app: &App,
    id: &str,
    cmd: &mut MeetingCommand,
    ctx: &CommandContext,
) -> Result<Option<&'static str>, Refusal> {
    use MeetingCommand as C;
    match cmd {
        C::Convene {
            body_id,
            programme_link,
            precedes,
            ends,
            rules,
            members,
            ..
        } => {
            let (body, version): (Body, i64) = app.bodies.load(body_id.as_str()).await?;
            if version == 0 {
                return Err(Refusal::unprocessable(
                    "unknown-body",
                    format!("no body {body_id}: establish it first"),
                )
                .with_field("body_id"));
            }
            *rules = body.rules;
            *members = body.members.into_iter().collect();
            if let Some(link) = programme_link {
                in_programme_of_work(app, link).await?;
            }
            if let Some(preceded) = precedes {
                // A consultative day names the conference or annual meeting of its body it
                // precedes.
                let refuse = |kind: &str, detail: String| {
                    Refusal::unprocessable(kind, detail).with_field("precedes")
                };
                let (target, version) = app.meetings.load(preceded.as_str()).await?;
                if version == 0 {
                    return Err(refuse("unknown-meeting", format!("no meeting {preceded}")));
                }
                target
                    .check_preceded_by(preceded, body_id, *ends)
                    .map_err(|e| refuse(e.code(), e.to_string()))?;
            }
        }
        C::Open { now }
        | C::Suspend { now }
        | C::Resume { now }
        | C::Close { now }
        | C::AdoptAgenda { now }
        | C::CloseVoting { now }
        | C::WithdrawConsensusCall { now }
        | C::IssueCorrigendum { now, .. } => *now = today(app),
        C::RegisterStakeholder {
            organisation_id,
            accredited,
            ..
        } => {
            // Whether it is accredited is the body's record, not the client's claim.
            let (meeting, _) = app.meetings.load(id).await?;
            *accredited = match &meeting.body_id {
                Some(body_id) => {
                    let (body, _) = app.bodies.load(body_id.as_str()).await?;
                    body.stakeholders
                        .get(organisation_id)
                        .is_some_and(|st| st.accreditation == Accreditation::Accredited)
                }
                None => false,
            };
        }
        C::AwardSponsorship {
            request_id,
            fund_id: Some(fund),
        } => draw_on_fund(app, id, request_id.as_str(), fund.as_str(), ctx).await?,
        C::IssueProvisionalAgenda { items } => {
            let cited = items
                .iter()
                .enumerate()
                .flat_map(|(i, item)| cited_by(format!("items[{i}]"), &item.documents));
            registered_documents(app, cited.collect()).await?;
        }
        C::ChangeAgenda { change, now } => {
            *now = today(app);
            if let AgendaChange::AddItem { item } = change {
                let cited = cited_by("change.AddItem.item".to_owned(), &item.documents);
                registered_documents(app, cited.collect()).await?;
            }
        }
        C::KeepSummaryRecord { symbol, .. } => {
            let cited = symbol.iter().map(|s| ("symbol".to_owned(), s));
            registered_documents(app, cited.collect()).await?;
        }
        C::CallForConsensus { subject, amendment } => match subject {
            ConsensusSubject::Amendment {
                amendment_id,
                revision,
            } => {
                let standing = amendment_standing(app, amendment_id.as_str(), Some(*revision))
                    .await?
                    .ok_or_else(|| {
                        Refusal::unprocessable(
                            "unknown-amendment",
                            format!("no amendment {amendment_id}"),
                        )
                        .with_field("subject.Amendment.amendment_id")
                    })?;
                *amendment = Some(standing);
                return Ok(Some("subject.Amendment"));
            }
            ConsensusSubject::Report { symbol } => {
                let cited = vec![("subject.Report.symbol".to_owned(), &*symbol)];
                registered_documents(app, cited).await?;
            }
            ConsensusSubject::DraftDecision { .. } | ConsensusSubject::ProgrammeOfWork { .. } => {}
        },
        C::DeclareOutcome { now, amendment, .. } => {
            *now = today(app);
            // Adopting an amendment applies it to the framework: check it still applies now,
            // whatever the amendment's own status says (the reactor sets that a moment later).
            let (meeting, _) = app.meetings.peek(id).await?;
            let called =
                meeting
                    .consensus
                    .as_ref()
                    .filter(|c| c.open)
                    .and_then(|c| match &c.subject {
                        ConsensusSubject::Amendment {
                            amendment_id,
                            revision,
                        } => Some((amendment_id.to_string(), *revision)),
                        _ => None,
                    });
            if let Some((aid, revision)) = called {
                *amendment = amendment_standing(app, &aid, Some(revision)).await?;
                return Ok(Some("outcome"));
            }
        }
        C::AwardSponsorship { fund_id: None, .. }
        | C::RegisterDelegation { .. }
        | C::RegisterObserver { .. }
        | C::MarkPresent { .. }
        | C::MarkAbsent { .. }
        | C::RequestSponsorship { .. }
        | C::DeclineSponsorship { .. }
        | C::TakeUpItem { .. }
        | C::ConcludeItem { .. }
        | C::InscribeSpeaker { .. }
        | C::WithdrawSpeaker { .. }
        | C::CallNextSpeaker { .. }
        | C::IdentifySpeaker { .. }
        | C::SetSpeakingTime { .. }
        | C::CloseSpeakersList { .. }
        | C::RequestRightOfReply { .. }
        | C::RaisePointOfOrder { .. }
        | C::RuleOnPointOfOrder { .. }
        | C::AppealRuling { .. }
        | C::MoveMotion { .. }
        | C::WithdrawMotion { .. }
        | C::PutQuestionToVote { .. }
        | C::RequestRecordedVote { .. }
        | C::CastVote { .. }
        | C::RaiseObjection { .. }
        | C::WithdrawObjection { .. }
        | C::ExplainPosition { .. }
        | C::RecordDecision { .. }
        | C::TranslateText { .. } => {}
    }
    Ok(None)
}

/// A meeting convened under a programme of work names an item that programme has.
async fn in_programme_of_work(app: &App, link: &ProgrammeLink) -> Result<(), Refusal> {
    let (linked, version) = app.meetings.load(link.meeting_id.as_str()).await?;
    if version == 0 {
        return Err(Refusal::unprocessable(
            "unknown-meeting",
            format!("no meeting {}", link.meeting_id),
        )
        .with_field("programme_link.meeting_id"));
    }
    linked.check_programme_link(link).map_err(|e| {
        let field = match e {
            MeetingError::NoProgrammeOfWork(_) => "programme_link.meeting_id",
            _ => "programme_link.item",
        };
        Refusal::unprocessable(e.code(), e.to_string()).with_field(field)
    })?;
    Ok(())
}

/// Waits (briefly) until every adoption already decided has been applied to its framework, so
/// an amendment is checked against the text it will really meet. Without this, a chair could
/// adopt B in the moment between A's adoption and its application, and B would be adopted
/// without ever applying.
///
/// It looks again when this process's reactor saves its progress (which it does at once after
/// applying an adoption) or the log moves on (another instance's reactor may be the one
/// applying it), and gives up after three seconds.
async fn settled_framework(app: &App) -> Result<(), Refusal> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut saved = app.reactor_saved.subscribe();
    let mut head = app.store.subscribe();
    loop {
        // Announcements from here on wake the wait below.
        saved.borrow_and_update();
        head.borrow_and_update();
        let pending = crate::app::reactor::pending_adoptions(&app.store).await?;
        let Some((position, amendment)) = pending.first() else {
            return Ok(());
        };
        let moved = async {
            tokio::select! {
                _ = saved.changed() => {}
                _ = head.changed() => {}
            }
        };
        if tokio::time::timeout_at(deadline, moved).await.is_err() {
            return Err(Refusal::unavailable(format!(
                "the adoption of amendment {amendment} (log position {position}) is still being applied to the framework; retry in a moment"
            )));
        }
    }
}

/// What the meeting needs to know about an amendment before it is called or adopted, read
/// from the Amendment aggregate and checked against the framework's current text; `None` if
/// there is no such amendment. `revision` is the one called (default: the current one).
async fn amendment_standing(
    app: &App,
    amendment_id: &str,
    revision: Option<u32>,
) -> Result<Option<AmendmentStanding>, Refusal> {
    let (a, version) = app.amendments.load(amendment_id).await?;
    if version == 0 {
        return Ok(None);
    }
    let operations = a
        .revisions()
        .iter()
        .find(|r| Some(r.number) == revision)
        .or_else(|| a.current_revision())
        .map(|r| r.operations.clone())
        .unwrap_or_default();
    if a.framework_id().is_some() {
        settled_framework(app).await?;
    }
    let conflict = match a.framework_id() {
        Some(fid) => match app
            .frameworks_as_of
            .at(&app.store, fid.as_str(), Cut::Latest)
            .await?
        {
            Some((framework, _)) => check_applies(framework.declaration(), &operations)
                .err()
                .map(|c| Conflict {
                    reason: format!("{} (framework version {})", c.reason, framework.version()),
                    ..c
                }),
            None => Some(Conflict {
                operation: 0,
                paragraph: None,
                reason: format!("framework {fid} does not exist"),
            }),
        },
        None => None,
    };
    Ok(Some(AmendmentStanding {
        tabled_under: a.tabled_under().map(|t| TabledUnder {
            meeting_id: t.meeting_id.clone(),
            item: t.agenda_item,
        }),
        current_revision: a.current_revision().map(|r| r.number).unwrap_or(0),
        in_conflict: a.status() == AmendmentStatus::InConflict,
        withdrawn: a.status() == AmendmentStatus::Withdrawn,
        conflict,
    }))
}

/// An award that draws on a fund: its disbursement is recorded on the fund first, under an
/// entry id the request names, so the fund refuses an award it cannot pay and changes
/// nothing. Two records cannot change in one append: if the award itself is then refused (a
/// concurrent decision on the request), sending the award again finds the disbursement
/// already recorded and completes it; it is never paid twice.
async fn draw_on_fund(
    app: &App,
    meeting_id: &str,
    request_id: &str,
    fund_id: &str,
    ctx: &CommandContext,
) -> Result<(), Refusal> {
    use crate::domain::fund::{EntryKind, FundCommand, FundError};
    let (meeting, _) = app.meetings.load(meeting_id).await?;
    let r = Id::parse(request_id)
        .ok()
        .and_then(|rid| meeting.sponsorships.get(&rid).cloned())
        .filter(|r| r.status == crate::domain::meeting::SponsorshipStatus::Requested)
        .ok_or_else(|| {
            Refusal::conflict(
                "no-pending-sponsorship",
                format!("no sponsorship request {request_id} awaits a decision in {meeting_id}"),
            )
            .with_field("request_id")
        })?;
    let (fund, version) = app.funds.load(fund_id).await?;
    if version == 0 {
        return Err(
            Refusal::unprocessable("unknown-fund", format!("no fund {fund_id}"))
                .with_field("fund_id"),
        );
    }
    if fund.currency.as_deref() != Some("USD") {
        return Err(Refusal::unprocessable(
            "fund-currency",
            format!(
                "sponsorship awards are in USD; fund {fund_id} keeps {}",
                fund.currency.as_deref().unwrap_or("no currency")
            ),
        )
        .with_field("fund_id"));
    }
    let entry = FundCommand::RecordEntry {
        entry_id: Id::parse(&format!("sponsorship-{meeting_id}-{request_id}")).map_err(|e| {
            Refusal::unprocessable("invalid-input", e.to_string()).with_field("request_id")
        })?,
        kind: EntryKind::Disbursement,
        donor: None,
        recipient: Some(
            Text::parse(&format!("{} ({})", r.expert, r.state)).map_err(Refusal::internal)?,
        ),
        amount: u64::from(r.amount_usd),
        purpose: Text::parse(&format!("Sponsorship programme: {meeting_id}"))
            .map_err(Refusal::internal)?,
        date: today(app),
        today: today(app),
    };
    // The request's key and If-Match are the award's (the meeting's stream), not the fund's.
    let ctx = CommandContext {
        idempotency_key: None,
        expected_version: None,
        ..ctx.clone()
    };
    match app.funds.execute(fund_id, entry, &ctx).await {
        Ok(_) => Ok(()),
        // Recorded by an earlier attempt at this award: the award goes ahead.
        Err(crate::app::CommandError::Rejected(FundError::DuplicateEntry(_))) => Ok(()),
        Err(e) => Err(Refusal::from(e).with_field("fund_id")),
    }
}

/// The documents an agenda item cites, each with where it is in the request.
fn cited_by(
    at: String,
    documents: &[DocumentSymbol],
) -> impl Iterator<Item = (String, &DocumentSymbol)> {
    documents
        .iter()
        .enumerate()
        .map(move |(j, d)| (format!("{at}.documents[{j}]"), d))
}

/// The documents a meeting command cites are symbols the registry holds (issue 23, item 1):
/// an agenda's items (a new agenda, or an item added to one), the draft report a call for
/// consensus puts to the meeting, a summary record's symbol. `cited` pairs each with where it
/// is in the request.
async fn registered_documents(
    app: &App,
    cited: Vec<(String, &DocumentSymbol)>,
) -> Result<(), Refusal> {
    if cited.is_empty() {
        return Ok(());
    }
    let (registry, _): (DocumentRegistry, i64) =
        app.documents.load(crate::app::documents::REGISTRY).await?;
    for (field, symbol) in cited {
        if !registry.has(symbol.as_str()) {
            return Err(Refusal::unprocessable(
                "unregistered-document",
                format!("{symbol} is not in the document registry: issue or register it first"),
            )
            .with_field(field));
        }
    }
    Ok(())
}
