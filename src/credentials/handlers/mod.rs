//! The certificate routes: the holder's (`holder`), the public verification (`public`), the
//! admins' (`admin`) and the published keys, issuer and status lists (`keys`).

pub mod admin;
pub mod holder;
mod keys;
pub mod public;

/// The routes under `/api/v1` (mounted inside that scope).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(holder::routes)
        .configure(public::routes)
        .configure(admin::routes)
        .configure(keys::routes);
}

/// The routes at the root: `/.well-known/jwks.json`.
pub fn well_known(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    keys::well_known(cfg);
}
