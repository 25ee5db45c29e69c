//! The secretariat's desk: establishing bodies, convening meetings, stakeholders and their
//! accreditation, translations and external endorsements of the Declaration (`/secretariat`);
//! and, for one meeting, registering delegations from a pasted list, attendance for a whole
//! list of States, observers, stakeholders and the provisional agenda
//! (`/secretariat/meetings/{id}`). Every form goes through the same application services
//! as the API, so the same rules and permissions apply.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde_json::{json, Map, Value};

use super::form::{self, bad, Posted};
use super::pages::{chrome, handle_post, refusal_page, render, Chrome, FormError};
use super::session::Viewer;
use crate::api::AppState;
use crate::app::access::Role;
use crate::app::bodies::{self, BodyLine};
use crate::app::history::FrameworkView;
use crate::app::refusal::Refusal;
use crate::app::room::{self, MeetingRoom};
use crate::projections::docs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/secretariat", get(desk).post(desk_post))
        .route(
            "/secretariat/meetings/{id}",
            get(meeting_desk).post(meeting_post),
        )
}

fn require_secretariat(v: &Viewer) -> Result<(), Refusal> {
    if v.principal.role == Role::Secretariat {
        Ok(())
    } else {
        Err(Refusal::forbidden(
            "only the secretariat uses the secretariat's desk",
        ))
    }
}

pub struct MeetingLine {
    pub id: String,
    pub title: String,
    pub symbol: String,
    pub body_id: String,
    pub status: String,
    pub dates: String,
    /// A review conference or annual meeting: a consultative day may precede it.
    pub may_be_preceded: bool,
}

#[derive(Template)]
#[template(path = "secretariat.html")]
struct Desk<'a> {
    c: Chrome<'a>,
    bodies: Vec<BodyLine>,
    meetings: Vec<MeetingLine>,
    framework: Option<FrameworkView>,
    error: Option<FormError>,
}

impl Desk<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }

    fn kinds(&self) -> &'static [&'static str] {
        &KINDS
    }

    fn stakeholder_kinds(&self) -> &'static [&'static str] {
        &STAKEHOLDER_KINDS
    }

    /// The languages a paragraph is translated into: all but the original's.
    fn languages(&self) -> Vec<&'static super::messages::Messages> {
        super::messages::all()
            .iter()
            .filter(|m| m.lang != "en")
            .collect()
    }
}

const KINDS: [&str; 5] = [
    "ReviewConference",
    "PeriodicMeeting",
    "IntersessionalMeeting",
    "InformalWorkingGroupSession",
    "ConsultativeDay",
];

const STAKEHOLDER_KINDS: [&str; 5] = [
    "PrivateSector",
    "Academia",
    "CivilSociety",
    "TechnicalCommunity",
    "Other",
];

async fn meeting_lines(s: &AppState) -> Result<Vec<MeetingLine>, Refusal> {
    let all = crate::app::meeting_reads::list(&s.app, &Default::default()).await?;
    Ok(all
        .into_iter()
        .map(|d| MeetingLine {
            may_be_preceded: matches!(d.kind.as_str(), "ReviewConference" | "PeriodicMeeting"),
            dates: format!("{} to {}", d.starts, d.ends),
            id: d.id,
            title: d.title,
            symbol: d.symbol,
            body_id: d.body_id,
            status: d.status,
        })
        .collect())
}

async fn first_framework(s: &AppState) -> Result<Option<FrameworkView>, Refusal> {
    let all = docs::list(
        s.app.store.db(),
        crate::projections::state_view::FRAMEWORKS,
        "",
    )
    .await?;
    match all.first().and_then(|d| d["_id"].as_str()) {
        Some(id) => Ok(Some(room::declaration_now(&s.app, id).await?)),
        None => Ok(None),
    }
}

async fn desk_page(
    s: &AppState,
    v: &Viewer,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    if let Err(e) = require_secretariat(v) {
        return refusal_page(v.m, e);
    }
    let read = async {
        Ok::<_, Refusal>((
            bodies::list(&s.app).await?,
            meeting_lines(s).await?,
            first_framework(s).await?,
        ))
    };
    match read.await {
        Ok((bodies, meetings, framework)) => {
            let page = Desk {
                c: chrome(v, v.m.t("secretariat.title").to_owned(), None).following_all(),
                bodies,
                meetings,
                framework,
                error,
            };
            render(&page, status)
        }
        Err(e) => refusal_page(v.m, e),
    }
}

async fn desk(State(s): State<AppState>, v: Viewer) -> Response {
    desk_page(&s, &v, None, StatusCode::OK).await
}

async fn desk_post(
    State(s): State<AppState>,
    v: Viewer,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    handle_post(
        &v,
        pairs,
        "/secretariat",
        async |p| match p.get("_command") {
            Some("framework:AddTranslation") => add_translation(&s, &v, p).await,
            _ => form::run(&s.app, &v.principal, "", p).await,
        },
        async |_, error, status| desk_page(&s, &v, Some(error), status).await,
    )
    .await
}

/// A translation is of the paragraph's current wording unless the translator says which.
async fn add_translation(s: &AppState, v: &Viewer, p: &Posted) -> Result<(), Refusal> {
    let target = p.get("_target").unwrap_or_default();
    let mut fields = form::command_fields(p, None)?;
    let given = fields.get("of_version").is_some_and(|v| !v.is_null());
    if !given {
        let paragraph = p.get("f.paragraph").unwrap_or_default();
        let f = room::declaration_now(&s.app, target).await?;
        let wording = f
            .paragraphs
            .iter()
            .find(|x| x.id.as_str() == paragraph)
            .map(|x| x.wording_version)
            .ok_or_else(|| bad("paragraph", format!("there is no paragraph {paragraph}")))?;
        fields.insert("of_version".into(), json!(wording));
    }
    form::send(
        &s.app,
        &v.principal,
        "framework",
        target,
        "AddTranslation",
        fields,
    )
    .await
}

// ---- one meeting ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "secretariat_meeting.html")]
struct MeetingDesk<'a> {
    c: Chrome<'a>,
    r: MeetingRoom,
    /// The body's stakeholders that are accredited: those who may be invited.
    accredited: Vec<(String, String)>,
    error: Option<FormError>,
    /// What was posted in a refused list, to correct rather than retype.
    posted: Option<Posted>,
}

impl MeetingDesk<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }

    /// The text of a refused list (`delegations`, `agenda`), to correct it.
    fn again(&self, field: &str) -> &str {
        self.posted
            .as_ref()
            .and_then(|p| p.get(field))
            .unwrap_or_default()
    }
}

async fn meeting_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    error: Option<(FormError, Posted)>,
    status: StatusCode,
) -> Response {
    if let Err(e) = require_secretariat(v) {
        return refusal_page(v.m, e);
    }
    let (error, posted) = match error {
        Some((e, p)) => (Some(e), Some(p)),
        None => (None, None),
    };
    let read = async {
        let r = room::meeting_room(&s.app, &v.principal, id).await?;
        let accredited = bodies::list(&s.app)
            .await?
            .into_iter()
            .filter(|b| Some(&b.id) == r.body_id.as_ref())
            .flat_map(|b| b.stakeholders)
            .filter(|st| st.status == "accredited")
            .map(|st| (st.id, st.name))
            .collect();
        Ok::<_, Refusal>((r, accredited))
    };
    match read.await {
        Ok((r, accredited)) => {
            let page = MeetingDesk {
                c: chrome(
                    v,
                    format!("{}: {}", v.m.t("secretariat.participation"), r.title),
                    Some(id),
                ),
                r,
                accredited,
                error,
                posted,
            };
            render(&page, status)
        }
        Err(e) => refusal_page(v.m, e),
    }
}

async fn meeting_desk(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    meeting_page(&s, &v, &id, None, StatusCode::OK).await
}

async fn meeting_post(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    handle_post(
        &v,
        pairs,
        &format!("/secretariat/meetings/{id}"),
        async |p| meeting_act(&s, &v, &id, p).await,
        async |p, error, status| meeting_page(&s, &v, &id, Some((error, p.clone())), status).await,
    )
    .await
}

/// Runs one form of the secretariat's meeting page.
async fn meeting_act(s: &AppState, v: &Viewer, id: &str, posted: &Posted) -> Result<(), Refusal> {
    match posted.get("_command") {
        Some("meeting:RegisterDelegation") => register_delegations(s, v, id, posted).await,
        Some("meeting:RecordDecision") => record_decision(s, v, id, posted).await,
        Some("meeting:TranslateText") => translate_text(s, v, id, posted).await,
        Some("meeting:IssueProvisionalAgenda") => {
            match agenda_items(posted.get("agenda").unwrap_or_default()) {
                Ok(items) => {
                    let mut f = Map::new();
                    f.insert("items".into(), Value::Array(items));
                    form::send(
                        &s.app,
                        &v.principal,
                        "meeting",
                        id,
                        "IssueProvisionalAgenda",
                        f,
                    )
                    .await
                }
                Err(e) => Err(e),
            }
        }
        _ => form::run(&s.app, &v.principal, id, posted).await,
    }
}

/// A decision taken outside the system: without a vote, unless a tally is given.
async fn record_decision(s: &AppState, v: &Viewer, id: &str, p: &Posted) -> Result<(), Refusal> {
    let mut fields = form::command_fields(p, None)?;
    fields.insert("how".into(), how_taken(p)?);
    form::send(
        &s.app,
        &v.principal,
        "meeting",
        id,
        "RecordDecision",
        fields,
    )
    .await
}

/// A translation of an agenda item's title (`target` = `item:N`) or of a decision's text
/// (`target` = `decision`, its number in `decision`).
async fn translate_text(s: &AppState, v: &Viewer, id: &str, p: &Posted) -> Result<(), Refusal> {
    let mut fields = form::command_fields(p, None)?;
    let target = p.get("target").unwrap_or_default();
    let number = |raw: &str, field: &str| -> Result<u32, Refusal> {
        raw.trim()
            .parse()
            .map_err(|_| bad(field, format!("{field} must be a whole number")))
    };
    let text_of = match target.strip_prefix("item:") {
        Some(n) => json!({ "AgendaItem": { "number": number(n, "target")? } }),
        None if target == "decision" => {
            json!({ "Decision": { "number": number(p.get("decision").unwrap_or_default(), "decision")? } })
        }
        None => return Err(bad("target", "choose an agenda item or a decision")),
    };
    fields.insert("text_of".into(), text_of);
    form::send(&s.app, &v.principal, "meeting", id, "TranslateText", fields).await
}

/// `"Consensus"`, or a vote from the form's `vote.yes`, `vote.no`, `vote.abstain`.
pub fn how_taken(p: &Posted) -> Result<Value, Refusal> {
    let field = |k: &str| p.get(k).map(str::trim).filter(|v| !v.is_empty());
    if ["vote.yes", "vote.no", "vote.abstain"]
        .iter()
        .all(|k| field(k).is_none())
    {
        return Ok(json!("Consensus"));
    }
    let n = |k: &str| -> Result<u32, Refusal> {
        field(k)
            .unwrap_or("0")
            .parse()
            .map_err(|_| bad(k, format!("{k} must be a whole number")))
    };
    Ok(
        json!({ "Vote": { "yes": n("vote.yes")?, "no": n("vote.no")?, "abstain": n("vote.abstain")?,
        "recorded_votes": null } }),
    )
}

/// Registers every delegation of the pasted list, in order; the first refusal stops the
/// rest and names its line (the lines before it stay registered, as they were sent).
async fn register_delegations(
    s: &AppState,
    v: &Viewer,
    id: &str,
    p: &Posted,
) -> Result<(), Refusal> {
    let lines = delegation_lines(p.get("delegations").unwrap_or_default())?;
    for (n, state, members) in lines {
        let mut f = Map::new();
        f.insert("state".into(), json!(state));
        f.insert("members".into(), members);
        form::send(&s.app, &v.principal, "meeting", id, "RegisterDelegation", f)
            .await
            .map_err(|e| {
                Refusal::new(
                    e.status,
                    e.kind.clone(),
                    format!("line {n} ({state}): {}", e.detail),
                )
                .with_field("delegations")
            })?;
    }
    Ok(())
}

/// `STATE: Head of delegation; member; member`, one delegation per line. Every line is
/// checked before anything is sent.
pub fn delegation_lines(text: &str) -> Result<Vec<(usize, String, Value)>, Refusal> {
    let mut out = vec![];
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((state, names)) = line.split_once(':') else {
            return Err(bad(
                "delegations",
                format!("line {n}: write the State's code, a colon, then the names"),
            ));
        };
        let state = state.trim().to_ascii_uppercase();
        let members: Vec<Value> = names
            .split(';')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .enumerate()
            .map(|(j, name)| json!({ "name": name, "gender": null, "head_of_delegation": j == 0 }))
            .collect();
        if members.is_empty() {
            return Err(bad(
                "delegations",
                format!("line {n} ({state}): name at least one delegate"),
            ));
        }
        out.push((n, state, Value::Array(members)));
    }
    if out.is_empty() {
        return Err(bad("delegations", "write at least one delegation"));
    }
    Ok(out)
}

/// One agenda item per line, numbered in order; `*` before the title marks it procedural, and
/// document symbols follow a `|`, separated by spaces.
pub fn agenda_items(text: &str) -> Result<Vec<Value>, Refusal> {
    let mut out = vec![];
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (title, documents) = line.split_once('|').unwrap_or((line, ""));
        let (procedural, title) = match title.trim().strip_prefix('*') {
            Some(t) => (true, t.trim()),
            None => (false, title.trim()),
        };
        out.push(json!({
            "number": out.len() + 1,
            "title": title,
            "nature": if procedural { "Procedural" } else { "Substantive" },
            "documents": documents.split_whitespace().collect::<Vec<_>>(),
        }));
    }
    if out.is_empty() {
        return Err(bad("agenda", "write at least one item"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_list_of_delegations_is_read_line_by_line() {
        let lines =
            delegation_lines("fra: Jean Dupont; Marie Curie\n\n  KEN : Amina Odhiambo ;").unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].0, lines[0].1.as_str()), (1, "FRA"));
        assert_eq!(lines[0].2[0]["head_of_delegation"], true);
        assert_eq!(lines[0].2[1]["head_of_delegation"], false);
        assert_eq!(lines[1].0, 3);
        assert_eq!(lines[1].2.as_array().unwrap().len(), 1);
        let e = delegation_lines("FRA Jean").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("delegations"));
        assert!(e.detail.contains("line 1"));
        assert!(delegation_lines("FRA:  ; ")
            .unwrap_err()
            .detail
            .contains("line 1 (FRA)"));
        assert!(delegation_lines(" \n ").is_err());
    }

    #[test]
    fn a_decision_is_taken_without_a_vote_unless_a_tally_is_given() {
        let p = |pairs: &[(&str, &str)]| {
            Posted::from_pairs(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        assert_eq!(
            how_taken(&p(&[("vote.yes", " ")])).unwrap(),
            json!("Consensus")
        );
        assert_eq!(
            how_taken(&p(&[("vote.yes", "12"), ("vote.no", "3")])).unwrap()["Vote"]["abstain"],
            0
        );
        assert_eq!(
            how_taken(&p(&[("vote.yes", "many")]))
                .unwrap_err()
                .field
                .as_deref(),
            Some("vote.yes")
        );
    }

    #[test]
    fn agenda_lines_become_numbered_items() {
        let items = agenda_items(
            "* Opening of the meeting\nCapacity-building | A/CONF.1/L.1 A/CONF.1/L.2\n",
        )
        .unwrap();
        assert_eq!(items[0]["number"], 1);
        assert_eq!(items[0]["nature"], "Procedural");
        assert_eq!(items[0]["title"], "Opening of the meeting");
        assert_eq!(items[1]["nature"], "Substantive");
        assert_eq!(
            items[1]["documents"],
            json!(["A/CONF.1/L.1", "A/CONF.1/L.2"])
        );
        assert!(agenda_items("").is_err());
    }
}
