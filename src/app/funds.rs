//! Funding ledgers (one record per fund): the secretariat establishes a fund and records
//! pledges, contributions received and disbursements; anyone with a credential reads the
//! ledger as of any date, with its totals by donor and by purpose.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::app::access::Principal;
use crate::app::commands::{authorize, today, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::body::Body;
use crate::domain::fund::{EntryKind, Fund, FundCommand, FundCommandKind};
use crate::domain::values::Date;
use crate::projections::{docs, state_view};

/// Runs one command on fund `id` for `p`.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: FundCommandKind = env.kind()?;
    authorize(p, permissions::fund(kind), "", &env)?;
    if kind == FundCommandKind::EstablishFund {
        let body_id = env.str("body_id").unwrap_or_default().to_owned();
        let (_, version): (Body, i64) = app.bodies.load(&body_id).await?;
        if version == 0 {
            return Err(
                Refusal::unprocessable("unknown-body", format!("no body {body_id}"))
                    .with_field("body_id"),
            );
        }
    }
    let mut cmd: FundCommand = env.decode(SUPPLIED)?;
    // The server's facts (`skip_deserializing` in the domain), one arm per command.
    match &mut cmd {
        FundCommand::RecordEntry { today: t, .. } => *t = today(app),
        FundCommand::EstablishFund { .. } => {}
    }
    Ok(app.funds.execute(id, cmd, ctx).await?)
}

/// The fields the server supplies (`skip_deserializing` in the domain): a client that sends
/// one is not refused, and its value is never read.
pub const SUPPLIED: &[&str] = &["today"];

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[schema(as = FundEntryLine)]
pub struct EntryLine {
    pub entry_id: String,
    /// `pledge`, `contribution` or `disbursement`.
    pub kind: &'static str,
    pub donor: Option<String>,
    pub recipient: Option<String>,
    pub amount: u64,
    pub purpose: String,
    pub date: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct DonorLine {
    pub donor: String,
    pub pledged: u64,
    pub received: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct PurposeLine {
    pub purpose: String,
    pub received: u64,
    pub disbursed: u64,
}

/// A fund's ledger as of a date.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Ledger {
    pub fund_id: String,
    pub body_id: String,
    pub name: String,
    pub currency: String,
    /// The entries dated on or before this day count.
    pub on: String,
    pub pledged: u64,
    pub received: u64,
    pub disbursed: u64,
    /// Received minus disbursed.
    pub balance: i128,
    /// Pledged but not yet received, over all donors.
    pub outstanding: u64,
    pub by_donor: Vec<DonorLine>,
    pub by_purpose: Vec<PurposeLine>,
    /// In date order.
    pub entries: Vec<EntryLine>,
}

fn kind_code(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Pledge => "pledge",
        EntryKind::Contribution => "contribution",
        EntryKind::Disbursement => "disbursement",
    }
}

/// The ledger of `f` counting entries dated on or before `on`.
pub fn ledger(fund_id: &str, f: &Fund, on: Date) -> Ledger {
    let mut entries: Vec<&crate::domain::fund::Entry> =
        f.entries.iter().filter(|e| e.date <= on).collect();
    entries.sort_by(|a, b| (a.date, &a.entry_id).cmp(&(b.date, &b.entry_id)));
    let sum = |k: EntryKind| -> u64 {
        entries
            .iter()
            .filter(|e| e.kind == k)
            .map(|e| e.amount)
            .sum()
    };
    let mut donors: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut purposes: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for e in &entries {
        if let Some(d) = &e.donor {
            let row = donors.entry(d.to_string()).or_default();
            match e.kind {
                EntryKind::Pledge => row.0 += e.amount,
                EntryKind::Contribution => row.1 += e.amount,
                EntryKind::Disbursement => {}
            }
        }
        let row = purposes.entry(e.purpose.to_string()).or_default();
        match e.kind {
            EntryKind::Contribution => row.0 += e.amount,
            EntryKind::Disbursement => row.1 += e.amount,
            EntryKind::Pledge => {}
        }
    }
    let (pledged, received, disbursed) = (
        sum(EntryKind::Pledge),
        sum(EntryKind::Contribution),
        sum(EntryKind::Disbursement),
    );
    Ledger {
        fund_id: fund_id.to_owned(),
        body_id: f
            .body_id
            .as_ref()
            .map(|b| b.to_string())
            .unwrap_or_default(),
        name: f.name.as_ref().map(|n| n.to_string()).unwrap_or_default(),
        currency: f.currency.clone().unwrap_or_default(),
        on: on.to_string(),
        pledged,
        received,
        disbursed,
        balance: i128::from(received) - i128::from(disbursed),
        outstanding: donors.values().map(|(p, r)| p.saturating_sub(*r)).sum(),
        by_donor: donors
            .into_iter()
            .map(|(donor, (pledged, received))| DonorLine {
                donor,
                pledged,
                received,
            })
            .collect(),
        by_purpose: purposes
            .into_iter()
            .map(|(purpose, (received, disbursed))| PurposeLine {
                purpose,
                received,
                disbursed,
            })
            .collect(),
        entries: entries
            .iter()
            .map(|e| EntryLine {
                entry_id: e.entry_id.to_string(),
                kind: kind_code(e.kind),
                donor: e.donor.as_ref().map(|d| d.to_string()),
                recipient: e.recipient.as_ref().map(|r| r.to_string()),
                amount: e.amount,
                purpose: e.purpose.to_string(),
                date: e.date.to_string(),
            })
            .collect(),
    }
}

/// Fund `id`'s ledger as of `on` (default today), from the log.
pub async fn one(app: &App, id: &str, on: Option<Date>) -> Result<Ledger, Refusal> {
    let (f, version) = app.funds.load(id).await?;
    if version == 0 {
        return Err(Refusal::not_found(format!("no fund {id}")));
    }
    Ok(ledger(id, &f, on.unwrap_or_else(|| today(app))))
}

/// Every fund's ledger as of today.
pub async fn all(app: &App) -> Result<Vec<Ledger>, Refusal> {
    let day = today(app);
    let mut out = vec![];
    for v in docs::list(app.store.db(), crate::projections::state_view::FUNDS, "").await? {
        let (id, _, f) = state_view::decode::<Fund>(&v).map_err(Refusal::internal)?;
        out.push(ledger(&id, &f, day));
    }
    Ok(out)
}
