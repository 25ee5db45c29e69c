use crate::domain::values::{DocumentSymbol, LanguageTag};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("{0} is already in the registry.")]
    SymbolTaken(DocumentSymbol),
    #[error("There is no document {0} in the registry.")]
    UnknownDocument(DocumentSymbol),
    #[error("{0} is a document of another process: only this registry's own documents are revised, added to or corrected here.")]
    External(DocumentSymbol),
    #[error("A prefix names the meeting or body ({0} ends with a series or a number); e.g. PoA/RC.1/2026.")]
    NotAPrefix(DocumentSymbol),
    #[error("{symbol} already has a {language} version.")]
    LanguageVersionExists {
        symbol: DocumentSymbol,
        language: LanguageTag,
    },
    #[error("A document needs a title.")]
    NoTitle,
}

impl DocumentError {
    /// Stable slug, used as the problem+json `type`.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::SymbolTaken(_) => "symbol-taken",
            DocumentError::UnknownDocument(_) => "unknown-document",
            DocumentError::External(_) => "external-document",
            DocumentError::NotAPrefix(_) => "not-a-prefix",
            DocumentError::LanguageVersionExists { .. } => "language-version-exists",
            DocumentError::NoTitle => "no-title",
        }
    }

    /// True when the refusal is about the registry as it stands (409), false for invalid
    /// input (422).
    pub fn is_conflict(&self) -> bool {
        match self {
            DocumentError::SymbolTaken(_) | DocumentError::LanguageVersionExists { .. } => true,
            DocumentError::UnknownDocument(_)
            | DocumentError::External(_)
            | DocumentError::NotAPrefix(_)
            | DocumentError::NoTitle => false,
        }
    }
}
