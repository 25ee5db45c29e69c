//! Participation over time: delegates, heads of delegation and speakers by gender, States
//! attending, statements made and the sponsorship programme's reach (by regional group), per
//! body and year, across every meeting. The totals are public; figures per State (personal
//! data behind them) go to the secretariat, auditors and admin, and to a delegate for its own
//! State, as the per-meeting figures do.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::Serialize;

use crate::app::access::{Principal, Role};
use crate::app::refusal::Refusal;
use crate::app::App;
use crate::domain::body::Body;
use crate::domain::meeting::{Meeting, SponsorshipStatus};
use crate::domain::values::StateCode;
use crate::projections::{docs, state_view};

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub meetings: u32,
    /// States with a registered delegation, counted once per meeting.
    pub delegations: u32,
    /// Delegates by gender (`female`, `male`, `other`, `not_given`).
    pub delegates: BTreeMap<String, u32>,
    pub heads_of_delegation: BTreeMap<String, u32>,
    /// Experts funded by the sponsorship programme, and the amounts awarded.
    pub sponsored: u32,
    pub sponsored_usd: u64,
    /// The sponsorship programme's reach: experts funded and amounts, by the regional group
    /// (SetRegionalGroup) of the State they came from; `""` for States in no group.
    pub sponsored_by_region: BTreeMap<String, Reach>,
    /// Times the floor was given (replies included), to States, observers and stakeholders.
    pub statements: u32,
    /// Statements whose speaker was identified (IdentifySpeaker), by the speaker's gender.
    pub speakers: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reach {
    pub experts: u32,
    pub usd: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearLine {
    pub body_id: String,
    pub year: i32,
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StateLine {
    pub state: String,
    pub body_id: String,
    pub year: i32,
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Participation {
    pub by_year: Vec<YearLine>,
    /// Only the rows the reader is entitled to (empty for observers and chairs).
    pub by_state: Vec<StateLine>,
}

fn gender_of(g: Option<crate::domain::meeting::Gender>) -> String {
    crate::domain::meeting::gender_code(g)
}

/// Which States' rows `p` may read: `None` every State's.
fn entitled(p: &Principal) -> Option<Option<String>> {
    match p.role {
        Role::Secretariat | Role::Auditor | Role::Admin => Some(None),
        Role::Delegate => Some(p.scope.clone()),
        _ => None,
    }
}

/// The regional group of `state` in the body (or, where a working group has none, in its
/// parent body); `""` if none.
fn region_of(bodies: &BTreeMap<String, Body>, body_id: &str, state: &StateCode) -> String {
    let mut at = bodies.get(body_id);
    // A parent chain is short; the bound only guards against a cycle.
    for _ in 0..8 {
        let Some(b) = at else { break };
        if !b.regional_groups.is_empty() {
            return b
                .regional_group(state)
                .map(|g| g.to_string())
                .unwrap_or_default();
        }
        at = b.parent_body.as_ref().and_then(|p| bodies.get(p.as_str()));
    }
    String::new()
}

/// Figures of every meeting, by body and year (the year the meeting was convened to start),
/// optionally for one body.
pub async fn over_time(
    app: &App,
    p: &Principal,
    body: Option<&str>,
) -> Result<Participation, Refusal> {
    let mut years: BTreeMap<(String, i32), Figures> = BTreeMap::new();
    let mut states: BTreeMap<(String, String, i32), Figures> = BTreeMap::new();
    let who = entitled(p);
    let mut bodies: BTreeMap<String, Body> = BTreeMap::new();
    for v in docs::list(app.store.db(), crate::projections::state_view::BODIES, "").await? {
        let (id, _, b) = state_view::decode::<Body>(&v).map_err(Refusal::internal)?;
        bodies.insert(id, b);
    }
    for v in docs::list(app.store.db(), crate::projections::state_view::MEETINGS, "").await? {
        let (_, _, m) = state_view::decode::<Meeting>(&v).map_err(Refusal::internal)?;
        let Some(body_id) = m.body_id.as_ref().map(|b| b.to_string()) else {
            continue;
        };
        if body.is_some_and(|b| b != body_id) {
            continue;
        }
        let Some((starts, _)) = m.convened_dates else {
            continue;
        };
        let year = starts.year();
        let total = years.entry((body_id.clone(), year)).or_default();
        total.meetings += 1;
        let mut per_state: BTreeMap<String, Figures> = BTreeMap::new();
        for (state, members) in &m.delegations {
            let row = per_state.entry(state.to_string()).or_default();
            row.delegations += 1;
            total.delegations += 1;
            for member in members {
                let g = gender_of(member.gender);
                for f in [&mut *total, &mut *row] {
                    *f.delegates.entry(g.clone()).or_default() += 1;
                    if member.head_of_delegation {
                        *f.heads_of_delegation.entry(g.clone()).or_default() += 1;
                    }
                }
            }
        }
        total.statements += m.other_statements;
        for (state, s) in &m.statements {
            let row = per_state.entry(state.to_string()).or_default();
            for f in [&mut *total, &mut *row] {
                f.statements += s.made;
                for (g, n) in &s.speakers {
                    *f.speakers.entry(g.clone()).or_default() += n;
                }
            }
        }
        for r in m.sponsorships.values() {
            if r.status != SponsorshipStatus::Awarded {
                continue;
            }
            let region = region_of(&bodies, &body_id, &r.state);
            let row = per_state.entry(r.state.to_string()).or_default();
            for f in [&mut *total, &mut *row] {
                f.sponsored += 1;
                f.sponsored_usd += u64::from(r.amount_usd);
                let reach = f.sponsored_by_region.entry(region.clone()).or_default();
                reach.experts += 1;
                reach.usd += u64::from(r.amount_usd);
            }
        }
        for (state, f) in per_state {
            let shown = match &who {
                Some(None) => true,
                Some(Some(own)) => *own == state,
                None => false,
            };
            if shown {
                let row = states.entry((state, body_id.clone(), year)).or_default();
                row.meetings += 1;
                row.delegations += f.delegations;
                row.sponsored += f.sponsored;
                row.sponsored_usd += f.sponsored_usd;
                for (region, r) in f.sponsored_by_region {
                    let reach = row.sponsored_by_region.entry(region).or_default();
                    reach.experts += r.experts;
                    reach.usd += r.usd;
                }
                row.statements += f.statements;
                for (g, n) in f.speakers {
                    *row.speakers.entry(g).or_default() += n;
                }
                for (g, n) in f.delegates {
                    *row.delegates.entry(g).or_default() += n;
                }
                for (g, n) in f.heads_of_delegation {
                    *row.heads_of_delegation.entry(g).or_default() += n;
                }
            }
        }
    }
    Ok(Participation {
        by_year: years
            .into_iter()
            .map(|((body_id, year), figures)| YearLine {
                body_id,
                year,
                figures,
            })
            .collect(),
        by_state: states
            .into_iter()
            .map(|((state, body_id, year), figures)| StateLine {
                state,
                body_id,
                year,
                figures,
            })
            .collect(),
    })
}
