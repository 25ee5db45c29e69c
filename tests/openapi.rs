//! The served OpenAPI document is valid OpenAPI 3.1, and each of its schemas valid JSON
//! Schema 2020-12 (tests/openapi/check.py, with the Python packages of
//! tests/openapi/requirements.txt). `PLENARY_TEST_OPENAPI` names the Python that has them;
//! `.ci/run` makes that virtual environment and sets it, so in CI this fails, never skips.
//! Without it the test says so and passes, so a plain `cargo test` runs everything else.

use std::path::Path;
use std::process::Command;

const ENV: &str = "PLENARY_TEST_OPENAPI";

#[test]
fn the_openapi_document_is_valid_openapi_3_1() {
    let Some(python) = std::env::var_os(ENV) else {
        eprintln!(
            "OpenAPI check not run: set {ENV} to a Python with tests/openapi/requirements.txt"
        );
        return;
    };
    let doc = plenary::api::openapi::build();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openapi/check.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{ENV}={python:?} does not run: {e}"));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the OpenAPI document is not valid:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The constraints a client would otherwise learn from refusals are in the document.
#[test]
fn documented_parameters_carry_the_constraints_the_server_enforces() {
    let doc = plenary::api::openapi::build();
    let param = |path: &str, method: &str, name: &str| {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{method} {path} documents no {name}"))
    };
    let diff_from = param("/api/v1/frameworks/{id}/diff", "get", "from");
    assert_eq!(diff_from["required"], true, "the diff's from is required");
    let limit = param("/api/v1/decisions", "get", "limit");
    assert_eq!(
        (
            limit["schema"]["minimum"].as_i64(),
            limit["schema"]["maximum"].as_i64()
        ),
        (Some(1), Some(1000))
    );
    let at = param("/api/v1/frameworks/{id}", "get", "at");
    assert_eq!(at["schema"]["minLength"], 1, "an empty at is refused");
    let if_match = param("/api/v1/meetings/{id}/commands", "post", "If-Match");
    assert!(
        if_match["schema"]["pattern"].is_string(),
        "If-Match has a documented form"
    );
    param("/api/v1/decisions", "get", "X-Min-Position");
    let credentials = &doc["paths"]["/api/v1/credentials"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"];
    assert_eq!(
        credentials["type"], "array",
        "GET /credentials answers an array"
    );
    assert!(
        !serde_json::to_string(&doc)
            .unwrap()
            .contains("\"enum\":null"),
        "no schema has \"enum\": null"
    );
}

/// What a client would otherwise guess (issue 18, item 15).
#[test]
fn the_document_says_what_a_client_would_otherwise_guess() {
    let doc = plenary::api::openapi::build();
    let text = serde_json::to_string(&doc).unwrap();
    assert!(text.contains("at_word counts the paragraph's words from 1"));
    let establish = doc["paths"]["/api/v1/bodies/{id}/commands"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "EstablishBody")
        .cloned()
        .unwrap();
    let rules = &establish["properties"]["EstablishBody"]["properties"]["rules"];
    assert_eq!(
        rules["default"],
        serde_json::to_value(plenary::domain::body::RulesOfProcedure::default()).unwrap(),
        "the default rules of procedure are the domain's"
    );
    let decisions = doc["paths"]["/api/v1/decisions"]["get"]["description"]
        .as_str()
        .unwrap();
    assert!(decisions.contains("PoA/RC.1/2026/DEC/3"), "{decisions}");
}

/// The served document is the committed snapshot: a change to a route, a parameter or a
/// generated schema shows in review as a change to tests/openapi/snapshot.json. After a
/// deliberate change, `PLENARY_BLESS=1 cargo test --test openapi` writes the new snapshot.
#[test]
fn the_document_matches_its_snapshot() {
    let doc = plenary::api::openapi::build();
    let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openapi/snapshot.json");
    if std::env::var_os("PLENARY_BLESS").is_some() {
        std::fs::write(&file, &text).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(&file).unwrap_or_default();
    if kept != text {
        let line = kept
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| kept.lines().count().min(text.lines().count()));
        panic!(
            "the OpenAPI document differs from tests/openapi/snapshot.json from line {}:\n  kept:   {}\n  served: {}\nif the change is meant, run PLENARY_BLESS=1 cargo test --test openapi and commit the snapshot",
            line + 1,
            kept.lines().nth(line).unwrap_or("(end)"),
            text.lines().nth(line).unwrap_or("(end)")
        );
    }
}
