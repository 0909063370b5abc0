//! The clinical externship: a directory of clinical sites, placements of an enrolment at a
//! site with a supervisor (a contact, not an account), the learner's log of shifts and
//! collection attempts (no patient information, ever), supervisor attestation by emailed
//! single-use link, competency ratings, the program's review, and progress against the
//! course's requirements and certifying bodies' thresholds.
//!
//! How it sits on learning: enrolments are opened through `learning::access`; after anything
//! that changes what counts, [`standing::refresh`] records the learner's approved standing on
//! the enrolment (`learning::record_externship`) and runs the completion engine, which reads
//! that standing. No other module reads externship tables.
//!
//! What other features use: [`standing::summary`] (an enrolment's summary, for certificates
//! and cohort dashboards) and the [`requirements`] types.

pub mod attest;
pub mod directory;
pub mod errors;
pub mod export;
pub mod handlers;
pub mod input;
pub mod log;
pub mod logbook;
pub mod phi;
pub mod requirements;
pub mod review;
pub mod rules;
pub mod standing;
pub mod state;
pub mod store;
pub mod submit;
pub mod views;

pub use submit::Sending;

/// The externship routes, under `/api/v1`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    handlers::routes(cfg);
}

/// Registers the externship's job (the supervisor's reminder).
pub fn register(registry: &mut crate::jobs::Registry, sending: Sending) {
    submit::register(registry, sending);
}
