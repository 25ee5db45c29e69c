//! Offline verification of an export bundle or an inclusion proof: no database, no server,
//! only the files and, for signatures, the public key the auditor trusts.

use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use super::bundle::{self, Manifest};
use super::checkpoint::{self, hex_hash, Checkpoint, SignedCheckpoint};
use super::merkle::{self, MerkleBuilder};
use super::proof::InclusionProof;
use crate::store::verify::{ChainVerifier, Damage, Finding};
use crate::store::Hash;

/// A checkpoint held outside the bundle (or published inside it) and what the bundle says.
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointCheck {
    /// Where it came from: "log position N" or a file name.
    pub source: String,
    pub last_position: i64,
    /// "ok", "signature not checked (no public key given)", or why it was not checkable.
    pub outcome: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BundleReport {
    pub events_checked: i64,
    pub first_position: i64,
    pub last_position: i64,
    pub head_hash: String,
    pub merkle_root: String,
    /// "valid", "absent", "present, not checked (no public key given)".
    pub signature: String,
    pub checkpoints: Vec<CheckpointCheck>,
    /// Files the events name, each checked against its SHA-256 and size.
    pub attachments_checked: u64,
    pub attachment_bytes: u64,
    pub problem: Option<Finding>,
}

impl BundleReport {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// A checkpoint the auditor kept outside the system: a `CheckpointPublished` payload copied
/// from the log (or from `GET /api/v1/log/checkpoints`), or the manifest of an earlier export.
#[derive(Debug, Clone)]
pub struct External {
    pub source: String,
    pub checkpoint: Checkpoint,
    pub signed: Option<SignedCheckpoint>,
}

impl External {
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let source = path.display().to_string();
        if let Ok(s) = serde_json::from_str::<SignedCheckpoint>(&text) {
            return Ok(Self {
                source,
                checkpoint: s.checkpoint.clone(),
                signed: Some(s),
            });
        }
        if let Ok(m) = serde_json::from_str::<Manifest>(&text) {
            return Ok(Self {
                source,
                signed: m.signed(),
                checkpoint: m.checkpoint,
            });
        }
        Err(format!(
            "{source} is neither a signed checkpoint nor an export manifest"
        ))
    }
}

/// Checks each file the events name: present in `attachments/`, of the size and SHA-256 the
/// event names. Returns the files and bytes checked and the first damage, by position.
fn check_attachments(
    dir: &Path,
    manifest: &Manifest,
    files: &std::collections::BTreeMap<String, (u64, i64)>,
) -> Result<(u64, u64, Option<Finding>), String> {
    let (mut n, mut bytes) = (0u64, 0u64);
    let mut first: Option<Finding> = None;
    let mut note = |f: Finding| {
        if first.as_ref().is_none_or(|x| f.position < x.position) {
            first = Some(f);
        }
    };
    for (sha, (size, position)) in files {
        let path = bundle::attachment_path(dir, manifest, sha)?;
        match bundle::hash_file(&path) {
            Err(e) => note(finding(
                *position,
                Damage::Attachment,
                format!("attachment {sha} ({size} bytes) is not in the bundle: {e}"),
            )),
            Ok((got, got_size)) if got != *sha || got_size != *size => note(finding(
                *position,
                Damage::Attachment,
                format!(
                    "attachment {sha}: the file holds {got_size} bytes hashing to {got}, not the {size} bytes the log names"
                ),
            )),
            Ok(_) => {
                n += 1;
                bytes += size;
            }
        }
    }
    Ok((n, bytes, first))
}

fn finding(position: i64, damage: Damage, detail: impl Into<String>) -> Finding {
    Finding {
        position,
        damage,
        detail: detail.into(),
    }
}

/// Verifies a bundle: every event's hash and link, the range and head in the manifest, the
/// Merkle root, the manifest's signature (against `trusted`), every checkpoint published in
/// the log, and every checkpoint given from outside (`external`).
pub fn verify_bundle(
    dir: &Path,
    trusted: Option<&VerifyingKey>,
    external: &[External],
) -> Result<BundleReport, String> {
    let manifest = Manifest::read(dir)?;
    let cp = &manifest.checkpoint;
    let prev = checkpoint::hash_field("manifest prev_hash", &cp.prev_hash)?;
    let head = checkpoint::hash_field("manifest head_hash", &cp.head_hash)?;
    // A trust anchor the auditor supplied is applied, or the run fails: never skipped.
    for x in external {
        if x.checkpoint.last_position < cp.first_position - 1 {
            return Err(format!(
                "{} covers positions {}..={}, but the bundle starts at {}: no hash in the bundle \
                 links to it, so it cannot be checked (use a bundle that starts at or before \
                 position {})",
                x.source,
                x.checkpoint.first_position,
                x.checkpoint.last_position,
                cp.first_position,
                x.checkpoint.last_position + 1
            ));
        }
    }

    let mut chain = ChainVerifier::starting_after(cp.first_position - 1, prev);
    // Leaf hashes, kept to check checkpoints that end inside the bundle (32 bytes an event).
    let mut leaves: Vec<Hash> = Vec::with_capacity(cp.count.clamp(0, 1 << 20) as usize);
    let mut published: Vec<(i64, SignedCheckpoint)> = Vec::new();
    let mut files: std::collections::BTreeMap<String, (u64, i64)> = Default::default();
    let mut last_good = cp.first_position - 1;
    bundle::for_each_line_ended(dir, &manifest, |line_no, line, ended| {
        let e = match bundle::parse_line(line) {
            Ok(e) => e,
            Err(_) if !ended => {
                chain.cut_off(
                    last_good + 1,
                    format!("the file ends in the middle of line {line_no}: it was cut off"),
                );
                return false;
            }
            Err(why) => {
                chain.unreadable(
                    last_good + 1,
                    format!("line {line_no} is not a well-formed event: {why}"),
                );
                return false;
            }
        };
        if !chain.push(&e) {
            return false;
        }
        last_good = e.position;
        leaves.push(e.hash);
        if let Some((sha, size)) = bundle::attachment_named(&e) {
            files.entry(sha).or_insert((size, e.position));
        }
        if e.aggregate_type == checkpoint::STREAM_TYPE && e.event_type == checkpoint::EVENT_TYPE {
            match serde_json::from_str::<serde_json::Value>(&e.payload)
                .ok()
                .and_then(|v| serde_json::from_value(v[checkpoint::EVENT_TYPE].clone()).ok())
            {
                Some(s) => published.push((e.position, s)),
                None => {
                    chain.unreadable(
                        e.position,
                        "a CheckpointPublished event that does not decode".into(),
                    );
                    return false;
                }
            }
        }
        true
    })?;
    let walked = chain.finish(Some((cp.last_position, head)));
    let mut problem = walked.problem;
    let (attachments_checked, attachment_bytes, damaged) =
        check_attachments(dir, &manifest, &files)?;
    if problem.is_none() {
        problem = damaged;
    }

    let root = {
        let mut b = MerkleBuilder::new();
        leaves.iter().for_each(|h| b.push(h));
        b.root()
    };
    // A signed statement that was altered says more than the mismatch it causes.
    let signature = match (manifest.signed(), trusted) {
        (None, None) => "absent".to_owned(),
        (None, Some(_)) => {
            problem.get_or_insert(finding(
                cp.last_position,
                Damage::SignatureMismatch,
                "a public key was given but the manifest is not signed",
            ));
            "absent".to_owned()
        }
        (Some(_), None) => "present, not checked (no public key given)".to_owned(),
        (Some(s), Some(k)) => match s.verify(k) {
            Ok(()) => "valid".to_owned(),
            Err(why) => {
                problem.get_or_insert(finding(
                    cp.last_position,
                    Damage::SignatureMismatch,
                    format!("manifest: {why}"),
                ));
                "INVALID".to_owned()
            }
        },
    };

    if problem.is_none() && walked.events_checked != cp.count {
        problem = Some(finding(
            cp.last_position,
            Damage::ManifestMismatch,
            format!(
                "the manifest counts {} events, the bundle holds {}",
                cp.count, walked.events_checked
            ),
        ));
    }
    if problem.is_none() && hex_hash(&root) != cp.merkle_root {
        problem = Some(finding(
            cp.last_position,
            Damage::ManifestMismatch,
            "the Merkle root of the events is not the manifest's",
        ));
    }

    // Checkpoints are checked against the prefix of the bundle they cover, in one sweep.
    let mut checks: Vec<External> = published
        .into_iter()
        .map(|(p, s)| External {
            source: format!("checkpoint published at log position {p}"),
            checkpoint: s.checkpoint.clone(),
            signed: Some(s),
        })
        .chain(external.iter().cloned())
        .collect();
    checks.sort_by_key(|x| x.checkpoint.last_position);
    let mut results = Vec::new();
    let mut sweep = MerkleBuilder::new();
    let mut swept = 0usize;
    let first = cp.first_position;
    // The hash at `position`, from the bundle: its prev_hash just before it, then its events.
    let hash_at = |position: i64| -> Hash {
        if position < first {
            prev
        } else {
            leaves[(position - first) as usize]
        }
    };
    for External {
        source,
        checkpoint: c,
        signed,
    } in checks
    {
        let c = &c;
        let outcome = if c.last_position > walked.last_position {
            if problem.is_none() {
                problem = Some(finding(
                    walked.last_position + 1,
                    Damage::Truncated,
                    format!(
                        "{source} covers the log up to {}, the bundle ends at {}",
                        c.last_position, walked.last_position
                    ),
                ));
            }
            "not covered: the bundle ends before it".to_owned()
        } else if c.last_position < first - 1 {
            // Only a checkpoint published inside the bundle gets here (one given from outside
            // was refused above): it was computed before the range the bundle holds.
            format!(
                "not checkable: it ends at {}, before the bundle (from {first}) links to it",
                c.last_position
            )
        } else {
            // Every hash commits to all events before it (ADR 3), so a checkpoint's head hash
            // checks every event of the bundle up to it, wherever either one starts. Its
            // range, count and Merkle root are checked too when the bundle holds the range.
            let whole = c.first_position >= first;
            let mut matches = hex_hash(&hash_at(c.last_position)) == c.head_hash
                && c.first_position <= c.last_position + 1;
            if whole && matches {
                let (a, b) = (
                    (c.first_position - first) as usize,
                    (c.last_position - first + 1) as usize,
                );
                let root = if a == 0 {
                    while swept < b {
                        sweep.push(&leaves[swept]);
                        swept += 1;
                    }
                    sweep.root()
                } else {
                    merkle::root(&leaves[a..b])
                };
                matches &= hex_hash(&hash_at(c.first_position - 1)) == c.prev_hash
                    && c.count == c.last_position - c.first_position + 1
                    && hex_hash(&root) == c.merkle_root;
            }
            if !matches {
                problem.get_or_insert(finding(
                    c.last_position,
                    Damage::Changed,
                    format!(
                        "the log up to {} does not match {source}: history was rewritten",
                        c.last_position
                    ),
                ));
                "MISMATCH".to_owned()
            } else {
                let how = if whole {
                    String::new()
                } else {
                    format!(
                        " (by its head hash: it starts at {}, before the bundle, so its Merkle root is not recomputed)",
                        c.first_position
                    )
                };
                let signature = match (signed, trusted) {
                    (None, _) => "matches (unsigned)".to_owned(),
                    (Some(_), None) => {
                        "matches; signature not checked (no public key given)".to_owned()
                    }
                    (Some(s), Some(k)) => match s.verify(k) {
                        Ok(()) => "ok".to_owned(),
                        Err(why) => {
                            problem.get_or_insert(finding(
                                c.last_position,
                                Damage::SignatureMismatch,
                                format!("{source}: {why}"),
                            ));
                            "INVALID SIGNATURE".to_owned()
                        }
                    },
                };
                signature + &how
            }
        };
        results.push(CheckpointCheck {
            source,
            last_position: c.last_position,
            outcome,
        });
    }

    Ok(BundleReport {
        events_checked: walked.events_checked,
        first_position: cp.first_position,
        last_position: walked.last_position,
        head_hash: walked.last_hash,
        merkle_root: hex_hash(&root),
        signature,
        checkpoints: results,
        attachments_checked,
        attachment_bytes,
        problem,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct ProofReport {
    pub position: i64,
    pub event_type: String,
    pub checkpoint_last_position: i64,
    pub signature: String,
    pub problem: Option<Finding>,
}

/// Verifies an inclusion proof: the event's content hashes to its hash, that hash is leaf
/// `leaf_index` of the checkpoint's tree, and the checkpoint is signed by `trusted`.
pub fn verify_proof(
    proof: &InclusionProof,
    trusted: Option<&VerifyingKey>,
) -> Result<ProofReport, String> {
    let line = serde_json::to_string(&proof.event).map_err(|e| e.to_string())?;
    let e = bundle::parse_line(&line).map_err(|e| format!("the proof's event: {e}"))?;
    let c = &proof.checkpoint;
    let mut problem = None;
    let path: Option<Vec<Hash>> = proof
        .path
        .iter()
        .map(|h| crate::store::chain::from_hex(h))
        .collect();
    if e.compute_hash(&e.prev_hash) != e.hash {
        problem = Some(finding(
            e.position,
            Damage::Changed,
            "the event's content does not match its hash",
        ));
    } else if e.position - c.first_position != proof.leaf_index as i64
        || proof.tree_size as i64 != c.count
    {
        problem = Some(finding(
            e.position,
            Damage::Reordered,
            "the proof's leaf index or tree size does not match the event and checkpoint",
        ));
    } else {
        let root = checkpoint::hash_field("checkpoint merkle_root", &c.merkle_root)?;
        let ok = path.as_ref().is_some_and(|p| {
            merkle::verify_inclusion(&e.hash, proof.leaf_index, proof.tree_size, p, &root)
        });
        if !ok {
            problem = Some(finding(
                e.position,
                Damage::Changed,
                "the audit path does not lead to the checkpoint's Merkle root",
            ));
        }
    }
    let signature = match (proof.signed(), trusted) {
        (None, None) => "absent".to_owned(),
        (None, Some(_)) => {
            problem.get_or_insert(finding(
                c.last_position,
                Damage::SignatureMismatch,
                "a public key was given but the checkpoint is not signed",
            ));
            "absent".to_owned()
        }
        (Some(_), None) => "present, not checked (no public key given)".to_owned(),
        (Some(s), Some(k)) => match s.verify(k) {
            Ok(()) => "valid".to_owned(),
            Err(why) => {
                problem.get_or_insert(finding(c.last_position, Damage::SignatureMismatch, why));
                "INVALID".to_owned()
            }
        },
    };
    Ok(ProofReport {
        position: e.position,
        event_type: e.event_type,
        checkpoint_last_position: c.last_position,
        signature,
        problem,
    })
}
