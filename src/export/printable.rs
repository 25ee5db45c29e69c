//! A document of the record as the printed formats see it: headings, paragraphs, lists and
//! tables of plain text, in one language and direction, with the log position and hash it was
//! made from. The report, the Declaration and the register are each laid out here once; the
//! PDF and DOCX writers only typeset what this says, so the two formats and the live and
//! offline paths cannot drift apart in content.

use crate::app::annex::AnnexView;
use crate::app::documents::{DocumentLine, HeldText};
use crate::app::history::FrameworkView;
use crate::app::register::RegisterEntry;
use crate::app::report::MeetingReport;
use crate::export::report::{localized_paragraphs, Localized, ReportView};
use crate::web::messages::Messages;

#[derive(Debug, Clone, PartialEq)]
pub struct Printable {
    /// The document's language (one of the six) and whether it is laid out right to left.
    pub lang: &'static str,
    pub rtl: bool,
    /// A document symbol, printed at the top on the end side, as UN documents have it.
    pub symbol: Option<String>,
    pub title: String,
    pub blocks: Vec<Block>,
    /// What every page's footer says: the log position and the head hash it was made from.
    pub position: i64,
    pub hash: String,
    pub made_from: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(u8, String),
    Para(Line),
    List(Vec<Line>),
    Table {
        caption: String,
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// A run of text in one paragraph. `lang` is set where it differs from the document's (an
/// original beside its translation), so writers can mark and lay it out in its own direction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub spans: Vec<Span>,
    pub lang: Option<String>,
    pub small: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Text(String),
    Strong(String),
}

impl Line {
    pub fn text(s: impl Into<String>) -> Self {
        Self {
            spans: vec![Span::Text(s.into())],
            ..Self::default()
        }
    }
    fn strong(mut self, s: impl Into<String>) -> Self {
        self.spans.push(Span::Strong(s.into()));
        self
    }
    fn then(mut self, s: impl Into<String>) -> Self {
        self.spans.push(Span::Text(s.into()));
        self
    }
    fn small(mut self) -> Self {
        self.small = true;
        self
    }
    fn in_lang(mut self, lang: &str) -> Self {
        self.lang = Some(lang.to_owned());
        self
    }
    /// The line's words, as a text extractor would read them back.
    pub fn plain(&self) -> String {
        self.spans
            .iter()
            .map(|s| match s {
                Span::Text(t) | Span::Strong(t) => t.as_str(),
            })
            .collect()
    }
}

impl Printable {
    fn new(m: &Messages, title: String, position: i64, hash: &str) -> Self {
        Self {
            lang: m.lang,
            rtl: m.dir == "rtl",
            symbol: None,
            title,
            blocks: Vec::new(),
            position,
            hash: hash.to_owned(),
            made_from: format!(
                "{} {position} · {} {hash}",
                m.t("report.made_from"),
                m.t("report.hash")
            ),
        }
    }
    fn h(&mut self, level: u8, s: impl Into<String>) {
        self.blocks.push(Block::Heading(level, s.into()));
    }
    fn p(&mut self, l: Line) {
        self.blocks.push(Block::Para(l));
    }
    fn list(&mut self, lines: Vec<Line>) {
        if !lines.is_empty() {
            self.blocks.push(Block::List(lines));
        }
    }

    /// Every word of the document in reading order, one block a line: what a test compares
    /// with the text extracted from a PDF or DOCX.
    pub fn plain_text(&self) -> String {
        let mut out = Vec::new();
        out.extend(self.symbol.clone());
        out.push(self.title.clone());
        for b in &self.blocks {
            match b {
                Block::Heading(_, s) => out.push(s.clone()),
                Block::Para(l) => out.push(l.plain()),
                Block::List(ls) => out.extend(ls.iter().map(Line::plain)),
                Block::Table {
                    caption,
                    head,
                    rows,
                } => {
                    out.push(caption.clone());
                    out.push(head.join(" "));
                    out.extend(rows.iter().map(|r| r.join(" ")));
                }
            }
        }
        out.push(self.made_from.clone());
        out.join("\n")
    }
}

fn join(items: &[String]) -> String {
    items.join(", ")
}

/// Under a translated text: where the translation came from, and the original.
fn original_line(doc: &mut Printable, d: &Localized, m: &Messages) {
    if let Some(o) = &d.original {
        let stale = if d.stale {
            format!(", {}", m.t("framework.stale"))
        } else {
            String::new()
        };
        doc.p(Line::text(format!(
            "{}{stale}. {}: ",
            m.t(d.origin),
            m.t("framework.original")
        ))
        .then(o.clone())
        .small()
        .in_lang("en"));
    }
}

/// An agenda item's line: its number and title (translated where it is, the original in
/// brackets).
fn item_line(rv: &ReportView, number: u32, title: &str) -> String {
    let t = rv.item_title(&number, title);
    match &t.original {
        Some(o) => format!("{number}. {} ({o})", t.text),
        None => format!("{number}. {}", t.text),
    }
}

/// The Declaration paragraphs of `f` in `m`'s language where translated, the original marked.
fn declaration_blocks(doc: &mut Printable, f: &FrameworkView, m: &Messages) {
    for p in localized_paragraphs(f, m) {
        let line = Line::default()
            .strong(format!("{} ", p.number))
            .then(p.text);
        doc.p(if p.lang == m.lang {
            line
        } else {
            line.in_lang(&p.lang)
        });
        if let Some(o) = p.original {
            let stale = if p.stale {
                format!(", {}", m.t("framework.stale"))
            } else {
                String::new()
            };
            doc.p(Line::text(format!(
                "{}{stale}. {}: ",
                m.t(p.origin),
                m.t("framework.original")
            ))
            .then(o)
            .small()
            .in_lang("en"));
        }
    }
}

/// The Declaration (each framework in `frameworks`) as it stood at `position`, followed by
/// the annex of regional initiatives as adopted at the same position (each of `annexes` that
/// has an entry in force).
pub fn declaration(
    frameworks: &[FrameworkView],
    annexes: &[AnnexView],
    position: i64,
    hash: &str,
    m: &Messages,
) -> Printable {
    let title = frameworks
        .first()
        .and_then(|f| f.name.clone())
        .unwrap_or_else(|| m.t("report.declaration").to_owned());
    let mut doc = Printable::new(m, title, position, hash);
    for f in frameworks {
        if frameworks.len() > 1 {
            doc.h(2, f.name.clone().unwrap_or_else(|| f.id.clone()));
        }
        doc.p(Line::text(format!(
            "{} {} · {} {}",
            m.t("framework.version"),
            f.version,
            m.t("framework.as_of"),
            f.as_of_position
        ))
        .small());
        declaration_blocks(&mut doc, f, m);
    }
    if frameworks.is_empty() {
        doc.p(Line::text(m.t("framework.none")));
    }
    for a in annexes.iter().filter(|a| !a.entries.is_empty()) {
        annex_blocks(&mut doc, a, annexes.len() > 1, m);
    }
    doc
}

/// The annex's entries in force, each with the decision that adopted its wording.
fn annex_blocks(doc: &mut Printable, a: &AnnexView, several: bool, m: &Messages) {
    let mut title = m.t("annex.title").to_owned();
    if several {
        title.push_str(&format!(" ({})", a.body_id));
    }
    doc.h(2, title);
    for e in &a.entries {
        doc.h(3, format!("{}: {}", e.organisation, e.title));
        doc.p(Line::text(e.description.clone()));
        if !e.links.is_empty() {
            doc.list(e.links.iter().map(|l| Line::text(l.clone())).collect());
        }
        if let Some(d) = &e.adopted_by {
            doc.p(Line::text(format!(
                "{} {}, {}",
                m.t("annex.adopted_by"),
                d.symbol,
                d.date
            ))
            .small());
        }
    }
}

fn entry_blocks(doc: &mut Printable, e: &RegisterEntry, m: &Messages, rv: Option<&ReportView>) {
    let mut head = e
        .symbol
        .clone()
        .unwrap_or_else(|| m.t("register.no_consensus").to_owned());
    head.push_str(&format!(" · {}", e.date));
    if let Some(item) = e.agenda_item {
        head.push_str(&format!(" · {} {item}", m.t("register.item")));
    }
    doc.h(3, head);
    let d = match rv {
        Some(rv) => rv.decision_text(e),
        None => e.localized(m.lang),
    };
    doc.p(Line::text(d.text.clone()));
    original_line(doc, &d, m);
    if !e.documents.is_empty() {
        doc.p(Line::text(format!(
            "{}: {}",
            m.t("register.documents"),
            e.documents.join(", ")
        ))
        .small());
    }
    if let Some(who) = &e.entered_on_instruction_of {
        doc.p(Line::text(format!("{} {who}.", m.t("register.entered"))).small());
    }
    for c in &e.corrigenda {
        doc.p(Line::default()
            .strong(c.symbol.clone())
            .then(format!(
                " ({}): {} · {} {}",
                c.date,
                c.text,
                m.t("register.corrigendum_reason"),
                c.reason
            ))
            .small());
    }
    if let Some(how) = crate::export::report::how_taken(e, m) {
        doc.p(Line::text(format!("{} {how}.", m.t("register.taken"))));
    }
    if !e.objections.is_empty() {
        let list = e
            .objections
            .iter()
            .map(|o| {
                let reason = o
                    .reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                let standing = if o.withdrawn {
                    m.t("register.withdrawn")
                } else {
                    m.t("register.standing")
                };
                format!("{}{reason}, {standing}", o.state)
            })
            .collect::<Vec<_>>()
            .join("; ");
        doc.p(Line::text(format!(
            "{}: {list}",
            m.t("register.objections")
        )));
    }
    if !e.explanations.is_empty() {
        doc.p(Line::text(format!("{}:", m.t("register.explanations"))));
        doc.list(
            e.explanations
                .iter()
                .map(|x| {
                    let mut l = Line::default()
                        .strong(x.state.clone())
                        .then(format!(": {}", x.text));
                    if !x.dissociates_from.is_empty() {
                        l = l.then(format!(
                            " · {} {}",
                            m.t("register.dissociates"),
                            join(&x.dissociates_from)
                        ));
                    }
                    l
                })
                .collect(),
        );
    }
}

/// The decisions register (the entries a filter selected), in log order.
pub fn register(
    entries: &[RegisterEntry],
    scope: &str,
    position: i64,
    hash: &str,
    m: &Messages,
) -> Printable {
    let mut doc = Printable::new(m, m.t("register.title").to_owned(), position, hash);
    doc.p(Line::text(scope).small());
    if entries.is_empty() {
        doc.p(Line::text(m.t("register.none")));
    }
    // Register order, whatever order the entries came in (the service reads them a page at
    // a time, a replay in log order): by meeting, its decisions by number, then its outcomes.
    let mut sorted: Vec<&RegisterEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.meeting_id, !a.decision, a.number, a.position).cmp(&(
            &b.meeting_id,
            !b.decision,
            b.number,
            b.position,
        ))
    });
    for e in sorted {
        entry_blocks(&mut doc, e, m, None);
    }
    doc
}

/// The meeting report, section by section as the HTML report has it.
pub fn report(r: &MeetingReport, m: &Messages) -> Printable {
    let rv = ReportView::new(r, m);
    let mut doc = Printable::new(
        m,
        format!("{} {}", m.t("report.of"), r.title),
        r.position,
        &r.hash,
    );
    doc.symbol = Some(r.symbol.clone());
    doc.p(Line::text(format!(
        "{} · {} – {}",
        r.venue, r.starts, r.ends
    )));
    let closed = r
        .closed_on
        .as_ref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    doc.p(Line::text(format!(
        "{}: {} · {}: {}{closed}",
        m.t("report.chair"),
        r.chair,
        m.t("report.status"),
        m.code("status", &r.status)
    )));
    if !r.sat_on.is_empty() {
        doc.p(Line::text(format!(
            "{}: {}",
            m.t("report.sat_on"),
            join(&r.sat_on)
        )));
    }
    if !r.sat_outside_dates.is_empty() {
        doc.p(Line::text(format!(
            "{}: {}",
            m.t("report.outside"),
            join(&r.sat_outside_dates)
        )));
    }
    doc.p(match &r.adopted_by {
        Some(a) => Line::default().strong(format!(
            "{} {} ({}; {} {})",
            m.t("report.adopted_by"),
            a.decision,
            a.date,
            m.t("report.draft"),
            a.draft
        )),
        None => Line::text(m.t("report.not_adopted_yet")).small(),
    });

    let a = &r.attendance;
    doc.h(2, format!("I. {}", m.t("report.attendance")));
    let present = if a.states_present.is_empty() {
        String::new()
    } else {
        format!(" ({})", join(&a.states_present))
    };
    doc.p(Line::text(format!(
        "{}: {} / {}{present}.",
        m.t("report.present"),
        a.states_present.len(),
        a.members
    )));
    let genders = ["female", "male", "other", "not_given"];
    let row = |label: &str, by| {
        std::iter::once(m.t(label).to_owned())
            .chain(genders.iter().map(|g| rv.gender(by, g).to_string()))
            .collect()
    };
    doc.blocks.push(Block::Table {
        caption: m.t("report.gender").to_owned(),
        head: std::iter::once(String::new())
            .chain(
                genders
                    .iter()
                    .map(|g| m.t(&format!("report.{g}")).to_owned()),
            )
            .collect(),
        rows: vec![
            row("report.delegates", &a.delegates_by_gender),
            row("report.heads", &a.heads_by_gender),
        ],
    });
    if a.sponsored_experts > 0 {
        doc.p(Line::text(format!(
            "{}: {}",
            m.t("report.sponsored"),
            a.sponsored_experts
        )));
    }
    doc.h(3, m.t("report.participants"));
    if a.delegations.is_empty() {
        doc.p(Line::text(m.t("report.none")));
    }
    doc.list(
        a.delegations
            .iter()
            .map(|d| {
                let members = d
                    .members
                    .iter()
                    .map(|n| {
                        if d.head.as_deref() == Some(n.as_str()) {
                            format!("{n} ({})", m.t("report.head"))
                        } else {
                            n.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                Line::default()
                    .strong(d.state.clone())
                    .then(format!(": {members}"))
            })
            .collect(),
    );
    if !a.observers.is_empty() {
        doc.h(3, m.t("report.observers"));
        doc.list(a.observers.iter().map(|o| Line::text(o.clone())).collect());
    }
    if !a.stakeholders.is_empty() {
        doc.h(3, m.t("report.stakeholders"));
        doc.list(
            a.stakeholders
                .iter()
                .map(|s| {
                    Line::text(format!(
                        "{} ({}, {})",
                        s.name,
                        m.code("stakeholder", &s.kind),
                        m.code("stakeholder_role", &s.role)
                    ))
                })
                .collect(),
        );
    }

    doc.h(2, format!("II. {}", m.t("report.agenda")));
    if r.agenda_adopted.is_empty() {
        doc.p(Line::text(m.t("report.not_adopted")));
    } else {
        doc.h(3, m.t("report.as_adopted"));
        doc.list(
            r.agenda_adopted
                .iter()
                .map(|i| {
                    let mut s = item_line(&rv, i.number, &i.title);
                    if i.procedural {
                        s.push_str(&format!(" [{}]", m.t("report.procedural")));
                    }
                    if !i.documents.is_empty() {
                        s.push_str(&format!(" ({})", join(&i.documents)));
                    }
                    Line::text(s)
                })
                .collect(),
        );
    }
    if !r.agenda_changes.is_empty() {
        doc.h(3, m.t("report.changes"));
        doc.list(
            r.agenda_changes
                .iter()
                .map(|c| {
                    let mut s = format!(
                        "{} · {} {}: {}",
                        c.date,
                        m.t("register.decision"),
                        c.decision_number,
                        m.code("report.change", &c.change)
                    );
                    if let Some(i) = c.item {
                        s.push_str(&format!(" {} {i}", m.t("register.item")));
                    }
                    if !c.detail.is_empty() {
                        s.push_str(&format!(" ({})", c.detail));
                    }
                    Line::text(s)
                })
                .collect(),
        );
    }
    if !r.agenda.is_empty() {
        doc.h(3, m.t("report.agenda_now"));
        doc.list(
            r.agenda
                .iter()
                .map(|i| {
                    let status = i
                        .status
                        .as_ref()
                        .map(|s| format!(" [{}]", m.code("item", s)))
                        .unwrap_or_default();
                    Line::text(format!("{}{status}", item_line(&rv, i.number, &i.title)))
                })
                .collect(),
        );
    }

    doc.h(2, format!("III. {}", m.t("report.decisions")));
    if r.decisions.is_empty() {
        doc.p(Line::text(m.t("register.none")));
    }
    for e in &r.decisions {
        entry_blocks(&mut doc, e, m, Some(&rv));
    }

    if !r.summary_records.is_empty() {
        doc.h(2, format!("IV. {}", m.t("report.summary_records")));
        for s in &r.summary_records {
            let mut head = s.date.clone();
            if let Some(sym) = &s.symbol {
                head.push_str(&format!(" · {sym}"));
            }
            if s.kept > 1 {
                head.push_str(&format!(" ({})", m.t("report.revised")));
            }
            doc.h(3, head);
            for para in s.text.split("\n\n").filter(|p| !p.trim().is_empty()) {
                doc.p(Line::text(para.trim().to_owned()));
            }
        }
    }

    doc.h(
        2,
        format!("{} I. {}", m.t("report.annex"), m.t("report.declaration")),
    );
    match &r.annexes.declaration {
        Some(f) => {
            let name = f
                .name
                .as_ref()
                .map(|n| format!("{n}, "))
                .unwrap_or_default();
            doc.p(Line::text(format!(
                "{name}{} {} · {} {}",
                m.t("framework.version"),
                f.version,
                m.t("framework.as_of"),
                f.as_of_position
            )));
            declaration_blocks(&mut doc, f, m);
        }
        None => doc.p(Line::text(m.t("framework.none"))),
    }
    doc.h(
        2,
        format!("{} II. {}", m.t("report.annex"), m.t("report.programme")),
    );
    if r.annexes.programme_of_work.is_empty() {
        doc.p(Line::text(m.t("report.none")));
    }
    doc.list(
        r.annexes
            .programme_of_work
            .iter()
            .map(|p| Line::text(format!("{} · {} – {}", p.title, p.starts, p.ends)))
            .collect(),
    );
    doc.h(
        2,
        format!("{} III. {}", m.t("report.annex"), m.t("report.documents")),
    );
    doc.list(
        r.annexes
            .documents
            .iter()
            .map(|d| match &d.title {
                Some(t) => Line::text(format!("{} · {t}", d.symbol)),
                None => Line::text(d.symbol.clone()),
            })
            .collect(),
    );
    doc
}

/// A registered document: its record in the registry, and its text where Plenary holds it.
pub fn document(
    d: &DocumentLine,
    held: Option<&HeldText>,
    position: i64,
    hash: &str,
    m: &Messages,
) -> Printable {
    let mut doc = Printable::new(m, d.title.clone(), position, hash);
    doc.symbol = Some(d.symbol.clone());
    let mut rows = vec![vec![
        m.t("documents.distribution").to_owned(),
        m.code("distribution", d.distribution).to_owned(),
    ]];
    if let Some(date) = &d.date {
        rows.push(vec![m.t("documents.date").to_owned(), date.clone()]);
    }
    if let Some(issuer) = &d.issuer {
        rows.push(vec![m.t("documents.issued_by").to_owned(), issuer.clone()]);
    }
    if let (Some(rel), Some(to)) = (d.relation, &d.related_to) {
        rows.push(vec![m.code("relation", rel).to_owned(), to.clone()]);
    }
    if let Some(by) = &d.replaced_by {
        rows.push(vec![m.t("documents.replaced_by").to_owned(), by.clone()]);
    }
    if !d.languages.is_empty() {
        rows.push(vec![
            m.t("documents.languages").to_owned(),
            d.languages.join(", "),
        ]);
    }
    if !d.links.is_empty() {
        rows.push(vec![
            m.t("documents.belongs").to_owned(),
            d.links.join("; "),
        ]);
    }
    doc.blocks.push(Block::Table {
        caption: String::new(),
        head: vec![m.t("documents.symbol").to_owned(), d.symbol.clone()],
        rows,
    });
    if let Some(h) = held {
        doc.h(2, h.title.clone());
        for para in h.text.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let l = Line::text(para.trim().to_owned());
            doc.p(if h.lang == m.lang {
                l
            } else {
                l.in_lang(&h.lang)
            });
        }
        if let Some((lang, o)) = &h.original {
            doc.h(3, format!("{} ({lang})", m.t("documents.original_text")));
            for para in o.split("\n\n").filter(|p| !p.trim().is_empty()) {
                let l = Line::text(para.trim().to_owned()).small();
                doc.p(if lang == m.lang { l } else { l.in_lang(lang) });
            }
        }
    }
    doc
}
