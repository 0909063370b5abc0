//! Accounts: users, passwords (argon2id), sessions (JWT access tokens and rotating refresh
//! tokens), email verification, password reset, invitations, roles and the admin user list.

pub mod admin;
pub mod admin_store;
pub mod cli;
pub mod domain;
pub mod errors;
pub mod extract;
pub mod handlers;
pub mod invitations;
mod invite_store;
pub mod password;
pub mod revocations;
pub mod sessions;
pub mod staff;
pub mod store;
pub mod tokens;

use std::sync::Arc;

pub use domain::Role;
pub use extract::{AdminUser, ClientInfo, CurrentUser};
pub use staff::{Scope, StaffUser};

use crate::config::Config;

/// What the auth extractors and handlers share.
pub struct Auth {
    pub tokens: tokens::AccessTokens,
    pub hasher: password::PasswordHasher,
    pub revocations: Arc<revocations::Revocations>,
}

impl Auth {
    pub fn from_config(config: &Config) -> anyhow::Result<Auth> {
        Ok(Auth {
            tokens: tokens::AccessTokens::from_config(config)?,
            hasher: password::PasswordHasher::new(config.auth.hash_concurrency),
            revocations: Arc::new(revocations::Revocations::default()),
        })
    }
}

/// The account routes, under `/api/v1`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(handlers::routes).configure(admin::routes);
}
