//! Graceful shutdown with live stream watchers: `serve` must return promptly after its shutdown
//! future resolves even while clients hold `/api/v1/stream` open, and those streams must end
//! cleanly (so the clients can resume with Last-Event-ID elsewhere).

use std::time::Duration;

use futures_util::StreamExt;
use plenary::api;
use plenary::app::{App, Settings};
use plenary::service::{Options, Service};
use plenary::store::credentials;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Backend, TestDb, PG_ENV};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_shutdown_ends_live_streams() {
    shutdown_ends_live_streams(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_shutdown_ends_live_streams() {
    shutdown_ends_live_streams(Backend::Postgres).await;
}

async fn shutdown_ends_live_streams(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        eprintln!("skipped: set {PG_ENV} to run the Postgres half");
        return;
    };
    let store = db.open().await;
    let app = App::with_store(store, Settings::default());
    let service = Service::start(app.clone(), Options::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(api::serve(listener, service.state.clone(), async {
        let _ = stopped.await;
    }));
    let (_, secretariat) = credentials::create(app.store.db(), "secretariat", None, "sec")
        .await
        .unwrap();
    let (_, observer) = credentials::create(app.store.db(), "observer", Some("icrc"), "obs")
        .await
        .unwrap();
    let client = reqwest::Client::new();

    // Two watchers: one on everything, one on a meeting that never has events (idle forever).
    let mut streams = Vec::new();
    for (path, token) in [
        ("/api/v1/stream?after=0", &secretariat),
        ("/api/v1/stream?meeting=nowhere", &observer),
    ] {
        let r = client
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        streams.push(r.bytes_stream());
    }

    // The first stream is live: a command's event reaches it.
    let r = client
        .post(format!("{base}/api/v1/bodies/oewg/commands"))
        .bearer_auth(&secretariat)
        .json(&json!({ "EstablishBody": { "body_id": "oewg", "name": "Open-ended working group",
            "parent_body": null, "founding_document": null, "members": ["NOR", "BRA"], "rules": null } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while !text.contains("id: 1\n") {
            let chunk = streams[0].next().await.unwrap().unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
    .expect("the stream delivered the event");

    // Shut down while both watchers are connected.
    let asked = std::time::Instant::now();
    stop.send(()).unwrap();
    let served = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stopped within 5 s with live stream clients connected");
    served.unwrap().unwrap();
    eprintln!(
        "server stopped {:?} after the shutdown signal",
        asked.elapsed()
    );

    // Both streams ended (cleanly or by the connection closing) rather than hanging.
    for (i, mut s) in streams.into_iter().enumerate() {
        tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(chunk) = s.next().await {
                if chunk.is_err() {
                    break;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("stream {i} ended after shutdown"));
    }
    // Nothing listens any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    service.stop().await;
}
