//! The web pages, server-rendered by the same binary: a thin front end on [`crate::app`], as
//! the JSON API is. Reads work without JavaScript; `assets/plenary.js` adds live updates from
//! the stream, the speaking-time countdown, and posting forms without leaving the page.
//!
//! - [`session`]: signing in (a token or a one-time link becomes a cookie session), signing
//!   out, CSRF, and the [`session::Viewer`] extractor.
//! - [`messages`]: every interface string, from a message file per language.
//! - [`bodies`]: a body, its working groups and meetings, and its programme of work.
//! - [`submissions`]: what States and stakeholders file; national positions compared.
//! - [`capacity`]: capacity-building requests, offers, suggested pairs and matches.
//! - [`documents`]: the document registry, and the secretariat's forms that issue symbols.
//! - [`contacts`]: national points of contact and the secretariat's pings.
//! - [`report`]: a meeting's report, as of any moment, with its downloads.
//! - [`secretariat`]: the secretariat's desk (bodies, meetings, participation,
//!   accreditation, translations).
//! - [`pages`]: the pages and their forms. One way to post a command ([`form`]) and one way
//!   to show its refusal (next to the form that caused it).
//!
//! Every response carries a Content-Security-Policy that forbids inline script and style, and
//! is gzipped when the browser accepts it.

pub mod annex;
pub mod bodies;
pub mod capacity;
pub mod contacts;
pub mod documents;
pub mod form;
pub mod funds;
pub mod messages;
pub mod pages;
pub mod report;
pub mod reporting;
pub mod secretariat;
pub mod session;
pub mod submissions;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::api::AppState;

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(pages::router())
        .merge(secretariat::router())
        .merge(contacts::router())
        .merge(documents::router())
        .merge(annex::router())
        .merge(bodies::router())
        .merge(reporting::router())
        .merge(funds::router())
        .merge(capacity::router())
        .merge(submissions::router())
        .merge(report::router())
        .route("/assets/plenary.css", get(css))
        .route("/assets/plenary.js", get(js))
        // The API explorer's (`/docs`), kept apart from the pages' own.
        .route(
            "/assets/explorer.css",
            get(|| async { asset(EXPLORER_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/explorer.js",
            get(|| async { asset(EXPLORER_JS, "text/javascript; charset=utf-8") }),
        )
        .layer(axum::middleware::map_response(secure_headers))
        // A live update re-reads its page: gzip makes that a few kilobytes on a hall's
        // network. Form tokens are masked per response, so compression reveals nothing.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
}

async fn secure_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    // A downloaded file brings its own, stricter policy (a sandbox).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Sign-in links carry a code in their URL: never send it onwards.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

const CSS: &str = include_str!("../../assets/plenary.css");
const JS: &str = include_str!("../../assets/plenary.js");
const EXPLORER_CSS: &str = include_str!("../../assets/explorer.css");
const EXPLORER_JS: &str = include_str!("../../assets/explorer.js");

async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

async fn js() -> Response {
    static WITH_TYPES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let js = WITH_TYPES
        .get_or_init(|| JS.replace("__EVENT_TYPES__", &crate::domain::event_types().join(" ")));
    asset(js.as_str(), "text/javascript; charset=utf-8")
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}
