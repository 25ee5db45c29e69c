//! Running the same SQL text on either backend. Both accept `$1` placeholders, so a query is
//! written once and the macro instantiates it for each driver.

use sqlx::{Postgres, Sqlite, Transaction};

use super::{Db, StoreError};

/// Runs `$body` (a `Result`) with `$p` bound to an executor for one query: a lent
/// `&mut PgConnection` (see `lender`) or the `&SqlitePool`.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::store::Db::Postgres { lender, .. } => $crate::with_lent!(lender, $p => $body),
            $crate::store::Db::Sqlite($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection (`&mut PgConnection` or
/// `&mut SqliteConnection`); reborrow it (`&mut *$c`) to use it more than once.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::store::sql::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::sql::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// A transaction on either backend.
pub enum Tx {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

impl Tx {
    /// On SQLite the write lock is taken up front, so a transaction that reads and then
    /// writes cannot fail half-way because another writer committed in between.
    pub async fn begin(db: &Db) -> Result<Tx, StoreError> {
        Ok(match db {
            Db::Postgres { pool, .. } => Tx::Postgres(pool.begin().await?),
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
        })
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Postgres(t) => t.commit().await?,
            Tx::Sqlite(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(_))
    }
}
