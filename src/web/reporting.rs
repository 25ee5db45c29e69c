//! Reporting cycles in the browser (`/reporting/{body}`): the schedule, and for each cycle
//! who is due, who has submitted, who is overdue, and the priority areas gap analyses name;
//! the secretariat sets the schedule here. The same service as the API.

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
use crate::app::refusal::Refusal;
use crate::app::reporting::ReportingOverview;

pub fn router() -> Router<AppState> {
    Router::new().route("/reporting/{id}", get(page).post(post))
}

#[derive(Template)]
#[template(path = "reporting.html")]
struct ReportingPage<'a> {
    c: Chrome<'a>,
    r: ReportingOverview,
    secretariat: bool,
    error: Option<FormError>,
}

impl ReportingPage<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }
    /// The schedule's cohorts as the form writes them, one per line.
    fn cohort_lines(&self) -> String {
        self.r
            .schedule
            .iter()
            .flat_map(|s| &s.cohorts)
            .map(|(name, states)| format!("{name}: {}", states.join(" ")))
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn question_lines(&self) -> String {
        self.r
            .schedule
            .iter()
            .flat_map(|s| &s.questions)
            .map(|(id, text)| format!("{id}: {text}"))
            .collect::<Vec<_>>()
            .join("\n")
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
    let here = format!("/reporting/{}", form::urlencode(&id));
    handle_post(
        &v,
        pairs,
        &here,
        async |p| set_schedule(&s, &v, &id, p).await,
        async |_, error, status| render_page(&s, &v, &id, Some(error), status).await,
    )
    .await
}

/// `Name: NOR SWE FIN` or `id: text`, one per line, as (before, after) the first colon.
fn pairs(field: &str, text: &str) -> Result<Vec<(String, String)>, Refusal> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| match l.split_once(':') {
            Some((a, b)) if !a.trim().is_empty() => Ok((a.trim().to_owned(), b.trim().to_owned())),
            _ => Err(bad(
                field,
                format!(
                    "line {} must be a name, a colon, then what follows: {l}",
                    i + 1
                ),
            )),
        })
        .collect()
}

/// The schedule form: cohorts and questions one per line.
async fn set_schedule(s: &AppState, v: &Viewer, id: &str, p: &Posted) -> Result<(), Refusal> {
    let mut fields: Map<String, Value> = form::command_fields(p, None)?;
    let cohorts: Vec<Value> = pairs("cohorts", p.get("cohorts").unwrap_or_default())?
        .into_iter()
        .map(|(name, states)| {
            let states: Vec<&str> = states
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|x| !x.is_empty())
                .collect();
            json!({ "name": name, "states": states })
        })
        .collect();
    let questions: Vec<Value> = pairs("questions", p.get("questions").unwrap_or_default())?
        .into_iter()
        .map(|(qid, text)| json!({ "id": qid, "text": text }))
        .collect();
    fields.insert("cohorts".into(), Value::Array(cohorts));
    fields.insert("questions".into(), Value::Array(questions));
    form::send(&s.app, &v.principal, "reporting", id, "SetSchedule", fields).await
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    match crate::app::reporting::overview(&s.app, &v.principal, id).await {
        Ok(r) => {
            let page = ReportingPage {
                c: chrome(v, v.m.t("reporting.title").to_owned(), None).following_all(),
                r,
                secretariat: v.principal.role == Role::Secretariat,
                error,
            };
            render(&page, status)
        }
        Err(e) => refusal_page(v.m, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohorts_and_questions_are_read_one_per_line() {
        let got = pairs("cohorts", "Europe: NOR SWE\n\n  Africa: EGY  \n").unwrap();
        assert_eq!(
            got,
            [
                ("Europe".to_owned(), "NOR SWE".to_owned()),
                ("Africa".to_owned(), "EGY".to_owned())
            ]
        );
        let e = pairs("questions", "poc: Has your State a contact?\nno colon here").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("questions"));
        assert!(e.detail.contains("line 2"), "{}", e.detail);
    }
}
