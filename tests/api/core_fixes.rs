//! Regression tests for correctness fixes: idempotency under concurrency, "adopted" meaning
//! "applied" for amendments, and explanations after a decision on the decisions register.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use plenary::app::history::{framework_at, Cut};
use plenary::app::reactor::Reactor;
use plenary::app::{App, CommandContext, Settings};
use plenary::domain::amendment::AmendmentStatus;
use plenary::domain::body::BodyCommand;
use plenary::projections::docs;
use plenary::service::{Options, Service};
use plenary::store::credentials;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

use crate::common::{Backend, TestDb, PG_ENV};
use crate::helpers::problem;

macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(crate::common::Backend::Sqlite).await; }
        )* }
        mod postgres { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                if std::env::var(crate::common::PG_ENV).is_err() {
                    eprintln!("skipped: set {} to run the Postgres half", crate::common::PG_ENV);
                    return;
                }
                super::$name(crate::common::Backend::Postgres).await;
            }
        )* }
    };
}

backend_tests!(
    the_same_key_sent_concurrently_gets_one_outcome,
    two_instances_accepting_the_same_key_give_one_outcome,
    an_amendment_put_in_conflict_is_neither_called_nor_adopted_before_the_reactor_marks_it,
    explanations_after_a_decision_are_on_the_register_and_survive_a_rebuild,
    a_meeting_is_convened_only_under_an_item_of_an_adopted_programme_of_work,
);

fn establish_body(id: &str) -> Value {
    json!({ "EstablishBody": {
        "body_id": id, "name": format!("Body {id}"), "parent_body": null,
        "founding_document": null, "members": ["NOR", "BRA", "FRA"], "rules": null } })
}

async fn the_same_key_sent_concurrently_gets_one_outcome(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await.unwrap();
    let sec = app.token("secretariat", None).await;
    for round in 0..4 {
        let body_id = format!("body-{round}");
        let key = format!("establish-{round}");
        let path = format!("/api/v1/bodies/{body_id}/commands");
        let cmd = establish_body(&body_id);
        let sends = (0..8).map(|_| {
            app.req(Method::POST, &path, Some(&sec))
                .header("idempotency-key", &key)
                .json(&cmd)
                .send()
        });
        let mut receipts = Vec::new();
        for r in join_all(sends).await {
            let r = r.unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            assert_eq!(status, StatusCode::OK, "round {round}: {body}");
            receipts.push(body);
        }
        let positions: Vec<&Value> = receipts.iter().map(|r| &r["positions"]).collect();
        assert!(
            positions.iter().all(|p| *p == positions[0]),
            "round {round}: every retry gets the original positions: {positions:?}"
        );
        assert_eq!(positions[0].as_array().unwrap().len(), 1);
        let originals = receipts.iter().filter(|r| r["replayed"] == false).count();
        assert_eq!(
            originals, 1,
            "round {round}: one original, the rest replayed"
        );
        let stream = app
            .app
            .store
            .read_stream("Body", &body_id, 0)
            .await
            .unwrap();
        assert_eq!(
            stream.len(),
            1,
            "round {round}: exactly one copy in the log"
        );
        assert_eq!(json!([stream[0].position]), *positions[0]);

        // The same key for a different request is still refused, and appends nothing.
        let r = app
            .req(Method::POST, &path, Some(&sec))
            .header("idempotency-key", &key)
            .json(&establish_body("another"))
            .send()
            .await
            .unwrap();
        problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (head, _) = app.app.store.head_from_db().await.unwrap();
    assert_eq!(head, 4, "four bodies, one event each");
}

/// Two server processes on one database: the second may decide after the first committed,
/// see "already established" and must answer with the first one's outcome instead.
async fn two_instances_accepting_the_same_key_give_one_outcome(backend: Backend) {
    let db = TestDb::new(backend).unwrap();
    let one = App::with_store(db.open().await, Settings::default());
    let two = App::with_store(db.open().await, Settings::default());
    for round in 0..12 {
        let body_id = format!("body-{round}");
        let cmd: BodyCommand = serde_json::from_value(establish_body(&body_id)).unwrap();
        let ctx = CommandContext {
            idempotency_key: Some(format!("establish-{round}")),
            request_hash: format!("hash-{round}"),
            ..CommandContext::system("secretariat-1", "secretariat")
        };
        let (a, b) = tokio::join!(
            one.bodies.execute(&body_id, cmd.clone(), &ctx),
            two.bodies.execute(&body_id, cmd.clone(), &ctx),
        );
        let (a, b) = (
            a.unwrap_or_else(|e| panic!("round {round}, first instance: {e}")),
            b.unwrap_or_else(|e| panic!("round {round}, second instance: {e}")),
        );
        assert_eq!(a.positions, b.positions, "round {round}");
        assert!(
            a.replayed != b.replayed,
            "round {round}: one original, one replay"
        );
        let stream = one.store.read_stream("Body", &body_id, 0).await.unwrap();
        assert_eq!(
            stream.len(),
            1,
            "round {round}: exactly one copy in the log"
        );
    }
}

// ---- a server whose reactor the test drives step by step ------------------------------

struct Server {
    base: String,
    client: Client,
    app: Arc<App>,
    admin: String,
    reactor: Arc<Reactor>,
    _db: TestDb,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    service: Service,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.service.ask_to_stop();
    }
}

/// The real server and projector, but no reactor task: the race between a chair's command
/// and the reactor's follow-up is then under the test's control.
async fn spawn_without_reactor(backend: Backend) -> Server {
    let db =
        TestDb::new(backend).unwrap_or_else(|| panic!("{PG_ENV} is needed for the Postgres half"));
    let app = App::with_store(db.open().await, Settings::default());
    let service = Service::start(
        app.clone(),
        Options {
            reactor: false,
            ..Default::default()
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = service.serve_in_background(listener);
    let (_, admin) = credentials::create(app.store.db(), "admin", None, "test admin")
        .await
        .unwrap();
    Server {
        base,
        client: Client::new(),
        reactor: Reactor::new(app.clone()),
        app,
        admin,
        _db: db,
        stop: Some(stop),
        service,
    }
}

impl Server {
    fn req(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.req(Method::POST, path, token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        let r = self.req(Method::GET, path, token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.json().await.unwrap()
    }

    /// A command that must be accepted; returns its receipt.
    async fn ok(&self, path: &str, token: &str, body: Value) -> Value {
        let r = self.post(path, token, body.clone()).await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "POST {path} {body}: {v}");
        v
    }

    async fn token(&self, role: &str, scope: Option<&str>) -> String {
        let r = self
            .post(
                "/api/v1/credentials",
                &self.admin,
                json!({ "role": role, "scope": scope, "label": role }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn head(&self) -> i64 {
        self.app.store.head_from_db().await.unwrap().0
    }

    /// Lets the reactor work until it has nothing left to do.
    async fn settle(&self) {
        for _ in 0..50 {
            if self.reactor.step().await.unwrap() == 0 {
                return;
            }
        }
        panic!("the reactor did not settle");
    }
}

const MEETING: &str = "/api/v1/meetings/rc-1/commands";

struct Tokens {
    sec: String,
    chair: String,
    nor: String,
    bra: String,
    fra: String,
}

/// A body with a one-paragraph framework, an open review conference on substantive item 2,
/// and amendments `am-a`, `am-b`, `am-c` tabled under it. All three replace the same words
/// of OP-1, so adopting one puts the others in conflict.
async fn meeting_with_amendments(s: &Server) -> Tokens {
    let t = Tokens {
        sec: s.token("secretariat", None).await,
        chair: s.token("chair", Some("rc-1")).await,
        nor: s.token("delegate", Some("NOR")).await,
        bra: s.token("delegate", Some("BRA")).await,
        fra: s.token("delegate", Some("FRA")).await,
    };
    s.ok("/api/v1/bodies/poa/commands", &t.sec, establish_body("poa"))
        .await;
    s.ok("/api/v1/frameworks/poa/commands", &t.sec, json!({ "EstablishProgramme": {
        "body_id": "poa", "name": "Political Declaration", "establishing_symbol": "A/RES/77/37",
        "date": "2022-12-07", "co_sponsors": ["NOR"],
        "sections": [{ "section": "general", "title": "General" }],
        "paragraphs": [{ "id": "OP-1", "kind": "operative", "section": "general",
            "text": "Encourages States to report on a rotating basis in order to determine their needs;" }] } }))
        .await;
    s.ok(MEETING, &t.sec, json!({ "Convene": {
        "meeting_id": "rc-1", "body_id": "poa", "kind": "ReviewConference", "symbol": "PoA/RC.1/2026",
        "title": "First Review Conference", "starts": "2026-11-23", "ends": "2026-11-27",
        "venue": "New York", "chair": { "name": "Ambassador Ana Ruiz", "state": null },
        "programme_link": null } }))
        .await;
    for st in ["NOR", "BRA", "FRA"] {
        s.ok(MEETING, &t.sec, json!({ "MarkPresent": { "state": st } }))
            .await;
    }
    s.ok(
        MEETING,
        &t.chair,
        json!({ "IssueProvisionalAgenda": { "items": [
        { "number": 1, "title": "Opening", "nature": "Procedural", "documents": [] },
        { "number": 2, "title": "Amendments", "nature": "Substantive", "documents": [] } ] } }),
    )
    .await;
    s.ok(MEETING, &t.chair, json!({ "Open": {} })).await;
    s.ok(MEETING, &t.chair, json!({ "AdoptAgenda": {} })).await;
    s.ok(MEETING, &t.chair, json!({ "TakeUpItem": { "item": 2 } }))
        .await;
    for (id, state, token, new) in [
        ("am-a", "NOR", &t.nor, "on a voluntary and rotating"),
        ("am-b", "BRA", &t.bra, "periodically, on a"),
        ("am-c", "FRA", &t.fra, "on an annual"),
    ] {
        s.ok(&format!("/api/v1/amendments/{id}/commands"), token, json!({ "Propose": {
            "framework_id": "poa", "proposer": state, "co_sponsors": [], "title": format!("Amendment {id}"),
            "base_version": 1, "operations": [
                { "op": "replace_words", "paragraph": "OP-1", "at_word": 5, "old": "on a rotating", "new": new } ] } }))
            .await;
        s.ok(
            &format!("/api/v1/amendments/{id}/commands"),
            &t.chair,
            json!({ "Table": { "meeting_id": "rc-1", "agenda_item": 2 } }),
        )
        .await;
    }
    t
}

fn call(amendment: &str) -> Value {
    json!({ "CallForConsensus": { "subject": { "Amendment": { "amendment_id": amendment, "revision": 1 } } } })
}

fn adopt() -> Value {
    json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } })
}

async fn an_amendment_put_in_conflict_is_neither_called_nor_adopted_before_the_reactor_marks_it(
    backend: Backend,
) {
    let s = spawn_without_reactor(backend).await;
    let t = meeting_with_amendments(&s).await;
    s.settle().await;

    // A is adopted. Before the reactor applies it, the chair calls C: the framework's text
    // is about to change, so the call is refused for now (503, retry) and nothing appended.
    s.ok(MEETING, &t.chair, call("am-a")).await;
    s.ok(MEETING, &t.chair, adopt()).await;
    let before = s.head().await;
    let r = s.post(MEETING, &t.chair, call("am-c")).await;
    assert_eq!(r.headers().get("retry-after").unwrap(), "1");
    let p = problem(r, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(
        p["detail"].as_str().unwrap().contains("am-a"),
        "the refusal names the adoption being applied: {p}"
    );
    assert_eq!(s.head().await, before, "a refusal appends nothing");

    // One reactor step: A is applied (framework version 2), but the reactor has not yet
    // reached the framework's change, so B and C are not marked in conflict.
    s.reactor.step().await.unwrap();
    let (framework, _) = framework_at(&s.app.store, "poa", Cut::Latest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(framework.version(), 2, "A was applied");
    for id in ["am-b", "am-c"] {
        let (a, _) = s.app.amendments.load(id).await.unwrap();
        assert_eq!(
            a.status(),
            AmendmentStatus::Tabled,
            "{id} is not marked yet"
        );
    }

    // C cannot be called: it would not apply to the text as it now stands.
    let before = s.head().await;
    let p = problem(
        s.post(MEETING, &t.chair, call("am-c")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p["type"], "/problems/amendment-does-not-apply", "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("am-c") && detail.contains("OP-1") && detail.contains("operation 1"),
        "the refusal says what conflicts and where: {detail}"
    );
    assert_eq!(s.head().await, before, "a refusal appends nothing");

    // B cannot even be called.
    let before = s.head().await;
    let p = problem(
        s.post(MEETING, &t.chair, call("am-b")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p["type"], "/problems/amendment-does-not-apply", "{p}");
    assert_eq!(p["field"], "subject.Amendment", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("OP-1"), "{p}");
    assert_eq!(s.head().await, before, "a refusal appends nothing");

    // Once the reactor catches up, B is marked in conflict and the refusal says so.
    s.settle().await;
    let (b, _) = s.app.amendments.load("am-b").await.unwrap();
    assert_eq!(b.status(), AmendmentStatus::InConflict);
    let p = problem(
        s.post(MEETING, &t.chair, call("am-b")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p["type"], "/problems/amendment-in-conflict", "{p}");

    // Exactly one amendment reached the framework.
    let (framework, _) = framework_at(&s.app.store, "poa", Cut::Latest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(framework.version(), 2);
    let text = serde_json::to_string(framework.declaration()).unwrap();
    assert!(text.contains("on a voluntary and rotating basis"), "{text}");
}

async fn explanations_after_a_decision_are_on_the_register_and_survive_a_rebuild(backend: Backend) {
    let s = spawn_without_reactor(backend).await;
    let t = meeting_with_amendments(&s).await;
    s.ok(MEETING, &t.chair, call("am-a")).await;
    let before = s
        .ok(
            MEETING,
            &t.fra,
            json!({ "ExplainPosition": { "state": "FRA", "timing": "BeforeDecision",
        "text": "France joins the consensus.", "dissociates_from": [] } }),
        )
        .await;
    assert!(before["positions"].as_array().is_some());
    let adopted_at = s.ok(MEETING, &t.chair, adopt()).await["positions"]
        .as_array()
        .and_then(|p| p.last())
        .and_then(Value::as_i64)
        .unwrap();
    s.ok(MEETING, &t.bra, json!({ "ExplainPosition": { "state": "BRA", "timing": "AfterDecision",
        "text": "Had there been a vote, Brazil would have abstained.", "dissociates_from": ["OP-1"] } })).await;
    let last = s
        .ok(
            MEETING,
            &t.nor,
            json!({ "ExplainPosition": { "state": "NOR", "timing": "AfterDecision",
        "text": "Norway welcomes the decision.", "dissociates_from": [] } }),
        )
        .await["positions"][0]
        .as_i64()
        .unwrap();

    let register = s
        .get(
            &format!("/api/v1/decisions?meeting=rc-1&min_position={last}"),
            &t.sec,
        )
        .await;
    let decisions = register["decisions"].as_array().unwrap();
    let adopted = decisions
        .iter()
        .find(|d| d["kind"] == "amendment_adopted")
        .unwrap_or_else(|| panic!("no adoption on the register: {register}"));
    let explained: Vec<(&str, &str)> = adopted["explanations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["state"].as_str().unwrap(), e["timing"].as_str().unwrap()))
        .collect();
    assert_eq!(
        explained,
        vec![
            ("FRA", "BeforeDecision"),
            ("BRA", "AfterDecision"),
            ("NOR", "AfterDecision")
        ]
    );
    assert_eq!(
        adopted["explanations"][1]["dissociates_from"],
        json!(["OP-1"])
    );
    // The agenda's adoption (decision 1) got none of them.
    let agenda = decisions.iter().find(|d| d["number"] == 1).unwrap();
    assert_eq!(agenda["explanations"], json!([]));

    // As of the adoption, the register shows the entry as it stood then: the explanations
    // given after it are not there yet (issue 18, item 1). Answered from the log.
    let then = s
        .get(
            &format!("/api/v1/decisions?meeting=rc-1&at=p:{adopted_at}"),
            &t.sec,
        )
        .await;
    let entry = then["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "amendment_adopted")
        .unwrap_or_else(|| panic!("no adoption as of {adopted_at}: {then}"))
        .clone();
    let states: Vec<&str> = entry["explanations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, vec!["FRA"], "{entry}");
    // As of the last explanation the register from the log equals the read model.
    let now = s
        .get(
            &format!("/api/v1/decisions?meeting=rc-1&at=p:{last}"),
            &t.sec,
        )
        .await;
    assert_eq!(now["decisions"], register["decisions"]);
    // The meeting as of just before the adoption: the call still open, no decision yet.
    let before_adoption = s
        .get(
            &format!("/api/v1/meetings/rc-1?at=p:{}", adopted_at - 1),
            &t.sec,
        )
        .await;
    assert_eq!(
        before_adoption["state"]["consensus"]["open"], true,
        "{before_adoption}"
    );
    let live = s
        .get(
            &format!("/api/v1/meetings/rc-1?min_position={last}"),
            &t.sec,
        )
        .await;
    let from_log = s
        .get(&format!("/api/v1/meetings/rc-1?at=p:{last}"), &t.sec)
        .await;
    assert_eq!(
        live, from_log,
        "the meeting from the log equals its read model"
    );

    // The projection equals its rebuild.
    assert!(
        s.app
            .projector
            .wait_for(s.head().await, Duration::from_secs(10))
            .await
    );
    let db = s.app.store.db();
    let live = docs::dump(db).await.unwrap();
    s.app.projector.rebuild(None).await.unwrap();
    let rebuilt = docs::dump(db).await.unwrap();
    assert_eq!(live, rebuilt, "a rebuild reproduces the live rows exactly");
    assert!(live
        .iter()
        .any(|(p, _, body, _)| p == "decisions" && body.contains("Norway welcomes the decision.")));
}

async fn a_meeting_is_convened_only_under_an_item_of_an_adopted_programme_of_work(
    backend: Backend,
) {
    let s = spawn_without_reactor(backend).await;
    let t = meeting_with_amendments(&s).await;
    let convene = |item: u32| {
        json!({ "Convene": {
            "meeting_id": "pm-1", "body_id": "poa", "kind": "PeriodicMeeting", "symbol": "PoA/AM.1/2027",
            "title": "First annual meeting", "starts": "2027-07-12", "ends": "2027-07-16",
            "venue": "Geneva", "chair": { "name": "Ambassador Lars Berg", "state": null },
            "programme_link": { "meeting_id": "rc-1", "item": item } } })
    };
    let pm = "/api/v1/meetings/pm-1/commands";

    // No programme of work adopted yet.
    let before = s.head().await;
    let p = problem(
        s.post(pm, &t.sec, convene(1)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["type"], "/problems/no-programme-of-work", "{p}");
    assert_eq!(p["field"], "programme_link.meeting_id", "{p}");
    // A meeting that does not exist.
    let mut unknown = convene(1);
    unknown["Convene"]["programme_link"]["meeting_id"] = json!("rc-9");
    let p = problem(
        s.post(pm, &t.sec, unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "programme_link.meeting_id", "{p}");
    assert_eq!(s.head().await, before, "refusals append nothing");

    // The conference adopts a programme of three meetings.
    s.ok(MEETING, &t.chair, json!({ "CallForConsensus": { "subject": { "ProgrammeOfWork": { "meetings": [
        { "kind": "PeriodicMeeting", "title": "First annual meeting", "starts": "2027-07-12", "ends": "2027-07-16" },
        { "kind": "IntersessionalMeeting", "title": "Intersessional meeting", "starts": "2027-03-01", "ends": "2027-03-03" },
        { "kind": "PeriodicMeeting", "title": "Second annual meeting", "starts": "2028-07-10", "ends": "2028-07-14" } ] } } } }))
        .await;
    s.ok(MEETING, &t.chair, adopt()).await;

    let before = s.head().await;
    for item in [0, 4, 5] {
        let p = problem(
            s.post(pm, &t.sec, convene(item)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["type"], "/problems/not-in-programme-of-work", "{p}");
        assert_eq!(p["field"], "programme_link.item", "{p}");
        assert!(p["detail"].as_str().unwrap().contains("3 meetings"), "{p}");
    }
    assert_eq!(s.head().await, before, "refusals append nothing");
    s.ok(pm, &t.sec, convene(1)).await;
}
