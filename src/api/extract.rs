//! Extractors whose rejections are problem+json with the field at fault, instead of axum's
//! plain-text defaults.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use crate::domain::values::Id;

/// A JSON body. Unknown fields, wrong types, bad syntax, a wrong content type and an
/// oversized body are all 4xx with the path of the offending field.
pub struct Json<T>(pub T, pub RequestHash);

/// SHA-256 of the request body, to recognise a retried request under the same key.
#[derive(Debug, Clone)]
pub struct RequestHash(pub String);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if !content_type.is_some_and(is_json_utf8) {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "the body must be JSON in UTF-8, sent with Content-Type: application/json (optionally ; charset=utf-8)",
            ));
        }
        let path = req.uri().path().to_owned();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                ApiError::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "body-too-large",
                    format!("the body could not be read: {e}"),
                )
            })?;
        // A key given twice is read as the last one by some parsers and the first by others:
        // such a body is refused before it means anything.
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        if let Err(e) = serde_path_to_error::deserialize::<_, UniqueKeys>(&mut de) {
            let parent = e.path().to_string();
            let inner = e.into_inner();
            let message = inner.to_string();
            if let Some(key) = message.strip_prefix(DUPLICATE) {
                // serde_json ends its messages with the position: " at line L column C".
                let key = key
                    .rsplit_once(" at line ")
                    .map_or(key, |(k, _)| k)
                    .to_owned();
                let field = if parent == "." {
                    key.clone()
                } else {
                    format!("{parent}.{key}")
                };
                return Err(ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "duplicate-key",
                    format!("the key {key} is given twice; send each key once"),
                )
                .with_field(field));
            }
            // Anything else (bad syntax) is reported by the typed reading below.
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            let status = if inner.is_syntax() || inner.is_eof() {
                axum::http::StatusCode::BAD_REQUEST
            } else {
                axum::http::StatusCode::UNPROCESSABLE_ENTITY
            };
            let kind = if status == axum::http::StatusCode::BAD_REQUEST {
                "malformed-json"
            } else {
                "invalid-input"
            };
            let err = ApiError::new(status, kind, format!("{inner}"));
            if field == "." {
                err
            } else {
                err.with_field(field)
            }
        })?;
        de.end().map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "malformed-json",
                e.to_string(),
            )
        })?;
        let mut h = Sha256::new();
        h.update(path.as_bytes());
        h.update(b"\n");
        h.update(&bytes);
        Ok(Json(value, RequestHash(hex::encode(h.finalize()))))
    }
}

/// `application/json`, with no parameter but `charset=utf-8` (JSON is UTF-8; a body declared
/// otherwise, or as another `+json` type, could be read differently by another reader).
fn is_json_utf8(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let mime = parts.next().unwrap_or("").trim();
    mime.eq_ignore_ascii_case("application/json")
        && parts.all(|param| {
            let Some((name, value)) = param.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("charset")
                && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        })
}

/// The start of the error [`UniqueKeys`] raises; the key follows it.
const DUPLICATE: &str = "duplicate key: ";

/// A JSON document read only to refuse an object that gives a key twice.
struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(UniqueKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE}{key}")));
            }
            map.next_value::<UniqueKeys>()?;
            seen.insert(key);
        }
        Ok(UniqueKeys)
    }
}

/// `?at=` on the reads an auditor compares with a replay: the record as of a date (its end,
/// UTC), an RFC 3339 time or a log position `p:N`, answered from the log.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfParams {
    /// The record as of a moment, answered from the log: a date YYYY-MM-DD (its end, UTC), an
    /// RFC 3339 time, or a log position p:N; a position beyond the end of the log is refused
    /// (400, field at).
    #[param(value_type = Option<super::params::Moment>, inline)]
    pub at: Option<String>,
    #[serde(rename = "min_position")]
    #[param(ignore)]
    _min: Option<i64>,
}

/// Query parameters, rejected as problem+json naming the parameter.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let mut field = e.path().to_string();
                let detail = e.into_inner().to_string();
                // A missing parameter is reported at the root: name it instead.
                if field == "." {
                    if let Some(name) = detail
                        .strip_prefix("missing field `")
                        .and_then(|rest| rest.strip_suffix('`'))
                    {
                        field = name.to_owned();
                    }
                }
                ApiError::bad_request(field, detail)
            })
    }
}

/// Path segments parsed as ids; anything else (`..`, `/`, control characters) is a 400.
pub struct Ids(pub Vec<Id>);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw): axum::extract::Path<Vec<(String, String)>> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|e| ApiError::bad_request("path", e.body_text()))?;
        raw.into_iter()
            .map(|(name, v)| Id::parse(&v).map_err(|e| ApiError::bad_request(name, e.to_string())))
            .collect::<Result<_, _>>()
            .map(Ids)
    }
}

/// The command headers: `Idempotency-Key`, `If-Match` (expected stream version) and
/// correlation / causation ids.
#[derive(Debug, Clone, Default)]
pub struct CommandHeaders {
    pub idempotency_key: Option<String>,
    pub expected_version: Option<i64>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
}

fn header_text(h: &HeaderMap, name: &str) -> Result<Option<String>, ApiError> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => {
            let s = v
                .to_str()
                .map_err(|_| ApiError::bad_request(name, format!("{name} must be visible ASCII")))?
                .trim();
            if s.is_empty() || s.len() > 200 {
                return Err(ApiError::bad_request(
                    name,
                    format!("{name} must be 1 to 200 characters"),
                ));
            }
            Ok(Some(s.to_owned()))
        }
    }
}

/// The command headers, documented for every handler that takes [`CommandHeaders`] (its
/// `#[utoipa::path]` lists `CommandHeaders` in `params`).
impl utoipa::IntoParams for CommandHeaders {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::{path::ParameterIn, ObjectBuilder, Type};
        let header = |name, description, schema: ObjectBuilder| {
            super::params::optional(name, ParameterIn::Header, description, schema)
        };
        let text = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(200))
        };
        vec![
            header(
                "Idempotency-Key",
                "the same key with the same body answers the first result again; with another body, 422",
                text(),
            ),
            header(
                "If-Match",
                "the stream version acted on, e.g. \"12\" (quotes optional); another version is a 409",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^\"?[0-9]{1,18}\"?$")),
            ),
            header(
                "X-Correlation-Id",
                "recorded in the event's metadata (1 to 200 visible ASCII characters)",
                text(),
            ),
            header(
                "X-Causation-Id",
                "recorded in the event's metadata (1 to 200 visible ASCII characters)",
                text(),
            ),
        ]
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CommandHeaders {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let h = &parts.headers;
        let expected_version = match header_text(h, "if-match")? {
            None => None,
            Some(v) => Some(
                v.trim_matches('"')
                    .parse::<i64>()
                    .ok()
                    .filter(|v| *v >= 0)
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "If-Match",
                            "If-Match must be the stream version you acted on, e.g. \"12\"",
                        )
                    })?,
            ),
        };
        Ok(CommandHeaders {
            idempotency_key: header_text(h, "idempotency-key")?,
            expected_version,
            correlation_id: header_text(h, "x-correlation-id")?,
            causation_id: header_text(h, "x-causation-id")?,
        })
    }
}

/// Read-your-writes: `?min_position=` or `X-Min-Position` asks a read to wait until the
/// projections include that log position.
#[derive(Debug, Clone, Copy, Default)]
pub struct MinPosition(pub Option<i64>);

/// `?min_position=` and `X-Min-Position`, documented for every read that takes a
/// [`MinPosition`] (its `#[utoipa::path]` lists `MinPosition` in `params`).
impl utoipa::IntoParams for MinPosition {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use super::params::{optional, Position};
        use utoipa::openapi::{path::ParameterIn, ObjectBuilder, Type};
        use utoipa::PartialSchema;
        vec![
            optional(
                "min_position",
                ParameterIn::Query,
                "wait until the read models include this log position (at most the log's head: a position past it is refused, 400)",
                Position::schema(),
            ),
            optional(
                "X-Min-Position",
                ParameterIn::Header,
                "the same as ?min_position= (give it once: both, differing, are refused)",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^-?[0-9]{1,18}$")),
            ),
        ]
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MinPosition {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let from_header = header_text(&parts.headers, "x-min-position")?;
        let mut given = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .filter(|(k, _)| k == "min_position")
            .map(|(_, v)| v.into_owned());
        let from_query = given.next();
        // Given twice, differently, it could be read either way: refused.
        let twice = given.next().is_some()
            || matches!((&from_header, &from_query), (Some(h), Some(q)) if h != q);
        if twice {
            return Err(ApiError::bad_request(
                "min_position",
                "give min_position once, in the query or as the X-Min-Position header",
            ));
        }
        match from_header.or(from_query) {
            None => Ok(MinPosition(None)),
            Some(v) => v.parse::<i64>().map(|p| MinPosition(Some(p))).map_err(|_| {
                ApiError::bad_request(
                    "min_position",
                    "min_position must be a log position (an integer)",
                )
            }),
        }
    }
}

/// Documents per page of a register (`?limit=`) when none is asked for.
pub const PAGE: i64 = 200;

/// `?limit=`: 1 to 1000, [`PAGE`] by default.
pub fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(PAGE);
    if (1..=1000).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::bad_request(
            "limit",
            "limit must be between 1 and 1000",
        ))
    }
}
