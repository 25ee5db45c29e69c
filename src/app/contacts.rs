//! National points of contact: one directory per State (its record id is the State's code),
//! kept by the State's delegates and the secretariat; the secretariat's pings and their
//! answers. Read only by delegates of any State, the secretariat and auditors.

use serde::Serialize;
use serde_json::Value;

use crate::app::access::Principal;
use crate::app::commands::{authorize, today, Envelope};
use crate::app::permissions;
use crate::app::refusal::Refusal;
use crate::app::{App, CommandContext, CommandReceipt};
use crate::domain::contacts::{
    ChannelKind, ContactCommand, ContactCommandKind, ContactRole, PointsOfContact,
};
use crate::domain::values::{Date, Id, StateCode};
use crate::projections::{docs, state_view};

/// Who may read the directory: States (any delegate), the secretariat and auditors; never
/// observers, stakeholders or a chair as such.
pub fn may_read(p: &Principal) -> Result<(), Refusal> {
    p.require(super::permissions::CONTACT_READERS).map_err(|_| {
        Refusal::forbidden("points of contact are for States, the secretariat and auditors only")
    })
}

/// Runs one command on the directory of State `id` for `p`.
#[tracing::instrument(skip_all, fields(id = %id, role = p.role.as_str()))]
pub async fn command(
    app: &App,
    p: &Principal,
    id: &str,
    body: Value,
    ctx: &CommandContext,
) -> Result<CommandReceipt, Refusal> {
    let env = Envelope::parse(body)?;
    let kind: ContactCommandKind = env.kind()?;
    // The record is the State's directory: a command names the same State.
    if let Some(state) = env.str("state") {
        if state != id {
            return Err(Refusal::unprocessable(
                "wrong-state",
                format!("this is the directory of {id}; the command names {state}"),
            )
            .with_field("state"));
        }
    }
    if StateCode::parse(id).is_err() {
        return Err(Refusal::unprocessable(
            "invalid-input",
            format!("{id} is not a State code: a directory's id is its State's code"),
        )
        .with_field("id"));
    }
    authorize(p, permissions::contacts(kind), "", &env)?;
    let mut cmd: ContactCommand = env.decode(SUPPLIED)?;
    // The server's facts (`skip_deserializing` in the domain), one arm per command.
    match &mut cmd {
        ContactCommand::SendPing { now, .. } | ContactCommand::ConfirmPing { now, .. } => {
            *now = today(app)
        }
        ContactCommand::NominateContact { .. }
        | ContactCommand::ChangeContact { .. }
        | ContactCommand::RetireContact { .. } => {}
    }
    Ok(app.contacts.execute(id, cmd, ctx).await?)
}

/// The fields the server supplies (`skip_deserializing` in the domain): a client that sends
/// one is not refused, and its value is never read.
pub const SUPPLIED: &[&str] = &["now"];

/// A State's directory as it is read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Directory {
    pub state: String,
    pub version: i64,
    pub contacts: Vec<ContactLine>,
    pub pings: Vec<PingLine>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactLine {
    pub id: String,
    /// `policy` or `technical`.
    pub role: &'static str,
    pub name: String,
    pub organisation: Option<String>,
    pub channels: Vec<ChannelLine>,
    pub retired: bool,
    /// The ping this contact has not answered although its date has passed.
    pub unanswered: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChannelLine {
    /// `email`, `phone` or `other`.
    pub kind: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PingLine {
    pub id: String,
    pub sent_on: String,
    pub answer_by: String,
    pub asked: Vec<String>,
    pub confirmed: Vec<(String, String)>,
}

fn directory(state: &str, version: i64, d: &PointsOfContact, today: Date) -> Directory {
    let mut pings: Vec<PingLine> = d
        .pings
        .iter()
        .map(|(id, p)| PingLine {
            id: id.to_string(),
            sent_on: p.sent_on.to_string(),
            answer_by: p.answer_by.to_string(),
            asked: p.asked.iter().map(Id::to_string).collect(),
            confirmed: p
                .confirmed
                .iter()
                .map(|(c, on)| (c.to_string(), on.to_string()))
                .collect(),
        })
        .collect();
    pings.sort_by(|a, b| b.sent_on.cmp(&a.sent_on).then(a.id.cmp(&b.id)));
    Directory {
        state: state.to_owned(),
        version,
        contacts: d
            .contacts
            .iter()
            .map(|(id, c)| ContactLine {
                id: id.to_string(),
                role: match c.role {
                    ContactRole::Policy => "policy",
                    ContactRole::Technical => "technical",
                },
                name: c.name.to_string(),
                organisation: c.organisation.as_ref().map(|o| o.to_string()),
                channels: c
                    .channels
                    .iter()
                    .map(|ch| ChannelLine {
                        kind: match ch.kind {
                            ChannelKind::Email => "email",
                            ChannelKind::Phone => "phone",
                            ChannelKind::Other => "other",
                        },
                        value: ch.value.to_string(),
                    })
                    .collect(),
                retired: c.retired,
                unanswered: if c.retired {
                    None
                } else {
                    d.unanswered(id, today).map(|(p, _)| p.to_string())
                },
            })
            .collect(),
        pings,
    }
}

/// Every State's directory, in State order.
pub async fn all(app: &App, p: &Principal) -> Result<Vec<Directory>, Refusal> {
    may_read(p)?;
    let today = today(app);
    let views = docs::list(app.store.db(), crate::projections::state_view::CONTACTS, "").await?;
    views
        .iter()
        .map(|v| {
            let (id, version, d) =
                state_view::decode::<PointsOfContact>(v).map_err(Refusal::internal)?;
            Ok(directory(&id, version, &d, today))
        })
        .collect()
}

/// One State's directory (empty if none has been nominated).
pub async fn one(app: &App, p: &Principal, state: &str) -> Result<Directory, Refusal> {
    may_read(p)?;
    let found = app
        .projector
        .doc(crate::projections::state_view::CONTACTS, state)
        .await?;
    Ok(match found {
        Some(v) => {
            let (_, version, d) =
                state_view::decode::<PointsOfContact>(&v).map_err(Refusal::internal)?;
            directory(state, version, &d, today(app))
        }
        None => directory(state, 0, &PointsOfContact::default(), today(app)),
    })
}
