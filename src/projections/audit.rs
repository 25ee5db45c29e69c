//! The audit history: one row per event with who, on whose behalf, when and why, indexed so
//! auditors can filter by stream, actor, State, meeting, amendment, event type and time.

use serde::{Deserialize, Serialize};

use super::{amendment_of, meeting_of, payload_fields, Applying, Projection};
use crate::store::chain::to_hex;
use crate::store::sql::Tx;
use crate::store::{Db, StoreError, StoredEvent};
use crate::{with_pool, with_tx};

pub const NAME: &str = "audit";

pub struct AuditLog;

const COLUMNS: &str = "position, event_id, aggregate_type, aggregate_id, stream_version, event_type, actor, role, on_behalf_of, correlation_id, causation_id, meeting_id, amendment_id, recorded_at_us, hash";
const NCOLS: usize = 15;
/// Rows per INSERT on SQLite: 15 columns x 400 rows stays under its parameter limit.
const ROWS_PER_INSERT: usize = 400;
/// Rows per COPY message on Postgres.
const ROWS_PER_COPY_DATA: usize = 500;

/// One row of `COPY … FROM STDIN` in text format, columns in the order of [`COLUMNS`].
fn copy_row(buf: &mut String, a: &AuditEntry) {
    use std::fmt::Write;
    let _ = write!(buf, "{}\t", a.position);
    for v in [&a.event_id, &a.aggregate_type, &a.aggregate_id] {
        copy_text(buf, Some(v));
        buf.push('\t');
    }
    let _ = write!(buf, "{}\t", a.stream_version);
    copy_text(buf, Some(&a.event_type));
    for v in [
        &a.actor,
        &a.role,
        &a.on_behalf_of,
        &a.correlation_id,
        &a.causation_id,
        &a.meeting_id,
        &a.amendment_id,
    ] {
        buf.push('\t');
        copy_text(buf, v.as_deref());
    }
    let _ = write!(buf, "\t{}\t", a.recorded_at_us);
    copy_text(buf, Some(&a.hash));
    buf.push('\n');
}

/// A text column for COPY: `\N` for NULL; backslash, tab, newline and carriage return escaped.
fn copy_text(buf: &mut String, v: Option<&str>) {
    let Some(v) = v else {
        buf.push_str("\\N");
        return;
    };
    let mut rest = v;
    while let Some(i) = rest.find(['\\', '\t', '\n', '\r']) {
        buf.push_str(&rest[..i]);
        buf.push_str(match rest.as_bytes()[i] {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            _ => "\\r",
        });
        rest = &rest[i + 1..];
    }
    buf.push_str(rest);
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEntry {
    pub position: i64,
    pub event_id: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub stream_version: i64,
    pub event_type: String,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub on_behalf_of: Option<String>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub meeting_id: Option<String>,
    pub amendment_id: Option<String>,
    pub recorded_at_us: i64,
    pub hash: String,
}

impl AuditEntry {
    pub fn from_event(e: &StoredEvent) -> Self {
        let meta = e.metadata_map().unwrap_or_default();
        let fields = payload_fields(e);
        Self {
            position: e.position,
            event_id: e.event_id.to_string(),
            aggregate_type: e.aggregate_type.clone(),
            aggregate_id: e.aggregate_id.clone(),
            stream_version: e.stream_version,
            event_type: e.event_type.clone(),
            actor: meta.get("actor").cloned(),
            role: meta.get("role").cloned(),
            on_behalf_of: meta.get("on_behalf_of").cloned(),
            correlation_id: meta.get("correlation_id").cloned(),
            causation_id: meta.get("causation_id").cloned(),
            meeting_id: meeting_of(e, fields.as_ref()),
            amendment_id: amendment_of(e, fields.as_ref()),
            recorded_at_us: e.recorded_at_us,
            hash: to_hex(&e.hash),
        }
    }
}

#[async_trait::async_trait]
impl Projection for AuditLog {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn reset(&self, tx: &mut Tx) -> Result<(), StoreError> {
        with_tx!(tx, c => sqlx::query("delete from audit_log").execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// On Postgres: empties the table with TRUNCATE and drops its secondary indexes, returning
    /// their definitions to recreate them once the rows are in. Building an index once from
    /// all rows (a sort) is cheaper than inserting every row into seven indexes. Both take the
    /// table's exclusive lock, so audit reads wait for the rebuild's commit instead of seeing
    /// a half-built history. The definitions are read from the catalogue, so whatever a
    /// migration adds is recreated as it was.
    async fn begin_rebuild(&self, tx: &mut Tx) -> Result<Vec<String>, StoreError> {
        let Tx::Postgres(t) = tx else {
            self.reset(tx).await?;
            return Ok(Vec::new());
        };
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "select quote_ident(i.relname::text), pg_get_indexdef(i.oid)
               from pg_index x join pg_class i on i.oid = x.indexrelid
              where x.indrelid = 'audit_log'::regclass and not x.indisprimary and not x.indisunique
              order by i.relname",
        )
        .fetch_all(&mut **t)
        .await?;
        sqlx::query("truncate audit_log").execute(&mut **t).await?;
        let mut recreate = Vec::new();
        if !indexes.is_empty() {
            // Room to sort the rows of an index in memory rather than on tape (the default is
            // 64 MB); for this transaction only.
            recreate.push("set local maintenance_work_mem = '256MB'".to_string());
        }
        for (name, definition) in indexes {
            sqlx::query(&format!("drop index {name}"))
                .execute(&mut **t)
                .await?;
            recreate.push(definition);
        }
        Ok(recreate)
    }

    async fn apply(
        &self,
        tx: &mut Tx,
        events: &[StoredEvent],
        _cx: &mut Applying,
    ) -> Result<(), StoreError> {
        if let Tx::Postgres(t) = tx {
            // COPY: the server inserts rows a page at a time, and since CopyData messages
            // need no reply, it inserts one chunk while the next is being prepared here.
            let mut copy = t
                .copy_in_raw(&format!("copy audit_log ({COLUMNS}) from stdin"))
                .await?;
            let mut buf = String::new();
            for chunk in events.chunks(ROWS_PER_COPY_DATA) {
                buf.clear();
                for e in chunk {
                    copy_row(&mut buf, &AuditEntry::from_event(e));
                }
                copy.send(buf.as_bytes()).await?;
            }
            copy.finish().await?;
            return Ok(());
        }
        let entries: Vec<AuditEntry> = events.iter().map(AuditEntry::from_event).collect();
        for chunk in entries.chunks(ROWS_PER_INSERT) {
            // Plain `?` placeholders: with `$N`, binding looks each name up among all of the
            // statement's parameters, which is quadratic in a 6,000-parameter insert.
            let row = format!("({})", vec!["?"; NCOLS].join(","));
            let rows: Vec<&str> = (0..chunk.len()).map(|_| row.as_str()).collect();
            let sql = format!(
                "insert into audit_log ({COLUMNS}) values {}",
                rows.join(",")
            );
            with_tx!(tx, c => {
                let mut q = sqlx::query(&sql);
                for a in chunk {
                    q = q.bind(a.position).bind(&a.event_id).bind(&a.aggregate_type).bind(&a.aggregate_id)
                        .bind(a.stream_version).bind(&a.event_type).bind(&a.actor).bind(&a.role)
                        .bind(&a.on_behalf_of).bind(&a.correlation_id).bind(&a.causation_id)
                        .bind(&a.meeting_id).bind(&a.amendment_id).bind(a.recorded_at_us).bind(&a.hash);
                }
                q.execute(&mut *c).await.map(|_| ())
            })?;
        }
        Ok(())
    }
}

/// Filters for the audit history; every field narrows the result.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditFilter {
    pub aggregate_type: Option<String>,
    pub aggregate_id: Option<String>,
    pub actor: Option<String>,
    pub state: Option<String>,
    pub event_type: Option<String>,
    pub meeting: Option<String>,
    pub amendment: Option<String>,
    pub from_us: Option<i64>,
    pub to_us: Option<i64>,
    /// Cursor: only positions after this one.
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

pub const MAX_PAGE: i64 = 1_000;

/// One page of the audit history, in log order.
pub async fn query(db: &Db, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
    let mut conds = vec!["position > $1".to_string()];
    let mut texts: Vec<&str> = Vec::new();
    for (col, v) in [
        ("aggregate_type", &f.aggregate_type),
        ("aggregate_id", &f.aggregate_id),
        ("actor", &f.actor),
        ("on_behalf_of", &f.state),
        ("event_type", &f.event_type),
        ("meeting_id", &f.meeting),
        ("amendment_id", &f.amendment),
    ] {
        if let Some(v) = v {
            texts.push(v.as_str());
            conds.push(format!("{col} = ${}", texts.len() + 1));
        }
    }
    // Time bounds only when asked for: a range over every time would still lead the SQLite
    // planner to the time index, and each page would then scan and sort the whole table.
    let mut times: Vec<i64> = Vec::new();
    for (op, v) in [(">=", f.from_us), ("<=", f.to_us)] {
        if let Some(t) = v {
            times.push(t);
            conds.push(format!(
                "recorded_at_us {op} ${}",
                texts.len() + times.len() + 1
            ));
        }
    }
    let sql = format!(
        "select {COLUMNS} from audit_log where {} order by position limit ${}",
        conds.join(" and "),
        texts.len() + times.len() + 2
    );
    let limit = f.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    Ok(with_pool!(db, p => {
        let mut q = sqlx::query_as::<_, AuditEntry>(&sql).bind(f.after.unwrap_or(0));
        for t in &texts {
            q = q.bind(*t);
        }
        for t in &times {
            q = q.bind(*t);
        }
        q.bind(limit).fetch_all(p).await
    })?)
}

/// Every row, for comparing a rebuild with the live result.
pub async fn dump(db: &Db) -> Result<Vec<AuditEntry>, StoreError> {
    Ok(
        with_pool!(db, p => sqlx::query_as::<_, AuditEntry>(&format!("select {COLUMNS} from audit_log order by position"))
        .fetch_all(p).await)?,
    )
}

#[cfg(test)]
mod copy_tests {
    use super::copy_text;

    #[test]
    fn copy_text_escapes_what_the_text_format_would_read_as_syntax() {
        let mut b = String::new();
        copy_text(&mut b, Some("a\tb\nc\rd\\e\\N ü"));
        assert_eq!(b, "a\\tb\\nc\\rd\\\\e\\\\N ü");
        b.clear();
        copy_text(&mut b, None);
        assert_eq!(b, "\\N");
        b.clear();
        copy_text(&mut b, Some(""));
        assert_eq!(b, "", "the empty string stays distinct from NULL");
    }
}
