//! Every public address a certificate or credential names, built from `BENCHSIDE_PUBLIC_URL`
//! in one place so the PDF's QR code, the credential, the key set and the routes agree.

use url::Url;
use uuid::Uuid;

use super::code::Code;

/// The API path prefix of the credential routes that are not under `/verify`.
pub const API: &str = "/api/v1/credentials";
/// The key set's path.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// Addresses under the public URL (which may carry a path prefix).
#[derive(Debug, Clone)]
pub struct Urls {
    base: String,
}

impl Urls {
    pub fn new(public_url: &Url) -> Self {
        let mut base = public_url.clone();
        base.set_query(None);
        base.set_fragment(None);
        Urls {
            base: base.as_str().trim_end_matches('/').to_string(),
        }
    }

    /// The public URL without a trailing slash (the provider's site, in the issuer profile).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The web app's verification page, the QR code's target: `{base}/verify/{CODE-IN-GROUPS}`.
    pub fn verify_page(&self, code: &Code) -> String {
        format!("{}/verify/{}", self.base, code.grouped())
    }

    /// The verification JSON: `{base}/api/v1/verify/{CODE-IN-GROUPS}`.
    pub fn verify_api(&self, code: &Code) -> String {
        format!("{}/api/v1/verify/{}", self.base, code.grouped())
    }

    /// The issuer profile (`issuer.id` and the JWT's `iss`).
    pub fn issuer(&self) -> String {
        format!("{}{API}/issuer", self.base)
    }

    /// A key's own address (the JWT header's `kid`), which serves that key's public JWK.
    pub fn key(&self, kid: &str) -> String {
        format!("{}{API}/keys/{kid}", self.base)
    }

    /// The published key set.
    pub fn jwks(&self) -> String {
        format!("{}{JWKS_PATH}", self.base)
    }

    /// Revocation status list number `list`, a signed Bitstring Status List credential.
    pub fn status_list(&self, list: i64) -> String {
        format!("{}{API}/status/{list}", self.base)
    }

    /// A course's achievement (`achievement.id`): the public course outline.
    pub fn achievement(&self, course_slug: &str) -> String {
        format!("{}/api/v1/courses/{course_slug}", self.base)
    }

    /// A credential's `id` and the JWT's `jti`.
    pub fn credential_id(certificate: Uuid) -> String {
        format!("urn:uuid:{certificate}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_prefix_is_kept_and_no_slash_doubles() {
        let urls = Urls::new(&Url::parse("https://learn.example.org/benchside/").unwrap());
        assert_eq!(urls.base(), "https://learn.example.org/benchside");
        assert_eq!(
            urls.key("k1-abcdefgh"),
            "https://learn.example.org/benchside/api/v1/credentials/keys/k1-abcdefgh"
        );
        assert_eq!(
            urls.jwks(),
            "https://learn.example.org/benchside/.well-known/jwks.json"
        );
        let code: Code = "0123456789ABCDE".parse().unwrap();
        assert_eq!(
            urls.verify_page(&code),
            "https://learn.example.org/benchside/verify/01234-56789-ABCDE"
        );
    }
}
