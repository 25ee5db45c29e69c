//! `plenary audit`: the auditor's offline tools (verify, replay, prove).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::app::history::Cut;
use crate::audit::{checkpoint, proof, replay, verify};
use crate::export::{printable, Format};
use crate::store::EventStore;

use super::Outcome;

// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Verify an export bundle (a directory) or an inclusion proof (a file), offline. Exits
    /// non-zero naming the first bad position and the kind of damage.
    Verify {
        path: PathBuf,
        /// The public key you trust (64 hex characters or a .pub file).
        #[arg(long)]
        public_key: Option<String>,
        /// A checkpoint kept outside the system (saved from /api/v1/log/checkpoints, or an
        /// earlier export's manifest.json); repeatable.
        #[arg(long)]
        checkpoint: Vec<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the frameworks, the decisions register, the meetings and the amendments board
    /// as of a moment, from a bundle alone.
    /// Verifies the bundle's chain first (hashes, links, count, Merkle root, the checkpoints
    /// published in it) and replays nothing from a damaged bundle; the manifest's signature
    /// is `audit verify --public-key`'s to check.
    Replay {
        bundle: PathBuf,
        /// A log position (`p:1234`, at most the bundle's last position: beyond it is refused),
        /// a date (its end, UTC) or an RFC 3339 time; bare digits are refused as ambiguous (a
        /// position or a year?).
        #[arg(long)]
        at: String,
        /// Write the declaration as Markdown to this file (`-` for stdout).
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// Write the declaration as HTML to this file (`-` for stdout).
        #[arg(long)]
        html: Option<PathBuf>,
        /// Compare with what this live server shows for the same moment (http://host:port).
        #[arg(long, requires = "token")]
        server: Option<String>,
        /// A bearer token for --server.
        #[arg(long, env = "PLENARY_TOKEN")]
        token: Option<String>,
        /// Print the replay as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// A meeting whose report to write (with --report-html and/or --report-json): the
        /// same document the service exports for the same moment.
        #[arg(long)]
        report: Option<String>,
        /// Write the meeting's report as HTML to this file.
        #[arg(long, requires = "report")]
        report_html: Option<PathBuf>,
        /// Write the meeting's report as JSON to this file.
        #[arg(long, requires = "report")]
        report_json: Option<PathBuf>,
        /// Write the meeting's report as PDF to this file.
        #[arg(long, requires = "report")]
        report_pdf: Option<PathBuf>,
        /// Write the meeting's report as DOCX to this file.
        #[arg(long, requires = "report")]
        report_docx: Option<PathBuf>,
        /// Write the Declaration as PDF to this file: the bytes
        /// /api/v1/frameworks/{id}/declaration.pdf?at=p:N gives.
        #[arg(long)]
        pdf: Option<PathBuf>,
        /// Write the Declaration as DOCX to this file.
        #[arg(long)]
        docx: Option<PathBuf>,
        /// The framework to print with --pdf/--docx (needed when the bundle has several).
        #[arg(long)]
        framework: Option<String>,
        /// Write the whole decisions register as PDF to this file.
        #[arg(long)]
        register_pdf: Option<PathBuf>,
        /// Write the whole decisions register as DOCX to this file.
        #[arg(long)]
        register_docx: Option<PathBuf>,
        /// The language of the HTML, PDF and DOCX documents (ar, en, es, fr, ru, zh).
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Prove that the event at POSITION is in a published checkpoint (RFC 9162 inclusion
    /// proof), from a bundle or from the database.
    Prove {
        position: i64,
        /// Read events from this bundle instead of the database.
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// Write the proof here (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// The auditor's offline commands. None of them opens the database except `prove` without
/// `--bundle`.
pub async fn run(command: Command, database: &str) -> Outcome {
    match command {
        Command::Verify {
            path,
            public_key,
            checkpoint: external,
            json,
        } => {
            let key = public_key
                .as_deref()
                .map(checkpoint::parse_public_key)
                .transpose()?;
            if path.is_file() {
                let text = std::fs::read_to_string(&path)?;
                let proof: proof::InclusionProof = serde_json::from_str(&text)
                    .map_err(|e| format!("{} is not an inclusion proof: {e}", path.display()))?;
                let r = verify::verify_proof(&proof, key.as_ref())?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&r)?);
                } else {
                    match &r.problem {
                        None => println!(
                            "ok: event {} ({}) is in the log described by the checkpoint up to position {}; signature {}",
                            r.position, r.event_type, r.checkpoint_last_position, r.signature
                        ),
                        Some(f) => println!(
                            "BAD PROOF at position {}: {}: {}",
                            f.position,
                            f.damage.label(),
                            f.detail
                        ),
                    }
                }
                return Ok(if r.problem.is_none() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                });
            }
            let external = external
                .iter()
                .map(|p| verify::External::read(p))
                .collect::<Result<Vec<_>, _>>()?;
            let r = verify::verify_bundle(&path, key.as_ref(), &external)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{} events checked ({}..={}), head {}, merkle root {}, signature {}",
                    r.events_checked,
                    r.first_position,
                    r.last_position,
                    r.head_hash,
                    r.merkle_root,
                    r.signature
                );
                if r.attachments_checked > 0 {
                    println!(
                        "{} attachments checked ({} bytes)",
                        r.attachments_checked, r.attachment_bytes
                    );
                }
                for c in &r.checkpoints {
                    println!(
                        "  checkpoint up to {} ({}): {}",
                        c.last_position, c.source, c.outcome
                    );
                }
                match &r.problem {
                    None => println!("ok: the bundle is intact"),
                    Some(f) => println!(
                        "BROKEN at position {}: {}: {}",
                        f.position,
                        f.damage.label(),
                        f.detail
                    ),
                }
            }
            Ok(if r.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Replay {
            bundle: dir,
            at,
            markdown,
            html,
            server,
            token,
            json,
            report,
            report_html,
            report_json,
            report_pdf,
            report_docx,
            pdf,
            docx,
            framework,
            register_pdf,
            register_docx,
            lang,
        } => {
            let cut = Cut::parse_at(&at)?;
            let messages = crate::web::messages::get(&lang)
                .ok_or("--lang must be one of ar, en, es, fr, ru, zh")?;
            let r = replay::replay(&dir, cut)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print!("{}", replay::render_text(&r));
            }
            for (target, text) in [
                (
                    markdown,
                    replay::render_markdown as fn(&replay::Replayed) -> String,
                ),
                (html, replay::render_html),
            ] {
                match target {
                    Some(p) if p.as_os_str() == "-" => print!("{}", text(&r)),
                    Some(p) => {
                        std::fs::write(&p, text(&r))?;
                        eprintln!("wrote {}", p.display());
                    }
                    None => {}
                }
            }
            if let Some(id) = report {
                let Some(found) = r.reports.get(&id) else {
                    return Err(format!("no meeting {id} in the bundle as of {}", r.cut).into());
                };
                if let Some(p) = report_html {
                    std::fs::write(&p, crate::export::report::html(found, messages))?;
                    eprintln!("wrote {}", p.display());
                }
                if let Some(p) = report_json {
                    std::fs::write(&p, serde_json::to_string_pretty(found)?)?;
                    eprintln!("wrote {}", p.display());
                }
                let doc = printable::report(found, messages);
                write_printed(report_pdf, Format::Pdf, &doc)?;
                write_printed(report_docx, Format::Docx, &doc)?;
            }
            if pdf.is_some() || docx.is_some() {
                let chosen: Vec<_> = match &framework {
                    Some(id) => r
                        .frameworks
                        .iter()
                        .filter(|f| &f.id == id)
                        .cloned()
                        .collect(),
                    None if r.frameworks.len() > 1 => {
                        return Err(
                            "the bundle holds several frameworks: name one with --framework".into(),
                        )
                    }
                    None => r.frameworks.clone(),
                };
                if chosen.is_empty() {
                    return Err(format!("no such framework in the bundle as of {}", r.cut).into());
                }
                let annexes = r.annexes_of(&chosen);
                let doc = printable::declaration(&chosen, &annexes, r.position, &r.hash, messages);
                write_printed(pdf, Format::Pdf, &doc)?;
                write_printed(docx, Format::Docx, &doc)?;
            }
            if register_pdf.is_some() || register_docx.is_some() {
                let entries: Vec<_> = r
                    .decisions
                    .iter()
                    .map(crate::app::register::entry)
                    .collect();
                let doc = printable::register(
                    &entries,
                    messages.t("register.all_meetings"),
                    r.position,
                    &r.hash,
                    messages,
                );
                write_printed(register_pdf, Format::Pdf, &doc)?;
                write_printed(register_docx, Format::Docx, &doc)?;
            }
            if let (Some(base), Some(token)) = (server, token) {
                let diffs = replay::compare_with_server(&r, cut, &base, &token).await?;
                if diffs.is_empty() {
                    println!("\nmatches {base} for the same moment");
                } else {
                    println!("\nDIFFERS from {base}:");
                    for d in diffs {
                        println!("  {d}");
                    }
                    return Ok(ExitCode::FAILURE);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Prove {
            position,
            bundle: dir,
            out,
        } => {
            let p = match dir {
                Some(dir) => proof::prove_from_bundle(&dir, position)?,
                None => {
                    let store = EventStore::open(database).await?;
                    proof::prove_from_store(&store, position).await?
                }
            };
            let text = serde_json::to_string_pretty(&p)? + "\n";
            match out {
                Some(path) => {
                    std::fs::write(&path, text)?;
                    eprintln!("wrote the proof to {}", path.display());
                }
                None => print!("{text}"),
            }
            if p.signature.is_none() {
                eprintln!("note: no signed checkpoint covers position {position}; the proof is against an unsigned root (publish a checkpoint, or export with --signing-key)");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes `doc` in `format` to `path`, if one is given.
fn write_printed(
    path: Option<PathBuf>,
    format: Format,
    doc: &printable::Printable,
) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(p) = path {
        std::fs::write(&p, crate::export::print(format, doc)?)?;
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
