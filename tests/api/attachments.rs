//! Attachments over HTTP: a State attaches the PDF of its report; the bytes are stored by
//! their SHA-256, read by whoever may read the submission, carried by an export bundle and
//! checked offline. A file over the body's limit is answered 413 and stores nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{e2e_tests, problem, TestApp};
use plenary::audit::bundle::{self, ExportOptions};
use plenary::audit::verify;

fn sha256(bytes: &[u8]) -> String {
    plenary::domain::values::ContentHash::of(bytes).to_string()
}

async fn upload(
    app: &TestApp,
    id: &str,
    token: &str,
    name: &str,
    media: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(format!(
            "{}/api/v1/submissions/{id}/attachments?name={name}",
            app.base
        ))
        .bearer_auth(token)
        .header("content-type", media)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn attached_files_are_stored_by_content_exported_and_verified(app: TestApp) {
    let sec = app.token("secretariat", None).await;
    let nor = app.token("delegate", Some("NOR")).await;
    let bra = app.token("delegate", Some("BRA")).await;
    let r = app.post("/api/v1/bodies/poa/commands", &sec, json!({ "EstablishBody": { "body_id": "poa", "name": "PoA",
        "parent_body": null, "founding_document": null, "members": ["NOR", "BRA"], "rules": null } })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.post("/api/v1/submissions/nir-nor/commands", &nor, json!({ "Draft": { "submission_id": "nir-nor", "body_id": "poa",
        "kind": "NationalImplementationReport", "state": "NOR", "title": "Norway's national report", "language": "en",
        "text": "Norway reports on its implementation.", "resolution": null, "sections": [], "paragraphs": [], "topics": [] } })).await;
    assert_eq!(r.status(), StatusCode::OK);

    let pdf: Vec<u8> = b"%PDF-1.7\n% Norway's national report, as filed\n"
        .iter()
        .copied()
        .chain((0..200_000u32).map(|i| (i % 251) as u8))
        .collect();
    // Only the filer (or the secretariat) attaches; another State is told so before it sends
    // a byte that is kept.
    let r = upload(
        &app,
        "nir-nor",
        &bra,
        "x.pdf",
        "application/pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "a draft is not disclosed"
    );
    // A name or media type two readers could take differently is refused, naming the field.
    let p = problem(
        upload(
            &app,
            "nir-nor",
            &nor,
            "a%2Fb.pdf",
            "application/pdf",
            pdf.clone(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "name", "{p}");
    let p = problem(
        upload(
            &app,
            "nir-nor",
            &nor,
            "r.pdf",
            "Application/PDF; q=1",
            pdf.clone(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "Content-Type", "{p}");
    // The JSON route does not attach: a hash alone could be anyone's file.
    let p = problem(
        app.post("/api/v1/submissions/nir-nor/commands", &nor, json!({ "Attach": { "state": "NOR",
            "attachment": { "name": "x.pdf", "media_type": "application/pdf", "sha256": sha256(b"secret"), "size": 6 } } })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("attach-by-upload"),
        "{p}"
    );

    let r = upload(
        &app,
        "nir-nor",
        &nor,
        "national-report-2026.pdf",
        "application/pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // The same file again is one file.
    let p = problem(
        upload(
            &app,
            "nir-nor",
            &nor,
            "copy.pdf",
            "application/pdf",
            pdf.clone(),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("already-attached"),
        "{p}"
    );

    // Over the body's limit: 413, nothing stored (the secretariat sets a small limit).
    let r = app
        .post(
            "/api/v1/bodies/poa/commands",
            &sec,
            json!({ "SetAttachmentLimit": { "bytes": 100_000 } }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let p = problem(
        app.post(
            "/api/v1/bodies/poa/commands",
            &sec,
            json!({ "SetAttachmentLimit": { "bytes": 0 } }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["type"].as_str().unwrap().ends_with("attachment-limit"),
        "{p}"
    );
    let (files_before, _) = plenary::store::attachments::totals(app.app.store.db())
        .await
        .unwrap();
    let big: Vec<u8> = vec![7u8; 100_001];
    let p = problem(
        upload(
            &app,
            "nir-nor",
            &nor,
            "big.pdf",
            "application/pdf",
            big.clone(),
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(p["field"], "file", "{p}");
    // Also when the sender does not say how long the body is (chunked).
    let stream = futures_util::stream::iter(
        big.chunks(10_000)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let r = app
        .client
        .post(format!(
            "{}/api/v1/submissions/nir-nor/attachments?name=big.pdf",
            app.base
        ))
        .bearer_auth(&nor)
        .header("content-type", "application/pdf")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (files_after, _) = plenary::store::attachments::totals(app.app.store.db())
        .await
        .unwrap();
    assert_eq!(files_after, files_before, "a refused upload stores nothing");

    // Read back: listed on the submission, bytes as sent, never rendered as a page.
    app.settle().await;
    let s: Value = app
        .get("/api/v1/submissions/nir-nor", &nor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        s["attachments"],
        json!([{ "name": "national-report-2026.pdf", "media_type": "application/pdf",
            "sha256": sha256(&pdf), "size": pdf.len() }])
    );
    let url = format!("/api/v1/submissions/nir-nor/attachments/{}", sha256(&pdf));
    let r = app.get(&url, &nor).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), &pdf[..]);
    // Not to another State while it is a draft; to anyone once published.
    assert_eq!(app.get(&url, &bra).await.status(), StatusCode::NOT_FOUND);
    let anonymous = app
        .client
        .get(format!("{}{url}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
    for (who, cmd) in [
        (&nor, json!({ "Submit": { "state": "NOR" } })),
        (&sec, json!({ "Publish": { "symbol": "A/81/77" } })),
    ] {
        let r = app
            .post("/api/v1/submissions/nir-nor/commands", who, cmd)
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    app.settle().await;
    let anonymous = app
        .client
        .get(format!("{}{url}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert_eq!(anonymous.bytes().await.unwrap().len(), pdf.len());
    // A published text's files are fixed.
    let r = upload(
        &app,
        "nir-nor",
        &nor,
        "late.pdf",
        "application/pdf",
        b"late".to_vec(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // The export bundle carries the bytes; offline verification checks them.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let summary = bundle::export(&app.app.store, &out, ExportOptions::default())
        .await
        .unwrap();
    assert!(summary.damage.is_none(), "{:?}", summary.damage);
    assert_eq!(summary.manifest.format_version, 2);
    assert_eq!(summary.manifest.attachments.as_ref().unwrap().count, 1);
    let report = verify::verify_bundle(&out, None, &[]).unwrap();
    assert!(report.ok(), "{:?}", report.problem);
    assert_eq!(
        (report.attachments_checked, report.attachment_bytes),
        (1, pdf.len() as u64)
    );
    // One byte changed in the file: found, at the event that names it.
    let file = out.join("attachments").join(sha256(&pdf));
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&file, &bytes).unwrap();
    let report = verify::verify_bundle(&out, None, &[]).unwrap();
    let f = report.problem.expect("a changed file is found");
    assert_eq!(f.damage.label(), "attachment");
    // A file missing from the bundle is found too.
    std::fs::remove_file(&file).unwrap();
    let report = verify::verify_bundle(&out, None, &[]).unwrap();
    assert!(report
        .problem
        .unwrap()
        .detail
        .contains("is not in the bundle"));
}

e2e_tests!(attached_files_are_stored_by_content_exported_and_verified);
