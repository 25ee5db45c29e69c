//! National points of contact in the browser (`/contacts`): every State's directory with
//! who has not answered a ping in time; a delegate keeps their own State's, the secretariat
//! any State's and pings them all in one action. Read by States, the secretariat and auditors
//! only, as the API is ([`crate::app::contacts::may_read`]).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde_json::{json, Value};

use super::form::{self, bad, Posted};
use super::pages::{chrome, handle_post, refusal_page, render, Chrome, FormError};
use super::session::Viewer;
use crate::api::AppState;
use crate::app::access::Role;
use crate::app::contacts::{self, Directory};
use crate::app::refusal::Refusal;

pub fn router() -> Router<AppState> {
    Router::new().route("/contacts", get(page).post(post))
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage<'a> {
    c: Chrome<'a>,
    directories: Vec<Directory>,
    /// The State a delegate keeps the directory of.
    own: Option<String>,
    /// The secretariat keeps every State's and sends the pings.
    secretariat: bool,
    /// Today, the earliest answer date.
    today: String,
    error: Option<FormError>,
}

impl ContactsPage<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }

    /// Pings of `d` that `contact` was asked and has not answered.
    fn awaiting<'b>(&self, d: &'b Directory, contact: &str) -> Vec<&'b str> {
        d.pings
            .iter()
            .filter(|p| p.asked.iter().any(|a| a == contact))
            .filter(|p| !p.confirmed.iter().any(|(c, _)| c == contact))
            .map(|p| p.id.as_str())
            .collect()
    }

    fn may_keep(&self, state: &str) -> bool {
        self.secretariat || self.own.as_deref() == Some(state)
    }
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    match contacts::all(&s.app, &v.principal).await {
        Ok(directories) => {
            let p = &v.principal;
            let page = ContactsPage {
                c: chrome(v, v.m.t("contacts.title").to_owned(), None).following_all(),
                directories,
                own: (p.role == Role::Delegate)
                    .then(|| p.scope.clone())
                    .flatten(),
                secretariat: p.role == Role::Secretariat,
                today: crate::app::commands::today(&s.app).to_string(),
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
        "/contacts",
        async |p| match p.get("_command") {
            Some("contacts:NominateContact") => nominate(&s, &v, p).await,
            Some("contacts:PingAll") => ping_all(&s, &v, p).await,
            _ => form::run(&s.app, &v.principal, "", p).await,
        },
        async |_, error, status| render_page(&s, &v, Some(error), status).await,
    )
    .await
}

/// The channels of the nomination form: up to two, each a kind and a value.
fn channels(p: &Posted) -> Vec<Value> {
    (1..=2)
        .filter_map(|n| {
            let value = p
                .get(&format!("ch{n}.value"))
                .map(str::trim)
                .unwrap_or_default();
            let kind = p.get(&format!("ch{n}.kind")).unwrap_or("Email");
            (!value.is_empty()).then(|| json!({ "kind": kind, "value": value }))
        })
        .collect()
}

async fn nominate(s: &AppState, v: &Viewer, p: &Posted) -> Result<(), Refusal> {
    let mut fields = form::command_fields(p, None)?;
    fields.insert("channels".into(), Value::Array(channels(p)));
    let state = fields
        .get("state")
        .and_then(Value::as_str)
        .map(|st| st.trim().to_ascii_uppercase())
        .filter(|st| !st.is_empty())
        .ok_or_else(|| bad("state", "name the State"))?;
    fields.insert("state".into(), json!(state));
    form::send(
        &s.app,
        &v.principal,
        "contacts",
        &state,
        "NominateContact",
        fields,
    )
    .await
}

/// One ping to every State that has a current contact, in State order; a refusal names the
/// State (the States before it have been pinged).
async fn ping_all(s: &AppState, v: &Viewer, p: &Posted) -> Result<(), Refusal> {
    let fields = form::command_fields(p, None)?;
    let directories = contacts::all(&s.app, &v.principal).await?;
    let mut sent = 0;
    for d in directories
        .iter()
        .filter(|d| d.contacts.iter().any(|c| !c.retired))
    {
        form::send(
            &s.app,
            &v.principal,
            "contacts",
            &d.state,
            "SendPing",
            fields.clone(),
        )
        .await
        .map_err(|e| Refusal {
            detail: format!("{}: {}", d.state, e.detail),
            ..e
        })?;
        sent += 1;
    }
    if sent == 0 {
        return Err(bad("ping_id", "no State has a point of contact to ping"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nomination_takes_the_channels_given() {
        let p = Posted::from_pairs(vec![
            ("ch1.kind".into(), "Email".into()),
            ("ch1.value".into(), " cert@example.org ".into()),
            ("ch2.kind".into(), "Phone".into()),
            ("ch2.value".into(), "".into()),
        ]);
        assert_eq!(
            channels(&p),
            vec![json!({ "kind": "Email", "value": "cert@example.org" })]
        );
    }
}
