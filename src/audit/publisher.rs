//! Publishes signed checkpoints (position, head hash, Merkle root, time) into the log itself,
//! so the log carries its own signed history and an auditor can keep copies elsewhere.

use std::time::Duration;

use ed25519_dalek::SigningKey;
use tokio::sync::watch;

use super::checkpoint::{self, hex_hash, Checkpoint, SignedCheckpoint};
use super::merkle::MerkleBuilder;
use crate::store::chain::{canonical_json, GENESIS};
use crate::store::{AppendCommand, AppendError, EventStore, NewEvent, StoreError};

pub struct CheckpointPublisher {
    store: EventStore,
    key: SigningKey,
    /// The Merkle tree over positions 1..=covered, kept between rounds so each round reads
    /// only the new events.
    merkle: MerkleBuilder,
    covered: i64,
    head_hash: crate::store::Hash,
    last_is_checkpoint: bool,
}

impl CheckpointPublisher {
    pub fn new(store: EventStore, key: SigningKey) -> Self {
        Self {
            store,
            key,
            merkle: MerkleBuilder::new(),
            covered: 0,
            head_hash: GENESIS,
            last_is_checkpoint: false,
        }
    }

    /// Signs the log up to its current head and appends the checkpoint. `None` when nothing
    /// happened since the last checkpoint, or another instance published at the same moment.
    #[tracing::instrument(skip_all)]
    pub async fn publish(&mut self) -> Result<Option<(SignedCheckpoint, i64)>, StoreError> {
        loop {
            let page = self.store.read_all(self.covered, 10_000).await?;
            let Some(last) = page.last() else { break };
            self.covered = last.position;
            self.head_hash = last.hash;
            self.last_is_checkpoint = last.aggregate_type == checkpoint::STREAM_TYPE
                && last.event_type == checkpoint::EVENT_TYPE;
            page.iter().for_each(|e| self.merkle.push(&e.hash));
        }
        if self.covered == 0 || self.last_is_checkpoint {
            return Ok(None);
        }
        let signed = Checkpoint {
            first_position: 1,
            last_position: self.covered,
            count: self.covered,
            prev_hash: hex_hash(&GENESIS),
            head_hash: hex_hash(&self.head_hash),
            merkle_root: hex_hash(&self.merkle.root()),
            time_us: crate::store::now_us(),
        }
        .sign(&self.key);
        let payload = serde_json::json!({ checkpoint::EVENT_TYPE: &signed });
        let metadata = serde_json::json!({
            "actor": "system:checkpoints",
            "role": "system",
            "correlation_id": uuid::Uuid::now_v7().to_string(),
        });
        let expected_version = self
            .store
            .stream_version(checkpoint::STREAM_TYPE, checkpoint::STREAM_ID)
            .await?;
        let appended = self
            .store
            .append(AppendCommand {
                aggregate_type: checkpoint::STREAM_TYPE.into(),
                aggregate_id: checkpoint::STREAM_ID.into(),
                expected_version,
                events: vec![NewEvent {
                    event_type: checkpoint::EVENT_TYPE.into(),
                    event_version: "1".into(),
                    payload: canonical_json(&payload),
                    metadata: canonical_json(&metadata),
                }],
                idempotency_key: None,
                request_hash: String::new(),
                snapshot: None,
            })
            .await;
        match appended {
            Ok(a) => {
                tracing::info!(
                    position = a.last_position,
                    covers = signed.checkpoint.last_position,
                    root = %signed.checkpoint.merkle_root,
                    "published a signed checkpoint"
                );
                Ok(Some((signed, a.last_position)))
            }
            // Another instance published first; its checkpoint serves as well.
            Err(AppendError::Conflict { .. }) => Ok(None),
            Err(AppendError::Duplicate { .. }) => Ok(None),
            Err(AppendError::Store(e)) => Err(e),
        }
    }

    /// Publishes at start and every `every` until `stop` turns true. Failures are logged and
    /// retried next round: a missed checkpoint loses nothing, the next one covers the same
    /// events.
    pub fn spawn(
        self,
        every: Duration,
        stop: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let me = std::sync::Arc::new(tokio::sync::Mutex::new(self));
        crate::app::periodic::every(every, stop, move || {
            let me = me.clone();
            async move {
                if let Err(e) = me.lock().await.publish().await {
                    tracing::warn!(error = %e, "could not publish a checkpoint; will retry");
                }
            }
        })
    }
}
