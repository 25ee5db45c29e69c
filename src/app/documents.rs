//! The document registry (one record, [`REGISTRY`]; each document belongs to a body): the
//! secretariat issues symbols in a body's series, revisions, addenda and corrigenda,
//! registers documents of other processes the record cites, and records language versions. The list is public
//! record, except restricted documents, which only States, the secretariat, auditors and
//! admin see.

use serde::Serialize;
use serde_json::Value;

use crate::app::access::{Principal, Role};
use crate::app::commands::{authorize, today, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::body::Body;
use crate::domain::documents::{
    Distribution, DocumentCommand, DocumentCommandKind, DocumentLink, DocumentRegistry,
    VersionOrigin,
};
use crate::projections::state_view;

/// The registry's record id.
pub const REGISTRY: &str = "registry";

/// Runs one command on the registry for `p`.
#[tracing::instrument(skip_all, fields(role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: DocumentCommandKind = env.kind()?;
    authorize(p, permissions::documents(kind), "", &env)?;
    // A new document belongs to an established body.
    if let Some(id) = env.str("body_id").map(str::to_owned) {
        let (_, version): (Body, i64) = app.bodies.load(&id).await?;
        if version == 0 {
            return Err(Refusal::unprocessable(
                "unknown-body",
                format!("no body {id}: establish it first"),
            )
            .with_field("body_id"));
        }
    }
    let mut cmd: DocumentCommand = env.decode(SUPPLIED)?;
    // The server's facts (`skip_deserializing` in the domain), one arm per command.
    match &mut cmd {
        DocumentCommand::IssueDocument { now, .. }
        | DocumentCommand::IssueRelated { now, .. }
        | DocumentCommand::AddLanguageVersion { now, .. } => *now = today(app),
        DocumentCommand::RegisterExternal { .. } => {}
    }
    Ok(app.documents.execute(REGISTRY, cmd, ctx).await?)
}

/// The fields the server supplies (`skip_deserializing` in the domain): a client that sends
/// one is not refused, and its value is never read.
pub const SUPPLIED: &[&str] = &["now"];

/// A document's row id on the documents page (after `doc-`): the symbol with `/` and `.`
/// as `-` (`PoA-RC-1-2026-L-1`), so it needs no escaping in a link or a selector.
pub fn anchor(symbol: &str) -> String {
    symbol.replace(['/', '.'], "-")
}

/// A document as the registry lists it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct DocumentLine {
    pub body_id: String,
    pub symbol: String,
    pub title: String,
    /// Issued by this registry (false: another process's document, cited).
    pub own: bool,
    pub issuer: Option<String>,
    /// `general`, `limited` or `restricted`.
    pub distribution: &'static str,
    pub date: Option<String>,
    /// `revision`, `addendum` or `corrigendum` of `related_to`.
    pub relation: Option<&'static str>,
    pub related_to: Option<String>,
    /// The revision that replaces this document, if any.
    pub replaced_by: Option<String>,
    /// `en`, `fr (human)`, `ar (machine)`…; the original first.
    pub languages: Vec<String>,
    /// What it belongs to: `meeting poa-rc-1`, `item 3 of poa-rc-1`, `amendment …`,
    /// `decision …`.
    pub links: Vec<String>,
    /// The same for pages in any language: each language with who made it (a message
    /// key), and each link as a message key and what it names.
    #[serde(skip)]
    pub versions: Vec<(String, &'static str)>,
    #[serde(skip)]
    pub belongs: Vec<(&'static str, String)>,
}

fn may_see_restricted(p: &Principal) -> bool {
    matches!(
        p.role,
        Role::Delegate | Role::Secretariat | Role::Auditor | Role::Admin
    )
}

fn line(symbol: String, d: &crate::domain::documents::DocumentRecord) -> DocumentLine {
    use crate::domain::documents::Relation;
    DocumentLine {
        body_id: d.body_id.to_string(),
        symbol,
        title: d.title.to_string(),
        own: d.own,
        issuer: d.issuer.as_ref().map(|i| i.to_string()),
        distribution: match d.distribution {
            Distribution::General => "general",
            Distribution::Limited => "limited",
            Distribution::Restricted => "restricted",
        },
        date: d.date.map(|d| d.to_string()),
        relation: d.related_to.as_ref().map(|(r, _)| match r {
            Relation::Revision => "revision",
            Relation::Addendum => "addendum",
            Relation::Corrigendum => "corrigendum",
        }),
        related_to: d.related_to.as_ref().map(|(_, s)| s.to_string()),
        replaced_by: d.replaced_by.as_ref().map(|s| s.to_string()),
        languages: d
            .languages
            .iter()
            .map(|(l, o)| match o {
                VersionOrigin::Original => l.to_string(),
                VersionOrigin::Human => format!("{l} (human)"),
                VersionOrigin::Machine => format!("{l} (machine)"),
            })
            .collect(),
        versions: d
            .languages
            .iter()
            .map(|(l, o)| {
                let by = match o {
                    VersionOrigin::Original => "documents.original",
                    VersionOrigin::Human => "framework.human",
                    VersionOrigin::Machine => "framework.machine",
                };
                (l.to_string(), by)
            })
            .collect(),
        belongs: d
            .links
            .iter()
            .map(|l| match l {
                DocumentLink::Meeting { meeting_id } => {
                    ("documents.of_meeting", meeting_id.to_string())
                }
                DocumentLink::AgendaItem { meeting_id, item } => {
                    ("documents.of_item", format!("{item} ({meeting_id})"))
                }
                DocumentLink::Amendment { amendment_id } => {
                    ("documents.of_amendment", amendment_id.to_string())
                }
                DocumentLink::Decision { symbol } => ("documents.of_decision", symbol.to_string()),
            })
            .collect(),
        links: d
            .links
            .iter()
            .map(|l| match l {
                DocumentLink::Meeting { meeting_id } => format!("meeting {meeting_id}"),
                DocumentLink::AgendaItem { meeting_id, item } => {
                    format!("item {item} of {meeting_id}")
                }
                DocumentLink::Amendment { amendment_id } => format!("amendment {amendment_id}"),
                DocumentLink::Decision { symbol } => format!("decision {symbol}"),
            })
            .collect(),
    }
}

/// Every document `p` may see, by symbol, optionally of one body.
pub async fn list(
    app: &App,
    p: &Principal,
    body: Option<&str>,
) -> Result<Vec<DocumentLine>, Refusal> {
    let restricted = may_see_restricted(p);
    let public = crate::domain::body::PublicRecord::Documents;
    let public = crate::app::bodies::public_bodies(app, p, public).await?;
    let Some(v) = app
        .projector
        .doc(crate::projections::state_view::DOCUMENTS, REGISTRY)
        .await?
    else {
        return Ok(vec![]);
    };
    let (_, _, r) = state_view::decode::<DocumentRegistry>(&v).map_err(Refusal::internal)?;
    Ok(r.documents
        .iter()
        .filter(|(_, d)| body.is_none_or(|b| d.body_id.as_str() == b))
        .filter(|(_, d)| {
            public
                .as_ref()
                .is_none_or(|set| set.contains(d.body_id.as_str()))
        })
        .filter(|(_, d)| restricted || d.distribution != Distribution::Restricted)
        .map(|(symbol, d)| line(symbol.to_string(), d))
        .collect())
}

/// The registry now (its read model), or as of `cut` (folded from the log); empty before the
/// first document.
pub async fn registry(
    app: &App,
    cut: Option<crate::app::history::Cut>,
) -> Result<DocumentRegistry, Refusal> {
    match cut {
        None => match app
            .projector
            .doc(crate::projections::state_view::DOCUMENTS, REGISTRY)
            .await?
        {
            Some(v) => Ok(state_view::decode::<DocumentRegistry>(&v)
                .map_err(Refusal::internal)?
                .2),
            None => Ok(DocumentRegistry::default()),
        },
        Some(cut) => Ok(crate::app::as_of::aggregate::<DocumentRegistry>(
            &app.store, REGISTRY, cut,
        )
        .await?
        .map(|(fold, _)| fold.state)
        .unwrap_or_default()),
    }
}

/// The text of a registered document where Plenary holds it (a published submission), in the
/// reader's language where a version exists.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldText {
    pub title: String,
    pub text: String,
    /// The language of `text`, and the original (its language, its wording) beside a
    /// translation.
    pub lang: String,
    pub original: Option<(String, String)>,
}

/// One document as of `cut`, for printing: its registry line, the text Plenary holds for it
/// (a published submission under that symbol, in `lang` where a version exists), and the
/// log position read to. A restricted document is not found for those who may not see it.
pub async fn printable(
    app: &App,
    p: &Principal,
    symbol: &str,
    lang: &str,
    cut: crate::app::history::Cut,
) -> Result<(DocumentLine, Option<HeldText>, i64), Refusal> {
    let head = app.store.head();
    let position = match cut {
        crate::app::history::Cut::Position(p) => p,
        _ => head,
    };
    let not_found = || Refusal::not_found(format!("no document {symbol} in the registry"));
    let (fold, _) = crate::app::as_of::aggregate::<DocumentRegistry>(&app.store, REGISTRY, cut)
        .await?
        .ok_or_else(not_found)?;
    let (sym, record) = fold
        .state
        .documents
        .iter()
        .find(|(s, _)| s.as_str() == symbol)
        .ok_or_else(not_found)?;
    if record.distribution == Distribution::Restricted && !may_see_restricted(p) {
        return Err(not_found());
    }
    let documents = crate::domain::body::PublicRecord::Documents;
    crate::app::bodies::require_public(app, p, Some(record.body_id.as_str()), documents).await?;
    let line = line(sym.to_string(), record);
    // The submission published under this symbol, as the public reads it now.
    let published = crate::app::submissions::list(app, p, &Default::default())
        .await?
        .into_iter()
        .find(|s| s.status == "published" && s.symbol.as_deref() == Some(symbol));
    let held = published.map(|s| {
        match s
            .versions
            .iter()
            .find(|v| v.language == lang && v.language != s.language)
        {
            Some(v) => HeldText {
                title: s.title.clone(),
                text: v.text.clone(),
                lang: v.language.clone(),
                original: Some((s.language.clone(), s.text.clone())),
            },
            None => HeldText {
                title: s.title.clone(),
                text: s.text.clone(),
                lang: s.language.clone(),
                original: None,
            },
        }
    });
    Ok((line, held, position))
}
