//! Quizzes and exams: drawing an attempt from the question banks, autosaving answers,
//! grading, the quiz outcome that learning reads for unlocking and completion, and item
//! statistics for admins. The contract is `docs/api-quizzes.md`.
//!
//! - `draw.rs`: which questions, in which order, and the shown order of their parts (pure).
//! - `grading.rs`: answer shapes, credit per question, percent (pure).
//! - `store.rs`: the queries; `handlers/`: the routes (`attempt.rs`: loading and grading an
//!   attempt).
//! - `question_cache.rs`: questions with their parsed answer keys and texts as shown, per
//!   revision; `texts.rs`: how choices and entries are shown (pure).

pub mod draw;
pub mod grading;
pub mod handlers;
pub mod question_cache;
pub mod readiness;
pub mod state;
pub mod store;
mod texts;
pub mod views;

/// The quiz routes, under `/api/v1`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(handlers::routes);
}
