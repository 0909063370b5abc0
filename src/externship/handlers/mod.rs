//! The externship's routes: the learner's log under `/api/v1/enrolments/{id}/externship/...`,
//! the supervisor's link under `/api/v1/attestations/{token}`, and the program's sites,
//! placements and review queue under `/api/v1/admin/externship/...`. The contract is in
//! `docs/api-externship.md`.

pub mod admin;
pub mod learner;
pub mod supervisor;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    learner::routes(cfg);
    supervisor::routes(cfg);
    admin::routes(cfg);
}
