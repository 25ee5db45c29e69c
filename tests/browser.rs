//! Browser tests of the pages (tests/browser/run.mjs): Playwright driving Debian's Chromium
//! against a real `plenary serve --demo`, on SQLite and on Postgres, with axe-core on every
//! page. They need `node`, `tests/browser/node_modules` (`npm ci`) and `/usr/bin/chromium`,
//! which `.ci/run` installs. With `PLENARY_TEST_BROWSER` set (CI) a missing piece fails the
//! test; without it the test says what is missing and passes, so a plain `cargo test` on a
//! machine without a browser still runs everything else.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Backend, TestDb};

const ENV: &str = "PLENARY_TEST_BROWSER";

fn missing() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not installed".into());
    }
    if !dir.join("node_modules/playwright-core").exists() {
        return Some("tests/browser/node_modules is missing: run `npm ci` there".into());
    }
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "{chromium} is missing: apt-get install -y chromium"
        ));
    }
    None
}

fn run(backend: Backend, url: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    let label = format!("{backend:?}").to_lowercase();
    let status = Command::new("node")
        .arg("run.mjs")
        .current_dir(&dir)
        .env("PLENARY_BIN", env!("CARGO_BIN_EXE_plenary"))
        .env("PLENARY_BROWSER_DB", url)
        .env("PLENARY_BROWSER_LABEL", &label)
        .env("PLENARY_SCREENSHOTS", shots)
        .status()
        .expect("node runs");
    assert!(status.success(), "browser tests failed on {label}");
}

fn ready() -> bool {
    match missing() {
        None => true,
        Some(why) if std::env::var_os(ENV).is_some() => panic!("{ENV} is set, but {why}"),
        Some(why) => {
            eprintln!("browser tests not run: {why} (set {ENV} to make this a failure)");
            false
        }
    }
}

#[test]
fn pages_in_a_real_browser_on_sqlite() {
    if !ready() {
        return;
    }
    let db = TestDb::new(Backend::Sqlite).expect("sqlite");
    run(Backend::Sqlite, &db.url);
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_in_a_real_browser_on_postgres() {
    if !ready() {
        return;
    }
    let Some(db) = TestDb::new(Backend::Postgres) else {
        // common::TestDb decides whether a missing server is a failure (it is in CI).
        return;
    };
    db.open().await.close().await;
    let url = db.full_url();
    tokio::task::spawn_blocking(move || run(Backend::Postgres, &url))
        .await
        .expect("browser run");
}
