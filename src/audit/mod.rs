//! What auditors use: export bundles, signed checkpoints, offline verification, inclusion
//! proofs and replay to any moment. Everything here except [`bundle::export`] and
//! [`proof::prove_from_store`] works on files alone, so an auditor needs no database and no
//! trust in the server (docs/adr/0009-export-and-checkpoints.md).
//!
//! - [`bundle`]: the bundle format (`events.jsonl` + `manifest.json`) and the exporter.
//! - [`merkle`]: the RFC 9162 Merkle tree over event hashes.
//! - [`checkpoint`]: signed statements of the log's state; Ed25519 keys.
//! - [`verify`]: checks a bundle or an inclusion proof and names the first damage.
//! - [`proof`]: inclusion proofs against a published checkpoint.
//! - [`publisher`]: the service's periodic signed checkpoints, appended to the log.
//! - [`replay`]: the framework and decisions register as of a position or time, from a bundle.

pub mod bundle;
pub mod checkpoint;
pub mod merkle;
pub mod proof;
pub mod publisher;
pub mod replay;
pub mod verify;
