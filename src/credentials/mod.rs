//! Certificates of completion that employers can verify.
//!
//! The `enrolment.completed` job issues one certificate per completed enrolment (a partial
//! unique index keeps it to one live certificate); it carries a verification code, a PDF with
//! a QR code to the public verification page, and an Open Badges 3.0 credential signed as a
//! VC-JWT whose keys are published at `/.well-known/jwks.json` and whose revocation is a bit in
//! a signed Bitstring Status List. See `docs/ARCHITECTURE.md` ("Certificates").
//!
//! The public surface other modules use: [`Issuing`] (the shared state), [`register`] (the
//! jobs), [`OnCompletion`] (the step learning's completion job runs), [`routes`] and
//! [`well_known`], and `keys` (the command line's `keys generate|rotate|list`, the start-up
//! check).

pub mod actions;
pub mod certificate_pdf;
pub mod code;
pub mod handlers;
pub mod issue;
pub mod jose;
pub mod keys;
pub mod mails;
pub mod printing;
pub mod state;
pub mod status_list;
mod status_store;
pub mod store;
pub mod urls;
pub mod vc;
pub mod views;

pub use code::Code;
pub use handlers::{routes, well_known};
pub use issue::OnCompletion;
pub use keys::{KeyRing, Signer};
pub use state::{Paper, Status};
pub use status_list::StatusLists;
pub use urls::Urls;

use std::sync::Arc;

use crate::config::Config;
use crate::http::{AppError, AppResult};
use crate::jobs::Registry;
use crate::ratelimit;

/// What issuing and publishing credentials needs, shared by every worker
/// (`web::Data<Issuing>`) and the jobs. Cheap to clone.
#[derive(Clone)]
pub struct Issuing {
    pub urls: Urls,
    /// The issuer's name (`BENCHSIDE_PROVIDER_NAME`).
    pub provider_name: String,
    pub keys: KeyRing,
    /// The signed revocation lists, cached; a revocation invalidates its list.
    pub status_lists: Arc<StatusLists>,
    /// The public verification's rate limits (in this process's memory).
    pub limits: Arc<ratelimit::Local>,
}

impl Issuing {
    /// From the configuration; no I/O (keys are read when first needed).
    pub fn from_config(config: &Config) -> Issuing {
        let urls = Urls::new(&config.public_url);
        Issuing {
            keys: KeyRing::new(&config.credentials, urls.clone()),
            provider_name: config.credentials.provider_name.clone(),
            status_lists: Arc::default(),
            limits: Arc::default(),
            urls,
        }
    }

    /// After the certificate at status position `position` was revoked: its list is signed
    /// afresh at the next request.
    pub fn revoked(&self, position: i64) {
        self.status_lists
            .invalidate(status_list::slot(position).list);
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
