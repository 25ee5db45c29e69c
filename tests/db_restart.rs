//! PostgreSQL restarted under load. While it is down the service answers 503 with Retry-After
//! (never 500) and `/ready` says so; when it is back the service recovers by itself, with
//! nothing lost and nothing duplicated.
//!
//! It restarts the machine's PostgreSQL, so it runs only when `PLENARY_TEST_PG_RESTART=1`
//! (`.ci/run` sets it; this binary has no other test, so nothing else is running then).

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use common::process::{check_log, establish, free_port, prepare, send_until_acked, Db, Server};
use common::Backend;

fn pg_ctl(action: &str) {
    let version = std::fs::read_dir("/etc/postgresql")
        .expect("/etc/postgresql")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .max()
        .expect("a PostgreSQL cluster");
    let ok = std::process::Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", &version, "main", action])
        .status()
        .expect("pg_ctlcluster")
        .success();
    assert!(ok, "pg_ctlcluster {action} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restart_under_load_gives_503_then_recovers() {
    if std::env::var("PLENARY_TEST_PG_RESTART").as_deref() != Ok("1") {
        eprintln!("skipped: set PLENARY_TEST_PG_RESTART=1 to restart PostgreSQL under load");
        return;
    }
    let db = Db::new(Backend::Postgres)
        .await
        .expect("PLENARY_TEST_POSTGRES must be set");
    let (_, secretariat) = prepare(&db.url).await;
    let client = reqwest::Client::new();
    let server = Server::start(&db.url, free_port());
    server.wait_healthy(&client).await;
    establish(&client, &server.url, &secretariat).await;

    let acked: Arc<Mutex<BTreeMap<String, Vec<i64>>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..4 {
        let (client, base, token, acked, stop) = (
            client.clone(),
            server.url.clone(),
            secretariat.clone(),
            acked.clone(),
            stop.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let key = format!("obs-{c}-{i}");
                let body = json!({ "RegisterObserver": { "observer_id": key, "name": format!("Observer {c}/{i}") } });
                let positions = send_until_acked(&client, std::slice::from_ref(&base), &token, &key, &body).await;
                acked.lock().unwrap().insert(key, positions);
                i += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    pg_ctl("stop");
    // While it is down: 503 with Retry-After for commands, and /ready reflects the outage.
    let mut saw_503 = false;
    for i in 0..20 {
        let r = client
            .post(format!("{}/api/v1/bodies/poa/commands", server.url))
            .bearer_auth(&secretariat)
            .header("idempotency-key", format!("during-outage-{i}"))
            .json(&json!({ "RegisterObserver": { "observer_id": format!("outage-{i}"), "name": "During the outage" } }))
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .expect("the service answers while the database is down");
        assert!(
            r.status() != 500,
            "a database outage is not an internal error"
        );
        if r.status() == 503 {
            assert!(
                r.headers().contains_key("retry-after"),
                "503 carries Retry-After"
            );
            saw_503 = true;
            break;
        }
    }
    assert!(
        saw_503,
        "commands are refused with 503 while the database is down"
    );
    let ready = client
        .get(format!("{}/ready", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503, "/ready reflects the outage");
    assert_eq!(
        ready.headers()["content-type"],
        "application/problem+json",
        "/ready's 503 is a problem like every other error"
    );
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["type"], "/problems/not-ready", "{body}");
    assert_eq!(body["database"], "unreachable", "{body}");
    pg_ctl("start");

    // Back up: the service recovers by itself and the load goes on.
    let before = acked.lock().unwrap().len();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < before + 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the service did not recover"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready = client
        .get(format!("{}/ready", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "/ready recovers");
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    drop(server);
    let mut acked = acked.lock().unwrap().clone();
    // Commands refused with 503 during the outage were not acknowledged: they must not be in
    // the log, unless a retry with the same key later succeeded.
    acked.retain(|k, _| !k.starts_with("during-outage"));
    check_log(&db.url, &acked).await;
}
