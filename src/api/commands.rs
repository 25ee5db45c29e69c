//! Commands over HTTP: `POST /api/v1/<resource>/{id}/commands` with the domain command as
//! `{"CommandName": {fields}}`.
//!
//! The server, not the client, supplies what a rule needs from outside the aggregate (the
//! date, the body's members and rules, an amendment's standing, the text an amendment is
//! drafted against): any such field sent by the client is overwritten. Unknown fields are
//! refused with the path of the field.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cqrs_es::Aggregate;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::auth::{Principal, Role};
use super::error::{ApiError, DomainError};
use super::extract::{CommandHeaders, RequestHash};
use super::openapi::CommandDoc;
use crate::app::{CommandBus, CommandReceipt};

/// A command as sent: its name and its fields.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub name: String,
    pub fields: Map<String, Value>,
}

impl Envelope {
    pub fn parse(body: Value) -> Result<Self, ApiError> {
        match body {
            Value::Object(o) if o.len() == 1 => {
                let Some((name, fields)) = o.into_iter().next() else {
                    return Err(Self::shape_error());
                };
                match fields {
                    Value::Object(fields) => Ok(Self { name, fields }),
                    Value::Null => Ok(Self {
                        name,
                        fields: Map::new(),
                    }),
                    _ => Err(ApiError::unprocessable(
                        "invalid-input",
                        format!("the fields of {name} must be an object"),
                    )
                    .with_field(name)),
                }
            }
            Value::String(name) => Ok(Self {
                name,
                fields: Map::new(),
            }),
            _ => Err(Self::shape_error()),
        }
    }

    fn shape_error() -> ApiError {
        ApiError::unprocessable(
            "invalid-command",
            "a command is an object with one key, the command name, e.g. {\"Open\": {}}",
        )
    }

    /// Refuses a command name the aggregate does not have (422, before any authorisation, so
    /// a typo is reported as a typo). `system_only` are commands only the server issues: those
    /// exist, and are refused by authorisation instead.
    pub fn require_known(
        &self,
        documented: &[CommandDoc],
        system_only: &[&str],
    ) -> Result<(), ApiError> {
        if documented.iter().any(|c| c.name == self.name)
            || system_only.contains(&self.name.as_str())
        {
            return Ok(());
        }
        let names: Vec<&str> = documented.iter().map(|c| c.name).collect();
        Err(ApiError::unprocessable(
            "unknown-command",
            format!(
                "there is no command {}; the commands here are: {}",
                self.name,
                names.join(", ")
            ),
        )
        .with_field(self.name.clone()))
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }

    /// Sets a field supplied by the server (overwriting anything the client sent).
    pub fn supply(&mut self, field: &str, value: impl Serialize) -> Result<(), ApiError> {
        let v = serde_json::to_value(value).map_err(ApiError::internal)?;
        self.fields.insert(field.to_owned(), v);
        Ok(())
    }

    /// Decodes into the domain command. `supplied` are the fields the server may have added
    /// that this command does not take; every other unknown field is refused.
    pub fn decode<C: DeserializeOwned>(&self, supplied: &[&str]) -> Result<C, ApiError> {
        let mut outer = Map::new();
        outer.insert(self.name.clone(), Value::Object(self.fields.clone()));
        let value = Value::Object(outer);
        let mut unknown = Vec::new();
        let mut track = serde_path_to_error::Track::new();
        let de = serde_path_to_error::Deserializer::new(&value, &mut track);
        let cmd: Result<C, _> = serde_ignored::deserialize(de, |path| {
            let p = path.to_string();
            let top = p.strip_prefix(&format!("{}.", self.name)).unwrap_or(&p);
            if top.contains('.') || !supplied.contains(&top) {
                unknown.push(p);
            }
        });
        let cmd = cmd.map_err(|e| {
            let path = track.path().to_string();
            let msg = e.to_string();
            let msg = if msg.contains("unknown variant") {
                format!("unknown command {}: {msg}", self.name)
            } else {
                msg
            };
            let err = ApiError::unprocessable("invalid-input", msg);
            if path == "." {
                err
            } else {
                err.with_field(path)
            }
        })?;
        if let Some(first) = unknown.first() {
            return Err(
                ApiError::unprocessable("invalid-input", format!("unknown field {first}"))
                    .with_field(first.clone()),
            );
        }
        Ok(cmd)
    }
}

/// Server date, for rules that need "today".
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Who may issue a command.
pub enum Who<'a> {
    Secretariat,
    /// The chair of this meeting.
    Chair(&'a str),
    ChairOrSecretariat(&'a str),
    /// A delegate of the State named in this field of the command.
    DelegateOf(&'a str),
    DelegateOrSecretariat(&'a str),
    /// Nobody over HTTP: issued by the system itself (the reactor).
    System,
}

pub fn authorize(p: &Principal, who: Who<'_>, cmd: &Envelope) -> Result<(), ApiError> {
    match who {
        Who::Secretariat => p.require(&[Role::Secretariat]),
        Who::Chair(m) => p.require_chair_of(m),
        Who::ChairOrSecretariat(m) => {
            if p.role == Role::Secretariat {
                Ok(())
            } else {
                p.require_chair_of(m)
            }
        }
        Who::DelegateOf(field) => {
            let state = cmd.str(field).ok_or_else(|| {
                ApiError::unprocessable(
                    "invalid-input",
                    format!("{} needs the field {field}", cmd.name),
                )
                .with_field(field)
            })?;
            p.require_delegate_of(state)
        }
        Who::DelegateOrSecretariat(field) => {
            if p.role == Role::Secretariat {
                Ok(())
            } else {
                authorize(p, Who::DelegateOf(field), cmd)
            }
        }
        Who::System => Err(ApiError::forbidden(format!(
            "{} is recorded by the system itself as a consequence of a decision; it cannot be sent",
            cmd.name
        ))),
    }
}

/// Runs a decoded command and answers with where its events landed.
pub async fn run<A>(
    bus: &CommandBus<A>,
    id: &str,
    cmd: A::Command,
    ctx: &crate::app::CommandContext,
) -> Result<Response, ApiError>
where
    A: Aggregate + Clone + 'static,
    A::Command: Clone,
    A::Error: DomainError,
{
    let receipt: CommandReceipt = bus.execute(id, cmd, ctx).await?;
    let mut res = (StatusCode::OK, axum::Json(&receipt)).into_response();
    if let Some(v) = receipt.stream_version {
        if let Ok(h) = HeaderValue::from_str(&format!("\"{v}\"")) {
            res.headers_mut().insert(header::ETAG, h);
        }
    }
    Ok(res)
}

/// Builds the command context from who sent it and how.
pub fn context(p: &Principal, h: CommandHeaders, hash: RequestHash) -> crate::app::CommandContext {
    super::command_context(p, h, hash)
}
