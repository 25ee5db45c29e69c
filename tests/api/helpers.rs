//! `spawn_app`: the real server on a random port, on a fresh database per test.
#![allow(dead_code, unused_macros, unused_imports)]

use std::sync::Arc;

use plenary::app::{App, Settings};
use plenary::service::{Options, Service};
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
    service: Service,
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_from(backend, &[]).await
}

/// A service on a fresh database that holds `log`, imported as it was recorded (an
/// earlier Plenary's export, say).
pub async fn spawn_app_from(
    backend: Backend,
    log: &[plenary::store::StoredEvent],
) -> Option<TestApp> {
    let db = TestDb::new(backend)?;
    if !log.is_empty() {
        plenary::store::import::import(db.open().await, log)
            .await
            .expect("the log imports");
    }
    let store = db.open().await;
    let app = App::with_store(store, Settings::default());
    // The service as `plenary serve` starts it.
    let service = Service::start(app.clone(), Options::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = service.serve_in_background(listener);
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
        service,
    })
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.service.ask_to_stop();
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

/// The response's content type ("" if none).
pub fn content_type(res: &Response) -> String {
    res.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
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
    let ct = content_type(&r);
    assert_eq!(ct, "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["type"].as_str().unwrap().starts_with("/problems/"),
        "{body}"
    );
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}

/// Declares one test per backend for each `async fn name(app: TestApp)`. With
/// `PLENARY_TEST_POSTGRES` set, the Postgres half runs (and fails if it cannot connect).
macro_rules! e2e_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(crate::helpers::spawn_app(crate::common::Backend::Sqlite).await.unwrap()).await; }
        )* }
        mod postgres { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let Some(app) = crate::helpers::spawn_app(crate::common::Backend::Postgres).await else {
                    eprintln!("skipped: set {} to run the Postgres half", crate::common::PG_ENV);
                    return;
                };
                super::$name(app).await;
            }
        )* }
    };
}
pub(crate) use e2e_tests;

/// The demo's client, over real HTTP to the spawned server.
pub struct Http {
    pub base: String,
    pub client: Client,
}

#[async_trait::async_trait]
impl plenary::demo::Client for Http {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        let method = Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut r = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.map_err(|e| e.to_string())?;
        let status = res.status().as_u16();
        let bytes = res.bytes().await.map_err(|e| e.to_string())?;
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Ok((status, v))
    }

    async fn upload(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(u16, Value), String> {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status().as_u16();
        let v = res.json().await.unwrap_or(Value::Null);
        Ok((status, v))
    }
}

impl TestApp {
    pub fn http(&self) -> Http {
        Http {
            base: self.base.clone(),
            client: self.client.clone(),
        }
    }

    /// Loads the demo scenario through the HTTP server; returns its tokens and outcome,
    /// after the read models and the reactor have settled.
    pub async fn load_demo(&self) -> (plenary::demo::Tokens, plenary::demo::Outcome) {
        let http = self.http();
        let tokens = plenary::demo::tokens(&http, &self.admin).await.unwrap();
        let outcome = plenary::demo::load(&http, &tokens, None).await.unwrap();
        self.settle().await;
        (tokens, outcome)
    }

    /// The head of the log, from the database.
    pub async fn head(&self) -> i64 {
        self.app.store.head_from_db().await.unwrap().0
    }

    /// Waits until the projections include the whole log.
    pub async fn settle(&self) {
        let head = self.head().await;
        assert!(
            self.app
                .projector
                .wait_for(head, std::time::Duration::from_secs(30))
                .await,
            "projections did not reach {head}"
        );
    }

    /// POST with a JSON body, returning (status, content type, JSON).
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, String, Value) {
        let mut r = self.req(method, path, token);
        if let Some(b) = body {
            r = r.json(b);
        }
        let res = r.send().await.unwrap();
        let status = res.status();
        let ct = content_type(&res);
        let bytes = res.bytes().await.unwrap();
        let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, ct, v)
    }
}

/// Credentials of a small world: one body of eight States and one convened meeting.
pub struct Small {
    pub sec: String,
    pub chair: String,
    pub nor: String,
    pub bra: String,
    pub observer: String,
    pub auditor: String,
}

pub const SMALL_BODY: &str = "b-1";
pub const SMALL_MEETING: &str = "m-1";
pub const SMALL_MEMBERS: [&str; 8] = ["NOR", "BRA", "DEU", "FRA", "JPN", "KEN", "MEX", "IND"];

impl TestApp {
    /// Establishes body `b-1` and convenes meeting `m-1`, with `title` as the meeting title.
    pub async fn small_world(&self, title: &str) -> Small {
        let s = Small {
            sec: self.token("secretariat", None).await,
            chair: self.token("chair", Some(SMALL_MEETING)).await,
            nor: self.token("delegate", Some("NOR")).await,
            bra: self.token("delegate", Some("BRA")).await,
            observer: self.token("observer", Some("icrc")).await,
            auditor: self.token("auditor", None).await,
        };
        let r = self
            .post(
                &format!("/api/v1/bodies/{SMALL_BODY}/commands"),
                &s.sec,
                serde_json::json!({ "EstablishBody": { "body_id": SMALL_BODY, "name": "Body one",
                    "parent_body": null, "founding_document": null, "members": SMALL_MEMBERS, "rules": null } }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let r = self
            .post(
                &format!("/api/v1/meetings/{SMALL_MEETING}/commands"),
                &s.sec,
                serde_json::json!({ "Convene": { "meeting_id": SMALL_MEETING, "body_id": SMALL_BODY,
                    "kind": "PeriodicMeeting", "symbol": "B/M.1/2027", "title": title,
                    "starts": "2027-07-12", "ends": "2027-07-16", "venue": "Geneva",
                    "chair": { "name": "Ambassador Y", "state": "DEU" }, "programme_link": null } }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        s
    }
}
