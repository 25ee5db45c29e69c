//! Value types shared by every aggregate. Each has a `parse` that returns a typed error, so
//! commands never carry unchecked strings (parse, don't validate).

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Why a value was refused. `field` is filled in by the caller that knows the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ValueError {
    pub kind: &'static str,
    pub reason: String,
}

impl ValueError {
    fn new(kind: &'static str, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
        }
    }
}

thread_local! {
    static AS_RECORDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (a decoding of stored events) with the value types taking what was recorded
/// as it stands. The rules of `parse` apply to new input, commands; an event already in the
/// log was valid when it was written, and a rule tightened since must not make it unreadable.
pub fn as_recorded<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            AS_RECORDED.with(|r| r.set(self.0));
        }
    }
    let _restore = Restore(AS_RECORDED.with(|r| r.replace(true)));
    f()
}

/// Implements Display/AsRef/Deserialize-through-parse for a string newtype, so a value read
/// back from JSON (API body or stored event) is checked exactly like one built in code.
macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                if AS_RECORDED.with(|r| r.get()) {
                    // History is read as it was written, whatever today's rules say.
                    return Ok($name(raw));
                }
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
        impl std::str::FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }
    };
}

/// A State, by its ISO 3166-1 alpha-3 code (e.g. `NOR`), or a regional organisation with
/// observer status by a short upper-case code (e.g. `EU`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateCode(String);
string_value!(StateCode);

impl StateCode {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let ok = (2..=3).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_uppercase());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValueError::new(
                "state_code",
                format!(
                    "'{}' is not a State code: expected 2 or 3 capital letters such as NOR",
                    clip(raw)
                ),
            ))
        }
    }
}

/// A UN document symbol such as `A/RES/77/37` or `A/AC.292/2025/CRP.1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentSymbol(String);
string_value!(DocumentSymbol);

impl DocumentSymbol {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let ok = !raw.is_empty()
            && raw.len() <= 100
            && raw
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/.-_()+*".contains(&b));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValueError::new(
                "document_symbol",
                format!(
                    "'{}' is not a document symbol: use letters, digits and / . - _ ( ) + *, at most 100 characters, e.g. A/RES/77/37",
                    clip(raw)
                ),
            ))
        }
    }
}

/// An identifier of an aggregate (body, meeting, amendment) or of a paragraph. Restricted to
/// characters that are safe in URL paths and log lines, so ids never need escaping.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);
string_value!(Id);

impl Id {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let ok = !raw.is_empty()
            && raw.len() <= 100
            && raw
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
            && !raw.contains("..");
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValueError::new(
                "id",
                format!(
                    "'{}' is not a valid id: use letters, digits and - _ . : (no '..'), starting with a letter or digit, at most 100 characters",
                    clip(raw)
                ),
            ))
        }
    }

    /// A fresh, time-ordered id for a new aggregate.
    pub fn generate(prefix: &str) -> Self {
        Self(format!("{prefix}-{}", uuid::Uuid::now_v7().simple()))
    }
}

/// A stable paragraph id (e.g. `PP-3`, `OP-12`): it never changes when paragraphs are
/// renumbered, so amendments and translations can point at it.
pub type ParagraphId = Id;

/// One of the six official languages of the United Nations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageTag {
    Ar,
    Zh,
    En,
    Fr,
    Ru,
    Es,
}

impl std::fmt::Display for LanguageTag {
    /// The code as stored (`ar`, `zh`, `en`, `fr`, `ru`, `es`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LanguageTag::Ar => "ar",
            LanguageTag::Zh => "zh",
            LanguageTag::En => "en",
            LanguageTag::Fr => "fr",
            LanguageTag::Ru => "ru",
            LanguageTag::Es => "es",
        })
    }
}

impl LanguageTag {
    pub const ALL: [LanguageTag; 6] = [
        LanguageTag::Ar,
        LanguageTag::Zh,
        LanguageTag::En,
        LanguageTag::Fr,
        LanguageTag::Ru,
        LanguageTag::Es,
    ];

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        match raw {
            "ar" => Ok(Self::Ar),
            "zh" => Ok(Self::Zh),
            "en" => Ok(Self::En),
            "fr" => Ok(Self::Fr),
            "ru" => Ok(Self::Ru),
            "es" => Ok(Self::Es),
            _ => Err(ValueError::new(
                "language",
                format!(
                    "'{}' is not an official language: expected one of ar, zh, en, fr, ru, es",
                    clip(raw)
                ),
            )),
        }
    }
}

/// Free text (a paragraph, a title, an explanation of position). Stored verbatim; only
/// emptiness, length and control characters are checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(String);
string_value!(Text);

impl Text {
    pub const MAX_LEN: usize = 20_000;

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        if raw.trim().is_empty() {
            return Err(ValueError::new("text", "must not be empty"));
        }
        if raw.len() > Self::MAX_LEN {
            return Err(ValueError::new(
                "text",
                format!(
                    "is {} bytes long; at most {} are allowed",
                    raw.len(),
                    Self::MAX_LEN
                ),
            ));
        }
        if raw
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(ValueError::new("text", "contains control characters"));
        }
        Ok(Self(raw.to_owned()))
    }
}

/// The SHA-256 of a stored file, as 64 lower-case hex digits: the name of its bytes in the
/// content-addressed table and in an export bundle.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);
string_value!(ContentHash);

impl ContentHash {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        if raw.len() == 64 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValueError::new(
                "content_hash",
                format!(
                    "'{}' is not a SHA-256: expected 64 lower-case hex digits",
                    clip(raw)
                ),
            ))
        }
    }

    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest;
        Self(hex::encode(sha2::Sha256::digest(bytes)))
    }
}

/// A media type such as `application/pdf`: `type/subtype` in lower case, without parameters,
/// so that one file is never described two ways.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MediaType(String);
string_value!(MediaType);

impl MediaType {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let token = |t: &str| {
            !t.is_empty()
                && t.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$&^_.+-".contains(&b)
                })
        };
        let ok = raw.len() <= 100
            && raw
                .split_once('/')
                .is_some_and(|(t, s)| token(t) && token(s));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValueError::new(
                "media_type",
                format!(
                    "'{}' is not a media type: expected type/subtype in lower case without parameters, e.g. application/pdf",
                    clip(raw)
                ),
            ))
        }
    }
}

/// A file's name as its filer gave it (`national-report-2026.pdf`): shown and offered on
/// download, never used as a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileName(String);
string_value!(FileName);

impl FileName {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let refused = raw.trim().is_empty()
            || raw.chars().count() > 200
            || raw.starts_with('.')
            || raw
                .chars()
                .any(|c| c.is_control() || matches!(c, '/' | '\\' | '"'));
        if refused {
            Err(ValueError::new(
                "file_name",
                format!(
                    "'{}' is not a file name: 1 to 200 characters, not starting with a dot, without / \\ \" or control characters",
                    clip(raw)
                ),
            ))
        } else {
            Ok(Self(raw.to_owned()))
        }
    }
}

/// A calendar date (`YYYY-MM-DD`).
pub type Date = chrono::NaiveDate;

/// Shortens user input quoted back in an error so errors stay readable and bounded.
fn clip(raw: &str) -> String {
    const MAX: usize = 40;
    if raw.chars().count() <= MAX {
        raw.to_owned()
    } else {
        let mut s: String = raw.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn state_codes() {
        assert!(StateCode::parse("NOR").is_ok());
        assert!(StateCode::parse("EU").is_ok());
        assert!(StateCode::parse("nor").is_err());
        assert!(StateCode::parse("NORW").is_err());
        assert!(StateCode::parse("").is_err());
    }

    #[test]
    fn document_symbols() {
        assert!(DocumentSymbol::parse("A/RES/77/37").is_ok());
        assert!(DocumentSymbol::parse("A/AC.292/2025/CRP.1").is_ok());
        assert!(DocumentSymbol::parse("A/RES 77").is_err());
        assert!(DocumentSymbol::parse("/etc/passwd").is_err());
    }

    #[test]
    fn ids_refuse_path_traversal() {
        assert!(Id::parse("rc-1").is_ok());
        assert!(Id::parse("../etc").is_err());
        assert!(Id::parse("a..b").is_err());
        assert!(Id::parse("a/b").is_err());
        assert!(Id::parse("").is_err());
    }

    #[test]
    fn values_deserialize_through_parse() {
        assert!(serde_json::from_str::<StateCode>("\"NOR\"").is_ok());
        assert!(serde_json::from_str::<StateCode>("\"xx1\"").is_err());
        assert!(serde_json::from_str::<LanguageTag>("\"fr\"").is_ok());
        assert!(serde_json::from_str::<LanguageTag>("\"de\"").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".*") {
            let _ = StateCode::parse(&s);
            let _ = DocumentSymbol::parse(&s);
            let _ = Id::parse(&s);
            let _ = Text::parse(&s);
            let _ = LanguageTag::parse(&s);
        }

        #[test]
        fn valid_ids_round_trip(s in "[a-z0-9][a-z0-9_:-]{0,50}") {
            let id = Id::parse(&s).unwrap();
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<Id>(&json).unwrap(), id);
        }
    }
}

/// Who acts in a record of its own (files a submission, offers support, accepts a match): a
/// State, or an organisation (an international organisation, a fund, a stakeholder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    State(StateCode),
    Organisation(Id),
}

impl Party {
    /// The one party a command names in `state` or `organisation` (`None`: both or neither).
    pub fn named(state: Option<StateCode>, organisation: Option<Id>) -> Option<Party> {
        match (state, organisation) {
            (Some(s), None) => Some(Party::State(s)),
            (None, Some(o)) => Some(Party::Organisation(o)),
            _ => None,
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Party::State(s) => write!(f, "{s}"),
            Party::Organisation(o) => write!(f, "{o}"),
        }
    }
}
