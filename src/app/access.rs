//! Who is acting: roles, scopes and the principal a front end authenticated. A credential
//! never acts outside its role and scope; the checks here are the same for every front end.

use serde::{Deserialize, Serialize};

use crate::app::refusal::Refusal;
use crate::projections::visibility::Reader;

/// The roles of DOMAIN.md. Chair, delegate and observer credentials carry a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Secretariat,
    /// Scope: the meeting id they chair.
    Chair,
    /// Scope: the State code they represent.
    Delegate,
    /// Scope: their organisation (observer State or stakeholder).
    Observer,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Secretariat,
        Role::Chair,
        Role::Delegate,
        Role::Observer,
        Role::Auditor,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secretariat => "secretariat",
            Role::Chair => "chair",
            Role::Delegate => "delegate",
            Role::Observer => "observer",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn needs_scope(&self) -> bool {
        matches!(self, Role::Chair | Role::Delegate | Role::Observer)
    }

    /// Checks a scope is present (and well-formed) exactly when the role needs one.
    pub fn check_scope(&self, scope: Option<&str>) -> Result<(), String> {
        match (self.needs_scope(), scope) {
            (true, None) => Err(format!(
                "role {} needs a scope (a {})",
                self.as_str(),
                self.scope_kind()
            )),
            (false, Some(_)) => Err(format!("role {} takes no scope", self.as_str())),
            (true, Some(s)) => match self {
                Role::Delegate => crate::domain::values::StateCode::parse(s)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                _ => crate::domain::values::Id::parse(s)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            },
            (false, None) => Ok(()),
        }
    }

    fn scope_kind(&self) -> &'static str {
        match self {
            Role::Chair => "meeting id",
            Role::Delegate => "State code such as NOR",
            _ => "organisation id",
        }
    }
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub credential_id: String,
    pub role: Role,
    pub scope: Option<String>,
    pub label: String,
}

impl Principal {
    /// The public, reading a public record without a credential: an observer of no
    /// organisation, so that every read's visibility rule already covers it.
    pub fn public() -> Principal {
        Principal {
            credential_id: String::new(),
            role: Role::Observer,
            scope: None,
            label: "the public".into(),
        }
    }

    /// Whether this is the public, reading without a credential.
    pub fn is_public(&self) -> bool {
        self.credential_id.is_empty()
    }

    /// The principal of a stored credential (`None` for a role this version does not know).
    pub fn from_credential(c: crate::store::credentials::Credential) -> Option<Principal> {
        Some(Principal {
            credential_id: c.id,
            role: Role::parse(&c.role)?,
            scope: c.scope,
            label: c.label,
        })
    }

    /// The actor recorded in event metadata: the credential, never the token.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.credential_id, self.label)
    }

    pub fn require(&self, allowed: &[Role]) -> Result<(), Refusal> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            let role = self.role.as_str();
            let article = if role.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            Err(Refusal::forbidden(format!(
                "{article} {role} credential may not do this; allowed: {}",
                allowed
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }

    /// Chairs may act only on the meeting they chair; the secretariat on any.
    pub fn require_chair_of(&self, meeting: &str) -> Result<(), Refusal> {
        match self.role {
            Role::Chair if self.scope.as_deref() == Some(meeting) => Ok(()),
            Role::Chair => Err(Refusal::forbidden(format!(
                "you chair {}, not {meeting}",
                self.scope.as_deref().unwrap_or("no meeting")
            ))),
            _ => Err(Refusal::forbidden(format!(
                "only the chair of {meeting} may do this"
            ))),
        }
    }

    /// Delegates act only for their own State.
    pub fn require_delegate_of(&self, state: &str) -> Result<(), Refusal> {
        match self.role {
            Role::Delegate if self.scope.as_deref() == Some(state) => Ok(()),
            Role::Delegate => Err(Refusal::forbidden(format!(
                "you represent {}, and cannot act for {state}",
                self.scope.as_deref().unwrap_or("no State")
            ))),
            _ => Err(Refusal::forbidden(
                "only a delegate of that State may do this",
            )),
        }
    }

    /// The State a delegate acts for (recorded as on-behalf-of).
    pub fn on_behalf_of(&self) -> Option<String> {
        (self.role == Role::Delegate)
            .then(|| self.scope.clone())
            .flatten()
    }

    pub fn reader(&self) -> Reader {
        match (self.role, &self.scope) {
            (Role::Admin | Role::Secretariat | Role::Auditor, _) => Reader::Everything,
            (Role::Chair, Some(m)) => Reader::Chair { meeting: m.clone() },
            (Role::Delegate, Some(s)) => Reader::Delegate { state: s.clone() },
            _ => Reader::Public,
        }
    }
}
