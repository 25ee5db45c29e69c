//! The OpenAPI 3.1 document, built from one table of routes, and an offline API explorer.
//!
//! Written by hand rather than derived: the command bodies are the domain's own command enums,
//! which stay free of web annotations, and the table doubles as the list of who may call what.

use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(document))
        .route("/docs", get(explorer))
}

/// How a route takes its input.
#[derive(Clone, Copy)]
pub enum Input {
    None,
    /// `{"CommandName": {fields}}`, one of these names.
    Command(&'static [&'static str]),
    Credential,
}

pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Who may call it (documentation; enforced in the handlers).
    pub who: &'static str,
    /// Query parameters: (name, JSON type, description).
    pub query: &'static [(&'static str, &'static str, &'static str)],
    pub input: Input,
}

const MIN: (&str, &str, &str) = (
    "min_position",
    "integer",
    "wait until the read models include this log position",
);

pub const BODY_COMMANDS: &[&str] = &[
    "EstablishBody",
    "AdmitMember",
    "RegisterObserver",
    "RegisterStakeholder",
    "ProposeAccreditation",
    "ObjectToAccreditation",
    "WithdrawAccreditationObjection",
    "ConcludeAccreditation",
    "ModifyRulesOfProcedure",
];
pub const MEETING_COMMANDS: &[&str] = &[
    "Convene",
    "Open",
    "Suspend",
    "Resume",
    "Close",
    "RegisterDelegation",
    "RegisterObserver",
    "RegisterStakeholder",
    "MarkPresent",
    "MarkAbsent",
    "RequestSponsorship",
    "AwardSponsorship",
    "DeclineSponsorship",
    "IssueProvisionalAgenda",
    "AdoptAgenda",
    "ChangeAgenda",
    "TakeUpItem",
    "ConcludeItem",
    "InscribeSpeaker",
    "WithdrawSpeaker",
    "CallNextSpeaker",
    "SetSpeakingTime",
    "CloseSpeakersList",
    "RequestRightOfReply",
    "RaisePointOfOrder",
    "RuleOnPointOfOrder",
    "AppealRuling",
    "MoveMotion",
    "WithdrawMotion",
    "PutQuestionToVote",
    "RequestRecordedVote",
    "CastVote",
    "CloseVoting",
    "CallForConsensus",
    "RaiseObjection",
    "WithdrawObjection",
    "ExplainPosition",
    "DeclareOutcome",
    "WithdrawConsensusCall",
];
pub const FRAMEWORK_COMMANDS: &[&str] = &[
    "EstablishProgramme",
    "RecordExternalEndorsement",
    "AddTranslation",
];
pub const AMENDMENT_COMMANDS: &[&str] = &[
    "Propose",
    "Revise",
    "CoSponsor",
    "WithdrawCoSponsorship",
    "Withdraw",
    "Reintroduce",
    "Table",
];

/// Every route of the API.
pub const ROUTES: &[Route] = &[
    Route { method: "get", path: "/health", summary: "Liveness", who: "anyone", query: &[], input: Input::None },
    Route { method: "get", path: "/ready", summary: "Readiness: database reachable and projections caught up", who: "anyone", query: &[], input: Input::None },
    Route { method: "get", path: "/api/v1/credentials", summary: "List credentials (never tokens)", who: "admin", query: &[], input: Input::None },
    Route { method: "post", path: "/api/v1/credentials", summary: "Issue a credential; the token is shown once", who: "admin", query: &[], input: Input::Credential },
    Route { method: "delete", path: "/api/v1/credentials/{id}", summary: "Revoke a credential", who: "admin", query: &[], input: Input::None },
    Route { method: "get", path: "/api/v1/log/head", summary: "Head of the hash chain", who: "auditor, secretariat, admin", query: &[], input: Input::None },
    Route { method: "get", path: "/api/v1/log/checkpoints", summary: "Signed checkpoints published into the log", who: "auditor, secretariat, admin", query: &[], input: Input::None },
    Route { method: "get", path: "/api/v1/log/verify", summary: "Verify the whole hash chain on the server", who: "auditor, admin", query: &[], input: Input::None },
    Route { method: "get", path: "/api/v1/projections", summary: "Read-model positions", who: "admin, auditor, secretariat", query: &[], input: Input::None },
    Route { method: "get", path: "/api/v1/audit/events", summary: "The audit history, filtered, in log order, with cursor paging", who: "auditor, secretariat, admin",
        query: &[("stream", "string", "Type/id, e.g. Meeting/poa-rc-1"), ("actor", "string", "credential actor"), ("state", "string", "the State acted for"),
            ("type", "string", "event type"), ("meeting", "string", "meeting id"), ("amendment", "string", "amendment id"),
            ("from", "string", "RFC 3339 time or date"), ("to", "string", "RFC 3339 time or date"), ("after", "integer", "cursor"), ("limit", "integer", "1 to 1000"), MIN],
        input: Input::None },
    Route { method: "get", path: "/api/v1/audit/events/{position}", summary: "One event with payload, metadata and hashes", who: "auditor, secretariat, admin", query: &[], input: Input::None },
    Route { method: "get", path: "/api/v1/stream", summary: "Live events (server-sent events); resumes from Last-Event-ID", who: "any credential; restricted events only to those entitled",
        query: &[("meeting", "string", "only this meeting"), ("after", "integer", "start after this position")], input: Input::None },
    Route { method: "get", path: "/api/v1/bodies", summary: "Bodies with their rules of procedure and registers", who: "any credential", query: &[MIN], input: Input::None },
    Route { method: "get", path: "/api/v1/bodies/{id}", summary: "One body", who: "any credential", query: &[MIN], input: Input::None },
    Route { method: "post", path: "/api/v1/bodies/{id}/commands", summary: "A command to a body", who: "secretariat; delegates object to accreditations for their own State", query: &[], input: Input::Command(BODY_COMMANDS) },
    Route { method: "get", path: "/api/v1/meetings", summary: "The meeting list", who: "any credential",
        query: &[("body", "string", "body id"), ("kind", "string", "meeting kind"), ("status", "string", "convened, open, suspended, closed"), MIN], input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}", summary: "Live state: current item, speakers, motions, vote, consensus call, presence, quorum", who: "any credential (personal data only to secretariat, auditors and the chair)", query: &[MIN], input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}/agenda", summary: "The agenda", who: "any credential", query: &[MIN], input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}/participation", summary: "Participation statistics: gender, stakeholders, sponsorship", who: "any credential", query: &[MIN], input: Input::None },
    Route { method: "post", path: "/api/v1/meetings/{id}/commands", summary: "A command in a meeting", who: "secretariat (preparation), the chair of this meeting (procedure), delegates for their own State", query: &[], input: Input::Command(MEETING_COMMANDS) },
    Route { method: "get", path: "/api/v1/decisions", summary: "The decisions register", who: "any credential",
        query: &[("meeting", "string", "meeting id"), ("body", "string", "body id"), ("kind", "string", "agenda_adoption, agenda_change, amendment_adopted, programme_of_work, procedural_outcome, decision"), MIN], input: Input::None },
    Route { method: "get", path: "/api/v1/frameworks/{id}", summary: "The Political Declaration now (with provenance), or as of a moment", who: "any credential",
        query: &[("at", "string", "date, RFC 3339 time, or log position p:N"), ("version", "integer", "framework version")], input: Input::None },
    Route { method: "get", path: "/api/v1/frameworks/{id}/diff", summary: "Word-level difference between two versions", who: "any credential",
        query: &[("from", "integer", "old version"), ("to", "integer", "new version (default: now)")], input: Input::None },
    Route { method: "post", path: "/api/v1/frameworks/{id}/commands", summary: "Establish a programme, record an external endorsement, add a translation", who: "secretariat", query: &[], input: Input::Command(FRAMEWORK_COMMANDS) },
    Route { method: "get", path: "/api/v1/amendments", summary: "The amendments board", who: "any credential",
        query: &[("framework", "string", "framework id"), ("status", "string", "draft, tabled, in_conflict, adopted, no_consensus, withdrawn"), MIN], input: Input::None },
    Route { method: "get", path: "/api/v1/amendments/{id}", summary: "One amendment with each revision's diff", who: "any credential", query: &[MIN], input: Input::None },
    Route { method: "post", path: "/api/v1/amendments/{id}/commands", summary: "Propose, revise, co-sponsor, withdraw, reintroduce, table", who: "delegates for their own State; the chair or secretariat tables", query: &[], input: Input::Command(AMENDMENT_COMMANDS) },
    Route { method: "get", path: "/openapi.json", summary: "This document", who: "anyone", query: &[], input: Input::None },
];

fn problem(description: &str) -> Value {
    json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
}

fn operation(r: &Route) -> Value {
    let mut params: Vec<Value> = r
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let schema = if name == "position" {
                json!({ "type": "integer", "minimum": 1 })
            } else {
                json!({ "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$" })
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect();
    for (name, ty, desc) in r.query {
        params.push(json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": { "type": ty } }));
    }
    let public = matches!(r.path, "/health" | "/ready" | "/openapi.json");
    let mut responses = Map::new();
    let ok = match (r.method, r.input) {
        ("post", Input::Credential) => ("201", "Issued"),
        ("delete", _) => ("204", "Done"),
        _ => ("200", "OK"),
    };
    responses.insert(ok.0.into(), json!({ "description": ok.1, "content": { "application/json": { "schema": { "type": "object" } } } }));
    if !public {
        responses.insert(
            "400".into(),
            problem("Bad input: a malformed id, parameter or body"),
        );
        responses.insert("401".into(), problem("No valid bearer token"));
        responses.insert(
            "403".into(),
            problem("Outside the credential's role or scope"),
        );
        responses.insert("404".into(), problem("No such resource"));
        responses.insert(
            "503".into(),
            problem(
                "Database unavailable, or read models not yet at min_position (see Retry-After)",
            ),
        );
    }
    if r.method != "get" {
        responses.insert(
            "409".into(),
            problem("Refused by the current state (a rule of procedure), or a stale If-Match"),
        );
        responses.insert("413".into(), problem("Body too large"));
        responses.insert("415".into(), problem("Body is not JSON"));
        responses.insert(
            "422".into(),
            problem("Invalid input: the field and the reason"),
        );
    }
    let mut op = json!({
        "summary": r.summary,
        "description": format!("Who may call it: {}.", r.who),
        "parameters": params,
        "responses": responses,
    });
    if !public {
        op["security"] = json!([{ "bearer": [] }]);
    }
    match r.input {
        Input::None => {}
        Input::Credential => {
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewCredential" } } } });
        }
        Input::Command(names) => {
            let variants: Vec<Value> = names
                .iter()
                .map(|n| json!({ "type": "object", "required": [n], "additionalProperties": false, "properties": { *n: { "type": "object" } } }))
                .collect();
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "oneOf": variants } } } });
            if let Some(p) = op["parameters"].as_array_mut() {
                p.push(json!({ "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 200 } }));
                p.push(json!({ "name": "If-Match", "in": "header", "required": false, "description": "the stream version acted on, e.g. \"12\"", "schema": { "type": "string" } }));
            }
        }
    }
    op
}

/// Builds the OpenAPI document from [`ROUTES`].
pub fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in ROUTES {
        let entry = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        entry[r.method] = operation(r);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Plenary API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Consensus-based intergovernmental processes as an append-only, hash-chained event log. Commands are {\"CommandName\": {fields}}; the server supplies dates and facts from other records. Every error is application/problem+json.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Problem": { "type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                    "detail": { "type": "string" }, "field": { "type": "string" } } },
                "NewCredential": { "type": "object", "required": ["role", "label"], "additionalProperties": false, "properties": {
                    "role": { "type": "string", "enum": ["admin", "secretariat", "chair", "delegate", "observer", "auditor"] },
                    "scope": { "type": ["string", "null"] }, "label": { "type": "string", "minLength": 1, "maxLength": 100 } } }
            }
        }
    })
}

async fn document() -> impl IntoResponse {
    axum::Json(build())
}

/// A self-contained page (no CDN): lists the routes from /openapi.json and sends requests.
async fn explorer() -> Html<&'static str> {
    Html(EXPLORER)
}

const EXPLORER: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plenary API</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}code,textarea,pre{font-family:ui-monospace,monospace}
details{border:1px solid #ccc;border-radius:4px;margin:.3em 0;padding:.3em .6em}summary{cursor:pointer}
.m{display:inline-block;width:4em;font-weight:bold}textarea{width:100%;height:6em}pre{background:#f6f6f6;padding:.5em;overflow:auto}</style></head>
<body><h1>Plenary API</h1><p>Token: <input id="tok" size="80" placeholder="pln_…"></p><div id="routes">Loading /openapi.json…</div>
<script>
const esc = s => String(s).replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
fetch('/openapi.json').then(r => r.json()).then(doc => {
  const out = [];
  for (const [path, ops] of Object.entries(doc.paths)) for (const [m, op] of Object.entries(ops)) {
    const id = out.length;
    out.push(`<details><summary><span class="m">${esc(m.toUpperCase())}</span> <code>${esc(path)}</code> — ${esc(op.summary)}</summary>
      <p>${esc(op.description)}</p><p>Path with query: <input id="p${id}" size="80" value="${esc(path)}"></p>
      ${op.requestBody ? `<textarea id="b${id}">{}</textarea>` : ''}
      <button onclick="send(${id}, '${esc(m)}')">Send</button><pre id="o${id}"></pre></details>`);
  }
  document.getElementById('routes').innerHTML = out.join('');
});
async function send(id, m) {
  const headers = {'Authorization': 'Bearer ' + document.getElementById('tok').value};
  const b = document.getElementById('b' + id);
  if (b) headers['Content-Type'] = 'application/json';
  const r = await fetch(document.getElementById('p' + id).value, {method: m.toUpperCase(), headers, body: b ? b.value : undefined});
  document.getElementById('o' + id).textContent = r.status + ' ' + r.statusText + '\n' + await r.text();
}
</script></body></html>"#;
