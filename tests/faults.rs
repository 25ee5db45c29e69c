//! Fault tests against the real `plenary` binary: kill -9 under load with clients retrying by
//! idempotency key, and two server processes sharing one Postgres database.
//!
//! Afterwards every acknowledged command is in the log exactly once, nothing is in it twice,
//! the hash chain verifies and the projections equal a rebuild.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use common::process::{check_log, establish, free_port, prepare, send_until_acked, Db, Server};
use common::{Backend, PG_ENV};

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
