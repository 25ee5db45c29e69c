use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::commands::{
    Distribution, DocumentCommand, DocumentLink, Relation, Series, VersionOrigin,
};
use super::error::DocumentError;
use super::events::DocumentEvent;
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, Text};

/// One document of the registry (issued here or registered from another process).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecord {
    /// The body whose record it belongs to.
    pub body_id: Id,
    pub title: Text,
    /// Issued by this registry; false for another process's document.
    pub own: bool,
    /// Who issued another process's document.
    pub issuer: Option<Text>,
    pub distribution: Distribution,
    pub date: Option<Date>,
    /// The original it revises, adds to or corrects, and how.
    pub related_to: Option<(Relation, DocumentSymbol)>,
    /// Language versions, the original first.
    pub languages: Vec<(LanguageTag, VersionOrigin)>,
    pub links: Vec<DocumentLink>,
    /// For an original: its latest revision, which replaces it.
    pub replaced_by: Option<DocumentSymbol>,
}

/// The registry of documents: one for the whole house, so a symbol is issued once whichever
/// body issues it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentRegistry {
    pub documents: BTreeMap<DocumentSymbol, DocumentRecord>,
    /// The last number issued after each stem: a series under a prefix (`PoA/RC.1/2026/L.`)
    /// or a relation of an original (`PoA/RC.1/2026/L.1/Rev.`).
    pub numbers: BTreeMap<String, u32>,
}

crate::domain::aggregate!(
    DocumentRegistry,
    "DocumentRegistry",
    DocumentCommand,
    DocumentEvent,
    DocumentError
);

fn series_stem(prefix: &DocumentSymbol, series: Series) -> String {
    format!("{prefix}/{}", series.infix())
}

fn relation_stem(original: &DocumentSymbol, relation: Relation) -> String {
    format!("{original}/{}", relation.suffix())
}

fn symbol(raw: String) -> DocumentSymbol {
    // Built from a valid symbol and a suffix of letters, digits, '/' and '.'.
    DocumentSymbol::parse(&raw).unwrap_or_else(|_| unreachable!("a built symbol is valid: {raw}"))
}

/// Whether the last part of `s` is a series or relation number (`L.1`, `CRP.2`, `Rev.1`):
/// then it is a document's symbol, not a prefix. (A bare number may be a year, as in
/// `PoA/RC.1/2026`; a main-series document is caught as already registered instead.)
fn ends_numbered(s: &str) -> bool {
    let last = s.rsplit('/').next().unwrap_or_default();
    ["L.", "CRP.", "INF.", "WP.", "Rev.", "Add.", "Corr."]
        .iter()
        .any(|m| {
            last.strip_prefix(m)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

impl DocumentRegistry {
    /// The symbols of documents linked to `to`, in symbol order, leaving out restricted ones
    /// unless `restricted` (a public list may name only what the public may see).
    pub fn linked_to(&self, to: &DocumentLink, restricted: bool) -> Vec<String> {
        self.documents
            .iter()
            .filter(|(_, d)| restricted || d.distribution != Distribution::Restricted)
            .filter(|(_, d)| d.links.contains(to))
            .map(|(s, _)| s.to_string())
            .collect()
    }

    fn apply_event(&mut self, event: DocumentEvent) {
        match event {
            DocumentEvent::DocumentIssued {
                body_id,
                symbol,
                prefix,
                series,
                number,
                title,
                distribution,
                language,
                links,
                on,
            } => {
                self.numbers.insert(series_stem(&prefix, series), number);
                self.documents.insert(
                    symbol,
                    DocumentRecord {
                        body_id,
                        title,
                        own: true,
                        issuer: None,
                        distribution,
                        date: Some(on),
                        related_to: None,
                        languages: vec![(language, VersionOrigin::Original)],
                        links,
                        replaced_by: None,
                    },
                );
            }
            DocumentEvent::RelatedDocumentIssued {
                body_id,
                symbol,
                to,
                relation,
                number,
                title,
                distribution,
                language,
                on,
            } => {
                self.numbers.insert(relation_stem(&to, relation), number);
                if relation == Relation::Revision {
                    if let Some(original) = self.documents.get_mut(&to) {
                        original.replaced_by = Some(symbol.clone());
                    }
                }
                let links = self
                    .documents
                    .get(&to)
                    .map(|d| d.links.clone())
                    .unwrap_or_default();
                self.documents.insert(
                    symbol,
                    DocumentRecord {
                        body_id,
                        title,
                        own: true,
                        issuer: None,
                        distribution,
                        date: Some(on),
                        related_to: Some((relation, to)),
                        languages: vec![(language, VersionOrigin::Original)],
                        links,
                        replaced_by: None,
                    },
                );
            }
            DocumentEvent::ExternalDocumentRegistered {
                body_id,
                symbol,
                title,
                issuer,
                date,
            } => {
                self.documents.insert(
                    symbol,
                    DocumentRecord {
                        body_id,
                        title,
                        own: false,
                        issuer: Some(issuer),
                        distribution: Distribution::General,
                        date,
                        related_to: None,
                        languages: vec![],
                        links: vec![],
                        replaced_by: None,
                    },
                );
            }
            DocumentEvent::DocumentLanguageVersionAdded {
                symbol,
                language,
                origin,
                ..
            } => {
                if let Some(d) = self.documents.get_mut(&symbol) {
                    d.languages.push((language, origin));
                }
            }
        }
    }

    fn free(&self, s: &DocumentSymbol) -> Result<(), DocumentError> {
        if self.documents.contains_key(s) {
            return Err(DocumentError::SymbolTaken(s.clone()));
        }
        Ok(())
    }

    /// The events a command would record, or why it is refused.
    pub fn decide(&self, command: DocumentCommand) -> Result<Vec<DocumentEvent>, DocumentError> {
        match command {
            DocumentCommand::IssueDocument {
                body_id,
                prefix,
                series,
                title,
                distribution,
                language,
                links,
                now,
            } => {
                if title.as_str().trim().is_empty() {
                    return Err(DocumentError::NoTitle);
                }
                if ends_numbered(prefix.as_str()) || self.documents.contains_key(&prefix) {
                    return Err(DocumentError::NotAPrefix(prefix));
                }
                let stem = series_stem(&prefix, series);
                let number = self.numbers.get(&stem).copied().unwrap_or(0) + 1;
                let issued = symbol(format!("{stem}{number}"));
                self.free(&issued)?;
                Ok(vec![DocumentEvent::DocumentIssued {
                    body_id,
                    symbol: issued,
                    prefix,
                    series,
                    number,
                    title,
                    distribution,
                    language,
                    links,
                    on: now,
                }])
            }
            DocumentCommand::IssueRelated {
                to,
                relation,
                title,
                language,
                now,
            } => {
                let target = self
                    .documents
                    .get(&to)
                    .ok_or_else(|| DocumentError::UnknownDocument(to.clone()))?;
                if !target.own {
                    return Err(DocumentError::External(to));
                }
                // A revision (or addendum, corrigendum) of a related document is one of the
                // original's.
                let original = match &target.related_to {
                    Some((_, original)) => original.clone(),
                    None => to,
                };
                let base = &self.documents[&original];
                let stem = relation_stem(&original, relation);
                let number = self.numbers.get(&stem).copied().unwrap_or(0) + 1;
                let issued = symbol(format!("{stem}{number}"));
                self.free(&issued)?;
                if let Some(t) = &title {
                    if t.as_str().trim().is_empty() {
                        return Err(DocumentError::NoTitle);
                    }
                }
                Ok(vec![DocumentEvent::RelatedDocumentIssued {
                    body_id: base.body_id.clone(),
                    symbol: issued,
                    relation,
                    number,
                    title: title.unwrap_or_else(|| base.title.clone()),
                    distribution: base.distribution,
                    language,
                    on: now,
                    to: original,
                }])
            }
            DocumentCommand::RegisterExternal {
                body_id,
                symbol,
                title,
                issuer,
                date,
            } => {
                if title.as_str().trim().is_empty() {
                    return Err(DocumentError::NoTitle);
                }
                self.free(&symbol)?;
                Ok(vec![DocumentEvent::ExternalDocumentRegistered {
                    body_id,
                    symbol,
                    title,
                    issuer,
                    date,
                }])
            }
            DocumentCommand::AddLanguageVersion {
                symbol,
                language,
                origin,
                now,
            } => {
                let d = self
                    .documents
                    .get(&symbol)
                    .ok_or_else(|| DocumentError::UnknownDocument(symbol.clone()))?;
                if d.languages.iter().any(|(l, _)| *l == language) {
                    return Err(DocumentError::LanguageVersionExists { symbol, language });
                }
                Ok(vec![DocumentEvent::DocumentLanguageVersionAdded {
                    distribution: d.distribution,
                    symbol,
                    language,
                    origin,
                    on: now,
                }])
            }
        }
    }

    /// Whether `s` is in the registry.
    pub fn has(&self, s: &str) -> bool {
        DocumentSymbol::parse(s).is_ok_and(|s| self.documents.contains_key(&s))
    }
}

#[cfg(test)]
pub(super) fn prefix_check(s: &str) -> bool {
    ends_numbered(s)
}
