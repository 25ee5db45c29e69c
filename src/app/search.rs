//! Searching submissions' texts in any language they were filed in (the `search`
//! projection). The reader finds what they may read: the published texts, and their own
//! State's or organisation's drafts (everything for the secretariat, auditors and admins).

use serde::Serialize;

use crate::app::access::{Principal, Role};
use crate::app::refusal::Refusal;
use crate::app::App;
use crate::domain::values::LanguageTag;
use crate::projections::search::{
    index_terms, is_cjk, query_terms, words, Readable, MAX_QUERY_WORDS,
};

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub q: String,
    /// A submission kind code (`national_position`, …).
    pub kind: Option<String>,
    /// Only versions in this language (`ar`, `zh`, `en`, `fr`, `ru`, `es`).
    pub language: Option<String>,
    /// At most this many hits (1 to 1000; 20 if not given).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub submission_id: String,
    /// The language of the version found.
    pub language: String,
    pub title: String,
    pub kind: String,
    pub filer: String,
    pub status: String,
    pub symbol: Option<String>,
    /// Where the words were found: the text around the first of them, cut into pieces, those
    /// that matched marked `hit`.
    pub snippet: Vec<Fragment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Fragment {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub q: String,
    pub hits: Vec<Hit>,
    /// More hits than `limit` were found.
    pub more: bool,
}

const MAX_QUERY_CHARS: usize = 200;

fn language_of(code: &str) -> Option<LanguageTag> {
    serde_json::from_value(serde_json::json!(code)).ok()
}

/// Checks the query: the reason for refusing it names the parameter.
fn check(q: &SearchQuery) -> Result<(Vec<Vec<String>>, u32), Refusal> {
    if q.q.chars().count() > MAX_QUERY_CHARS {
        return Err(Refusal::bad_request(
            "q",
            format!("a query is at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    if let Some(l) = &q.language {
        if language_of(l).is_none() {
            return Err(Refusal::bad_request(
                "language",
                format!("no language {l}; the languages are ar, zh, en, fr, ru, es"),
            ));
        }
    }
    let limit = q.limit.unwrap_or(20);
    if !(1..=1000).contains(&limit) {
        return Err(Refusal::bad_request("limit", "limit is 1 to 1000"));
    }
    let terms = query_terms(&q.q);
    if terms.is_empty() {
        return Err(Refusal::bad_request(
            "q",
            "give at least one word to look for",
        ));
    }
    if terms.len() > MAX_QUERY_WORDS {
        return Err(Refusal::bad_request(
            "q",
            format!("a query has at most {MAX_QUERY_WORDS} words"),
        ));
    }

    Ok((terms, limit))
}

/// Who the reader may read drafts of: everyone's, or one filer's.
fn drafts_of(p: &Principal) -> (bool, Option<(bool, String)>) {
    match p.role {
        Role::Secretariat | Role::Auditor | Role::Admin => (true, None),
        Role::Delegate => (false, p.scope.clone().map(|s| (true, s))),
        Role::Observer => (false, p.scope.clone().map(|s| (false, s))),
        _ => (false, None),
    }
}

/// The texts `p` may read that contain every word of the query, best first.
#[tracing::instrument(skip_all, fields(role = p.role.as_str()))]
pub async fn search(app: &App, p: &Principal, q: &SearchQuery) -> Result<Results, Refusal> {
    let (terms, limit) = check(q)?;
    let (all, own) = drafts_of(p);
    let (own_state, own_filer) = match own {
        Some((s, f)) => (s, Some(f)),
        None => (false, None),
    };
    let public = crate::domain::body::PublicRecord::Submissions;
    let bodies = crate::app::bodies::public_bodies(app, p, public).await?;
    let fetch = i64::from(limit) + 1;
    let rows = crate::projections::search::find(
        app.store.db(),
        &terms,
        &Readable {
            all,
            own_state,
            own_filer,
            bodies: bodies.map(|b| b.into_iter().collect()),
        },
        q.kind.as_deref(),
        q.language.as_deref(),
        fetch,
    )
    .await?;
    let more = rows.len() as i64 > i64::from(limit);
    let hits = rows
        .into_iter()
        .take(limit as usize)
        .map(
            |(submission_id, language, title, body, kind, filer, status, symbol)| {
                let snippet = snippet(&body, language_of(&language), &terms);
                Hit {
                    submission_id,
                    language,
                    title,
                    kind,
                    filer,
                    status,
                    symbol,
                    snippet,
                }
            },
        )
        .collect();
    Ok(Results {
        q: q.q.clone(),
        hits,
        more,
    })
}

/// The text around the first word that matched, about 240 characters, in pieces.
pub fn snippet(text: &str, language: Option<LanguageTag>, terms: &[Vec<String>]) -> Vec<Fragment> {
    // Pieces of the text: runs of word characters (one CJK character at a time) and the rest.
    let class = |c: char| {
        if is_cjk(c) {
            2
        } else if c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) {
            1
        } else {
            0
        }
    };
    let mut pieces: Vec<(&str, bool)> = vec![];
    let (mut start, mut prev) = (0, None);
    for (i, c) in text.char_indices() {
        let k = class(c);
        if i > start && (k == 2 || prev == Some(2) || prev != Some(k)) {
            pieces.push((&text[start..i], prev != Some(0)));
            start = i;
        }
        prev = Some(k);
    }
    if start < text.len() {
        pieces.push((&text[start..], prev != Some(0)));
    }
    let language = language.unwrap_or(LanguageTag::En);
    let is_hit = |piece: &str| {
        let folded = words(piece);
        let stems = index_terms(piece, language);
        folded
            .iter()
            .chain(stems.iter())
            .any(|w| terms.iter().any(|alts| alts.contains(w)))
    };
    let hits: Vec<bool> = pieces.iter().map(|(t, w)| *w && is_hit(t)).collect();
    let first = hits.iter().position(|h| *h).unwrap_or(0);
    // About 80 characters before the first hit and 160 after.
    let mut from = first;
    let mut before = 0;
    while from > 0 && before < 80 {
        from -= 1;
        before += pieces[from].0.chars().count();
    }
    let mut to = first;
    let mut after = 0;
    while to < pieces.len() && after < 160 {
        after += pieces[to].0.chars().count();
        to += 1;
    }
    let mut out: Vec<Fragment> = vec![];
    if from > 0 {
        out.push(Fragment {
            text: "…".into(),
            hit: false,
        });
    }
    for i in from..to {
        let (t, _) = pieces[i];
        match out.last_mut() {
            Some(last) if !last.hit && !hits[i] => last.text.push_str(t),
            _ => out.push(Fragment {
                text: t.to_owned(),
                hit: hits[i],
            }),
        }
    }
    if to < pieces.len() {
        match out.last_mut() {
            Some(last) if !last.hit => last.text.push('…'),
            _ => out.push(Fragment {
                text: "…".into(),
                hit: false,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_marks_the_words_found() {
        let text = "Norway considers that due diligence is a legal obligation of States.";
        let s = snippet(text, Some(LanguageTag::En), &query_terms("obligations"));
        let marked: Vec<&str> = s
            .iter()
            .filter(|f| f.hit)
            .map(|f| f.text.as_str())
            .collect();
        assert_eq!(marked, ["obligation"]);
        assert_eq!(s.iter().map(|f| f.text.as_str()).collect::<String>(), text);
        let zh = snippet(
            "信息和电信领域的发展",
            Some(LanguageTag::Zh),
            &query_terms("电信"),
        );
        let marked: Vec<&str> = zh
            .iter()
            .filter(|f| f.hit)
            .map(|f| f.text.as_str())
            .collect();
        // Each character is a term: 信 of 信息 is found as well.
        assert_eq!(marked, ["信", "电", "信"]);
    }

    #[test]
    fn bad_queries_name_the_parameter() {
        let q = |s: &str| SearchQuery {
            q: s.into(),
            ..Default::default()
        };
        assert_eq!(check(&q("  ")).unwrap_err().field.as_deref(), Some("q"));
        assert_eq!(
            check(&q(&(0..13).map(|i| format!("w{i} ")).collect::<String>()))
                .unwrap_err()
                .field
                .as_deref(),
            Some("q")
        );
        let mut l = q("x");
        l.language = Some("de".into());
        assert_eq!(check(&l).unwrap_err().field.as_deref(), Some("language"));
        let mut n = q("x");
        n.limit = Some(0);
        assert_eq!(check(&n).unwrap_err().field.as_deref(), Some("limit"));
    }
}
