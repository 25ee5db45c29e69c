//! One error type for the whole API. Every failure becomes `application/problem+json`
//! (RFC 9457) with a stable `type`, a readable `detail` and, for bad input, the `field`.
//! A 500 is logged here with its cause and shows no internals to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::app::CommandError;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable kebab-case identifier, rendered as `/problems/<kind>`.
    pub kind: String,
    pub detail: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    type_: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status,
            kind: kind.into(),
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid-input", detail).with_field(field)
    }

    pub fn unprocessable(kind: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, kind, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    pub fn conflict(kind: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, kind, detail)
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
        }
    }

    /// A real fault: logged with its cause here, shown to the client without internals.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(cause = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let body = Problem {
            type_: format!("/problems/{}", self.kind),
            title,
            status: self.status.as_u16(),
            detail: &self.detail,
            field: self.field.as_deref(),
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut res = (self.status, json).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "database unavailable");
            ApiError::unavailable("the database is unavailable; retry shortly")
        } else {
            ApiError::internal(e)
        }
    }
}

/// How a domain refusal maps to HTTP: implemented by each aggregate's error type.
pub trait DomainError: std::error::Error {
    /// Stable kebab-case identifier of the rule broken.
    fn code(&self) -> &'static str;
    /// True when the refusal is about the current state (409), false for invalid input (422).
    fn is_conflict(&self) -> bool;
}

impl<E: DomainError> From<CommandError<E>> for ApiError {
    fn from(e: CommandError<E>) -> Self {
        match e {
            CommandError::Rejected(d) => {
                let status = if d.is_conflict() {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                ApiError::new(status, d.code(), d.to_string())
            }
            e @ CommandError::StaleVersion { .. } => {
                ApiError::conflict("stale-version", e.to_string())
            }
            e @ CommandError::KeyReused => {
                ApiError::unprocessable("idempotency-key-reused", e.to_string())
            }
            e @ CommandError::Conflict => ApiError {
                retry_after: Some(1),
                ..ApiError::conflict("concurrent-update", e.to_string())
            },
            CommandError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "database unavailable");
                ApiError::unavailable("the database is unavailable; retry shortly")
            }
            CommandError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

/// The answer to any unknown route.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such resource")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this method is not allowed on this resource",
    )
}

macro_rules! domain_error {
    ($($t:ty),*) => {$(
        impl DomainError for $t {
            fn code(&self) -> &'static str {
                <$t>::code(self)
            }
            fn is_conflict(&self) -> bool {
                <$t>::is_conflict(self)
            }
        }
    )*};
}

domain_error!(
    crate::domain::amendment::AmendmentError,
    crate::domain::body::BodyError,
    crate::domain::framework::FrameworkError,
    crate::domain::meeting::MeetingError
);
