//! Issue 18: an as-of that the log cannot answer is refused like `min_position`, and a request
//! head hyper refuses still gets a problem+json answer naming the header.

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{e2e_tests, problem, TestApp, SMALL_BODY};

e2e_tests!(
    an_as_of_position_beyond_the_head_is_refused_like_min_position,
    a_control_byte_in_a_header_gets_problem_json_naming_it,
);

/// Item 7: `at=p:N` past the head was answered 200 with the state now.
async fn an_as_of_position_beyond_the_head_is_refused_like_min_position(app: TestApp) {
    let s = app.small_world("Meeting one").await;
    let r = app
        .post(
            &format!("/api/v1/frameworks/{SMALL_BODY}/commands"),
            &s.sec,
            json!({ "EstablishProgramme": {
                "body_id": SMALL_BODY, "name": "Declaration", "establishing_symbol": "A/RES/1/1",
                "date": "2027-01-01", "co_sponsors": ["NOR"],
                "sections": [{ "section": "general", "title": "General" }],
                "paragraphs": [{ "id": "OP-1", "kind": "operative", "section": "general", "text": "Decides." }] } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (head, _) = app.app.store.head_from_db().await.unwrap();
    let at = |p: i64| format!("/api/v1/frameworks/{SMALL_BODY}?at=p:{p}");

    let r = app.get(&at(head), &s.observer).await;
    assert_eq!(r.status(), StatusCode::OK);
    for beyond in [head + 1, head + 1000, i64::MAX] {
        let p = problem(
            app.get(&at(beyond), &s.observer).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(p["field"], "at", "{p}");
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("beyond the end of the log")
                && detail.contains(&format!("(position {head})")),
            "{p}"
        );
    }
    // The same rule as min_position, on a read that takes it.
    let p = problem(
        app.get(
            &format!("/api/v1/bodies/{SMALL_BODY}?min_position={}", head + 1),
            &s.observer,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "min_position", "{p}");
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("beyond the end of the log"));

    // The OpenAPI document says so where `at` is described.
    let doc: serde_json::Value = app
        .req(reqwest::Method::GET, "/openapi.json", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let params = doc["paths"]["/api/v1/frameworks/{id}"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let at_doc = params.iter().find(|p| p["name"] == "at").unwrap();
    assert!(
        at_doc["description"]
            .as_str()
            .unwrap()
            .contains("beyond the end of the log is refused"),
        "{at_doc}"
    );
}

/// Sends raw bytes on a fresh connection and reads the answer until the server closes it.
async fn raw(app: &TestApp, request: &[u8]) -> (String, String) {
    let addr = app.base.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(request).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        conn.read_to_end(&mut out),
    )
    .await
    .expect("the server closes the connection after a refused head")
    .unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_ascii_lowercase(), body.to_owned())
}

/// Item 13: hyper refused such a head itself, with a bare 400 and no body.
async fn a_control_byte_in_a_header_gets_problem_json_naming_it(app: TestApp) {
    let s = app.small_world("Meeting one").await;
    let path = format!("/api/v1/bodies/{SMALL_BODY}");
    for (header, value) in [
        ("X-Note", b"a\x01b".as_slice()),
        ("Idempotency-Key", b"k\x7f"),
        ("Authorization", b"Bearer \x00x"),
    ] {
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n",
            s.observer
        )
        .into_bytes();
        if header == "Authorization" {
            request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n").into_bytes();
        }
        request.extend_from_slice(format!("{header}: ").as_bytes());
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n\r\n");
        let (head, body) = raw(&app, &request).await;
        assert!(head.starts_with("http/1.1 400 "), "{header}: {head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{header}: {head}"
        );
        let p: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(p["status"], 400);
        assert_eq!(p["type"], "/problems/invalid-input");
        assert_eq!(p["field"], header.to_ascii_lowercase(), "{p}");
        assert!(
            p["detail"].as_str().unwrap().contains("control byte"),
            "{p}"
        );
    }

    // On a kept-alive connection: the first request is answered as usual, the second, refused
    // by hyper, gets the problem+json answer.
    // (/health: a read model may not show the body yet, and this is about the connection.)
    let good = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    let addr = app.base.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(good.as_bytes()).await.unwrap();
    let mut first = vec![0u8; 65536];
    let n = conn.read(&mut first).await.unwrap();
    let answer = String::from_utf8_lossy(&first[..n]);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad: \x02\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        conn.read_to_end(&mut out),
    )
    .await
    .unwrap()
    .unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 400 "), "{text}");
    assert!(text.contains("\"field\":\"x-bad\""), "{text}");

    // Bytes above 0x7f pass hyper (obs-text); the API refuses them itself, as problem+json.
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {}\r\nX-Min-Position: caf",
        s.observer
    )
    .into_bytes();
    request.extend_from_slice(b"\xe9\r\n\r\n");
    let (head, body) = raw(&app, &request).await;
    assert!(head.starts_with("http/1.1 400 "), "{head}");
    assert!(head.contains("application/problem+json"), "{head}");
    let p: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p["field"], "x-min-position", "{p}");
}
