//! The end-to-end HTTP benchmark: a real server driven over HTTP with authenticated commands
//! by concurrent clients. The server is in this process on a loopback port, or (`--url`) an
//! already running `plenary serve`, or (the `memory` subcommand) a `plenary serve` child
//! process whose resident memory is measured after a large load.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client as HyperClient};
use hyper_util::rt::TokioExecutor;
use plenary::app::{App, Settings};
use plenary::demo::{self, Client};
use plenary::projections::{audit, docs};
use plenary::store::{credentials, EventStore};
use serde_json::{json, Value};

use crate::stats::{ms, percentile};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// sqlite, postgres or both (in-process server only; ignored with --url).
    #[arg(long, default_value = "both")]
    backend: String,
    /// PostgreSQL server for the postgres backend (a fresh schema is created and dropped).
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
    /// Seconds per load run (mixed, contention).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Drive an already running `plenary serve` at this base URL (e.g. http://10.0.0.5:8080)
    /// instead of a server in this process. Needs --token. Loads the demo scenario first
    /// unless its body already exists; bench meetings and amendments get fresh ids each run,
    /// so it can be repeated against the same deployment (it adds data to it). After the load
    /// it checks over HTTP that every acknowledged event is in the audit history once and
    /// that the hash chain verifies; the projections-equal-a-rebuild check needs the
    /// in-process mode.
    #[arg(long)]
    url: Option<String>,
    /// An admin token of the server given with --url (create one with
    /// `plenary token create --role admin --label bench`); the bench issues the chair,
    /// secretariat and delegate credentials it needs with it.
    #[arg(long, env = "PLENARY_BENCH_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Runs to do, comma-separated: mixed, contention, reads (fixed-rate projection reads).
    #[arg(long, value_delimiter = ',', default_value = "mixed,contention,reads")]
    runs: Vec<String>,
    /// Requests per second in the fixed-rate read run.
    #[arg(long, default_value_t = 500)]
    rate: u32,
    /// Seconds of the fixed-rate read run.
    #[arg(long, default_value_t = 10)]
    rate_seconds: u64,
}

#[derive(Debug, clap::Args)]
pub struct MemoryArgs {
    /// The `plenary` binary to start [default: `plenary` next to this benchmark's binary].
    #[arg(long)]
    plenary: Option<PathBuf>,
    /// Events to load through the server's API before measuring.
    #[arg(long, default_value_t = 1_000_000)]
    events: i64,
    /// sqlite or postgres: where the child server keeps its log (a fresh database, deleted
    /// afterwards).
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// PostgreSQL server for the postgres backend (a fresh database is created and dropped).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// Concurrent clients loading the events.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Meetings the load is spread over.
    #[arg(long, default_value_t = 16)]
    meetings: usize,
    /// Requests per second in the fixed-rate read round after the load.
    #[arg(long, default_value_t = 500)]
    rate: u32,
    /// Seconds of the fixed-rate read round.
    #[arg(long, default_value_t = 10)]
    rate_seconds: u64,
    /// Idle seconds before a second read round, which shows reads once the database has
    /// settled after the load (0: no second round).
    #[arg(long, default_value_t = 60)]
    settle_seconds: u64,
}

pub(crate) type Error = Box<dyn std::error::Error + Send + Sync>;

/// A keep-alive HTTP/1.1 client.
#[derive(Clone)]
pub(crate) struct Http {
    client: HyperClient<HttpConnector, Full<Bytes>>,
    base: String,
}

impl Http {
    pub(crate) fn new(base: String) -> Self {
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

impl Http {
    /// The status and the whole body of a request.
    pub(crate) async fn request(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<(u16, Bytes), String> {
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
        self.exchange(req, bytes).await
    }

    /// Sends `req` with `body`: the status and the whole body of the answer, as sent.
    async fn exchange(
        &self,
        req: hyper::http::request::Builder,
        body: Bytes,
    ) -> Result<(u16, Bytes), String> {
        let res = self
            .client
            .request(req.body(Full::new(body)).map_err(|e| e.to_string())?)
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status().as_u16();
        let body = res
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// A page read with a session cookie (none if `cookie` is empty), accepting gzip as a
    /// browser does if `gzip`: its status and body as sent.
    pub(crate) async fn get_with_cookie(
        &self,
        path: &str,
        cookie: &str,
        gzip: bool,
    ) -> Result<(u16, Bytes), String> {
        let mut req = hyper::Request::builder()
            .method("GET")
            .uri(format!("{}{path}", self.base));
        if gzip {
            req = req.header("accept-encoding", "gzip");
        }
        if !cookie.is_empty() {
            req = req.header("cookie", cookie);
        }
        self.exchange(req, Bytes::new()).await
    }

    /// A read whose body the load generator receives in full but does not look at: parsing
    /// it would only spend the cores the server under test shares.
    async fn read(&self, path: &str, token: &str) -> Result<u16, String> {
        Ok(self.request("GET", path, token, None).await?.0)
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
        let (status, body) = self.request(method, path, token, body).await?;
        Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }

    async fn upload(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(u16, Value), String> {
        let req = hyper::Request::builder()
            .method("POST")
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", content_type);
        let (status, body) = self.exchange(req, Bytes::from(bytes)).await?;
        Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }
}

pub async fn run(a: Args) -> Result<(), Box<dyn std::error::Error>> {
    for r in &a.runs {
        if !matches!(r.as_str(), "mixed" | "contention" | "reads") {
            return Err(format!("unknown run '{r}': use mixed, contention, reads").into());
        }
    }
    if let Some(url) = &a.url {
        let token = a
            .token
            .clone()
            .ok_or("--url needs --token (an admin token of that server)")?;
        println!("\n## server: {url}");
        let http = Http::new(url.trim_end_matches('/').to_owned());
        return remote(&a, &http, &token)
            .await
            .map_err(|e| e.to_string().into());
    }
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
pub(crate) struct Tally {
    pub(crate) commands: Vec<Duration>,
    reads: Vec<Duration>,
    /// Consensus calls made and outcomes declared.
    consensus: usize,
    conflicts: usize,
    refused: Vec<String>,
    acked: Vec<Vec<i64>>,
}

/// What every run acts on: credentials, the bench meetings (opened, agenda adopted, item 3
/// under consideration) with their chairs, and the States marked present.
pub(crate) struct Scene {
    pub(crate) tokens: demo::Tokens,
    pub(crate) meetings: Vec<String>,
    pub(crate) chairs: Vec<String>,
    pub(crate) present: Vec<String>,
    framework_version: u64,
}

/// Issues credentials, loads the demo scenario unless its body exists, and prepares `meetings`
/// fresh meetings (ids unique to this run).
pub(crate) async fn prepare(http: &Http, admin: &str, meetings: usize) -> Result<Scene, Error> {
    let tokens = demo::tokens(http, admin).await?;
    let (status, v) = http
        .send(
            "GET",
            &format!("/api/v1/bodies/{}", demo::BODY),
            admin,
            None,
        )
        .await?;
    match status {
        404 => {
            demo::load(http, &tokens, None).await?;
        }
        200 => println!(
            "(the demo body '{}' exists: not loading the demo scenario)",
            demo::BODY
        ),
        _ => return Err(format!("reading the demo body: {status} {v}").into()),
    }
    let (status, fw) = http
        .send(
            "GET",
            &format!("/api/v1/frameworks/{}", demo::BODY),
            &tokens.observer,
            None,
        )
        .await?;
    let framework_version = fw["version"]
        .as_u64()
        .ok_or_else(|| format!("reading the framework: {status} {fw}"))?;
    let present: Vec<String> = demo::CO_SPONSORS
        .iter()
        .take(45)
        .map(|s| s.to_string())
        .collect();
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut ids = Vec::new();
    let mut chairs = Vec::new();
    for m in 0..meetings.max(1) {
        let id = format!("bench-{run}-m{m}");
        chairs.push(
            setup_meeting(
                http,
                &tokens,
                admin,
                demo::BODY,
                &id,
                &format!("{run}/{m}"),
                &present,
            )
            .await?,
        );
        ids.push(id);
    }
    Ok(Scene {
        tokens,
        meetings: ids,
        chairs,
        present,
        framework_version,
    })
}

/// The load runs asked for; returns the acknowledged log positions (checked unique).
async fn load_runs(a: &Args, http: &Http, scene: &Scene) -> Result<Vec<i64>, Error> {
    let wants = |r: &str| a.runs.iter().any(|x| x == r);
    let mut all = Vec::new();
    if wants("mixed") || wants("contention") {
        println!("\n| run | clients | commands/s | reads/s | consensus calls+outcomes | p50 ms | p95 ms | p99 ms | conflicts | refused |\n|---|---|---|---|---|---|---|---|---|---|");
    }
    if wants("mixed") {
        let meetings = scene.meetings.len();
        let mixed = drive(
            http,
            scene,
            a.clients,
            meetings,
            Until::Seconds(a.seconds),
            true,
        )
        .await?;
        report("mixed", a.clients, &mixed, a.seconds);
        all.extend(mixed);
    }
    if wants("contention") {
        let contention = drive(
            http,
            scene,
            a.contention_clients,
            1,
            Until::Seconds(a.seconds),
            true,
        )
        .await?;
        report("one meeting", a.contention_clients, &contention, a.seconds);
        all.extend(contention);
    }
    if wants("mixed") || wants("contention") {
        println!("targets (Postgres): mixed >= 5,000 commands/s at 32 clients with p99 <= 50 ms; one meeting >= 2,000 commands/s with 16 clients and 0 conflicts");
    }
    if wants("reads") {
        fixed_rate_reads(http, scene, a.rate, a.rate_seconds).await?;
    }
    acked_positions(&all)
}

/// Every acknowledged position, sorted; an error if two commands were given the same one.
fn acked_positions(tallies: &[Tally]) -> Result<Vec<i64>, Error> {
    let mut positions: Vec<i64> = tallies
        .iter()
        .flat_map(|t| t.acked.iter().flatten().copied())
        .collect();
    let n = positions.len();
    positions.sort_unstable();
    positions.dedup();
    if positions.len() != n {
        return Err("two acknowledged commands share a log position".into());
    }
    Ok(positions)
}

async fn bench(a: &Args, store: EventStore) -> Result<(), Error> {
    let app = App::with_store(store.clone(), Settings::default());
    let service = plenary::service::Service::start(app.clone(), Default::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let _server = service.serve_in_background(listener);
    let http = Http::new(base);

    // The demo scenario gives a body with 70 members, a framework at version 3 and tokens.
    let (_, admin) = credentials::create(store.db(), "admin", None, "bench admin").await?;
    let scene = prepare(&http, &admin, a.meetings).await?;
    // How far the views trail the log while the load runs, sampled every 20 ms.
    let (lag_stop, mut lag_rx) = tokio::sync::watch::channel(false);
    let lag = {
        let (app, store) = (app.clone(), store.clone());
        tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                    _ = lag_rx.changed() => return samples,
                }
                samples.push((store.head() - app.projector.position()).max(0));
            }
        })
    };
    let positions = load_runs(a, &http, &scene).await?;
    let _ = lag_stop.send(true);
    let mut lag = lag.await.unwrap_or_default();
    lag.sort_unstable();
    if let Some(max) = lag.last() {
        println!(
            "projection lag during the runs ({} samples, events behind the log's head): median {}, p99 {}, max {max}",
            lag.len(),
            lag[lag.len() / 2],
            lag[(lag.len() * 99 / 100).min(lag.len() - 1)],
        );
    }
    let n = positions.len();

    // Every acknowledged command is in the log, once; projections equal a rebuild.
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
    service.stop().await;
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

/// `--url`: the same runs against a running server, with the checks that HTTP allows.
async fn remote(a: &Args, http: &Http, admin: &str) -> Result<(), Error> {
    let (status, v) = http.send("GET", "/api/v1/log/head", admin, None).await?;
    if status != 200 {
        return Err(format!("the token is not accepted as an admin's: {status} {v}").into());
    }
    let scene = prepare(http, admin, a.meetings).await?;
    let positions = load_runs(a, http, &scene).await?;
    let (Some(first), Some(last)) = (positions.first(), positions.last()) else {
        println!("\nno commands were acknowledged: nothing to check");
        return Ok(());
    };
    // Page through the audit history over the acknowledged range, waiting for it to include
    // the last one.
    let mut want = positions.iter().peekable();
    let mut missing = 0usize;
    let mut after = first - 1;
    while want.peek().is_some() {
        let (status, page) = http
            .send(
                "GET",
                &format!("/api/v1/audit/events?after={after}&limit=1000&min_position={last}"),
                admin,
                None,
            )
            .await?;
        if status != 200 {
            return Err(format!("audit history: {status} {page}").into());
        }
        let events = page["events"].as_array().cloned().unwrap_or_default();
        let Some(end) = events.last().and_then(|e| e["position"].as_i64()) else {
            break;
        };
        for e in &events {
            let p = e["position"].as_i64().unwrap_or(0);
            while want.peek().is_some_and(|w| **w < p) {
                want.next();
                missing += 1;
            }
            if want.peek() == Some(&&p) {
                want.next();
            }
        }
        after = end;
        if end >= *last {
            break;
        }
    }
    missing += want.count();
    let (status, verify) = http.send("GET", "/api/v1/log/verify", admin, None).await?;
    let verified = status == 200 && verify["problem"].is_null();
    println!(
        "\nafter the load: {} acknowledged command events, {missing} missing from the audit history; hash chain {} ({} events); projections-equal-a-rebuild is only checked in-process",
        positions.len(),
        if verified { "verifies" } else { "BROKEN or unreadable" },
        verify["events_checked"]
    );
    if missing > 0 || !verified {
        return Err("post-load checks failed".into());
    }
    Ok(())
}

pub(crate) fn report(name: &str, clients: usize, tallies: &[Tally], seconds: u64) {
    let mut cmds: Vec<Duration> = tallies
        .iter()
        .flat_map(|t| t.commands.iter().copied())
        .collect();
    let reads: usize = tallies.iter().map(|t| t.reads.len()).sum();
    let consensus: usize = tallies.iter().map(|t| t.consensus).sum();
    let conflicts: usize = tallies.iter().map(|t| t.conflicts).sum();
    let refused: Vec<&String> = tallies.iter().flat_map(|t| t.refused.iter()).collect();
    cmds.sort();
    println!(
        "| {name} | {clients} | {:.0} | {:.0} | {consensus} | {:.2} | {:.2} | {:.2} | {conflicts} | {} |",
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
pub(crate) async fn setup_meeting(
    http: &Http,
    t: &demo::Tokens,
    admin: &str,
    body: &str,
    id: &str,
    symbol: &str,
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
        "meeting_id": id, "body_id": body, "kind": "PeriodicMeeting", "symbol": format!("PoA/B/{symbol}"),
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

/// When a load run stops.
#[derive(Clone, Copy)]
pub(crate) enum Until {
    Seconds(u64),
    /// Once an acknowledged event reaches this log position (progress printed every 10%).
    Head(i64),
}

/// Runs `clients` clients, client c acting in meeting c % meetings. Per ten requests: four
/// speaker inscriptions/withdrawals, one chair action, one amendment proposal, four reads
/// (with `reads`; without, the six commands repeat). The chair action of the first client in
/// each meeting alternates a call for consensus on a draft decision and the declaration of
/// its outcome (adopted without a vote); the other clients' is setting the speaking time.
pub(crate) async fn drive(
    http: &Http,
    scene: &Scene,
    clients: usize,
    meetings: usize,
    until: Until,
    reads: bool,
) -> Result<Vec<Tally>, Error> {
    let stop = Arc::new(AtomicBool::new(false));
    let head = Arc::new(AtomicI64::new(0));
    let mut tasks = Vec::new();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let target = match until {
        Until::Head(n) => n,
        Until::Seconds(_) => i64::MAX,
    };
    for c in 0..clients {
        let (http, stop, head, run) = (http.clone(), stop.clone(), head.clone(), run.clone());
        let m = c % meetings;
        let meeting = scene.meetings[m].clone();
        let chair = scene.chairs[m].clone();
        let calls = c < meetings;
        let state = scene.present[c % scene.present.len()].clone();
        let delegate = scene.tokens.delegates[&state].clone();
        let version = scene.framework_version;
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut inscribed = false;
            let mut call_open = false;
            let mut i = 0u64;
            let path = format!("/api/v1/meetings/{meeting}/commands");
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let slot = if reads { i % 10 } else { i % 6 };
                let (token, method, p, body) = match slot {
                    0..=3 => {
                        let cmd = if inscribed { "WithdrawSpeaker" } else { "InscribeSpeaker" };
                        (&delegate, "POST", path.clone(), Some(json!({ cmd: { "item": 3, "speaker": { "State": state } } })))
                    }
                    4 if calls && call_open => (&chair, "POST", path.clone(), Some(json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } }))),
                    4 if calls => (&chair, "POST", path.clone(), Some(json!({ "CallForConsensus": { "subject": { "DraftDecision": {
                        "text": format!("The meeting takes note of the information provided under item 3 ({c}-{i}).") } } } }))),
                    4 => (&chair, "POST", path.clone(), Some(json!({ "SetSpeakingTime": { "item": 3, "seconds": 60 + i % 240 } }))),
                    5 => (&delegate, "POST", format!("/api/v1/amendments/am-{run}-{c}-{i}/commands"), Some(json!({ "Propose": {
                        "framework_id": demo::BODY, "proposer": state, "co_sponsors": [], "title": "Bench amendment", "base_version": version,
                        "operations": [{ "op": "replace_paragraph", "paragraph": "OP-4", "text": format!("Establishes a repository of national points of contact, version {i};") }] } }))),
                    6 | 7 => (&delegate, "GET", format!("/api/v1/meetings/{meeting}/agenda"), None),
                    8 => (&delegate, "GET", format!("/api/v1/frameworks/{}", demo::BODY), None),
                    _ => (&delegate, "GET", format!("/api/v1/meetings/{meeting}"), None),
                };
                let started = Instant::now();
                let r = match method {
                    "GET" => http.read(&p, token).await.map(|status| (status, Value::Null)),
                    _ => http.send(method, &p, token, body).await,
                };
                let took = started.elapsed();
                match r {
                    Ok((200, v)) if method == "POST" => {
                        tally.commands.push(took);
                        if slot <= 3 {
                            inscribed = !inscribed;
                        }
                        if slot == 4 && calls {
                            call_open = !call_open;
                            tally.consensus += 1;
                        }
                        let pos: Vec<i64> = v["positions"].as_array().map(|a| a.iter().filter_map(Value::as_i64).collect()).unwrap_or_default();
                        if let Some(top) = pos.iter().max() {
                            if head.fetch_max(*top, Ordering::Relaxed).max(*top) >= target {
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                        tally.acked.push(pos);
                    }
                    Ok((200, _)) => tally.reads.push(took),
                    Ok((409, v)) if v["type"] == "/problems/concurrent-update" => tally.conflicts += 1,
                    Ok((status, v)) => tally.refused.push(format!("{method} {p}: {status} {v}")),
                    Err(e) => tally.refused.push(format!("{method} {p}: {e}")),
                }
            }
            // Leave no inscription and no call open for the next run in this meeting.
            if inscribed {
                let out = json!({ "WithdrawSpeaker": { "item": 3, "speaker": { "State": state } } });
                if let Ok((200, v)) = http.send("POST", &path, &delegate, Some(out)).await {
                    let pos: Vec<i64> = v["positions"].as_array().map(|a| a.iter().filter_map(Value::as_i64).collect()).unwrap_or_default();
                    tally.acked.push(pos);
                }
            }
            if call_open {
                let end = json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } });
                if let Ok((200, v)) = http.send("POST", &path, &chair, Some(end)).await {
                    let pos: Vec<i64> = v["positions"].as_array().map(|a| a.iter().filter_map(Value::as_i64).collect()).unwrap_or_default();
                    tally.acked.push(pos);
                    tally.consensus += 1;
                }
            }
            tally
        }));
    }
    match until {
        Until::Seconds(s) => {
            tokio::time::sleep(Duration::from_secs(s)).await;
            stop.store(true, Ordering::Relaxed);
        }
        Until::Head(n) => {
            let started = Instant::now();
            let mut next = 1;
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let at = head.load(Ordering::Relaxed);
                if at >= n / 10 * next && next <= 10 {
                    println!(
                        "  {at} events in the log after {:.0} s",
                        started.elapsed().as_secs_f64()
                    );
                    while next <= 10 && at >= n / 10 * next {
                        next += 1;
                    }
                }
                if tasks.iter().all(|t| t.is_finished()) {
                    break;
                }
            }
        }
    }
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await?);
    }
    Ok(out)
}

/// Which autovacuum workers Postgres is running besides the server, to read the
/// read rounds' figures by; empty on SQLite.
async fn db_activity(url: &str) -> String {
    use sqlx::Connection;
    if !url.starts_with("postgres") {
        return String::new();
    }
    let Ok(mut c) = sqlx::PgConnection::connect(url).await else {
        return String::new();
    };
    let busy: Vec<(String,)> = sqlx::query_as(
        "select query from pg_stat_activity
         where backend_type = 'autovacuum worker' and datname = current_database() and query <> ''",
    )
    .fetch_all(&mut c)
    .await
    .unwrap_or_default();
    let _ = c.close().await;
    if busy.is_empty() {
        " (no autovacuum running)".to_owned()
    } else {
        let what: Vec<String> = busy.into_iter().map(|(q,)| q).collect();
        format!(" (Postgres meanwhile: {})", what.join("; "))
    }
}

/// Open-loop reads at a fixed rate over the projections a meeting-room screen polls: the
/// meeting, its agenda, its decisions and the framework. Latency is measured from each
/// request's scheduled time, so a slow server cannot hide queueing (no coordinated omission).
async fn fixed_rate_reads(
    http: &Http,
    scene: &Scene,
    rate: u32,
    seconds: u64,
) -> Result<(), Error> {
    const KINDS: [&str; 4] = ["meeting", "agenda", "decisions", "framework"];
    let token = scene.tokens.delegates[&scene.present[0]].clone();
    let mut paths = Vec::new();
    for m in &scene.meetings {
        paths.push((0, format!("/api/v1/meetings/{m}")));
        paths.push((1, format!("/api/v1/meetings/{m}/agenda")));
        paths.push((2, format!("/api/v1/decisions?meeting={m}")));
        paths.push((3, format!("/api/v1/frameworks/{}", demo::BODY)));
    }
    let rate = rate.max(1);
    let total = u64::from(rate) * seconds;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for k in 0..total {
        let scheduled = ticker.tick().await;
        let (kind, path) = paths[k as usize % paths.len()].clone();
        let (http, token) = (http.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let r = http.read(&path, &token).await;
            (kind, scheduled.elapsed(), r, path)
        }));
    }
    let mut all = Vec::new();
    let mut by_kind: [Vec<Duration>; 4] = Default::default();
    let mut errors = Vec::new();
    for t in tasks {
        let (kind, took, status, path) = t.await?;
        match status {
            Ok(200) => {
                all.push(took);
                by_kind[kind].push(took);
            }
            Ok(s) => errors.push(format!("GET {path}: {s}")),
            Err(e) => errors.push(format!("GET {path}: {e}")),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    println!("\n| fixed-rate reads | sent/s | ok | p50 ms | p95 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|---|---|");
    println!(
        "| {rate}/s for {seconds} s | {:.0} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
        total as f64 / elapsed,
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.95)),
        ms(percentile(&all, 0.99)),
        ms(all.last().copied().unwrap_or_default()),
        errors.len()
    );
    let parts: Vec<String> = KINDS
        .iter()
        .zip(by_kind.iter_mut())
        .map(|(name, l)| {
            l.sort();
            format!("{name} p99 {:.2} ms", ms(percentile(l, 0.99)))
        })
        .collect();
    println!("  {}", parts.join(", "));
    if let Some(first) = errors.first() {
        println!("  first error: {first}");
    }
    let p99 = percentile(&all, 0.99);
    println!(
        "target: p99 <= 5 ms at 500 requests/s: {}",
        if rate < 500 {
            "not applicable (rate below 500/s)"
        } else if p99 <= Duration::from_millis(5) && errors.is_empty() {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}

/// Resident and peak resident memory of a process, in KiB, from /proc/<pid>/status.
pub(crate) fn memory_of(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The child `plenary serve`; killed if still running when dropped.
pub(crate) struct ChildServer(Option<Child>);

impl ChildServer {
    pub(crate) fn pid(&self) -> u32 {
        self.0.as_ref().map(Child::id).unwrap_or(0)
    }

    /// SIGTERM, then waits for a graceful exit (SIGKILL after `grace`). Returns how long it took.
    pub(crate) fn stop(&mut self, grace: Duration) -> Option<Duration> {
        let mut child = self.0.take()?;
        let asked = Instant::now();
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        while asked.elapsed() < grace {
            if let Ok(Some(_)) = child.try_wait() {
                return Some(asked.elapsed());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `memory`: starts `plenary serve` as a child, loads events through its API, and reports its
/// resident memory after the load and after a round of fixed-rate reads.
pub async fn memory(a: MemoryArgs) -> Result<(), Box<dyn std::error::Error>> {
    let plenary = plenary_binary(a.plenary.as_ref()).map_err(|e| e.to_string())?;
    let db = FreshDatabase::create(&a.backend, &a.postgres, "memory")
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "\n## memory: plenary serve ({}), {} events",
        a.backend, a.events
    );
    let result = memory_run(&a, &plenary, &db.url).await;
    db.drop().await;
    result.map_err(|e| e.to_string().into())
}

/// A new, empty database for a child server: a SQLite file in a temporary folder, or a
/// PostgreSQL database; [`FreshDatabase::drop`] deletes it.
pub(crate) struct FreshDatabase {
    pub(crate) url: String,
    dir: PathBuf,
    postgres: Option<(String, String)>,
}

impl FreshDatabase {
    pub(crate) async fn create(backend: &str, postgres: &str, what: &str) -> Result<Self, Error> {
        let dir = std::env::temp_dir().join(format!(
            "plenary-{what}-bench-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir)?;
        let pg_name = format!("plenary_bench_{}", uuid::Uuid::new_v4().simple());
        let (url, pg) = match backend {
            "sqlite" => (format!("sqlite://{}/{what}.db", dir.display()), None),
            "postgres" => {
                use sqlx::{Connection, Executor};
                let mut c = sqlx::PgConnection::connect(postgres).await?;
                c.execute(format!("create database {pg_name}").as_str())
                    .await?;
                match postgres.rfind('/') {
                    Some(i) => (
                        format!("{}/{pg_name}", &postgres[..i]),
                        Some((postgres.to_owned(), pg_name)),
                    ),
                    None => return Err("--postgres must name a database".into()),
                }
            }
            b => return Err(format!("unknown backend '{b}': use sqlite or postgres").into()),
        };
        Ok(Self {
            url,
            dir,
            postgres: pg,
        })
    }

    pub(crate) async fn drop(self) {
        if let Some((server, name)) = &self.postgres {
            use sqlx::{Connection, Executor};
            if let Ok(mut c) = sqlx::PgConnection::connect(server).await {
                let _ = c
                    .execute(format!("drop database if exists {name} with (force)").as_str())
                    .await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn memory_run(a: &MemoryArgs, plenary: &std::path::Path, url: &str) -> Result<(), Error> {
    // An admin credential, written straight into the new database.
    let store = EventStore::open(url).await?;
    let (_, admin) = credentials::create(store.db(), "admin", None, "bench admin").await?;
    store.close().await;

    let (mut server, http) = start_child(plenary, url).await?;
    let pid = server.pid();
    let mut rows = Vec::new();
    let mem = |stage: &str, events: i64, rows: &mut Vec<String>| -> Result<u64, Error> {
        let (rss, hwm) = memory_of(pid).ok_or("cannot read the server's /proc status")?;
        rows.push(format!(
            "| {stage} | {events} | {:.1} | {:.1} |",
            rss as f64 / 1024.0,
            hwm as f64 / 1024.0
        ));
        Ok(rss)
    };
    mem("started", 0, &mut rows)?;

    let scene = prepare(&http, &admin, a.meetings).await?;
    let started = Instant::now();
    let tallies = drive(
        &http,
        &scene,
        a.clients.max(1),
        scene.meetings.len(),
        Until::Head(a.events),
        false,
    )
    .await?;
    let load_secs = started.elapsed().as_secs_f64();
    let positions = acked_positions(&tallies)?;
    let refused: usize = tallies.iter().map(|t| t.refused.len()).sum();
    if let Some(first) = tallies.iter().flat_map(|t| t.refused.iter()).next() {
        println!("  first refusal: {first}");
    }
    // Wait for the read models to include everything.
    let head = loop {
        let (status, v) = http
            .send("GET", "/api/v1/projections", &admin, None)
            .await?;
        if status != 200 {
            return Err(format!("projection status: {status} {v}").into());
        }
        let (at, head) = (v["position"].as_i64(), v["log_head"].as_i64());
        if let (Some(at), Some(head)) = (at, head) {
            if at >= head {
                break head;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    println!(
        "loaded: {head} events in the log ({} acknowledged commands, {refused} refused) in {load_secs:.0} s ({:.0} events/s); projections caught up",
        positions.len(),
        head as f64 / load_secs
    );
    let after_load = mem("after the load", head, &mut rows)?;
    println!("\nreads right after the load{}:", db_activity(url).await);
    fixed_rate_reads(&http, &scene, a.rate, a.rate_seconds).await?;
    let mut after_reads = mem("after the reads", head, &mut rows)?;
    if a.settle_seconds > 0 {
        tokio::time::sleep(Duration::from_secs(a.settle_seconds)).await;
        println!(
            "\nreads after {} s idle{}:",
            a.settle_seconds,
            db_activity(url).await
        );
        fixed_rate_reads(&http, &scene, a.rate, a.rate_seconds).await?;
        after_reads = after_reads.max(mem("after the second reads", head, &mut rows)?);
    }
    println!("\n| server | events in log | VmRSS MB | VmHWM (peak) MB |\n|---|---|---|---|");
    for r in &rows {
        println!("{r}");
    }
    let worst = after_load.max(after_reads) as f64 / 1024.0;
    if head >= 1_000_000 {
        println!(
            "target: <= 300 MB RSS after 1,000,000 events: {} ({worst:.1} MB)",
            if worst <= 300.0 { "met" } else { "NOT met" }
        );
    } else {
        println!("target: <= 300 MB RSS after 1,000,000 events: not measured (only {head} events loaded)");
    }
    match server.stop(Duration::from_secs(30)) {
        Some(t) => println!("SIGTERM: the server exited after {:.0} ms", ms(t)),
        None => println!("SIGTERM: the server had not exited after 30 s (killed)"),
    }
    Ok(())
}

/// Starts `plenary serve` on `url` as a child process on a free loopback port and waits until
/// it is healthy.
pub(crate) async fn start_child(
    plenary: &std::path::Path,
    url: &str,
) -> Result<(ChildServer, Http), Error> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(plenary)
        .args([
            "--database",
            url,
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let server = ChildServer(Some(child));
    let http = Http::new(format!("http://127.0.0.1:{port}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok((200, _)) = http.send("GET", "/health", "", None).await {
            break;
        }
        if Instant::now() > deadline {
            return Err("the server did not become healthy within 60 s".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok((server, http))
}

/// The `plenary` binary: `given`, or the one next to this benchmark's binary.
pub(crate) fn plenary_binary(given: Option<&PathBuf>) -> Result<PathBuf, Error> {
    let plenary = match given {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .ok_or("the benchmark binary has no directory")?
            .join("plenary"),
    };
    if !plenary.is_file() {
        return Err(format!(
            "no plenary binary at {} (build it, or pass --plenary PATH)",
            plenary.display()
        )
        .into());
    }
    Ok(plenary)
}
