//! Credentials: issued, listed and revoked by the admin, for the API and the pages alike.
//! Only a hash of each token is stored; the token is shown once, when it is issued.

use crate::app::access::{Principal, Role};
use crate::app::refusal::Refusal;
use crate::app::App;
use crate::store::credentials::{self, Credential};

/// Whether a token has the shape of one this service issues (its prefix, a bounded length):
/// anything else is refused before the store is asked.
pub fn is_token_shaped(token: &str) -> bool {
    token.starts_with(credentials::TOKEN_PREFIX) && token.len() <= 200
}

/// What a front end may key a cache of signed-in tokens by: the token's hash, never the token.
pub fn token_key(token: &str) -> String {
    credentials::hash_token(token)
}

/// The live credential a token names: none for a token of the wrong shape, unknown or revoked.
pub async fn authenticate(app: &App, token: &str) -> Result<Option<Credential>, Refusal> {
    if !is_token_shaped(token) {
        return Ok(None);
    }
    Ok(credentials::authenticate(app.store.db(), token).await?)
}

/// Issues a credential; returns it and its token (shown once, never stored).
pub async fn issue(
    app: &App,
    p: &Principal,
    role: Role,
    scope: Option<&str>,
    label: &str,
) -> Result<(Credential, String), Refusal> {
    p.require(super::permissions::CREDENTIAL_ADMINS)?;
    let scope = scope.map(str::trim).filter(|s| !s.is_empty());
    role.check_scope(scope)
        .map_err(|e| Refusal::unprocessable("invalid-scope", e).with_field("scope"))?;
    let label = label.trim();
    if label.is_empty() || label.len() > 100 || label.chars().any(char::is_control) {
        return Err(Refusal::unprocessable(
            "invalid-input",
            "label must be 1 to 100 printable characters",
        )
        .with_field("label"));
    }
    let (credential, token) =
        credentials::create(app.store.db(), role.as_str(), scope, label).await?;
    tracing::info!(credential = %credential.id, role = %credential.role, "credential issued");
    Ok((credential, token))
}

/// Every credential, oldest first (never a token).
pub async fn list(app: &App, p: &Principal) -> Result<Vec<Credential>, Refusal> {
    p.require(super::permissions::CREDENTIAL_ADMINS)?;
    Ok(credentials::list(app.store.db()).await?)
}

/// Revokes a live credential. The caller forgets any token it has cached for it.
pub async fn revoke(app: &App, p: &Principal, id: &str) -> Result<(), Refusal> {
    p.require(super::permissions::CREDENTIAL_ADMINS)?;
    if !credentials::revoke(app.store.db(), id).await? {
        return Err(Refusal::not_found(format!("no live credential {id}")));
    }
    tracing::info!(credential = %id, "credential revoked");
    Ok(())
}
