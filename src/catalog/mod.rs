//! The catalog: course content as files (`courses/`), their validation and import, and the
//! public catalog API.

pub mod api;
pub mod exams;
mod externship;
pub mod hours;
pub mod import;
pub mod load;
pub mod model;
mod problems;
pub mod render;
pub mod store;
mod validity;

/// The catalog routes, under `/api/v1`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(api::routes);
}
