//! Web sessions and one-time sign-in links. The secrets (a session id, a link code) are 32
//! random bytes given to the browser once; only their SHA-256 is stored.

use super::credentials::{hash_token, Credential};
use super::{now_us, Db, StoreError};
use crate::with_pool;

/// Session ids start with this, link codes with [`LINK_PREFIX`], so neither is mistaken for
/// a bearer token.
pub const SESSION_PREFIX: &str = "pls_";
pub const LINK_PREFIX: &str = "pll_";

fn secret(prefix: &str) -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Database(format!("no randomness: {e}")))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

const CREDENTIAL_COLUMNS: &str = "c.id, c.role, c.scope, c.label, c.created_at_us, c.revoked_at_us";

/// Starts a session for a live credential; returns the session id (shown to the browser once).
pub async fn start(db: &Db, credential_id: &str, ttl_us: i64) -> Result<String, StoreError> {
    let id = secret(SESSION_PREFIX)?;
    let now = now_us();
    let sql = "insert into web_sessions (id_hash, credential_id, created_at_us, expires_at_us) values ($1, $2, $3, $4)";
    with_pool!(db, p => sqlx::query(sql)
        .bind(hash_token(&id))
        .bind(credential_id)
        .bind(now)
        .bind(now + ttl_us)
        .execute(p)
        .await
        .map(|_| ()))?;
    Ok(id)
}

/// The credential behind a session that has not expired, ended, or lost its credential.
pub async fn lookup(db: &Db, session_id: &str) -> Result<Option<Credential>, StoreError> {
    let sql = format!(
        "select {CREDENTIAL_COLUMNS} from web_sessions s join credentials c on c.id = s.credential_id \
         where s.id_hash = $1 and s.ended_at_us is null and s.expires_at_us > $2 and c.revoked_at_us is null"
    );
    let hash = hash_token(session_id);
    let now = now_us();
    Ok(with_pool!(db, p => sqlx::query_as(&sql).bind(&hash).bind(now).fetch_optional(p).await)?)
}

/// Ends a session (sign-out). Ending one already ended changes nothing.
pub async fn end(db: &Db, session_id: &str) -> Result<(), StoreError> {
    let sql = "update web_sessions set ended_at_us = $1 where id_hash = $2 and ended_at_us is null";
    let now = now_us();
    let hash = hash_token(session_id);
    with_pool!(db, p => sqlx::query(sql).bind(now).bind(&hash).execute(p).await.map(|_| ()))?;
    Ok(())
}

/// Issues a one-time sign-in link code for a credential, valid for `ttl_us`.
pub async fn issue_link(db: &Db, credential_id: &str, ttl_us: i64) -> Result<String, StoreError> {
    let code = secret(LINK_PREFIX)?;
    let now = now_us();
    let sql = "insert into sign_in_links (code_hash, credential_id, created_at_us, expires_at_us) values ($1, $2, $3, $4)";
    with_pool!(db, p => sqlx::query(sql)
        .bind(hash_token(&code))
        .bind(credential_id)
        .bind(now)
        .bind(now + ttl_us)
        .execute(p)
        .await
        .map(|_| ()))?;
    Ok(code)
}

/// Uses a link code: marks it used and returns its live credential, or `None` if the code is
/// unknown, used, expired or its credential revoked. The update is the claim, so two browsers
/// racing on one link cannot both get in.
pub async fn redeem_link(db: &Db, code: &str) -> Result<Option<Credential>, StoreError> {
    let hash = hash_token(code);
    let now = now_us();
    let claim = "update sign_in_links set used_at_us = $1 where code_hash = $2 and used_at_us is null and expires_at_us > $1";
    let claimed = with_pool!(db, p => sqlx::query(claim).bind(now).bind(&hash).execute(p).await.map(|r| r.rows_affected()))?;
    if claimed != 1 {
        return Ok(None);
    }
    let sql = format!(
        "select {CREDENTIAL_COLUMNS} from sign_in_links l join credentials c on c.id = l.credential_id \
         where l.code_hash = $1 and c.revoked_at_us is null"
    );
    Ok(with_pool!(db, p => sqlx::query_as(&sql).bind(&hash).fetch_optional(p).await)?)
}
