//! The annex of regional initiatives in the browser (`/annexes/{body}`): the annex as adopted,
//! now or as of a moment, each entry with the decision that adopted it; what awaits adoption
//! for the secretariat, States and auditors; and the secretariat's forms that draft entries,
//! propose removals and record the review conference's adopting decision. The same service
//! as the API.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};

use super::form;
use super::pages::{chrome, handle_post, refusal_page, render, Chrome, FormError};
use super::session::Viewer;
use crate::api::AppState;
use crate::app::access::Role;
use crate::app::annex::AnnexView;
use crate::app::history::Cut;
use crate::app::refusal::Refusal;

pub fn router() -> Router<AppState> {
    Router::new().route("/annexes/{id}", get(page).post(post))
}

#[derive(Template)]
#[template(path = "annex.html")]
struct AnnexPage<'a> {
    c: Chrome<'a>,
    a: AnnexView,
    at: Option<String>,
    secretariat: bool,
    /// The body's review conferences (id, title), for the adoption form.
    conferences: Vec<(String, String)>,
    error: Option<FormError>,
}

impl AnnexPage<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }
}

#[derive(serde::Deserialize)]
struct AnnexQuery {
    at: Option<String>,
}

async fn page(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<AnnexQuery>,
) -> Response {
    render_page(&s, &v, &id, q.at, None, StatusCode::OK).await
}

async fn post(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let here = format!("/annexes/{}", form::urlencode(&id));
    handle_post(
        &v,
        pairs,
        &here,
        async |p| form::run(&s.app, &v.principal, &id, p).await,
        async |_, error, status| render_page(&s, &v, &id, None, Some(error), status).await,
    )
    .await
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    at: Option<String>,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    let at = at.filter(|a| !a.trim().is_empty());
    let cut = match &at {
        None => None,
        Some(a) => match Cut::parse_at(a.trim()) {
            Ok(c) => Some(c),
            Err(why) => return refusal_page(v.m, Refusal::bad_request("at", why)),
        },
    };
    let a = match crate::app::annex::read(&s.app, &v.principal, id, cut).await {
        Ok(a) => a,
        Err(e) => return refusal_page(v.m, e),
    };
    let secretariat = v.principal.role == Role::Secretariat;
    let conferences = if secretariat {
        match crate::app::meeting_reads::list(&s.app, &Default::default()).await {
            Ok(all) => all
                .iter()
                .filter(|m| m.body_id == id && m.kind == "ReviewConference")
                .map(|m| (m.id.clone(), m.title.clone()))
                .collect(),
            Err(e) => return refusal_page(v.m, e),
        }
    } else {
        vec![]
    };
    let page = AnnexPage {
        c: chrome(v, v.m.t("annex.title").to_owned(), None).following_all(),
        a,
        at,
        secretariat,
        conferences,
        error,
    };
    render(&page, status)
}
