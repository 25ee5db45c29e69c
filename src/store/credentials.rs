//! Bearer credentials. A token is 32 random bytes shown once; only its SHA-256 is stored.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{now_us, Db, StoreError};
use crate::with_pool;

/// Tokens start with this so they are recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "pln_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Credential {
    pub id: String,
    pub role: String,
    pub scope: Option<String>,
    pub label: String,
    pub created_at_us: i64,
    pub revoked_at_us: Option<i64>,
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Database(format!("no randomness: {e}")))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// Creates a credential and returns it with the token, which is never stored or shown again.
pub async fn create(
    db: &Db,
    role: &str,
    scope: Option<&str>,
    label: &str,
) -> Result<(Credential, String), StoreError> {
    let token = new_token()?;
    let cred = Credential {
        id: format!("cred-{}", uuid::Uuid::now_v7().simple()),
        role: role.to_owned(),
        scope: scope.map(str::to_owned),
        label: label.to_owned(),
        created_at_us: now_us(),
        revoked_at_us: None,
    };
    let sql = "insert into credentials (id, token_hash, role, scope, label, created_at_us) values ($1, $2, $3, $4, $5, $6)";
    with_pool!(db, p => sqlx::query(sql)
        .bind(&cred.id)
        .bind(hash_token(&token))
        .bind(&cred.role)
        .bind(&cred.scope)
        .bind(&cred.label)
        .bind(cred.created_at_us)
        .execute(p)
        .await
        .map(|_| ()))?;
    Ok((cred, token))
}

/// The live (not revoked) credential for a presented token.
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<Credential>, StoreError> {
    let sql = "select id, role, scope, label, created_at_us, revoked_at_us from credentials where token_hash = $1 and revoked_at_us is null";
    let hash = hash_token(token);
    Ok(with_pool!(db, p => sqlx::query_as(sql).bind(&hash).fetch_optional(p).await)?)
}

pub async fn list(db: &Db) -> Result<Vec<Credential>, StoreError> {
    let sql = "select id, role, scope, label, created_at_us, revoked_at_us from credentials order by created_at_us";
    Ok(with_pool!(db, p => sqlx::query_as(sql).fetch_all(p).await)?)
}

/// Revokes a credential; returns false if there was no such live credential.
pub async fn revoke(db: &Db, id: &str) -> Result<bool, StoreError> {
    let sql = "update credentials set revoked_at_us = $1 where id = $2 and revoked_at_us is null";
    let now = now_us();
    let n = with_pool!(db, p => sqlx::query(sql).bind(now).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
