//! Plenary: an event-sourced record of consensus-based intergovernmental processes.
//!
//! Every act (convening a meeting, proposing an amendment, objecting, declaring consensus) is an
//! event in one append-only, hash-chained log. Read models are projections over that log and can
//! be rebuilt from it exactly.
//!
//! # Layout
//! - [`domain`]: aggregates, commands, events and rules. Pure code, no I/O; depends on nothing
//!   below.
//! - [`store`]: the event log on PostgreSQL and SQLite: global order, hash chain, idempotency,
//!   snapshots, live notifications, and the `PersistedEventRepository` that cqrs-es runs on.
//! - [`projections`]: read models fed from the global log with transactional checkpoints, and
//!   rebuild.
//! - [`app`]: the application services: every command, read and permission, once; the
//!   typed read models; wiring of the store, the aggregates and the projector.
//! - [`api`]: the JSON front end: bearer tokens, problem+json, OpenAPI, the live stream.
//! - [`web`]: the pages front end: sessions, CSRF, templates, live updates.
//! - [`audit`]: export bundles, signed checkpoints, offline verification, inclusion proofs and
//!   replay from a bundle alone.
//! - [`cli`]: the command line, one file per subcommand (`src/main.rs` only parses and runs
//!   it).
//! - [`demo`]: the end-to-end scenario of DOMAIN.md, driven through the HTTP API.
//! - [`service`]: starting the service: its background work and the HTTP server, from
//!   options, for `plenary serve`, the tests and the bench alike.
//!
//! Dependencies point inwards: `api`/`web`/`cli`/`audit` → `app` → `projections`/`store` → `domain`.

pub mod api;
pub mod app;
pub mod audit;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod export;
pub mod projections;
pub mod service;
pub mod store;
pub mod web;
