//! The Political Declaration as data, and the operations that amend it.
//!
//! Pure functions, shared by the `Framework` aggregate (applying adopted changes), the
//! `Amendment` aggregate (validating drafts) and projections (rendering any version).
//!
//! # Semantics of an operation list
//! - Every operation refers to the **base text** the list is stated against: paragraph ids and
//!   word positions are those of the base, never of an intermediate result. That is what a
//!   delegate reads when drafting ("in OP-12, replace word 14"), and it makes the list
//!   independent of the order in which word changes are listed.
//! - Words are whitespace-separated tokens, counted **from 1** (`at_word: 1` is the first word),
//!   as delegates count them; punctuation belongs to its word ("States,").
//! - `ReplaceWords` with empty `old` inserts `new` before word `at_word` (`at_word` = word count
//!   + 1 appends); with empty `new` it deletes `old`.
//! - Word changes and `ReplaceParagraph` act on base paragraphs only. `InsertAfter` and
//!   `MoveParagraph` are applied in list order, so `after` may name a paragraph inserted by an
//!   earlier operation of the same list.
//! - Operations may not overlap: two changes to the same words, a paragraph replaced and also
//!   changed word-wise, or any operation on a paragraph another one deletes.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use crate::domain::values::{ParagraphId, Text};

/// Preambular paragraphs ("Recalling ...") come before operative ones ("Decides ...").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphKind {
    Preamble,
    Operative,
}

impl ParagraphKind {
    fn prefix(self) -> &'static str {
        match self {
            ParagraphKind::Preamble => "PP",
            ParagraphKind::Operative => "OP",
        }
    }
}

/// The elements of the agreed framework, plus `General` for paragraphs that belong to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    InternationalLaw,
    NormsRulesPrinciples,
    ConfidenceBuildingMeasures,
    CapacityBuilding,
    General,
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Section::InternationalLaw => "international law",
            Section::NormsRulesPrinciples => "norms, rules and principles",
            Section::ConfidenceBuildingMeasures => "confidence-building measures",
            Section::CapacityBuilding => "capacity building",
            Section::General => "general",
        })
    }
}

/// A section of the declaration as the body titled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionHeading {
    pub section: Section,
    pub title: Text,
}

/// One paragraph in its negotiated original (English unless stated otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    pub id: ParagraphId,
    pub kind: ParagraphKind,
    pub section: Section,
    pub text: Text,
}

/// The text of the Political Declaration at one version: its sections and its paragraphs in
/// order. Display numbers are not stored; they follow from the order (see [`Declaration::numbering`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub sections: Vec<SectionHeading>,
    pub paragraphs: Vec<Paragraph>,
}

/// Why a declaration is not well-formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeclarationError {
    #[error("the declaration has no paragraphs")]
    NoParagraphs,
    #[error("paragraph id {0} is used twice")]
    DuplicateParagraph(ParagraphId),
    #[error("section '{0}' is listed twice")]
    DuplicateSection(Section),
    #[error(
        "paragraph {paragraph} is in section '{section}', which the declaration does not have"
    )]
    UnknownSection {
        paragraph: ParagraphId,
        section: Section,
    },
}

impl Declaration {
    /// Checks the invariants every version must keep: at least one paragraph, unique ids, and
    /// every paragraph in a declared section.
    pub fn validate(&self) -> Result<(), DeclarationError> {
        if self.paragraphs.is_empty() {
            return Err(DeclarationError::NoParagraphs);
        }
        let mut sections = HashSet::new();
        for s in &self.sections {
            if !sections.insert(s.section) {
                return Err(DeclarationError::DuplicateSection(s.section));
            }
        }
        let mut ids = HashSet::new();
        for p in &self.paragraphs {
            if !ids.insert(&p.id) {
                return Err(DeclarationError::DuplicateParagraph(p.id.clone()));
            }
            if !sections.contains(&p.section) {
                return Err(DeclarationError::UnknownSection {
                    paragraph: p.id.clone(),
                    section: p.section,
                });
            }
        }
        Ok(())
    }

    pub fn paragraph(&self, id: &ParagraphId) -> Option<&Paragraph> {
        self.paragraphs.iter().find(|p| &p.id == id)
    }

    pub fn position(&self, id: &ParagraphId) -> Option<usize> {
        self.paragraphs.iter().position(|p| &p.id == id)
    }

    pub fn has_section(&self, section: Section) -> bool {
        self.sections.iter().any(|s| s.section == section)
    }

    /// Display numbers (PP1, PP2, .., OP1, ..) in document order. Recomputed from the order,
    /// so they change when paragraphs are inserted, deleted or moved; ids never do.
    pub fn numbering(&self) -> Vec<NumberedParagraph> {
        let (mut pp, mut op) = (0u32, 0u32);
        self.paragraphs
            .iter()
            .map(|p| {
                let n = match p.kind {
                    ParagraphKind::Preamble => {
                        pp += 1;
                        pp
                    }
                    ParagraphKind::Operative => {
                        op += 1;
                        op
                    }
                };
                NumberedParagraph {
                    id: p.id.clone(),
                    number: format!("{}{}", p.kind.prefix(), n),
                }
            })
            .collect()
    }

    /// The display number of one paragraph, if it exists.
    pub fn display_number(&self, id: &ParagraphId) -> Option<String> {
        self.numbering()
            .into_iter()
            .find(|n| &n.id == id)
            .map(|n| n.number)
    }

    /// Every word of every paragraph (paragraph order), for counting and tests.
    pub fn word_count(&self) -> usize {
        self.paragraphs
            .iter()
            .map(|p| p.text.as_str().split_whitespace().count())
            .sum()
    }
}

/// A paragraph id with its display number at some version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberedParagraph {
    pub id: ParagraphId,
    pub number: String,
}

/// One precise change to the declaration. See the module docs for how a list is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operation {
    /// Inserts a new paragraph after `after` (`None`: at the very start).
    InsertAfter {
        after: Option<ParagraphId>,
        new_id: ParagraphId,
        kind: ParagraphKind,
        section: Section,
        text: Text,
    },
    /// Replaces the words `old`, which must stand at word `at_word` (1-based), by `new`.
    ReplaceWords {
        paragraph: ParagraphId,
        at_word: usize,
        old: String,
        new: String,
    },
    /// Replaces the whole wording of a paragraph.
    ReplaceParagraph {
        paragraph: ParagraphId,
        text: Text,
    },
    DeleteParagraph {
        paragraph: ParagraphId,
    },
    /// Moves a paragraph after `after` (`None`: to the very start). Wording is unchanged.
    MoveParagraph {
        paragraph: ParagraphId,
        after: Option<ParagraphId>,
    },
}

impl Operation {
    /// The existing paragraph this operation targets (not `after`, not a new id).
    pub fn target(&self) -> Option<&ParagraphId> {
        match self {
            Operation::InsertAfter { .. } => None,
            Operation::ReplaceWords { paragraph, .. }
            | Operation::ReplaceParagraph { paragraph, .. }
            | Operation::DeleteParagraph { paragraph }
            | Operation::MoveParagraph { paragraph, .. } => Some(paragraph),
        }
    }

    /// The wording this operation proposes and the paragraph it goes into (an inserted
    /// paragraph's new id); none for a deletion (of a paragraph, or of words: an empty
    /// `new`) or a move. A translation of an amendment translates these, in order.
    pub fn wording(&self) -> Option<(&ParagraphId, &str)> {
        match self {
            Operation::InsertAfter { new_id, text, .. } => Some((new_id, text.as_str())),
            Operation::ReplaceWords { new, .. } if new.trim().is_empty() => None,
            Operation::ReplaceWords { paragraph, new, .. } => Some((paragraph, new.as_str())),
            Operation::ReplaceParagraph { paragraph, text } => Some((paragraph, text.as_str())),
            Operation::DeleteParagraph { .. } | Operation::MoveParagraph { .. } => None,
        }
    }

    fn after(&self) -> Option<&ParagraphId> {
        match self {
            Operation::InsertAfter { after, .. } | Operation::MoveParagraph { after, .. } => {
                after.as_ref()
            }
            _ => None,
        }
    }
}

/// At most this many operations in one list: bounds the pairwise overlap check.
pub const MAX_OPERATIONS: usize = 500;

/// Why a list of operations cannot be applied to a text. Operation numbers are 1-based, as
/// shown to delegates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    #[error("an amendment must contain at least one operation")]
    NoOperations,
    #[error("{count} operations given; at most {max} are allowed")]
    TooManyOperations { count: usize, max: usize },
    #[error("operation {op}: paragraph {paragraph} does not exist in this version")]
    UnknownParagraph { op: usize, paragraph: ParagraphId },
    #[error(
        "operation {op}: paragraph {paragraph} does not contain '{expected}' at word {at_word}{}",
        found_note(found)
    )]
    WordsNotFound {
        op: usize,
        paragraph: ParagraphId,
        at_word: usize,
        expected: String,
        found: String,
    },
    #[error("operation {op}: paragraph {paragraph} has {words} words, so word {at_word} is out of range (words are counted from 1)")]
    WordOutOfRange {
        op: usize,
        paragraph: ParagraphId,
        at_word: usize,
        words: usize,
    },
    #[error(
        "operation {op}: replacing nothing by nothing in paragraph {paragraph} changes nothing"
    )]
    EmptyWordChange { op: usize, paragraph: ParagraphId },
    #[error("operation {op}: replacing '{words}' in paragraph {paragraph} by the same words changes nothing")]
    NoChange {
        op: usize,
        paragraph: ParagraphId,
        words: String,
    },
    #[error(
        "operations {first} and {second} overlap: both change paragraph {paragraph}{}",
        detail_note(detail)
    )]
    Overlap {
        first: usize,
        second: usize,
        paragraph: ParagraphId,
        detail: String,
    },
    #[error("operation {op}: paragraph id {paragraph} is already in use")]
    DuplicateParagraphId { op: usize, paragraph: ParagraphId },
    #[error("operation {op}: section '{section}' is not a section of this declaration")]
    UnknownSection { op: usize, section: Section },
    #[error("operation {op}: paragraph {paragraph} cannot be moved after itself")]
    MoveAfterItself { op: usize, paragraph: ParagraphId },
    #[error(
        "operation {op}: the new wording of paragraph {paragraph} is not acceptable: {reason}"
    )]
    InvalidText {
        op: usize,
        paragraph: ParagraphId,
        reason: String,
    },
    #[error("operation {op}: deleting paragraph {paragraph} would leave the declaration without paragraphs")]
    WouldEmptyDeclaration { op: usize, paragraph: ParagraphId },
}

fn found_note(found: &str) -> String {
    if found.is_empty() {
        String::new()
    } else {
        format!(" (it reads '{found}')")
    }
}

fn detail_note(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

impl OpError {
    /// Stable slug, finer than the aggregate error codes.
    pub fn code(&self) -> &'static str {
        match self {
            OpError::NoOperations => "no-operations",
            OpError::TooManyOperations { .. } => "too-many-operations",
            OpError::UnknownParagraph { .. } => "unknown-paragraph",
            OpError::WordsNotFound { .. } => "words-not-found",
            OpError::WordOutOfRange { .. } => "word-out-of-range",
            OpError::EmptyWordChange { .. } => "empty-word-change",
            OpError::NoChange { .. } => "no-change",
            OpError::Overlap { .. } => "operations-overlap",
            OpError::DuplicateParagraphId { .. } => "duplicate-paragraph-id",
            OpError::UnknownSection { .. } => "unknown-section",
            OpError::MoveAfterItself { .. } => "move-after-itself",
            OpError::InvalidText { .. } => "invalid-paragraph-text",
            OpError::WouldEmptyDeclaration { .. } => "would-empty-declaration",
        }
    }

    /// The (1-based) operation at fault; for overlaps, the later of the two.
    pub fn operation(&self) -> Option<usize> {
        match self {
            OpError::NoOperations | OpError::TooManyOperations { .. } => None,
            OpError::Overlap { second, .. } => Some(*second),
            OpError::UnknownParagraph { op, .. }
            | OpError::WordsNotFound { op, .. }
            | OpError::WordOutOfRange { op, .. }
            | OpError::EmptyWordChange { op, .. }
            | OpError::NoChange { op, .. }
            | OpError::DuplicateParagraphId { op, .. }
            | OpError::UnknownSection { op, .. }
            | OpError::MoveAfterItself { op, .. }
            | OpError::InvalidText { op, .. }
            | OpError::WouldEmptyDeclaration { op, .. } => Some(*op),
        }
    }

    pub fn paragraph(&self) -> Option<&ParagraphId> {
        match self {
            OpError::NoOperations
            | OpError::TooManyOperations { .. }
            | OpError::UnknownSection { .. } => None,
            OpError::UnknownParagraph { paragraph, .. }
            | OpError::WordsNotFound { paragraph, .. }
            | OpError::WordOutOfRange { paragraph, .. }
            | OpError::EmptyWordChange { paragraph, .. }
            | OpError::NoChange { paragraph, .. }
            | OpError::Overlap { paragraph, .. }
            | OpError::DuplicateParagraphId { paragraph, .. }
            | OpError::MoveAfterItself { paragraph, .. }
            | OpError::InvalidText { paragraph, .. }
            | OpError::WouldEmptyDeclaration { paragraph, .. } => Some(paragraph),
        }
    }
}

/// Why an amendment drafted against an older version no longer applies to the current text.
/// Stored in events (`AmendmentInConflict`) and shown to the proposer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// 1-based operation number; 0 when the list as a whole is at fault.
    pub operation: usize,
    pub paragraph: Option<ParagraphId>,
    pub reason: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl From<OpError> for Conflict {
    fn from(e: OpError) -> Self {
        Conflict {
            operation: e.operation().unwrap_or(0),
            paragraph: e.paragraph().cloned(),
            reason: e.to_string(),
        }
    }
}

/// Byte spans of the whitespace-separated words of `s`.
pub fn word_spans(s: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                spans.push((st, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        spans.push((st, s.len()));
    }
    spans
}

/// A word-level change resolved against the base paragraph: 0-based half-open word range.
struct WordChange<'a> {
    op: usize,
    start: usize,
    end: usize,
    new: &'a str,
}

/// What a list does to one base paragraph's wording.
enum Rewording<'a> {
    Words(Vec<WordChange<'a>>),
    Whole(usize, &'a Text),
}

/// Applies `ops` to `base` and returns the new text, or the first reason it cannot.
/// Never panics, whatever the input.
pub fn apply(base: &Declaration, ops: &[Operation]) -> Result<Declaration, OpError> {
    if ops.is_empty() {
        return Err(OpError::NoOperations);
    }
    if ops.len() > MAX_OPERATIONS {
        return Err(OpError::TooManyOperations {
            count: ops.len(),
            max: MAX_OPERATIONS,
        });
    }
    let base_ids: HashMap<&ParagraphId, usize> = base
        .paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| (&p.id, i))
        .collect();

    // Pass 1: existence, new ids, sections, and which op claims what (for overlaps).
    let mut known: HashSet<&ParagraphId> = base_ids.keys().copied().collect();
    let mut deleted_by: HashMap<&ParagraphId, usize> = HashMap::new();
    let mut moved_by: HashMap<&ParagraphId, usize> = HashMap::new();
    let mut rewording: HashMap<&ParagraphId, Rewording> = HashMap::new();
    let mut referenced: Vec<(&ParagraphId, usize)> = Vec::new(); // (paragraph, op) for every reference
    for (i, op) in ops.iter().enumerate() {
        let n = i + 1;
        if let Some(after) = op.after() {
            if !known.contains(after) {
                return Err(OpError::UnknownParagraph {
                    op: n,
                    paragraph: after.clone(),
                });
            }
            referenced.push((after, n));
        }
        if let Some(target) = op.target() {
            if !base_ids.contains_key(target) {
                return Err(OpError::UnknownParagraph {
                    op: n,
                    paragraph: target.clone(),
                });
            }
            referenced.push((target, n));
        }
        match op {
            Operation::InsertAfter {
                new_id, section, ..
            } => {
                if !known.insert(new_id) {
                    return Err(OpError::DuplicateParagraphId {
                        op: n,
                        paragraph: new_id.clone(),
                    });
                }
                if !base.has_section(*section) {
                    return Err(OpError::UnknownSection {
                        op: n,
                        section: *section,
                    });
                }
            }
            Operation::DeleteParagraph { paragraph } => {
                if let Some(first) = deleted_by.insert(paragraph, n) {
                    return Err(overlap(first, n, paragraph, "deleted twice"));
                }
            }
            Operation::MoveParagraph { paragraph, after } => {
                if after.as_ref() == Some(paragraph) {
                    return Err(OpError::MoveAfterItself {
                        op: n,
                        paragraph: paragraph.clone(),
                    });
                }
                if let Some(first) = moved_by.insert(paragraph, n) {
                    return Err(overlap(first, n, paragraph, "moved twice"));
                }
            }
            Operation::ReplaceParagraph { paragraph, text } => {
                if let Some(prev) = rewording.get(paragraph) {
                    let first = match prev {
                        Rewording::Whole(f, _) => *f,
                        Rewording::Words(w) => w.first().map_or(n, |c| c.op),
                    };
                    return Err(overlap(first, n, paragraph, "its wording is replaced"));
                }
                rewording.insert(paragraph, Rewording::Whole(n, text));
            }
            Operation::ReplaceWords {
                paragraph,
                at_word,
                old,
                new,
            } => {
                let p = &base.paragraphs[base_ids[paragraph]];
                let change = locate_words(n, p, *at_word, old, new)?;
                match rewording
                    .entry(paragraph)
                    .or_insert_with(|| Rewording::Words(Vec::new()))
                {
                    Rewording::Whole(first, _) => {
                        return Err(overlap(*first, n, paragraph, "its wording is replaced"));
                    }
                    Rewording::Words(changes) => {
                        if let Some(other) = changes.iter().find(|c| spans_overlap(c, &change)) {
                            let detail =
                                format!("word {} and word {}", other.start + 1, change.start + 1);
                            return Err(overlap(other.op, n, paragraph, &detail));
                        }
                        changes.push(change);
                    }
                }
            }
        }
    }
    // Nothing may touch or refer to a paragraph that another operation deletes.
    for (paragraph, n) in &referenced {
        if let Some(&d) = deleted_by.get(paragraph) {
            if d != *n {
                let (a, b) = if d < *n { (d, *n) } else { (*n, d) };
                return Err(overlap(a, b, paragraph, "one deletes it"));
            }
        }
    }
    if deleted_by.len() >= base.paragraphs.len()
        && !ops
            .iter()
            .any(|o| matches!(o, Operation::InsertAfter { .. }))
    {
        let (p, n) = deleted_by
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(p, n)| ((*p).clone(), *n))
            .unwrap_or_else(|| (base.paragraphs[0].id.clone(), 1));
        return Err(OpError::WouldEmptyDeclaration {
            op: n,
            paragraph: p,
        });
    }

    // Pass 2: rewording of base paragraphs (positions all refer to the base).
    let mut paragraphs: Vec<Paragraph> = base.paragraphs.clone();
    for (id, r) in rewording {
        let idx = base_ids[id];
        let p = &mut paragraphs[idx];
        match r {
            Rewording::Whole(_, text) => p.text = text.clone(),
            Rewording::Words(changes) => p.text = splice_words(p, changes)?,
        }
    }

    // Pass 3: structure, in list order.
    for op in ops {
        match op {
            Operation::InsertAfter {
                after,
                new_id,
                kind,
                section,
                text,
            } => {
                let at = insertion_index(&paragraphs, after.as_ref());
                paragraphs.insert(
                    at,
                    Paragraph {
                        id: new_id.clone(),
                        kind: *kind,
                        section: *section,
                        text: text.clone(),
                    },
                );
            }
            Operation::DeleteParagraph { paragraph } => {
                paragraphs.retain(|p| &p.id != paragraph);
            }
            Operation::MoveParagraph { paragraph, after } => {
                if let Some(from) = paragraphs.iter().position(|p| &p.id == paragraph) {
                    let moving = paragraphs.remove(from);
                    let at = insertion_index(&paragraphs, after.as_ref());
                    paragraphs.insert(at, moving);
                }
            }
            Operation::ReplaceWords { .. } | Operation::ReplaceParagraph { .. } => {}
        }
    }
    Ok(Declaration {
        sections: base.sections.clone(),
        paragraphs,
    })
}

/// Whether `ops` (validated against some older version) still apply cleanly to `current`.
pub fn check_applies(current: &Declaration, ops: &[Operation]) -> Result<(), Conflict> {
    apply(current, ops).map(|_| ()).map_err(Conflict::from)
}

fn overlap(first: usize, second: usize, paragraph: &ParagraphId, detail: &str) -> OpError {
    OpError::Overlap {
        first,
        second,
        paragraph: paragraph.clone(),
        detail: detail.to_owned(),
    }
}

fn insertion_index(paragraphs: &[Paragraph], after: Option<&ParagraphId>) -> usize {
    match after {
        None => 0,
        Some(a) => paragraphs
            .iter()
            .position(|p| &p.id == a)
            .map_or(paragraphs.len(), |i| i + 1),
    }
}

/// Two word changes overlap when their word ranges intersect, when two insertions are at the
/// same point (their order would be ambiguous), or when an insertion falls strictly inside a
/// replaced range. An insertion just before a replaced range is fine: it goes first.
fn spans_overlap(a: &WordChange, b: &WordChange) -> bool {
    let a_ins = a.start == a.end;
    let b_ins = b.start == b.end;
    match (a_ins, b_ins) {
        (true, true) => a.start == b.start,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

fn locate_words<'a>(
    op: usize,
    p: &Paragraph,
    at_word: usize,
    old: &str,
    new: &'a str,
) -> Result<WordChange<'a>, OpError> {
    let words: Vec<&str> = p.text.as_str().split_whitespace().collect();
    let old_words: Vec<&str> = old.split_whitespace().collect();
    if old_words.is_empty() && new.trim().is_empty() {
        return Err(OpError::EmptyWordChange {
            op,
            paragraph: p.id.clone(),
        });
    }
    // An insertion may point one past the last word (append). Words expected beyond the end
    // are reported as not found, like words expected anywhere else.
    if at_word == 0 || (old_words.is_empty() && at_word > words.len() + 1) {
        return Err(OpError::WordOutOfRange {
            op,
            paragraph: p.id.clone(),
            at_word,
            words: words.len(),
        });
    }
    let start = at_word - 1;
    let end = start + old_words.len();
    if words.get(start..end) != Some(&old_words[..]) {
        let found = words.get(start..end.min(words.len())).unwrap_or_default();
        return Err(OpError::WordsNotFound {
            op,
            paragraph: p.id.clone(),
            at_word,
            expected: clip(&old_words.join(" ")),
            found: clip(&found.join(" ")),
        });
    }
    if new.split_whitespace().eq(old_words.iter().copied()) {
        return Err(OpError::NoChange {
            op,
            paragraph: p.id.clone(),
            words: clip(&old_words.join(" ")),
        });
    }
    Ok(WordChange {
        op,
        start,
        end,
        new: new.trim(),
    })
}

/// Applies non-overlapping word changes token by token. Each word keeps the whitespace that
/// preceded it, so the untouched parts of a paragraph keep their line breaks; new words are
/// joined by single spaces.
fn splice_words(p: &Paragraph, mut changes: Vec<WordChange>) -> Result<Text, OpError> {
    let text = p.text.as_str();
    let spans = word_spans(text);
    let mut gap_start = 0;
    // (whitespace before, word)
    let mut tokens: Vec<(&str, &str)> = spans
        .iter()
        .map(|&(s, e)| {
            let t = (&text[gap_start..s], &text[s..e]);
            gap_start = e;
            t
        })
        .collect();
    let trailing = &text[gap_start..];
    // Back to front so earlier indices stay valid; at equal starts the replacement is done
    // first and the insertion then goes before it.
    changes.sort_by(|a, b| {
        b.start
            .cmp(&a.start)
            .then((a.start == a.end).cmp(&(b.start == b.end)))
    });
    let mut last_op = 0;
    for c in &changes {
        last_op = last_op.max(c.op);
        let mut new_words = c.new.split_whitespace();
        if c.start == c.end {
            let gap = match tokens.get_mut(c.start) {
                Some(t) => std::mem::replace(&mut t.0, " "),
                None => " ",
            };
            let mut inserted: Vec<(&str, &str)> = Vec::new();
            if let Some(first) = new_words.next() {
                inserted.push((gap, first));
            }
            inserted.extend(new_words.map(|w| (" ", w)));
            tokens.splice(c.start..c.start, inserted);
        } else {
            let gap = tokens[c.start].0;
            let mut replacement: Vec<(&str, &str)> = Vec::new();
            if let Some(first) = new_words.next() {
                replacement.push((gap, first));
            }
            replacement.extend(new_words.map(|w| (" ", w)));
            let deleted_all = replacement.is_empty();
            tokens.splice(c.start..c.end, replacement);
            // A deletion at the start hands the paragraph's leading whitespace to the next word.
            if deleted_all && c.start == 0 {
                if let Some(t) = tokens.first_mut() {
                    t.0 = gap;
                }
            }
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (gap, word) in &tokens {
        out.push_str(gap);
        out.push_str(word);
    }
    out.push_str(trailing);
    Text::parse(&out).map_err(|e| OpError::InvalidText {
        op: last_op,
        paragraph: p.id.clone(),
        reason: e.to_string(),
    })
}

/// Shortens quoted words so error messages stay readable.
fn clip(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut c: String = s.chars().take(MAX).collect();
        c.push('…');
        c
    }
}

/// The paragraphs whose wording, kind or section differs between `before` and `after`, or which
/// are new; and the ids of those deleted. Used to build events that carry the new text.
pub fn changed_paragraphs(
    before: &Declaration,
    after: &Declaration,
) -> (Vec<Paragraph>, Vec<ParagraphId>) {
    let old: HashMap<&ParagraphId, &Paragraph> =
        before.paragraphs.iter().map(|p| (&p.id, p)).collect();
    let changed = after
        .paragraphs
        .iter()
        .filter(|p| old.get(&p.id).is_none_or(|o| *o != *p))
        .cloned()
        .collect();
    let now: BTreeSet<&ParagraphId> = after.paragraphs.iter().map(|p| &p.id).collect();
    let deleted = before
        .paragraphs
        .iter()
        .filter(|p| !now.contains(&p.id))
        .map(|p| p.id.clone())
        .collect();
    (changed, deleted)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub fn pid(s: &str) -> ParagraphId {
        ParagraphId::parse(s).unwrap()
    }

    pub fn text(s: &str) -> Text {
        Text::parse(s).unwrap()
    }

    pub fn heading(section: Section) -> SectionHeading {
        SectionHeading {
            section,
            title: text(&section.to_string()),
        }
    }

    pub fn para(id: &str, kind: ParagraphKind, section: Section, t: &str) -> Paragraph {
        Paragraph {
            id: pid(id),
            kind,
            section,
            text: text(t),
        }
    }

    /// A small declaration in the shape of the PoA working paper.
    pub fn sample() -> Declaration {
        use ParagraphKind::*;
        use Section::*;
        Declaration {
            sections: vec![
                heading(General),
                heading(NormsRulesPrinciples),
                heading(CapacityBuilding),
            ],
            paragraphs: vec![
                para(
                    "PP-1",
                    Preamble,
                    General,
                    "Recalling General Assembly resolution 77/37,",
                ),
                para(
                    "PP-2",
                    Preamble,
                    General,
                    "Recognizing the role of the private sector and civil society,",
                ),
                para(
                    "OP-1",
                    Operative,
                    General,
                    "Decides to establish a programme of action,",
                ),
                para(
                    "OP-2",
                    Operative,
                    NormsRulesPrinciples,
                    "Calls upon States to implement the agreed norms,",
                ),
                para(
                    "OP-3",
                    Operative,
                    CapacityBuilding,
                    "Encourages capacity building\non a voluntary basis.",
                ),
            ],
        }
    }

    fn rw(p: &str, at: usize, old: &str, new: &str) -> Operation {
        Operation::ReplaceWords {
            paragraph: pid(p),
            at_word: at,
            old: old.into(),
            new: new.into(),
        }
    }

    fn texts(d: &Declaration) -> Vec<(String, String)> {
        d.paragraphs
            .iter()
            .map(|p| (p.id.to_string(), p.text.to_string()))
            .collect()
    }

    #[test]
    fn replace_words_at_stated_position() {
        let d = apply(
            &sample(),
            &[rw("PP-2", 6, "private sector", "private sector, academia")],
        )
        .unwrap();
        assert_eq!(
            d.paragraph(&pid("PP-2")).unwrap().text.as_str(),
            "Recognizing the role of the private sector, academia and civil society,"
        );
    }

    #[test]
    fn words_not_where_stated_are_refused_with_position() {
        let err = apply(&sample(), &[rw("PP-2", 5, "private sector", "x")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "operation 1: paragraph PP-2 does not contain 'private sector' at word 5 (it reads 'the private')"
        );
        assert_eq!(err.code(), "words-not-found");
    }

    #[test]
    fn insertion_deletion_and_spacing_are_preserved() {
        let ops = [
            rw("OP-3", 1, "", "Strongly"),
            rw("OP-3", 5, "a voluntary", ""),
            rw("OP-3", 7, "", "and demand-driven"),
        ];
        let d = apply(&sample(), &ops).unwrap();
        assert_eq!(
            d.paragraph(&pid("OP-3")).unwrap().text.as_str(),
            "Strongly Encourages capacity building\non and demand-driven basis."
        );
    }

    #[test]
    fn replacing_words_by_the_same_words_is_refused() {
        let err = apply(&sample(), &[rw("OP-1", 1, "Decides to", "Decides  to")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "operation 1: replacing 'Decides to' in paragraph OP-1 by the same words changes nothing"
        );
        assert_eq!(err.code(), "no-change");
    }

    #[test]
    fn deleting_every_word_is_refused() {
        let err = apply(
            &sample(),
            &[rw(
                "OP-1",
                1,
                "Decides to establish a programme of action,",
                "",
            )],
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid-paragraph-text");
    }

    #[test]
    fn overlapping_word_changes_are_refused() {
        let err = apply(
            &sample(),
            &[
                rw("OP-1", 1, "Decides", "Agrees"),
                rw("OP-2", 1, "Calls", "Urges"),
                rw("OP-1", 1, "Decides to", "x"),
            ],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "operations 1 and 3 overlap: both change paragraph OP-1 (word 1 and word 1)"
        );
    }

    #[test]
    fn an_operation_on_a_deleted_paragraph_overlaps() {
        let ops = [
            Operation::DeleteParagraph {
                paragraph: pid("OP-2"),
            },
            rw("OP-1", 1, "Decides", "Agrees"),
            rw("OP-2", 1, "Calls", "Urges"),
        ];
        let err = apply(&sample(), &ops).unwrap_err();
        assert_eq!(
            err.to_string(),
            "operations 1 and 3 overlap: both change paragraph OP-2 (one deletes it)"
        );
    }

    #[test]
    fn unknown_paragraphs_and_duplicate_ids_are_refused() {
        let err = apply(
            &sample(),
            &[Operation::DeleteParagraph {
                paragraph: pid("OP-12"),
            }],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "operation 1: paragraph OP-12 does not exist in this version"
        );
        let ins = |after: &str, id: &str| Operation::InsertAfter {
            after: Some(pid(after)),
            new_id: pid(id),
            kind: ParagraphKind::Operative,
            section: Section::General,
            text: text("New text."),
        };
        let err = apply(&sample(), &[ins("OP-1", "OP-2")]).unwrap_err();
        assert_eq!(err.code(), "duplicate-paragraph-id");
        let err = apply(&sample(), &[ins("OP-1", "OP-1bis"), ins("OP-1", "OP-1bis")]).unwrap_err();
        assert_eq!(err.code(), "duplicate-paragraph-id");
    }

    #[test]
    fn structure_insert_move_delete_and_renumbering() {
        let ops = [
            Operation::InsertAfter {
                after: Some(pid("OP-1")),
                new_id: pid("OP-1bis"),
                kind: ParagraphKind::Operative,
                section: Section::General,
                text: text("Decides that the programme shall be permanent,"),
            },
            Operation::InsertAfter {
                after: Some(pid("OP-1bis")),
                new_id: pid("OP-1ter"),
                kind: ParagraphKind::Operative,
                section: Section::General,
                text: text("Decides further,"),
            },
            Operation::MoveParagraph {
                paragraph: pid("OP-3"),
                after: None,
            },
            Operation::DeleteParagraph {
                paragraph: pid("PP-1"),
            },
        ];
        let d = apply(&sample(), &ops).unwrap();
        let order: Vec<String> = d.paragraphs.iter().map(|p| p.id.to_string()).collect();
        assert_eq!(
            order,
            ["OP-3", "PP-2", "OP-1", "OP-1bis", "OP-1ter", "OP-2"]
        );
        let numbers: Vec<String> = d.numbering().into_iter().map(|n| n.number).collect();
        assert_eq!(numbers, ["OP1", "PP1", "OP2", "OP3", "OP4", "OP5"]);
        assert_eq!(d.display_number(&pid("OP-2")).as_deref(), Some("OP5"));
    }

    #[test]
    fn check_applies_reports_the_conflict() {
        let changed = apply(&sample(), &[rw("PP-2", 6, "private", "public")]).unwrap();
        let ops = [rw("PP-2", 6, "private sector", "private sector, academia")];
        assert!(check_applies(&sample(), &ops).is_ok());
        let c = check_applies(&changed, &ops).unwrap_err();
        assert_eq!(c.operation, 1);
        assert_eq!(c.paragraph, Some(pid("PP-2")));
        assert!(
            c.reason
                .contains("does not contain 'private sector' at word 6"),
            "{}",
            c.reason
        );
    }

    #[test]
    fn empty_and_excessive_lists_are_refused() {
        assert_eq!(apply(&sample(), &[]).unwrap_err(), OpError::NoOperations);
        let many = vec![rw("OP-1", 1, "Decides", "Agrees"); MAX_OPERATIONS + 1];
        assert_eq!(
            apply(&sample(), &many).unwrap_err().code(),
            "too-many-operations"
        );
    }

    #[test]
    fn deleting_all_paragraphs_is_refused() {
        let ops: Vec<Operation> = sample()
            .paragraphs
            .iter()
            .map(|p| Operation::DeleteParagraph {
                paragraph: p.id.clone(),
            })
            .collect();
        assert_eq!(
            apply(&sample(), &ops).unwrap_err().code(),
            "would-empty-declaration"
        );
    }

    #[test]
    fn texts_helper_is_stable() {
        assert_eq!(texts(&sample()).len(), 5);
    }

    // ---- generators shared with the aggregate properties ----

    const WORDS: &[&str] = &[
        "States", "shall", "the", "of", "norms", "law,", "and", "capacity", "building", "private",
        "sector.",
    ];

    pub fn arb_declaration() -> impl Strategy<Value = Declaration> {
        use ParagraphKind::*;
        proptest::collection::vec(
            (
                any::<bool>(),
                0usize..3,
                proptest::collection::vec(0usize..WORDS.len(), 1..12),
            ),
            1..8,
        )
        .prop_map(|ps| Declaration {
            sections: vec![
                heading(Section::General),
                heading(Section::InternationalLaw),
                heading(Section::CapacityBuilding),
            ],
            paragraphs: ps
                .into_iter()
                .enumerate()
                .map(|(i, (pre, s, ws))| Paragraph {
                    id: pid(&format!("P-{i}")),
                    kind: if pre { Preamble } else { Operative },
                    section: [
                        Section::General,
                        Section::InternationalLaw,
                        Section::CapacityBuilding,
                    ][s],
                    text: text(&ws.iter().map(|w| WORDS[*w]).collect::<Vec<_>>().join(" ")),
                })
                .collect(),
        })
    }

    /// Raw material for operations: indices resolved against a concrete declaration.
    pub type OpSeed = (u8, usize, usize, usize, usize, usize);

    pub fn arb_seeds() -> impl Strategy<Value = Vec<OpSeed>> {
        proptest::collection::vec(
            (
                0u8..5,
                any::<usize>(),
                any::<usize>(),
                0usize..4,
                0usize..4,
                any::<usize>(),
            ),
            1..8,
        )
    }

    /// Turns a seed into an operation on `d` (may be invalid, e.g. overlapping).
    pub fn op_from_seed(d: &Declaration, seed: OpSeed, tag: &str) -> Operation {
        let (kind, a, b, len, newlen, w) = seed;
        let ids: Vec<&ParagraphId> = d.paragraphs.iter().map(|p| &p.id).collect();
        let p = ids[a % ids.len()].clone();
        let after = if b % (ids.len() + 1) == 0 {
            None
        } else {
            Some(ids[b % ids.len()].clone())
        };
        let new_words = (0..newlen)
            .map(|k| WORDS[(w + k) % WORDS.len()])
            .collect::<Vec<_>>()
            .join(" ");
        match kind {
            0 => Operation::InsertAfter {
                after,
                new_id: pid(&format!("N-{tag}")),
                kind: ParagraphKind::Operative,
                section: Section::General,
                text: text(&format!("Inserted {tag} {new_words}")),
            },
            1 => {
                let words: Vec<&str> = d
                    .paragraph(&p)
                    .unwrap()
                    .text
                    .as_str()
                    .split_whitespace()
                    .collect();
                let start = b % (words.len() + 1);
                let end = (start + len).min(words.len());
                Operation::ReplaceWords {
                    paragraph: p,
                    at_word: start + 1,
                    old: words[start..end].join(" "),
                    new: new_words,
                }
            }
            2 => Operation::ReplaceParagraph {
                paragraph: p,
                text: text(&format!("Replaced {tag} {new_words}")),
            },
            3 => Operation::DeleteParagraph { paragraph: p },
            _ => Operation::MoveParagraph {
                paragraph: p,
                after,
            },
        }
    }

    /// A valid list built greedily: each candidate is kept only if the list still applies.
    pub fn valid_ops(d: &Declaration, seeds: &[OpSeed], tag: &str) -> Vec<Operation> {
        let mut ops = Vec::new();
        for (i, s) in seeds.iter().enumerate() {
            let mut next = ops.clone();
            next.push(op_from_seed(d, *s, &format!("{tag}-{i}")));
            if apply(d, &next).is_ok() {
                ops = next;
            }
        }
        ops
    }

    fn arb_any_op() -> impl Strategy<Value = Operation> {
        // Mostly ids and words that exist in `sample()`, so many lists get deep into apply.
        let id = prop_oneof![
            4 => proptest::sample::select(vec!["PP-1", "PP-2", "OP-1", "OP-2", "OP-3"]),
            1 => Just("X-1"),
        ]
        .prop_map(pid);
        let words = prop_oneof![
            3 => proptest::sample::select(vec!["", "Decides", "private sector", "the", "on a", "civil society,"])
                .prop_map(String::from),
            1 => ".{0,12}",
        ];
        let txt = "[a-z ]{0,5}[a-z]".prop_map(|s| text(&s));
        prop_oneof![
            (proptest::option::of(id.clone()), id.clone(), txt.clone()).prop_map(
                |(after, new_id, text)| Operation::InsertAfter {
                    after,
                    new_id,
                    kind: ParagraphKind::Operative,
                    section: Section::General,
                    text
                }
            ),
            (id.clone(), any::<usize>(), words.clone(), words).prop_map(
                |(paragraph, at_word, old, new)| Operation::ReplaceWords {
                    paragraph,
                    at_word: at_word % 12,
                    old,
                    new
                }
            ),
            (id.clone(), txt)
                .prop_map(|(paragraph, text)| Operation::ReplaceParagraph { paragraph, text }),
            id.clone()
                .prop_map(|paragraph| Operation::DeleteParagraph { paragraph }),
            (id.clone(), proptest::option::of(id))
                .prop_map(|(paragraph, after)| Operation::MoveParagraph { paragraph, after }),
        ]
    }

    #[test]
    fn generators_produce_real_changes() {
        // Guards the properties below against vacuity: most generated lists are non-empty
        // and change the text.
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut non_empty, mut multi) = (0, 0);
        for _ in 0..100 {
            let d = arb_declaration().new_tree(&mut runner).unwrap().current();
            let seeds = arb_seeds().new_tree(&mut runner).unwrap().current();
            let ops = valid_ops(&d, &seeds, "g");
            if !ops.is_empty() && apply(&d, &ops).unwrap() != d {
                non_empty += 1;
            }
            if ops.len() > 2 {
                multi += 1;
            }
        }
        assert!(
            non_empty > 60,
            "only {non_empty} of 100 lists changed the text"
        );
        assert!(
            multi > 20,
            "only {multi} of 100 lists had more than two operations"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn apply_never_panics_on_arbitrary_ops(ops in proptest::collection::vec(arb_any_op(), 0..10)) {
            let d = sample();
            if let Ok(out) = apply(&d, &ops) {
                prop_assert!(out.validate().is_ok());
            }
        }

        #[test]
        fn valid_lists_keep_the_declaration_well_formed(d in arb_declaration(), seeds in arb_seeds()) {
            let ops = valid_ops(&d, &seeds, "x");
            prop_assume!(!ops.is_empty());
            let out = apply(&d, &ops).unwrap();
            prop_assert!(out.validate().is_ok());
            // Word changes act exactly on the stated words: recompute token-wise and compare.
            for p in &out.paragraphs {
                if let Some(orig) = d.paragraph(&p.id) {
                    let mut words: Vec<String> = orig.text.as_str().split_whitespace().map(String::from).collect();
                    let mut changes: Vec<(usize, usize, &str)> = ops.iter().filter_map(|o| match o {
                        Operation::ReplaceWords { paragraph, at_word, old, new } if paragraph == &p.id =>
                            Some((at_word - 1, old.split_whitespace().count(), new.as_str())),
                        _ => None,
                    }).collect();
                    let whole = ops.iter().any(|o| matches!(o, Operation::ReplaceParagraph { paragraph, .. } if paragraph == &p.id));
                    if whole { continue; }
                    // Back to front; at the same start, replacement before insertion (as in apply).
                    changes.sort_by(|a, b| b.0.cmp(&a.0).then((a.1 == 0).cmp(&(b.1 == 0))));
                    for (s, len, new) in changes {
                        words.splice(s..s + len, new.split_whitespace().map(String::from));
                    }
                    let got: Vec<&str> = p.text.as_str().split_whitespace().collect();
                    prop_assert_eq!(got, words.iter().map(String::as_str).collect::<Vec<_>>());
                }
            }
        }
    }
}
