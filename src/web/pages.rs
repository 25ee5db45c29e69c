//! The pages: home, the chair's console, the room screen and the delegate's desk. Each reads
//! the typed read models of [`crate::app`] and posts commands through [`super::form`]; a
//! refusal is the domain's own text, shown next to the form that caused it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};

use super::form::{self, Posted};
use super::messages::Messages;
use super::session::Viewer;
use crate::api::AppState;
use crate::app::access::{Principal, Role};
use crate::app::history::{Cut, FrameworkView};
use crate::app::refusal::Refusal;
use crate::app::room::{self, AmendmentLine, MeetingRoom, ParagraphChange};
use crate::domain::amendment::Revision;
use crate::domain::framework::{Operation, Provenance};
use crate::projections::docs;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/meetings/{id}/console", get(console).post(console_post))
        .route("/meetings/{id}/room", get(room_screen))
        .route("/meetings/{id}/desk", get(desk).post(desk_post))
        .route("/decisions", get(register))
        .route("/amendments", get(board).post(board_post))
        .route("/frameworks", get(frameworks))
        .route("/frameworks/{id}", get(framework))
        .route("/audit", get(audit_history))
        .route("/credentials", get(credentials).post(credentials_post))
}

/// Renders a template; a template that fails to render is a fault, logged once.
pub fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => {
            let mut res = (status, Html(html)).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "refusal.html")]
struct RefusalPage<'a> {
    m: &'a Messages,
    detail: &'a str,
    field: Option<&'a str>,
    here: &'a str,
}

/// A whole page for a refusal that belongs to no form (no access, no such meeting).
pub fn refusal_page(m: &Messages, e: Refusal) -> Response {
    let page = RefusalPage {
        m,
        detail: &e.detail,
        field: e.field.as_deref(),
        here: "%2F",
    };
    render(&page, e.status)
}

/// Why the last post was refused, for the form that made it.
#[derive(Debug, Clone, Default)]
pub struct FormError {
    pub form: String,
    pub detail: String,
}

impl FormError {
    /// The refusal to show next to `form`, if the last post was that form's.
    pub fn for_form<'a>(error: &'a Option<FormError>, form: &str) -> Option<&'a str> {
        error
            .as_ref()
            .filter(|e| e.form == form)
            .map(|e| e.detail.as_str())
    }

    pub fn of(form: &str, e: &Refusal) -> Self {
        let detail = match &e.field {
            Some(f) if !e.detail.contains(f.as_str()) => format!("{} (field {f})", e.detail),
            _ => e.detail.clone(),
        };
        FormError {
            form: form.to_owned(),
            detail,
        }
    }
}

/// What every page shows in its header.
pub struct Chrome<'a> {
    pub m: &'a Messages,
    /// This page's path and query, URL-encoded: where the language switch comes back to.
    pub here: &'a str,
    pub csrf: &'a str,
    pub who: String,
    pub title: String,
    /// The meeting whose live stream the page follows.
    pub live: Option<String>,
    /// The reader may read the audit history (auditor, secretariat, admin).
    pub auditor: bool,
    /// The reader manages credentials.
    pub admin: bool,
    /// The reader is the secretariat.
    pub secretariat: bool,
    /// The reader may read the points of contact (States, the secretariat, auditors).
    pub contacts: bool,
    /// The page re-reads itself on any event the reader may see (pages about the whole
    /// record rather than one meeting).
    pub live_all: bool,
}

impl Chrome<'_> {
    /// Re-read the page on any event the reader may see.
    pub fn following_all(mut self) -> Self {
        self.live_all = true;
        self
    }
}

pub fn chrome<'a>(v: &'a Viewer, title: String, live: Option<&str>) -> Chrome<'a> {
    let p = &v.principal;
    let who = match &p.scope {
        Some(s) => format!("{} ({}), {}", p.role.as_str(), s, p.label),
        None => format!("{}, {}", p.role.as_str(), p.label),
    };
    Chrome {
        auditor: matches!(p.role, Role::Auditor | Role::Secretariat | Role::Admin),
        admin: p.role == Role::Admin,
        secretariat: p.role == Role::Secretariat,
        contacts: crate::app::contacts::may_read(p).is_ok(),
        live_all: false,
        m: v.m,
        here: &v.here,
        csrf: &v.csrf,
        who,
        title,
        live: live.map(str::to_owned),
    }
}

// ---- home ------------------------------------------------------------------------------

pub struct MeetingLink {
    pub id: String,
    pub title: String,
    pub symbol: String,
    pub status: String,
    pub dates: String,
    pub console: bool,
    pub desk: bool,
    /// The secretariat's participation desk for the meeting.
    pub participation: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    c: Chrome<'a>,
    meetings: Vec<MeetingLink>,
    /// Every body (id, name), each with its page.
    bodies: Vec<(String, String)>,
}

fn may_chair(p: &Principal, meeting: &str) -> bool {
    p.role == Role::Secretariat || p.require_chair_of(meeting).is_ok()
}

async fn home(State(s): State<AppState>, v: Viewer) -> Response {
    let all = match crate::app::meeting_reads::list(&s.app, &Default::default()).await {
        Ok(all) => all,
        Err(e) => return refusal_page(v.m, e),
    };
    let meetings = all
        .into_iter()
        .map(|d| MeetingLink {
            console: may_chair(&v.principal, &d.id),
            desk: v.principal.role == Role::Delegate,
            participation: v.principal.role == Role::Secretariat,
            dates: format!("{} to {}", d.starts, d.ends),
            title: d.title,
            symbol: d.symbol,
            status: d.status,
            id: d.id,
        })
        .collect();
    let bodies = match crate::app::bodies::list(&s.app).await {
        Ok(all) => all.into_iter().map(|b| (b.id, b.name)).collect(),
        Err(e) => return refusal_page(v.m, e),
    };
    let page = Home {
        c: chrome(&v, v.m.t("home.title").to_owned(), None).following_all(),
        meetings,
        bodies,
    };
    render(&page, StatusCode::OK)
}

// ---- chair's console -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console.html")]
struct Console<'a> {
    c: Chrome<'a>,
    r: MeetingRoom,
    error: Option<FormError>,
    /// Meetings of the same body that are yet to be held: where an item can be deferred to.
    later: Vec<MeetingChoice>,
}

pub struct MeetingChoice {
    pub id: String,
    pub label: String,
}

async fn later_meetings(s: &AppState, r: &MeetingRoom) -> Result<Vec<MeetingChoice>, Refusal> {
    let all = crate::app::meeting_reads::list(&s.app, &Default::default()).await?;
    Ok(all
        .into_iter()
        .filter(|d| Some(d.body_id.as_str()) == r.body_id.as_deref() && d.id != r.id)
        .filter(|d| d.status == "convened")
        .map(|d| MeetingChoice {
            label: format!("{} ({}, {})", d.title, d.symbol, d.starts),
            id: d.id,
        })
        .collect())
}

impl Console<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }
}

async fn console_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    if !may_chair(&v.principal, id) {
        let e = v.principal.require_chair_of(id).err().unwrap_or_else(|| {
            Refusal::forbidden("only the chair of this meeting or the secretariat")
        });
        return refusal_page(v.m, e);
    }
    match room::meeting_room(&s.app, &v.principal, id).await {
        Ok(r) => {
            let later = match later_meetings(s, &r).await {
                Ok(l) => l,
                Err(e) => return refusal_page(v.m, e),
            };
            let page = Console {
                later,
                c: chrome(
                    v,
                    format!("{}: {}", v.m.t("console.title"), r.title),
                    Some(id),
                ),
                r,
                error,
            };
            render(&page, status)
        }
        Err(e) => refusal_page(v.m, e),
    }
}

async fn console(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    console_page(&s, &v, &id, None, StatusCode::OK).await
}

pub fn csrf_refusal() -> Refusal {
    Refusal::forbidden("the form token is missing or wrong: reload the page and try again")
        .with_field("_csrf")
}

async fn console_post(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    handle_post(
        &v,
        pairs,
        &format!("/meetings/{id}/console"),
        async |p| form::run(&s.app, &v.principal, &id, p).await,
        async |_, error, status| console_page(&s, &v, &id, Some(error), status).await,
    )
    .await
}

/// A page's form post: the token checked, the posted command run by `act`, then back to
/// `here` at the form used (post/redirect/get) or, refused, the page again from `again`
/// with the refusal next to its form and the status the API would answer.
pub async fn handle_post(
    v: &Viewer,
    pairs: Vec<(String, String)>,
    here: &str,
    act: impl AsyncFnOnce(&Posted) -> Result<(), Refusal>,
    again: impl AsyncFnOnce(&Posted, FormError, StatusCode) -> Response,
) -> Response {
    let posted = Posted::from_pairs(pairs);
    if !v.csrf_ok(&posted.csrf) {
        return refusal_page(v.m, csrf_refusal());
    }
    match act(&posted).await {
        Ok(()) => after_post(here, &posted),
        Err(e) => {
            let error = FormError::of(&posted.form_id, &e);
            again(&posted, error, e.status).await
        }
    }
}

/// After a command: back to the page (post/redirect/get), at the form that was used.
pub fn after_post(page: &str, posted: &Posted) -> Response {
    let anchor: String = posted
        .form_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if anchor.is_empty() {
        Redirect::to(page).into_response()
    } else {
        Redirect::to(&format!("{page}#{anchor}")).into_response()
    }
}

// ---- room screen -----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "room.html")]
struct Room<'a> {
    c: Chrome<'a>,
    r: MeetingRoom,
}

async fn room_screen(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    match room::meeting_room(&s.app, &v.principal, &id).await {
        Ok(r) => {
            let page = Room {
                c: chrome(
                    &v,
                    format!("{}: {}", v.m.t("room.title"), r.title),
                    Some(&id),
                ),
                r,
            };
            render(&page, StatusCode::OK)
        }
        Err(e) => refusal_page(v.m, e),
    }
}

// ---- delegate's desk -------------------------------------------------------------------

/// A paragraph of the Declaration as the desk shows it.
pub struct DeskParagraph {
    pub id: String,
    pub number: String,
    pub text: String,
    pub provenance: String,
}

/// What the editor keeps between a preview and the submission.
#[derive(Default)]
pub struct Draft {
    pub title: String,
    pub kind: String,
    pub paragraph: String,
    pub text: String,
    pub new_id: String,
    pub target: String,
}

impl Draft {
    /// The editor's fields for the first operation of a revision (the editor drafts one).
    fn of_revision(target: &str, r: &Revision) -> Self {
        let mut d = Draft {
            title: r.title.to_string(),
            target: target.to_owned(),
            kind: "replace_paragraph".into(),
            ..Draft::default()
        };
        match r.operations.first() {
            Some(Operation::ReplaceParagraph { paragraph, text }) => {
                d.paragraph = paragraph.to_string();
                d.text = text.to_string();
            }
            Some(Operation::DeleteParagraph { paragraph }) => {
                d.kind = "delete_paragraph".into();
                d.paragraph = paragraph.to_string();
            }
            Some(Operation::InsertAfter {
                after,
                new_id,
                text,
                ..
            }) => {
                d.kind = "insert_after".into();
                d.paragraph = after.as_ref().map(|a| a.to_string()).unwrap_or_default();
                d.new_id = new_id.to_string();
                d.text = text.to_string();
            }
            Some(Operation::ReplaceWords { paragraph, .. })
            | Some(Operation::MoveParagraph { paragraph, .. }) => {
                d.paragraph = paragraph.to_string();
            }
            None => {}
        }
        d
    }
}

#[derive(Template)]
#[template(path = "desk.html")]
struct Desk<'a> {
    c: Chrome<'a>,
    r: MeetingRoom,
    state: String,
    error: Option<FormError>,
    version: u32,
    paragraphs: Vec<DeskParagraph>,
    own: Vec<AmendmentLine>,
    others: Vec<AmendmentLine>,
    objecting: bool,
    inscribed: bool,
    draft: Draft,
    preview: Option<Vec<ParagraphChange>>,
}

impl Desk<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }
}

fn provenance(p: &Provenance) -> String {
    match p {
        Provenance::Establishment { symbol, date } => format!("{symbol} ({date})"),
        Provenance::Decision {
            decision,
            amendment_id,
        } => format!(
            "decision {} of {} ({}, {}), amendment {amendment_id}",
            decision.number, decision.meeting_id, decision.symbol, decision.date
        ),
        Provenance::ExternalEndorsement { symbol, date } => format!("{symbol} ({date})"),
    }
}

struct DeskInput {
    error: Option<FormError>,
    draft: Draft,
    preview: Option<Vec<ParagraphChange>>,
}

async fn desk_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    input: DeskInput,
    status: StatusCode,
) -> Response {
    let state = match room::delegate_state(&v.principal) {
        Ok(st) => st,
        Err(e) => return refusal_page(v.m, e),
    };
    let r = match room::meeting_room(&s.app, &v.principal, id).await {
        Ok(r) => r,
        Err(e) => return refusal_page(v.m, e),
    };
    let framework_id = r.body_id.clone().unwrap_or_default();
    let declaration: Option<FrameworkView> =
        room::declaration_now(&s.app, &framework_id).await.ok();
    let amendments = match room::amendments(&s.app, Some(&framework_id)).await {
        Ok(a) => a,
        Err(e) => return refusal_page(v.m, e),
    };
    let (own, others): (Vec<_>, Vec<_>) = amendments
        .into_iter()
        .filter(|a| a.status != "withdrawn" || a.proposer == state)
        .partition(|a| a.proposer == state || a.co_sponsors.contains(&state));
    let objecting = r
        .consensus
        .as_ref()
        .is_some_and(|c| c.open && c.standing.iter().any(|o| o.state == state));
    let inscribed = r
        .speakers
        .as_ref()
        .is_some_and(|sp| sp.waiting.contains(&state));
    let page = Desk {
        c: chrome(
            v,
            format!(
                "{} {} {}: {}",
                v.m.t("desk.title"),
                v.m.t("desk.for"),
                state,
                r.title
            ),
            Some(id),
        ),
        version: declaration.as_ref().map_or(0, |d| d.version),
        paragraphs: declaration
            .map(|d| {
                d.paragraphs
                    .iter()
                    .map(|p| DeskParagraph {
                        id: p.id.to_string(),
                        number: p.number.clone(),
                        text: p.text.to_string(),
                        provenance: provenance(&p.provenance),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        r,
        state,
        error: input.error,
        own,
        others,
        objecting,
        inscribed,
        draft: input.draft,
        preview: input.preview,
    };
    render(&page, status)
}

#[derive(serde::Deserialize)]
struct DeskQuery {
    /// An amendment to revise: the editor opens on its current revision.
    revise: Option<String>,
}

async fn desk(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DeskQuery>,
) -> Response {
    let mut draft = Draft {
        kind: "replace_paragraph".into(),
        ..Draft::default()
    };
    if let Some(target) = q.revise.filter(|t| !t.is_empty()) {
        match room::amendment_revision(&s.app, &target).await {
            Ok(Some((r, _))) => draft = Draft::of_revision(&target, &r),
            Ok(None) => {
                return refusal_page(v.m, Refusal::not_found(format!("no amendment {target}")))
            }
            Err(e) => return refusal_page(v.m, e),
        }
    }
    let input = DeskInput {
        error: None,
        draft,
        preview: None,
    };
    desk_page(&s, &v, &id, input, StatusCode::OK).await
}

fn draft_of(p: &Posted) -> Draft {
    let g = |k: &str| p.get(k).unwrap_or_default().to_owned();
    Draft {
        title: g("f.title"),
        kind: g("op.kind"),
        paragraph: g("op.paragraph"),
        text: g("op.text"),
        new_id: g("op.new_id"),
        // "new" asks the service to name a new amendment; anything else is one being revised.
        target: Some(g("_target"))
            .filter(|t| t != "new")
            .unwrap_or_default(),
    }
}

async fn desk_post(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let posted = Posted::from_pairs(pairs);
    if !v.csrf_ok(&posted.csrf) {
        return refusal_page(v.m, csrf_refusal());
    }
    if posted.get("_preview").is_some() {
        // The word diff of the drafted operation against the text as agreed now.
        let draft = draft_of(&posted);
        let r = room::meeting_room(&s.app, &v.principal, &id).await;
        let framework = match &r {
            Ok(r) => room::declaration_now(&s.app, r.body_id.as_deref().unwrap_or_default()).await,
            Err(e) => Err(e.clone()),
        };
        let (preview, error) = match (framework, form::operation(&posted)) {
            (Ok(f), Ok(op)) => match serde_json::from_value(op) {
                Ok(op) => (Some(room::paragraph_changes(&f, &[op])), None),
                Err(e) => (
                    None,
                    Some(FormError::of(
                        &posted.form_id,
                        &Refusal::unprocessable("invalid-input", e.to_string()),
                    )),
                ),
            },
            (Err(e), _) | (_, Err(e)) => (None, Some(FormError::of(&posted.form_id, &e))),
        };
        let input = DeskInput {
            error,
            draft,
            preview,
        };
        return desk_page(&s, &v, &id, input, StatusCode::OK).await;
    }
    match form::run(&s.app, &v.principal, &id, &posted).await {
        Ok(()) => after_post(&format!("/meetings/{id}/desk"), &posted),
        Err(e) => {
            let input = DeskInput {
                error: Some(FormError::of(&posted.form_id, &e)),
                draft: draft_of(&posted),
                preview: None,
            };
            desk_page(&s, &v, &id, input, e.status).await
        }
    }
}

// ---- decisions register ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "register.html")]
struct Register<'a> {
    c: Chrome<'a>,
    meetings: Vec<MeetingLink>,
    meeting: Option<String>,
    limit: i64,
    page: crate::app::register::RegisterPage,
}

impl Register<'_> {
    fn how(&self, e: &crate::app::register::RegisterEntry) -> Option<String> {
        crate::export::report::how_taken(e, self.c.m)
    }
    fn anchor(&self, symbol: &str) -> String {
        crate::app::documents::anchor(symbol)
    }
}

#[derive(serde::Deserialize)]
struct RegisterQuery {
    meeting: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
}

/// The decisions register, a page at a time, for any signed-in reader (public record).
async fn register(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<RegisterQuery>,
) -> Response {
    let meeting = q.meeting.filter(|m| !m.is_empty());
    let limit = q.limit.unwrap_or(crate::app::register::PAGE);
    let filter = crate::app::register::RegisterFilter {
        meeting: meeting.clone(),
        ..Default::default()
    };
    let page = match crate::app::register::page(&s.app, &v.principal, &filter, q.after, limit).await
    {
        Ok(p) => p,
        Err(e) => return refusal_page(v.m, e),
    };
    let all = match crate::app::meeting_reads::list(&s.app, &Default::default()).await {
        Ok(all) => all,
        Err(e) => return refusal_page(v.m, e),
    };
    let meetings = all
        .into_iter()
        .map(|d| MeetingLink {
            id: d.id,
            title: d.title,
            symbol: d.symbol,
            status: d.status,
            dates: String::new(),
            console: false,
            desk: false,
            participation: false,
        })
        .collect();
    let page = Register {
        c: chrome(&v, v.m.t("register.title").to_owned(), None).following_all(),
        meetings,
        meeting,
        limit,
        page,
    };
    render(&page, StatusCode::OK)
}

// ---- amendments board ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "board.html")]
struct Board<'a> {
    c: Chrome<'a>,
    statuses: &'static [&'static str],
    status: Option<String>,
    amendments: Vec<AmendmentLine>,
    /// The secretariat translates amendments here.
    secretariat: bool,
    error: Option<FormError>,
}

impl Board<'_> {
    fn selected(&self, st: &str) -> bool {
        self.status.as_deref() == Some(st)
    }
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }
}

#[derive(serde::Deserialize)]
struct BoardQuery {
    status: Option<String>,
}

/// Every amendment with its status, sponsors, revision and word diff (public record).
async fn board(State(s): State<AppState>, v: Viewer, Query(q): Query<BoardQuery>) -> Response {
    board_page(&s, &v, q.status, None, StatusCode::OK).await
}

/// The secretariat's translation of an amendment.
async fn board_post(
    State(s): State<AppState>,
    v: Viewer,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    handle_post(
        &v,
        pairs,
        "/amendments",
        async |p| form::run(&s.app, &v.principal, "", p).await,
        async |_, error, status| board_page(&s, &v, None, Some(error), status).await,
    )
    .await
}

async fn board_page(
    s: &AppState,
    v: &Viewer,
    status: Option<String>,
    error: Option<FormError>,
    code: StatusCode,
) -> Response {
    let status = status.filter(|st| !st.is_empty());
    let amendments = match room::amendments(&s.app, None).await {
        Ok(all) => all
            .into_iter()
            .filter(|a| status.as_deref().is_none_or(|st| a.status == st))
            .collect(),
        Err(e) => return refusal_page(v.m, e),
    };
    let page = Board {
        c: chrome(v, v.m.t("board.title").to_owned(), None).following_all(),
        statuses: &[
            "draft",
            "tabled",
            "in_conflict",
            "adopted",
            "no_consensus",
            "withdrawn",
        ],
        status,
        amendments,
        secretariat: v.principal.role == Role::Secretariat,
        error,
    };
    render(&page, code)
}

// ---- the framework ---------------------------------------------------------------------

/// A paragraph as the framework page shows it: its wording's provenance linked to the
/// decision on the register, and its translations with their stale flag.
pub struct FrameworkParagraph {
    pub id: String,
    pub number: String,
    pub text: String,
    pub provenance: String,
    pub link: Option<String>,
    /// The translation into the reader's language, shown in place of the original (which
    /// stays one click away).
    pub shown: Option<TranslationLine>,
    /// The translations into the other languages.
    pub translations: Vec<TranslationLine>,
}

pub struct TranslationLine {
    pub language: String,
    pub origin: &'static str,
    pub text: String,
    pub stale: bool,
}

#[derive(Template)]
#[template(path = "framework.html")]
struct FrameworkPage<'a> {
    c: Chrome<'a>,
    f: FrameworkView,
    at: Option<String>,
    from: Option<u32>,
    to: Option<u32>,
    paragraphs: Vec<FrameworkParagraph>,
    diff: Option<Vec<ParagraphChange>>,
}

#[derive(serde::Deserialize)]
struct FrameworkQuery {
    at: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The frameworks there are: straight to the one when there is one.
async fn frameworks(State(s): State<AppState>, v: Viewer) -> Response {
    match docs::list(
        s.app.store.db(),
        crate::projections::state_view::FRAMEWORKS,
        "",
    )
    .await
    {
        Ok(all) => match all.first().and_then(|d| d["_id"].as_str()) {
            Some(id) => Redirect::to(&format!("/frameworks/{id}")).into_response(),
            None => refusal_page(v.m, Refusal::not_found(v.m.t("framework.none"))),
        },
        Err(e) => refusal_page(v.m, e.into()),
    }
}

fn version_field(field: &str, raw: Option<String>) -> Result<Option<u32>, Refusal> {
    match raw.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => r
            .parse()
            .map(Some)
            .map_err(|_| Refusal::bad_request(field, format!("{field} must be a version number"))),
    }
}

/// The Declaration as agreed now or as of a moment, each paragraph with the decision that
/// gave it its wording and its translations; and the changes between two versions.
async fn framework(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<FrameworkQuery>,
) -> Response {
    let at = q.at.filter(|a| !a.trim().is_empty());
    let (from, to) = match (version_field("from", q.from), version_field("to", q.to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return refusal_page(v.m, e),
    };
    let cut = match &at {
        None => Cut::Latest,
        Some(a) => match Cut::parse_at(a.trim()) {
            Ok(c) => c,
            Err(why) => return refusal_page(v.m, Refusal::bad_request("at", why)),
        },
    };
    let read = |cut: Cut| {
        let s = &s;
        let id = &id;
        async move { s.app.frameworks_as_of.read(&s.app.store, id, cut).await }
    };
    let (f, position) = match read(cut).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return refusal_page(
                v.m,
                Refusal::not_found(format!("framework {id} did not exist at that moment")),
            )
        }
        Err(e) => return refusal_page(v.m, e.into()),
    };
    let diff = match from {
        None => None,
        Some(old) => {
            let new_cut = to.map_or(Cut::Latest, Cut::Version);
            match (read(Cut::Version(old)).await, read(new_cut).await) {
                (Ok(Some((a, _))), Ok(Some((b, _)))) => Some(declaration_changes(&a, &b)),
                (Ok(_), Ok(_)) => {
                    return refusal_page(
                        v.m,
                        Refusal::not_found(format!("framework {id} has no such version"))
                            .with_field("from"),
                    )
                }
                (Err(e), _) | (_, Err(e)) => return refusal_page(v.m, e.into()),
            }
        }
    };
    let view = crate::app::history::view(&id, &f, position);
    let paragraphs = view
        .paragraphs
        .iter()
        .map(|p| FrameworkParagraph {
            id: p.id.to_string(),
            number: p.number.clone(),
            text: p.text.to_string(),
            provenance: provenance(&p.provenance),
            link: match &p.provenance {
                Provenance::Decision { decision, .. } => Some(format!(
                    "/decisions?meeting={m}#dec-{m}-{n}",
                    m = decision.meeting_id,
                    n = decision.number
                )),
                _ => None,
            },
            shown: None,
            translations: p
                .translations
                .iter()
                .map(|t| TranslationLine {
                    language: format!("{:?}", t.language).to_lowercase(),
                    origin: match t.origin {
                        crate::domain::framework::TranslationOrigin::Human => "framework.human",
                        crate::domain::framework::TranslationOrigin::Machine => "framework.machine",
                    },
                    text: t.text.to_string(),
                    stale: t.out_of_date,
                })
                .collect(),
        })
        .map(|mut p: FrameworkParagraph| {
            if let Some(i) = p.translations.iter().position(|t| t.language == v.m.lang) {
                p.shown = Some(p.translations.remove(i));
            }
            p
        })
        .collect();
    let title = view.name.clone().unwrap_or_else(|| id.clone());
    let page = FrameworkPage {
        c: if at.is_none() {
            chrome(&v, title, None).following_all()
        } else {
            chrome(&v, title, None)
        },
        f: view,
        at,
        from,
        to,
        paragraphs,
        diff,
    };
    render(&page, StatusCode::OK)
}

/// The word-level changes between two versions, for the diff macro.
fn declaration_changes(
    old: &crate::domain::framework::Framework,
    new: &crate::domain::framework::Framework,
) -> Vec<ParagraphChange> {
    use crate::domain::framework::{diff, ParagraphStatus, SpanKind};
    diff(old.declaration(), new.declaration())
        .paragraphs
        .into_iter()
        .filter(|p| p.status != ParagraphStatus::Unchanged || p.moved)
        .map(|p| ParagraphChange {
            paragraph: p.id.to_string(),
            spans: p
                .spans
                .into_iter()
                .map(|s| room::Span {
                    kind: match s.kind {
                        SpanKind::Unchanged => "same",
                        SpanKind::Inserted => "ins",
                        SpanKind::Deleted => "del",
                    },
                    text: s.text,
                })
                .collect(),
        })
        .collect()
}

// ---- audit history ---------------------------------------------------------------------

/// The filters of the audit history, as typed (kept in the form).
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct AuditQuery {
    meeting: String,
    state: String,
    amendment: String,
    actor: String,
    from: String,
    to: String,
    after: Option<i64>,
}

pub struct AuditLine {
    pub position: i64,
    pub time: String,
    pub event_type: String,
    pub record: String,
    pub meeting: Option<String>,
    pub amendment: Option<String>,
    pub actor: String,
    pub role: Option<String>,
    pub on_behalf_of: Option<String>,
    pub why: Option<String>,
    pub hash: String,
    pub hash_short: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    c: Chrome<'a>,
    q: AuditQuery,
    events: Vec<AuditLine>,
    next: Option<String>,
}

const AUDIT_PAGE: i64 = 100;

impl AuditPage<'_> {
    /// The CSV download of every event this page's filter selects.
    fn csv_href(&self) -> String {
        let q = &self.q;
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("meeting", &q.meeting),
            ("state", &q.state),
            ("amendment", &q.amendment),
            ("actor", &q.actor),
            ("from", &q.from),
            ("to", &q.to),
        ] {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        }
        format!("/api/v1/audit/events.csv?{}", out.finish())
    }
}

/// The history of the log, filtered by meeting, State, amendment, actor and time, a page at a
/// time: for auditors, the secretariat and the admin, as the API's audit history is.
async fn audit_history(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AuditQuery>,
) -> Response {
    if let Err(e) = v
        .principal
        .require(&[Role::Auditor, Role::Secretariat, Role::Admin])
    {
        return refusal_page(v.m, e);
    }
    let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let time = |field: &str, raw: &str, end: bool| -> Result<Option<i64>, Refusal> {
        given(raw)
            .map(|t| {
                crate::app::history::parse_time(&t, end)
                    .map_err(|why| Refusal::bad_request(field, why))
            })
            .transpose()
    };
    let (from_us, to_us) = match (time("from", &q.from, false), time("to", &q.to, true)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return refusal_page(v.m, e),
    };
    let filter = crate::projections::audit::AuditFilter {
        aggregate_type: None,
        aggregate_id: None,
        actor: given(&q.actor),
        state: given(&q.state),
        event_type: None,
        meeting: given(&q.meeting),
        amendment: given(&q.amendment),
        from_us,
        to_us,
        after: q.after,
        limit: Some(AUDIT_PAGE),
    };
    let rows = match crate::projections::audit::query(s.app.store.db(), &filter).await {
        Ok(rows) => rows,
        Err(e) => return refusal_page(v.m, e.into()),
    };
    let next = (rows.len() as i64 == AUDIT_PAGE)
        .then(|| rows.last().map(|r| r.position))
        .flatten()
        .map(|after| {
            let pairs = [
                ("meeting", q.meeting.as_str()),
                ("state", q.state.as_str()),
                ("amendment", q.amendment.as_str()),
                ("actor", q.actor.as_str()),
                ("from", q.from.as_str()),
                ("to", q.to.as_str()),
            ];
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, val) in pairs.iter().filter(|(_, val)| !val.is_empty()) {
                ser.append_pair(k, val);
            }
            ser.append_pair("after", &after.to_string());
            format!("/audit?{}", ser.finish())
        });
    let events = rows
        .into_iter()
        .map(|r| AuditLine {
            position: r.position,
            time: crate::app::history::rfc3339(r.recorded_at_us),
            record: format!("{}/{}", r.aggregate_type, r.aggregate_id),
            meeting: r.meeting_id,
            amendment: r.amendment_id,
            actor: r.actor.unwrap_or_else(|| "-".into()),
            role: r.role,
            on_behalf_of: r.on_behalf_of,
            why: r.causation_id.or(r.correlation_id),
            hash_short: r.hash.chars().take(12).collect(),
            hash: r.hash,
            event_type: r.event_type,
        })
        .collect();
    let page = AuditPage {
        c: chrome(&v, v.m.t("audit.title").to_owned(), None).following_all(),
        q,
        events,
        next,
    };
    render(&page, StatusCode::OK)
}

// ---- credentials -----------------------------------------------------------------------

pub struct Issued {
    pub id: String,
    pub token: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "credentials.html")]
struct CredentialsPage<'a> {
    c: Chrome<'a>,
    roles: Vec<&'static str>,
    credentials: Vec<crate::store::credentials::Credential>,
    issued: Option<Issued>,
    error: Option<FormError>,
}

impl CredentialsPage<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }
}

async fn credentials_page(
    s: &AppState,
    v: &Viewer,
    issued: Option<Issued>,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    let credentials = match crate::app::credentials::list(&s.app, &v.principal).await {
        Ok(c) => c,
        Err(e) => return refusal_page(v.m, e),
    };
    let page = CredentialsPage {
        c: chrome(v, v.m.t("credentials.title").to_owned(), None),
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        credentials,
        issued,
        error,
    };
    render(&page, status)
}

/// Issue, list and revoke credentials: the admin's page.
async fn credentials(State(s): State<AppState>, v: Viewer) -> Response {
    credentials_page(&s, &v, None, None, StatusCode::OK).await
}

async fn credentials_post(
    State(s): State<AppState>,
    v: Viewer,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let posted = Posted::from_pairs(pairs);
    if !v.csrf_ok(&posted.csrf) {
        return refusal_page(v.m, csrf_refusal());
    }
    let field = |k: &str| posted.get(k).unwrap_or_default().to_owned();
    match posted.get("_action") {
        Some("revoke") => {
            match crate::app::credentials::revoke(&s.app, &v.principal, &field("id")).await {
                Ok(()) => {
                    s.tokens.clear();
                    after_post("/credentials", &posted)
                }
                Err(e) => {
                    let status = e.status;
                    let error = FormError::of(&posted.form_id, &e);
                    credentials_page(&s, &v, None, Some(error), status).await
                }
            }
        }
        _ => {
            let issued = async {
                let role = Role::parse(&field("role")).ok_or_else(|| {
                    Refusal::unprocessable("invalid-input", "choose a role").with_field("role")
                })?;
                let scope = field("scope");
                let (c, token) = crate::app::credentials::issue(
                    &s.app,
                    &v.principal,
                    role,
                    Some(scope.as_str()),
                    &field("label"),
                )
                .await?;
                let code = crate::store::sessions::issue_link(
                    s.app.store.db(),
                    &c.id,
                    super::session::LINK_TTL_US,
                )
                .await?;
                Ok::<_, Refusal>(Issued {
                    link: format!("/sign-in/link/{code}"),
                    id: c.id,
                    token,
                })
            }
            .await;
            match issued {
                // The token is shown in this answer only, never put in a URL.
                Ok(i) => credentials_page(&s, &v, Some(i), None, StatusCode::CREATED).await,
                Err(e) => {
                    let status = e.status;
                    let error = FormError::of(&posted.form_id, &e);
                    credentials_page(&s, &v, None, Some(error), status).await
                }
            }
        }
    }
}
