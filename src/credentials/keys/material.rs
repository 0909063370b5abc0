//! RSA key material: a new 2048-bit key, its PKCS#8 PEM, the signing key jsonwebtoken uses,
//! and the public JWK that verifiers fetch.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::EncodingKey;
use rsa::PrivateKey as RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// RSA modulus size.
pub const BITS: usize = 2048;

/// An RSA private key, ready to sign.
pub struct KeyMaterial {
    private: RsaPrivateKey,
    encoding: EncodingKey,
}

impl KeyMaterial {
    /// A new random key (CPU-heavy: run it off the async threads).
    pub fn generate() -> anyhow::Result<KeyMaterial> {
        let private =
            RsaPrivateKey::new(&mut rand::rng(), BITS).context("generating an RSA key")?;
        Self::from_private(private)
    }

    /// A key read back from its PEM file.
    pub fn from_pem(pem: &str) -> anyhow::Result<KeyMaterial> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem).context("reading a PKCS#8 RSA key")?;
        anyhow::ensure!(
            private.size() * 8 >= BITS,
            "the key has {} bits; at least {BITS} are needed",
            private.size() * 8
        );
        Self::from_private(private)
    }

    fn from_private(private: RsaPrivateKey) -> anyhow::Result<KeyMaterial> {
        // jsonwebtoken's RSA signer takes PKCS#1 DER.
        let der = private.to_pkcs1_der().context("encoding the key")?;
        Ok(KeyMaterial {
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            private,
        })
    }

    /// The private key as PKCS#8 PEM (the file's content).
    pub fn pem(&self) -> anyhow::Result<String> {
        Ok(self
            .private
            .to_pkcs8_pem(LineEnding::LF)
            .context("encoding the key as PEM")?
            .to_string())
    }

    pub fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The public half as a JWK whose `kid` is `kid_url` (the key's address).
    pub fn public_jwk(&self, kid_url: String) -> PublicJwk {
        PublicJwk {
            kty: KeyType::Rsa,
            n: URL_SAFE_NO_PAD.encode(self.private.n_bytes()),
            e: URL_SAFE_NO_PAD.encode(self.private.e_bytes()),
            alg: KeyAlgorithm::Rs256,
            key_use: KeyUse::Sig,
            kid: kid_url,
        }
    }

    /// Consumes the material, keeping what signing needs.
    pub fn into_encoding(self) -> EncodingKey {
        self.encoding
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum KeyType {
    #[serde(rename = "RSA")]
    Rsa,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum KeyAlgorithm {
    #[serde(rename = "RS256")]
    Rs256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum KeyUse {
    #[serde(rename = "sig")]
    Sig,
}

/// A public signing key as a JSON Web Key (RFC 7517).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicJwk {
    pub kty: KeyType,
    /// The modulus, base64url without padding.
    pub n: String,
    /// The public exponent, base64url without padding.
    pub e: String,
    pub alg: KeyAlgorithm,
    #[serde(rename = "use")]
    pub key_use: KeyUse,
    /// The key's address (the `kid` in a credential's JWT header).
    #[schema(example = "https://learn.example.org/api/v1/credentials/keys/k-20261201-3f9a1c")]
    pub kid: String,
}

/// A new key ID: `k-` and the UTC date, then six random hex digits (`k-20261201-3f9a1c`).
pub fn new_kid(today: chrono::NaiveDate) -> String {
    let mut random = [0u8; 3];
    rand::fill(&mut random);
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("k-{}-{hex}", today.format("%Y%m%d"))
}

/// The schema's rule for key IDs: `^[a-z0-9-]{8,64}$`.
pub fn is_kid(s: &str) -> bool {
    (8..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_kids_follow_the_schema_rule() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let re = regex::Regex::new("^k-20261201-[0-9a-f]{6}$").unwrap();
        for _ in 0..50 {
            let kid = new_kid(day);
            assert!(re.is_match(&kid) && is_kid(&kid), "{kid}");
        }
        assert!(!is_kid("k-1") && !is_kid("K-20261201-ABCDEF") && !is_kid("k_20261201_x"));
    }

    #[test]
    fn a_key_survives_its_pem_and_publishes_n_and_e() {
        let key = KeyMaterial::generate().unwrap();
        let pem = key.pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = KeyMaterial::from_pem(&pem).unwrap();
        let jwk = back.public_jwk("https://x.example/k".into());
        assert_eq!(jwk, key.public_jwk("https://x.example/k".into()));
        assert_eq!(jwk.e, "AQAB");
        // 2048 bits: 256 bytes, 342 base64url characters.
        assert_eq!(jwk.n.len(), 342);
        let v = serde_json::to_value(&jwk).unwrap();
        assert_eq!(v["kty"], "RSA");
        assert_eq!(v["alg"], "RS256");
        assert_eq!(v["use"], "sig");
        assert!(KeyMaterial::from_pem("not a key").is_err());
    }
}
