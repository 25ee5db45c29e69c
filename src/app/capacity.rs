//! Capacity building: requests and offers, the pairs suggested between them and why, and
//! matches from proposal to completion. Part of the record every credential may read.

use serde::Serialize;
use serde_json::Value;

use crate::app::access::Principal;
use crate::app::commands::{authorize, today, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::capacity::{
    AssistanceOffer, AssistanceRequest, MatchStage, OfferCommand, OfferCommandKind, Priority,
    RequestCommand, RequestCommandKind, RequestStatus,
};
use crate::projections::{docs, state_view};

/// Runs one command on request `id` for `p`.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn request_command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: RequestCommandKind = env.kind()?;
    authorize(p, permissions::capacity_request(kind), "", &env)?;
    if kind == RequestCommandKind::FileRequest {
        env.require_record_id("request_id", id)?;
    }
    let mut cmd: RequestCommand = env.decode(REQUEST_SUPPLIED)?;
    // The server's facts (`skip_deserializing` in the domain), one arm per command.
    use RequestCommand as C;
    match &mut cmd {
        C::ProposeMatch {
            offer_id,
            offerer,
            now,
            ..
        } => {
            *now = today(app);
            // The offerer is the offer's, not the client's to say.
            let (offer, version): (AssistanceOffer, i64) =
                app.offers.load(offer_id.as_str()).await?;
            *offerer = offer.offerer.filter(|_| version > 0 && !offer.withdrawn);
            if offerer.is_none() {
                return Err(Refusal::unprocessable(
                    "unknown-offer",
                    format!("no offer {offer_id} stands"),
                )
                .with_field("offer_id"));
            }
        }
        C::AcceptMatch { now, .. }
        | C::DeclineMatch { now, .. }
        | C::RecordProgress { now, .. }
        | C::WithdrawRequest { now, .. } => *now = today(app),
        C::FileRequest { .. } => {}
    }
    Ok(app.requests.execute(id, cmd, ctx).await?)
}

/// The fields of a request command the server supplies (`skip_deserializing` in the domain):
/// a client that sends one is not refused, and its value is never read.
pub const REQUEST_SUPPLIED: &[&str] = &["now", "offerer"];

/// Runs one command on offer `id` for `p`.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn offer_command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: OfferCommandKind = env.kind()?;
    authorize(p, permissions::capacity_offer(kind), "", &env)?;
    if kind == OfferCommandKind::MakeOffer {
        env.require_record_id("offer_id", id)?;
    }
    let cmd: OfferCommand = env.decode(&[])?;
    Ok(app.offers.execute(id, cmd, ctx).await?)
}

fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestLine {
    pub id: String,
    pub state: String,
    pub area: String,
    pub gap_analysis: Option<String>,
    pub priority: String,
    pub modality: String,
    pub language: String,
    pub region: String,
    pub needed_by: Option<String>,
    pub description: String,
    /// `open`, `matched`, `completed` or `withdrawn`.
    pub status: &'static str,
    pub current: Option<MatchLine>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchLine {
    pub offer_id: String,
    pub offerer: String,
    /// `proposed`, `agreed` or `completed`.
    pub stage: &'static str,
    pub requester_accepted: bool,
    pub offerer_accepted: bool,
    /// (date, by, note), in order.
    pub progress: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferLine {
    pub id: String,
    pub offerer: String,
    pub areas: Vec<String>,
    pub modalities: Vec<String>,
    pub languages: Vec<String>,
    pub regions: Vec<String>,
    pub capacity: u32,
    /// Requests it is matched with and not yet completed.
    pub in_use: u32,
    pub description: String,
    pub withdrawn: bool,
}

/// A pair worth proposing, with why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub request_id: String,
    pub state: String,
    pub offer_id: String,
    pub offerer: String,
    pub score: u32,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CapacityBoard {
    pub requests: Vec<RequestLine>,
    pub offers: Vec<OfferLine>,
    /// Best first.
    pub suggestions: Vec<Suggestion>,
}

/// How well `o` fits `r`, and why: the area is needed (3), then modality (2), language (2)
/// and region (1, or an offer open to every region).
pub fn fit(r: &AssistanceRequest, o: &AssistanceOffer) -> Option<(u32, Vec<String>)> {
    let area = r.area?;
    if !o.areas.contains(&area) {
        return None;
    }
    let mut score = 3;
    let mut why = vec![format!("area: {}", code(&area))];
    if let Some(m) = r.modality.filter(|m| o.modalities.contains(m)) {
        score += 2;
        why.push(format!("modality: {}", code(&m)));
    }
    if let Some(l) = r.language.filter(|l| o.languages.contains(l)) {
        score += 2;
        why.push(format!("language: {}", code(&l)));
    }
    match &r.region {
        Some(region)
            if o.regions
                .iter()
                .any(|x| x.as_str().eq_ignore_ascii_case(region.as_str())) =>
        {
            score += 1;
            why.push(format!("region: {region}"));
        }
        _ if o.regions.is_empty() => why.push("any region".into()),
        _ => {}
    }
    Some((score, why))
}

fn priority_rank(p: Option<Priority>) -> u8 {
    match p {
        Some(Priority::High) => 0,
        Some(Priority::Medium) => 1,
        _ => 2,
    }
}

/// Every request and offer, and the pairs suggested between open requests and offers with
/// room left.
pub async fn board(app: &App, _p: &Principal) -> Result<CapacityBoard, Refusal> {
    let mut requests = vec![];
    for v in docs::list(
        app.store.db(),
        crate::projections::state_view::ASSISTANCE_REQUESTS,
        "",
    )
    .await?
    {
        requests.push(state_view::decode::<AssistanceRequest>(&v).map_err(Refusal::internal)?);
    }
    let mut offers = vec![];
    for v in docs::list(
        app.store.db(),
        crate::projections::state_view::ASSISTANCE_OFFERS,
        "",
    )
    .await?
    {
        offers.push(state_view::decode::<AssistanceOffer>(&v).map_err(Refusal::internal)?);
    }
    let in_use = |offer: &str| {
        requests
            .iter()
            .filter(|(_, _, r)| {
                r.current.as_ref().is_some_and(|m| {
                    m.offer_id.as_str() == offer && m.stage != MatchStage::Completed
                })
            })
            .count() as u32
    };
    let mut suggestions = vec![];
    for (rid, _, r) in &requests {
        if r.status != RequestStatus::Open || r.current.is_some() {
            continue;
        }
        for (oid, _, o) in &offers {
            if o.withdrawn
                || in_use(oid) >= o.capacity
                || r.declined.iter().any(|d| d.as_str() == oid)
            {
                continue;
            }
            if let Some((score, reasons)) = fit(r, o) {
                suggestions.push((
                    priority_rank(r.priority),
                    Suggestion {
                        request_id: rid.clone(),
                        state: r.state.as_ref().map(|s| s.to_string()).unwrap_or_default(),
                        offer_id: oid.clone(),
                        offerer: o
                            .offerer
                            .as_ref()
                            .map(|x| x.to_string())
                            .unwrap_or_default(),
                        score,
                        reasons,
                    },
                ));
            }
        }
    }
    suggestions.sort_by(|(pa, a), (pb, b)| {
        b.score
            .cmp(&a.score)
            .then(pa.cmp(pb))
            .then(a.request_id.cmp(&b.request_id))
            .then(a.offer_id.cmp(&b.offer_id))
    });
    let offer_lines = offers
        .iter()
        .map(|(id, _, o)| OfferLine {
            id: id.clone(),
            offerer: o
                .offerer
                .as_ref()
                .map(|x| x.to_string())
                .unwrap_or_default(),
            areas: o.areas.iter().map(code).collect(),
            modalities: o.modalities.iter().map(code).collect(),
            languages: o.languages.iter().map(code).collect(),
            regions: o.regions.iter().map(|r| r.to_string()).collect(),
            capacity: o.capacity,
            in_use: in_use(id),
            description: o
                .description
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            withdrawn: o.withdrawn,
        })
        .collect();
    let request_lines = requests
        .iter()
        .map(|(id, _, r)| RequestLine {
            id: id.clone(),
            state: r.state.as_ref().map(|s| s.to_string()).unwrap_or_default(),
            area: r.area.as_ref().map(code).unwrap_or_default(),
            gap_analysis: r.gap_analysis.as_ref().map(|g| g.to_string()),
            priority: r.priority.as_ref().map(code).unwrap_or_default(),
            modality: r.modality.as_ref().map(code).unwrap_or_default(),
            language: r.language.as_ref().map(code).unwrap_or_default(),
            region: r.region.as_ref().map(|x| x.to_string()).unwrap_or_default(),
            needed_by: r.needed_by.map(|d| d.to_string()),
            description: r
                .description
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            status: r.status.as_str(),
            current: r.current.as_ref().map(|m| MatchLine {
                offer_id: m.offer_id.to_string(),
                offerer: m.offerer.to_string(),
                stage: match m.stage {
                    MatchStage::Proposed => "proposed",
                    MatchStage::Agreed => "agreed",
                    MatchStage::Completed => "completed",
                },
                requester_accepted: m.requester_accepted,
                offerer_accepted: m.offerer_accepted,
                progress: m
                    .progress
                    .iter()
                    .map(|(d, by, n)| (d.to_string(), by.to_string(), n.to_string()))
                    .collect(),
            }),
        })
        .collect();
    Ok(CapacityBoard {
        requests: request_lines,
        offers: offer_lines,
        suggestions: suggestions.into_iter().map(|(_, s)| s).collect(),
    })
}
