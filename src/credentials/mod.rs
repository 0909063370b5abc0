//! Certificates of completion that employers can verify.
//!
//! The `enrolment.completed` job issues one certificate per completed enrolment (a partial
//! unique index keeps it to one live certificate); it carries a verification code, a PDF with
//! a QR code to the public verification page, and an Open Badges 3.0 credential signed as a
//! VC-JWT whose keys are published at `/.well-known/jwks.json` and whose revocation is a bit in
//! a signed Bitstring Status List. See `docs/ARCHITECTURE.md` ("Certificates").

pub mod certificate_pdf;
pub mod code;
pub mod state;
pub mod urls;

pub use code::Code;
pub use state::{Paper, Status};
pub use urls::Urls;
