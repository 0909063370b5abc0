//! Certificates of completion that employers can verify.
//!
//! The `enrolment.completed` job issues one certificate per completed enrolment (a partial
//! unique index keeps it to one live certificate); it carries a verification code, a PDF with
//! a QR code to the public verification page, and an Open Badges 3.0 credential signed as a
//! VC-JWT whose keys are published at `/.well-known/jwks.json` and whose revocation is a bit in
//! a signed Bitstring Status List. See `docs/ARCHITECTURE.md` ("Certificates").

pub mod code;
pub mod handlers;
pub mod jose;
pub mod keys;
pub mod state;
pub mod status_list;
mod status_store;
pub mod urls;
pub mod vc;

pub use code::Code;
pub use handlers::{routes, well_known};
pub use keys::{KeyRing, Signer};
pub use state::{Paper, Status};
pub use status_list::StatusLists;
pub use urls::Urls;

use crate::config::Config;

/// What issuing and publishing credentials needs, shared by every worker
/// (`web::Data<Issuing>`).
pub struct Issuing {
    pub urls: Urls,
    /// The issuer's name (`BENCHSIDE_PROVIDER_NAME`).
    pub provider_name: String,
    pub keys: KeyRing,
    /// The signed revocation lists, cached; the revoke path calls `invalidate(list)`.
    pub status_lists: StatusLists,
}

impl Issuing {
    /// From the configuration; no I/O (keys are read when first needed).
    pub fn from_config(config: &Config) -> Issuing {
        let urls = Urls::new(&config.public_url);
        Issuing {
            keys: KeyRing::new(&config.credentials, urls.clone()),
            provider_name: config.credentials.provider_name.clone(),
            status_lists: StatusLists::default(),
            urls,
        }
    }
}
