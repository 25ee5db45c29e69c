//! End-to-end tests: the real HTTP server on a random port, driven as a client would, on
//! SQLite and on Postgres.

mod accreditation;
mod annex;
mod attachments;
mod capacity;
#[path = "../common/mod.rs"]
mod common;
mod contacts;
mod core_fixes;
mod documented;
mod documents;
mod exactness;
mod funds;
mod helpers;
mod hostile;
mod matrix;
mod pages;
mod participation;
mod permissions;
mod protocol;
mod public;
mod register;
mod report;
mod reporting;
mod scenario;
mod search;
mod service;
mod shutdown;
mod submissions;
mod work;
