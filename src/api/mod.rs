//! The HTTP API (axum).
//!
//! - [`error`]: `ApiError`, the problem+json mapping of every failure.
//! - [`extract`]: JSON / query / path / command-header extractors with problem+json rejections.
//! - [`params`]: the schemas of query parameters with a rule (a range, a pattern, a set).
//! - [`auth`]: bearer tokens, roles and scopes.
//! - [`system`]: health, readiness, credentials, log head and verification.
//! - [`audit`]: the audit history and single events.
//! - [`stream`]: server-sent events, filtered by meeting and by what the reader may see.
//!
//! Each resource module exposes `router()`, a utoipa-axum `OpenApiRouter` whose handlers say
//! their method and path (`#[utoipa::path]`); [`routes`] merges them, [`router`] serves them
//! with the pages, and [`openapi`] documents exactly the routes served.

pub mod amendments;
pub mod annex;
pub mod audit;
pub mod auth;
pub mod capacity;
pub mod commands;
pub mod conn;
pub mod contacts;
pub mod documents;
pub mod error;
pub mod exports;
pub mod extract;
pub mod frameworks;
pub mod funds;
pub mod meetings;
pub mod openapi;
pub mod params;
pub mod participation;
pub mod public;
pub mod reporting;
pub mod stream;
pub mod submissions;
pub mod system;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::app::{App, CommandContext};
use auth::{Principal, TokenCache};
use error::ApiError;
use extract::{CommandHeaders, RequestHash};

/// Bodies above this are refused with 413 before they are read.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub tokens: TokenCache,
    /// Reads without a credential, limited per address.
    pub public_reads: Arc<public::PublicReads>,
    /// Set to `true` by [`serve`] once its shutdown future resolves: long-lived responses
    /// (the live stream) end on it, so graceful shutdown is not held up by idle watchers.
    shutdown: Arc<watch::Sender<bool>>,
}

impl AppState {
    pub fn new(app: Arc<App>) -> Self {
        Self {
            app,
            tokens: TokenCache::default(),
            public_reads: Arc::default(),
            shutdown: Arc::new(watch::channel(false).0),
        }
    }

    /// A receiver that sees `true` once the server has begun shutting down.
    pub fn shutdown_receiver(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Begins ending long-lived responses; [`serve`] calls this when its shutdown future
    /// resolves. Ordinary requests are unaffected and run to completion.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// A document of a document projection (through the projector's cache), or 404 naming
    /// the missing `what` and `id`.
    pub async fn view(
        &self,
        projection: &'static str,
        id: &str,
        what: &str,
    ) -> Result<Arc<serde_json::Value>, ApiError> {
        self.app
            .projector
            .doc(projection, id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no {what} {id}")))
    }

    /// Refuses a log position past the head (400 naming `field`): the log cannot yet say
    /// what it will hold there, and an answer for "now" would be taken for one for then.
    pub async fn within_log(
        &self,
        field: &'static str,
        position: i64,
        shown: &str,
    ) -> Result<(), ApiError> {
        if position > self.app.store.head() {
            // The cached head may lag another instance's appends: ask the database.
            let (head, _) = self.app.store.head_from_db().await?;
            if position > head {
                return Err(ApiError::bad_request(
                    field,
                    format!("{field} {shown} is beyond the end of the log (position {head})"),
                ));
            }
        }
        Ok(())
    }

    /// Waits (bounded) until projections include `min`, for read-your-writes.
    pub async fn read_after(&self, min: Option<i64>) -> Result<(), ApiError> {
        let Some(min) = min else { return Ok(()) };
        self.within_log("min_position", min, &min.to_string())
            .await?;
        if self
            .app
            .projector
            .wait_for(min, self.app.settings.read_wait)
            .await
        {
            Ok(())
        } else {
            Err(ApiError::unavailable(format!(
                "the read models have not reached position {min} yet (they are at {}); retry shortly",
                self.app.projector.position()
            )))
        }
    }
}

/// Builds the metadata of a command from who sent it and how.
pub fn command_context(p: &Principal, h: CommandHeaders, hash: RequestHash) -> CommandContext {
    CommandContext {
        actor: p.actor(),
        role: p.role.as_str().to_owned(),
        on_behalf_of: p.on_behalf_of(),
        correlation_id: h
            .correlation_id
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
        causation_id: h.causation_id,
        idempotency_key: h.idempotency_key,
        request_hash: hash.0,
        expected_version: h.expected_version,
    }
}

/// The API's routes: each handler says its method and path (`#[utoipa::path]`), and the
/// OpenAPI document's paths are generated from these.
pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .merge(system::router())
        .merge(audit::router())
        .merge(stream::router())
        .merge(frameworks::router())
        .merge(contacts::router())
        .merge(annex::router())
        .merge(reporting::router())
        .merge(funds::router())
        .merge(documents::router())
        .merge(submissions::router())
        .merge(capacity::router())
        .merge(participation::router())
        .merge(amendments::router())
        .merge(meetings::router())
        .merge(exports::router())
        .merge(openapi::router())
}

pub fn router(state: AppState) -> Router {
    let (api, _) = routes().split_for_parts();
    api.merge(crate::web::router())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            axum::response::IntoResponse::into_response(ApiError::internal("a handler panicked"))
        }))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

/// Serves until `shutdown` completes, then stops accepting connections, ends live streams
/// (which would otherwise never finish) and lets in-flight requests, commands included, run
/// to completion before returning.
///
/// HTTP/1.1 on hyper directly rather than `axum::serve`: every open connection is a live
/// screen's, ten thousand of them in a large hall, and what each one holds counts. Serving
/// the `Router` re-applied its state per connection (a copy of the route table, about 25 KB),
/// and axum's HTTP/2 detection hands hyper the first bytes separately, which doubles the
/// connection's read buffer to 16 KB. Here each connection clones the built router (an
/// `Arc`) and reads into 8 KB. (HTTP/2 needs TLS in browsers, which a proxy in front ends.)
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::Listener;
    use hyper_util::rt::TokioIo;
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    let signal = state.clone();
    let app = router(state);
    let graceful = GracefulShutdown::new();
    let mut listener = listener;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // `Listener::accept` retries (after a pause) on errors such as too many open files.
        let (io, addr) = tokio::select! {
            conn = Listener::accept(&mut listener) => conn,
            () = &mut shutdown => break,
        };
        // The peer's address, for the limit on reads without a credential.
        let service = tower::ServiceExt::map_request(
            app.clone(),
            move |mut r: axum::http::Request<hyper::body::Incoming>| {
                r.extensions_mut().insert(axum::extract::ConnectInfo(addr));
                r
            },
        );
        let conn = hyper::server::conn::http1::Builder::new().serve_connection(
            // hyper's own bare answer to a head it cannot parse becomes problem+json.
            TokioIo::new(conn::Guarded::new(io)),
            TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::trace!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    signal.begin_shutdown();
    graceful.shutdown().await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// How long live streams keep connections open with keep-alive comments.
pub const SSE_KEEPALIVE: Duration = Duration::from_secs(15);
