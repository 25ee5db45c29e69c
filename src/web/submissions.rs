//! Submissions in the browser: the list with its filters and the form to file one
//! (`/submissions`), one submission with its revisions, language versions and what its filer
//! or the secretariat may do next (`/submissions/{id}`), and national positions on
//! international law compared side by side for up to three States (`/positions`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::form::{self, Posted};
use super::pages::{
    after_post, chrome, csrf_refusal, handle_post, refusal_page, render, Chrome, FormError,
};
use super::session::Viewer;
use crate::api::AppState;
use crate::app::access::Role;
use crate::app::refusal::Refusal;
use crate::app::submissions::{self, Filter, SubmissionLine, VersionLine};
use crate::domain::values::ContentHash;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/submissions", get(list).post(list_post))
        .route("/submissions/{id}", get(one).post(one_post))
        // The body's attachment limit applies, read while the upload streams in.
        .route(
            "/submissions/{id}/attachments",
            axum::routing::post(attach_post).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/submissions/{id}/attachments/{sha256}", get(attachment))
        .route("/positions", get(positions))
        .route("/search", get(search))
}

pub use crate::app::submissions::KINDS;

/// The command's spelling of a kind code.
fn kind_variant(code: &str) -> &'static str {
    match code {
        "national_implementation_report" => "NationalImplementationReport",
        "gap_analysis" => "GapAnalysis",
        "national_position" => "NationalPosition",
        "best_practice" => "BestPractice",
        "national_views" => "NationalViews",
        _ => "StakeholderWorkingPaper",
    }
}

/// The framework's sections, as commands spell them (their names come from the messages).
const SECTIONS: [&str; 5] = [
    "international_law",
    "norms_rules_principles",
    "confidence_building_measures",
    "capacity_building",
    "general",
];

#[derive(Debug, Deserialize, Default)]
struct ListQuery {
    kind: Option<String>,
    filer: Option<String>,
    topic: Option<String>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[derive(Template)]
#[template(path = "submissions.html")]
struct ListPage<'a> {
    c: Chrome<'a>,
    items: Vec<SubmissionLine>,
    kind: Option<String>,
    filer: Option<String>,
    topic: Option<String>,
    /// Who files from this page: a delegate's State, an observer's organisation, or the
    /// secretariat (either).
    own_state: Option<String>,
    own_organisation: Option<String>,
    secretariat: bool,
    new_id: String,
    error: Option<FormError>,
}

impl ListPage<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }

    fn kinds(&self) -> &'static [&'static str] {
        &KINDS
    }
    fn kind_variant(&self, code: &str) -> &'static str {
        kind_variant(code)
    }
    fn sections(&self) -> &'static [&'static str] {
        &SECTIONS
    }
    fn selected(&self, k: &str) -> bool {
        self.kind.as_deref() == Some(k)
    }
    fn may_file(&self) -> bool {
        self.secretariat || self.own_state.is_some() || self.own_organisation.is_some()
    }
}

async fn list_page(
    s: &AppState,
    v: &Viewer,
    q: ListQuery,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    let f = Filter {
        kind: non_empty(q.kind),
        filer: non_empty(q.filer).map(|x| x.to_ascii_uppercase().replace(' ', "")),
        topic: non_empty(q.topic),
    };
    match submissions::list(&s.app, &v.principal, &f).await {
        Ok(items) => {
            let p = &v.principal;
            let page = ListPage {
                c: chrome(v, v.m.t("submissions.title").to_owned(), None).following_all(),
                items,
                kind: f.kind,
                filer: f.filer,
                topic: f.topic,
                own_state: (p.role == Role::Delegate)
                    .then(|| p.scope.clone())
                    .flatten(),
                own_organisation: (p.role == Role::Observer)
                    .then(|| p.scope.clone())
                    .flatten(),
                secretariat: p.role == Role::Secretariat,
                new_id: format!("sub-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]),
                error,
            };
            render(&page, status)
        }
        Err(e) => refusal_page(v.m, e),
    }
}

async fn list(State(s): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> Response {
    list_page(&s, &v, q, None, StatusCode::OK).await
}

async fn list_post(
    State(s): State<AppState>,
    v: Viewer,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let posted = Posted::from_pairs(pairs);
    if !v.csrf_ok(&posted.csrf) {
        return refusal_page(v.m, csrf_refusal());
    }
    match form::run(&s.app, &v.principal, "", &posted).await {
        Ok(()) => match posted.get("f.submission_id") {
            Some(id) => Redirect::to(&format!("/submissions/{}", urlencode(id))).into_response(),
            None => after_post("/submissions", &posted),
        },
        Err(e) => {
            let status = e.status;
            let error = FormError::of(&posted.form_id, &e);
            list_page(&s, &v, ListQuery::default(), Some(error), status).await
        }
    }
}

use super::form::urlencode;

// ---- one submission --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "submission.html")]
struct OnePage<'a> {
    c: Chrome<'a>,
    s: SubmissionLine,
    /// The version in the reader's language, shown in place of the original.
    shown: Option<VersionLine>,
    /// The reader acts as the filer (its State's delegate, the stakeholder itself, or the
    /// secretariat for either).
    filer: bool,
    secretariat: bool,
    /// The body's survey template (question id and text), for a national report.
    template: Vec<(String, String)>,
    /// The body's attachment limit, for the upload form.
    limit: u64,
    error: Option<FormError>,
}

impl OnePage<'_> {
    fn size(&self, bytes: &u64) -> String {
        size_label(*bytes)
    }
    /// The report's answer to question `id` (empty if none).
    fn answer_to(&self, id: &str) -> &str {
        self.s
            .answers
            .iter()
            .find(|(q, _)| q == id)
            .map_or("", |(_, a)| a.as_str())
    }
    /// A question's text from the template, or its id if the template no longer has it.
    fn question<'b>(&'b self, id: &'b str) -> &'b str {
        self.template
            .iter()
            .find(|(q, _)| q == id)
            .map_or(id, |(_, t)| t.as_str())
    }
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }
    fn languages(&self) -> Vec<&'static super::messages::Messages> {
        super::messages::all()
            .iter()
            .filter(|m| m.lang != self.s.language)
            .collect()
    }
}

async fn one_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    match submissions::one(&s.app, &v.principal, id).await {
        Ok(mut sub) => {
            let p = &v.principal;
            let filer = match p.role {
                Role::Secretariat => true,
                Role::Delegate => sub.filed_by_state && p.scope.as_deref() == Some(&sub.filer),
                Role::Observer => !sub.filed_by_state && p.scope.as_deref() == Some(&sub.filer),
                _ => false,
            };
            let shown = match sub.versions.iter().position(|x| x.language == v.m.lang) {
                Some(i) if sub.language != v.m.lang => Some(sub.versions.remove(i)),
                _ => None,
            };
            let template = if sub.kind == "national_implementation_report" {
                match crate::app::reporting::template(&s.app, &sub.body_id).await {
                    Ok(t) => t,
                    Err(e) => return refusal_page(v.m, e),
                }
            } else {
                vec![]
            };
            let limit = if filer {
                match s.app.bodies.load(&sub.body_id).await {
                    Ok((b, _)) => b.attachment_limit(),
                    Err(e) => return refusal_page(v.m, e.into()),
                }
            } else {
                0
            };
            let page = OnePage {
                c: chrome(v, sub.title.clone(), None).following_all(),
                s: sub,
                shown,
                filer,
                secretariat: p.role == Role::Secretariat,
                template,
                limit,
                error,
            };
            render(&page, status)
        }
        Err(e) => refusal_page(v.m, e),
    }
}

async fn one(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    one_page(&s, &v, &id, None, StatusCode::OK).await
}

async fn one_post(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    handle_post(
        &v,
        pairs,
        &format!("/submissions/{}", urlencode(&id)),
        async |p| match p.get("_command") {
            Some("submission:AnswerSurvey") => answer_survey(&s, &v, &id, p).await,
            _ => form::run(&s.app, &v.principal, &id, p).await,
        },
        async |_, error, status| one_page(&s, &v, &id, Some(error), status).await,
    )
    .await
}

/// A size for people: bytes, KiB, MiB or GiB, one decimal above bytes.
pub fn size_label(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// The upload form (multipart): its token and form id, then the file. Nothing of the file is
/// read before the token and the sender are checked; a file over the body's limit is answered
/// 413 with the page, and nothing is stored.
async fn attach_post(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    mut mp: axum::extract::Multipart,
) -> Response {
    let here = format!("/submissions/{}", urlencode(&id));
    let mut pairs = vec![];
    // Ok(None): the token failed, and the page is not shown again.
    let outcome: Result<Option<Posted>, (Posted, Refusal)> = async {
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => {
                    let p = Posted::from_pairs(pairs.clone());
                    let e = Refusal::unprocessable("invalid-input", "choose a file to attach")
                        .with_field("file");
                    return Err((p, e));
                }
                Err(e) => {
                    let p = Posted::from_pairs(pairs.clone());
                    return Err((p, Refusal::bad_request("file", e.body_text())));
                }
            };
            if field.name() != Some("file") {
                // The form's own fields (token, form id) are short: read at most a few of
                // a few KiB each, since this route takes no body limit of its own.
                let name = field.name().unwrap_or_default().to_owned();
                let mut field = field;
                let mut text = Vec::new();
                while let Ok(Some(c)) = field.chunk().await {
                    text.extend_from_slice(&c);
                    if text.len() > 4096 || pairs.len() >= 8 {
                        let p = Posted::from_pairs(pairs.clone());
                        return Err((
                            p,
                            Refusal::bad_request(
                                name,
                                "a field of this form is at most 4 KiB, and it has at most 8",
                            ),
                        ));
                    }
                }
                pairs.push((name, String::from_utf8_lossy(&text).into_owned()));
                continue;
            }
            let posted = Posted::from_pairs(pairs.clone());
            if !v.csrf_ok(&posted.csrf) {
                return Ok(None);
            }
            let name = field.file_name().unwrap_or_default().to_owned();
            // What a browser sends, as the API spells it: lower case, without parameters.
            let media = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let pending =
                match submissions::begin_attach(&s.app, &v.principal, &id, &name, &media).await {
                    Ok(x) => x,
                    Err(e) => return Err((posted, e)),
                };
            let mut field = field;
            let mut bytes = vec![];
            let mut seen = 0u64;
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        seen += c.len() as u64;
                        if seen > pending.limit {
                            // Read on (and drop) a while, so the browser sees the page.
                            bytes = vec![];
                            if seen > pending.limit.saturating_add(crate::api::submissions::DRAIN) {
                                return Err((posted, pending.too_large()));
                            }
                        } else {
                            bytes.extend_from_slice(&c);
                        }
                    }
                    Ok(None) if seen > pending.limit => return Err((posted, pending.too_large())),
                    Ok(None) => break,
                    Err(e) => return Err((posted, Refusal::bad_request("file", e.body_text()))),
                }
            }
            let ctx = form::context(
                &v.principal,
                &format!("{name}\n{media}\n{}", ContentHash::of(&bytes)),
            );
            return match pending.finish(&s.app, &bytes, &ctx).await {
                Ok(receipt) => {
                    form::settle(&s.app, receipt.positions.last().copied()).await;
                    Ok(Some(posted))
                }
                Err(e) => Err((posted, e)),
            };
        }
    }
    .await;
    match outcome {
        Ok(Some(posted)) => after_post(&here, &posted),
        Ok(None) => refusal_page(v.m, csrf_refusal()),
        Err((posted, e)) if !v.csrf_ok(&posted.csrf) => refusal_page(v.m, e),
        Err((posted, e)) => {
            let form = if posted.form_id.is_empty() {
                "f-attach".to_owned()
            } else {
                posted.form_id.clone()
            };
            let error = FormError::of(&form, &e);
            one_page(&s, &v, &id, Some(error), e.status).await
        }
    }
}

async fn attachment(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, sha256)): Path<(String, String)>,
) -> Response {
    match submissions::attachment(&s.app, &v.principal, &id, &sha256).await {
        Ok(f) => crate::api::submissions::file_response(f, &sha256),
        Err(e) => refusal_page(v.m, e),
    }
}

/// The survey form: one field per question (`answer.<id>`); those left empty are not
/// answered.
async fn answer_survey(s: &AppState, v: &Viewer, id: &str, p: &Posted) -> Result<(), Refusal> {
    let mut fields = form::command_fields(p, None)?;
    let answers: Vec<serde_json::Value> = p
        .fields
        .iter()
        .filter_map(|(k, a)| Some((k.strip_prefix("answer.")?, a.trim())))
        .filter(|(_, a)| !a.is_empty())
        .map(|(q, a)| serde_json::json!({ "question": q, "answer": a }))
        .collect();
    fields.insert("answers".into(), serde_json::Value::Array(answers));
    form::send(
        &s.app,
        &v.principal,
        "submission",
        id,
        "AnswerSurvey",
        fields,
    )
    .await
}

// ---- search ------------------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
struct SearchForm {
    q: Option<String>,
    kind: Option<String>,
    language: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    c: Chrome<'a>,
    q: String,
    kind: Option<String>,
    language: Option<String>,
    kinds: [&'static str; 6],
    results: Option<crate::app::search::Results>,
    error: Option<String>,
}

async fn search(State(s): State<AppState>, v: Viewer, Query(f): Query<SearchForm>) -> Response {
    let q = f.q.unwrap_or_default();
    let (kind, language) = (non_empty(f.kind), non_empty(f.language));
    let (results, error, status) = if q.trim().is_empty() {
        (None, None, StatusCode::OK)
    } else {
        let query = crate::app::search::SearchQuery {
            q: q.clone(),
            kind: kind.clone(),
            language: language.clone(),
            limit: None,
        };
        match crate::app::search::search(&s.app, &v.principal, &query).await {
            Ok(r) => (Some(r), None, StatusCode::OK),
            Err(e) if e.status.is_client_error() => {
                (None, Some(FormError::of("f-search", &e).detail), e.status)
            }
            Err(e) => return refusal_page(v.m, e),
        }
    };
    let page = SearchPage {
        c: chrome(&v, v.m.t("search.title").to_owned(), None),
        q,
        kind,
        language,
        kinds: KINDS,
        results,
        error,
    };
    render(&page, status)
}

// ---- national positions side by side ---------------------------------------------------

#[derive(Debug, Deserialize, Default)]
struct CompareQuery {
    states: Option<String>,
    topic: Option<String>,
}

pub struct Column {
    pub state: String,
    pub positions: Vec<SubmissionLine>,
}

#[derive(Template)]
#[template(path = "positions.html")]
struct PositionsPage<'a> {
    c: Chrome<'a>,
    states: String,
    topic: Option<String>,
    columns: Vec<Column>,
}

/// Up to three States, by code, separated by spaces or commas.
pub fn compared_states(raw: &str) -> Result<Vec<String>, Refusal> {
    let mut states: Vec<String> = vec![];
    for s in raw
        .split([' ', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let s = s.to_ascii_uppercase();
        if !states.contains(&s) {
            states.push(s);
        }
    }
    if states.len() > 3 {
        return Err(Refusal::bad_request(
            "states",
            "compare at most three States at a time",
        ));
    }
    Ok(states)
}

async fn positions(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<CompareQuery>,
) -> Response {
    let raw = q.states.unwrap_or_default();
    let states = match compared_states(&raw) {
        Ok(st) => st,
        Err(e) => return refusal_page(v.m, e),
    };
    let topic = non_empty(q.topic);
    let mut columns = vec![];
    for state in states {
        let f = Filter {
            kind: Some("national_position".into()),
            filer: Some(state.clone()),
            topic: topic.clone(),
        };
        match submissions::list(&s.app, &v.principal, &f).await {
            Ok(positions) => columns.push(Column { state, positions }),
            Err(e) => return refusal_page(v.m, e),
        }
    }
    let page = PositionsPage {
        c: chrome(&v, v.m.t("positions.title").to_owned(), None).following_all(),
        states: raw,
        topic,
        columns,
    };
    render(&page, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_three_states_are_compared() {
        assert_eq!(
            compared_states("nor, fra BRA nor").unwrap(),
            vec!["NOR", "FRA", "BRA"]
        );
        let e = compared_states("NOR FRA BRA EGY").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("states"));
        assert!(compared_states("").unwrap().is_empty());
    }

    #[test]
    fn every_kind_has_its_command_spelling() {
        for k in KINDS {
            assert_eq!(
                crate::app::submissions::kind_code(
                    serde_json::from_value(serde_json::json!(kind_variant(k))).unwrap()
                ),
                k
            );
        }
    }
}
