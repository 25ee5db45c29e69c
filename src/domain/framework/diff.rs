//! Word-level difference between two versions of the declaration, for the amendments board and
//! "the framework between version m and n". Pure and deterministic (no deadlines), so a
//! projection rebuilt from the log shows exactly the same diff.

use serde::{Deserialize, Serialize};
use similar::{capture_diff_slices, Algorithm, DiffOp};
use std::collections::{HashMap, HashSet};

use super::text::Declaration;
use crate::domain::values::ParagraphId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    Unchanged,
    Inserted,
    Deleted,
}

/// A run of words with the same fate; words are joined by single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordSpan {
    pub kind: SpanKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphStatus {
    Unchanged,
    /// Wording, kind or section changed.
    Modified,
    Inserted,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParagraphDiff {
    pub id: ParagraphId,
    pub status: ParagraphStatus,
    /// Present in both versions but no longer in the same relative order.
    pub moved: bool,
    pub old_number: Option<String>,
    pub new_number: Option<String>,
    pub spans: Vec<WordSpan>,
}

/// Paragraphs in the order of the new version; a deleted paragraph is shown after the
/// paragraph that preceded it in the old version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationDiff {
    pub paragraphs: Vec<ParagraphDiff>,
}

impl DeclarationDiff {
    pub fn is_empty(&self) -> bool {
        self.paragraphs
            .iter()
            .all(|p| p.status == ParagraphStatus::Unchanged && !p.moved)
    }

    /// Only the paragraphs that changed (inserted, deleted, modified or moved): what an
    /// amendment does, for the amendments board.
    pub fn changes(self) -> Vec<ParagraphDiff> {
        self.paragraphs
            .into_iter()
            .filter(|p| p.status != ParagraphStatus::Unchanged || p.moved)
            .collect()
    }

    /// The words of the new version, paragraph by paragraph (rebuilt from the diff alone).
    pub fn new_words(&self) -> Vec<(ParagraphId, Vec<String>)> {
        self.side(SpanKind::Inserted, ParagraphStatus::Deleted)
    }

    /// The words of the old version, in the old order (rebuilt from the diff alone).
    pub fn old_words(&self) -> Vec<(ParagraphId, Vec<String>)> {
        self.side(SpanKind::Deleted, ParagraphStatus::Inserted)
    }

    fn side(&self, keep: SpanKind, absent: ParagraphStatus) -> Vec<(ParagraphId, Vec<String>)> {
        self.paragraphs
            .iter()
            .filter(|p| p.status != absent)
            .map(|p| {
                let words = p
                    .spans
                    .iter()
                    .filter(|s| s.kind == SpanKind::Unchanged || s.kind == keep)
                    .flat_map(|s| s.text.split_whitespace().map(str::to_owned))
                    .collect();
                (p.id.clone(), words)
            })
            .collect()
    }
}

/// Word-level diff of two texts. Words are whitespace-separated tokens, so a change of
/// spacing or line breaks alone is not a change.
pub fn diff_words(old: &str, new: &str) -> Vec<WordSpan> {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    diff_tokens(&a, &b)
}

fn diff_tokens<'w>(a: &[&'w str], b: &[&'w str]) -> Vec<WordSpan> {
    if a == b {
        return span(SpanKind::Unchanged, a).into_iter().collect();
    }
    let mut out: Vec<WordSpan> = Vec::new();
    let mut push = |kind: SpanKind, words: &[&str]| {
        if words.is_empty() {
            return;
        }
        // Merge runs of the same kind (similar may split them).
        if let Some(last) = out.last_mut().filter(|l| l.kind == kind) {
            for w in words {
                last.text.push(' ');
                last.text.push_str(w);
            }
        } else {
            out.extend(span(kind, words));
        }
    };
    // Diff over interned word numbers: comparing u32s instead of strings makes the
    // worst case (a long paragraph heavily reworded) 2-3 times faster.
    let mut numbers: HashMap<&'w str, u32> = HashMap::with_capacity(a.len() + b.len());
    let mut intern = |w: &&'w str| {
        let next = numbers.len() as u32;
        *numbers.entry(*w).or_insert(next)
    };
    let na: Vec<u32> = a.iter().map(&mut intern).collect();
    let nb: Vec<u32> = b.iter().map(&mut intern).collect();
    for op in capture_diff_slices(Algorithm::Myers, &na, &nb) {
        match op {
            DiffOp::Equal { old_index, len, .. } => {
                push(SpanKind::Unchanged, &a[old_index..old_index + len])
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => push(SpanKind::Deleted, &a[old_index..old_index + old_len]),
            DiffOp::Insert {
                new_index, new_len, ..
            } => push(SpanKind::Inserted, &b[new_index..new_index + new_len]),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                push(SpanKind::Deleted, &a[old_index..old_index + old_len]);
                push(SpanKind::Inserted, &b[new_index..new_index + new_len]);
            }
        }
    }
    out
}

fn span(kind: SpanKind, words: &[&str]) -> Option<WordSpan> {
    (!words.is_empty()).then(|| WordSpan {
        kind,
        text: words.join(" "),
    })
}

/// Compares two versions of the declaration paragraph by paragraph (matched by stable id).
pub fn diff(old: &Declaration, new: &Declaration) -> DeclarationDiff {
    let old_numbers: HashMap<ParagraphId, String> = old
        .numbering()
        .into_iter()
        .map(|n| (n.id, n.number))
        .collect();
    let new_numbers: HashMap<ParagraphId, String> = new
        .numbering()
        .into_iter()
        .map(|n| (n.id, n.number))
        .collect();
    let old_by_id: HashMap<&ParagraphId, &super::text::Paragraph> =
        old.paragraphs.iter().map(|p| (&p.id, p)).collect();
    let new_ids: HashSet<&ParagraphId> = new.paragraphs.iter().map(|p| &p.id).collect();

    // Moved = common paragraphs outside the longest common subsequence of the two orders.
    let old_common: Vec<&ParagraphId> = old
        .paragraphs
        .iter()
        .map(|p| &p.id)
        .filter(|id| new_ids.contains(id))
        .collect();
    let new_common: Vec<&ParagraphId> = new
        .paragraphs
        .iter()
        .map(|p| &p.id)
        .filter(|id| old_by_id.contains_key(id))
        .collect();
    let mut moved: HashSet<&ParagraphId> = HashSet::new();
    if old_common != new_common {
        for op in capture_diff_slices(Algorithm::Myers, &old_common, &new_common) {
            if let DiffOp::Insert {
                new_index, new_len, ..
            }
            | DiffOp::Replace {
                new_index, new_len, ..
            } = op
            {
                moved.extend(new_common[new_index..new_index + new_len].iter().copied());
            }
        }
    }

    // Deleted paragraphs hang after their nearest surviving predecessor in the old order.
    let mut deleted_after: HashMap<Option<&ParagraphId>, Vec<&super::text::Paragraph>> =
        HashMap::new();
    let mut last_kept: Option<&ParagraphId> = None;
    for p in &old.paragraphs {
        if new_ids.contains(&p.id) {
            last_kept = Some(&p.id);
        } else {
            deleted_after.entry(last_kept).or_default().push(p);
        }
    }
    let deleted_diff = |p: &super::text::Paragraph| ParagraphDiff {
        id: p.id.clone(),
        status: ParagraphStatus::Deleted,
        moved: false,
        old_number: old_numbers.get(&p.id).cloned(),
        new_number: None,
        spans: diff_words(p.text.as_str(), ""),
    };

    let mut out = Vec::with_capacity(old.paragraphs.len().max(new.paragraphs.len()));
    if let Some(ds) = deleted_after.get(&None) {
        out.extend(ds.iter().map(|p| deleted_diff(p)));
    }
    for p in &new.paragraphs {
        match old_by_id.get(&p.id) {
            None => out.push(ParagraphDiff {
                id: p.id.clone(),
                status: ParagraphStatus::Inserted,
                moved: false,
                old_number: None,
                new_number: new_numbers.get(&p.id).cloned(),
                spans: diff_words("", p.text.as_str()),
            }),
            Some(o) => {
                let spans = diff_words(o.text.as_str(), p.text.as_str());
                let reworded = spans.iter().any(|s| s.kind != SpanKind::Unchanged);
                let status = if reworded || o.kind != p.kind || o.section != p.section {
                    ParagraphStatus::Modified
                } else {
                    ParagraphStatus::Unchanged
                };
                out.push(ParagraphDiff {
                    id: p.id.clone(),
                    status,
                    moved: moved.contains(&p.id),
                    old_number: old_numbers.get(&p.id).cloned(),
                    new_number: new_numbers.get(&p.id).cloned(),
                    spans,
                });
                if let Some(ds) = deleted_after.get(&Some(&p.id)) {
                    out.extend(ds.iter().map(|d| deleted_diff(d)));
                }
            }
        }
    }
    DeclarationDiff { paragraphs: out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::text::tests::{
        arb_declaration, arb_seeds, pid, sample, text, valid_ops,
    };
    use crate::domain::framework::text::{apply, Operation, Paragraph, ParagraphKind, Section};
    use proptest::prelude::*;

    fn words_of(d: &Declaration) -> Vec<(ParagraphId, Vec<String>)> {
        d.paragraphs
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    p.text
                        .as_str()
                        .split_whitespace()
                        .map(str::to_owned)
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn word_spans_show_insertions_and_deletions() {
        let spans = diff_words(
            "Recognizing the role of the private sector and civil society,",
            "Recognizing the important role of the private sector, academia and civil society,",
        );
        let kinds: Vec<(SpanKind, &str)> =
            spans.iter().map(|s| (s.kind, s.text.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (SpanKind::Unchanged, "Recognizing the"),
                (SpanKind::Inserted, "important"),
                (SpanKind::Unchanged, "role of the private"),
                (SpanKind::Deleted, "sector"),
                (SpanKind::Inserted, "sector, academia"),
                (SpanKind::Unchanged, "and civil society,"),
            ]
        );
    }

    type Row<'a> = (
        &'a str,
        ParagraphStatus,
        bool,
        Option<&'a str>,
        Option<&'a str>,
    );

    #[test]
    fn paragraphs_inserted_deleted_moved_and_renumbered() {
        let ops = [
            Operation::InsertAfter {
                after: Some(pid("OP-1")),
                new_id: pid("OP-1bis"),
                kind: ParagraphKind::Operative,
                section: Section::General,
                text: text("Decides further,"),
            },
            Operation::DeleteParagraph {
                paragraph: pid("PP-1"),
            },
            Operation::MoveParagraph {
                paragraph: pid("OP-3"),
                after: Some(pid("OP-1")),
            },
        ];
        let new = apply(&sample(), &ops).unwrap();
        let d = diff(&sample(), &new);
        let rows: Vec<Row> = d
            .paragraphs
            .iter()
            .map(|p| {
                (
                    p.id.as_str(),
                    p.status,
                    p.moved,
                    p.old_number.as_deref(),
                    p.new_number.as_deref(),
                )
            })
            .collect();
        use ParagraphStatus::*;
        assert_eq!(
            rows,
            [
                ("PP-1", Deleted, false, Some("PP1"), None),
                ("PP-2", Unchanged, false, Some("PP2"), Some("PP1")),
                ("OP-1", Unchanged, false, Some("OP1"), Some("OP1")),
                ("OP-3", Unchanged, true, Some("OP3"), Some("OP2")),
                ("OP-1bis", Inserted, false, None, Some("OP3")),
                ("OP-2", Unchanged, false, Some("OP2"), Some("OP4")),
            ]
        );
        assert!(!d.is_empty());
        assert!(diff(&new, &new).is_empty());
    }

    #[test]
    fn ten_thousand_words_diff_quickly() {
        // Two ~10,000-word versions, 100 paragraphs, every third paragraph reworded.
        let vocab = [
            "States",
            "shall",
            "cooperate",
            "in",
            "good",
            "faith",
            "to",
            "prevent",
            "harmful",
            "ICT",
            "practices,",
        ];
        let mk = |salt: usize| Declaration {
            sections: sample().sections,
            paragraphs: (0..100)
                .map(|i| Paragraph {
                    id: pid(&format!("OP-{i}")),
                    kind: ParagraphKind::Operative,
                    section: Section::General,
                    text: text(
                        &(0..100)
                            .map(|w| {
                                let k = if i % 3 == 0 && w % 7 == 0 {
                                    w * salt + i
                                } else {
                                    w + i
                                };
                                vocab[k % vocab.len()]
                            })
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                })
                .collect(),
        };
        let (a, b) = (mk(1), mk(3));
        assert_eq!(a.word_count(), 10_000);
        let started = std::time::Instant::now();
        let d = diff(&a, &b);
        let took = started.elapsed();
        assert_eq!(d.new_words(), words_of(&b));
        // Generous bound for an unoptimised test build on a shared machine; release is far below 20 ms.
        eprintln!("diff of two 10,000-word versions: {took:?}");
        assert!(took.as_millis() < 500, "diff took {took:?}");
    }

    #[test]
    fn a_single_ten_thousand_word_paragraph_rewritten() {
        let a: String = (0..10_000).map(|i| format!("a{} ", i % 97)).collect();
        let b: String = (0..10_000).map(|i| format!("b{} ", i % 89)).collect();
        let started = std::time::Instant::now();
        let spans = diff_words(&a, &b);
        let took = started.elapsed();
        let rebuilt: Vec<&str> = spans
            .iter()
            .filter(|s| s.kind != SpanKind::Deleted)
            .flat_map(|s| s.text.split_whitespace())
            .collect();
        assert_eq!(rebuilt, b.split_whitespace().collect::<Vec<_>>());
        eprintln!("diff of one rewritten 10,000-word paragraph: {took:?}");
        assert!(took.as_millis() < 5_000, "diff took {took:?}");
    }

    #[test]
    fn a_long_paragraph_heavily_reworded_from_a_small_vocabulary() {
        // The hard case for Myers: many equal words, 30% changed.
        let mut seed = 12345u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let a: Vec<String> = (0..10_000).map(|_| format!("w{}", rnd() % 50)).collect();
        let b: Vec<String> = a
            .iter()
            .map(|w| {
                if rnd() % 10 < 3 {
                    format!("w{}", rnd() % 50)
                } else {
                    w.clone()
                }
            })
            .collect();
        let (a, b) = (a.join(" "), b.join(" "));
        let started = std::time::Instant::now();
        let spans = diff_words(&a, &b);
        let took = started.elapsed();
        eprintln!("diff of a heavily reworded 10,000-word paragraph: {took:?}");
        let side = |skip: SpanKind| -> Vec<&str> {
            spans
                .iter()
                .filter(|s| s.kind != skip)
                .flat_map(|s| s.text.split_whitespace())
                .collect()
        };
        assert_eq!(
            side(SpanKind::Deleted),
            b.split_whitespace().collect::<Vec<_>>()
        );
        assert_eq!(
            side(SpanKind::Inserted),
            a.split_whitespace().collect::<Vec<_>>()
        );
        assert!(took.as_millis() < 10_000, "diff took {took:?}");
    }

    proptest! {
        #[test]
        fn diff_reconstructs_both_versions(a in arb_declaration(), seeds in arb_seeds()) {
            let ops = valid_ops(&a, &seeds, "d");
            let b = if ops.is_empty() { a.clone() } else { apply(&a, &ops).unwrap() };
            let d = diff(&a, &b);
            prop_assert_eq!(d.new_words(), words_of(&b));
            // Old words come out in new order with deletions in place; compare as sets by id.
            let mut old = d.old_words();
            old.sort();
            let mut expected = words_of(&a);
            expected.sort();
            prop_assert_eq!(old, expected);
            prop_assert_eq!(d.is_empty(), a == b);
        }

        #[test]
        fn word_diff_reconstructs_arbitrary_text(a in "[a-c ]{0,60}", b in "[a-c ]{0,60}") {
            let spans = diff_words(&a, &b);
            let new: Vec<&str> = spans.iter().filter(|s| s.kind != SpanKind::Deleted).flat_map(|s| s.text.split_whitespace()).collect();
            let old: Vec<&str> = spans.iter().filter(|s| s.kind != SpanKind::Inserted).flat_map(|s| s.text.split_whitespace()).collect();
            prop_assert_eq!(new, b.split_whitespace().collect::<Vec<_>>());
            prop_assert_eq!(old, a.split_whitespace().collect::<Vec<_>>());
        }
    }
}
