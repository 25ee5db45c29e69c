//! Public records without a credential: the routes a body's public record is read through
//! (the framework, the register, published submissions, the annex, reporting cycles, the
//! registry's unrestricted documents) take a [`Reader`], which is the caller's credential if
//! one is sent, or else the public. The public reads what an observer of no organisation
//! reads (no drafts, no restricted documents, no points of contact, no delegations' names),
//! through the same services, and at most [`PER_SECOND`] requests a second per address
//! (with bursts of [`BURST`]); past that the answer is 429 with `Retry-After`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::ApiError;
use super::AppState;
use crate::app::access::Principal;

/// Requests a second per address without a credential, and the burst allowed.
pub const PER_SECOND: u32 = 10;
pub const BURST: u32 = 40;

/// At most this many addresses are remembered; past it, the oldest quiet ones are forgotten.
const MAX_ADDRESSES: usize = 100_000;

/// The limiter of public reads, one bucket per address (governor's GCRA: no timer, a few
/// bytes per address).
pub struct PublicReads(DefaultKeyedRateLimiter<IpAddr>);

impl Default for PublicReads {
    fn default() -> Self {
        let per_second = NonZeroU32::new(PER_SECOND).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN);
        Self(RateLimiter::keyed(
            Quota::per_second(per_second).allow_burst(burst),
        ))
    }
}

impl PublicReads {
    /// Whether `addr` may read now.
    pub fn check(&self, addr: IpAddr) -> Result<(), ApiError> {
        if self.0.len() > MAX_ADDRESSES {
            self.0.retain_recent();
        }
        self.0.check_key(&addr).map_err(|_| ApiError {
            retry_after: Some(1),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "too many requests without a credential from this address: wait a moment, or send a bearer token",
            )
        })
    }
}

/// Who reads a public record: the credential sent, or the public.
pub struct Reader(pub Principal);

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
        {
            // A token sent is a token checked: a wrong one is refused, never read as public.
            return Principal::from_request_parts(parts, state)
                .await
                .map(Reader);
        }
        if let Some((p, _)) = crate::web::session::session_principal(state, &parts.headers).await? {
            return Ok(Reader(p));
        }
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        state.public_reads.check(addr)?;
        Ok(Reader(Principal::public()))
    }
}
