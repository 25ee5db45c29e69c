//! Checkpoints: a statement of the log's state (range, head hash, Merkle root, time), signed
//! with Ed25519. The same statement signs an export's manifest and the periodic checkpoints
//! published into the log, so one verifier checks both (docs/adr/0009-export-and-checkpoints.md).

use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::store::chain::{from_hex, to_hex};
use crate::store::Hash;

/// The stream that holds published checkpoints.
pub const STREAM_TYPE: &str = "Log";
pub const STREAM_ID: &str = "checkpoints";
pub const EVENT_TYPE: &str = "CheckpointPublished";

/// What the log looked like over a range of positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub first_position: i64,
    pub last_position: i64,
    pub count: i64,
    /// Hash of the event before `first_position` (zeros when the range starts at 1).
    pub prev_hash: String,
    /// Hash of the event at `last_position`.
    pub head_hash: String,
    /// RFC 9162 root over the hashes of the events in the range, in position order.
    pub merkle_root: String,
    /// When the statement was made, microseconds since the Unix epoch (UTC).
    pub time_us: i64,
}

impl Checkpoint {
    /// The exact bytes that are signed: one `key value` line each, in this order, LF-ended.
    pub fn statement(&self) -> String {
        format!(
            "plenary-checkpoint-v1\nfirst_position {}\nlast_position {}\ncount {}\nprev_hash {}\nhead_hash {}\nmerkle_root {}\ntime_us {}\n",
            self.first_position,
            self.last_position,
            self.count,
            self.prev_hash,
            self.head_hash,
            self.merkle_root,
            self.time_us
        )
    }

    pub fn sign(self, key: &SigningKey) -> SignedCheckpoint {
        let signature = key.sign(self.statement().as_bytes());
        SignedCheckpoint {
            public_key: hex::encode(key.verifying_key().as_bytes()),
            signature: hex::encode(signature.to_bytes()),
            checkpoint: self,
        }
    }
}

/// A checkpoint with its Ed25519 signature. This is the payload of `CheckpointPublished` and
/// what an auditor keeps outside the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    /// The signer's public key (hex); informative only: trust comes from the key the auditor
    /// holds, never from this field.
    pub public_key: String,
    pub signature: String,
}

impl SignedCheckpoint {
    /// Checks the signature against the key the auditor trusts.
    pub fn verify(&self, trusted: &VerifyingKey) -> Result<(), String> {
        let bytes: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("the signature is not 64 bytes of hex")?;
        trusted
            .verify(
                self.checkpoint.statement().as_bytes(),
                &Signature::from_bytes(&bytes),
            )
            .map_err(|_| {
                format!(
                    "the signature does not verify with public key {}",
                    hex::encode(trusted.as_bytes())
                )
            })
    }
}

/// Hex of a 32-byte hash field, or an error naming the field.
pub fn hash_field(name: &str, value: &str) -> Result<Hash, String> {
    from_hex(value).ok_or_else(|| format!("{name} is not 32 bytes of hex: '{value}'"))
}

pub fn hex_hash(h: &Hash) -> String {
    to_hex(h)
}

/// A new signing key from the operating system's randomness.
pub fn generate_key() -> Result<SigningKey, String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The file that holds the public key of the secret key at `path`: `path` with its extension
/// replaced by `pub` (`k.key` → `k.pub`, `k` → `k.pub`).
pub fn public_key_path(path: &Path) -> std::path::PathBuf {
    path.with_extension("pub")
}

/// Writes the secret key (hex seed, readable by the owner only) and its public key to
/// [`public_key_path`]; refuses to overwrite either, which would orphan every signature made
/// with the old key (or, for `--out k.pub`, replace the secret key with the public one).
pub fn write_key_files(path: &Path, key: &SigningKey) -> Result<std::path::PathBuf, String> {
    use std::io::Write;
    let public = public_key_path(path);
    if public == path {
        return Err(format!(
            "{} ends in .pub, the name its public key would take: name the secret key file \
             otherwise (e.g. plenary-signing.key)",
            path.display()
        ));
    }
    if public.exists() {
        return Err(format!(
            "{} exists: a key is never overwritten",
            public.display()
        ));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    writeln!(f, "{}", hex::encode(key.to_bytes())).map_err(|e| e.to_string())?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&public)
        .and_then(|mut f| writeln!(f, "{}", hex::encode(key.verifying_key().as_bytes())))
        .map_err(|e| format!("cannot write {}: {e}", public.display()))?;
    Ok(public)
}

pub fn read_signing_key(path: &Path) -> Result<SigningKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read signing key {}: {e}", path.display()))?;
    let seed: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            format!(
                "{} is not a signing key (64 hex characters)",
                path.display()
            )
        })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// A public key given as 64 hex characters, or as the path of a file holding them.
pub fn parse_public_key(arg: &str) -> Result<VerifyingKey, String> {
    let text = if arg.len() == 64 && arg.bytes().all(|b| b.is_ascii_hexdigit()) {
        arg.to_owned()
    } else {
        std::fs::read_to_string(arg)
            .map_err(|e| format!("'{arg}' is neither 64 hex characters nor a readable file: {e}"))?
    };
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("'{arg}' does not hold a 32-byte public key in hex"))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("'{arg}' is not an Ed25519 key: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp() -> Checkpoint {
        Checkpoint {
            first_position: 1,
            last_position: 10,
            count: 10,
            prev_hash: "00".repeat(32),
            head_hash: "ab".repeat(32),
            merkle_root: "cd".repeat(32),
            time_us: 1_700_000_000_000_000,
        }
    }

    #[test]
    fn signatures_verify_and_any_change_breaks_them() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let signed = cp().sign(&key);
        assert_eq!(signed.verify(&key.verifying_key()), Ok(()));
        let mut changed = signed.clone();
        changed.checkpoint.last_position = 11;
        assert!(changed.verify(&key.verifying_key()).is_err());
        let other = SigningKey::from_bytes(&[8u8; 32]);
        assert!(signed.verify(&other.verifying_key()).is_err());
        let mut garbled = signed;
        garbled.signature = "zz".into();
        assert!(garbled.verify(&key.verifying_key()).is_err());
    }

    #[test]
    fn statement_is_stable() {
        assert!(cp()
            .statement()
            .starts_with("plenary-checkpoint-v1\nfirst_position 1\nlast_position 10\ncount 10\n"));
    }

    #[test]
    fn key_files_round_trip_and_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        let key = generate_key().unwrap();
        let public = write_key_files(&path, &key).unwrap();
        assert_eq!(read_signing_key(&path).unwrap().to_bytes(), key.to_bytes());
        let vk = parse_public_key(public.to_str().unwrap()).unwrap();
        assert_eq!(vk, key.verifying_key());
        assert_eq!(
            parse_public_key(&hex::encode(vk.as_bytes())).unwrap(),
            key.verifying_key()
        );
        assert!(write_key_files(&path, &generate_key().unwrap()).is_err());
        assert!(parse_public_key("nonsense").is_err());
    }

    #[test]
    fn the_public_key_goes_next_to_the_secret_one_and_never_over_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            public_key_path(&dir.path().join("k.key")),
            dir.path().join("k.pub")
        );
        assert_eq!(
            public_key_path(&dir.path().join("k")),
            dir.path().join("k.pub")
        );
        // `--out k.pub` would have written the secret key and then the public key over it.
        let both = dir.path().join("k.pub");
        assert!(write_key_files(&both, &generate_key().unwrap()).is_err());
        assert!(!both.exists());
        // A public key already there (another key's) is not overwritten either.
        std::fs::write(dir.path().join("other.pub"), "kept\n").unwrap();
        assert!(write_key_files(&dir.path().join("other.key"), &generate_key().unwrap()).is_err());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("other.pub")).unwrap(),
            "kept\n"
        );
        assert!(!dir.path().join("other.key").exists());
    }
}
