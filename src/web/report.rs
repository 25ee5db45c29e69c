//! The report of a meeting in the browser (`/meetings/{id}/report`): the same document the
//! API exports (`crate::export::report`), inside the site's pages, as of now or of any
//! moment, with links to download it and the meeting's decisions.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::pages::{chrome, refusal_page, render, Chrome};
use super::session::Viewer;
use crate::api::AppState;
use crate::app::history::Cut;
use crate::app::refusal::Refusal;
use crate::app::report::{self, MeetingReport};
use crate::export::report::ReportView;
use crate::web::messages::Messages;

pub fn router() -> Router<AppState> {
    Router::new().route("/meetings/{id}/report", get(page))
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    c: Chrome<'a>,
    m: &'a Messages,
    rv: ReportView<'a>,
    /// As asked (`?at=`), to keep in the form and the download links.
    at: Option<String>,
}

#[derive(serde::Deserialize)]
struct AtQuery {
    at: Option<String>,
}

async fn page(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Response {
    let at = q.at.filter(|a| !a.trim().is_empty());
    let cut = match at.as_deref().map(Cut::parse_at).transpose() {
        Ok(Some(cut)) => cut,
        Ok(None) => Cut::Position(s.app.store.head()),
        Err(why) => return refusal_page(v.m, Refusal::bad_request("at", why)),
    };
    let r: MeetingReport = match report::meeting_report(&s.app, &id, cut).await {
        Ok(r) => r,
        Err(e) => return refusal_page(v.m, e),
    };
    let title = format!("{} · {}", v.m.t("report.title"), r.symbol);
    // Now: follows the meeting live; as of a moment, it stays as it was.
    let live = at.is_none().then_some(id.as_str());
    let page = ReportPage {
        c: chrome(&v, title, live),
        m: v.m,
        rv: ReportView::new(&r, v.m),
        at,
    };
    render(&page, StatusCode::OK)
}
