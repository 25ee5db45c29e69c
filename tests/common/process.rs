//! Running the real `plenary` binary against a fresh database, and checking the log after
//! faults. Shared by the fault tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use plenary::app::{App, Settings};
use plenary::projections::{audit, docs};
use plenary::store::{credentials, EventStore};
use serde_json::{json, Value};

use super::{Backend, PG_ENV};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    child: Option<Child>,
    pub url: String,
    pub port: u16,
}

impl Server {
    pub fn start(database: &str, port: u16) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_plenary"))
            .args([
                "--database",
                database,
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start plenary");
        Self {
            child: Some(child),
            url: format!("http://127.0.0.1:{port}"),
            port,
        }
    }

    pub async fn wait_healthy(&self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = client.get(format!("{}/health", self.url)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("server on port {} did not become healthy", self.port);
    }

    /// SIGKILL: no graceful shutdown, no flushing, exactly what a crash does.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fresh database for the servers: a SQLite file, or a Postgres database of its own.
pub struct Db {
    pub url: String,
    admin_url: Option<String>,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    pub async fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("faults.db").display());
                Some(Self {
                    url,
                    admin_url: None,
                    name: String::new(),
                    _dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let base = std::env::var(PG_ENV).ok()?;
                let name = format!("plenary_faults_{}", uuid::Uuid::new_v4().simple());
                use sqlx::Executor;
                let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&base)
                    .await
                    .expect("postgres reachable");
                c.execute(format!("create database {name}").as_str())
                    .await
                    .unwrap();
                let url = match base.rfind('/') {
                    Some(i) => format!("{}/{name}", &base[..i]),
                    None => panic!("{PG_ENV} must name a database"),
                };
                Some(Self {
                    url,
                    admin_url: Some(base),
                    name,
                    _dir: None,
                })
            }
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let Some(admin) = self.admin_url.clone() else {
            return;
        };
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                use sqlx::Executor;
                let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .ok()?;
                c.execute(format!("drop database if exists {name} with (force)").as_str())
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// Creates the credentials and the body the load acts on.
pub async fn prepare(url: &str) -> (String, String) {
    let store = EventStore::open(url).await.unwrap();
    let (_, admin) = credentials::create(store.db(), "admin", None, "fault test admin")
        .await
        .unwrap();
    let (_, secretariat) =
        credentials::create(store.db(), "secretariat", None, "fault test secretariat")
            .await
            .unwrap();
    store.close().await;
    (admin, secretariat)
}

pub async fn establish(client: &reqwest::Client, base: &str, token: &str) {
    let r = client
        .post(format!("{base}/api/v1/bodies/poa/commands"))
        .bearer_auth(token)
        .header("idempotency-key", "establish")
        .json(&json!({ "EstablishBody": { "body_id": "poa", "name": "Programme of Action", "parent_body": null,
            "founding_document": null, "members": ["NOR", "BRA", "EGY"], "rules": null } }))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "{}",
        r.text().await.unwrap_or_default()
    );
}

/// Sends one command until it is acknowledged, retrying with the same idempotency key
/// through crashes. Returns the positions it was acknowledged with.
pub async fn send_until_acked(
    client: &reqwest::Client,
    bases: &[String],
    token: &str,
    key: &str,
    body: &Value,
) -> Vec<i64> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut attempt = 0usize;
    loop {
        assert!(
            Instant::now() < deadline,
            "command {key} never acknowledged"
        );
        let base = &bases[attempt % bases.len()];
        attempt += 1;
        let r = client
            .post(format!("{base}/api/v1/bodies/poa/commands"))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match r {
            Ok(r) if r.status().is_success() => {
                let v: Value = r.json().await.unwrap();
                return v["positions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_i64().unwrap())
                    .collect();
            }
            Ok(r) if r.status().is_server_error() || r.status() == 409 => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok(r) => panic!(
                "command {key} refused: {} {}",
                r.status(),
                r.text().await.unwrap_or_default()
            ),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Everything that must hold after the faults.
pub async fn check_log(url: &str, acked: &BTreeMap<String, Vec<i64>>) {
    let store = EventStore::open(url).await.unwrap();
    let report = store.verify().await.unwrap();
    assert!(report.ok(), "hash chain: {:?}", report.problem);
    let events = store.read_stream("Body", "poa", 0).await.unwrap();
    let mut seen = BTreeSet::new();
    for e in events
        .iter()
        .filter(|e| e.event_type == "ObserverRegistered")
    {
        let id = plenary::projections::payload_fields(e).unwrap()["observer_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(seen.insert(id.clone()), "observer {id} registered twice");
    }
    for (key, positions) in acked {
        assert!(
            seen.contains(key),
            "acknowledged command {key} is missing from the log"
        );
        for p in positions {
            assert!(
                events.iter().any(|e| e.position == *p),
                "acknowledged position {p} of {key} is missing"
            );
        }
    }
    assert_eq!(
        seen.len(),
        acked.len(),
        "only acknowledged commands are in the log"
    );

    // Projections equal a rebuild from the log.
    let app = App::with_store(store.clone(), Settings::default());
    app.projector.catch_up().await.unwrap();
    let live = (
        audit::dump(store.db()).await.unwrap(),
        docs::dump(store.db()).await.unwrap(),
    );
    app.projector.rebuild(None).await.unwrap();
    let rebuilt = (
        audit::dump(store.db()).await.unwrap(),
        docs::dump(store.db()).await.unwrap(),
    );
    assert_eq!(live, rebuilt, "projections equal a rebuild");
    store.close().await;
}
