//! Hostile input. SQL and HTML in the text fields of real commands are stored and returned
//! verbatim as JSON, and the log still verifies; oversized, deeply nested, badly encoded,
//! mistyped, over-specified and path-traversing requests are all 4xx problem+json that append
//! nothing. Never a 5xx.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{e2e_tests, TestApp, SMALL_BODY, SMALL_MEETING, SMALL_MEMBERS};

e2e_tests!(
    sql_and_html_in_text_are_stored_and_returned_verbatim,
    malformed_requests_are_refused_and_append_nothing,
);

const SQL: &str = "'); drop table events;--";
const SCRIPT: &str = "<script>alert(1)</script>";
const BOLD: &str = "<b>x</b>";

/// True when `v` holds the string `s`, exactly, somewhere.
fn holds(v: &Value, s: &str) -> bool {
    match v {
        Value::String(x) => x == s,
        Value::Array(a) => a.iter().any(|x| holds(x, s)),
        Value::Object(o) => o.values().any(|x| holds(x, s)),
        _ => false,
    }
}

/// GET as JSON, asserting 200 and `application/json`.
async fn read(app: &TestApp, path: &str, token: &str) -> Value {
    let r = app.get(path, token).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, "application/json", "{path}");
    let raw = r.bytes().await.unwrap();
    // Not escaped, not mangled: the raw JSON carries the markup as sent.
    let text = String::from_utf8(raw.to_vec()).unwrap();
    assert!(
        !text.contains("&lt;") && !text.contains("&#"),
        "{path}: {text}"
    );
    serde_json::from_slice(&raw).unwrap()
}

async fn ok(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let r = app.post(path, token, body.clone()).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{path} {body}: {v}");
    v
}

async fn sql_and_html_in_text_are_stored_and_returned_verbatim(app: TestApp) {
    let title = format!("{SQL} {SCRIPT} {BOLD}");
    let s = app.small_world(&title).await;
    let mcmd = format!("/api/v1/meetings/{SMALL_MEETING}/commands");
    let texts = [
        SQL.to_owned(),
        SCRIPT.to_owned(),
        BOLD.to_owned(),
        format!("Robert'); DROP TABLE read_docs; -- \"quoted\" \\ back\\slash {SCRIPT}"),
        "<img src=x onerror=alert(1)> ${{7*7}} {{constructor}} %00 %s".to_owned(),
    ];

    // A Political Declaration whose paragraphs are the hostile texts.
    let paragraphs: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| json!({ "id": format!("OP-{}", i + 1), "kind": "operative", "section": "general", "text": t }))
        .collect();
    ok(&app, &format!("/api/v1/frameworks/{SMALL_BODY}/commands"), &s.sec, json!({ "EstablishProgramme": {
        "body_id": SMALL_BODY, "name": BOLD, "establishing_symbol": "A/RES/1/1", "date": "2027-01-01",
        "co_sponsors": ["NOR"], "sections": [{ "section": "general", "title": SCRIPT }], "paragraphs": paragraphs } })).await;
    // An amendment whose title and new paragraph are hostile.
    ok(&app, "/api/v1/amendments/am-x/commands", &s.nor, json!({ "Propose": {
        "framework_id": SMALL_BODY, "proposer": "NOR", "co_sponsors": [], "title": SQL, "base_version": 1,
        "operations": [{ "op": "insert_after", "after": "OP-1", "new_id": "OP-X", "kind": "operative",
            "section": "general", "text": texts[3] }] } })).await;
    // A meeting that adopts a hostile draft decision, with a hostile explanation of position.
    for st in SMALL_MEMBERS {
        ok(
            &app,
            &mcmd,
            &s.sec,
            json!({ "MarkPresent": { "state": st } }),
        )
        .await;
    }
    ok(
        &app,
        &mcmd,
        &s.chair,
        json!({ "IssueProvisionalAgenda": { "items": [
        { "number": 1, "title": SCRIPT, "nature": "Substantive", "documents": [] } ] } }),
    )
    .await;
    ok(&app, &mcmd, &s.chair, json!({ "Open": {} })).await;
    ok(&app, &mcmd, &s.chair, json!({ "AdoptAgenda": {} })).await;
    ok(
        &app,
        &mcmd,
        &s.chair,
        json!({ "TakeUpItem": { "item": 1 } }),
    )
    .await;
    ok(
        &app,
        &mcmd,
        &s.chair,
        json!({ "CallForConsensus": { "subject": { "DraftDecision": { "text": title } } } }),
    )
    .await;
    ok(
        &app,
        &mcmd,
        &s.nor,
        json!({ "ExplainPosition": { "state": "NOR", "timing": "BeforeDecision",
        "text": texts[4], "dissociates_from": [] } }),
    )
    .await;
    let v = ok(
        &app,
        &mcmd,
        &s.chair,
        json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } }),
    )
    .await;
    let last = v["positions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_i64()
        .unwrap();
    app.settle().await;

    // Every text comes back exactly as sent.
    let m = read(
        &app,
        &format!("/api/v1/meetings/{SMALL_MEETING}?min_position={last}"),
        &s.observer,
    )
    .await;
    assert!(holds(&m, &title), "{m}");
    let list = read(&app, "/api/v1/meetings", &s.observer).await;
    assert!(holds(&list, &title), "{list}");
    let agenda = read(
        &app,
        &format!("/api/v1/meetings/{SMALL_MEETING}/agenda"),
        &s.observer,
    )
    .await;
    assert_eq!(
        agenda["items"][0]["item"]["title"]
            .as_str()
            .or(agenda["items"][0]["title"].as_str()),
        Some(SCRIPT),
        "{agenda}"
    );
    let f = read(
        &app,
        &format!("/api/v1/frameworks/{SMALL_BODY}"),
        &s.observer,
    )
    .await;
    assert_eq!(f["name"], BOLD);
    for (i, t) in texts.iter().enumerate() {
        let p = f["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == format!("OP-{}", i + 1))
            .unwrap();
        assert_eq!(p["text"].as_str(), Some(t.as_str()), "{p}");
    }
    let a = read(&app, "/api/v1/amendments/am-x", &s.observer).await;
    assert!(holds(&a, SQL) && holds(&a, &texts[3]), "{a}");
    let d = read(
        &app,
        &format!("/api/v1/decisions?meeting={SMALL_MEETING}"),
        &s.observer,
    )
    .await;
    let decision = d["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "decision")
        .unwrap();
    assert_eq!(
        decision["text"].as_str(),
        Some(title.as_str()),
        "{decision}"
    );
    assert_eq!(
        decision["explanations"][0]["text"].as_str(),
        Some(texts[4].as_str()),
        "{decision}"
    );
    // The log itself holds the texts verbatim.
    let page = read(&app, "/api/v1/audit/events?type=DecisionTaken", &s.auditor).await;
    let pos = page["events"].as_array().unwrap().last().unwrap()["position"]
        .as_i64()
        .unwrap();
    let e = read(&app, &format!("/api/v1/audit/events/{pos}"), &s.auditor).await;
    assert!(holds(&e["payload"], &title), "{e}");

    // Nothing was dropped or injected: every event is still there and the chain verifies.
    let head = app.head().await;
    let all = read(&app, "/api/v1/audit/events?limit=1000", &s.auditor).await;
    assert_eq!(all["events"].as_array().unwrap().len() as i64, head);
    let v = read(&app, "/api/v1/log/verify", &s.auditor).await;
    assert!(v["problem"].is_null(), "{v}");
    assert_eq!(v["events_checked"].as_i64(), Some(head), "{v}");
    assert_eq!(v["last_position"].as_i64(), Some(head), "{v}");

    // SQL in query parameters is a value to match, not code: it matches nothing.
    for q in [
        "/api/v1/audit/events?actor=%27%20OR%20%271%27%3D%271",
        "/api/v1/audit/events?meeting=%27%29%3B%20drop%20table%20events%3B--",
        "/api/v1/audit/events?type=x%27%20or%201%3D1--",
    ] {
        let r = read(&app, q, &s.auditor).await;
        assert!(r["events"].as_array().unwrap().is_empty(), "{q}: {r}");
    }
    for q in [
        "/api/v1/meetings?body=%27%20or%201%3D1--",
        "/api/v1/decisions?meeting=%27%20or%201%3D1--",
    ] {
        let r = read(&app, q, &s.observer).await;
        let arr = r
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_array()
            .unwrap();
        assert!(arr.is_empty(), "{q}: {r}");
    }
}

struct Bad {
    what: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    headers: Vec<(&'static str, String)>,
    /// The exact status, when the contract fixes it.
    status: Option<StatusCode>,
}

fn bad(
    what: &'static str,
    path: &str,
    content_type: Option<&'static str>,
    body: impl Into<Vec<u8>>,
    status: Option<StatusCode>,
) -> Bad {
    Bad {
        what,
        method: Method::POST,
        path: path.to_owned(),
        content_type,
        body: Some(body.into()),
        headers: vec![],
        status,
    }
}

fn bad_get(what: &'static str, path: &str, status: Option<StatusCode>) -> Bad {
    Bad {
        what,
        method: Method::GET,
        path: path.to_owned(),
        content_type: None,
        body: None,
        headers: vec![],
        status,
    }
}

async fn malformed_requests_are_refused_and_append_nothing(app: TestApp) {
    let s = app.small_world("Meeting one").await;
    ok(&app, &format!("/api/v1/frameworks/{SMALL_BODY}/commands"), &s.sec, json!({ "EstablishProgramme": {
        "body_id": SMALL_BODY, "name": "Declaration", "establishing_symbol": "A/RES/1/1", "date": "2027-01-01",
        "co_sponsors": ["NOR"], "sections": [{ "section": "general", "title": "General" }],
        "paragraphs": [{ "id": "OP-1", "kind": "operative", "section": "general", "text": "Decides." }] } })).await;
    let mcmd = format!("/api/v1/meetings/{SMALL_MEETING}/commands");
    let bcmd = format!("/api/v1/bodies/{SMALL_BODY}/commands");
    let json_ct = Some("application/json");
    let limit = plenary::api::MAX_BODY_BYTES;
    let huge = format!(
        "{{\"RegisterObserver\":{{\"observer_id\":\"x\",\"name\":\"{}\"}}}}",
        "x".repeat(limit + 1)
    );
    let long_text = format!(
        "{{\"RegisterObserver\":{{\"observer_id\":\"x\",\"name\":\"{}\"}}}}",
        "x".repeat(limit / 2)
    );
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_in_fields = format!(
        "{{\"Open\":{{\"x\":{}{}}}}}",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let deep_objects = format!(
        "{{\"Open\":{}1{}}}",
        "{\"a\":".repeat(3_000),
        "}".repeat(3_000)
    );
    let mut cases = vec![
        bad("huge body", &mcmd, json_ct, huge.clone(), Some(StatusCode::PAYLOAD_TOO_LARGE)),
        bad("huge body to a body", &bcmd, json_ct, huge.clone(), Some(StatusCode::PAYLOAD_TOO_LARGE)),
        bad("huge body to an amendment", "/api/v1/amendments/am-1/commands", json_ct, huge.clone(), Some(StatusCode::PAYLOAD_TOO_LARGE)),
        bad("huge body to a framework", &format!("/api/v1/frameworks/{SMALL_BODY}/commands"), json_ct, huge.clone(), Some(StatusCode::PAYLOAD_TOO_LARGE)),
        bad("huge body to credentials", "/api/v1/credentials", json_ct, huge.clone(), Some(StatusCode::PAYLOAD_TOO_LARGE)),
        bad("text over the text limit", &mcmd, json_ct, long_text, Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("deeply nested arrays", &mcmd, json_ct, deep, None),
        bad("deeply nested fields", &mcmd, json_ct, deep_in_fields, None),
        bad("deeply nested objects", &mcmd, json_ct, deep_objects, None),
        bad("invalid UTF-8 in a string", &mcmd, json_ct, b"{\"RegisterObserver\":{\"observer_id\":\"x\",\"name\":\"\xff\xfe\"}}".to_vec(), Some(StatusCode::BAD_REQUEST)),
        bad("invalid UTF-8 as the body", &mcmd, json_ct, vec![0xc3, 0x28, 0xa0, 0xa1], Some(StatusCode::BAD_REQUEST)),
        bad("a lone surrogate escape", &mcmd, json_ct, "{\"RegisterObserver\":{\"observer_id\":\"x\",\"name\":\"\\ud800\"}}", None),
        bad("a NUL in a text", &mcmd, json_ct, "{\"RegisterObserver\":{\"observer_id\":\"x\",\"name\":\"a\\u0000b\"}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("text/plain", &mcmd, Some("text/plain"), "{\"Open\":{}}", Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        bad("a form", &mcmd, Some("application/x-www-form-urlencoded"), "Open=1", Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        bad("multipart", &mcmd, Some("multipart/form-data; boundary=x"), "--x--", Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        bad("XML", &mcmd, Some("application/xml"), "<Open/>", Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        bad("no content type", &mcmd, None, "{\"Open\":{}}", Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        bad("JSON declared in latin1", &mcmd, Some("application/json; charset=latin1"), "{\"Open\":{}}", Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        bad("a merge patch", &mcmd, Some("application/merge-patch+json"), "{\"Open\":{}}", Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        bad("JSON with another parameter", &mcmd, Some("application/json; profile=x"), "{\"Open\":{}}", Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        bad("a key given twice", &mcmd, json_ct, "{\"TakeUpItem\":{\"item\":3,\"item\":1}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("a command given twice", &mcmd, json_ct, "{\"Open\":{},\"Open\":{}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("a key given twice, deep inside", &mcmd, json_ct, "{\"InscribeSpeaker\":{\"item\":1,\"speaker\":{\"State\":\"NOR\",\"State\":\"BRA\"}}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("empty body", &mcmd, json_ct, "", Some(StatusCode::BAD_REQUEST)),
        bad("trailing garbage", &mcmd, json_ct, "{\"Open\":{}} x", Some(StatusCode::BAD_REQUEST)),
        bad("unknown field", &mcmd, json_ct, "{\"RegisterObserver\":{\"observer_id\":\"x\",\"name\":\"y\",\"colour\":\"red\"}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("unknown field beside known ones", &mcmd, json_ct, "{\"MarkPresent\":{\"state\":\"NOR\",\"admin\":true}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("unknown nested field", &bcmd, json_ct, "{\"AdmitMember\":{\"state\":\"CHL\"},\"now\":\"2020-01-01\"}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("a server-supplied field, sent", &mcmd, json_ct, "{\"RegisterObserver\":{\"observer_id\":\"x\",\"name\":\"y\",\"now\":\"1999-01-01\",\"quorum\":0}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("unknown command", &mcmd, json_ct, "{\"Explode\":{}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        // Exists, but only the server issues it: refused by authorisation, not as unknown.
        bad("a command only the server issues", "/api/v1/amendments/am-1/commands", json_ct, "{\"MarkAdopted\":{}}", Some(StatusCode::FORBIDDEN)),
        bad("two commands", &mcmd, json_ct, "{\"Open\":{},\"Close\":{}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("an array", &mcmd, json_ct, "[]", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("a number", &mcmd, json_ct, "42", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("null", &mcmd, json_ct, "null", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("fields not an object", &mcmd, json_ct, "{\"MarkPresent\":\"NOR\"}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("wrong type", &mcmd, json_ct, "{\"MarkPresent\":{\"state\":7}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("a traversing id in the body", &mcmd, json_ct, "{\"RegisterObserver\":{\"observer_id\":\"../../etc\",\"name\":\"x\"}}", Some(StatusCode::UNPROCESSABLE_ENTITY)),
        bad("a traversing framework id", "/api/v1/amendments/am-2/commands", json_ct,
            "{\"Propose\":{\"framework_id\":\"../b-1\",\"proposer\":\"NOR\",\"co_sponsors\":[],\"title\":\"t\",\"base_version\":1,\"operations\":[]}}",
            None),
        bad("a traversing meeting id", "/api/v1/meetings/..%2F..%2Fetc/commands", json_ct, "{\"Open\":{}}", Some(StatusCode::BAD_REQUEST)),
        bad("an encoded dot-dot id", "/api/v1/meetings/%2e%2e/commands", json_ct, "{\"Open\":{}}", None), // the client resolves the dot segment itself
        bad("a NUL in an id", "/api/v1/bodies/b%001/commands", json_ct, "{\"AdmitMember\":{\"state\":\"CHL\"}}", Some(StatusCode::BAD_REQUEST)),
        bad("a traversing amendment id", "/api/v1/amendments/..%2Fam-x/commands", json_ct, "{\"Withdraw\":{\"by\":\"NOR\"}}", Some(StatusCode::BAD_REQUEST)),
        bad("a traversing framework path", "/api/v1/frameworks/..%2F..%2Fetc%2Fpasswd/commands", json_ct, "{\"AddTranslation\":{}}", Some(StatusCode::BAD_REQUEST)),
        bad_get("a traversing body id", "/api/v1/bodies/..%2F..%2Fetc", Some(StatusCode::BAD_REQUEST)),
        bad_get("a traversing meeting read", "/api/v1/meetings/..%2F..%2Fetc/agenda", Some(StatusCode::BAD_REQUEST)),
        bad_get("a traversing framework read", "/api/v1/frameworks/..%2F..%2Fetc", Some(StatusCode::BAD_REQUEST)),
        bad_get("a traversing amendment read", "/api/v1/amendments/..%2F..%2Fetc", Some(StatusCode::BAD_REQUEST)),
        bad_get("a traversing event position", "/api/v1/audit/events/..%2F1", Some(StatusCode::BAD_REQUEST)),
        bad_get("a dot-dot path", "/api/v1/meetings/m-1/../../../etc/passwd", None),
        bad_get("a SQL position", "/api/v1/audit/events/1%20or%201=1", Some(StatusCode::BAD_REQUEST)),
        bad_get("an unknown query parameter", "/api/v1/frameworks/b-1?at=1&drop=table", Some(StatusCode::BAD_REQUEST)),
        bad_get("a SQL as-of", "/api/v1/frameworks/b-1?at=%27%3B%20drop%20table%20events", Some(StatusCode::BAD_REQUEST)),
        bad_get("an as-of that is a year or a position", "/api/v1/frameworks/b-1?at=2026", Some(StatusCode::BAD_REQUEST)),
        bad_get("an as-of position without digits", "/api/v1/frameworks/b-1?at=p:", Some(StatusCode::BAD_REQUEST)),
        bad_get("a negative limit", "/api/v1/audit/events?limit=-1", Some(StatusCode::BAD_REQUEST)),
    ];
    let mut traversal_delete = bad_get(
        "a traversing credential id",
        "/api/v1/credentials/..%2F..%2Fetc",
        Some(StatusCode::BAD_REQUEST),
    );
    traversal_delete.method = Method::DELETE;
    cases.push(traversal_delete);
    let mut long_key = bad(
        "an over-long Idempotency-Key",
        &bcmd,
        json_ct,
        "{\"AdmitMember\":{\"state\":\"CHL\"}}",
        Some(StatusCode::BAD_REQUEST),
    );
    long_key.headers.push(("idempotency-key", "k".repeat(300)));
    cases.push(long_key);
    let mut neg = bad(
        "a negative If-Match",
        &bcmd,
        json_ct,
        "{\"AdmitMember\":{\"state\":\"CHL\"}}",
        Some(StatusCode::BAD_REQUEST),
    );
    neg.headers.push(("if-match", "\"-1\"".into()));
    cases.push(neg);

    let head = app.head().await;
    let mut failures = Vec::new();
    for c in &cases {
        let token =
            if c.path.starts_with("/api/v1/audit") || c.path.starts_with("/api/v1/credentials") {
                &app.admin
            } else if c.path.starts_with("/api/v1/amendments") {
                &s.nor
            } else {
                &s.sec
            };
        let mut req = app.req(c.method.clone(), &c.path, Some(token));
        if let Some(ct) = c.content_type {
            req = req.header("content-type", ct);
        }
        for (k, v) in &c.headers {
            req = req.header(*k, v);
        }
        if let Some(b) = &c.body {
            req = req.body(b.clone());
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let ct = crate::helpers::content_type(&res);
        let text = res.text().await.unwrap_or_default();
        let shown: String = text.chars().take(300).collect();
        let problem: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let ok = status.is_client_error()
            && c.status.is_none_or(|want| want == status)
            && ct == "application/problem+json"
            && problem["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("/problems/"))
            && problem["status"] == status.as_u16();
        if !ok {
            failures.push(format!(
                "{}: {} {} answered {status} {ct} (wanted {:?}): {shown}",
                c.what, c.method, c.path, c.status
            ));
        }
        let now = app.head().await;
        if now != head {
            failures.push(format!("{}: the log moved from {head} to {now}", c.what));
        }
    }

    // A key given twice is named, whichever of its values a parser would keep.
    for (body, field) in [
        (
            "{\"TakeUpItem\":{\"item\":3,\"item\":1}}",
            "TakeUpItem.item",
        ),
        ("{\"Open\":{},\"Open\":{}}", "Open"),
    ] {
        let res = app
            .req(Method::POST, &mcmd, Some(&s.chair))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let p = crate::helpers::problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        if p["type"] != "/problems/duplicate-key" || p["field"] != field {
            failures.push(format!("{body} answered {p}"));
        }
    }
    // JSON declared as UTF-8 is JSON.
    let res = app
        .req(Method::POST, &mcmd, Some(&s.chair))
        .header("content-type", "application/json; charset=UTF-8")
        .body("{\"Colour\":{}}")
        .send()
        .await
        .unwrap();
    let p = crate::helpers::problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    if p["type"] != "/problems/unknown-command" {
        failures.push(format!("application/json; charset=UTF-8 answered {p}"));
    }

    // A huge body sent in chunks, with no Content-Length, is refused the same way.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = huge
        .as_bytes()
        .chunks(16 * 1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let res = app
        .req(Method::POST, &mcmd, Some(&s.sec))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let ct = crate::helpers::content_type(&res);
    if status != StatusCode::PAYLOAD_TOO_LARGE || ct != "application/problem+json" {
        failures.push(format!("chunked huge body answered {status} {ct}"));
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests were mishandled:\n{}",
        failures.len(),
        cases.len() + 1,
        failures.join("\n")
    );
    assert_eq!(app.head().await, head);
    let v: Value = app
        .get("/api/v1/log/verify", &s.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert!(v["problem"].is_null(), "{v}");
}
