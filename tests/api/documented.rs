//! What the OpenAPI document says of each query parameter is what the server does: every
//! documented constraint is enforced (a value outside it is a 400 naming the parameter), and
//! every value the document allows is accepted (no 400 naming it). Parameters and their
//! schemas are read from the served document itself.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{e2e_tests, TestApp};

/// Values the parameter's schema allows.
fn valid(name: &str, schema: &Value) -> Vec<String> {
    match schema["type"].as_str() {
        Some("integer") => {
            let min = schema["minimum"].as_i64().unwrap_or(0).max(0);
            let max = schema["maximum"].as_i64().unwrap_or(i64::MAX);
            // Positions and versions near the start exist in any log; a larger value may be
            // past the head, which `at`-like parameters refuse by design (documented).
            let mut v = vec![min.to_string()];
            if name == "limit" {
                v.push(max.to_string());
            }
            v
        }
        _ if schema["enum"].is_array() => schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect(),
        _ if name == "at" => vec![
            "p:1".into(),
            "2026-01-01".into(),
            "2026-01-01T00:00:00Z".into(),
        ],
        _ => match schema["examples"][0].as_str() {
            Some(example) => vec![example.to_owned()],
            None => vec!["x".into()],
        },
    }
}

/// Values the parameter's schema refuses.
fn invalid(schema: &Value) -> Vec<String> {
    let mut v = Vec::new();
    if schema["type"] == "integer" {
        v.push("x".into());
        v.push("1.5".into());
        if let Some(min) = schema["minimum"].as_i64().filter(|m| *m > i64::MIN) {
            v.push((i128::from(min) - 1).to_string());
        }
        if let Some(max) = schema["maximum"].as_i64().filter(|m| *m < i64::MAX) {
            v.push((i128::from(max) + 1).to_string());
        }
    }
    if schema["minLength"].as_u64() == Some(1) {
        v.push(String::new());
    }
    if let Some(allowed) = schema["enum"].as_array() {
        v.extend(
            ["x", "", "EN", "en-GB"]
                .into_iter()
                .filter(|c| !allowed.iter().any(|a| a == c))
                .map(str::to_owned),
        );
    }
    if let Some(pattern) = schema["pattern"].as_str() {
        let re = regex::Regex::new(pattern).unwrap();
        v.extend(
            ["x", "", "/", "a/", "/b", "p:", "12 "]
                .into_iter()
                .filter(|c| !re.is_match(c))
                .map(str::to_owned),
        );
    }
    v
}

async fn every_documented_parameter_constraint_is_enforced_and_no_other(app: TestApp) {
    let (tokens, _) = app.load_demo().await;
    app.settle().await;
    let t = &tokens.auditor;
    let doc: Value = app.get("/openapi.json", t).await.json().await.unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        if path.contains("stream") {
            continue; // an event stream does not end; its parameters are tested in protocol.rs
        }
        let concrete = path.replace("{id}", "poa-rc-1").replace("{position}", "1");
        // The demo's framework and body are both "poa"; its review conference "poa-rc-1".
        let url = if path.starts_with("/api/v1/frameworks/") || path.starts_with("/api/v1/bodies/")
        {
            concrete.replace("poa-rc-1", "poa")
        } else {
            concrete
        };
        let params: Vec<&Value> = get["parameters"]
            .as_array()
            .map(|a| a.iter().filter(|p| p["in"] == "query").collect())
            .unwrap_or_default();
        // Required parameters get a valid value in every request.
        let required: Vec<(String, String)> = params
            .iter()
            .filter(|p| p["required"] == true)
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_owned(),
                    valid(p["name"].as_str().unwrap(), &p["schema"])[0].clone(),
                )
            })
            .collect();
        let query = |name: &str, value: &str| {
            let mut pairs: Vec<(String, String)> = required
                .iter()
                .filter(|(n, _)| n != name)
                .cloned()
                .collect();
            pairs.push((name.to_owned(), value.to_owned()));
            let q: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            format!("{url}?{q}")
        };
        for p in &params {
            let name = p["name"].as_str().unwrap();
            for v in valid(name, &p["schema"]) {
                let r = app.get(&query(name, &v), t).await;
                let status = r.status();
                let body: Value = r.json().await.unwrap_or(Value::Null);
                assert!(
                    !(status == StatusCode::BAD_REQUEST && body["field"] == name),
                    "{path}: {name}={v:?} is allowed by the document, refused by the server: {body}"
                );
                assert!(!status.is_server_error(), "{path}: {name}={v:?}: {status}");
                checked += 1;
            }
            for v in invalid(&p["schema"]) {
                let r = app.get(&query(name, &v), t).await;
                let status = r.status();
                let body: Value = r.json().await.unwrap_or(Value::Null);
                assert_eq!(
                    status,
                    StatusCode::BAD_REQUEST,
                    "{path}: {name}={v:?} is outside the document, yet answered: {body}"
                );
                assert_eq!(body["field"], name, "{path}: {name}={v:?}: {body}");
                checked += 1;
            }
        }
        // A required parameter left out is refused, naming it.
        for (name, _) in &required {
            let r = app.get(&url, t).await;
            let body: Value = r.json().await.unwrap_or(Value::Null);
            assert_eq!(body["status"], 400, "{path} without {name}: {body}");
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked} requests");
}

/// A read that documents `X-Min-Position` waits for the read models, and refuses a position
/// past the log's head (400, naming min_position); a read that does not document it ignores
/// the header. So a handler that takes `MinPosition` without listing it in its
/// `#[utoipa::path]` params fails here.
async fn a_read_documents_the_wait_it_does(app: TestApp) {
    let (tokens, _) = app.load_demo().await;
    app.settle().await;
    let t = &tokens.auditor;
    let past = (app.head().await + 1_000_000).to_string();
    let doc: Value = app.get("/openapi.json", t).await.json().await.unwrap();
    let mut waits = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        if path.contains("stream") {
            continue; // never ends; it resumes with Last-Event-ID instead
        }
        // Any well-formed ids: a wait is decided before the record is looked up.
        let url = path
            .replace("{id}", "poa")
            .replace("{position}", "1")
            .replace("{state}", "NOR")
            .replace("{sha256}", &"ab".repeat(32));
        let params = get["parameters"].as_array().cloned().unwrap_or_default();
        let required: Vec<(String, String)> = params
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] == true)
            .map(|p| {
                let name = p["name"].as_str().unwrap();
                (name.to_owned(), valid(name, &p["schema"])[0].clone())
            })
            .collect();
        let q: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(required)
            .finish();
        let r = app
            .req(reqwest::Method::GET, &format!("{url}?{q}"), Some(t))
            .header("X-Min-Position", &past)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        let documented = params.iter().any(|p| p["name"] == "X-Min-Position");
        if documented {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert_eq!(body["field"], "min_position", "{path}: {body}");
            waits += 1;
        } else {
            assert!(
                !(status == StatusCode::BAD_REQUEST && body["field"] == "min_position"),
                "{path} reads min_position without documenting it: {body}"
            );
        }
    }
    assert!(waits > 30, "{waits} reads that wait");
}

e2e_tests!(
    every_documented_parameter_constraint_is_enforced_and_no_other,
    a_read_documents_the_wait_it_does,
);
