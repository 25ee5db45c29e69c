//! Commands as a front end sends them: the domain command as `{"CommandName": {fields}}`,
//! and who may send each.
//!
//! The server, not the client, supplies what a rule needs from outside the aggregate (the
//! date, the body's members and rules, an amendment's standing, the text an amendment is
//! drafted against): those fields are `skip_deserializing` in the domain commands, so the
//! decoder never reads one a client sends, and each service's `supply` sets them. Unknown
//! fields are refused with the path of the field.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::app::access::{Principal, Role};
use crate::app::permissions::Rule;
use crate::app::refusal::Refusal;

/// A command as sent: its name and its fields.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub name: String,
    pub fields: Map<String, Value>,
}

impl Envelope {
    pub fn parse(body: Value) -> Result<Self, Refusal> {
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
                    _ => Err(Refusal::unprocessable(
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

    fn shape_error() -> Refusal {
        Refusal::unprocessable(
            "invalid-command",
            "a command is an object with one key, the command name, e.g. {\"Open\": {}}",
        )
    }

    /// The command's kind, or a 422 naming the commands there are (before any
    /// authorisation, so a typo is reported as a typo). Commands only the system issues have
    /// a kind too, and are refused by their rule instead.
    pub fn kind<K>(&self) -> Result<K, Refusal>
    where
        K: std::str::FromStr + strum::IntoEnumIterator + Into<&'static str>,
    {
        self.name.parse().map_err(|_| {
            let names: Vec<&'static str> = K::iter().map(Into::into).collect();
            Refusal::unprocessable(
                "unknown-command",
                format!(
                    "there is no command {}; the commands here are: {}",
                    self.name,
                    names.join(", ")
                ),
            )
            .with_field(self.name.clone())
        })
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }

    /// The command that creates a record names it in `field`: that must be the record the
    /// command is sent to.
    pub fn require_record_id(&self, field: &str, id: &str) -> Result<(), Refusal> {
        if self.str(field) == Some(id) {
            Ok(())
        } else {
            Err(Refusal::unprocessable(
                "invalid-input",
                format!("{field} must be the record's id, {id}"),
            )
            .with_field(field))
        }
    }

    /// Decodes into the domain command. `supplied` names the fields the server supplies
    /// (`skip_deserializing` in the domain, so the decoder never reads them): a client that
    /// sends one is not refused; every other unknown field is.
    pub fn decode<C: DeserializeOwned>(&self, supplied: &[&str]) -> Result<C, Refusal> {
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
            let err = Refusal::unprocessable("invalid-input", msg);
            if path == "." {
                err
            } else {
                err.with_field(path)
            }
        })?;
        if let Some(first) = unknown.first() {
            return Err(
                Refusal::unprocessable("invalid-input", format!("unknown field {first}"))
                    .with_field(first.clone()),
            );
        }
        Ok(cmd)
    }
}

/// The date for rules that need "today": the server's, or a scenario's while one loads
/// (`store::clock`).
pub fn today(app: &super::App) -> chrono::NaiveDate {
    app.store.clock().today()
}

/// Checks `p` against the `rule` for this command (`app::permissions`); `meeting` is the
/// meeting the command is sent to, for the chair's rules.
pub fn authorize(p: &Principal, rule: Rule, meeting: &str, cmd: &Envelope) -> Result<(), Refusal> {
    match rule {
        Rule::Secretariat => p.require(&[Role::Secretariat]),
        Rule::Chair => p.require_chair_of(meeting),
        Rule::ChairOrSecretariat => {
            if p.role == Role::Secretariat {
                Ok(())
            } else {
                p.require_chair_of(meeting)
            }
        }
        Rule::DelegateOf(field) => {
            let state = cmd.str(field).ok_or_else(|| {
                Refusal::unprocessable(
                    "invalid-input",
                    format!("{} needs the field {field}", cmd.name),
                )
                .with_field(field)
            })?;
            p.require_delegate_of(state)
        }
        Rule::DelegateOrSecretariat(field) => {
            if p.role == Role::Secretariat {
                Ok(())
            } else {
                authorize(p, Rule::DelegateOf(field), meeting, cmd)
            }
        }
        Rule::Speaker => authorize_speaker(p, meeting, cmd),
        // The proposer's own delegate is let through by the amendments service, which knows
        // the proposer; anyone else needs the chair of the meeting named, or the secretariat.
        Rule::Tabling => {
            let named = cmd.str("meeting_id").unwrap_or_default().to_owned();
            authorize(p, Rule::ChairOrSecretariat, &named, cmd)
        }
        Rule::Filer => {
            let own = match p.role {
                Role::Secretariat => return Ok(()),
                Role::Delegate => cmd.str("state"),
                Role::Observer => cmd.str("organisation"),
                _ => None,
            };
            if own.is_some() && own == p.scope.as_deref() {
                Ok(())
            } else {
                Err(Refusal::forbidden(format!(
                    "only {} may send {}",
                    Rule::Filer.describe(),
                    cmd.name
                )))
            }
        }
        Rule::System => Err(Refusal::forbidden(format!(
            "{} is recorded by the system itself as a consequence of a decision; it cannot be sent",
            cmd.name
        ))),
    }
}

/// A delegate puts its own State on or off the list of speakers, an observer its own
/// organisation; the chair and the secretariat anyone.
fn authorize_speaker(p: &Principal, meeting: &str, cmd: &Envelope) -> Result<(), Refusal> {
    let speaker = cmd.fields.get("speaker").and_then(Value::as_object);
    let named = speaker
        .and_then(|o| {
            o.get("State")
                .or_else(|| o.get("Observer"))
                .or_else(|| o.get("Stakeholder"))
        })
        .and_then(Value::as_str);
    let own_kind = match p.role {
        Role::Delegate => speaker.is_some_and(|o| o.contains_key("State")),
        Role::Observer => speaker.is_some_and(|o| !o.contains_key("State")),
        _ => false,
    };
    match p.role {
        Role::Delegate | Role::Observer
            if own_kind && named.is_some() && named == p.scope.as_deref() =>
        {
            Ok(())
        }
        Role::Delegate | Role::Observer => Err(Refusal::forbidden(format!(
            "you speak for {}, and cannot put {} on or off the list of speakers; the chair or the secretariat can",
            p.scope.as_deref().unwrap_or("no one"),
            named.unwrap_or("another speaker")
        ))
        .with_field("speaker")),
        _ => authorize(p, Rule::ChairOrSecretariat, meeting, cmd),
    }
}
