//! Signing in and out. A browser cannot send a bearer token, so a credential's token (pasted
//! once) or a one-time sign-in link is exchanged for a server-side session. The cookie is
//! `HttpOnly`, `SameSite=Strict`, `Secure` behind TLS, and expires with the session; only the
//! hash of the session id is stored (`store::sessions`).
//!
//! CSRF: every form carries a token derived from the session id (which the page's scripts
//! cannot read), masked afresh in every response; a post without the right token is refused
//! and changes nothing. The sign-in form, before any session exists, uses a double-submit
//! cookie instead.

use askama::Template;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::messages::{self, Messages};
use super::pages::render;
use crate::api::AppState;
use crate::app::access::Principal;
use crate::store::sessions;

pub const COOKIE: &str = "plenary_session";
const PRE_COOKIE: &str = "plenary_signin";
/// A conference day, with margin.
pub const SESSION_TTL_US: i64 = 12 * 3600 * 1_000_000;
/// How long a sign-in link stays usable.
pub const LINK_TTL_US: i64 = 15 * 60 * 1_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-in/link/{code}", get(sign_in_link))
        .route("/sign-out", post(sign_out))
        .route("/language/{lang}", get(choose_language))
}

/// The signed-in person behind a page request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub principal: Principal,
    /// The form token for this session, masked afresh for this response (see [`mask`]).
    pub csrf: String,
    /// The session's form token itself.
    csrf_secret: String,
    pub m: &'static Messages,
    /// The page's path and query, URL-encoded, for links that come back to it.
    pub here: String,
}

impl Viewer {
    /// Whether a posted form token is this session's.
    pub fn csrf_ok(&self, posted: &str) -> bool {
        unmask(posted).is_some_and(|t| same(&t, &self.csrf_secret))
    }
}

/// A page asked for without a live session: off to the sign-in page.
pub struct SignInFirst(&'static str);

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/sign-in?why={}", self.0)).into_response()
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The form token of a session: a hash of its id, so nothing more is stored.
pub fn csrf_for(session_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"plenary csrf\0");
    h.update(session_id.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// A form token as a page carries it: a fresh random pad and the token XORed with it, so no
/// two responses carry the same bytes. Pages are compressed, and a secret repeated verbatim
/// in compressed responses that also reflect others' text can be guessed byte by byte from
/// their sizes (BREACH).
pub fn mask(token: &str) -> String {
    let raw = hex::decode(token).unwrap_or_default();
    let mut pad = vec![0u8; raw.len()];
    let _ = getrandom::fill(&mut pad);
    let xored: Vec<u8> = raw.iter().zip(&pad).map(|(t, p)| t ^ p).collect();
    format!("{}{}", hex::encode(&pad), hex::encode(xored))
}

/// The token inside a masked one (`None` if it is not of the form [`mask`] writes).
pub fn unmask(masked: &str) -> Option<String> {
    let raw = hex::decode(masked).ok()?;
    if raw.is_empty() || raw.len() % 2 != 0 {
        return None;
    }
    let (pad, xored) = raw.split_at(raw.len() / 2);
    Some(hex::encode(
        pad.iter()
            .zip(xored)
            .map(|(p, x)| p ^ x)
            .collect::<Vec<u8>>(),
    ))
}

/// Compares two tokens in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The principal of a live session cookie, if the request has one.
pub async fn session_principal(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(Principal, String)>, crate::app::refusal::Refusal> {
    let Some(id) = cookie(headers, COOKIE).filter(|v| v.starts_with(sessions::SESSION_PREFIX))
    else {
        return Ok(None);
    };
    let found = sessions::lookup(state.app.store.db(), id)
        .await?
        .and_then(Principal::from_credential);
    Ok(found.map(|p| (p, id.to_owned())))
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let had_cookie = cookie(&parts.headers, COOKIE).is_some();
        match session_principal(state, &parts.headers).await {
            Ok(Some((principal, id))) => {
                let secret = csrf_for(&id);
                Ok(Viewer {
                    principal,
                    csrf: mask(&secret),
                    csrf_secret: secret,
                    m: messages::choose(&parts.headers),
                    here: form_urlencoded::byte_serialize(
                        parts
                            .uri
                            .path_and_query()
                            .map_or("/", |pq| pq.as_str())
                            .as_bytes(),
                    )
                    .collect(),
                })
            }
            Ok(None) => Err(SignInFirst(if had_cookie { "expired" } else { "" }).into_response()),
            Err(e) => Err(super::pages::refusal_page(
                messages::choose(&parts.headers),
                e,
            )),
        }
    }
}

fn secure(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Where to go after signing in: a path on this site only (never `//host` or a URL).
fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    credential_id: &str,
    next: Option<&str>,
) -> Result<Response, crate::app::refusal::Refusal> {
    let id = sessions::start(state.app.store.db(), credential_id, SESSION_TTL_US).await?;
    let mut res = Redirect::to(local_path(next)).into_response();
    let c = set_cookie(COOKIE, &id, SESSION_TTL_US / 1_000_000, secure(headers));
    if let Ok(v) = c.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Ok(v) = set_cookie(PRE_COOKIE, "", 0, secure(headers)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage<'a> {
    m: &'a Messages,
    csrf: String,
    note: Option<&'a str>,
    error: Option<&'a str>,
    here: &'a str,
}

#[derive(Deserialize)]
struct Why {
    why: Option<String>,
}

async fn sign_in_page(
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<Why>,
) -> Response {
    let m = messages::choose(&headers);
    let note = match q.why.as_deref() {
        Some("expired") => Some(m.t("signin.expired")),
        Some("out") => Some(m.t("signin.signed_out")),
        Some("link") => None,
        _ => None,
    };
    let error = (q.why.as_deref() == Some("link")).then(|| m.t("signin.link_bad"));
    let pre = match cookie(&headers, PRE_COOKIE) {
        Some(v) if v.len() == 32 => v.to_owned(),
        _ => {
            let mut b = [0u8; 16];
            let _ = getrandom::fill(&mut b);
            hex::encode(b)
        }
    };
    let page = SignInPage {
        m,
        csrf: mask(&pre),
        note,
        error,
        here: "%2Fsign-in",
    };
    let mut res = render(&page, StatusCode::OK);
    if let Ok(v) = set_cookie(PRE_COOKIE, &pre, 900, secure(&headers)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
struct SignInForm {
    token: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

#[tracing::instrument(skip_all)]
async fn sign_in(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Response {
    let m = messages::choose(&headers);
    let pre = cookie(&headers, PRE_COOKIE).unwrap_or_default();
    if pre.is_empty() || !unmask(&f.csrf).is_some_and(|t| same(pre, &t)) {
        return super::pages::refusal_page(
            m,
            crate::app::refusal::Refusal::forbidden(
                "the form token is missing or wrong: reload the sign-in page and try again",
            )
            .with_field("_csrf"),
        );
    }
    let token = f.token.trim();
    let found = crate::app::credentials::authenticate(&s.app, token).await;
    match found {
        Ok(Some(c)) => start_session(&s, &headers, &c.id, None)
            .await
            .unwrap_or_else(|e| super::pages::refusal_page(m, e)),
        Ok(None) => {
            let page = SignInPage {
                m,
                csrf: mask(pre),
                note: None,
                error: Some(m.t("signin.bad")),
                here: "%2Fsign-in",
            };
            render(&page, StatusCode::UNAUTHORIZED)
        }
        Err(e) => super::pages::refusal_page(m, e),
    }
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn sign_in_link(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Next>,
) -> Response {
    let m = messages::choose(&headers);
    if !code.starts_with(sessions::LINK_PREFIX) || code.len() > 100 {
        return Redirect::to("/sign-in?why=link").into_response();
    }
    match sessions::redeem_link(s.app.store.db(), &code).await {
        Ok(Some(c)) => start_session(&s, &headers, &c.id, q.next.as_deref())
            .await
            .unwrap_or_else(|e| super::pages::refusal_page(m, e)),
        Ok(None) => Redirect::to("/sign-in?why=link").into_response(),
        Err(e) => super::pages::refusal_page(m, e.into()),
    }
}

#[derive(Deserialize)]
struct SignOutForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

async fn sign_out(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<SignOutForm>,
) -> Response {
    let m = messages::choose(&headers);
    let Some(id) = cookie(&headers, COOKIE) else {
        return Redirect::to("/sign-in?why=out").into_response();
    };
    if !unmask(&f.csrf).is_some_and(|t| same(&csrf_for(id), &t)) {
        return super::pages::refusal_page(
            m,
            crate::app::refusal::Refusal::forbidden("the form token is missing or wrong")
                .with_field("_csrf"),
        );
    }
    if let Err(e) = sessions::end(s.app.store.db(), id).await {
        return super::pages::refusal_page(m, e.into());
    }
    let mut res = Redirect::to("/sign-in?why=out").into_response();
    if let Ok(v) = set_cookie(COOKIE, "", 0, secure(&headers)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
struct Back {
    next: Option<String>,
}

/// The language switch: remembers the choice for a year and goes back to the page. An
/// unknown language changes nothing.
async fn choose_language(
    headers: HeaderMap,
    Path(lang): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Back>,
) -> Response {
    let mut res = Redirect::to(local_path(q.next.as_deref())).into_response();
    if let Some(m) = messages::get(&lang) {
        let c = format!(
            "{}={}; Path=/; SameSite=Lax; Max-Age=31536000{}",
            messages::COOKIE,
            m.lang,
            if secure(&headers) { "; Secure" } else { "" }
        );
        if let Ok(v) = c.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}
