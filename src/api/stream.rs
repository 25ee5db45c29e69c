//! Live stream: server-sent events carrying new log events to a meeting-room screen.
//! Each SSE id is the log position, so a reconnecting client resumes with `Last-Event-ID`.
//! The events come from the application's live feed ([`crate::app::live`]), which reads the
//! log once for every screen; this handler only picks the subscriber's filter and encodes.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::Principal;
use super::error::ApiError;
use super::extract::Query;
use super::{AppState, SSE_KEEPALIVE};
use crate::app::live::Filter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Params {
    /// Only events about this meeting.
    meeting: Option<String>,
    /// Start after this position (when there is no Last-Event-ID).
    #[param(value_type = Option<super::params::Position>, inline)]
    after: Option<i64>,
}

/// `Last-Event-ID`: the log position to resume after, set by `EventSource` on reconnecting.
struct LastEventId(Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for LastEventId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match parts.headers.get("last-event-id") {
            None => Ok(LastEventId(None)),
            Some(v) => v
                .to_str()
                .ok()
                // Digits only, as documented and as the server sends ids: "+5" or "-1" could
                // be read differently by another parser.
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<i64>().ok())
                .map(|p| LastEventId(Some(p)))
                .ok_or_else(|| {
                    ApiError::bad_request("Last-Event-ID", "Last-Event-ID must be a log position")
                }),
        }
    }
}

impl utoipa::IntoParams for LastEventId {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::{path::ParameterIn, ObjectBuilder, Type};
        vec![super::params::optional(
            "Last-Event-ID",
            ParameterIn::Header,
            "resume after this log position (set by EventSource on reconnect)",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[0-9]+$")),
        )]
    }
}

/// Live events (server-sent events); resumes from Last-Event-ID
#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/stream", params(Params, LastEventId))]
async fn stream(
    State(s): State<AppState>,
    p: Principal,
    Query(q): Query<Params>,
    LastEventId(resume): LastEventId,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let after = resume.or(q.after).unwrap_or_else(|| s.app.store.head());
    let filter = Filter {
        meeting: q.meeting,
        reader: p.reader(),
    };
    let events = s.app.live.follow(after, filter).map(|e| {
        Ok(Event::default()
            .id(e.position.to_string())
            .event(e.event_type.as_str())
            .data(e.data.as_str()))
    });
    // End the stream when the server shuts down: graceful shutdown waits for every open
    // response, and this one would otherwise never end. Clients resume with Last-Event-ID.
    let mut shutdown = s.shutdown_receiver();
    let ended = async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    };
    Ok(Sse::new(events.take_until(ended)).keep_alive(KeepAlive::new().interval(SSE_KEEPALIVE)))
}
