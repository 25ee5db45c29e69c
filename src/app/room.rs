//! The meeting in the room: one typed read model for the chair's console, the room screen and
//! the delegate's desk, built from the read models (never from the aggregate's cache), with
//! what each reader may see.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::app::access::{Principal, Role};
use crate::app::history::{view, Cut, FrameworkView};
use crate::app::meeting_reads::Quorum;
use crate::app::refusal::Refusal;
use crate::app::App;
use crate::domain::amendment::{Amendment, AmendmentStatus, Revision};
use crate::domain::documents::DocumentLink;
use crate::domain::framework::{diff_words, Operation, SpanKind, TranslationOrigin};
use crate::domain::meeting::{
    ConsensusSubject, ItemStatus, Meeting, MeetingStatus, MotionStatus, Speaker, VoteOn,
};
use crate::domain::values::Id;
use crate::projections::{decisions, docs, floor, meetings as list, state_view};

#[derive(Debug, Clone, Serialize)]
pub struct MeetingRoom {
    pub id: String,
    pub version: i64,
    pub title: String,
    pub symbol: String,
    pub venue: String,
    pub dates: String,
    pub chair: String,
    pub body_id: Option<String>,
    pub status: &'static str,
    pub quorum: Quorum,
    pub members: Vec<Attendance>,
    pub agenda_adopted: bool,
    pub agenda: Vec<AgendaLine>,
    pub current_item: Option<u32>,
    pub speakers: Option<SpeakersPanel>,
    pub points_of_order: Vec<PointLine>,
    pub motions: Vec<MotionLine>,
    pub vote: Option<VotePanel>,
    pub consensus: Option<ConsensusPanel>,
    pub last_decision: Option<DecisionLine>,
    /// Amendments tabled under the current item, which the chair may call.
    pub tabled: Vec<AmendmentLine>,
    /// Days the meeting sat outside the dates it was convened for, as recorded.
    pub sat_outside_dates: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attendance {
    pub state: String,
    pub present: bool,
    pub registered: bool,
    /// The delegation's members as registered, the head of delegation first.
    pub delegates: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgendaLine {
    pub number: u32,
    pub title: String,
    pub substantive: bool,
    pub status: &'static str,
    pub current: bool,
    pub documents: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpeakersPanel {
    pub item: u32,
    pub floor: Option<String>,
    /// When the floor was given (ms since the epoch) and for how long, for the countdown.
    pub floor_since_ms: Option<i64>,
    pub time_limit_seconds: Option<u32>,
    pub right_of_reply: bool,
    pub waiting: Vec<String>,
    pub replies: Vec<String>,
    pub closed: bool,
    /// The State on the floor and its delegates' names, to record who spoke: only for the
    /// meeting's chair and the secretariat (personal data), and only until it is recorded.
    pub floor_state: Option<String>,
    pub floor_delegates: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PointLine {
    pub number: u32,
    pub raised_by: String,
    pub text: String,
    pub ruling: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MotionLine {
    pub number: u32,
    pub kind: String,
    pub mover: String,
    pub status: String,
    pub pending: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct VotePanel {
    pub question: String,
    pub recorded: bool,
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    /// Ballots by State; shown for a recorded vote only.
    pub ballots: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsensusPanel {
    pub number: u32,
    pub item: u32,
    pub subject: String,
    pub amendment_id: Option<String>,
    pub open: bool,
    pub standing: Vec<ObjectionLine>,
    pub withdrawn: Vec<String>,
    pub explanations: Vec<ExplanationLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectionLine {
    pub state: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplanationLine {
    pub state: String,
    pub timing: &'static str,
    pub text: String,
    pub dissociates_from: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionLine {
    pub number: u64,
    pub symbol: String,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AmendmentLine {
    pub id: String,
    pub title: String,
    pub proposer: String,
    pub co_sponsors: Vec<String>,
    pub status: String,
    pub revision: u32,
    pub base_version: u32,
    pub tabled_under: Option<(String, u32)>,
    /// The framework moved past the text it was drafted against: it must be revised.
    pub stale: bool,
    pub changes: Vec<ParagraphChange>,
    /// Each wording the current revision proposes, with the paragraph it goes into (what a
    /// translation translates, in order).
    pub wording: Vec<(String, String)>,
    /// Translations of its text, the latest of each origin per language.
    pub translations: Vec<AmendmentTranslationLine>,
    /// Registry documents issued for it (not restricted ones: the board is public record).
    pub documents: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AmendmentTranslationLine {
    pub language: String,
    /// `human` or `machine`.
    pub origin: &'static str,
    pub revision: u32,
    /// Of an earlier revision than the current one.
    pub stale: bool,
    pub title: String,
    /// Each wording the revision proposes with the paragraph it goes into.
    pub wording: Vec<(String, String)>,
}

impl AmendmentTranslationLine {
    /// The message key naming who translated it.
    pub fn origin_key(&self) -> &'static str {
        if self.origin == "human" {
            "framework.human"
        } else {
            "framework.machine"
        }
    }
}

impl AmendmentLine {
    /// Each document's symbol and its row id on the documents page.
    pub fn document_anchors(&self) -> Vec<(&str, String)> {
        self.documents
            .iter()
            .map(|s| (s.as_str(), crate::app::documents::anchor(s)))
            .collect()
    }

    /// The translation into `lang` the reader sees, a person's before a machine's.
    pub fn translation(&self, lang: &str) -> Option<&AmendmentTranslationLine> {
        self.translations
            .iter()
            .filter(|t| t.language == lang)
            .min_by_key(|t| t.origin != "human")
    }
}

/// One paragraph as an operation would change it, word by word.
#[derive(Debug, Clone, Serialize)]
pub struct ParagraphChange {
    pub paragraph: String,
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Span {
    /// "same", "ins" or "del".
    pub kind: &'static str,
    pub text: String,
}

fn speaker_name(s: &Speaker) -> String {
    s.to_string()
}

fn status_name(s: MeetingStatus) -> &'static str {
    match s {
        MeetingStatus::Convened => "convened",
        MeetingStatus::Open => "open",
        MeetingStatus::Suspended => "suspended",
        MeetingStatus::Closed => "closed",
        _ => "not convened",
    }
}

fn debug_name(v: impl std::fmt::Debug) -> String {
    format!("{v:?}")
}

/// The meeting as the room needs it. Readable by every signed-in role: it holds only what
/// is public record (no delegates' names, no sponsorships).
#[tracing::instrument(skip_all, fields(meeting = %id))]
pub async fn meeting_room(app: &App, p: &Principal, id: &str) -> Result<MeetingRoom, Refusal> {
    let doc = app
        .projector
        .doc(crate::projections::state_view::MEETINGS, id)
        .await?
        .ok_or_else(|| Refusal::not_found(format!("no meeting {id}")))?;
    let (_, version, m) = state_view::decode::<Meeting>(&doc).map_err(Refusal::internal)?;
    let info = app
        .projector
        .doc(list::NAME, id)
        .await?
        .map_or(Value::Null, Arc::unwrap_or_clone);
    let floor_doc = app.projector.doc(floor::NAME, id).await?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let no_list = crate::domain::meeting::SpeakersList::default();
    let speakers = m.current_item.map(|item| {
        let l = m.speakers.get(&item).unwrap_or(&no_list);
        {
            let floor = l.floor.as_ref().map(speaker_name);
            let since = floor_doc.as_ref().filter(|f| {
                f["item"] == item && floor.is_some() && f["speaker"] == serde_json::json!(l.floor)
            });
            SpeakersPanel {
                item,
                floor,
                floor_since_ms: since
                    .and_then(|f| f["since_us"].as_i64())
                    .map(|us| us / 1000),
                time_limit_seconds: since
                    .and_then(|f| f["time_limit_seconds"].as_u64())
                    .map(|s| s as u32)
                    .or(l.time_limit_seconds),
                right_of_reply: since.is_some_and(|f| f["right_of_reply"] == true),
                waiting: l.waiting.iter().map(speaker_name).collect(),
                replies: l.replies.iter().map(|s| s.to_string()).collect(),
                closed: l.closed,
                floor_state: match &l.floor {
                    Some(crate::domain::meeting::Speaker::State(s)) => Some(s.to_string()),
                    _ => None,
                },
                floor_delegates: match &l.floor {
                    // Only while the statement awaits its speaker (recorded once).
                    Some(crate::domain::meeting::Speaker::State(s))
                        if m.unidentified.contains(&(item, s.clone()))
                            && (p.role == crate::app::access::Role::Secretariat
                                || p.require_chair_of(id).is_ok()) =>
                    {
                        m.delegations
                            .get(s)
                            .map(|d| d.iter().map(|x| x.name.to_string()).collect())
                            .unwrap_or_default()
                    }
                    _ => vec![],
                },
            }
        }
    });
    // An amendment is called by its id and revision; the room knows it by its title.
    let called_title = match m.consensus.as_ref().map(|c| &c.subject) {
        Some(ConsensusSubject::Amendment { amendment_id, .. }) => {
            amendment_revision(app, amendment_id.as_str())
                .await?
                .map(|(r, proposer)| format!("“{}” ({proposer})", r.title))
        }
        _ => None,
    };
    let consensus = m.consensus.as_ref().map(|c| ConsensusPanel {
        number: c.number,
        item: c.item,
        subject: match &c.subject {
            ConsensusSubject::Amendment {
                amendment_id,
                revision,
            } => match &called_title {
                Some(t) => format!("Amendment {t}, revision {revision}"),
                None => format!("Amendment {amendment_id}, revision {revision}"),
            },
            ConsensusSubject::DraftDecision { text } => format!("Draft decision: {text}"),
            ConsensusSubject::ProgrammeOfWork { meetings } => {
                format!("Programme of work ({} meetings)", meetings.len())
            }
            ConsensusSubject::Report { symbol } => format!("The meeting's report ({symbol})"),
        },
        amendment_id: match &c.subject {
            ConsensusSubject::Amendment { amendment_id, .. } => Some(amendment_id.to_string()),
            _ => None,
        },
        open: c.open,
        standing: c
            .objections
            .iter()
            .filter(|o| !o.withdrawn)
            .map(|o| ObjectionLine {
                state: o.state.to_string(),
                reason: o.reason.as_ref().map(|r| r.to_string()),
            })
            .collect(),
        withdrawn: c
            .objections
            .iter()
            .filter(|o| o.withdrawn)
            .map(|o| o.state.to_string())
            .collect(),
        explanations: c
            .explanations
            .iter()
            .map(|e| ExplanationLine {
                state: e.state.to_string(),
                timing: match e.timing {
                    crate::domain::meeting::ExplanationTiming::BeforeDecision => "before",
                    crate::domain::meeting::ExplanationTiming::AfterDecision => "after",
                },
                text: e.text.to_string(),
                dissociates_from: e.dissociates_from.iter().map(|p| p.to_string()).collect(),
            })
            .collect(),
    });
    let last_decision = if m.decisions_taken > 0 {
        app.projector
            .doc(decisions::NAME, &decisions::key(id, m.decisions_taken))
            .await?
            .map(|d| DecisionLine {
                number: d["number"].as_u64().unwrap_or(u64::from(m.decisions_taken)),
                symbol: text(&d["symbol"]),
                summary: d["text"]
                    .as_str()
                    .or_else(|| d["title"].as_str())
                    .or_else(|| d["kind"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
            })
    } else {
        None
    };
    let tabled = match m.current_item {
        Some(item) => amendments(app, None)
            .await?
            .into_iter()
            .filter(|a| a.tabled_under.as_ref() == Some(&(id.to_owned(), item)))
            .filter(|a| a.status == "tabled" || a.status == "in_conflict")
            .collect(),
        None => vec![],
    };
    Ok(MeetingRoom {
        id: id.to_owned(),
        version,
        title: text(&info["title"]),
        symbol: text(&info["symbol"]),
        venue: text(&info["venue"]),
        dates: format!("{} to {}", text(&info["starts"]), text(&info["ends"])),
        chair: text(&info["chair"]["name"]),
        body_id: m.body_id.as_ref().map(|b| b.to_string()),
        status: status_name(m.status),
        quorum: Quorum::of(&m),
        members: m
            .members
            .iter()
            .map(|s| Attendance {
                state: s.to_string(),
                present: m.present.contains(s),
                registered: m.delegations.contains_key(s),
                delegates: m.delegations.get(s).map_or_else(Vec::new, |d| {
                    let mut names: Vec<(bool, String)> = d
                        .iter()
                        .map(|x| (!x.head_of_delegation, x.name.to_string()))
                        .collect();
                    names.sort_by_key(|(not_head, _)| *not_head);
                    names.into_iter().map(|(_, n)| n).collect()
                }),
            })
            .collect(),
        agenda_adopted: m.agenda_adopted,
        agenda: m
            .agenda
            .iter()
            .map(|e| AgendaLine {
                number: e.item.number,
                title: e.item.title.to_string(),
                substantive: e.item.nature == crate::domain::meeting::ItemNature::Substantive,
                status: match e.status {
                    ItemStatus::Pending => "pending",
                    ItemStatus::UnderConsideration => "under consideration",
                    ItemStatus::Concluded => "concluded",
                    ItemStatus::Deferred => "deferred",
                },
                current: m.current_item == Some(e.item.number),
                documents: e.item.documents.iter().map(|d| d.to_string()).collect(),
            })
            .collect(),
        current_item: m.current_item,
        speakers,
        points_of_order: m
            .points_of_order
            .iter()
            .enumerate()
            .map(|(i, p)| PointLine {
                number: i as u32 + 1,
                raised_by: p.raised_by.to_string(),
                text: p.text.to_string(),
                ruling: p.ruling.as_ref().map(|r| r.to_string()),
                status: debug_name(p.status),
            })
            .collect(),
        motions: {
            let mut v: Vec<(u32, MotionLine, u8)> = m
                .motions
                .iter()
                .enumerate()
                .map(|(i, mo)| {
                    (
                        i as u32 + 1,
                        MotionLine {
                            number: i as u32 + 1,
                            kind: debug_name(mo.kind),
                            mover: mo.mover.to_string(),
                            status: debug_name(mo.status),
                            pending: mo.status == MotionStatus::Pending,
                        },
                        crate::domain::body::MotionKind::ALL
                            .iter()
                            .position(|k| *k == mo.kind)
                            .unwrap_or(9) as u8,
                    )
                })
                .collect();
            // Pending motions first, in order of precedence (rule 119), then the rest.
            v.sort_by_key(|(n, l, rank)| (!l.pending, *rank, *n));
            v.into_iter().map(|(_, l, _)| l).collect()
        },
        vote: m.vote.as_ref().map(|v| {
            let t = v.tally();
            VotePanel {
                question: match &v.question {
                    VoteOn::Motion { motion, kind } => format!("Motion {motion} ({kind:?})"),
                    VoteOn::Appeal { point } => {
                        format!("Appeal against the ruling on point of order {point}")
                    }
                },
                recorded: v.recorded,
                yes: t.yes,
                no: t.no,
                abstain: t.abstain,
                ballots: if v.recorded {
                    v.ballots
                        .iter()
                        .map(|(s, b)| (s.to_string(), debug_name(b)))
                        .collect()
                } else {
                    vec![]
                },
            }
        }),
        consensus,
        last_decision,
        tabled,
        sat_outside_dates: m.sat_outside_dates.iter().map(|d| d.to_string()).collect(),
    })
}

/// Amendments on the board (optionally only one framework's), each with its word diff
/// against the text it was drafted on and whether that text is outdated.
pub async fn amendments(app: &App, framework: Option<&str>) -> Result<Vec<AmendmentLine>, Refusal> {
    let db = app.store.db();
    let mut out = Vec::new();
    let registry = crate::app::documents::registry(app, None).await?;
    for doc in docs::list(db, crate::projections::state_view::AMENDMENTS, "").await? {
        let (id, _, a) = state_view::decode::<Amendment>(&doc).map_err(Refusal::internal)?;
        let Some(fid) = a.framework_id() else {
            continue;
        };
        if framework.is_some_and(|f| f != fid.as_str()) {
            continue;
        }
        let (current, _) = app
            .frameworks_as_of
            .read(&app.store, fid.as_str(), Cut::Latest)
            .await?
            .ok_or_else(|| Refusal::not_found(format!("no framework {fid}")))?;
        let revision = a.current_revision();
        // The version the amendment stands on now: the reactor rebases it when a change of
        // text leaves its paragraphs alone, so this can be newer than its revision's.
        let base_version = a.base_version();
        let base = app
            .frameworks_as_of
            .read(
                &app.store,
                fid.as_str(),
                Cut::Version(revision.map_or(0, |r| r.base_version)),
            )
            .await?;
        let changes = match (revision, &base) {
            (Some(r), Some((b, _))) => paragraph_changes(&view("", b, 0), &r.operations),
            _ => vec![],
        };
        let status = a.status();
        let open = matches!(status, AmendmentStatus::Draft | AmendmentStatus::Tabled);
        let translations = a
            .translations()
            .iter()
            .map(|t| {
                let paragraphs = a
                    .revisions()
                    .get(t.revision.saturating_sub(1) as usize)
                    .map(|r| r.operations.iter().filter_map(|o| o.wording()))
                    .into_iter()
                    .flatten()
                    .map(|(p, _)| p.to_string());
                AmendmentTranslationLine {
                    language: t.language.to_string(),
                    origin: match t.origin {
                        TranslationOrigin::Human => "human",
                        TranslationOrigin::Machine => "machine",
                    },
                    revision: t.revision,
                    stale: revision.is_some_and(|r| t.revision < r.number),
                    title: t.title.to_string(),
                    wording: paragraphs
                        .zip(t.wording.iter().map(|w| w.to_string()))
                        .collect(),
                }
            })
            .collect();
        let documents = registry.linked_to(
            &DocumentLink::Amendment {
                amendment_id: Id::parse(&id).map_err(Refusal::internal)?,
            },
            false,
        );
        out.push(AmendmentLine {
            id,
            title: revision.map(|r| r.title.to_string()).unwrap_or_default(),
            proposer: a.proposer().map(|s| s.to_string()).unwrap_or_default(),
            co_sponsors: a.co_sponsors().iter().map(|s| s.to_string()).collect(),
            status: status_code(status).to_owned(),
            revision: revision.map_or(0, |r| r.number),
            base_version,
            tabled_under: a
                .tabled_under()
                .map(|t| (t.meeting_id.to_string(), t.agenda_item)),
            stale: status == AmendmentStatus::InConflict
                || (open && base_version != current.version()),
            changes,
            wording: revision
                .map(|r| r.operations.iter().filter_map(Operation::wording))
                .into_iter()
                .flatten()
                .map(|(p, w)| (p.to_string(), w.to_owned()))
                .collect(),
            translations,
            documents,
        });
    }
    Ok(out)
}

pub fn status_code(s: AmendmentStatus) -> &'static str {
    match s {
        AmendmentStatus::Draft => "draft",
        AmendmentStatus::Tabled => "tabled",
        AmendmentStatus::InConflict => "in_conflict",
        AmendmentStatus::Adopted => "adopted",
        AmendmentStatus::NoConsensus => "no_consensus",
        AmendmentStatus::Withdrawn => "withdrawn",
    }
}

/// What each operation does to its paragraph, word by word (for the board, the desk and the
/// editor's preview).
pub fn paragraph_changes(base: &FrameworkView, ops: &[Operation]) -> Vec<ParagraphChange> {
    let text_of = |id: &str| {
        base.paragraphs
            .iter()
            .find(|p| p.id.as_str() == id)
            .map(|p| p.text.to_string())
            .unwrap_or_default()
    };
    let spans = |old: &str, new: &str| {
        diff_words(old, new)
            .into_iter()
            .map(|s| Span {
                kind: match s.kind {
                    SpanKind::Unchanged => "same",
                    SpanKind::Inserted => "ins",
                    SpanKind::Deleted => "del",
                },
                text: s.text,
            })
            .collect()
    };
    ops.iter()
        .map(|op| match op {
            Operation::InsertAfter { new_id, text, .. } => ParagraphChange {
                paragraph: new_id.to_string(),
                spans: spans("", text.as_str()),
            },
            Operation::ReplaceWords {
                paragraph,
                at_word,
                old,
                new,
            } => {
                let before = text_of(paragraph.as_str());
                let words: Vec<&str> = before.split_whitespace().collect();
                let n = old.split_whitespace().count();
                let start = at_word.saturating_sub(1).min(words.len());
                let end = (start + n).min(words.len());
                let after = [
                    words[..start].join(" "),
                    new.clone(),
                    words[end..].join(" "),
                ]
                .join(" ");
                ParagraphChange {
                    paragraph: paragraph.to_string(),
                    spans: spans(&before, &after),
                }
            }
            Operation::ReplaceParagraph { paragraph, text } => ParagraphChange {
                paragraph: paragraph.to_string(),
                spans: spans(&text_of(paragraph.as_str()), text.as_str()),
            },
            Operation::DeleteParagraph { paragraph } => ParagraphChange {
                paragraph: paragraph.to_string(),
                spans: spans(&text_of(paragraph.as_str()), ""),
            },
            Operation::MoveParagraph { paragraph, .. } => ParagraphChange {
                paragraph: paragraph.to_string(),
                spans: spans(&text_of(paragraph.as_str()), &text_of(paragraph.as_str())),
            },
        })
        .collect()
}

/// The Declaration as agreed now, each paragraph with the decision that gave it its wording.
pub async fn declaration_now(app: &App, framework_id: &str) -> Result<FrameworkView, Refusal> {
    let (f, position) = app
        .frameworks_as_of
        .read(&app.store, framework_id, Cut::Latest)
        .await?
        .ok_or_else(|| Refusal::not_found(format!("no framework {framework_id}")))?;
    Ok(view(framework_id, &f, position))
}

/// An amendment's current revision and its proposer, from the read model.
pub async fn amendment_revision(
    app: &App,
    id: &str,
) -> Result<Option<(Revision, String)>, Refusal> {
    let Some((_, _, a)) = crate::app::amendments::current(app, id).await? else {
        return Ok(None);
    };
    let proposer = a.proposer().map(|s| s.to_string()).unwrap_or_default();
    Ok(a.current_revision().cloned().map(|r| (r, proposer)))
}

/// A delegate's State, or a refusal naming why there is none.
pub fn delegate_state(p: &Principal) -> Result<String, Refusal> {
    match (p.role, &p.scope) {
        (Role::Delegate, Some(s)) => Ok(s.clone()),
        _ => Err(Refusal::forbidden(
            "the delegate's desk is for a delegate credential of one State",
        )),
    }
}
