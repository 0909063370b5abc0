//! The public signing key as a JSON Web Key (RFC 7517): what the key set publishes, what
//! `jose::verify` checks against, and what `keys` derives from a private key.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
