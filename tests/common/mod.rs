//! Test databases: a fresh SQLite file or a fresh Postgres schema per test, dropped afterwards.
//!
//! The Postgres half runs when `PLENARY_TEST_POSTGRES` holds a URL (`.ci/run` sets it). When it
//! is set, an unreachable server fails the test; it is never skipped.
#![allow(dead_code)]

use plenary::store::EventStore;

pub const PG_ENV: &str = "PLENARY_TEST_POSTGRES";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where a test's database lives, so it can be reopened and is cleaned up on drop.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// `None` when the backend is Postgres and no server was configured.
    pub fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("plenary.db").display());
                Some(Self {
                    backend,
                    url,
                    schema: None,
                    _dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let url = std::env::var(PG_ENV).ok()?;
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                Some(Self {
                    backend,
                    url,
                    schema: Some(schema),
                    _dir: None,
                })
            }
        }
    }

    pub async fn open(&self) -> EventStore {
        let r = match &self.schema {
            Some(schema) => EventStore::open_postgres(&self.url, Some(schema)).await,
            None => EventStore::open(&self.url).await,
        };
        r.unwrap_or_else(|e| panic!("cannot open {:?} test database: {e}", self.backend))
    }

    /// A URL that selects this test's schema, for code that opens the store itself.
    pub fn full_url(&self) -> String {
        match &self.schema {
            Some(schema) => {
                let sep = if self.url.contains('?') { '&' } else { '?' };
                format!("{}{sep}options=-c%20search_path%3D{schema}", self.url)
            }
            None => self.url.clone(),
        }
    }

    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// Runs raw SQL against the test database (tamper tests).
    pub async fn raw(&self, sql: &str) -> Result<(), String> {
        match &self.schema {
            Some(schema) => {
                use sqlx::Executor;
                let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&self.url)
                    .await
                    .map_err(|e| e.to_string())?;
                c.execute(format!("set search_path = {schema}").as_str())
                    .await
                    .map_err(|e| e.to_string())?;
                c.execute(sql).await.map(|_| ()).map_err(|e| e.to_string())
            }
            None => {
                use sqlx::Executor;
                let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&self.url)
                    .await
                    .map_err(|e| e.to_string())?;
                c.execute(sql).await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (Some(schema), url) = (self.schema.clone(), self.url.clone()) else {
            return;
        };
        // Drop may run inside a runtime that is shutting down: use a thread of our own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                use sqlx::Executor;
                let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
                    .await
                    .ok()?;
                c.execute(format!("drop schema if exists {schema} cascade").as_str())
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// Declares `#[tokio::test]`s running `$test(TestDb)` once per backend.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let db = $crate::common::TestDb::new($crate::common::Backend::Sqlite).unwrap();
                    super::$name(db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(db) = $crate::common::TestDb::new($crate::common::Backend::Postgres) else {
                        eprintln!("skipped: set {} to run the Postgres half", $crate::common::PG_ENV);
                        return;
                    };
                    super::$name(db).await;
                }
            )*
        }
    };
}

pub mod process;

/// The whole log, in order.
pub async fn all_events(store: &EventStore) -> Vec<plenary::store::StoredEvent> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store.read_all(after, 1000).await.unwrap();
        let Some(last) = page.last() else { return out };
        after = last.position;
        out.extend(page);
    }
}
