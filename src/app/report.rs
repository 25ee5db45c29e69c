//! The report of a meeting, generated from the log: who attended (with the gender figures),
//! the agenda as adopted and as changed, each decision with how it was taken, the objections
//! raised and withdrawn, explanations of position and dissociations, and the annexes (the
//! Declaration as it stood at the close, the programme of work, the documents cited).
//!
//! It is one fold over the meeting's own stream ([`ReportFold`]), so `plenary audit replay`
//! builds the same report from an export bundle; the Declaration annex is the body's
//! framework cut at the same point. Every report names the log position and hash it was made
//! from.

use std::collections::{BTreeMap, BTreeSet};

use cqrs_es::Aggregate;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::app::as_of::RegisterFold;
use crate::app::history::{self, Cut, FrameworkView};
use crate::app::refusal::Refusal;
use crate::app::register::{entry, RegisterEntry};
use crate::app::App;
use crate::domain::documents::DocumentRegistry;
use crate::domain::framework::TranslationOrigin;
use crate::domain::meeting::{AgendaItem, Meeting, MeetingEvent, PlannedMeeting, TranslatedText};
use crate::domain::values::DocumentSymbol;
use crate::store::{StoreError, StoredEvent};

/// One of the record's texts in the reader's language where translated: the text, its
/// language, and the original with the translation's origin (a message key) and staleness.
#[derive(Debug, Clone, PartialEq)]
pub struct Localized {
    pub text: String,
    pub lang: String,
    pub original: Option<String>,
    pub origin: &'static str,
    pub stale: bool,
}

impl Localized {
    /// `original` in `lang` where one of `translations` (language, origin, text, stale, and
    /// the wording it translates) is in it, a person's translation before a machine's;
    /// otherwise the original.
    pub fn choose<'a>(
        original: &str,
        lang: &str,
        translations: impl Iterator<Item = (&'a str, &'a str, &'a str, bool, &'a str)>,
    ) -> Localized {
        match translations
            .filter(|(l, ..)| *l == lang)
            .min_by_key(|(_, origin, ..)| *origin != "human")
        {
            Some((language, origin, text, stale, of)) => Localized {
                text: text.to_owned(),
                lang: language.to_owned(),
                original: Some(of.to_owned()),
                origin: if origin == "human" {
                    "framework.human"
                } else {
                    "framework.machine"
                },
                stale,
            },
            None => Localized {
                text: original.to_owned(),
                lang: "en".into(),
                original: None,
                origin: "",
                stale: false,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct MeetingReport {
    pub meeting_id: String,
    pub symbol: String,
    pub title: String,
    pub kind: String,
    pub body_id: String,
    pub venue: String,
    pub chair: String,
    /// The dates it was convened for.
    pub starts: String,
    pub ends: String,
    /// Days it opened or resumed, in order, and those outside the convened dates.
    pub sat_on: Vec<String>,
    pub sat_outside_dates: Vec<String>,
    /// `convened`, `open`, `suspended` or `closed`, as of the report.
    pub status: String,
    pub closed_on: Option<String>,
    pub attendance: Attendance,
    /// The agenda as adopted (empty if it never was), the changes decided after, and the
    /// agenda as it stands with each item's status.
    pub agenda_adopted: Vec<AgendaLine>,
    pub agenda_changes: Vec<AgendaChangeLine>,
    pub agenda: Vec<AgendaLine>,
    /// Decisions, then calls on which no consensus was found, in register order.
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<RegisterEntry>,
    /// The summary record of each sitting the secretariat kept, in date order (the latest
    /// text kept for each day).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub summary_records: Vec<SummaryRecordLine>,
    /// The decision by which the meeting adopted its report, if it has (the last one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adopted_by: Option<AdoptionLine>,
    /// Translations of the agenda items' titles and the decisions' texts (the latest of each
    /// origin per language), each marked stale if the text changed after it was made.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub translations: Vec<TextTranslation>,
    pub annexes: Annexes,
    /// What the report was made from: the last log position it includes and that event's
    /// hash (hex), which an auditor checks against a verified export.
    pub position: i64,
    pub hash: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, ToSchema)]
pub struct Attendance {
    pub members: u32,
    /// States marked present at any time during the meeting.
    pub states_present: Vec<String>,
    /// The list of participants: each delegation's members, head first.
    pub delegations: Vec<DelegationLine>,
    pub observers: Vec<String>,
    pub stakeholders: Vec<StakeholderLine>,
    /// Delegates and heads of delegation by gender (`female`, `male`, `other`, `not_given`).
    pub delegates_by_gender: BTreeMap<String, u32>,
    pub heads_by_gender: BTreeMap<String, u32>,
    pub sponsored_experts: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct DelegationLine {
    pub state: String,
    /// Names only: a person's gender is counted, never listed.
    pub members: Vec<String>,
    pub head: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct StakeholderLine {
    pub organisation_id: String,
    pub name: String,
    pub kind: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct AgendaLine {
    pub number: u32,
    pub title: String,
    pub procedural: bool,
    pub documents: Vec<String>,
    /// As of the report (`pending`, `under_consideration`, `concluded`, `deferred`); none in
    /// the agenda as adopted.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct AgendaChangeLine {
    pub date: String,
    pub decision_number: u32,
    /// `added`, `reordered` or `deferred`.
    pub change: String,
    pub item: Option<u32>,
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, ToSchema)]
pub struct Annexes {
    /// The body's Declaration as it stood at the close (or as of the report if the meeting
    /// has not closed).
    #[schema(value_type = Option<Object>)]
    pub declaration: Option<FrameworkView>,
    pub programme_of_work: Vec<PlannedLine>,
    /// Every document symbol the record of the meeting cites: the meeting's own, the agenda's
    /// documents, decisions and their corrigenda, in that order, each once.
    pub documents: Vec<CitedDocument>,
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct SummaryRecordLine {
    pub date: String,
    pub symbol: Option<String>,
    pub text: String,
    /// How many times it was kept: more than one means the text was revised (the log keeps
    /// every text).
    pub kept: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct TextTranslation {
    /// `agenda_item` or `decision`, and its number.
    pub text_of: &'static str,
    pub number: u32,
    pub language: String,
    /// `human` or `machine`.
    pub origin: &'static str,
    pub text: String,
    /// Made of a wording since corrected.
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct AdoptionLine {
    /// The decision's symbol and date, and the symbol of the draft it adopted.
    pub decision: String,
    pub date: String,
    pub draft: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct CitedDocument {
    pub symbol: String,
    /// Its title in the document registry, as of the report; none if it is not registered
    /// (a meeting's or decision's own symbol, or an agenda older than the registry).
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct PlannedLine {
    pub kind: String,
    pub title: String,
    pub starts: String,
    pub ends: String,
}

fn snake(debug: impl std::fmt::Debug) -> String {
    let name = format!("{debug:?}");
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn agenda_line(item: &AgendaItem, status: Option<String>) -> AgendaLine {
    AgendaLine {
        number: item.number,
        title: item.title.to_string(),
        procedural: matches!(item.nature, crate::domain::meeting::ItemNature::Procedural),
        documents: item.documents.iter().map(|d| d.to_string()).collect(),
        status,
    }
}

/// The meeting's stream folded into what its report needs. Pure: fed by the live log or by a
/// bundle's lines.
#[derive(Debug, Default)]
pub struct ReportFold {
    meeting: Meeting,
    register: RegisterFold,
    ever_present: BTreeSet<String>,
    sat_on: Vec<String>,
    closed_on: Option<String>,
    /// The log position of the close, for the Declaration annex.
    closed_at: Option<i64>,
    agenda_adopted: Vec<AgendaItem>,
    changes: Vec<AgendaChangeLine>,
    last: Option<(i64, [u8; 32])>,
    /// What the state does not keep: the convening notice's title, venue and chair, and the
    /// names of the stakeholders admitted.
    title: String,
    venue: String,
    chair: String,
    stakeholder_names: BTreeMap<String, String>,
    summary_records: BTreeMap<String, SummaryRecordLine>,
    adopted_by: Option<AdoptionLine>,
    /// By text, language and origin: the latest translation and the wording it was made of.
    translations: BTreeMap<(TranslatedText, String, &'static str), (String, u32)>,
}

impl ReportFold {
    pub fn push(&mut self, e: &StoredEvent) -> Result<(), StoreError> {
        let event: MeetingEvent = crate::store::decode::decode(e)?;
        self.register.push(e)?;
        let date = history::rfc3339(e.recorded_at_us)
            .get(..10)
            .unwrap_or_default()
            .to_owned();
        use MeetingEvent as E;
        match &event {
            E::MeetingConvened {
                title,
                venue,
                chair,
                ..
            } => {
                self.title = title.to_string();
                self.venue = venue.to_string();
                self.chair = match &chair.state {
                    Some(s) => format!("{} ({s})", chair.name),
                    None => chair.name.to_string(),
                };
            }
            E::StakeholderAdmitted {
                organisation_id,
                name,
                ..
            } => {
                self.stakeholder_names
                    .insert(organisation_id.to_string(), name.to_string());
            }
            E::StateMarkedPresent { state, .. } => {
                self.ever_present.insert(state.to_string());
            }
            E::MeetingOpened { on, .. } | E::MeetingResumed { on } => {
                self.sat_on.push(on.to_string());
            }
            E::MeetingClosed { on, .. } => {
                self.closed_on = Some(on.to_string());
                self.closed_at = Some(e.position);
            }
            E::AgendaAdopted { items, .. } => self.agenda_adopted = items.clone(),
            E::AgendaItemAdded {
                item,
                decision_number,
            } => self.changes.push(AgendaChangeLine {
                date,
                decision_number: *decision_number,
                change: "added".into(),
                item: Some(item.number),
                detail: item.title.to_string(),
            }),
            E::AgendaReordered {
                order,
                decision_number,
            } => self.changes.push(AgendaChangeLine {
                date,
                decision_number: *decision_number,
                change: "reordered".into(),
                item: None,
                detail: order
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            E::AgendaItemDeferred {
                item,
                to_meeting,
                decision_number,
            } => self.changes.push(AgendaChangeLine {
                date,
                decision_number: *decision_number,
                change: "deferred".into(),
                item: Some(*item),
                detail: to_meeting
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
            }),
            E::TextTranslated {
                text_of,
                language,
                origin,
                text,
                of_version,
            } => {
                let origin = match origin {
                    TranslationOrigin::Human => "human",
                    TranslationOrigin::Machine => "machine",
                };
                self.translations.insert(
                    (*text_of, language.to_string(), origin),
                    (text.to_string(), *of_version),
                );
            }
            E::SummaryRecordKept {
                date: on,
                text,
                symbol,
            } => {
                let kept = self
                    .summary_records
                    .get(&on.to_string())
                    .map_or(1, |r| r.kept + 1);
                self.summary_records.insert(
                    on.to_string(),
                    SummaryRecordLine {
                        date: on.to_string(),
                        symbol: symbol.as_ref().map(|s| s.to_string()),
                        text: text.to_string(),
                        kept,
                    },
                );
            }
            E::DecisionTaken {
                symbol,
                date: on,
                kind: crate::domain::meeting::DecisionKind::ReportAdopted { symbol: draft },
                ..
            } => {
                self.adopted_by = Some(AdoptionLine {
                    decision: symbol.to_string(),
                    date: on.to_string(),
                    draft: draft.to_string(),
                });
            }
            _ => {}
        }
        self.meeting.apply(event);
        self.last = Some((e.position, e.hash));
        Ok(())
    }

    /// Where the Declaration annex is cut: the close, or the last event folded.
    pub fn declaration_cut(&self) -> Option<i64> {
        self.closed_at.or(self.last.map(|(p, _)| p))
    }

    /// The last log position folded.
    pub fn position(&self) -> Option<i64> {
        self.last.map(|(p, _)| p)
    }

    pub fn body_id(&self) -> Option<String> {
        self.meeting.body_id.as_ref().map(|b| b.to_string())
    }

    /// The report; `declaration` is the body's framework at [`Self::declaration_cut`], and
    /// `registry` the document registry as of the report's position (for the documents'
    /// titles). `None` if no event was folded.
    pub fn report(
        self,
        declaration: Option<FrameworkView>,
        registry: Option<&DocumentRegistry>,
    ) -> Option<MeetingReport> {
        let (position, hash) = self.last?;
        let m = self.meeting;
        let mut attendance = Attendance {
            members: m.members.len() as u32,
            states_present: self.ever_present.into_iter().collect(),
            observers: m.observers.values().map(|n| n.to_string()).collect(),
            sponsored_experts: m
                .sponsorships
                .values()
                .filter(|s| s.status == crate::domain::meeting::SponsorshipStatus::Awarded)
                .count() as u32,
            ..Attendance::default()
        };
        for (state, members) in &m.delegations {
            let mut names = vec![];
            let mut head = None;
            for member in members {
                let gender = member
                    .gender
                    .map(snake)
                    .unwrap_or_else(|| "not_given".into());
                *attendance
                    .delegates_by_gender
                    .entry(gender.clone())
                    .or_default() += 1;
                if member.head_of_delegation {
                    *attendance.heads_by_gender.entry(gender).or_default() += 1;
                    head = Some(member.name.to_string());
                    names.insert(0, member.name.to_string());
                } else {
                    names.push(member.name.to_string());
                }
            }
            attendance.delegations.push(DelegationLine {
                state: state.to_string(),
                members: names,
                head,
            });
        }
        let names = &self.stakeholder_names;
        for (id, (kind, role)) in &m.stakeholders {
            attendance.stakeholders.push(StakeholderLine {
                organisation_id: id.to_string(),
                name: names
                    .get(id.as_ref() as &str)
                    .cloned()
                    .unwrap_or_else(|| id.to_string()),
                kind: snake(kind),
                role: snake(role),
            });
        }
        let mut decisions: Vec<Value> = self
            .register
            .into_entries()
            .into_iter()
            .map(|(_, d)| d)
            .collect();
        if let Some(r) = registry {
            crate::app::register::attach_documents(&mut decisions, r);
        }
        let decisions: Vec<RegisterEntry> = decisions.iter().map(entry).collect();
        let agenda: Vec<AgendaLine> = m
            .agenda
            .iter()
            .map(|a| agenda_line(&a.item, Some(snake(a.status))))
            .collect();
        let symbol = m.symbol.as_ref().map(|s| s.to_string()).unwrap_or_default();
        let mut documents = vec![];
        let mut seen = BTreeSet::new();
        let mut cite = |s: &str| {
            if !s.is_empty() && seen.insert(s.to_owned()) {
                let title = DocumentSymbol::parse(s)
                    .ok()
                    .and_then(|k| registry.and_then(|r| r.documents.get(&k)))
                    .map(|d| d.title.to_string());
                documents.push(CitedDocument {
                    symbol: s.to_owned(),
                    title,
                });
            }
        };
        cite(&symbol);
        for line in self
            .agenda_adopted
            .iter()
            .chain(m.agenda.iter().map(|a| &a.item))
        {
            for d in &line.documents {
                cite(d.as_ref());
            }
        }
        if let Some(a) = &self.adopted_by {
            cite(&a.draft);
        }
        for r in self.summary_records.values() {
            if let Some(s) = &r.symbol {
                cite(s);
            }
        }
        for d in &decisions {
            if let Some(s) = &d.symbol {
                cite(s);
            }
            for c in &d.corrigenda {
                cite(&c.symbol);
            }
        }
        let (starts, ends) = m
            .convened_dates
            .map(|(s, e)| (s.to_string(), e.to_string()))
            .unwrap_or_default();
        Some(MeetingReport {
            meeting_id: m.id.as_ref().map(|i| i.to_string()).unwrap_or_default(),
            symbol,
            title: self.title,
            kind: m.kind.map(snake).unwrap_or_default(),
            body_id: m
                .body_id
                .as_ref()
                .map(|b| b.to_string())
                .unwrap_or_default(),
            venue: self.venue,
            chair: self.chair,
            starts,
            ends,
            sat_on: self.sat_on,
            sat_outside_dates: m.sat_outside_dates.iter().map(|d| d.to_string()).collect(),
            status: snake(m.status),
            closed_on: self.closed_on,
            attendance,
            agenda_adopted: self
                .agenda_adopted
                .iter()
                .map(|i| agenda_line(i, None))
                .collect(),
            agenda_changes: self.changes,
            agenda,
            decisions,
            summary_records: self.summary_records.into_values().collect(),
            adopted_by: self.adopted_by,
            translations: self
                .translations
                .into_iter()
                .map(|((of, language, origin), (text, of_version))| {
                    let (text_of, number, current) = match of {
                        TranslatedText::AgendaItem { number } => ("agenda_item", number, 0),
                        TranslatedText::Decision { number } => (
                            "decision",
                            number,
                            m.corrigenda.get(&number).copied().unwrap_or(0),
                        ),
                    };
                    TextTranslation {
                        text_of,
                        number,
                        language,
                        origin,
                        text,
                        stale: of_version < current,
                    }
                })
                .collect(),
            annexes: Annexes {
                declaration,
                programme_of_work: m
                    .programme_of_work
                    .iter()
                    .map(|p: &PlannedMeeting| PlannedLine {
                        kind: snake(p.kind),
                        title: p.title.to_string(),
                        starts: p.starts.to_string(),
                        ends: p.ends.to_string(),
                    })
                    .collect(),
                documents,
            },
            position,
            hash: hex::encode(hash),
        })
    }
}

/// The report of meeting `id` as of `cut` (a position or a time; now by default). Public
/// record, like the register: any credential may read it.
#[tracing::instrument(skip(app))]
pub async fn meeting_report(app: &App, id: &str, cut: Cut) -> Result<MeetingReport, Refusal> {
    if matches!(cut, Cut::Version(_)) {
        return Err(Refusal::bad_request(
            "at",
            "a meeting's report is cut at a log position (p:N) or a time, not a version",
        ));
    }
    let head = app.store.head();
    if let Cut::Position(p) = cut {
        if p > head {
            return Err(Refusal::bad_request(
                "at",
                format!("position {p} is beyond the head of the log ({head})"),
            ));
        }
    }
    let mut fold = ReportFold::default();
    for e in app
        .store
        .read_stream(
            <crate::domain::meeting::Meeting as cqrs_es::Aggregate>::TYPE,
            id,
            0,
        )
        .await?
    {
        if crate::app::as_of::included(&e, cut) {
            fold.push(&e)?;
        }
    }
    let registry = match fold.position() {
        Some(at) => crate::app::as_of::aggregate::<DocumentRegistry>(
            &app.store,
            crate::app::documents::REGISTRY,
            Cut::Position(at),
        )
        .await?
        .map(|(r, _)| r.state),
        None => None,
    };
    let declaration = match (fold.body_id(), fold.declaration_cut()) {
        (Some(body), Some(at)) => history::framework_at(&app.store, &body, Cut::Position(at))
            .await?
            .map(|(f, p)| history::view(&body, &f, p)),
        _ => None,
    };
    fold.report(declaration, registry.as_ref())
        .ok_or_else(|| Refusal::not_found(format!("no meeting {id} as of that point of the log")))
}
