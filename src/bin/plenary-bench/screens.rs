//! `screens`: the meeting room at the scale of a large conference, against a real
//! `plenary serve` child process.
//!
//! - The chair's console of a meeting of 193 members, read at a fixed rate with a session
//!   cookie: server time per render (p50, p99) and what the page weighs.
//! - Ten thousand room screens (`/api/v1/stream?meeting=…`, as the room screen follows its
//!   meeting): the server's extra memory, and the time from a chair's command being
//!   acknowledged to its event reaching every screen, idle and under the mixed command load.
//! - The mixed load's throughput without and with the screens, interleaved round by round.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use plenary::demo::{self, Client};
use plenary::store::{credentials, sessions, EventStore};
use serde_json::json;

use crate::http::{
    drive, memory_of, plenary_binary, prepare, setup_meeting, start_child, Error, FreshDatabase,
    Http, Scene, Tally, Until,
};
use crate::stats::{ms, percentile};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `plenary` binary to start [default: `plenary` next to this benchmark's binary].
    #[arg(long)]
    plenary: Option<std::path::PathBuf>,
    /// sqlite or postgres: where the child server keeps its log.
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// PostgreSQL server for the postgres backend (a fresh database is created and dropped).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres: String,
    /// Room screens following the room's meeting.
    #[arg(long, default_value_t = 10_000)]
    screens: usize,
    /// Clients in the mixed load (on other meetings than the room's).
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Meetings the mixed load is spread over.
    #[arg(long, default_value_t = 16)]
    meetings: usize,
    /// Seconds per mixed-load run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Rounds of (mixed load without screens, mixed load with screens), interleaved.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Chair's commands per second in the room while screens are connected (each one an
    /// event every screen must receive).
    #[arg(long, default_value_t = 5)]
    probe_rate: u32,
    /// Console reads per second.
    #[arg(long, default_value_t = 200)]
    console_rate: u32,
    /// Seconds of console reads.
    #[arg(long, default_value_t = 10)]
    console_seconds: u64,
}

const MEMBERS: usize = 193;

pub async fn run(a: Args) -> Result<(), Box<dyn std::error::Error>> {
    // Ten thousand sockets on each side: the bench raises its own limit (and so its child's),
    // not the server's defaults.
    let want = (a.screens as u64) * 2 + 4096;
    let got = rlimit::increase_nofile_limit(want)?;
    if got < (a.screens as u64) + 1024 {
        return Err(format!("the open-files limit is {got}; {want} are needed").into());
    }
    let plenary = plenary_binary(a.plenary.as_ref()).map_err(|e| e.to_string())?;
    let db = FreshDatabase::create(&a.backend, &a.postgres, "screens")
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "\n## screens: plenary serve ({}), {} screens, open-files limit {got}",
        a.backend, a.screens
    );
    let result = screens(&a, &plenary, &db.url).await;
    db.drop().await;
    result.map_err(|e| e.to_string().into())
}

async fn screens(a: &Args, plenary: &std::path::Path, url: &str) -> Result<(), Error> {
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let room = format!("room-{run}");
    // An admin credential and a session of the room's chair, written into the new database.
    let store = EventStore::open(url).await?;
    let (_, admin) = credentials::create(store.db(), "admin", None, "bench admin").await?;
    let (chair_cred, _) =
        credentials::create(store.db(), "chair", Some(&room), "bench console").await?;
    let session = sessions::start(store.db(), &chair_cred.id, 3_600 * 1_000_000).await?;
    store.close().await;

    let (mut server, http) = start_child(plenary, url).await?;
    let pid = server.pid();
    let scene = prepare(&http, &admin, a.meetings).await?;
    let room_chair = setup_room(&http, &scene, &admin, &room, &run).await?;

    console(a, &http, &room, &session).await?;

    let base = http.base().to_owned();
    let addr = base.trim_start_matches("http://").to_owned();
    let path = format!("/api/v1/stream?meeting={room}");
    let mut without = Vec::new();
    let mut with = Vec::new();
    let mut delivery = Vec::new();
    let mut everyone = Vec::new();
    let mut missed = 0usize;
    let mut extra_rss = Vec::new();
    println!("\n| round | screens | commands/s | p50 ms | p99 ms | server CPU s | bench CPU s |\n|---|---|---|---|---|---|---|");
    for round in 1..=a.rounds {
        let cpu = Cpu::now(pid);
        let t = mixed(a, &http, &scene).await?;
        let rate = throughput(&t, a.seconds);
        println!(
            "| {round} | 0 | {rate:.0} | {} | {} |",
            latency_cells(&t),
            cpu.since(pid)
        );
        without.push(rate);

        let rss_before = memory_of(pid).ok_or("cannot read the server's memory")?.0;
        let screens = Screens::connect(&addr, &path, &scene.tokens.observer, a.screens).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_after = memory_of(pid).ok_or("cannot read the server's memory")?.0;
        extra_rss.push((rss_after as f64 - rss_before as f64) / 1024.0);

        // Idle room first, then the same probes while the mixed load runs.
        let idle = probe(&http, &room, &room_chair, &scene, a.probe_rate, 5).await?;
        let load = {
            let cpu = Cpu::now(pid);
            let probes = probe(&http, &room, &room_chair, &scene, a.probe_rate, a.seconds);
            let load = mixed(a, &http, &scene);
            let (probes, load) = tokio::join!(probes, load);
            let load = load?;
            let rate = throughput(&load, a.seconds);
            println!(
                "| {round} | {} | {rate:.0} | {} | {} |",
                a.screens,
                latency_cells(&load),
                cpu.since(pid)
            );
            with.push(rate);
            probes?
        };
        tokio::time::sleep(Duration::from_secs(2)).await;
        let seen = screens.close().await;
        for acks in [&idle, &load] {
            let (d, e, m) = deliveries(acks, &seen);
            delivery.extend(d);
            everyone.extend(e);
            missed += m;
        }
    }
    let ratios: Vec<f64> = without.iter().zip(&with).map(|(a, b)| b / a).collect();
    let med = |v: &[f64]| crate::stats::median(v.to_vec());
    delivery.sort_unstable();
    everyone.sort_unstable();
    println!(
        "\nmixed load with {} screens / without, per round: {}; median {:.2}",
        a.screens,
        figures(&ratios, 2),
        med(&ratios)
    );
    println!(
        "acknowledgement to screen, {} deliveries: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; to every screen ({} events): p50 {:.1} ms, p99 {:.1} ms; missed {missed}",
        delivery.len(),
        ms(percentile(&delivery, 0.5)),
        ms(percentile(&delivery, 0.99)),
        ms(delivery.last().copied().unwrap_or_default()),
        everyone.len(),
        ms(percentile(&everyone, 0.5)),
        ms(percentile(&everyone, 0.99)),
    );
    println!(
        "server memory added by {} screens: {} MB",
        a.screens,
        figures(&extra_rss, 1)
    );
    let p99_every = ms(percentile(&everyone, 0.99));
    let worst_rss = extra_rss.iter().copied().fold(0.0, f64::max);
    if a.screens >= 10_000 {
        println!(
            "targets (10,000 screens): to every screen p99 <= 500 ms: {}; throughput kept >= 70%: {}; <= 200 MB for the screens: {}",
            verdict(p99_every <= 500.0 && missed == 0),
            verdict(med(&ratios) >= 0.70),
            verdict(worst_rss <= 200.0),
        );
    } else {
        println!(
            "targets: set for 10,000 screens; not judged with {}",
            a.screens
        );
    }
    match server.stop(Duration::from_secs(30)) {
        Some(t) => println!("SIGTERM: the server exited after {:.0} ms", ms(t)),
        None => println!("SIGTERM: the server had not exited after 30 s (killed)"),
    }
    Ok(())
}

/// CPU time used so far by the server and by this process, to see where the two cores went
/// (the screens' client side runs here, on the same cores as the server).
struct Cpu {
    server: f64,
    bench: f64,
}

impl Cpu {
    fn now(pid: u32) -> Self {
        Self {
            server: cpu_seconds(&pid.to_string()),
            bench: cpu_seconds("self"),
        }
    }

    /// "server | bench" seconds since `self`.
    fn since(&self, pid: u32) -> String {
        let now = Self::now(pid);
        format!(
            "{:.1} | {:.1}",
            now.server - self.server,
            now.bench - self.bench
        )
    }
}

/// User and system CPU seconds of a process, from /proc/<pid>/stat (0 if unreadable).
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; the
    // kernel counts them in USER_HZ, 100 on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// "0.85, 0.84": each figure with `places` decimals.
fn figures(v: &[f64], places: usize) -> String {
    v.iter()
        .map(|x| format!("{x:.places$}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

fn throughput(t: &[Tally], seconds: u64) -> f64 {
    t.iter().map(|t| t.commands.len()).sum::<usize>() as f64 / seconds as f64
}

fn latency_cells(t: &[Tally]) -> String {
    let mut all: Vec<Duration> = t.iter().flat_map(|t| t.commands.iter().copied()).collect();
    all.sort_unstable();
    format!(
        "{:.1} | {:.1}",
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99))
    )
}

async fn mixed(a: &Args, http: &Http, scene: &Scene) -> Result<Vec<Tally>, Error> {
    let t = drive(
        http,
        scene,
        a.clients,
        scene.meetings.len(),
        Until::Seconds(a.seconds),
        true,
    )
    .await?;
    Ok(t)
}

/// A body of 193 members and the room's meeting under it: convened, 150 States present, the
/// agenda adopted, item 3 taken up, a dozen speakers inscribed. Returns the chair's token.
async fn setup_room(
    http: &Http,
    scene: &Scene,
    admin: &str,
    room: &str,
    run: &str,
) -> Result<String, Error> {
    let mut members: Vec<String> = demo::CO_SPONSORS.iter().map(|s| s.to_string()).collect();
    'fill: for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            if members.len() >= MEMBERS {
                break 'fill;
            }
            let code = format!("X{}{}", a as char, b as char);
            if !members.contains(&code) {
                members.push(code);
            }
        }
    }
    let body = format!("un-{run}");
    let (s, v) = http
        .send(
            "POST",
            &format!("/api/v1/bodies/{body}/commands"),
            &scene.tokens.secretariat,
            Some(json!({ "EstablishBody": {
                "body_id": body, "name": "A body of 193 members", "parent_body": null,
                "founding_document": null, "members": members, "rules": null } })),
        )
        .await?;
    if s != 200 {
        return Err(format!("establishing the 193-member body: {s} {v}").into());
    }
    let present: Vec<String> = members.iter().take(150).cloned().collect();
    let chair = setup_meeting(
        http,
        &scene.tokens,
        admin,
        &body,
        room,
        &format!("{run}/room"),
        &present,
    )
    .await?;
    for st in present.iter().take(12) {
        let (s, v) = http
            .send(
                "POST",
                &format!("/api/v1/meetings/{room}/commands"),
                &chair,
                Some(json!({ "InscribeSpeaker": { "item": 3, "speaker": { "State": st } } })),
            )
            .await?;
        if s != 200 {
            return Err(format!("inscribing a speaker: {s} {v}").into());
        }
    }
    Ok(chair)
}

/// The chair's console at a fixed rate, and what it weighs.
async fn console(a: &Args, http: &Http, room: &str, session: &str) -> Result<(), Error> {
    let cookie = format!("plenary_session={session}");
    let path = format!("/meetings/{room}/console");
    let (status, page) = http.get_with_cookie(&path, &cookie, false).await?;
    if status != 200 {
        return Err(format!("the console answered {status}").into());
    }
    let (_, zipped) = http.get_with_cookie(&path, &cookie, true).await?;
    let mut weight = page.len();
    for asset in ["/assets/plenary.css", "/assets/plenary.js"] {
        let (status, body) = http.get_with_cookie(asset, "", false).await?;
        if status != 200 {
            return Err(format!("{asset} answered {status}").into());
        }
        weight += body.len();
    }
    let (times, failed) =
        crate::pages::fixed_rate(http, &path, &cookie, a.console_rate, a.console_seconds).await?;
    let p99 = ms(percentile(&times, 0.99));
    println!(
        "\nchair's console, {MEMBERS} members, {} requests/s for {} s (gzipped): p50 {:.2} ms, p99 {p99:.2} ms, {failed} failed (target p99 <= 10 ms: {})",
        a.console_rate,
        a.console_seconds,
        ms(percentile(&times, 0.5)),
        verdict(p99 <= 10.0 && failed == 0)
    );
    println!(
        "console first load: {:.1} KB uncompressed (page {:.1} KB + CSS and script), target <= 150 KB: {}",
        weight as f64 / 1024.0,
        page.len() as f64 / 1024.0,
        verdict(weight <= 150 * 1024),
    );
    println!(
        "a live update (the page re-read, gzipped as a browser accepts it): {:.1} KB, target <= 5 KB: {}",
        zipped.len() as f64 / 1024.0,
        verdict(zipped.len() <= 5 * 1024),
    );
    Ok(())
}

/// The chair's commands in the room at `rate` for `seconds` (inscribing and withdrawing a
/// speaker in turn): each acknowledged event's position and when it was acknowledged.
async fn probe(
    http: &Http,
    room: &str,
    chair: &str,
    scene: &Scene,
    rate: u32,
    seconds: u64,
) -> Result<Vec<(i64, Instant)>, Error> {
    let speaker = &scene.present[scene.present.len() - 1];
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    // Even, so the speaker is withdrawn again at the end.
    let n = (u64::from(rate) * seconds).div_ceil(2) * 2;
    let path = format!("/api/v1/meetings/{room}/commands");
    let mut acks = Vec::new();
    let start = tokio::time::Instant::now();
    for i in 0..n {
        tokio::time::sleep_until(start + interval * i as u32).await;
        let cmd = if i % 2 == 0 {
            json!({ "InscribeSpeaker": { "item": 3, "speaker": { "State": speaker } } })
        } else {
            json!({ "WithdrawSpeaker": { "item": 3, "speaker": { "State": speaker } } })
        };
        let (s, v) = http.send("POST", &path, chair, Some(cmd)).await?;
        let at = Instant::now();
        if s != 200 {
            return Err(format!("room command: {s} {v}").into());
        }
        for p in v["positions"].as_array().into_iter().flatten() {
            if let Some(p) = p.as_i64() {
                acks.push((p, at));
            }
        }
    }
    Ok(acks)
}

/// Per delivery: acknowledgement to arrival; per event: acknowledgement to its arrival at
/// the last screen; and how many (event, screen) pairs never arrived.
fn deliveries(
    acks: &[(i64, Instant)],
    seen: &[Vec<(i64, Instant)>],
) -> (Vec<Duration>, Vec<Duration>, usize) {
    let mut each = Vec::new();
    let mut every = Vec::new();
    let mut missed = 0;
    for (position, acked) in acks {
        let mut last = Duration::ZERO;
        for screen in seen {
            match screen.binary_search_by_key(position, |(p, _)| *p) {
                Ok(i) => {
                    let d = screen[i].1.saturating_duration_since(*acked);
                    last = last.max(d);
                    each.push(d);
                }
                Err(_) => missed += 1,
            }
        }
        every.push(last);
    }
    (each, every, missed)
}

/// Open SSE connections, each recording every event id it receives and when.
struct Screens {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<Vec<(i64, Instant)>>>,
}

impl Screens {
    async fn connect(addr: &str, path: &str, token: &str, n: usize) -> Result<Self, Error> {
        let stop = tokio::sync::watch::channel(false).0;
        let opened = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::with_capacity(n);
        let started = Instant::now();
        let mut connecting = Vec::new();
        for _ in 0..n {
            let (addr, path, token, stop, opened) = (
                addr.to_owned(),
                path.to_owned(),
                token.to_owned(),
                stop.subscribe(),
                opened.clone(),
            );
            let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
            connecting.push(ready_rx);
            tasks.push(tokio::spawn(async move {
                screen(&addr, &path, &token, stop, opened, ready_tx).await
            }));
            // Connect in steps of 500, as screens in a hall are switched on.
            if connecting.len() >= 500 {
                for r in connecting.drain(..) {
                    r.await.map_err(|_| "a screen could not connect")??;
                }
            }
        }
        for r in connecting.drain(..) {
            r.await.map_err(|_| "a screen could not connect")??;
        }
        println!(
            "  ({} screens connected in {:.1} s)",
            opened.load(Ordering::Relaxed),
            started.elapsed().as_secs_f64()
        );
        Ok(Self { stop, tasks })
    }

    async fn close(self) -> Vec<Vec<(i64, Instant)>> {
        self.stop.send_replace(true);
        let mut out = Vec::new();
        for t in self.tasks {
            let mut v = t.await.unwrap_or_default();
            v.sort_unstable_by_key(|(p, _)| *p);
            out.push(v);
        }
        out
    }
}

async fn screen(
    addr: &str,
    path: &str,
    token: &str,
    stop: tokio::sync::watch::Receiver<bool>,
    opened: Arc<AtomicUsize>,
    ready: tokio::sync::oneshot::Sender<Result<(), String>>,
) -> Vec<(i64, Instant)> {
    let mut seen = Vec::new();
    let connected = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        let req = hyper::Request::get(path)
            .header("host", addr)
            .header("authorization", format!("Bearer {token}"))
            .header("accept", "text/event-stream")
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let res = send.send_request(req).await.map_err(|e| e.to_string())?;
        if res.status() != 200 {
            return Err(format!("the stream answered {}", res.status()));
        }
        Ok(res.into_body())
    };
    let mut body = match connected.await {
        Ok(b) => {
            opened.fetch_add(1, Ordering::Relaxed);
            let _ = ready.send(Ok(()));
            b
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            return seen;
        }
    };
    let mut carry = String::new();
    let mut stop = stop;
    loop {
        let frame = tokio::select! {
            f = body.frame() => f,
            _ = stop.wait_for(|s| *s) => break,
        };
        let Some(Ok(frame)) = frame else { break };
        let at = Instant::now();
        let Ok(data) = frame.into_data() else {
            continue;
        };
        carry.push_str(&String::from_utf8_lossy(&data));
        // Whole lines only; an `id:` line carries the event's log position.
        while let Some(nl) = carry.find('\n') {
            let line: String = carry.drain(..=nl).collect();
            if let Some(id) = line.strip_prefix("id:") {
                if let Ok(p) = id.trim().parse::<i64>() {
                    seen.push((p, at));
                }
            }
        }
    }
    seen
}
