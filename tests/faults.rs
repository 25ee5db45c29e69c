//! Fault tests against the real `plenary` binary: kill -9 under load with clients retrying by
//! idempotency key, and two server processes sharing one Postgres database.
//!
//! Afterwards every acknowledged command is in the log exactly once, nothing is in it twice,
//! the hash chain verifies and the projections equal a rebuild.

#[path = "common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plenary::app::{App, Settings};
use plenary::projections::{audit, docs};
use plenary::store::{credentials, EventStore};
use serde_json::{json, Value};

use common::{Backend, PG_ENV};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Option<Child>,
    url: String,
    port: u16,
}

impl Server {
    fn start(database: &str, port: u16) -> Self {
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

    async fn wait_healthy(&self, client: &reqwest::Client) {
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
    fn kill(&mut self) {
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
struct Db {
    url: String,
    admin_url: Option<String>,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    async fn new(backend: Backend) -> Option<Self> {
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
async fn prepare(url: &str) -> (String, String) {
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

async fn establish(client: &reqwest::Client, base: &str, token: &str) {
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
async fn send_until_acked(
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
async fn check_log(url: &str, acked: &BTreeMap<String, Vec<i64>>) {
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

async fn crash_under_load(backend: Backend) {
    let Some(db) = Db::new(backend).await else {
        eprintln!("skipped: set {PG_ENV} to run the Postgres half");
        return;
    };
    let (_, secretariat) = prepare(&db.url).await;
    let port = free_port();
    let client = reqwest::Client::new();
    let mut server = Server::start(&db.url, port);
    let base = server.url.clone();
    server.wait_healthy(&client).await;
    establish(&client, &base, &secretariat).await;

    let acked: Arc<Mutex<BTreeMap<String, Vec<i64>>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..8 {
        let (client, base, token, acked, stop) = (
            client.clone(),
            base.clone(),
            secretariat.clone(),
            acked.clone(),
            stop.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let key = format!("obs-{c}-{i}");
                let body = json!({ "RegisterObserver": { "observer_id": key, "name": format!("Observer {c}/{i}") } });
                let positions = send_until_acked(&client, std::slice::from_ref(&base), &token, &key, &body).await;
                acked.lock().unwrap().insert(key, positions);
                i += 1;
            }
        }));
    }
    // 20 crashes at random moments, each followed by a restart.
    let mut rng = 0x2545F4914F6CDD1Du64;
    for _ in 0..20 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        tokio::time::sleep(Duration::from_millis(150 + rng % 350)).await;
        server.kill();
        server = Server::start(&db.url, port);
        server.wait_healthy(&client).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    server.kill();
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 40,
        "the load made progress ({} commands)",
        acked.len()
    );
    check_log(&db.url, &acked).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_kill_9_under_load_loses_nothing() {
    crash_under_load(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_kill_9_under_load_loses_nothing() {
    crash_under_load(Backend::Postgres).await;
}

/// Two server processes on one Postgres database, load spread over both, all on one body.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_instances_share_one_log() {
    let Some(db) = Db::new(Backend::Postgres).await else {
        eprintln!("skipped: set {PG_ENV} to run the Postgres half");
        return;
    };
    let (_, secretariat) = prepare(&db.url).await;
    let client = reqwest::Client::new();
    let a = Server::start(&db.url, free_port());
    let b = Server::start(&db.url, free_port());
    a.wait_healthy(&client).await;
    b.wait_healthy(&client).await;
    establish(&client, &a.url, &secretariat).await;
    let bases = vec![a.url.clone(), b.url.clone()];

    // A live stream on A must see events appended through B.
    let mut stream = client
        .get(format!("{}/api/v1/stream?after=0", a.url))
        .bearer_auth(&secretariat)
        .send()
        .await
        .unwrap()
        .bytes_stream();

    let mut tasks = Vec::new();
    for c in 0..16 {
        let (client, bases, token) = (client.clone(), bases.clone(), secretariat.clone());
        tasks.push(tokio::spawn(async move {
            let mut acked = BTreeMap::new();
            for i in 0..15 {
                let key = format!("obs-{c}-{i}");
                let body = json!({ "RegisterObserver": { "observer_id": key, "name": format!("Observer {c}/{i}") } });
                // Alternate instances so the same stream is written from both processes.
                let order: Vec<String> = if (c + i) % 2 == 0 { bases.clone() } else { bases.iter().rev().cloned().collect() };
                let positions = send_until_acked(&client, &order, &token, &key, &body).await;
                acked.insert(key, positions);
            }
            acked
        }));
    }
    let mut acked = BTreeMap::new();
    for t in tasks {
        acked.extend(t.await.unwrap());
    }
    let last = acked.values().flatten().copied().max().unwrap();

    // Each instance's read models include the other's events.
    for base in &bases {
        let r: Value = client
            .get(format!("{base}/api/v1/bodies/poa?min_position={last}"))
            .bearer_auth(&secretariat)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            r["observers"].as_object().map(|o| o.len()),
            Some(acked.len()),
            "{base} sees every observer"
        );
    }
    use futures_util::StreamExt;
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(15), async {
        while !text.contains(&format!("id: {last}\n")) {
            text.push_str(&String::from_utf8_lossy(
                &stream.next().await.unwrap().unwrap(),
            ));
        }
    })
    .await
    .expect("the live stream on A carries events appended through B");
    drop((a, b));
    check_log(&db.url, &acked).await;
}
