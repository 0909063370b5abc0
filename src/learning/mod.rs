//! Enrolment and self-paced learning: enrolling (directly or with a cohort's code), lesson
//! delivery with sequential unlocking, progress and time on task, the learner's dashboard and
//! the "why am I not complete?" answer.
//!
//! Progress is keyed by lesson and quiz IDs, which keep their identity across content
//! re-imports; what counts is computed from the course's stored outline (live content only),
//! so a re-import that adds or retires lessons recomputes percent complete on the next read.

pub mod cache;
pub mod handlers;
pub mod progress;
pub mod store;

/// The learning routes, under `/api/v1`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(handlers::routes);
}
