//! Commands over HTTP: `POST /api/v1/<resource>/{id}/commands` with the domain command as
//! `{"CommandName": {fields}}`. What a command means and who may send it is the
//! application's ([`crate::app::commands`]); this is only its HTTP shape.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::auth::Principal;
use super::extract::{CommandHeaders, RequestHash};
use crate::app::CommandReceipt;

/// Answers a command with where its events landed, and the stream's version as the ETag.
pub fn respond(receipt: CommandReceipt) -> Response {
    let mut res = (StatusCode::OK, axum::Json(&receipt)).into_response();
    if let Some(v) = receipt.stream_version {
        if let Ok(h) = HeaderValue::from_str(&format!("\"{v}\"")) {
            res.headers_mut().insert(header::ETAG, h);
        }
    }
    res
}

/// Builds the command context from who sent it and how.
pub fn context(p: &Principal, h: CommandHeaders, hash: RequestHash) -> crate::app::CommandContext {
    super::command_context(p, h, hash)
}
