//! Replay from an export bundle alone: the frameworks and the decisions register as they stood
//! at a log position or a time, folded with the same code the live service uses.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::bundle::{self, EventLine, Manifest};
use crate::app::annex::AnnexView;
use crate::app::as_of::{first_difference, AggregateFold, MeetingFold, RegisterFold};
use crate::app::history::{fold_framework, view, Cut, FrameworkView};
use crate::app::report::{MeetingReport, ReportFold};
use crate::domain::amendment::Amendment;
use crate::domain::annex::Annex;
use crate::domain::documents::DocumentRegistry;
use crate::store::StoredEvent;

// The record types replay folds; every other record is read past.
const FRAMEWORK: &str = <crate::domain::framework::Framework as cqrs_es::Aggregate>::TYPE;
const MEETING: &str = <crate::domain::meeting::Meeting as cqrs_es::Aggregate>::TYPE;
const AMENDMENT: &str = <Amendment as cqrs_es::Aggregate>::TYPE;
const REGISTRY: &str = <DocumentRegistry as cqrs_es::Aggregate>::TYPE;
const ANNEX: &str = <Annex as cqrs_es::Aggregate>::TYPE;

#[derive(Debug, Clone, Serialize)]
pub struct Replayed {
    /// The last log position the replay includes, and its hash (hex).
    pub position: i64,
    pub hash: String,
    /// The bundle's whole chain was checked before replaying (hashes, links, manifest,
    /// Merkle root, checkpoints in the log); the manifest's signature only with a key, which
    /// is `plenary audit verify --public-key`'s job.
    pub chain_verified: VerifiedChain,
    pub cut: String,
    pub frameworks: Vec<FrameworkView>,
    /// The decisions register, in log order.
    pub decisions: Vec<Value>,
    /// Each meeting's state, as `GET /api/v1/meetings/{id}` shows it to an auditor.
    pub meetings: Vec<Value>,
    /// The amendments board, in id order, as `GET /api/v1/amendments` shows it.
    pub amendments: Vec<Value>,
    /// Each body's annex of regional initiatives, as `GET /api/v1/annexes/{id}?at=` shows
    /// it to an auditor.
    pub annexes: Vec<AnnexView>,
    /// The body of each framework, by framework id (which annex goes with which Declaration).
    #[serde(skip)]
    pub framework_bodies: BTreeMap<String, String>,
    /// Each meeting's report, as `GET /api/v1/meetings/{id}/report` gives it for the same
    /// cut (not in `--json`: `--report` writes one).
    #[serde(skip)]
    pub reports: BTreeMap<String, MeetingReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifiedChain {
    pub events: i64,
    pub first_position: i64,
    pub last_position: i64,
    pub head_hash: String,
}

/// Replays `dir` up to `cut` (a position or a time; versions are per framework and not a cut
/// of the whole log). A bundle whose chain does not verify is not replayed: a replay of
/// altered history would look as authoritative as one of the real history.
pub fn replay(dir: &Path, cut: Cut) -> Result<Replayed, String> {
    if matches!(cut, Cut::Version(_)) {
        return Err("replay cuts the log at a position or a time, not a version".into());
    }
    let checked = super::verify::verify_bundle(dir, None, &[])?;
    if let Some(f) = &checked.problem {
        return Err(format!(
            "not replayed: the bundle is damaged at position {}: {}: {} (see `plenary audit verify`)",
            f.position,
            f.damage.label(),
            f.detail
        ));
    }
    // A range export lacks the streams' beginnings: folding it would show a state that
    // never existed.
    if checked.first_position != 1 {
        return Err(format!(
            "not replayed: the bundle starts at position {} (a range export); replay needs the \
             log from position 1",
            checked.first_position
        ));
    }
    // Refused as the live API refuses `at=p:N` past its head: the bundle cannot say what the
    // log held there, and replaying to its end instead would answer another question.
    if let Cut::Position(p) = cut {
        if p > checked.last_position {
            return Err(format!(
                "position {p} is beyond the end of the bundle: its last position is {}",
                checked.last_position
            ));
        }
    }
    let chain_verified = VerifiedChain {
        events: checked.events_checked,
        first_position: checked.first_position,
        last_position: checked.last_position,
        head_hash: checked.head_hash,
    };
    let manifest = Manifest::read(dir)?;
    let mut streams: BTreeMap<String, Vec<StoredEvent>> = BTreeMap::new();
    let mut decisions = RegisterFold::default();
    let mut meetings: BTreeMap<String, MeetingFold> = BTreeMap::new();
    let mut amendments: BTreeMap<String, AggregateFold<Amendment>> = BTreeMap::new();
    let mut reports: BTreeMap<String, ReportFold> = BTreeMap::new();
    let mut registry: Vec<StoredEvent> = Vec::new();
    // Each body's annex, and the position of its last event.
    let mut annexes: BTreeMap<String, (AggregateFold<Annex>, i64)> = BTreeMap::new();
    let mut position = 0;
    let mut hash = String::new();
    let mut failed: Option<String> = None;
    bundle::for_each_line(dir, &manifest, |n, line| {
        // Most events are neither framework nor decision: read only the envelope first.
        let l: EventLine<'_> = match serde_json::from_str(line) {
            Ok(l) => l,
            Err(e) => {
                failed = Some(format!("line {n}: {e} (run `plenary audit verify`)"));
                return false;
            }
        };
        let included = match cut {
            Cut::Position(p) => l.position <= p,
            Cut::Time(t) => l.recorded_at_us <= t,
            _ => true,
        };
        if !included {
            // Positions only grow; times may not (clocks), so a time cut reads on.
            return !matches!(cut, Cut::Position(_));
        }
        position = l.position;
        hash.clear();
        hash.push_str(&l.hash);
        // The register folds meeting events only; frameworks are their own streams.
        let t = l.aggregate_type.as_ref() as &str;
        if ![FRAMEWORK, MEETING, AMENDMENT, REGISTRY, ANNEX].contains(&t) {
            return true;
        }
        let e = match l.to_stored() {
            Ok(e) => e,
            Err(why) => {
                failed = Some(why);
                return false;
            }
        };
        if e.aggregate_type == FRAMEWORK {
            streams.entry(e.aggregate_id.clone()).or_default().push(e);
            return true;
        }
        if e.aggregate_type == REGISTRY {
            registry.push(e);
            return true;
        }
        if e.aggregate_type == ANNEX {
            let (fold, at) = annexes.entry(e.aggregate_id.clone()).or_default();
            *at = e.position;
            if let Err(err) = fold.push(&e) {
                failed = Some(err.to_string());
                return false;
            }
            return true;
        }
        if e.aggregate_type == AMENDMENT {
            if let Err(err) = amendments
                .entry(e.aggregate_id.clone())
                .or_default()
                .push(&e)
            {
                failed = Some(err.to_string());
                return false;
            }
            return true;
        }
        let folded = decisions
            .push(&e)
            .and_then(|()| meetings.entry(e.aggregate_id.clone()).or_default().push(&e))
            .and_then(|()| reports.entry(e.aggregate_id.clone()).or_default().push(&e));
        if let Err(err) = folded {
            failed = Some(err.to_string());
            return false;
        }
        true
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    // Each meeting's report, with the Declaration annex cut as the live service cuts it.
    let mut meeting_reports = BTreeMap::new();
    for (id, fold) in reports {
        let declaration = match (fold.body_id(), fold.declaration_cut()) {
            (Some(body), Some(at)) => match streams.get(&body) {
                Some(events) => fold_framework(events, Cut::Position(at))
                    .map_err(|e| e.to_string())?
                    .map(|(f, p)| view(&body, &f, p)),
                None => None,
            },
            _ => None,
        };
        // The registry as of the report's position, as the live service cuts it.
        let mut documents = AggregateFold::<DocumentRegistry>::default();
        for e in registry
            .iter()
            .filter(|e| fold.position().is_some_and(|p| e.position <= p))
        {
            documents.push(e).map_err(|e| e.to_string())?;
        }
        let documents = (documents.version > 0).then_some(documents.state);
        if let Some(r) = fold.report(declaration, documents.as_ref()) {
            meeting_reports.insert(id, r);
        }
    }
    let mut frameworks = Vec::new();
    let mut framework_bodies = BTreeMap::new();
    for (id, events) in streams {
        // The time cut of a framework stream is a prefix, exactly as the live service reads it.
        if let Some((f, at)) = fold_framework(&events, cut).map_err(|e| e.to_string())? {
            if let Some(body) = f.body_id() {
                framework_bodies.insert(id.clone(), body.to_string());
            }
            frameworks.push(view(&id, &f, at));
        }
    }
    let auditor = crate::app::access::Principal {
        credential_id: "replay".into(),
        role: crate::app::access::Role::Auditor,
        scope: None,
        label: "replay".into(),
    };
    let annexes = annexes
        .iter()
        .map(|(body, (fold, at))| crate::app::annex::view(body, &fold.state, &auditor, Some(*at)))
        .collect();
    let mut decisions: Vec<Value> = decisions
        .into_entries()
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let meetings = meetings
        .into_iter()
        .map(|(id, m)| {
            crate::app::meeting_reads::MeetingView::of(
                &id,
                m.version,
                &m.meeting,
                m.info.unwrap_or(Value::Null),
                true,
            )
            .and_then(serde_json::to_value)
            .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    decisions.sort_by_key(|d| d["position"].as_i64());
    // Each decision names its documents in the registry as of the cut, as the service does.
    let mut documents = AggregateFold::<DocumentRegistry>::default();
    for e in &registry {
        documents.push(e).map_err(|e| e.to_string())?;
    }
    crate::app::register::attach_documents(&mut decisions, &documents.state);
    Ok(Replayed {
        position,
        hash,
        chain_verified,
        cut: cut_label(cut),
        frameworks,
        decisions,
        meetings,
        amendments: amendments
            .iter()
            .map(|(id, f)| crate::app::amendments::card(id, f.version, &f.state))
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?,
        annexes,
        framework_bodies,
        reports: meeting_reports,
    })
}

impl Replayed {
    /// The annexes that go with `frameworks` (those of their bodies).
    pub fn annexes_of(&self, frameworks: &[FrameworkView]) -> Vec<AnnexView> {
        let bodies: Vec<&String> = frameworks
            .iter()
            .filter_map(|f| self.framework_bodies.get(&f.id))
            .collect();
        self.annexes
            .iter()
            .filter(|a| bodies.contains(&&a.body_id))
            .cloned()
            .collect()
    }
}

/// The replay as plain text for a terminal.
pub fn render_text(r: &Replayed) -> String {
    let c = &r.chain_verified;
    let mut s = format!(
        "As of {} (log position {})\nChain verified: {} events, positions {} to {}, head {} (manifest signature not checked here; use `plenary audit verify --public-key`)\n",
        r.cut, r.position, c.events, c.first_position, c.last_position, c.head_hash
    );
    for f in &r.frameworks {
        s.push_str(&format!(
            "\n== {} ({}), version {}, last changed at position {} ==\n",
            f.name.as_deref().unwrap_or("(unnamed)"),
            f.id,
            f.version,
            f.as_of_position
        ));
        for p in &f.paragraphs {
            s.push_str(&format!(
                "{:>6}  {}\n        [{}]\n",
                p.number,
                p.text,
                provenance(&p.provenance)
            ));
        }
    }
    for a in r.annexes.iter().filter(|a| !a.entries.is_empty()) {
        s.push_str(&format!(
            "\n== Annex of regional initiatives ({}), as adopted ==\n",
            a.body_id
        ));
        for e in &a.entries {
            let by = e
                .adopted_by
                .as_ref()
                .map(|d| format!("adopted by {}, {}", d.symbol, d.date))
                .unwrap_or_default();
            s.push_str(&format!(
                "{}: {}\n        [{by}]\n",
                e.organisation, e.title
            ));
        }
    }
    s.push_str(&format!(
        "\n== Decisions register ({}) ==\n",
        r.decisions.len()
    ));
    for d in &r.decisions {
        s.push_str(&format!(
            "{}  {}  {}  {}: {}\n",
            d["symbol"].as_str().unwrap_or("-"),
            d["date"].as_str().unwrap_or("-"),
            d["meeting_id"].as_str().unwrap_or("-"),
            d["kind"].as_str().unwrap_or("-"),
            d["text"].as_str().unwrap_or("")
        ));
    }
    s
}

fn provenance(p: &crate::domain::framework::Provenance) -> String {
    use crate::domain::framework::Provenance as P;
    match p {
        P::Establishment { symbol, date } => format!("established by {symbol}, {date}"),
        P::Decision {
            decision,
            amendment_id,
        } => format!(
            "decision {} ({} no. {}), {}, amendment {amendment_id}",
            decision.symbol, decision.meeting_id, decision.number, decision.date
        ),
        P::ExternalEndorsement { symbol, date } => format!("endorsed by {symbol}, {date}"),
    }
}

/// The declaration text as Markdown.
pub fn render_markdown(r: &Replayed) -> String {
    let mut s = String::new();
    for f in &r.frameworks {
        s.push_str(&format!(
            "# {}\n\n*Version {}, as of {} (log position {}).*\n\n",
            md_escape(f.name.as_deref().unwrap_or(&f.id)),
            f.version,
            r.cut,
            r.position
        ));
        for p in &f.paragraphs {
            s.push_str(&format!(
                "**{}** {}\n\n<sub>{}</sub>\n\n",
                md_escape(&p.number),
                md_escape(p.text.as_str()),
                md_escape(&provenance(&p.provenance))
            ));
        }
    }
    s
}

/// The declaration text as a standalone HTML page; every text is escaped.
pub fn render_html(r: &Replayed) -> String {
    declaration_html(
        &r.frameworks,
        &r.annexes_of(&r.frameworks),
        &r.cut,
        r.position,
    )
}

/// How a cut is named in what replay writes ("position 104", a time, "latest").
pub fn cut_label(cut: Cut) -> String {
    match cut {
        Cut::Position(p) => format!("position {p}"),
        Cut::Version(v) => format!("version {v}"),
        Cut::Time(t) => chrono::DateTime::from_timestamp_micros(t)
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_else(|| t.to_string()),
        _ => "latest".into(),
    }
}

/// The Declaration(s) as a standalone HTML document, as of `cut` (its label) at log position
/// `position`: what `audit replay --html` writes and the service's download gives.
pub fn declaration_html(
    frameworks: &[FrameworkView],
    annexes: &[AnnexView],
    cut: &str,
    position: i64,
) -> String {
    let mut s = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Political Declaration</title>\n<style>body{font-family:serif;max-width:46em;margin:2em auto}p.prov{font-size:.8em;color:#555}</style></head><body>\n",
    );
    for f in frameworks {
        s.push_str(&format!(
            "<h1>{}</h1>\n<p><em>Version {}, as of {} (log position {}).</em></p>\n",
            html_escape(f.name.as_deref().unwrap_or(&f.id)),
            f.version,
            html_escape(cut),
            position
        ));
        for p in &f.paragraphs {
            s.push_str(&format!(
                "<p id=\"{}\"><strong>{}</strong> {}</p>\n<p class=\"prov\">{}</p>\n",
                html_escape(p.id.as_str()),
                html_escape(&p.number),
                html_escape(p.text.as_str()),
                html_escape(&provenance(&p.provenance))
            ));
        }
    }
    for a in annexes.iter().filter(|a| !a.entries.is_empty()) {
        s.push_str(&format!(
            "<h2>Annex of regional initiatives ({}), as adopted</h2>\n",
            html_escape(&a.body_id)
        ));
        for e in &a.entries {
            s.push_str(&format!(
                "<h3 id=\"annex-{}\">{}: {}</h3>\n<p>{}</p>\n",
                html_escape(&e.id),
                html_escape(&e.organisation),
                html_escape(&e.title),
                html_escape(&e.description)
            ));
            for l in &e.links {
                s.push_str(&format!("<p class=\"prov\">{}</p>\n", html_escape(l)));
            }
            if let Some(d) = &e.adopted_by {
                s.push_str(&format!(
                    "<p class=\"prov\">adopted by {}, {}</p>\n",
                    html_escape(&d.symbol),
                    html_escape(&d.date)
                ));
            }
        }
    }
    s.push_str("</body></html>\n");
    s
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown-significant characters escaped, so a paragraph's text is shown, never interpreted.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_{}[]<>()#+-.!|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Compares a replay with what a live server shows for the same cut. Returns the differences
/// (empty when they agree).
pub async fn compare_with_server(
    r: &Replayed,
    cut: Cut,
    base: &str,
    token: &str,
) -> Result<Vec<String>, String> {
    let at = match cut {
        Cut::Position(p) => format!("p:{p}"),
        Cut::Time(t) => chrono::DateTime::from_timestamp_micros(t)
            .ok_or("time out of range")?
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        _ => return Err("compare needs a position or a time".into()),
    };
    let q = form_urlencoded::byte_serialize(at.as_bytes()).collect::<String>();
    let mut diffs = Vec::new();
    for f in &r.frameworks {
        let live = http_get(base, &format!("/api/v1/frameworks/{}?at={q}", f.id), token).await?;
        let mine = serde_json::to_value(f).map_err(|e| e.to_string())?;
        if let Some(d) = first_difference(&format!("framework {}", f.id), &live, &mine) {
            diffs.push(format!("{d} (the server's first, the bundle's second)"));
        }
    }
    // The register as of the cut, a page at a time in register order; the replay lists it
    // by position.
    let mut live: Vec<Value> = Vec::new();
    let mut path = format!("/api/v1/decisions?limit=1000&at={q}");
    loop {
        let page = http_get(base, &path, token).await?;
        let items = page["decisions"]
            .as_array()
            .ok_or("the server's decisions register is not a list")?;
        live.extend(items.iter().cloned());
        match page["next"].as_str() {
            Some(next) => {
                path = format!(
                    "/api/v1/decisions?limit=1000&at={q}&after={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                )
            }
            None => break,
        }
    }
    live.sort_by_key(|d| d["position"].as_i64());
    if let Some(d) = first_difference(
        "decisions register",
        &Value::Array(live),
        &Value::Array(r.decisions.clone()),
    ) {
        diffs.push(format!("{d} (the server's first, the bundle's second)"));
    }
    let mut board: Vec<Value> = Vec::new();
    let mut path = format!("/api/v1/amendments?limit=1000&at={q}");
    loop {
        let page = http_get(base, &path, token).await?;
        let items = page["amendments"]
            .as_array()
            .ok_or("the server's amendments board is not a list")?;
        board.extend(items.iter().cloned());
        match page["next"].as_str() {
            Some(next) => {
                path = format!(
                    "/api/v1/amendments?limit=1000&at={q}&after={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                )
            }
            None => break,
        }
    }
    if let Some(d) = first_difference(
        "amendments board",
        &Value::Array(board),
        &Value::Array(r.amendments.clone()),
    ) {
        diffs.push(format!("{d} (the server's first, the bundle's second)"));
    }
    for a in &r.annexes {
        let live = http_get(
            base,
            &format!("/api/v1/annexes/{}?at={q}", a.body_id),
            token,
        )
        .await?;
        let mine = serde_json::to_value(a).map_err(|e| e.to_string())?;
        if let Some(d) = first_difference(&format!("annex {}", a.body_id), &live, &mine) {
            diffs.push(format!("{d} (the server's first, the bundle's second)"));
        }
    }
    for m in &r.meetings {
        let id = m["id"].as_str().unwrap_or_default();
        let live = http_get(base, &format!("/api/v1/meetings/{id}?at={q}"), token).await?;
        if let Some(d) = first_difference(&format!("meeting {id}"), &live, m) {
            diffs.push(format!("{d} (the server's first, the bundle's second)"));
        }
    }
    Ok(diffs)
}

/// A GET over plain HTTP (the server is reached on a trusted network or through a tunnel).
async fn http_get(base: &str, path: &str, token: &str) -> Result<Value, String> {
    use http_body_util::BodyExt;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<hyper::body::Bytes>>();
    let uri = format!("{}{path}", base.trim_end_matches('/'));
    let req = hyper::Request::get(&uri)
        .header("authorization", format!("Bearer {token}"))
        .body(http_body_util::Empty::new())
        .map_err(|e| format!("bad server URL {uri}: {e}"))?;
    let res = client
        .request(req)
        .await
        .map_err(|e| format!("cannot reach {uri}: {e}"))?;
    let status = res.status();
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if !status.is_success() {
        return Err(format!(
            "{uri} answered {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    serde_json::from_slice(&body).map_err(|e| format!("{uri} did not answer JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_markup_inert() {
        assert_eq!(
            html_escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(
            md_escape("*bold* [link](x)"),
            "\\*bold\\* \\[link\\]\\(x\\)"
        );
    }
}
