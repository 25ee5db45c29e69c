//! PostgreSQL backend: one round trip per batch through `plenary_append` (see the migration),
//! and LISTEN/NOTIFY to learn of other processes' appends.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};
use tokio::sync::watch;

use super::writer::{BatchResult, Prepared, Refusal};
use super::{to_hash, Appended, Foreign, LoadedStream, StoreError, StoredEvent};

#[derive(sqlx::FromRow)]
pub(super) struct Row {
    position: i64,
    event_id: uuid::Uuid,
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
        Ok(StoredEvent {
            position: r.position,
            event_id: r.event_id,
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

/// A stream's snapshot and the events after it, in one round trip: one row per event, or
/// one row with no event. The snapshot's text comes with the first row only.
#[derive(sqlx::FromRow)]
pub(super) struct LoadRow {
    snap_version: Option<i64>,
    snap_payload: Option<String>,
    position: Option<i64>,
    event_id: Option<uuid::Uuid>,
    aggregate_type: Option<String>,
    aggregate_id: Option<String>,
    stream_version: Option<i64>,
    event_type: Option<String>,
    event_version: Option<String>,
    payload: Option<String>,
    metadata: Option<String>,
    recorded_at_us: Option<i64>,
    prev_hash: Option<Vec<u8>>,
    hash: Option<Vec<u8>>,
}

pub(super) const LOAD_SQL: &str = "select s.stream_version as snap_version,
        case when row_number() over (order by e.stream_version) = 1 then s.payload end as snap_payload,
        e.position, e.event_id, e.aggregate_type, e.aggregate_id, e.stream_version, e.event_type,
        e.event_version, e.payload, e.metadata, e.recorded_at_us, e.prev_hash, e.hash
     from (select 1) as one
     left join snapshots s on s.aggregate_type = $1 and s.aggregate_id = $2
     left join events e on e.aggregate_type = $1 and e.aggregate_id = $2
                       and e.stream_version > coalesce(s.stream_version, 0)
     order by e.stream_version";

/// The snapshot (version, text) and the events after it, from [`LOAD_SQL`]'s rows.
pub(super) fn loaded(rows: Vec<LoadRow>) -> Result<LoadedStream, StoreError> {
    let mut snapshot = None;
    let mut events = Vec::with_capacity(rows.len());
    for r in rows {
        if let (Some(v), Some(text)) = (r.snap_version, r.snap_payload) {
            snapshot = Some((v, text));
        }
        let (Some(position), Some(event_id), Some(aggregate_type), Some(aggregate_id)) =
            (r.position, r.event_id, r.aggregate_type, r.aggregate_id)
        else {
            continue;
        };
        let missing = || StoreError::Corrupt {
            position,
            reason: "an event row with a missing column".into(),
        };
        events.push(StoredEvent::try_from(Row {
            position,
            event_id,
            aggregate_type,
            aggregate_id,
            stream_version: r.stream_version.ok_or_else(missing)?,
            event_type: r.event_type.ok_or_else(missing)?,
            event_version: r.event_version.ok_or_else(missing)?,
            payload: r.payload.ok_or_else(missing)?,
            metadata: r.metadata.ok_or_else(missing)?,
            recorded_at_us: r.recorded_at_us.ok_or_else(missing)?,
            prev_hash: r.prev_hash.ok_or_else(missing)?,
            hash: r.hash.ok_or_else(missing)?,
        })?);
    }
    Ok((snapshot, events))
}

#[derive(sqlx::FromRow)]
struct Verdict {
    kind: String,
    idx: i32,
    version: i64,
    first_position: i64,
    last_position: i64,
    request_hash: Option<String>,
}

pub(super) async fn append(
    conn: &mut PgConnection,
    p: &Prepared,
) -> Result<BatchResult, StoreError> {
    let c = &p.commands;
    let e = &p.events;
    // One snapshot per stream, the newest: an upsert may not touch a row twice.
    let mut seen = std::collections::HashSet::new();
    let mut snaps: Vec<_> = c
        .iter()
        .rev()
        .filter_map(|c| c.snapshot.as_ref().map(|s| (c, s)))
        .filter(|(c, _)| seen.insert((c.aggregate_type.as_str(), c.aggregate_id.as_str())))
        .collect();
    snaps.reverse();
    let verdicts: Vec<Verdict> = sqlx::query_as(
        "select * from plenary_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
    )
    .bind(p.expected_head)
    .bind(p.new_hash.to_vec())
    .bind((0..c.len() as i32).collect::<Vec<_>>())
    .bind(c.iter().map(|c| c.aggregate_type.as_str()).collect::<Vec<_>>())
    .bind(c.iter().map(|c| c.aggregate_id.as_str()).collect::<Vec<_>>())
    .bind(c.iter().map(|c| c.expected_version).collect::<Vec<_>>())
    .bind(c.iter().map(|c| c.key.as_deref()).collect::<Vec<_>>())
    .bind(c.iter().map(|c| c.request_hash.as_str()).collect::<Vec<_>>())
    .bind(c.iter().map(|c| c.first).collect::<Vec<_>>())
    .bind(c.iter().map(|c| c.last).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.position).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.event_id).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.aggregate_type.as_str()).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.aggregate_id.as_str()).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.stream_version).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.event_version.as_str()).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.payload.as_str()).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.metadata.as_str()).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.recorded_at_us).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.prev_hash.to_vec()).collect::<Vec<_>>())
    .bind(e.iter().map(|e| e.hash.to_vec()).collect::<Vec<_>>())
    .bind(snaps.iter().map(|(c, _)| c.aggregate_type.as_str()).collect::<Vec<_>>())
    .bind(snaps.iter().map(|(c, _)| c.aggregate_id.as_str()).collect::<Vec<_>>())
    .bind(snaps.iter().map(|(c, _)| c.expected_version + (c.last - c.first + 1)).collect::<Vec<_>>())
    .bind(snaps.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;

    if verdicts.is_empty() {
        return Ok(BatchResult::Committed);
    }
    if let Some(v) = verdicts.iter().find(|v| v.kind == "head") {
        let hash =
            super::chain::from_hex(v.request_hash.as_deref().unwrap_or("")).ok_or_else(|| {
                StoreError::Corrupt {
                    position: v.version,
                    reason: "log head hash is not 32 bytes".into(),
                }
            })?;
        return Ok(BatchResult::HeadMoved(v.version, hash));
    }
    let refused = verdicts
        .into_iter()
        .map(|v| {
            let why = if v.kind == "duplicate" {
                Refusal::Duplicate {
                    original: Appended {
                        first_position: v.first_position,
                        last_position: v.last_position,
                        stream_version: v.version,
                    },
                    request_hash: v.request_hash.unwrap_or_default(),
                }
            } else {
                Refusal::Conflict { actual: v.version }
            };
            (v.idx as usize, why)
        })
        .collect();
    Ok(BatchResult::Refused(refused))
}

/// Follows other processes' appends. Notifications are only wake-ups (subscribers read from
/// their checkpoints), so one lost while reconnecting costs nothing: the head is re-read.
pub(super) fn spawn_listener(
    pool: PgPool,
    schema: String,
    head_tx: watch::Sender<i64>,
    foreign: Arc<Foreign>,
) {
    tokio::spawn(async move {
        let channel = format!("plenary_{schema}");
        loop {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::debug!(error = %e, "LISTEN connection failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if listener.listen(&channel).await.is_err() {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            refresh_head(&pool, &head_tx, &foreign).await;
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => {
                        if let Ok(pos) = n.payload().parse::<i64>() {
                            foreign.notified(pos);
                            advance(&head_tx, pos);
                        }
                    }
                    // Connection lost: the next try_recv reconnects; catch up meanwhile.
                    Ok(None) => refresh_head(&pool, &head_tx, &foreign).await,
                    Err(_) => break,
                }
            }
            if pool.is_closed() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}

/// Re-reads the head after (re)connecting. Notifications may have been missed meanwhile, so
/// whatever was appended counts as possibly foreign.
async fn refresh_head(pool: &PgPool, head_tx: &watch::Sender<i64>, foreign: &Foreign) {
    if let Ok(pos) = sqlx::query_scalar::<_, i64>("select position from log_head where id = 1")
        .fetch_one(pool)
        .await
    {
        foreign.saw(pos);
        advance(head_tx, pos);
    }
}

fn advance(head_tx: &watch::Sender<i64>, pos: i64) {
    head_tx.send_if_modified(|h| {
        let moved = *h < pos;
        *h = (*h).max(pos);
        moved
    });
}
