//! The document registry in the browser (`/documents`): every document each body issued and
//! the documents of other processes the record cites, for everyone (restricted ones only for
//! States, the secretariat and auditors, as the API lists them); the secretariat issues
//! symbols, revisions, addenda and corrigenda, registers other documents and records
//! language versions here.

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
use crate::app::bodies::{self, BodyLine};
use crate::app::documents::{self, DocumentLine};
use crate::app::refusal::Refusal;

pub fn router() -> Router<AppState> {
    Router::new().route("/documents", get(page).post(post))
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage<'a> {
    c: Chrome<'a>,
    documents: Vec<DocumentLine>,
    bodies: Vec<BodyLine>,
    secretariat: bool,
    error: Option<FormError>,
}

impl DocumentsPage<'_> {
    fn err(&self, form: &str) -> Option<&str> {
        FormError::for_form(&self.error, form)
    }

    fn anchor(&self, symbol: &str) -> String {
        crate::app::documents::anchor(symbol)
    }
}

async fn render_page(
    s: &AppState,
    v: &Viewer,
    error: Option<FormError>,
    status: StatusCode,
) -> Response {
    let read = async {
        Ok::<_, Refusal>((
            documents::list(&s.app, &v.principal, None).await?,
            bodies::list(&s.app).await?,
        ))
    };
    match read.await {
        Ok((documents, bodies)) => {
            let page = DocumentsPage {
                c: chrome(v, v.m.t("documents.title").to_owned(), None).following_all(),
                documents,
                bodies,
                secretariat: v.principal.role == Role::Secretariat,
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
        "/documents",
        async |p| match p.get("_command") {
            Some("documents:IssueDocument") => issue(&s, &v, p).await,
            _ => form::run(&s.app, &v.principal, "", p).await,
        },
        async |_, error, status| render_page(&s, &v, Some(error), status).await,
    )
    .await
}

/// What the issue form says the document belongs to: a meeting, or an item of it.
fn links(p: &Posted) -> Result<Vec<Value>, Refusal> {
    let meeting = p.get("link.meeting").map(str::trim).unwrap_or_default();
    let item = p.get("link.item").map(str::trim).unwrap_or_default();
    Ok(match (meeting.is_empty(), item.is_empty()) {
        (true, true) => vec![],
        (true, false) => {
            return Err(bad(
                "link.meeting",
                "an agenda item belongs to a meeting: name it",
            ))
        }
        (false, true) => vec![json!({ "Meeting": { "meeting_id": meeting } })],
        (false, false) => {
            let item: u32 = item
                .parse()
                .map_err(|_| bad("link.item", "an agenda item is a whole number"))?;
            vec![json!({ "AgendaItem": { "meeting_id": meeting, "item": item } })]
        }
    })
}

async fn issue(s: &AppState, v: &Viewer, p: &Posted) -> Result<(), Refusal> {
    let mut fields = form::command_fields(p, None)?;
    fields.insert("links".into(), Value::Array(links(p)?));
    form::send(
        &s.app,
        &v.principal,
        "documents",
        documents::REGISTRY,
        "IssueDocument",
        fields,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(meeting: &str, item: &str) -> Posted {
        Posted::from_pairs(vec![
            ("link.meeting".into(), meeting.into()),
            ("link.item".into(), item.into()),
        ])
    }

    #[test]
    fn a_document_belongs_to_a_meeting_an_item_of_it_or_nothing() {
        assert!(links(&posted("", "")).unwrap().is_empty());
        assert_eq!(
            links(&posted(" poa-rc-1 ", "3")).unwrap(),
            vec![json!({ "AgendaItem": { "meeting_id": "poa-rc-1", "item": 3 } })]
        );
        assert_eq!(
            links(&posted("poa-rc-1", "")).unwrap(),
            vec![json!({ "Meeting": { "meeting_id": "poa-rc-1" } })]
        );
        assert_eq!(
            links(&posted("", "3")).unwrap_err().field.as_deref(),
            Some("link.meeting")
        );
        assert_eq!(
            links(&posted("poa-rc-1", "three"))
                .unwrap_err()
                .field
                .as_deref(),
            Some("link.item")
        );
    }
}
