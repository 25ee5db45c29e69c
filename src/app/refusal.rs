//! Why the application refused a request: one type for every front end. The JSON API renders
//! it as problem+json (RFC 9457), the web pages next to the control that caused it. `kind` is a
//! stable kebab-case identifier; for bad input, `field` names the field.

use http::StatusCode;

use crate::app::CommandError;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP class of the refusal (4xx: the request; 5xx: the server).
    pub status: StatusCode,
    /// Stable kebab-case identifier, rendered as `/problems/<kind>`.
    pub kind: String,
    pub detail: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
}

impl Refusal {
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

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "database unavailable");
            Refusal::unavailable("the database is unavailable; retry shortly")
        } else {
            Refusal::internal(e)
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

impl<E: DomainError> From<CommandError<E>> for Refusal {
    fn from(e: CommandError<E>) -> Self {
        match e {
            CommandError::Rejected(d) => {
                let status = if d.is_conflict() {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                Refusal::new(status, d.code(), d.to_string())
            }
            e @ CommandError::StaleVersion { .. } => {
                Refusal::conflict("stale-version", e.to_string())
            }
            e @ CommandError::KeyReused => {
                Refusal::unprocessable("idempotency-key-reused", e.to_string())
            }
            e @ CommandError::Conflict => Refusal {
                retry_after: Some(1),
                ..Refusal::conflict("concurrent-update", e.to_string())
            },
            CommandError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "database unavailable");
                Refusal::unavailable("the database is unavailable; retry shortly")
            }
            CommandError::Internal(cause) => Refusal::internal(cause),
        }
    }
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
    crate::domain::annex::AnnexError,
    crate::domain::reporting::ReportingError,
    crate::domain::fund::FundError,
    crate::domain::body::BodyError,
    crate::domain::capacity::CapacityError,
    crate::domain::contacts::ContactError,
    crate::domain::documents::DocumentError,
    crate::domain::framework::FrameworkError,
    crate::domain::meeting::MeetingError,
    crate::domain::submission::SubmissionError
);
