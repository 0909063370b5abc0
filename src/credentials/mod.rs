//! Certificates of completion that employers can verify.
//!
//! The `enrolment.completed` job issues one certificate per completed enrolment (a partial
//! unique index keeps it to one live certificate); it carries a verification code, a PDF with
//! a QR code to the public verification page, and an Open Badges 3.0 credential signed as a
//! VC-JWT whose keys are published at `/.well-known/jwks.json` and whose revocation is a bit in
//! a signed Bitstring Status List. See `docs/ARCHITECTURE.md` ("Certificates").
//!
//! The public surface other modules use: [`Issuing`] (the shared state), [`register`] (the
//! jobs), [`OnCompletion`] (the step learning's completion job runs) and the routes.

pub mod actions;
pub mod code;
pub mod handlers;
pub mod issue;
pub mod mails;
pub mod printing;
pub mod state;
pub mod store;
pub mod urls;
pub mod views;

pub use code::Code;
pub use issue::OnCompletion;
pub use state::{Paper, Status};
pub use urls::Urls;

use std::sync::Arc;

use crate::config::Config;
use crate::http::{AppError, AppResult};
use crate::jobs::Registry;
use crate::ratelimit;

/// What the certificate routes and jobs share: the addresses, the provider, the signing keys,
/// the status lists' cache and the verification rate limits.
#[derive(Clone)]
pub struct Issuing {
    pub urls: Urls,
    pub provider_name: String,
    pub limits: Arc<ratelimit::Local>,
}

impl Issuing {
    pub fn new(config: &Config) -> Issuing {
        Issuing {
            urls: Urls::new(&config.public_url),
            provider_name: config.credentials.provider_name.clone(),
            limits: Arc::default(),
        }
    }
}

/// Registers the certificate jobs (the expiry notice).
pub fn register(registry: &mut Registry, issuing: Issuing) {
    actions::register(registry, issuing);
}

/// The credential of a VC-JWT as JSON: the payload without the JWT's registered claims.
pub fn credential_json(jwt: &str) -> AppResult<String> {
    use base64::Engine;
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a stored credential is not a JWT")))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(AppError::internal)?;
    let mut value: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(AppError::internal)?;
    for claim in ["iss", "jti", "sub", "nbf", "exp", "iat"] {
        value.remove(claim);
    }
    serde_json::to_string_pretty(&value).map_err(AppError::internal)
}

/// The routes under `/api/v1`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    handlers::routes(cfg);
}
