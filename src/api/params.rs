//! The schemas of query parameters that carry a rule of their own (a range, a pattern, a
//! set of values). A parameter struct names one with
//! `#[param(value_type = Option<params::Moment>, inline)]`, and its field's doc comment
//! describes it, so `/openapi.json` documents what the handler reads from the struct alone.
//!
//! These types are never built: they only describe what the handlers check.

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr, Required};

/// An optional parameter, as an extractor that reads it documents it (`IntoParams`).
pub fn optional(
    name: &str,
    at: ParameterIn,
    description: &str,
    schema: impl Into<RefOr<Schema>>,
) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn integer(min: i64, max: i64) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(min))
        .maximum(Some(max))
        .into()
}

/// `YYYY-MM-DD`, as the handlers parse a day.
const DAY: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

macro_rules! schema {
    ($(#[$doc:meta])* $name:ident => $schema:expr) => {
        $(#[$doc])*
        pub enum $name {}

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

schema! {
    /// `at`: a date, an RFC 3339 time or `p:N` (parsed by `app::as_of`; never empty).
    Moment => string().min_length(Some(1)).into()
}

schema! {
    /// A language of the house: one of the six whose messages the server has.
    Language => {
        let mut codes: Vec<&str> = crate::web::messages::all().iter().map(|m| m.lang).collect();
        codes.sort_unstable();
        string().enum_values(Some(codes)).into()
    }
}

schema! {
    /// A log position, or a cursor that is one: any `i64`.
    Position => integer(i64::MIN, i64::MAX)
}

schema! {
    /// A framework version (`u32` on the server).
    Version => integer(0, i64::from(u32::MAX))
}

schema! {
    /// `limit`: a page of 1 to 1000 (`extract::page_limit`, `app::search`).
    PageSize => integer(1, 1000)
}

schema! {
    /// `q`: the words a search looks for.
    Words => string()
        .min_length(Some(1))
        .max_length(Some(200))
        .examples(["due diligence"])
        .into()
}

schema! {
    /// A day, `YYYY-MM-DD`.
    Day => string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(DAY))
        .examples(["2026-11-28"])
        .into()
}

schema! {
    /// A bound of the audit history: a day or an RFC 3339 time.
    DayOrTime => AnyOfBuilder::new()
        .schema_type(Type::String)
        .item(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))).pattern(Some(DAY)))
        .item(string().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))))
        .examples(["2026-11-24", "2026-11-24T10:00:00Z"])
        .into()
}

schema! {
    /// `stream`: `Type/id`.
    StreamName => string()
        .pattern(Some("^[^/]+/.+$"))
        .examples(["Meeting/poa-rc-1"])
        .into()
}

/// Declares `$name`, documented as the parameter struct `$params` without the parameters
/// named: those a handler reads only to refuse them with a reason of its own (a download
/// has every row, so it refuses `limit`). The handler still reads `$params`.
macro_rules! documented_without {
    ($(#[$doc:meta])* $name:ident = $params:ty, without [$($refused:literal),+ $(,)?]) => {
        $(#[$doc])*
        struct $name;

        impl utoipa::IntoParams for $name {
            fn into_params(
                parameter_in: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                let all = <$params as utoipa::IntoParams>::into_params(parameter_in);
                // A name that is not a parameter would remove nothing: caught where the
                // document is built in a test.
                $(debug_assert!(
                    all.iter().any(|p| p.name == $refused),
                    "{} has no parameter {}",
                    stringify!($params),
                    $refused
                );)+
                all.into_iter()
                    .filter(|p| ![$($refused),+].contains(&p.name.as_str()))
                    .collect()
            }
        }
    };
}
pub(crate) use documented_without;
