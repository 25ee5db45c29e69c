//! The pages front end over HTTP, without a browser: sign-in links work once and expire,
//! sessions expire, form tokens are masked per response and still accepted, pages are
//! compressed for browsers that accept it while the live stream is not.

use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

use crate::helpers::{e2e_tests, TestApp};
use plenary::store::{credentials, sessions};

e2e_tests!(
    a_sign_in_link_works_once_and_expires,
    an_expired_session_is_sent_to_sign_in,
    form_tokens_differ_per_page_and_each_is_accepted,
    pages_are_compressed_and_the_stream_is_not,
    the_upload_form_checks_its_token_its_fields_and_the_limit,
);

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A session cookie for a new secretariat credential.
async fn session(app: &TestApp, ttl_us: i64) -> String {
    let db = app.app.store.db();
    let (c, _) = credentials::create(db, "secretariat", None, "pages test")
        .await
        .unwrap();
    let id = sessions::start(db, &c.id, ttl_us).await.unwrap();
    format!("plenary_session={id}")
}

/// GET `path` with a session cookie and, if `gzip`, accepting gzip as a browser does; no
/// redirect is followed.
async fn get(app: &TestApp, path: &str, cookie: &str, gzip: bool) -> reqwest::Response {
    let mut r = no_redirects()
        .get(format!("{}{path}", app.base))
        .header(COOKIE, cookie);
    if gzip {
        r = r.header(ACCEPT_ENCODING, "gzip");
    }
    r.send().await.unwrap()
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").expect("a form token") + 20;
    page[at..at + page[at..].find('"').unwrap()].to_owned()
}

async fn a_sign_in_link_works_once_and_expires(app: TestApp) {
    let db = app.app.store.db();
    let (c, _) = credentials::create(db, "auditor", None, "link test")
        .await
        .unwrap();
    let http = no_redirects();
    let code = sessions::issue_link(db, &c.id, 60_000_000).await.unwrap();
    let url = format!("{}/sign-in/link/{code}", app.base);
    let first = http.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let cookie = first
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("plenary_session=pls_"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let again = http.get(&url).send().await.unwrap();
    assert_eq!(location(&again), "/sign-in?why=link", "a link works once");
    assert!(again.headers().get(SET_COOKIE).is_none());

    let stale = sessions::issue_link(db, &c.id, -1).await.unwrap();
    let r = http
        .get(format!("{}/sign-in/link/{stale}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&r),
        "/sign-in?why=link",
        "an expired link is refused"
    );
}

async fn an_expired_session_is_sent_to_sign_in(app: TestApp) {
    let live = session(&app, 60_000_000).await;
    let r = get(&app, "/", &live, false).await;
    assert_eq!(r.status(), StatusCode::OK);
    let expired = session(&app, -1).await;
    let r = get(&app, "/", &expired, false).await;
    assert_eq!(location(&r), "/sign-in?why=expired");
}

async fn form_tokens_differ_per_page_and_each_is_accepted(app: TestApp) {
    let http = no_redirects();
    let cookie = session(&app, 60_000_000).await;
    let page = || async { get(&app, "/", &cookie, false).await.text().await.unwrap() };
    let (a, b) = (csrf_of(&page().await), csrf_of(&page().await));
    assert_ne!(a, b, "a form token is masked afresh in each response");
    // The session's token itself, unmasked, is not what a form carries.
    let secret = plenary::web::session::unmask(&a).unwrap();
    assert_eq!(plenary::web::session::unmask(&b).unwrap(), secret);
    let sign_out = |token: String| {
        http.post(format!("{}/sign-out", app.base))
            .header(COOKIE, &cookie)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(format!("_csrf={token}"))
            .send()
    };
    let refused = sign_out(secret).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let r = sign_out(a).await.unwrap();
    assert_eq!(location(&r), "/sign-in?why=out");
    let r = get(&app, "/", &cookie, false).await;
    assert_eq!(location(&r), "/sign-in?why=expired", "signed out");
}

async fn pages_are_compressed_and_the_stream_is_not(app: TestApp) {
    let cookie = session(&app, 60_000_000).await;
    let r = get(&app, "/", &cookie, true).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers().get(CONTENT_ENCODING).map(|v| v.as_bytes()),
        Some(&b"gzip"[..])
    );
    let r = get(&app, "/api/v1/stream", &cookie, true).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get(CONTENT_ENCODING).is_none());
}

/// A multipart body of text fields and one file, as a browser sends the upload form.
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "plenary-test-boundary-7d1f";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn the_upload_form_checks_its_token_its_fields_and_the_limit(app: TestApp) {
    let sec = app.token("secretariat", None).await;
    let ok = |r: reqwest::Response| async move {
        let status = r.status();
        assert_eq!(status, StatusCode::OK, "{}", r.text().await.unwrap());
    };
    ok(app.post("/api/v1/bodies/poa/commands", &sec, serde_json::json!({ "EstablishBody": { "body_id": "poa",
        "name": "PoA", "parent_body": null, "founding_document": null, "members": ["NOR"], "rules": null } })).await).await;
    ok(app.post("/api/v1/submissions/nir/commands", &sec, serde_json::json!({ "Draft": { "submission_id": "nir",
        "body_id": "poa", "kind": "NationalImplementationReport", "state": "NOR", "title": "Report", "language": "en",
        "text": "Norway reports.", "resolution": null, "sections": [], "paragraphs": [], "topics": [] } })).await).await;
    app.settle().await;
    let cookie = session(&app, 60_000_000).await;
    let page = get(&app, "/submissions/nir", &cookie, false)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("enctype=\"multipart/form-data\""),
        "the page offers the upload form"
    );
    let token = csrf_of(&page);
    let send = |fields: Vec<(&'static str, String)>, file: Vec<u8>| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ct, body) = multipart(&f, &file);
            no_redirects()
                .post(format!("{}/submissions/nir/attachments", app.base))
                .header(COOKIE, cookie)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let files = || async {
        plenary::store::attachments::totals(app.app.store.db())
            .await
            .unwrap()
            .0
    };
    // Without the form's token: refused, nothing stored.
    let r = send(vec![("_form", "f-attach".into())], b"%PDF-1.7 a".to_vec()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A field far longer than the form's own: refused before the file is read.
    let r = send(
        vec![("_csrf", token.clone()), ("_form", "x".repeat(10_000))],
        b"%PDF-1.7 b".to_vec(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(files().await, 0);
    // With the token: stored, and back to the page at the form.
    let r = send(
        vec![("_csrf", token.clone()), ("_form", "f-attach".into())],
        b"%PDF-1.7 c".to_vec(),
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    assert!(location(&r).starts_with("/submissions/nir"));
    assert_eq!(files().await, 1);
    // Over the body's limit: 413 with the page, nothing stored.
    ok(app
        .post(
            "/api/v1/bodies/poa/commands",
            &sec,
            serde_json::json!({ "SetAttachmentLimit": { "bytes": 64 } }),
        )
        .await)
    .await;
    let r = send(
        vec![("_csrf", token.clone()), ("_form", "f-attach".into())],
        vec![b'x'; 65],
    )
    .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("at most 64 bytes"));
    assert_eq!(files().await, 1);
}
