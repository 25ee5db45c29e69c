//! Authentication: a bearer token becomes a [`Principal`]. Roles and their checks live in
//! [`crate::app::access`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::ApiError;
use super::AppState;
pub use crate::app::access::{Principal, Role};
use crate::app::credentials;

/// Recently seen tokens, so a request does not need a database round trip to authenticate.
/// Short-lived so that a revocation takes effect within [`CACHE_TTL`].
#[derive(Default, Clone)]
pub struct TokenCache(Arc<Mutex<HashMap<String, (Instant, Principal)>>>);

pub const CACHE_TTL: Duration = Duration::from_secs(5);

impl TokenCache {
    pub fn clear(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.clear();
        }
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            // A browser cannot send a bearer token: its session cookie stands in for reads
            // (the live stream, EventSource). Commands from pages go through the web forms,
            // which check the CSRF token; the API takes none on a cookie.
            if parts.method == axum::http::Method::GET {
                if let Some((p, _)) =
                    crate::web::session::session_principal(state, &parts.headers).await?
                {
                    return Ok(p);
                }
            }
            return Err(ApiError::unauthorized(
                "send a bearer token: Authorization: Bearer pln_…",
            ));
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| credentials::is_token_shaped(t))
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be: Bearer pln_…")
            })?;
        // Keyed by the token's hash: the cache holds no secrets either.
        let key = credentials::token_key(token);
        if let Ok(mut cache) = state.tokens.0.lock() {
            match cache.get(&key) {
                Some((at, p)) if at.elapsed() < CACHE_TTL => return Ok(p.clone()),
                Some(_) => {
                    cache.remove(&key);
                }
                None => {}
            }
        }
        let found = credentials::authenticate(&state.app, token)
            .await?
            .and_then(Principal::from_credential)
            .ok_or_else(|| ApiError::unauthorized("this token is unknown or has been revoked"))?;
        if let Ok(mut cache) = state.tokens.0.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(key, (Instant::now(), found.clone()));
        }
        Ok(found)
    }
}
