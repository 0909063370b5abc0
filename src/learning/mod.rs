//! Enrolment and self-paced learning: enrolling (directly or with a cohort's code), lesson
//! delivery with sequential unlocking, progress and time on task, the learner's dashboard and
//! the "why am I not complete?" answer.
//!
//! Progress is keyed by lesson and quiz IDs, which keep their identity across content
//! re-imports; what counts is computed from the course's stored outline (live content only),
//! so a re-import that adds or retires lessons recomputes percent complete on the next read.
//!
//! What other features use (and nothing else of learning's internals):
//! - [`access`]: the one way into an enrolment ([`access::open`], [`access::open_with`],
//!   [`Access`] modes, [`ensure_active`]);
//! - [`completion`]: the completion engine ([`complete_if_met`]), called by every change that
//!   can complete a course;
//! - [`lock_enrolment`], for a trigger that must lock the enrolment before its own rows;
//! - [`enrolments_open_to`]: the same rule as `access` for a learner's own enrolment, as a
//!   subselect, for a write that checks access in its own statement (the quiz autosave);
//! - [`record_externship`]: the externship module records the learner's approved standing
//!   ([`ExternshipStanding`]) on the enrolment, which the engine and the views read;
//! - [`labels`] and [`externship_enrolments`]: who and what enrolments are ([`EnrolmentLabel`]),
//!   for other features' lists and mails;
//! - [`enrolling`]: enrolments staff make and change (many at once in a fixed number of
//!   statements, move to another cohort, withdraw, extend access, a cohort's seats), for the
//!   cohort routes and the bulk import;
//! - the states ([`EnrolmentState`], [`QuizStanding`]), the outline and facts types of
//!   [`progress`], and the [`cache::ContentCache`].

pub mod access;
pub mod cache;
pub mod completion;
pub mod enrolling;
mod fact_store;
pub mod handlers;
pub mod label_store;
pub mod progress;
pub mod progress_store;
mod raw;
pub mod state;
pub mod store;
pub mod views;

pub use access::{Access, EnrolmentContext, ensure_active};
pub use completion::{Completion, Trigger, complete_if_met};
pub use label_store::{EnrolmentLabel, externship_enrolments, labels};
pub use progress::ExternshipStanding;
pub use state::{EnrolmentState, QuizStanding};
pub use store::lock_state as lock_enrolment;
pub use store::open_to as enrolments_open_to;
pub use store::record_externship;

/// The learning routes, under `/api/v1`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(handlers::routes);
}
