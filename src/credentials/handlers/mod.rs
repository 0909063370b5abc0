//! The certificate routes: the holder's (`holder`), the public verification (`public`), the
//! admins' (`admin`) and the published keys and status lists (`keys`).

pub mod admin;
pub mod holder;
pub mod public;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(holder::routes)
        .configure(public::routes)
        .configure(admin::routes);
}
