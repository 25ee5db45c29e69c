//! A body in the browser (`/bodies/{id}`): its parent and working groups, its meetings, its
//! regional groups and its programme of work, each task with its status over time; the
//! secretariat adds tasks and records their progress here. The same service as the API.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};

use super::form;
use super::pages::{chrome, handle_post, refusal_page, render, Chrome, FormError};
use super::session::Viewer;
use crate::api::AppState;
use crate::app::access::Role;
use crate::app::bodies::BodyOverview;

pub fn router() -> Router<AppState> {
    Router::new().route("/bodies/{id}", get(page).post(post))
}

#[derive(Template)]
#[template(path = "body.html")]
struct BodyPage<'a> {
    c: Chrome<'a>,
    b: BodyOverview,
    secretariat: bool,
    error: Option<FormError>,
}

impl BodyPage<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }

    fn statuses(&self) -> [&'static str; 4] {
        ["Planned", "InProgress", "Completed", "Discontinued"]
    }
}

async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    render_page(&s, &v, &id, None, StatusCode::OK).await
}

async fn post(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let here = format!("/bodies/{}", form::urlencode(&id));
    handle_post(
        &v,
        pairs,
        &here,
        async |p| form::run(&s.app, &v.principal, &id, p).await,
        async |_, error, status| render_page(&s, &v, &id, Some(error), status).await,
    )
    .await
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    match crate::app::bodies::overview(&s.app, id).await {
        Ok(b) => {
            let page = BodyPage {
                c: chrome(v, b.body.name.clone(), None).following_all(),
                b,
                secretariat: v.principal.role == Role::Secretariat,
                error,
            };
            render(&page, status)
        }
        Err(e) => refusal_page(v.m, e),
    }
}
