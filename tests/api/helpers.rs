//! `spawn_app`: the real server on a random port, on a fresh database per test.
#![allow(dead_code)]

use std::sync::Arc;

use plenary::api::{self, AppState};
use plenary::app::{App, Settings};
use plenary::store::credentials;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

use crate::common::{Backend, TestDb};

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub app: Arc<App>,
    pub admin: String,
    pub db: TestDb,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    projector_stop: tokio::sync::watch::Sender<bool>,
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let db = TestDb::new(backend)?;
    let store = db.open().await;
    let app = App::with_store(store, Settings::default());
    let (projector_stop, rx) = tokio::sync::watch::channel(false);
    app.projector.spawn(rx.clone());
    plenary::app::reactor::Reactor::new(app.clone()).spawn(rx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(app.clone());
    tokio::spawn(async move {
        api::serve(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    let (_, admin) = credentials::create(app.store.db(), "admin", None, "test admin")
        .await
        .unwrap();
    Some(TestApp {
        base,
        client: Client::new(),
        app,
        admin,
        db,
        stop: Some(stop),
        projector_stop,
    })
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = self.projector_stop.send(true);
    }
}

impl TestApp {
    pub fn req(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let r = self.client.request(method, format!("{}{path}", self.base));
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.req(Method::GET, path, Some(token))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.req(Method::POST, path, Some(token))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Issues a credential through the API, as an admin would.
    pub async fn token(&self, role: &str, scope: Option<&str>) -> String {
        let r = self
            .post("/api/v1/credentials", &self.admin, serde_json::json!({ "role": role, "scope": scope, "label": format!("{role} {}", scope.unwrap_or("")) }))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Asserts a problem+json response and returns its body.
pub async fn problem(r: Response, status: StatusCode) -> Value {
    if r.status() != status {
        panic!(
            "unexpected status {} (wanted {status}): {}",
            r.status(),
            r.text().await.unwrap_or_default()
        );
    }
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["type"].as_str().unwrap().starts_with("/problems/"),
        "{body}"
    );
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}
