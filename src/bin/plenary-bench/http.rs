//! The end-to-end HTTP benchmark: a real server (in this process, on a loopback port) driven
//! over HTTP with authenticated commands by concurrent clients.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client as HyperClient};
use hyper_util::rt::TokioExecutor;
use plenary::api::{self, AppState};
use plenary::app::{reactor::Reactor, App, Settings};
use plenary::demo::{self, Client};
use plenary::projections::{audit, docs};
use plenary::store::{credentials, EventStore};
use serde_json::{json, Value};

use crate::stats::{ms, percentile};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// sqlite, postgres or both.
    #[arg(long, default_value = "both")]
    backend: String,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// Clients in the mixed load.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Clients acting on one meeting in the contention run.
    #[arg(long, default_value_t = 16)]
    contention_clients: usize,
    /// Meetings the mixed load is spread over.
    #[arg(long, default_value_t = 16)]
    meetings: usize,
    /// Seconds per run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// A keep-alive HTTP/1.1 client.
#[derive(Clone)]
pub struct Http {
    client: HyperClient<HttpConnector, Full<Bytes>>,
    base: String,
}

impl Http {
    fn new(base: String) -> Self {
        let mut c = HttpConnector::new();
        c.set_nodelay(true);
        Self {
            client: HyperClient::builder(TokioExecutor::new())
                .pool_max_idle_per_host(256)
                .build(c),
            base,
        }
    }
}

#[async_trait::async_trait]
impl Client for Http {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {token}"));
        let bytes = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Bytes::from(b.to_string())
            }
            None => Bytes::new(),
        };
        let res = self
            .client
            .request(req.body(Full::new(bytes)).map_err(|e| e.to_string())?)
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status().as_u16();
        let body = res
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }
}

pub async fn run(a: Args) -> Result<(), Box<dyn std::error::Error>> {
    let backends: Vec<&str> = match a.backend.as_str() {
        "both" => vec!["sqlite", "postgres"],
        b => vec![b],
    };
    for b in backends {
        let dir = std::env::temp_dir().join(format!(
            "plenary-http-bench-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir)?;
        let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
        let store = match b {
            "sqlite" => EventStore::open(&format!("sqlite://{}/bench.db", dir.display())).await?,
            _ => EventStore::open_postgres(&a.postgres, Some(&schema)).await?,
        };
        println!("\n## backend: {b}");
        let result = bench(&a, store.clone()).await;
        store.close().await;
        if b != "sqlite" {
            use sqlx::{Connection, Executor};
            if let Ok(mut c) = sqlx::PgConnection::connect(&a.postgres).await {
                let _ = c
                    .execute(format!("drop schema if exists {schema} cascade").as_str())
                    .await;
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        result.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// One client's view of what it did.
#[derive(Default)]
struct Tally {
    commands: Vec<Duration>,
    reads: Vec<Duration>,
    conflicts: usize,
    refused: Vec<String>,
    acked: Vec<Vec<i64>>,
}

async fn bench(a: &Args, store: EventStore) -> Result<(), Error> {
    let app = App::with_store(store.clone(), Settings::default());
    let (stop, rx) = tokio::sync::watch::channel(false);
    app.projector.spawn(rx.clone());
    Reactor::new(app.clone()).spawn(rx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = AppState::new(app.clone());
    tokio::spawn(async move {
        let _ = api::serve(listener, state, std::future::pending()).await;
    });
    let http = Http::new(base);

    // The demo scenario gives a body with 70 members, a framework at version 3 and tokens.
    let (_, admin) = credentials::create(store.db(), "admin", None, "bench admin").await?;
    let tokens = demo::tokens(&http, &admin).await?;
    demo::load(&http, &tokens).await?;
    let present: Vec<String> = demo::CO_SPONSORS
        .iter()
        .take(45)
        .map(|s| s.to_string())
        .collect();
    let meetings = a.meetings.max(1);
    let mut chairs = Vec::new();
    for m in 0..meetings {
        chairs
            .push(setup_meeting(&http, &tokens, &admin, &format!("bench-m-{m}"), &present).await?);
    }

    println!("\n| run | clients | commands/s | reads/s | p50 ms | p95 ms | p99 ms | conflicts | refused |\n|---|---|---|---|---|---|---|---|---|");
    let mixed = drive(
        &http, &tokens, &chairs, &present, a.clients, meetings, a.seconds,
    )
    .await?;
    report("mixed", a.clients, &mixed, a.seconds);
    let contention = drive(
        &http,
        &tokens,
        &chairs,
        &present,
        a.contention_clients,
        1,
        a.seconds,
    )
    .await?;
    report("one meeting", a.contention_clients, &contention, a.seconds);
    println!("targets (Postgres): mixed >= 5,000 commands/s at 32 clients with p99 <= 50 ms; one meeting >= 2,000 commands/s with 16 clients and 0 conflicts");

    // Every acknowledged command is in the log, once; projections equal a rebuild.
    let mut positions: Vec<i64> = mixed
        .iter()
        .chain(contention.iter())
        .flat_map(|t| t.acked.iter().flatten().copied())
        .collect();
    let n = positions.len();
    positions.sort();
    positions.dedup();
    if positions.len() != n {
        return Err("two acknowledged commands share a log position".into());
    }
    let head = store.head_from_db().await?.0;
    let mut missing = 0;
    let mut after = 0;
    let mut want = positions.iter().peekable();
    while want.peek().is_some() {
        let page = store.read_all(after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for e in &page {
            while want.peek().is_some_and(|p| **p < e.position) {
                want.next();
                missing += 1;
            }
            if want.peek() == Some(&&e.position) {
                want.next();
            }
        }
    }
    missing += want.count();
    if !app.projector.wait_for(head, Duration::from_secs(120)).await {
        return Err("projections did not catch up".into());
    }
    let live = (
        audit::dump(store.db()).await?,
        docs::dump(store.db()).await?,
    );
    let _ = stop.send(true);
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.projector.rebuild(None).await?;
    let rebuilt = (
        audit::dump(store.db()).await?,
        docs::dump(store.db()).await?,
    );
    let verify = store.verify().await?;
    println!(
        "\nafter the load: {n} acknowledged command events, {missing} missing from the log; projections {} a rebuild; hash chain {} ({} events)",
        if live == rebuilt { "equal" } else { "DIFFER from" },
        if verify.ok() { "verifies" } else { "BROKEN" },
        verify.events_checked
    );
    if missing > 0 || live != rebuilt || !verify.ok() {
        return Err("post-load checks failed".into());
    }
    Ok(())
}

fn report(name: &str, clients: usize, tallies: &[Tally], seconds: u64) {
    let mut cmds: Vec<Duration> = tallies
        .iter()
        .flat_map(|t| t.commands.iter().copied())
        .collect();
    let reads: usize = tallies.iter().map(|t| t.reads.len()).sum();
    let conflicts: usize = tallies.iter().map(|t| t.conflicts).sum();
    let refused: Vec<&String> = tallies.iter().flat_map(|t| t.refused.iter()).collect();
    cmds.sort();
    println!(
        "| {name} | {clients} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} | {conflicts} | {} |",
        cmds.len() as f64 / seconds as f64,
        reads as f64 / seconds as f64,
        ms(percentile(&cmds, 0.5)),
        ms(percentile(&cmds, 0.95)),
        ms(percentile(&cmds, 0.99)),
        refused.len()
    );
    if let Some(first) = refused.first() {
        println!("  first refusal: {first}");
    }
}

/// Convenes and opens a meeting with an adopted agenda and item 3 under consideration.
async fn setup_meeting(
    http: &Http,
    t: &demo::Tokens,
    admin: &str,
    id: &str,
    present: &[String],
) -> Result<String, Error> {
    let (status, v) = http
        .send(
            "POST",
            "/api/v1/credentials",
            admin,
            Some(json!({ "role": "chair", "scope": id, "label": format!("Chair of {id}") })),
        )
        .await?;
    if status != 201 {
        return Err(format!("chair credential: {status} {v}").into());
    }
    let chair = v["token"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/meetings/{id}/commands");
    let ok = |status: u16, v: &Value, what: &str| -> Result<(), Error> {
        if status == 200 {
            Ok(())
        } else {
            Err(format!("{what}: {status} {v}").into())
        }
    };
    let (s, v) = http.send("POST", &path, &t.secretariat, Some(json!({ "Convene": {
        "meeting_id": id, "body_id": demo::BODY, "kind": "PeriodicMeeting", "symbol": format!("PoA/B/{}", id.trim_start_matches("bench-m-")),
        "title": "Bench meeting", "starts": "2027-01-01", "ends": "2027-01-05", "venue": "Geneva",
        "chair": { "name": "Bench chair", "state": null }, "programme_link": null } }))).await?;
    ok(s, &v, "convene")?;
    for st in present {
        let (s, v) = http
            .send(
                "POST",
                &path,
                &t.secretariat,
                Some(json!({ "MarkPresent": { "state": st } })),
            )
            .await?;
        ok(s, &v, "present")?;
    }
    for cmd in [
        json!({ "IssueProvisionalAgenda": { "items": [
            { "number": 1, "title": "Opening", "nature": "Procedural", "documents": [] },
            { "number": 3, "title": "General exchange of views", "nature": "Substantive", "documents": [] } ] } }),
        json!({ "Open": {} }),
        json!({ "AdoptAgenda": {} }),
        json!({ "TakeUpItem": { "item": 3 } }),
    ] {
        let (s, v) = http.send("POST", &path, &chair, Some(cmd)).await?;
        ok(s, &v, "prepare")?;
    }
    Ok(chair)
}

/// Runs `clients` clients for `seconds`, client c acting in meeting c % meetings.
async fn drive(
    http: &Http,
    t: &demo::Tokens,
    chairs: &[String],
    present: &[String],
    clients: usize,
    meetings: usize,
    seconds: u64,
) -> Result<Vec<Tally>, Error> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    let run = uuid::Uuid::new_v4().simple().to_string();
    for c in 0..clients {
        let (http, stop, run) = (http.clone(), stop.clone(), run.clone());
        let m = c % meetings;
        let meeting = format!("bench-m-{m}");
        let chair = chairs[m].clone();
        let state = present[c % present.len()].clone();
        let delegate = t.delegates[&state].clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut inscribed = false;
            let mut i = 0u64;
            let path = format!("/api/v1/meetings/{meeting}/commands");
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let (token, method, p, body) = match i % 10 {
                    0..=3 => {
                        let cmd = if inscribed { "WithdrawSpeaker" } else { "InscribeSpeaker" };
                        (&delegate, "POST", path.clone(), Some(json!({ cmd: { "item": 3, "speaker": { "State": state } } })))
                    }
                    4 => (&chair, "POST", path.clone(), Some(json!({ "SetSpeakingTime": { "item": 3, "seconds": 60 + i % 240 } }))),
                    5 => (&delegate, "POST", format!("/api/v1/amendments/am-{run}-{c}-{i}/commands"), Some(json!({ "Propose": {
                        "framework_id": demo::BODY, "proposer": state, "co_sponsors": [], "title": "Bench amendment", "base_version": 3,
                        "operations": [{ "op": "replace_paragraph", "paragraph": "OP-4", "text": format!("Establishes a repository of national points of contact, version {i};") }] } }))),
                    6 | 7 => (&delegate, "GET", format!("/api/v1/meetings/{meeting}/agenda"), None),
                    8 => (&delegate, "GET", format!("/api/v1/frameworks/{}", demo::BODY), None),
                    _ => (&delegate, "GET", format!("/api/v1/meetings/{meeting}"), None),
                };
                let started = Instant::now();
                let r = http.send(method, &p, token, body).await;
                let took = started.elapsed();
                match r {
                    Ok((200, v)) if method == "POST" => {
                        tally.commands.push(took);
                        if i % 10 <= 3 {
                            inscribed = !inscribed;
                        }
                        let pos: Vec<i64> = v["positions"].as_array().map(|a| a.iter().filter_map(Value::as_i64).collect()).unwrap_or_default();
                        tally.acked.push(pos);
                    }
                    Ok((200, _)) => tally.reads.push(took),
                    Ok((409, v)) if v["type"] == "/problems/concurrent-update" => tally.conflicts += 1,
                    Ok((status, v)) => tally.refused.push(format!("{method} {p}: {status} {v}")),
                    Err(e) => tally.refused.push(format!("{method} {p}: {e}")),
                }
            }
            tally
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await?);
    }
    Ok(out)
}
