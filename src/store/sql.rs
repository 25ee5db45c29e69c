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
            $crate::store::Db::Sqlite($p, _) => $body,
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
            $crate::store::sql::Tx::Sqlite(t, _) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// A transaction on either backend.
pub enum Tx {
    Postgres(Transaction<'static, Postgres>),
    /// With this process's turn to write (`Db::write_turn`), given back after the
    /// transaction: fields drop in order.
    Sqlite(
        Transaction<'static, Sqlite>,
        tokio::sync::OwnedMutexGuard<()>,
    ),
}

impl Tx {
    /// On SQLite the write lock is taken up front, so a transaction that reads and then
    /// writes cannot fail half-way because another writer committed in between.
    pub async fn begin(db: &Db) -> Result<Tx, StoreError> {
        Ok(match db {
            Db::Postgres { pool, .. } => Tx::Postgres(pool.begin().await?),
            // Only the projections write in a `Tx`: on the derived-data connections.
            Db::Sqlite(_, w) => {
                let turn = w.gate.clone().lock_owned().await;
                Tx::Sqlite(w.derived.begin_with("BEGIN IMMEDIATE").await?, turn)
            }
        })
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Postgres(t) => t.commit().await?,
            Tx::Sqlite(t, _) => t.commit().await?,
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(_))
    }
}
