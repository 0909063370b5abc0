//! Benchside: self-paced course delivery for allied-health career training.
//!
//! Module map (see `docs/ARCHITECTURE.md` for the whole picture):
//!
//! - [`config`]: typed settings from the environment, validated at start.
//! - [`slug`]: the slug rule for content and paths.
//! - [`pdf`]: PDF building blocks (committed fonts, text, tables over pages, vector QR codes).
//! - [`telemetry`]: structured logs (`pretty` or `json`).
//! - [`db`]: the pool, embedded migrations, the private development cluster, `schema.rs`,
//!   `text_enum!` (enums stored as text).
//! - [`http`]: the bottom HTTP layer: `AppError` and `ErrorCode`, extractors, middleware,
//!   paging, health, the web-app file server, the API reference page.
//! - [`jobs`]: the PostgreSQL job queue: enqueue in the caller's transaction, the runner.
//! - [`mail`]: mail templates, transports (SMTP, files), the outbox, delivery as a job.
//! - [`startup`]: the wiring: route table, app factory, `Application`, job registry, OpenAPI.
//! - [`server`]: what `serve`, `migrate` and `check` do, shared by the binary and the tests.
//! - [`accounts`]: users, passwords, sessions, roles, the auth extractors.
//! - [`audit`]: the append-only audit log.
//! - [`catalog`]: course files, their validation and import, the public catalog.
//! - [`learning`]: the one way into an enrolment, lesson delivery, progress, the learner's
//!   dashboard and the completion engine.
//! - [`credentials`]: certificates issued on completion, their PDF, the public verification,
//!   signed Open Badges 3.0 credentials, the signing keys and the revocation status lists.
//! - [`externship`]: clinical sites, placements, the shift and collection log, supervisor
//!   attestation by emailed link, competencies, review, progress against requirements.
//! - [`quizzes`]: quiz attempts (draw, autosave, grading, review), quiz outcomes, item statistics.
//! - [`ratelimit`]: token-bucket rate limits kept in PostgreSQL.
//! - [`metrics`]: `GET /metrics` for Prometheus (requests, pool, job queue, outbox).
//! - [`reports`]: the admin area's read model: cohort dashboard with risk flags, charts,
//!   outcomes, streaming CSV exports, the audit log viewer.
//! - [`seed`]: `benchside seed`: a cohort of N learners at varied progress, set-based SQL.

pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod cohorts;
pub mod config;
pub mod credentials;
pub mod db;
pub mod externship;
pub mod http;
pub mod jobs;
pub mod learning;
pub mod mail;
pub mod metrics;
pub mod pdf;
pub mod quizzes;
pub mod ratelimit;
pub mod reports;
pub mod seed;
pub mod server;
pub mod slug;
pub mod startup;
pub mod telemetry;
