//! The domain: aggregates, commands, events and rules of procedure. No I/O lives here, so
//! everything in this module is tested without a database.

pub mod amendment;
pub mod body;
pub mod framework;
pub mod meeting;
pub mod values;
