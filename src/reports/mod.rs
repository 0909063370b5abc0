//! Reports for the admin area: the cohort progress dashboard with risk flags, the charts'
//! data, the outcome report, streaming CSV exports and the audit log viewer.
//!
//! **A read model.** Reports write nothing. Their store reads the tables of learning
//! (`enrolments`, `lesson_progress`, `quiz_outcomes`), quizzes (`quiz_attempts`), externship
//! (`externship_attestations`, `externship_entries`), credentials (`certificates`), catalog
//! and `audit_log` directly through `crate::db::schema` and raw SQL, **read-only**, so a
//! dashboard page over a cohort of any size is one statement rather than a call per learner.
//! What a number means is still decided by the owners' public pure functions: percent complete
//! and the lessons that count are learning's (`learning::progress::percent_complete` over the
//! outline from `learning::cache::ContentCache`), a certificate's status is credentials'
//! (`credentials::state::status`). The SQL only counts done items (lessons of the outline,
//! quizzes completion requires) to sort by, which orders learners exactly as percent does.
//!
//! Authorisation: every handler takes `accounts::StaffUser`; cohort routes answer 404 for a
//! cohort outside the scope, the audit log routes are admin-only.

pub mod audit_log;
pub mod charts;
pub mod csv_cells;
pub mod export_rows;
pub mod exports;
pub mod handlers;
pub mod risk;
pub mod store;
pub mod views;

pub use exports::Exports;

/// The reports' routes, under `/api/v1`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(handlers::routes);
}
