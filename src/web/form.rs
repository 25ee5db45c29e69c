//! One way to post a command from a page. A form names the command (`_command`, e.g.
//! `meeting:Open`), the record (`_target`, default: the page's meeting) and its fields as
//! `f.<path>[:type]` (`f.speaker.State`, `f.item:u32`, `f.dissociates_from:list`;
//! `:items` for check boxes that each add a value, after a hidden empty one; `:seq` for a
//! list of text fields, one value each, in order). The page's
//! form is turned into exactly the JSON the API takes, and goes through the same application
//! service, so the same rules and the same permissions apply: a forged field is refused there.
//!
//! `_target=@f.meeting_id` takes the record from one of the form's fields (convening a new
//! meeting, establishing a body).
//!
//! `_each=f.state` runs the command once per value of that field (attendance for a whole list
//! of States in one action). An amendment's one operation comes as `op.*` fields.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::app::access::Principal;
use crate::app::refusal::Refusal;
use crate::app::{self, App, CommandContext};

/// A posted form: its id (to show a refusal next to it), its token and its fields.
#[derive(Debug, Clone, Default)]
pub struct Posted {
    pub form_id: String,
    pub csrf: String,
    pub fields: Vec<(String, String)>,
}

impl Posted {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut p = Posted::default();
        for (k, v) in pairs {
            match k.as_str() {
                "_form" => p.form_id = v,
                "_csrf" => p.csrf = v,
                _ => p.fields.push((k, v)),
            }
        }
        p
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// `s` as one component of a URL's path or query.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn bad(field: &str, detail: impl Into<String>) -> Refusal {
    Refusal::unprocessable("invalid-input", detail).with_field(field)
}

fn typed(field: &str, kind: &str, v: &str) -> Result<Value, Refusal> {
    match kind {
        "" => Ok(Value::String(v.to_owned())),
        "u32" => v
            .trim()
            .parse::<u32>()
            .map(Value::from)
            .map_err(|_| bad(field, format!("{field} must be a whole number"))),
        "opt" | "opt_u32" if v.trim().is_empty() => Ok(Value::Null),
        "opt_u32" => typed(field, "u32", v),
        "opt" => Ok(Value::String(v.to_owned())),
        "bool" => Ok(Value::Bool(matches!(v, "true" | "on" | "1"))),
        // Phrases separated by commas (topics such as "due diligence").
        "phrases" => Ok(Value::Array(
            v.split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )),
        // One value per line (links, which may hold commas).
        "lines" => Ok(Value::Array(
            v.lines()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )),
        "list" => Ok(Value::Array(
            v.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )),
        _ => Err(bad(field, format!("unknown field type {kind}"))),
    }
}

fn insert(fields: &mut Map<String, Value>, path: &str, v: Value) -> Result<(), Refusal> {
    let mut parts = path.split('.').peekable();
    let mut at = fields;
    while let Some(part) = parts.next() {
        if part.is_empty() {
            return Err(bad(path, "an empty field name"));
        }
        if parts.peek().is_none() {
            at.insert(part.to_owned(), v);
            return Ok(());
        }
        let next = at
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        at = next
            .as_object_mut()
            .ok_or_else(|| bad(path, "a field is both a value and an object"))?;
    }
    Ok(())
}

/// The one operation of an amendment drafted in the editor, as the API takes it.
pub fn operation(p: &Posted) -> Result<Value, Refusal> {
    let kind = p.get("op.kind").unwrap_or_default();
    let paragraph = p.get("op.paragraph").unwrap_or_default().to_owned();
    if paragraph.is_empty() {
        return Err(bad("op.paragraph", "choose the paragraph to amend"));
    }
    let text = p.get("op.text").unwrap_or_default().trim().to_owned();
    Ok(match kind {
        "replace_paragraph" => {
            serde_json::json!({ "op": "replace_paragraph", "paragraph": paragraph, "text": text })
        }
        "delete_paragraph" => {
            serde_json::json!({ "op": "delete_paragraph", "paragraph": paragraph })
        }
        "insert_after" => serde_json::json!({
            "op": "insert_after", "after": paragraph,
            "new_id": p.get("op.new_id").unwrap_or_default().trim(),
            "kind": p.get("op.paragraph_kind").unwrap_or("operative"),
            "section": p.get("op.section").unwrap_or("general"),
            "text": text,
        }),
        _ => return Err(bad("op.kind", "choose an operation")),
    })
}

/// The command fields of a posted form (without the `_each` field).
pub fn command_fields(p: &Posted, skip: Option<&str>) -> Result<Map<String, Value>, Refusal> {
    let mut fields = Map::new();
    for (k, v) in &p.fields {
        let Some(spec) = k.strip_prefix("f.") else {
            continue;
        };
        if Some(k.as_str()) == skip {
            continue;
        }
        let (path, kind) = spec.split_once(':').unwrap_or((spec, ""));
        if kind == "seq" {
            // One value per field, in order, empty ones kept (each is checked where it is
            // used, and named by its place).
            let mut items = match fields.get(path) {
                Some(Value::Array(a)) => a.clone(),
                _ => vec![],
            };
            items.push(Value::String(v.to_owned()));
            insert(&mut fields, path, Value::Array(items))?;
            continue;
        }
        if kind == "items" {
            // Check boxes of one list: each ticked one adds its value (none ticked: empty).
            let mut items = match fields.get(path) {
                Some(Value::Array(a)) => a.clone(),
                _ => vec![],
            };
            if !v.is_empty() {
                items.push(Value::String(v.to_owned()));
            }
            insert(&mut fields, path, Value::Array(items))?;
            continue;
        }
        insert(&mut fields, path, typed(path, kind, v)?)?;
    }
    if p.get("op.kind").is_some() {
        fields.insert("operations".into(), Value::Array(vec![operation(p)?]));
    }
    Ok(fields)
}

pub fn context(p: &Principal, body: &str) -> CommandContext {
    CommandContext {
        actor: p.actor(),
        role: p.role.as_str().to_owned(),
        on_behalf_of: p.on_behalf_of(),
        correlation_id: uuid::Uuid::now_v7().to_string(),
        request_hash: hex::encode(Sha256::digest(body.as_bytes())),
        ..Default::default()
    }
}

/// Runs the posted command(s) for `principal`; `meeting_id` is the page's meeting.
#[tracing::instrument(skip_all, fields(meeting = %meeting_id))]
pub async fn run(
    app: &App,
    principal: &Principal,
    meeting_id: &str,
    p: &Posted,
) -> Result<(), Refusal> {
    let command = p
        .get("_command")
        .ok_or_else(|| bad("_command", "the form names no command"))?;
    let (kind, name) = command
        .split_once(':')
        .ok_or_else(|| bad("_command", "a command is kind:Name"))?;
    let target = match p.get("_target") {
        Some("new") => format!("am-{}", uuid::Uuid::now_v7().simple()),
        // The record named by one of the form's own fields (a new meeting's or body's id).
        Some(t) if t.starts_with('@') => {
            let field = &t[1..];
            let name = field.strip_prefix("f.").unwrap_or(field);
            p.get(field)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| bad(name, format!("{name} is required")))?
                .to_owned()
        }
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => meeting_id.to_owned(),
    };
    let each = p.get("_each");
    let values: Vec<Option<&str>> = match each {
        Some(field) => {
            let v: Vec<Option<&str>> = p.all(field).map(Some).collect();
            if v.is_empty() {
                return Err(bad(field, "select at least one"));
            }
            v
        }
        None => vec![None],
    };
    let base = command_fields(p, each)?;
    let mut last = None;
    for value in values {
        let mut fields = base.clone();
        if let (Some(field), Some(v)) = (each, value) {
            let path = field.strip_prefix("f.").unwrap_or(field);
            insert(&mut fields, path, Value::String(v.to_owned()))?;
        }
        // One wait at the end, not one per State of a list (attendance for forty States).
        match dispatch(app, principal, kind, &target, name, fields).await {
            Ok(p) => last = p.or(last),
            Err(e) => {
                settle(app, last).await;
                return Err(e);
            }
        }
    }
    settle(app, last).await;
    Ok(())
}

/// The page shown next reads the read models: let them include what was just done (past the
/// bounded wait, the page shows what they hold and the live update follows).
pub async fn settle(app: &App, last: Option<i64>) {
    if let Some(last) = last {
        app.projector.wait_for(last, app.settings.read_wait).await;
    }
}

/// Sends one command `name` with `fields` to the record `target` of `kind` (`meeting`,
/// `amendment`, `body`, `framework`, `contacts`) through its application service.
pub async fn send(
    app: &App,
    principal: &Principal,
    kind: &str,
    target: &str,
    name: &str,
    fields: Map<String, Value>,
) -> Result<(), Refusal> {
    let last = dispatch(app, principal, kind, target, name, fields).await?;
    settle(app, last).await;
    Ok(())
}

/// Sends the command without waiting for the read models; the position of its last event.
async fn dispatch(
    app: &App,
    principal: &Principal,
    kind: &str,
    target: &str,
    name: &str,
    fields: Map<String, Value>,
) -> Result<Option<i64>, Refusal> {
    let body = serde_json::json!({ name: Value::Object(fields) });
    let ctx = context(principal, &body.to_string());
    let receipt = match kind {
        "meeting" => app::meetings::command(app, principal, target, body, &ctx).await?,
        "amendment" => app::amendments::command(app, principal, target, body, &ctx).await?,
        "submission" => app::submissions::command(app, principal, target, body, &ctx).await?,
        "body" => app::bodies::command(app, principal, target, body, &ctx).await?,
        "framework" => app::frameworks::command(app, principal, target, body, &ctx).await?,
        "contacts" => app::contacts::command(app, principal, target, body, &ctx).await?,
        "documents" => app::documents::command(app, principal, body, &ctx).await?,
        "request" => app::capacity::request_command(app, principal, target, body, &ctx).await?,
        "offer" => app::capacity::offer_command(app, principal, target, body, &ctx).await?,
        "annex" => app::annex::command(app, principal, target, body, &ctx).await?,
        "reporting" => app::reporting::command(app, principal, target, body, &ctx).await?,
        "fund" => app::funds::command(app, principal, target, body, &ctx).await?,
        _ => return Err(bad("_command", format!("no kind of record {kind}"))),
    };
    Ok(receipt.positions.last().copied())
}
