//! The content-addressed table of attachments' bytes (`attachment_bytes`). An event names a
//! file by SHA-256 and size; its bytes are stored here first, so no event ever names bytes
//! the store does not hold. Storing content already held changes nothing.

use super::{now_us, Db, StoreError};
use crate::domain::values::ContentHash;
use crate::with_pool;

/// Stores `bytes` under their SHA-256 and returns it. Durable when this returns.
pub async fn put(db: &Db, bytes: &[u8]) -> Result<ContentHash, StoreError> {
    let hash = ContentHash::of(bytes);
    let sql =
        "insert into attachment_bytes (sha256, size, bytes, stored_at_us) values ($1, $2, $3, $4) \
               on conflict (sha256) do nothing";
    let size =
        i64::try_from(bytes.len()).map_err(|_| StoreError::Database("file too large".into()))?;
    let now = now_us();
    with_pool!(db, p => sqlx::query(sql)
        .bind(hash.as_str())
        .bind(size)
        .bind(bytes)
        .bind(now)
        .execute(p)
        .await
        .map(|_| ()))?;
    Ok(hash)
}

/// The bytes stored under `hash`, if any.
pub async fn get(db: &Db, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let sql = "select bytes from attachment_bytes where sha256 = $1";
    let row: Option<(Vec<u8>,)> =
        with_pool!(db, p => sqlx::query_as(sql).bind(hash).fetch_optional(p).await)?;
    Ok(row.map(|(b,)| b))
}

/// How many files and bytes are stored.
pub async fn totals(db: &Db) -> Result<(i64, i64), StoreError> {
    let sql = "select count(*), coalesce(sum(size), 0) from attachment_bytes";
    let (n, bytes): (i64, i64) = match db {
        // Postgres sums a bigint to a numeric.
        Db::Postgres { .. } => {
            let sql = "select count(*), coalesce(sum(size), 0)::bigint from attachment_bytes";
            with_pool!(db, p => sqlx::query_as(sql).fetch_one(p).await)?
        }
        Db::Sqlite(..) => with_pool!(db, p => sqlx::query_as(sql).fetch_one(p).await)?,
    };
    Ok((n, bytes))
}
