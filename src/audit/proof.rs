//! Inclusion proofs: that one event (a decision, say) is in the log a checkpoint describes,
//! checkable with the event, the audit path and the signed checkpoint alone.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::bundle::{self, Manifest};
use super::checkpoint::{self, hex_hash, Checkpoint, SignedCheckpoint};
use super::merkle;
use crate::store::{EventStore, Hash, StoredEvent};

pub const FORMAT: &str = "plenary-inclusion-proof";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    pub format: String,
    pub format_version: u32,
    /// The event as a bundle line, so its content can be read and re-hashed.
    pub event: serde_json::Value,
    /// The event's index among the checkpoint's leaves (position - first_position).
    pub leaf_index: u64,
    pub tree_size: u64,
    /// RFC 9162 audit path, hex, leaf to root.
    pub path: Vec<String>,
    pub checkpoint: Checkpoint,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl InclusionProof {
    pub fn signed(&self) -> Option<SignedCheckpoint> {
        Some(SignedCheckpoint {
            checkpoint: self.checkpoint.clone(),
            public_key: self.public_key.clone()?,
            signature: self.signature.clone()?,
        })
    }
}

/// Everything a proof is built from: the leaves from position 1 and the checkpoints seen.
struct Source {
    first_position: i64,
    leaves: Vec<Hash>,
    event: Option<serde_json::Value>,
    published: Vec<SignedCheckpoint>,
}

impl Source {
    fn take(&mut self, e: &StoredEvent, position: i64) -> Result<(), String> {
        self.leaves.push(e.hash);
        if e.position == position {
            let mut line = Vec::new();
            bundle::write_line(&mut line, e)?;
            self.event = Some(serde_json::from_slice(&line).map_err(|e| e.to_string())?);
        }
        if e.aggregate_type == checkpoint::STREAM_TYPE && e.event_type == checkpoint::EVENT_TYPE {
            if let Some(s) = serde_json::from_str::<serde_json::Value>(&e.payload)
                .ok()
                .and_then(|v| serde_json::from_value(v[checkpoint::EVENT_TYPE].clone()).ok())
            {
                self.published.push(s);
            }
        }
        Ok(())
    }

    /// Proves `position` against the first published checkpoint that covers it, else against
    /// `fallback` (an export's manifest, or the log as it is now, unsigned).
    fn prove(self, position: i64, fallback: SignedOrNot) -> Result<InclusionProof, String> {
        let event = self
            .event
            .ok_or_else(|| format!("position {position} is not in the log or bundle"))?;
        let chosen = self
            .published
            .into_iter()
            .find(|s| {
                s.checkpoint.first_position == self.first_position
                    && s.checkpoint.last_position >= position
            })
            .map(|s| (s.checkpoint.clone(), Some(s)))
            .unwrap_or(fallback);
        let (c, signed) = chosen;
        let from = (c.first_position - self.first_position) as usize;
        let to = from + c.count as usize;
        let leaves = self
            .leaves
            .get(from..to)
            .ok_or("the checkpoint covers events that are not in the source")?;
        let leaf_index = (position - c.first_position) as usize;
        let path = merkle::inclusion_path(leaves, leaf_index)
            .ok_or_else(|| format!("position {position} is not covered by the checkpoint"))?;
        Ok(InclusionProof {
            format: FORMAT.into(),
            format_version: 1,
            event,
            leaf_index: leaf_index as u64,
            tree_size: c.count as u64,
            path: path.iter().map(hex_hash).collect(),
            public_key: signed.as_ref().map(|s| s.public_key.clone()),
            signature: signed.map(|s| s.signature),
            checkpoint: c,
        })
    }
}

type SignedOrNot = (Checkpoint, Option<SignedCheckpoint>);

/// A proof from an export bundle: against a checkpoint published in it, else its manifest.
pub fn prove_from_bundle(dir: &Path, position: i64) -> Result<InclusionProof, String> {
    let manifest = Manifest::read(dir)?;
    let mut src = Source {
        first_position: manifest.checkpoint.first_position,
        leaves: Vec::new(),
        event: None,
        published: Vec::new(),
    };
    let mut failed = None;
    bundle::for_each_line(dir, &manifest, |n, line| {
        match bundle::parse_line(line).and_then(|e| src.take(&e, position)) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(format!("line {n}: {e} (run `plenary audit verify` first)"));
                false
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    let fallback = (manifest.checkpoint.clone(), manifest.signed());
    src.prove(position, fallback)
}

/// A proof from the database: against a published checkpoint, else the log as it is now
/// (unsigned: publish a checkpoint first for a proof that stands on its own).
pub async fn prove_from_store(store: &EventStore, position: i64) -> Result<InclusionProof, String> {
    let mut src = Source {
        first_position: 1,
        leaves: Vec::new(),
        event: None,
        published: Vec::new(),
    };
    let mut after = 0;
    loop {
        let page = store
            .read_all(after, 10_000)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for e in &page {
            src.take(e, position)?;
        }
    }
    let head = *src.leaves.last().ok_or("the log is empty")?;
    let now = Checkpoint {
        first_position: 1,
        last_position: src.leaves.len() as i64,
        count: src.leaves.len() as i64,
        prev_hash: hex_hash(&crate::store::chain::GENESIS),
        head_hash: hex_hash(&head),
        merkle_root: hex_hash(&merkle::root(&src.leaves)),
        time_us: crate::store::now_us(),
    };
    src.prove(position, (now, None))
}
