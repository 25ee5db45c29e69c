//! SQLite backend. `BEGIN IMMEDIATE` takes the database write lock up front, so the checks
//! and the inserts of a batch see the same state and no other writer can slip between them.

use sqlx::{Connection, SqliteConnection};

use super::writer::{BatchResult, Prepared, Refusal};
use super::{to_hash, Appended, StoreError, StoredEvent};

#[derive(sqlx::FromRow)]
pub(super) struct Row {
    position: i64,
    event_id: String,
    aggregate_type: String,
    aggregate_id: String,
    stream_version: i64,
    event_type: String,
    event_version: String,
    payload: String,
    metadata: String,
    recorded_at_us: i64,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

impl TryFrom<Row> for StoredEvent {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let event_id = r.event_id.parse().map_err(|_| StoreError::Corrupt {
            position: r.position,
            reason: format!("event id '{}' is not a UUID", r.event_id),
        })?;
        Ok(StoredEvent {
            position: r.position,
            event_id,
            aggregate_type: r.aggregate_type,
            aggregate_id: r.aggregate_id,
            stream_version: r.stream_version,
            event_type: r.event_type,
            event_version: r.event_version,
            payload: r.payload,
            metadata: r.metadata,
            recorded_at_us: r.recorded_at_us,
            prev_hash: to_hash(r.prev_hash, r.position)?,
            hash: to_hash(r.hash, r.position)?,
        })
    }
}

pub(super) async fn append(
    conn: &mut SqliteConnection,
    p: &Prepared,
) -> Result<BatchResult, StoreError> {
    // Dropping `tx` without commit rolls back, so every early return writes nothing.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let (head, hash): (i64, Vec<u8>) =
        sqlx::query_as("select position, hash from log_head where id = 1")
            .fetch_one(&mut *tx)
            .await?;
    if head != p.expected_head {
        return Ok(BatchResult::HeadMoved(head, to_hash(hash, head)?));
    }

    let mut refused = Vec::new();
    for (i, c) in p.commands.iter().enumerate() {
        if let Some(key) = &c.key {
            let row: Option<(i64, i64, i64, String)> = sqlx::query_as(
                "select first_position, last_position, stream_version, request_hash from idempotency where key = $1",
            )
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((f, l, v, h)) = row {
                refused.push((
                    i,
                    Refusal::Duplicate {
                        original: Appended {
                            first_position: f,
                            last_position: l,
                            stream_version: v,
                        },
                        request_hash: h,
                    },
                ));
            }
        }
    }
    if !refused.is_empty() {
        return Ok(BatchResult::Refused(refused));
    }
    for (i, c) in p
        .commands
        .iter()
        .enumerate()
        .filter(|(_, c)| c.first_on_stream)
    {
        let actual: i64 = sqlx::query_scalar(
            "select coalesce(max(stream_version), 0) from events where aggregate_type = $1 and aggregate_id = $2",
        )
        .bind(&c.aggregate_type)
        .bind(&c.aggregate_id)
        .fetch_one(&mut *tx)
        .await?;
        if actual != c.expected_version {
            refused.push((i, Refusal::Conflict { actual }));
        }
    }
    if !refused.is_empty() {
        return Ok(BatchResult::Refused(refused));
    }

    for e in &p.events {
        sqlx::query(
            "insert into events (position, event_id, aggregate_type, aggregate_id, stream_version, event_type, event_version, payload, metadata, recorded_at_us, prev_hash, hash)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
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
    for c in &p.commands {
        let version = c.expected_version + (c.last - c.first + 1);
        if let Some(key) = &c.key {
            sqlx::query(
                "insert into idempotency (key, aggregate_type, aggregate_id, request_hash, first_position, last_position, stream_version)
                 values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(key)
            .bind(&c.aggregate_type)
            .bind(&c.aggregate_id)
            .bind(&c.request_hash)
            .bind(c.first)
            .bind(c.last)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(snapshot) = &c.snapshot {
            sqlx::query(
                "insert into snapshots (aggregate_type, aggregate_id, stream_version, payload) values ($1, $2, $3, $4)
                 on conflict (aggregate_type, aggregate_id) do update
                 set stream_version = excluded.stream_version, payload = excluded.payload
                 where snapshots.stream_version < excluded.stream_version",
            )
            .bind(&c.aggregate_type)
            .bind(&c.aggregate_id)
            .bind(version)
            .bind(snapshot)
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query("update log_head set position = $1, hash = $2 where id = 1")
        .bind(p.new_head)
        .bind(&p.new_hash[..])
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(BatchResult::Committed)
}
