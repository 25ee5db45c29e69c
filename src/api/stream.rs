//! Live stream: server-sent events carrying new log events to a meeting-room screen.
//! Each SSE id is the log position, so a reconnecting client resumes with `Last-Event-ID`.
//! The events come from the application's live feed ([`crate::app::live`]), which reads the
//! log once for every screen; this handler only picks the subscriber's filter and encodes.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::HeaderMap;
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

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/api/v1/stream", params(Params))]
async fn stream(
    State(s): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Query(q): Query<Params>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let resume = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    ApiError::bad_request("Last-Event-ID", "Last-Event-ID must be a log position")
                })?,
        ),
        None => None,
    };
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
