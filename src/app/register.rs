//! The decisions register as a typed read model, a page at a time: each decision with how it
//! was taken, the objections raised (withdrawn or standing) and the explanations of position;
//! and, after a meeting's decisions, the calls on which no consensus was found.

use serde::Serialize;
use serde_json::Value;

use std::collections::HashSet;

use crate::app::access::Principal;
use crate::app::as_of;
use crate::app::history::Cut;
use crate::app::refusal::Refusal;
use crate::app::report::Localized;
use crate::app::App;
use crate::domain::body::PublicRecord;
use crate::domain::documents::{DocumentLink, DocumentRegistry};
use crate::domain::values::DocumentSymbol;
use crate::projections::{decisions, docs, meetings as meeting_list};

/// Entries per page when none is asked for.
pub const PAGE: i64 = 50;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegisterPage {
    pub entries: Vec<RegisterEntry>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegisterEntry {
    /// `false`: an outcome that is not a decision (no consensus).
    pub decision: bool,
    pub number: Option<u64>,
    pub symbol: Option<String>,
    pub meeting_id: String,
    pub date: String,
    pub agenda_item: Option<u64>,
    pub kind: String,
    pub text: String,
    /// "without a vote", "by a vote of 10 to 2, 3 abstaining", or none for an outcome.
    pub how: Option<String>,
    /// The same for pages and printed documents in any language: the tally (yes, no,
    /// abstaining) of a vote, none without one.
    #[serde(skip)]
    pub tally: Option<(u64, u64, u64)>,
    pub objections: Vec<ObjectionLine>,
    pub explanations: Vec<ExplanationLine>,
    pub position: i64,
    /// Recorded afterwards by the secretariat, on this instruction (taken outside the system).
    pub entered_on_instruction_of: Option<String>,
    /// Corrections issued, in order; the text above stays the original.
    pub corrigenda: Vec<CorrigendumLine>,
    /// Translations of the text, one per language and origin.
    pub translations: Vec<TranslationLine>,
    /// Registry documents linked to this decision (not restricted ones: the register is
    /// public record).
    pub documents: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TranslationLine {
    pub language: String,
    /// `human` or `machine`.
    pub origin: String,
    pub text: String,
    /// Made of the wording before a corrigendum issued since.
    pub stale: bool,
    /// The corrigenda issued when it was made: it translates the original (0) or that
    /// corrigendum's text.
    pub of_version: u32,
}

impl RegisterEntry {
    /// The text in `lang` where translated (a person's translation before a machine's), with
    /// the original beside it; otherwise the original.
    pub fn localized(&self, lang: &str) -> Localized {
        Localized::choose(
            &self.text,
            lang,
            self.translations.iter().map(|t| {
                (
                    t.language.as_str(),
                    t.origin.as_str(),
                    t.text.as_str(),
                    t.stale,
                    self.wording(t.of_version),
                )
            }),
        )
    }

    /// The text as it stood after `corrigenda` corrections (0: as taken).
    fn wording(&self, corrigenda: u32) -> &str {
        corrigenda
            .checked_sub(1)
            .and_then(|i| self.corrigenda.get(i as usize))
            .map_or(self.text.as_str(), |c| c.text.as_str())
    }
}

/// An entry of the register as the JSON API sends it: the read model's document, typed.
/// Fields are in the document's (alphabetical) order, and those an entry may lack are left
/// out when absent, so the JSON is the document's. Values the domain types carry (what was
/// decided, the subject of a call) are sent as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRecord {
    pub agenda_item: Option<u64>,
    /// The consensus call the decision was taken on (or found no consensus), if any.
    pub consensus_call: Option<u64>,
    /// Corrections issued, in order; `text` stays the original.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub corrigenda: Vec<CorrigendumRecord>,
    pub date: String,
    /// A decision's kind with its particulars (the amendment adopted, the report), as the
    /// domain records it; absent on an outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Value>, required = false)]
    pub detail: Option<Value>,
    /// The registry's documents linked to the decision (never restricted ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub documents: Vec<String>,
    /// Present only on a decision the secretariat recorded afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub entered: Option<EnteredRecord>,
    pub entry: EntryKind,
    pub explanations: Vec<ExplanationRecord>,
    /// How a decision was taken; absent on an outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub how_taken: Option<HowTakenRecord>,
    /// agenda_adoption, agenda_change, amendment_adopted, programme_of_work, report_adopted,
    /// procedural_outcome, decision; no_consensus for an outcome.
    pub kind: String,
    pub meeting_id: String,
    pub number: Option<u64>,
    pub objections: Vec<ObjectionRecord>,
    pub position: i64,
    pub recorded_at_us: i64,
    pub recorded_by: Option<String>,
    /// What the call that found no consensus was on; absent on a decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Value>, required = false)]
    pub subject: Option<Value>,
    pub symbol: Option<String>,
    pub text: String,
    /// One per language and origin, the newest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub translations: Vec<TranslationRecord>,
}

/// A decision, or an outcome that is not one (no consensus was found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Decision,
    Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub enum HowTakenRecord {
    /// Without a vote.
    Consensus,
    Vote {
        abstain: u32,
        no: u32,
        /// Each State's vote, when a recorded vote was requested.
        #[schema(value_type = Option<Vec<Object>>)]
        recorded_votes: Option<Vec<Value>>,
        yes: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRecord {
    pub reason: Option<String>,
    pub state: String,
    pub withdrawn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplanationRecord {
    /// Paragraph ids the State dissociates itself from.
    pub dissociates_from: Vec<String>,
    pub state: String,
    pub text: String,
    /// BeforeDecision or AfterDecision.
    pub timing: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnteredRecord {
    /// Always `secretariat`.
    pub by: String,
    pub on_instruction_of: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrigendumRecord {
    /// 1 for the first correction.
    pub corrigendum: u32,
    pub date: String,
    pub position: i64,
    pub reason: String,
    pub recorded_by: Option<String>,
    pub symbol: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RegisterTranslation)]
pub struct TranslationRecord {
    pub language: String,
    /// The corrigenda issued when it was made (0: it translates the original).
    pub of_version: u32,
    /// human or machine.
    pub origin: String,
    pub position: i64,
    pub text: String,
}

/// A page of the register as the JSON API sends it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegisterRecords {
    pub decisions: Vec<RegisterRecord>,
    /// Pass as `after` for the next page; null on the last.
    pub next: Option<String>,
}

impl RegisterRecord {
    /// The typed entry of a register document (the read model's, or one folded from the log).
    pub fn decode(d: Value) -> Result<Self, Refusal> {
        serde_json::from_value(d).map_err(|e| {
            Refusal::internal(format!("a decisions register entry does not decode: {e}"))
        })
    }
}

/// Names on each decision's entry the documents of `registry` linked to it.
pub fn attach_documents(entries: &mut [Value], registry: &DocumentRegistry) {
    for d in entries {
        let Some(Ok(symbol)) = d["symbol"].as_str().map(DocumentSymbol::parse) else {
            continue;
        };
        let linked = registry.linked_to(&DocumentLink::Decision { symbol }, false);
        if !linked.is_empty() {
            d["documents"] = linked.into();
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CorrigendumLine {
    pub symbol: String,
    pub text: String,
    pub reason: String,
    pub date: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ObjectionLine {
    pub state: String,
    pub reason: Option<String>,
    pub withdrawn: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExplanationLine {
    pub state: String,
    pub after: bool,
    pub text: String,
    pub dissociates_from: Vec<String>,
}

fn how(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s == "Consensus" => Some("without a vote".into()),
        Value::Object(o) => o.get("Vote").map(|t| {
            let n = |k: &str| t[k].as_u64().unwrap_or(0);
            format!(
                "by a vote of {} to {}, {} abstaining",
                n("yes"),
                n("no"),
                n("abstain")
            )
        }),
        _ => None,
    }
}

fn tally(v: &Value) -> Option<(u64, u64, u64)> {
    let t = v.get("Vote")?;
    let n = |k: &str| t[k].as_u64().unwrap_or(0);
    Some((n("yes"), n("no"), n("abstain")))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A register entry from its read-model document.
pub fn entry(d: &Value) -> RegisterEntry {
    RegisterEntry {
        decision: d["entry"] != "outcome",
        number: d["number"].as_u64(),
        symbol: d["symbol"].as_str().map(str::to_owned),
        meeting_id: text(&d["meeting_id"]),
        date: text(&d["date"]),
        agenda_item: d["agenda_item"].as_u64(),
        kind: text(&d["kind"]),
        text: text(&d["text"]),
        how: how(&d["how_taken"]),
        tally: tally(&d["how_taken"]),
        entered_on_instruction_of: d["entered"]["on_instruction_of"]
            .as_str()
            .map(str::to_owned),
        corrigenda: d["corrigenda"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| CorrigendumLine {
                symbol: text(&c["symbol"]),
                text: text(&c["text"]),
                reason: text(&c["reason"]),
                date: text(&c["date"]),
            })
            .collect(),
        objections: d["objections"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| ObjectionLine {
                state: text(&o["state"]),
                reason: o["reason"].as_str().map(str::to_owned),
                withdrawn: o["withdrawn"] == true,
            })
            .collect(),
        explanations: d["explanations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| ExplanationLine {
                state: text(&e["state"]),
                after: e["timing"] == "AfterDecision",
                text: text(&e["text"]),
                dissociates_from: e["dissociates_from"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(text)
                    .collect(),
            })
            .collect(),
        position: d["position"].as_i64().unwrap_or_default(),
        translations: d["translations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| TranslationLine {
                language: text(&t["language"]),
                origin: text(&t["origin"]),
                text: text(&t["text"]),
                stale: t["of_version"].as_u64().unwrap_or(0)
                    < d["corrigenda"].as_array().map_or(0, |c| c.len() as u64),
                of_version: t["of_version"]
                    .as_u64()
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(0),
            })
            .collect(),
        documents: d["documents"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect(),
    }
}

/// Which entries of the register a reader asks for: each filter, when given, must match.
#[derive(Debug, Clone, Default)]
pub struct RegisterFilter {
    pub meeting: Option<String>,
    pub body: Option<String>,
    pub kind: Option<String>,
}

/// One page of the register's entries as stored, in register order (meeting, then number;
/// outcomes after a meeting's decisions), filtered, now or as of `cut` (the same entries,
/// keys and paging, folded from the log). Public record, of the bodies that make their
/// register public (all of them for a signed-in reader). Each entry names its documents in
/// the registry as of the same moment.
pub async fn entries(
    app: &App,
    p: &Principal,
    filter: &RegisterFilter,
    cut: Option<Cut>,
    after: Option<String>,
    limit: i64,
) -> Result<(Vec<Value>, Option<String>), Refusal> {
    let db = app.store.db();
    let prefix = filter
        .meeting
        .as_deref()
        .map(|m| format!("{m}/"))
        .unwrap_or_default();
    let public = crate::app::bodies::public_bodies(app, p, PublicRecord::Register).await?;
    let meetings: Option<HashSet<String>> = match (&filter.body, &public) {
        (None, None) => None,
        (body, public) => Some(
            docs::list(db, meeting_list::NAME, "")
                .await?
                .into_iter()
                .filter(|m| body.as_ref().is_none_or(|b| m["body_id"] == b.as_str()))
                .filter(|m| {
                    public
                        .as_ref()
                        .is_none_or(|set| m["body_id"].as_str().is_some_and(|b| set.contains(b)))
                })
                .filter_map(|m| m["id"].as_str().map(str::to_owned))
                .collect(),
        ),
    };
    let wanted = |d: &Value| {
        let in_body = meetings
            .as_ref()
            .is_none_or(|ms| d["meeting_id"].as_str().is_some_and(|m| ms.contains(m)));
        in_body && filter.kind.as_ref().is_none_or(|k| d["kind"] == k.as_str())
    };
    let (mut entries, next) = match cut {
        None => {
            docs::filtered_page(db, decisions::NAME, &prefix, after, limit, |d| {
                Ok::<_, Refusal>(wanted(&d).then_some(d))
            })
            .await?
        }
        Some(cut) => {
            let entries = as_of::register(&app.store, cut).await?;
            as_of::page(entries, after.as_deref(), limit, |key, d| {
                key.starts_with(&prefix) && wanted(d)
            })
        }
    };
    let registry = crate::app::documents::registry(app, cut).await?;
    attach_documents(&mut entries, &registry);
    Ok((entries, next))
}

/// [`entries`], typed, as the JSON API sends them.
pub async fn records(
    app: &App,
    p: &Principal,
    filter: &RegisterFilter,
    cut: Option<Cut>,
    after: Option<String>,
    limit: i64,
) -> Result<RegisterRecords, Refusal> {
    let (entries, next) = entries(app, p, filter, cut, after, limit).await?;
    Ok(RegisterRecords {
        decisions: entries
            .into_iter()
            .map(RegisterRecord::decode)
            .collect::<Result<_, _>>()?,
        next,
    })
}

/// One page of the register as typed entries, for the pages: `limit` from 1 to 1000.
pub async fn page(
    app: &App,
    p: &Principal,
    filter: &RegisterFilter,
    after: Option<String>,
    limit: i64,
) -> Result<RegisterPage, Refusal> {
    if !(1..=1000).contains(&limit) {
        return Err(Refusal::bad_request(
            "limit",
            "limit must be between 1 and 1000",
        ));
    }
    let (entries, next) = entries(app, p, filter, None, after, limit).await?;
    Ok(RegisterPage {
        entries: entries.iter().map(entry).collect(),
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_say_how_they_were_taken_and_outcomes_are_not_decisions() {
        let voted = entry(
            &json!({ "entry": "decision", "number": 4, "symbol": "A/DEC/4",
            "meeting_id": "rc-1", "date": "2026-11-24", "kind": "procedural_outcome",
            "text": "The debate was adjourned.",
            "how_taken": { "Vote": { "yes": 10, "no": 2, "abstain": 3, "recorded_votes": null } },
            "objections": [], "explanations": [], "position": 90 }),
        );
        assert!(voted.decision);
        assert_eq!(voted.tally, Some((10, 2, 3)));
        let fr = crate::web::messages::get("fr").unwrap();
        assert_eq!(
            crate::export::report::how_taken(&voted, fr).as_deref(),
            Some("par 10 voix contre 2, avec 3 abstentions")
        );
        assert_eq!(
            voted.how.as_deref(),
            Some("by a vote of 10 to 2, 3 abstaining")
        );
        let outcome = entry(
            &json!({ "entry": "outcome", "kind": "no_consensus", "number": null,
            "symbol": null, "meeting_id": "rc-1", "date": "2026-11-25", "text": "No consensus was found.",
            "objections": [{ "state": "RUS", "reason": null, "withdrawn": false }],
            "explanations": [{ "state": "BRA", "timing": "AfterDecision", "text": "Regret.",
                "dissociates_from": [] }], "position": 120 }),
        );
        assert!(!outcome.decision);
        assert_eq!((outcome.number, outcome.how), (None, None));
        assert!(!outcome.objections[0].withdrawn);
        assert!(outcome.explanations[0].after);
    }
}
