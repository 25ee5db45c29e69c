//! Full-text search over submissions, in every language they were filed in (the `search`
//! projection). SQLite indexes with FTS5, Postgres with a GIN-indexed tsvector; both index
//! the same terms, derived here, so that both answer the same question the same way:
//! - text is folded (lower case, diacritics and Arabic vowel marks dropped);
//! - each word is stemmed in the language of its text (Snowball: Arabic, English, French,
//!   Russian, Spanish), so "obligations" finds "obligation";
//! - Chinese (and other CJK) text, written without spaces, becomes one term per character.
//!
//! A query does not know the language of what it looks for: each of its words matches its own
//! folded form or its stem in any of the six languages. Every word must match.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use super::{Applying, Projection};
use crate::domain::submission::{SubmissionEvent, SubmissionKind};
use crate::domain::values::LanguageTag;
use crate::store::sql::Tx;
use crate::store::{Db, StoreError, StoredEvent};
use crate::{with_pool, with_tx};

pub const NAME: &str = "search";

/// At most this many words in a query.
pub const MAX_QUERY_WORDS: usize = 12;

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // kana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x2FA1F) // extensions B and after
}

/// The words of `text` in lower case, CJK characters one by one; accents kept (the stemmers
/// read them: Spanish "-ción").
fn raw_words(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut word = String::new();
    for c in text.nfkc() {
        if c == '\u{640}' {
            continue; // the Arabic tatweel, a stretch of the line
        }
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        } else if c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Without diacritics (accents, Arabic vowel marks): how terms are compared.
fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

/// The words of `text`, folded: lower case, without diacritics, CJK characters alone.
pub fn words(text: &str) -> Vec<String> {
    raw_words(text).iter().map(|w| fold(w)).collect()
}

fn algorithm(language: LanguageTag) -> Option<Algorithm> {
    match language {
        LanguageTag::Ar => Some(Algorithm::Arabic),
        LanguageTag::En => Some(Algorithm::English),
        LanguageTag::Fr => Some(Algorithm::French),
        LanguageTag::Ru => Some(Algorithm::Russian),
        LanguageTag::Es => Some(Algorithm::Spanish),
        LanguageTag::Zh => None,
    }
}

const LANGUAGES: [LanguageTag; 6] = [
    LanguageTag::Ar,
    LanguageTag::Zh,
    LanguageTag::En,
    LanguageTag::Fr,
    LanguageTag::Ru,
    LanguageTag::Es,
];

fn stem(stemmer: Option<&Stemmer>, word: &str) -> String {
    match stemmer {
        // A stem is never empty: a word the stemmer would erase stays as it is.
        Some(s) => {
            let t = s.stem(word);
            if t.is_empty() {
                word.to_owned()
            } else {
                t.into_owned()
            }
        }
        None => word.to_owned(),
    }
}

/// The terms indexed for `text` written in `language`: each word's stem and, if it differs,
/// the word itself.
pub fn index_terms(text: &str, language: LanguageTag) -> Vec<String> {
    let stemmer = algorithm(language).map(Stemmer::create);
    let mut out = vec![];
    for w in raw_words(text) {
        let stemmed = fold(&stem(stemmer.as_ref(), &w));
        let plain = fold(&w);
        // The word as written too, so that a query typed without accents finds it even where
        // the stemmer needed them ("obligacion" for "obligación").
        if plain != stemmed {
            out.push(plain);
        }
        out.push(stemmed);
    }
    out
}

/// A query's words, each as the set of terms that match it (its folded form and its stem in
/// each language), deduplicated. Empty if the query has no word.
pub fn query_terms(q: &str) -> Vec<Vec<String>> {
    let stemmers: Vec<Option<Stemmer>> = LANGUAGES
        .iter()
        .map(|l| algorithm(*l).map(Stemmer::create))
        .collect();
    let mut out: Vec<Vec<String>> = vec![];
    for w in raw_words(q) {
        let mut alts: Vec<String> = stemmers
            .iter()
            .map(|s| fold(&stem(s.as_ref(), &w)))
            .collect();
        alts.push(fold(&w));
        alts.sort();
        alts.dedup();
        if !out.contains(&alts) {
            out.push(alts);
        }
    }
    out
}

pub struct Search;

/// One language version to (re)index.
struct Version<'a> {
    submission_id: &'a str,
    language: String,
    title: &'a str,
    body: &'a str,
    terms: Vec<String>,
}

fn lang_code(l: LanguageTag) -> String {
    l.to_string()
}

fn kind_code(k: SubmissionKind) -> &'static str {
    crate::app::submissions::kind_code(k)
}

async fn upsert_version(tx: &mut Tx, v: Version<'_>) -> Result<(), StoreError> {
    match tx {
        Tx::Postgres(t) => {
            sqlx::query(
                "insert into submission_search_text (submission_id, language, title, body, terms) \
                 values ($1, $2, $3, $4, array_to_tsvector($5::text[])) \
                 on conflict (submission_id, language) do update set title = excluded.title, \
                 body = excluded.body, terms = excluded.terms",
            )
            .bind(v.submission_id)
            .bind(&v.language)
            .bind(v.title)
            .bind(v.body)
            .bind(&v.terms)
            .execute(&mut **t)
            .await?;
        }
        Tx::Sqlite(t, _) => {
            let c = &mut **t;
            let id: i64 = sqlx::query_scalar(
                "insert into submission_search_text (submission_id, language, title, body) \
                 values ($1, $2, $3, $4) on conflict (submission_id, language) do update set \
                 title = excluded.title, body = excluded.body returning id",
            )
            .bind(v.submission_id)
            .bind(&v.language)
            .bind(v.title)
            .bind(v.body)
            .fetch_one(&mut *c)
            .await?;
            sqlx::query("delete from submission_search where rowid = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query("insert into submission_search (rowid, terms) values ($1, $2)")
                .bind(id)
                .bind(v.terms.join(" "))
                .execute(&mut *c)
                .await?;
        }
    }
    Ok(())
}

/// The submission's original language and current title, from its row.
async fn original(tx: &mut Tx, id: &str) -> Result<Option<(String, String)>, StoreError> {
    let sql =
        "select original_language, title from submission_search_meta where submission_id = $1";
    Ok(with_tx!(tx, c => sqlx::query_as(sql).bind(id).fetch_optional(&mut *c).await)?)
}

async fn set_status(
    tx: &mut Tx,
    id: &str,
    status: &str,
    symbol: Option<&str>,
) -> Result<(), StoreError> {
    let published = status == "published";
    let sql = "update submission_search_meta set status = $2, symbol = coalesce($3, symbol), \
               published = (published or $4) where submission_id = $1";
    with_tx!(tx, c => sqlx::query(sql).bind(id).bind(status).bind(symbol).bind(published)
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

#[async_trait::async_trait]
impl Projection for Search {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn reset(&self, tx: &mut Tx) -> Result<(), StoreError> {
        for table in [
            "submission_search_meta",
            "submission_search_text",
            // Only SQLite has the FTS5 table (Postgres keeps the terms in the text rows).
            "submission_search",
        ] {
            if table == "submission_search" && tx.is_postgres() {
                continue;
            }
            let sql = format!("delete from {table}");
            with_tx!(tx, c => sqlx::query(&sql).execute(&mut *c).await.map(|_| ()))?;
        }
        Ok(())
    }

    async fn apply(
        &self,
        tx: &mut Tx,
        events: &[StoredEvent],
        _cx: &mut Applying,
    ) -> Result<(), StoreError> {
        let aggregate = <crate::domain::submission::Submission as cqrs_es::Aggregate>::TYPE;
        for e in events.iter().filter(|e| e.aggregate_type == aggregate) {
            let id = e.aggregate_id.as_str();
            match crate::store::decode::decode::<SubmissionEvent>(e)? {
                SubmissionEvent::SubmissionDrafted {
                    body_id,
                    kind,
                    filer,
                    title,
                    language,
                    text,
                    sections,
                    topics,
                    ..
                } => {
                    let areas: Vec<String> = sections
                        .iter()
                        .filter_map(|x| serde_json::to_value(x).ok())
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .chain(topics.iter().map(|t| t.to_string()))
                        .collect();
                    let areas = serde_json::to_string(&areas).unwrap_or_else(|_| "[]".into());
                    let (code, by_state) = match &filer {
                        crate::domain::values::Party::State(s) => (s.to_string(), true),
                        crate::domain::values::Party::Organisation(o) => (o.to_string(), false),
                    };
                    let sql = "insert into submission_search_meta (submission_id, body_id, kind, filer, \
                               filed_by_state, status, published, symbol, original_language, title, areas) \
                               values ($1, $2, $3, $4, $5, 'draft', $6, null, $7, $8, $9)";
                    with_tx!(tx, c => sqlx::query(sql).bind(id).bind(body_id.as_str())
                        .bind(kind_code(kind)).bind(&code).bind(by_state).bind(false)
                        .bind(lang_code(language)).bind(title.as_str()).bind(&areas)
                        .execute(&mut *c).await.map(|_| ()))?;
                    let terms = index_terms(&format!("{title}\n{text}"), language);
                    upsert_version(
                        tx,
                        Version {
                            submission_id: id,
                            language: lang_code(language),
                            title: title.as_str(),
                            body: text.as_str(),
                            terms,
                        },
                    )
                    .await?;
                }
                SubmissionEvent::SubmissionRevised { title, text, .. } => {
                    let Some((language, _)) = original(tx, id).await? else {
                        continue;
                    };
                    let sql =
                        "update submission_search_meta set title = $2 where submission_id = $1";
                    with_tx!(tx, c => sqlx::query(sql).bind(id).bind(title.as_str())
                        .execute(&mut *c).await.map(|_| ()))?;
                    let tag: LanguageTag = serde_json::from_value(serde_json::json!(language))
                        .unwrap_or(LanguageTag::En);
                    let terms = index_terms(&format!("{title}\n{text}"), tag);
                    upsert_version(
                        tx,
                        Version {
                            submission_id: id,
                            language,
                            title: title.as_str(),
                            body: text.as_str(),
                            terms,
                        },
                    )
                    .await?;
                }
                SubmissionEvent::LanguageVersionAdded { language, text, .. } => {
                    let Some((_, title)) = original(tx, id).await? else {
                        continue;
                    };
                    let terms = index_terms(text.as_str(), language);
                    upsert_version(
                        tx,
                        Version {
                            submission_id: id,
                            language: lang_code(language),
                            title: &title,
                            body: text.as_str(),
                            terms,
                        },
                    )
                    .await?;
                }
                SubmissionEvent::SubmissionSubmitted { on, .. } => {
                    set_status(tx, id, "submitted", None).await?;
                    let sql = "update submission_search_meta set submitted_on = $2 where submission_id = $1";
                    with_tx!(tx, c => sqlx::query(sql).bind(id).bind(on.to_string())
                        .execute(&mut *c).await.map(|_| ()))?;
                }
                SubmissionEvent::SubmissionPublished { symbol, .. } => {
                    set_status(tx, id, "published", Some(symbol.as_str())).await?
                }
                SubmissionEvent::SubmissionWithdrawn { .. } => {
                    set_status(tx, id, "withdrawn", None).await?
                }
                SubmissionEvent::SurveyAnswered { .. }
                | SubmissionEvent::AttachmentAdded { .. }
                | SubmissionEvent::AttachmentRemoved { .. } => {}
            }
        }
        Ok(())
    }
}

/// Every row of the projection as text, in a stable order, without the ids a rebuild may
/// number differently: for tests that compare a live projection with a rebuild.
pub async fn dump(db: &Db) -> Result<Vec<String>, StoreError> {
    let meta = "select submission_id || '|' || body_id || '|' || kind || '|' || filer || '|' || \
                status || '|' || coalesce(symbol, '') || '|' || original_language || '|' || title || '|' || \
                case when published then 'published' else '' end || '|' || \
                case when filed_by_state then 'state' else 'organisation' end || '|' || \
                coalesce(submitted_on, '') || '|' || areas \
                from submission_search_meta order by submission_id";
    let mut out: Vec<String> = with_pool!(db, c => sqlx::query_scalar(meta).fetch_all(c).await)?;
    let texts = match db {
        Db::Postgres { .. } => {
            "select t.submission_id || '|' || t.language || '|' || t.title || '|' || t.body || '|' || \
             t.terms::text from submission_search_text t order by t.submission_id, t.language"
        }
        Db::Sqlite(..) => {
            "select t.submission_id || '|' || t.language || '|' || t.title || '|' || t.body || '|' || \
             s.terms from submission_search_text t join submission_search s on s.rowid = t.id \
             order by t.submission_id, t.language"
        }
    };
    let rows: Vec<String> = with_pool!(db, c => sqlx::query_scalar(texts).fetch_all(c).await)?;
    out.extend(rows);
    Ok(out)
}

/// A submission as the reporting-cycle view counts it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Filing {
    pub submission_id: String,
    pub kind: String,
    pub filer: String,
    pub filed_by_state: bool,
    pub status: String,
    pub published: bool,
    pub submitted_on: Option<String>,
    /// JSON array of the sections and topics it names.
    pub areas: String,
}

/// The submissions filed with `body_id` that were submitted or published, in id order.
pub async fn filings(db: &Db, body_id: &str) -> Result<Vec<Filing>, StoreError> {
    let sql = "select submission_id, kind, filer, filed_by_state, status, published, submitted_on, areas \
               from submission_search_meta where body_id = $1 and status in ('submitted', 'published') \
               order by submission_id";
    Ok(with_pool!(db, c => sqlx::query_as(sql).bind(body_id).fetch_all(c).await)?)
}

/// Which drafts a reader may find, besides everything published.
pub struct Readable {
    /// Every draft (the secretariat, auditors, admins).
    pub all: bool,
    /// The drafts of this filer: a State (`own_state`) or an organisation.
    pub own_state: bool,
    pub own_filer: Option<String>,
    /// Only the submissions of these bodies (the public: those that make them public).
    pub bodies: Option<Vec<String>>,
}

/// A version found: submission, language, title, text, kind, filer, status, symbol.
pub type Found = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

const COLUMNS: &str =
    "t.submission_id, t.language, t.title, t.body, m.kind, m.filer, m.status, m.symbol";
const FILTERS: &str = "($2 or m.published or (m.filed_by_state = $3 and m.filer = $4)) \
     and ($5 is null or m.kind = $5) and ($6 is null or t.language = $6)";

/// The versions that hold every word of `terms` (each a set of alternatives), that the
/// reader may read, best first (BM25 on SQLite, ts_rank on Postgres), at most `limit`.
pub async fn find(
    db: &Db,
    terms: &[Vec<String>],
    r: &Readable,
    kind: Option<&str>,
    language: Option<&str>,
    limit: i64,
) -> Result<Vec<Found>, StoreError> {
    let bodies = r
        .bodies
        .as_ref()
        .map(|b| serde_json::Value::from(b.clone()).to_string());
    // Only the public's searches name bodies; everyone else's query is the one it always was.
    let (pg_bodies, sqlite_bodies) = match bodies {
        Some(_) => (
            "and m.body_id in (select jsonb_array_elements_text($8::jsonb))",
            "and m.body_id in (select value from json_each($8))",
        ),
        None => ("", ""),
    };
    Ok(match db {
        Db::Postgres { .. } => {
            let sql = format!(
                "select {COLUMNS} from submission_search_text t \
                 join submission_search_meta m on m.submission_id = t.submission_id \
                 where t.terms @@ $1::tsquery and {FILTERS} \
                 {pg_bodies} \
                 order by ts_rank(t.terms, $1::tsquery) desc, t.submission_id, t.language limit $7"
            );
            with_pool!(db, c => {
                let q = sqlx::query_as(&sql)
                    .bind(tsquery(terms))
                    .bind(r.all).bind(r.own_state).bind(&r.own_filer)
                    .bind(kind).bind(language).bind(limit);
                let q = match &bodies { Some(b) => q.bind(b.as_str()), None => q };
                q.fetch_all(c).await
            })?
        }
        Db::Sqlite(..) => {
            let sql = format!(
                "select {COLUMNS} from submission_search s \
                 join submission_search_text t on t.id = s.rowid \
                 join submission_search_meta m on m.submission_id = t.submission_id \
                 where submission_search match $1 and {FILTERS} \
                 {sqlite_bodies} \
                 order by bm25(submission_search), t.submission_id, t.language limit $7"
            );
            with_pool!(db, c => {
                let q = sqlx::query_as(&sql)
                    .bind(fts5_query(terms))
                    .bind(r.all).bind(r.own_state).bind(&r.own_filer)
                    .bind(kind).bind(language).bind(limit);
                let q = match &bodies { Some(b) => q.bind(b.as_str()), None => q };
                q.fetch_all(c).await
            })?
        }
    })
}

/// `("a" OR "b") AND ("c")`: FTS5's syntax, each term quoted.
fn fts5_query(terms: &[Vec<String>]) -> String {
    terms
        .iter()
        .map(|alts| {
            let quoted: Vec<String> = alts
                .iter()
                .map(|a| format!("\"{}\"", a.replace('"', "\"\"")))
                .collect();
            format!("({})", quoted.join(" OR "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// `('a' | 'b') & ('c')`: a tsquery of literal lexemes (no parsing, no stemming by Postgres).
fn tsquery(terms: &[Vec<String>]) -> String {
    terms
        .iter()
        .map(|alts| {
            let quoted: Vec<String> = alts
                .iter()
                .map(|a| format!("'{}'", a.replace('\\', "\\\\").replace('\'', "''")))
                .collect();
            format!("({})", quoted.join(" | "))
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(text: &str, language: LanguageTag, q: &str) -> bool {
        let indexed = index_terms(text, language);
        let q = query_terms(q);
        !q.is_empty()
            && q.iter()
                .all(|alts| alts.iter().any(|a| indexed.contains(a)))
    }

    #[test]
    fn words_match_across_forms_in_each_language() {
        use LanguageTag::*;
        assert!(matches(
            "Due diligence is a legal obligation.",
            En,
            "obligations"
        ));
        assert!(matches("Les obligations des États", Fr, "etats obligation"));
        assert!(matches("Развитие потенциала", Ru, "потенциал"));
        assert!(matches("la diligencia debida", Es, "Diligencia"));
        assert!(matches("una obligación jurídica", Es, "obligaciones"));
        assert!(matches(
            "una obligación jurídica",
            Es,
            "obligacion juridica"
        ));
        assert!(matches("بناء القدرات", Ar, "القدرات"));
        // Arabic vowel marks do not stand between a query and a text.
        assert!(matches("بِنَاءُ القُدُرَاتِ", Ar, "بناء"));
        // Chinese, written without spaces: each character is a term.
        assert!(matches("信息和电信领域的发展", Zh, "电信"));
        assert!(!matches("信息和电信领域的发展", Zh, "网络"));
        // Every word must be there.
        assert!(!matches("Due diligence", En, "diligence sovereignty"));
        assert!(query_terms(" ,.; ").is_empty());
    }

    #[test]
    fn queries_are_written_for_each_engine_with_every_term_quoted() {
        let t = vec![
            vec!["a\"b".to_owned(), "c".to_owned()],
            vec!["d'e".to_owned()],
        ];
        assert_eq!(fts5_query(&t), r#"("a""b" OR "c") AND ("d'e")"#);
        assert_eq!(tsquery(&t), r#"('a"b' | 'c') & ('d''e')"#);
    }

    #[test]
    fn folding_is_the_same_for_the_text_and_the_query() {
        assert_eq!(
            words("Ｃｙｂｅｒ Sécurité-71/28"),
            ["cyber", "securite", "71", "28"]
        );
        assert_eq!(words("网络安全"), ["网", "络", "安", "全"]);
    }
}
