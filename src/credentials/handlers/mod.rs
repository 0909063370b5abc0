//! The credentials' HTTP routes.

mod keys;

/// The routes under `/api/v1/credentials` (mounted inside the `/api/v1` scope).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    keys::routes(cfg);
}

/// The routes at the root: `/.well-known/jwks.json`.
pub fn well_known(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    keys::well_known(cfg);
}
