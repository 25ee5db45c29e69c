//! The export bundle: a directory holding `events.jsonl` (one event per line, in global order,
//! with its hashes), `manifest.json` (range, head hash, Merkle root, optional signature) and,
//! from format version 2, `attachments/` (each file the events name, under its SHA-256).
//! The format is specified in docs/adr/0009-export-and-checkpoints.md and ADR 23.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::checkpoint::{hex_hash, Checkpoint, SignedCheckpoint};
use super::merkle::MerkleBuilder;
use crate::store::chain::{self, from_hex, GENESIS};
use crate::store::verify::{ChainVerifier, Finding};
use crate::store::{EventStore, Hash, StoredEvent};

pub const FORMAT: &str = "plenary-export";
/// 2 adds `attachments/`; a version-1 bundle (no attachments) is still read.
pub const FORMAT_VERSION: u32 = 2;
pub const EVENTS_FILE: &str = "events.jsonl";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const ATTACHMENTS_DIR: &str = "attachments";

/// What `attachments/` holds (format version 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentsIndex {
    pub dir: String,
    /// Distinct files (one per SHA-256) and their bytes in all.
    pub count: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// Version of the event hash encoding (docs/adr/0003-hash-chain.md).
    pub hash_encoding_version: u32,
    pub events_file: String,
    /// When the export was written (RFC 3339, UTC).
    pub exported_at: String,
    /// Range, count, head hash and Merkle root of the events in the bundle.
    pub checkpoint: Checkpoint,
    /// Ed25519 signature over `checkpoint` (see [`Checkpoint::statement`]), if the exporter
    /// had a signing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The files the events name (absent from version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<AttachmentsIndex>,
}

impl Manifest {
    pub fn signed(&self) -> Option<SignedCheckpoint> {
        Some(SignedCheckpoint {
            checkpoint: self.checkpoint.clone(),
            public_key: self.public_key.clone()?,
            signature: self.signature.clone()?,
        })
    }

    pub fn read(dir: &Path) -> Result<Self, String> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let m: Manifest = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a Plenary manifest: {e}", path.display()))?;
        if m.format != FORMAT || !(1..=FORMAT_VERSION).contains(&m.format_version) {
            return Err(format!(
                "{} is format '{}' version {}; this verifier reads '{FORMAT}' versions 1 to {FORMAT_VERSION}",
                path.display(),
                m.format,
                m.format_version
            ));
        }
        Ok(m)
    }
}

/// One line of `events.jsonl`. Payload and metadata are JSON values written in canonical form;
/// they are kept raw on reading so the hashed bytes are the bytes on disk.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventLine<'a> {
    pub position: i64,
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    #[serde(borrow)]
    pub aggregate_type: Cow<'a, str>,
    #[serde(borrow)]
    pub aggregate_id: Cow<'a, str>,
    pub stream_version: i64,
    #[serde(borrow)]
    pub event_type: Cow<'a, str>,
    #[serde(borrow)]
    pub event_version: Cow<'a, str>,
    pub recorded_at_us: i64,
    #[serde(borrow)]
    pub payload: &'a RawValue,
    #[serde(borrow)]
    pub metadata: &'a RawValue,
    #[serde(borrow)]
    pub prev_hash: Cow<'a, str>,
    #[serde(borrow)]
    pub hash: Cow<'a, str>,
}

/// Writes one event as a bundle line (no trailing newline). Payload and metadata are written
/// as stored: the store keeps them in canonical JSON, so the line carries the hashed bytes
/// (and a damaged row is exported as found, for `audit verify` to name).
pub fn write_line(out: &mut Vec<u8>, e: &StoredEvent) -> Result<(), String> {
    use std::io::Write;
    let string = |out: &mut Vec<u8>, key: &str, value: &str| {
        out.extend_from_slice(key.as_bytes());
        serde_json::to_writer(&mut *out, value).map_err(|err| err.to_string())
    };
    write!(out, "{{\"position\":{},", e.position).map_err(|err| err.to_string())?;
    string(out, "\"event_id\":", &e.event_id.hyphenated().to_string())?;
    string(out, ",\"aggregate_type\":", &e.aggregate_type)?;
    string(out, ",\"aggregate_id\":", &e.aggregate_id)?;
    write!(out, ",\"stream_version\":{}", e.stream_version).map_err(|err| err.to_string())?;
    string(out, ",\"event_type\":", &e.event_type)?;
    string(out, ",\"event_version\":", &e.event_version)?;
    write!(out, ",\"recorded_at_us\":{},\"payload\":", e.recorded_at_us)
        .map_err(|err| err.to_string())?;
    out.extend_from_slice(e.payload.as_bytes());
    out.extend_from_slice(b",\"metadata\":");
    out.extend_from_slice(e.metadata.as_bytes());
    string(out, ",\"prev_hash\":", &hex_hash(&e.prev_hash))?;
    string(out, ",\"hash\":", &hex_hash(&e.hash))?;
    out.push(b'}');
    Ok(())
}

impl EventLine<'_> {
    /// The event as the store holds it. Payload and metadata are taken verbatim; call
    /// [`canonicalize`] if they do not hash (a tool may have reformatted them).
    pub fn to_stored(&self) -> Result<StoredEvent, String> {
        let hash = |name: &str, v: &str| {
            from_hex(v)
                .ok_or_else(|| format!("event {}: {name} is not 32 bytes of hex", self.position))
        };
        Ok(StoredEvent {
            position: self.position,
            event_id: self
                .event_id
                .parse()
                .map_err(|_| format!("event {}: event_id is not a UUID", self.position))?,
            aggregate_type: self.aggregate_type.to_string(),
            aggregate_id: self.aggregate_id.to_string(),
            stream_version: self.stream_version,
            event_type: self.event_type.to_string(),
            event_version: self.event_version.to_string(),
            payload: self.payload.get().to_owned(),
            metadata: self.metadata.get().to_owned(),
            recorded_at_us: self.recorded_at_us,
            prev_hash: hash("prev_hash", &self.prev_hash)?,
            hash: hash("hash", &self.hash)?,
        })
    }
}

/// The file an event names, if it is an `AttachmentAdded`: its SHA-256 (hex) and size. Read
/// through the upcasters, so a later shape of the event is read the same way.
pub fn attachment_named(e: &StoredEvent) -> Option<(String, u64)> {
    if e.kind() != Some(crate::domain::submission::SubmissionEventKind::AttachmentAdded) {
        return None;
    }
    let v: serde_json::Value = crate::store::decode::decode(e).ok()?;
    let a = &v["AttachmentAdded"]["attachment"];
    Some((a["sha256"].as_str()?.to_owned(), a["size"].as_u64()?))
}

/// Where the file `sha256` lies in a bundle.
pub fn attachment_path(dir: &Path, manifest: &Manifest, sha256: &str) -> Result<PathBuf, String> {
    let sub = manifest
        .attachments
        .as_ref()
        .map_or(ATTACHMENTS_DIR, |a| a.dir.as_str());
    let safe = |x: &str| !x.is_empty() && !x.contains(['/', '\\']) && !x.starts_with('.');
    if !safe(sub) || !safe(sha256) {
        return Err(format!(
            "the manifest names attachments outside the bundle: {sub}/{sha256}"
        ));
    }
    Ok(dir.join(sub).join(sha256))
}

/// The SHA-256 (hex) and size of a file, read in 1 MiB blocks.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(h.finalize()), size))
}

/// Rewrites payload and metadata in canonical JSON (ADR 3), for lines written by other tools.
pub fn canonicalize(e: &mut StoredEvent) {
    for text in [&mut e.payload, &mut e.metadata] {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
            *text = chain::canonical_json(&v);
        }
    }
}

/// Parses a bundle line into a stored event whose hash is checked against canonical content.
pub fn parse_line(line: &str) -> Result<StoredEvent, String> {
    let l: EventLine<'_> = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let mut e = l.to_stored()?;
    if e.compute_hash(&e.prev_hash) != e.hash {
        canonicalize(&mut e);
    }
    Ok(e)
}

/// Reads `events.jsonl` line by line, calling `f(line_number, line)`; stops when `f` says so.
pub fn for_each_line(
    dir: &Path,
    manifest: &Manifest,
    mut f: impl FnMut(usize, &str) -> bool,
) -> Result<(), String> {
    for_each_line_ended(dir, manifest, |n, line, _| f(n, line))
}

/// As [`for_each_line`], also telling whether the line ended with its LF: only the file's
/// last line can lack it, and a last line that also does not parse was cut off.
pub fn for_each_line_ended(
    dir: &Path,
    manifest: &Manifest,
    mut f: impl FnMut(usize, &str, bool) -> bool,
) -> Result<(), String> {
    let path = dir.join(&manifest.events_file);
    if manifest.events_file.contains(['/', '\\']) || manifest.events_file.starts_with('.') {
        return Err(format!(
            "the manifest names an events file outside the bundle: {}",
            manifest.events_file
        ));
    }
    let file =
        std::fs::File::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    // Bytes, not a String: a line cut inside a UTF-8 sequence must still be seen as a line
    // (and whether it ended), which `read_line` would hide behind an error.
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        }
        n += 1;
        let ended = buf.last() == Some(&b'\n');
        let mut end = buf.len();
        while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        if end == 0 {
            continue;
        }
        // Invalid UTF-8 is damage to that line, not a reason to stop reading blind.
        let line = std::str::from_utf8(&buf[..end]).unwrap_or("\u{0}not UTF-8");
        if !f(n, line, ended) {
            return Ok(());
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// First position to export (default 1).
    pub from: Option<i64>,
    /// Last position to export (default: the head when the export starts).
    pub to: Option<i64>,
    pub signing_key: Option<SigningKey>,
    /// Draw a progress bar on stderr (only if it is a terminal).
    pub progress: bool,
}

#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// Damage the exporter noticed in the chain while writing (the bundle is still written,
    /// as evidence).
    pub damage: Option<Finding>,
}

const PAGE: i64 = 10_000;

/// Writes a bundle of the log (or of a range of it) into `dir`, which must not exist or be
/// empty. Streams page by page: memory does not grow with the log.
#[tracing::instrument(skip_all, fields(dir = %dir.display()))]
pub async fn export(
    store: &EventStore,
    dir: &Path,
    opts: ExportOptions,
) -> Result<ExportSummary, String> {
    let (head, _) = store.head_from_db().await.map_err(|e| e.to_string())?;
    let first = opts.from.unwrap_or(1);
    let last = opts.to.map_or(head, |t| t.min(head));
    if head == 0 {
        return Err("the log is empty: nothing to export".into());
    }
    if first < 1 || first > last {
        return Err(format!(
            "cannot export positions {first}..={last}: the log holds 1..={head}"
        ));
    }
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} exists and is not empty; an export never overwrites",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

    let prev_hash: Hash = if first == 1 {
        GENESIS
    } else {
        let before = store
            .read_all(first - 2, 1)
            .await
            .map_err(|e| e.to_string())?;
        before.first().map(|e| e.hash).ok_or("the log has a gap")?
    };

    let bar = progress_bar(opts.progress, (last - first + 1) as u64);
    // Reading the next page overlaps with writing this one.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<StoredEvent>, String>>(2);
    let reader_store = store.clone();
    let reader = tokio::spawn(async move {
        let mut after = first - 1;
        while after < last {
            let page = reader_store
                .read_all(after, PAGE.min(last - after))
                .await
                .map_err(|e| e.to_string());
            let done = match &page {
                Ok(p) => match p.last() {
                    Some(e) => {
                        after = e.position;
                        false
                    }
                    None => true,
                },
                Err(_) => true,
            };
            if tx.send(page).await.is_err() || done {
                break;
            }
        }
    });

    let events_path = dir.join(EVENTS_FILE);
    let file = std::fs::File::create(&events_path)
        .map_err(|e| format!("cannot create {}: {e}", events_path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut merkle = MerkleBuilder::new();
    let mut chain = ChainVerifier::starting_after(first - 1, prev_hash);
    let mut line = Vec::with_capacity(4096);
    let (mut count, mut head_hash) = (0i64, prev_hash);
    // The files the events name, each once, with the first position naming it.
    let mut files: std::collections::BTreeMap<String, (u64, i64)> = Default::default();
    while let Some(page) = rx.recv().await {
        let page = page?;
        for e in &page {
            if let Some((sha, size)) = attachment_named(e) {
                files.entry(sha).or_insert((size, e.position));
            }
            line.clear();
            write_line(&mut line, e)?;
            line.push(b'\n');
            out.write_all(&line).map_err(|e| e.to_string())?;
            merkle.push(&e.hash);
            chain.push(e);
            head_hash = e.hash;
            count += 1;
        }
        bar.inc(page.len() as u64);
    }
    reader.await.map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    let file = out.into_inner().map_err(|e| e.to_string())?;
    file.sync_all().map_err(|e| e.to_string())?;
    if count != last - first + 1 {
        return Err(format!(
            "read {count} events for positions {first}..={last}: the log has gaps"
        ));
    }

    let (attachments, missing) = write_attachments(store, dir, &files).await?;

    let checkpoint = Checkpoint {
        first_position: first,
        last_position: last,
        count,
        prev_hash: hex_hash(&prev_hash),
        head_hash: hex_hash(&head_hash),
        merkle_root: hex_hash(&merkle.root()),
        time_us: crate::store::now_us(),
    };
    let (public_key, signature) = match &opts.signing_key {
        Some(k) => {
            let s = checkpoint.clone().sign(k);
            (Some(s.public_key), Some(s.signature))
        }
        None => (None, None),
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        hash_encoding_version: chain::ENCODING_VERSION,
        events_file: EVENTS_FILE.into(),
        exported_at: chrono::DateTime::from_timestamp_micros(checkpoint.time_us)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        checkpoint,
        public_key,
        signature,
        attachments: Some(attachments),
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    let manifest_path = dir.join(MANIFEST_FILE);
    std::fs::write(&manifest_path, text + "\n").map_err(|e| e.to_string())?;
    std::fs::File::open(&manifest_path)
        .and_then(|f| f.sync_all())
        .map_err(|e| e.to_string())?;
    let damage = chain.finish(None).problem.or(missing);
    Ok(ExportSummary {
        dir: dir.to_owned(),
        manifest,
        damage,
    })
}

/// Copies each file the events name from the store into `attachments/`. A file the store
/// does not hold (or holds other bytes for) is reported as damage; the bundle is still
/// written, as evidence.
async fn write_attachments(
    store: &EventStore,
    dir: &Path,
    files: &std::collections::BTreeMap<String, (u64, i64)>,
) -> Result<(AttachmentsIndex, Option<Finding>), String> {
    let sub = dir.join(ATTACHMENTS_DIR);
    std::fs::create_dir_all(&sub).map_err(|e| format!("cannot create {}: {e}", sub.display()))?;
    let (mut count, mut bytes, mut missing) = (0u64, 0u64, None);
    for (sha, (size, position)) in files {
        let found = crate::store::attachments::get(store.db(), sha)
            .await
            .map_err(|e| e.to_string())?;
        let Some(content) = found.filter(|b| {
            b.len() as u64 == *size && crate::domain::values::ContentHash::of(b).as_str() == sha
        }) else {
            missing.get_or_insert(Finding {
                position: *position,
                damage: crate::store::verify::Damage::Attachment,
                detail: format!("the store does not hold the {size} bytes of attachment {sha}"),
            });
            continue;
        };
        let path = sub.join(sha);
        std::fs::write(&path, &content)
            .and_then(|_| std::fs::File::open(&path).and_then(|f| f.sync_all()))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        count += 1;
        bytes += *size;
    }
    std::fs::File::open(&sub)
        .and_then(|f| f.sync_all())
        .map_err(|e| e.to_string())?;
    Ok((
        AttachmentsIndex {
            dir: ATTACHMENTS_DIR.into(),
            count,
            bytes,
        },
        missing,
    ))
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub fn progress_bar(enabled: bool, total: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} events  {per_sec}  eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_round_trips_and_hashes() {
        let mut e = StoredEvent {
            position: 7,
            event_id: uuid::Uuid::now_v7(),
            aggregate_type: "Meeting".into(),
            aggregate_id: "rc-\"1\"".into(),
            stream_version: 3,
            event_type: "Noted".into(),
            event_version: "1".into(),
            payload: chain::canonical_json(&serde_json::json!({"Noted": {"text": "é <b>\n</b>"}})),
            metadata: r#"{"actor":"a","role":"chair"}"#.into(),
            recorded_at_us: 1_700_000_000_000_001,
            prev_hash: [3u8; 32],
            hash: [0u8; 32],
        };
        e.hash = e.compute_hash(&e.prev_hash);
        let mut line = Vec::new();
        write_line(&mut line, &e).unwrap();
        let back = parse_line(std::str::from_utf8(&line).unwrap()).unwrap();
        assert_eq!(back, e);
        // A reformatted payload (another tool's whitespace) still hashes, re-canonicalised.
        let spaced = String::from_utf8(line)
            .unwrap()
            .replace(r#"{"Noted":{"text""#, r#"{ "Noted" : { "text""#);
        assert_eq!(parse_line(&spaced).unwrap(), e);
    }
}
