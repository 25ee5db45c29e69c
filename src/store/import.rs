//! Loading an exported log into an empty database exactly as it was recorded: the same
//! positions, ids, times, payload bytes and hashes. For a restore from an export bundle, and
//! for the golden log's test (a log written by an earlier Plenary, read by this one).

use super::{Db, EventStore, Hash, StoreError, StoredEvent};

/// Imports `events` (the whole log, from position 1, in order) into `store`'s empty
/// database, and closes the store: open it again to use the log (its writer knew the head it
/// opened with). The chain is checked first, link by link; nothing is written from a log
/// whose chain does not hold, or into a database that already holds events.
pub async fn import(store: EventStore, events: &[StoredEvent]) -> Result<(), StoreError> {
    let result = match check_chain(events) {
        Ok(()) => write(&store, events).await,
        Err(e) => Err(e),
    };
    store.close().await;
    result
}

fn check_chain(events: &[StoredEvent]) -> Result<(), StoreError> {
    let mut prev: Hash = [0; 32];
    for (i, e) in events.iter().enumerate() {
        let refuse = |reason: String| StoreError::Corrupt {
            position: e.position,
            reason,
        };
        if e.position != i as i64 + 1 {
            return Err(refuse(format!(
                "expected position {}: an import starts at 1 and has no gaps",
                i + 1
            )));
        }
        if e.prev_hash != prev {
            return Err(refuse(
                "its prev_hash does not link to the event before".into(),
            ));
        }
        if e.compute_hash(&prev) != e.hash {
            return Err(refuse("its hash does not match its content".into()));
        }
        prev = e.hash;
    }
    Ok(())
}

async fn write(store: &EventStore, events: &[StoredEvent]) -> Result<(), StoreError> {
    let (head, _) = store.head_from_db().await?;
    if head != 0 {
        return Err(StoreError::Corrupt {
            position: head,
            reason: "the database already holds events: import only into an empty one".into(),
        });
    }
    let Some(last) = events.last() else {
        return Ok(());
    };
    const INSERT: &str = "insert into events (position, event_id, aggregate_type, aggregate_id, \
         stream_version, event_type, event_version, payload, metadata, recorded_at_us, prev_hash, hash) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    const HEAD: &str = "update log_head set position = $1, hash = $2 where id = 1";
    match &store.inner.db {
        Db::Postgres { pool, .. } => {
            let mut tx = pool.begin().await?;
            for e in events {
                sqlx::query(INSERT)
                    .bind(e.position)
                    .bind(e.event_id)
                    .bind(&e.aggregate_type)
                    .bind(&e.aggregate_id)
                    .bind(e.stream_version)
                    .bind(&e.event_type)
                    .bind(&e.event_version)
                    .bind(&e.payload)
                    .bind(&e.metadata)
                    .bind(e.recorded_at_us)
                    .bind(&e.prev_hash[..])
                    .bind(&e.hash[..])
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(HEAD)
                .bind(last.position)
                .bind(&last.hash[..])
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Db::Sqlite(pool, _) => {
            let mut tx = pool.begin().await?;
            for e in events {
                sqlx::query(INSERT)
                    .bind(e.position)
                    .bind(e.event_id.to_string())
                    .bind(&e.aggregate_type)
                    .bind(&e.aggregate_id)
                    .bind(e.stream_version)
                    .bind(&e.event_type)
                    .bind(&e.event_version)
                    .bind(&e.payload)
                    .bind(&e.metadata)
                    .bind(e.recorded_at_us)
                    .bind(&e.prev_hash[..])
                    .bind(&e.hash[..])
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(HEAD)
                .bind(last.position)
                .bind(&last.hash[..])
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
    }
    Ok(())
}
