//! A fund's ledger in the browser (`/funds/{id}`): the totals, by donor and by purpose, and
//! every entry, as of any day; the secretariat records pledges, contributions and
//! disbursements here. The same service as the API.

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
use crate::app::funds::Ledger;
use crate::app::refusal::Refusal;

pub fn router() -> Router<AppState> {
    Router::new().route("/funds/{id}", get(page).post(post))
}

#[derive(Template)]
#[template(path = "fund.html")]
struct FundPage<'a> {
    c: Chrome<'a>,
    f: Ledger,
    secretariat: bool,
    error: Option<FormError>,
}

impl FundPage<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }
}

#[derive(serde::Deserialize)]
struct OnQuery {
    on: Option<String>,
}

async fn page(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<OnQuery>,
) -> Response {
    render_page(&s, &v, &id, q.on, None, StatusCode::OK).await
}

async fn post(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let here = format!("/funds/{}", form::urlencode(&id));
    handle_post(
        &v,
        pairs,
        &here,
        async |p| record_entry(&s, &v, &id, p).await,
        async |_, error, status| render_page(&s, &v, &id, None, Some(error), status).await,
    )
    .await
}

/// The entry form: the donor a State's code, or none (a disbursement).
async fn record_entry(s: &AppState, v: &Viewer, id: &str, p: &form::Posted) -> Result<(), Refusal> {
    let mut fields = form::command_fields(p, None)?;
    let donor = p.get("donor").map(str::trim).unwrap_or_default();
    fields.insert(
        "donor".into(),
        if donor.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::json!({ "State": donor })
        },
    );
    form::send(&s.app, &v.principal, "fund", id, "RecordEntry", fields).await
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    on: Option<String>,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    let on = match on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match d.parse() {
            Ok(day) => Some(day),
            Err(_) => {
                return refusal_page(
                    v.m,
                    Refusal::bad_request("on", "on must be a date, YYYY-MM-DD"),
                )
            }
        },
    };
    match crate::app::funds::one(&s.app, id, on).await {
        Ok(f) => {
            let page = FundPage {
                c: chrome(v, f.name.clone(), None).following_all(),
                f,
                secretariat: v.principal.role == Role::Secretariat,
                error,
            };
            render(&page, status)
        }
        Err(e) => refusal_page(v.m, e),
    }
}
