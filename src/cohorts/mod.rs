//! Cohort administration for admins and the staff who own cohorts: cohorts (course, dates,
//! capacity, staff owners, archiving), their enrolment codes, and their members (add, move,
//! withdraw, extend access). The contract is the "Cohorts" section of the admin API.
//!
//! Every handler takes [`crate::accounts::StaffUser`] and asks its scope: a cohort or an
//! enrolment outside it answers the same 404 as a missing one; creating, editing and archiving
//! cohorts is for admins only. Enrolments are created through learning's public entry point
//! ([`crate::learning::enrolling`]); every change writes an audit event in its transaction.

pub mod code_store;
pub mod codes;
pub mod handlers;
pub mod import;
pub mod import_store;
pub mod importing;
pub mod input;
pub mod member_store;
pub mod membership;
pub mod store;
pub mod views;

/// The cohort routes, under `/api/v1`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(handlers::routes);
}
