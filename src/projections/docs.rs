//! Document read models: each is a pure fold from events to JSON documents, one per key.
//! The fold is tested without a database; this module does the loading and saving.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::cache::Lookup;
use super::{Applying, Projection};
use crate::store::sql::Tx;
use crate::store::{Db, StoreError, StoredEvent};
use crate::{with_pool, with_tx};

/// A pure document projection.
pub trait DocFold: Send + Sync + 'static {
    const NAME: &'static str;
    /// The version of the documents' shape (see [`super::Projection::version`]).
    fn version(&self) -> u32 {
        1
    }
    /// The documents this event changes (empty if none).
    fn keys(&self, e: &StoredEvent) -> Vec<String>;
    /// The document after the event; `None` deletes it.
    fn fold(
        &self,
        key: &str,
        doc: Option<Value>,
        e: &StoredEvent,
    ) -> Result<Option<Value>, StoreError>;
    /// The document after several events in log order, all of which change it. A fold that
    /// decodes the document into something richer can do so once here instead of per event.
    fn fold_all(
        &self,
        key: &str,
        mut doc: Option<Value>,
        events: &[&StoredEvent],
    ) -> Result<Option<Value>, StoreError> {
        for e in events {
            doc = self.fold(key, doc, e)?;
        }
        Ok(doc)
    }
}

pub struct Docs<F: DocFold>(pub F);

/// SQLite's default limit on bound parameters is 32766; stay well below it.
const KEYS_PER_QUERY: usize = 500;

#[async_trait::async_trait]
impl<F: DocFold> Projection for Docs<F> {
    fn name(&self) -> &'static str {
        F::NAME
    }

    fn version(&self) -> u32 {
        self.0.version()
    }

    async fn reset(&self, tx: &mut Tx) -> Result<(), StoreError> {
        with_tx!(tx, c => sqlx::query("delete from read_docs where projection = $1")
            .bind(F::NAME).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    async fn apply(
        &self,
        tx: &mut Tx,
        events: &[StoredEvent],
        cx: &mut Applying,
    ) -> Result<(), StoreError> {
        // Each document's events, in log order: a document's fold sees only its own events,
        // so folding them together gives what folding the page event by event gives.
        let mut touched: BTreeMap<String, Vec<&StoredEvent>> = BTreeMap::new();
        for e in events {
            for k in self.0.keys(e) {
                touched.entry(k).or_default().push(e);
            }
        }
        if touched.is_empty() {
            return Ok(());
        }
        let mut docs: BTreeMap<String, Option<Value>> = BTreeMap::new();
        // Documents the cache holds need no query (it is exact under the checkpoint's lock).
        let mut keys: Vec<&String> = touched.keys().collect();
        if let Some(cache) = &cx.cache {
            keys.retain(|k| match cache.get(F::NAME, k) {
                Lookup::Hit(doc) => {
                    docs.insert((*k).clone(), doc.map(Arc::unwrap_or_clone));
                    false
                }
                Lookup::Miss(_) => true,
            });
        }
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!(
                "select key, body from read_docs where projection = $1 and key in ({})",
                placeholders.join(",")
            );
            let rows: Vec<(String, String)> = with_tx!(tx, c => {
                let mut q = sqlx::query_as(&sql).bind(F::NAME);
                for k in chunk {
                    q = q.bind(k.as_str());
                }
                q.fetch_all(&mut *c).await
            })?;
            for (k, body) in rows {
                let v = serde_json::from_str(&body).map_err(|e| {
                    StoreError::Database(format!("read model {}/{k} is not JSON: {e}", F::NAME))
                })?;
                docs.insert(k, Some(v));
            }
        }
        let mut upserts = Vec::new();
        let mut deletes = Vec::new();
        for (k, events) in touched {
            let doc = docs.remove(&k).flatten();
            let doc = self.0.fold_all(&k, doc, &events)?;
            // The position of the event that last changed it.
            let position = events.last().map_or(0, |e| e.position);
            match &doc {
                Some(doc) => upserts.push((
                    k.clone(),
                    crate::store::chain::canonical_json(doc),
                    position,
                )),
                None => deletes.push(k.clone()),
            }
            if cx.cache.is_some() {
                cx.changed.push((k, position, doc.map(Arc::new)));
            }
        }
        write(tx, F::NAME, upserts, deletes).await
    }
}

/// Saves a page's changed documents: on Postgres in one statement each for upserts and
/// deletes (a statement per document was a fifth of the queries under mixed load).
async fn write(
    tx: &mut Tx,
    projection: &str,
    upserts: Vec<(String, String, i64)>,
    deletes: Vec<String>,
) -> Result<(), StoreError> {
    const UPSERT: &str = "on conflict (projection, key) do update set body = excluded.body, position = excluded.position";
    match tx {
        Tx::Postgres(t) => {
            if !upserts.is_empty() {
                let (keys, rest): (Vec<String>, Vec<(String, i64)>) =
                    upserts.into_iter().map(|(k, b, p)| (k, (b, p))).unzip();
                let (bodies, positions): (Vec<String>, Vec<i64>) = rest.into_iter().unzip();
                let sql = format!(
                    "insert into read_docs (projection, key, body, position)
                     select $1, * from unnest($2::text[], $3::text[], $4::bigint[]) {UPSERT}"
                );
                sqlx::query(&sql)
                    .bind(projection)
                    .bind(keys)
                    .bind(bodies)
                    .bind(positions)
                    .execute(&mut **t)
                    .await?;
            }
            if !deletes.is_empty() {
                sqlx::query("delete from read_docs where projection = $1 and key = any($2)")
                    .bind(projection)
                    .bind(deletes)
                    .execute(&mut **t)
                    .await?;
            }
        }
        // SQLite runs in process: a statement per document costs no round trip.
        Tx::Sqlite(t, _) => {
            let sql = format!("insert into read_docs (projection, key, body, position) values ($1, $2, $3, $4) {UPSERT}");
            for (k, body, position) in upserts {
                sqlx::query(&sql)
                    .bind(projection)
                    .bind(k)
                    .bind(body)
                    .bind(position)
                    .execute(&mut **t)
                    .await?;
            }
            for k in deletes {
                sqlx::query("delete from read_docs where projection = $1 and key = $2")
                    .bind(projection)
                    .bind(k)
                    .execute(&mut **t)
                    .await?;
            }
        }
    }
    Ok(())
}

/// One document, if it exists (without the cache: see `Projector::doc`).
pub async fn get(db: &Db, projection: &str, key: &str) -> Result<Option<Value>, StoreError> {
    Ok(get_with_position(db, projection, key)
        .await?
        .map(|(doc, _, _)| doc))
}

/// One document with the position of the event that last changed it and the length of its
/// JSON text.
pub async fn get_with_position(
    db: &Db,
    projection: &str,
    key: &str,
) -> Result<Option<(Value, i64, usize)>, StoreError> {
    let row: Option<(String, i64)> = with_pool!(db, p => sqlx::query_as(
        "select body, position from read_docs where projection = $1 and key = $2")
        .bind(projection).bind(key).fetch_optional(p).await)?;
    row.map(|(b, position)| {
        serde_json::from_str(&b)
            .map(|doc| (doc, position, b.len()))
            .map_err(|e| StoreError::Database(e.to_string()))
    })
    .transpose()
}

/// Every document of a projection whose key starts with `prefix`, in key order.
pub async fn list(db: &Db, projection: &str, prefix: &str) -> Result<Vec<Value>, StoreError> {
    Ok(page(db, projection, prefix, None, None)
        .await?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

/// Up to `limit` documents whose key starts with `prefix` and sorts after `after`, in key
/// order, with their keys (the cursor for the next page).
///
/// A page has no upper bound in SQL: with one, Postgres estimated a meeting's range as a few
/// rows while its statistics were stale (or, as on the bench machine, never gathered), then
/// fetched and sorted every decision of the meeting for each page (8–16 ms for 5,180 rows
/// instead of 0.3–0.7 ms). Open-ended, the only plan is the key index in order, and it stops
/// at `limit`; rows past the prefix (at most `limit`) are dropped here. Without a limit,
/// the whole range is wanted, so the bound stays.
pub async fn page(
    db: &Db,
    projection: &str,
    prefix: &str,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<(String, Value)>, StoreError> {
    let from = match after {
        Some(a) if a >= prefix => a,
        _ => prefix,
    };
    let end = match limit {
        Some(_) => None,
        None => prefix_end(prefix),
    };
    // Keys compare bytewise: SQLite by default, Postgres by migration 0004 (collate "C").
    let rows: Vec<(String, String)> = with_pool!(db, p => sqlx::query_as(
        "select key, body from read_docs where projection = $1 and key >= $2
           and ($3 is null or key < $3) and ($4 is null or key > $4)
         order by key limit $5")
        .bind(projection).bind(from).bind(end.as_deref()).bind(after).bind(limit.unwrap_or(i64::MAX))
        .fetch_all(p).await)?;
    rows.into_iter()
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(k, b)| {
            serde_json::from_str(&b)
                .map(|v| (k, v))
                .map_err(|e| StoreError::Database(e.to_string()))
        })
        .collect()
}

/// A page of a register whose filters apply after reading: reads pages of `limit` from
/// `after` until `limit` documents pass `keep` or the prefix ends. Returns what passed and
/// the cursor for the next page (`None` on the last).
pub async fn filtered_page<T, E: From<StoreError>>(
    db: &Db,
    projection: &str,
    prefix: &str,
    after: Option<String>,
    limit: i64,
    mut keep: impl FnMut(Value) -> Result<Option<T>, E>,
) -> Result<(Vec<T>, Option<String>), E> {
    let mut out = Vec::new();
    let mut cursor = after;
    loop {
        let batch = page(db, projection, prefix, cursor.as_deref(), Some(limit)).await?;
        let exhausted = (batch.len() as i64) < limit;
        for (key, doc) in batch {
            if let Some(t) = keep(doc)? {
                out.push(t);
                if out.len() as i64 == limit {
                    return Ok((out, Some(key)));
                }
            }
            cursor = Some(key);
        }
        if exhausted {
            return Ok((out, None));
        }
    }
}

/// The smallest string above every string that starts with `prefix` (None for the empty
/// prefix: no bound).
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// All rows of all document projections, for comparing a rebuild with the live result.
pub async fn dump(db: &Db) -> Result<Vec<(String, String, String, i64)>, StoreError> {
    Ok(with_pool!(db, p => sqlx::query_as(
        "select projection, key, body, position from read_docs order by projection, key")
        .fetch_all(p).await)?)
}

#[cfg(test)]
mod prefix_tests {
    use super::prefix_end;

    #[test]
    fn the_end_of_a_prefix_bounds_exactly_its_keys() {
        assert_eq!(prefix_end(""), None);
        assert_eq!(prefix_end("m8/").as_deref(), Some("m80"));
        let end = prefix_end("rc-1/").unwrap();
        assert!("rc-1/00001" < end.as_str() && "rc-1/zzzz" < end.as_str());
        assert!("rc-10/00001" >= end.as_str());
    }
}
