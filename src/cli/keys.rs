//! `plenary keys`: signing keys for checkpoints and export manifests.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::audit::checkpoint;

use super::{hex_key, Outcome};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Generate an Ed25519 key: writes the secret key to the --out file (mode 0600) and the
    /// public key next to it, with the extension replaced by .pub (k.key → k.pub); prints the
    /// public key, which auditors keep. Never overwrites either file.
    Generate {
        /// The secret key file; its public key goes to the same name ending in .pub.
        #[arg(long, default_value = "plenary-signing.key")]
        out: PathBuf,
    },
}

pub async fn run(command: Command) -> Outcome {
    let Command::Generate { out } = command;
    let key = checkpoint::generate_key()?;
    let public = checkpoint::write_key_files(&out, &key)?;
    eprintln!(
        "wrote the secret key to {} and the public key to {}",
        out.display(),
        public.display()
    );
    println!("{}", hex_key(&key));
    Ok(ExitCode::SUCCESS)
}
