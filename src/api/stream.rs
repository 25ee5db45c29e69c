//! Live stream: server-sent events carrying new log events to a meeting-room screen.
//! Each SSE id is the log position, so a reconnecting client resumes with `Last-Event-ID`.

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;

use super::auth::Principal;
use super::error::ApiError;
use super::extract::Query;
use super::{AppState, SSE_KEEPALIVE};
use crate::projections::visibility::{visible, Reader};
use crate::projections::{meeting_of, payload_fields};
use crate::store::{EventStore, StoredEvent};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/stream", get(stream))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Only events about this meeting.
    meeting: Option<String>,
    /// Start after this position (when there is no Last-Event-ID).
    after: Option<i64>,
}

const PAGE: i64 = 500;

struct Follow {
    store: EventStore,
    head: tokio::sync::watch::Receiver<i64>,
    after: i64,
    meeting: Option<String>,
    reader: Reader,
    buffer: VecDeque<Event>,
}

impl Follow {
    fn wanted(&self, e: &StoredEvent) -> Option<Event> {
        let fields = payload_fields(e);
        let meeting = meeting_of(e, fields.as_ref());
        if self.meeting.is_some() && meeting != self.meeting {
            return None;
        }
        if !visible(&self.reader, e, meeting.as_deref()) {
            return None;
        }
        let data = serde_json::json!({
            "position": e.position,
            "aggregate_type": e.aggregate_type,
            "aggregate_id": e.aggregate_id,
            "stream_version": e.stream_version,
            "event_type": e.event_type,
            "recorded_at": super::audit::rfc3339(e.recorded_at_us),
            "payload": serde_json::from_str::<serde_json::Value>(&e.payload).ok(),
        });
        Some(
            Event::default()
                .id(e.position.to_string())
                .event(e.event_type.clone())
                .data(data.to_string()),
        )
    }
}

#[tracing::instrument(skip_all)]
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
    let state = Follow {
        store: s.app.store.clone(),
        head: s.app.store.subscribe(),
        after,
        meeting: q.meeting,
        reader: p.reader(),
        buffer: VecDeque::new(),
    };
    let events = futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(ev) = st.buffer.pop_front() {
                return Some((Ok(ev), st));
            }
            match st.store.read_all(st.after, PAGE).await {
                Ok(page) if !page.is_empty() => {
                    for e in &page {
                        if let Some(ev) = st.wanted(e) {
                            st.buffer.push_back(ev);
                        }
                    }
                    st.after = page.last().map(|e| e.position).unwrap_or(st.after);
                }
                Ok(_) => {
                    // Nothing new: sleep until the head moves (or re-check periodically).
                    let _ =
                        tokio::time::timeout(std::time::Duration::from_secs(5), st.head.changed())
                            .await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live stream read failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    });
    // End the stream when the server shuts down: graceful shutdown waits for every open
    // response, and this one would otherwise never end. Clients resume with Last-Event-ID.
    let mut shutdown = s.shutdown_receiver();
    let ended = async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    };
    Ok(Sse::new(events.take_until(ended)).keep_alive(KeepAlive::new().interval(SSE_KEEPALIVE)))
}
