//! CSV (RFC 4180, UTF-8, a header row, CRLF line ends) through the `csv` crate, which quotes
//! whatever needs quoting. A text cell that a spreadsheet would run as a formula (it starts
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a leading `'`, as
//! OWASP advises: a State's explanation of position must never become a live formula in an
//! auditor's spreadsheet. Numbers are written as they are.

use std::collections::BTreeMap;

use crate::app::participation::{Figures, Participation};
use crate::app::register::RegisterEntry;
use crate::projections::audit::AuditEntry;

/// A text cell, defused against formula injection.
pub fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    // Writing to a Vec cannot fail.
    w.into_inner().unwrap_or_default()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

// New columns go at the end, so that a reader of older files finds every column where it was.
pub const REGISTER_HEADER: [&str; 14] = [
    "symbol",
    "meeting_id",
    "number",
    "date",
    "agenda_item",
    "kind",
    "text",
    "how_taken",
    "objections",
    "explanations",
    "entered_on_instruction_of",
    "corrigenda",
    "position",
    "documents",
];

/// The decisions register, one row per entry (an outcome without consensus has no number or
/// symbol). Objections, explanations and corrigenda are joined with `; `.
pub fn register(entries: &[RegisterEntry]) -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record(REGISTER_HEADER);
    for e in entries {
        let objections = e
            .objections
            .iter()
            .map(|o| {
                let status = if o.withdrawn { "withdrawn" } else { "standing" };
                match &o.reason {
                    Some(r) => format!("{} ({status}): {r}", o.state),
                    None => format!("{} ({status})", o.state),
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        let explanations = e
            .explanations
            .iter()
            .map(|x| {
                let when = if x.after { "after" } else { "before" };
                let mut s = format!("{} ({when}): {}", x.state, x.text);
                if !x.dissociates_from.is_empty() {
                    s.push_str(&format!(
                        " [dissociates from {}]",
                        x.dissociates_from.join(", ")
                    ));
                }
                s
            })
            .collect::<Vec<_>>()
            .join("; ");
        let corrigenda = e
            .corrigenda
            .iter()
            .map(|c| format!("{} ({}): {}", c.symbol, c.date, c.text))
            .collect::<Vec<_>>()
            .join("; ");
        let _ = w.write_record([
            cell(&opt(&e.symbol)).as_ref(),
            &cell(&e.meeting_id),
            &opt(&e.number),
            &e.date,
            &opt(&e.agenda_item),
            &e.kind,
            &cell(&e.text),
            &opt(&e.how),
            &cell(&objections),
            &cell(&explanations),
            &cell(&opt(&e.entered_on_instruction_of)),
            &cell(&corrigenda),
            &e.position.to_string(),
            &cell(&e.documents.join("; ")),
        ]);
    }
    finish(w)
}

const GENDERS: [&str; 4] = ["female", "male", "other", "not_given"];

fn figures_row(f: &Figures) -> Vec<String> {
    let n = |m: &BTreeMap<String, u32>, g: &str| m.get(g).copied().unwrap_or(0).to_string();
    let mut row = vec![f.meetings.to_string(), f.delegations.to_string()];
    row.extend(GENDERS.iter().map(|g| n(&f.delegates, g)));
    row.extend(GENDERS.iter().map(|g| n(&f.heads_of_delegation, g)));
    row.push(f.sponsored.to_string());
    row.push(f.sponsored_usd.to_string());
    row.push(f.statements.to_string());
    row.extend(GENDERS.iter().map(|g| n(&f.speakers, g)));
    let reach: Vec<String> = f
        .sponsored_by_region
        .iter()
        .map(|(group, r)| {
            let group = if group.is_empty() { "(none)" } else { group };
            format!("{group}: {} / USD {}", r.experts, r.usd)
        })
        .collect();
    row.push(cell(&reach.join("; ")).into_owned());
    row
}

/// Participation over time: a row per body and year (State empty), then a row per State the
/// reader may see, with the same columns.
pub fn participation(p: &Participation) -> Vec<u8> {
    let mut w = writer();
    let mut header = vec![
        "body_id".to_owned(),
        "year".into(),
        "state".into(),
        "meetings".into(),
        "delegations".into(),
    ];
    header.extend(GENDERS.iter().map(|g| format!("delegates_{g}")));
    header.extend(GENDERS.iter().map(|g| format!("heads_of_delegation_{g}")));
    header.push("sponsored_experts".into());
    header.push("sponsored_usd".into());
    // Added after the columns above, so a reader of the older file finds them in place.
    header.push("statements".into());
    header.extend(GENDERS.iter().map(|g| format!("speakers_{g}")));
    // "WEOG: 2 / USD 5000; (none): 1 / USD 2500": the groups are the body's own.
    header.push("sponsored_by_region".into());
    let _ = w.write_record(&header);
    for y in &p.by_year {
        let mut row = vec![y.body_id.clone(), y.year.to_string(), String::new()];
        row.extend(figures_row(&y.figures));
        let _ = w.write_record(&row);
    }
    for s in &p.by_state {
        let mut row = vec![s.body_id.clone(), s.year.to_string(), s.state.clone()];
        row.extend(figures_row(&s.figures));
        let _ = w.write_record(&row);
    }
    finish(w)
}

pub const AUDIT_HEADER: [&str; 15] = [
    "position",
    "recorded_at",
    "event_type",
    "aggregate_type",
    "aggregate_id",
    "stream_version",
    "actor",
    "role",
    "on_behalf_of",
    "meeting_id",
    "amendment_id",
    "correlation_id",
    "causation_id",
    "event_id",
    "hash",
];

/// The audit history's header row.
pub fn audit_header() -> Vec<u8> {
    let mut w = writer();
    let _ = w.write_record(AUDIT_HEADER);
    finish(w)
}

/// Rows of the audit history (no header), for writing a page at a time.
pub fn audit_rows(rows: &[AuditEntry]) -> Vec<u8> {
    let mut w = writer();
    for r in rows {
        let _ = w.write_record([
            r.position.to_string().as_str(),
            &crate::app::history::rfc3339(r.recorded_at_us),
            &r.event_type,
            &r.aggregate_type,
            &cell(&r.aggregate_id),
            &r.stream_version.to_string(),
            &cell(&opt(&r.actor)),
            &opt(&r.role),
            &cell(&opt(&r.on_behalf_of)),
            &cell(&opt(&r.meeting_id)),
            &cell(&opt(&r.amendment_id)),
            &opt(&r.correlation_id),
            &opt(&r.causation_id),
            &r.event_id,
            &r.hash,
        ]);
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::register::{ExplanationLine, ObjectionLine};

    fn read(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn formulas_are_defused_and_commas_quotes_and_newlines_survive() {
        let e = RegisterEntry {
            decision: true,
            number: Some(3),
            symbol: Some("PoA/RC.1/2026/DEC/3".into()),
            meeting_id: "rc-1".into(),
            date: "2026-11-24".into(),
            agenda_item: Some(4),
            kind: "decision".into(),
            text: "=HYPERLINK(\"http://evil\")".into(),
            how: Some("without a vote".into()),
            tally: None,
            objections: vec![ObjectionLine {
                state: "RUS".into(),
                reason: Some("Not \"agreed\",\nat all".into()),
                withdrawn: true,
            }],
            explanations: vec![ExplanationLine {
                state: "BRA".into(),
                after: true,
                text: "-1 is our view".into(),
                dissociates_from: vec!["OP-2".into()],
            }],
            position: 90,
            entered_on_instruction_of: None,
            corrigenda: vec![],
            translations: vec![],
            documents: vec!["PoA/RC.1/2026/L.4".into(), "+cmd".into()],
        };
        let bytes = register(&[e]);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("symbol,meeting_id,number,"));
        assert!(text.contains("\r\n"));
        let rows = read(&bytes);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row[6], "'=HYPERLINK(\"http://evil\")");
        assert_eq!(row[8], "RUS (withdrawn): Not \"agreed\",\nat all");
        assert_eq!(
            row[9],
            "BRA (after): -1 is our view [dissociates from OP-2]"
        );
        assert_eq!(row[12], "90");
        assert_eq!(row[13], "PoA/RC.1/2026/L.4; +cmd");
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
    }
}
