//! Capacity building in the browser (`/capacity`): the pairs suggested and why, each request
//! with its match and progress, the offers with the room they have left; a State files a
//! request, anyone entitled makes an offer, and each side proposes, accepts or declines a
//! match and records its progress. Also participation over time (`/participation`). The
//! same services as the API.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};

use super::form;
use super::pages::{chrome, handle_post, refusal_page, render, Chrome, FormError};
use super::session::Viewer;
use crate::api::AppState;
use crate::app::access::Role;
use crate::app::capacity::{self, CapacityBoard, RequestLine};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/capacity", get(page).post(post))
        .route("/participation", get(participation))
}

#[derive(Template)]
#[template(path = "participation.html")]
struct ParticipationPage<'a> {
    c: Chrome<'a>,
    p: crate::app::participation::Participation,
}

/// Participation over time (the same figures and the same visibility as the API).
async fn participation(State(s): State<AppState>, v: Viewer) -> Response {
    match crate::app::participation::over_time(&s.app, &v.principal, None).await {
        Ok(p) => {
            let page = ParticipationPage {
                c: chrome(&v, v.m.t("participation.title").to_owned(), None).following_all(),
                p,
            };
            render(&page, StatusCode::OK)
        }
        Err(e) => refusal_page(v.m, e),
    }
}

impl ParticipationPage<'_> {
    /// Whether any year funded someone (the reach table is shown then).
    fn has_reach(&self) -> bool {
        self.p
            .by_year
            .iter()
            .any(|y| !y.figures.sponsored_by_region.is_empty())
    }
}

#[derive(Template)]
#[template(path = "capacity.html")]
struct CapacityPage<'a> {
    c: Chrome<'a>,
    b: CapacityBoard,
    /// The reader's own party: a delegate's State or an observer's organisation.
    own_state: Option<String>,
    own_organisation: Option<String>,
    secretariat: bool,
    error: Option<FormError>,
}

const AREAS: [&str; 5] = [
    "capacity_building",
    "international_law",
    "norms_rules_principles",
    "confidence_building_measures",
    "general",
];
const MODALITIES: [&str; 4] = [
    "Training",
    "Equipment",
    "LegislativeAssistance",
    "CertDevelopment",
];

impl CapacityPage<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }
    fn areas(&self) -> &'static [&'static str] {
        &AREAS
    }
    fn modalities(&self) -> &'static [&'static str] {
        &MODALITIES
    }
    /// The reader may propose a match for this request (its State, or the secretariat).
    fn may_propose(&self, state: &str) -> bool {
        self.secretariat || self.own_state.as_deref() == Some(state)
    }
    /// The party the reader acts as on `r`'s match: `("state", code)` or
    /// `("organisation", id)`, if it is one of its two sides (the secretariat acts for the
    /// requester).
    fn side(&self, r: &RequestLine) -> Option<(&'static str, String)> {
        let m = r.current.as_ref()?;
        if self.secretariat || self.own_state.as_deref() == Some(r.state.as_str()) {
            return Some(("state", r.state.clone()));
        }
        match (&self.own_state, &self.own_organisation) {
            (Some(s), _) if *s == m.offerer => Some(("state", s.clone())),
            (_, Some(o)) if *o == m.offerer => Some(("organisation", o.clone())),
            _ => None,
        }
    }
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    match capacity::board(&s.app, &v.principal).await {
        Ok(b) => {
            let p = &v.principal;
            let page = CapacityPage {
                c: chrome(v, v.m.t("capacity.title").to_owned(), None).following_all(),
                b,
                own_state: (p.role == Role::Delegate)
                    .then(|| p.scope.clone())
                    .flatten(),
                own_organisation: (p.role == Role::Observer)
                    .then(|| p.scope.clone())
                    .flatten(),
                secretariat: p.role == Role::Secretariat,
                error,
            };
            render(&page, status)
        }
        Err(e) => refusal_page(v.m, e),
    }
}

async fn page(State(s): State<AppState>, v: Viewer) -> Response {
    render_page(&s, &v, None, StatusCode::OK).await
}

async fn post(
    State(s): State<AppState>,
    v: Viewer,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    handle_post(
        &v,
        pairs,
        "/capacity",
        async |p| form::run(&s.app, &v.principal, "", p).await,
        async |_, error, status| render_page(&s, &v, Some(error), status).await,
    )
    .await
}
