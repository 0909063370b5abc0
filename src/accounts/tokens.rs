//! Access tokens (JWT, HS256 pinned) and opaque random tokens (refresh, email links).

use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::domain::Role;
use crate::config::{Config, Environment, Secret};

pub const AUDIENCE: &str = "benchside-api";
/// The audience of a device token (see [`AccessTokens::issue_device`]); an access token is
/// never a device token, nor the other way round.
pub const DEVICE_AUDIENCE: &str = "benchside-device";
/// How long a device token vouches for a browser after its last successful sign-in.
pub const DEVICE_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// The claims of a device token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct DeviceClaims {
    /// The account the browser signed in to.
    sub: Uuid,
    /// This device's own ID (its rate-limit bucket).
    jti: Uuid,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

/// A browser that has signed in to an account before, as its device token proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownDevice {
    pub user: Uuid,
    pub device: Uuid,
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user's ID.
    pub sub: Uuid,
    pub role: Role,
    /// The refresh-token family (the sign-in session) this token belongs to.
    pub sid: Uuid,
    pub iat: u64,
    /// Issued-at in milliseconds, compared with session revocations.
    pub ims: i64,
    pub exp: u64,
    pub iss: String,
    pub aud: String,
}

/// Why an access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

/// Access tokens verified at most, kept by their exact text; past it the map starts over. An
/// entry is the token (about 300 bytes) and its claims: a few MB at most.
const MAX_VERIFIED: usize = 16_384;

/// Signs and verifies access tokens.
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: Vec<DecodingKey>,
    validation: Validation,
    device_validation: Validation,
    issuer: String,
    ttl: Duration,
    /// Tokens whose signature and claims were checked, by their exact text: a client sends
    /// the same token with every request of its lifetime, and checking it afresh was a fifth
    /// of a lesson read's instructions. Only the expiry depends on the clock, so
    /// [`AccessTokens::verify`] checks it on every use; a string that differs from a verified
    /// token in any byte is not found and is verified in full.
    verified: RwLock<HashMap<Box<str>, Claims>>,
}

impl AccessTokens {
    pub fn new(secret: &Secret, previous: Option<&Secret>, issuer: String, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[issuer.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 30;
        let mut device_validation = validation.clone();
        device_validation.set_audience(&[DEVICE_AUDIENCE]);
        device_validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud", "jti"]);
        device_validation.leeway = 0;
        let mut decoding = vec![hmac_decoding(secret)];
        if let Some(p) = previous {
            decoding.push(hmac_decoding(p));
        }
        AccessTokens {
            encoding: EncodingKey::from_secret(&secret.0).expect(NON_EMPTY),
            decoding,
            validation,
            device_validation,
            issuer,
            ttl,
            verified: RwLock::default(),
        }
    }

    /// From configuration; in development without a configured key, one is generated under
    /// the data folder and kept for the next start.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let secret = match &config.auth.jwt_secret {
            Some(s) => s.clone(),
            None if config.env == Environment::Development => {
                dev_secret(&config.data_dir.join("jwt-secret"))?
            }
            None => anyhow::bail!("BENCHSIDE_JWT_SECRET is required in production"),
        };
        Ok(Self::new(
            &secret,
            config.auth.jwt_previous_secret.as_ref(),
            config.public_url.origin().ascii_serialization(),
            config.auth.access_token_ttl,
        ))
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue(&self, user: Uuid, role: Role, session: Uuid) -> String {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let now = (now_ms / 1000) as u64;
        let claims = Claims {
            sub: user,
            role,
            sid: session,
            iat: now,
            ims: now_ms,
            exp: now + self.ttl.as_secs(),
            iss: self.issuer.clone(),
            aud: AUDIENCE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// A device token for `user`: an HS256 JWT (same key, its own audience) that the sign-in
    /// cookie carries, so this browser later passes the per-account sign-in limit that
    /// strangers share. It proves only "signed in here before"; the password is still needed.
    pub fn issue_device(&self, user: Uuid) -> String {
        let now = unix_now();
        let claims = DeviceClaims {
            sub: user,
            jti: Uuid::new_v4(),
            iat: now,
            exp: now + DEVICE_TTL.as_secs(),
            iss: self.issuer.clone(),
            aud: DEVICE_AUDIENCE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// The account and device a device token vouches for; `None` for anything forged,
    /// expired, or not a device token.
    pub fn verify_device(&self, token: &str) -> Option<KnownDevice> {
        self.decoding.iter().find_map(|key| {
            jsonwebtoken::decode::<DeviceClaims>(token, key, &self.device_validation)
                .ok()
                .map(|d| KnownDevice {
                    user: d.claims.sub,
                    device: d.claims.jti,
                })
        })
    }

    /// The claims of an access token signed with the current or the previous key, for this
    /// issuer and audience and not expired (with the configured leeway).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        self.verify_at(token, unix_now())
    }

    fn verify_at(&self, token: &str, now: u64) -> Result<Claims, TokenError> {
        let known = {
            let map = self.verified.read().unwrap_or_else(|e| e.into_inner());
            map.get(token).cloned()
        };
        let claims = match known {
            Some(claims) => claims,
            None => {
                let claims = self.check(token)?;
                let mut map = self.verified.write().unwrap_or_else(|e| e.into_inner());
                if map.len() >= MAX_VERIFIED {
                    map.clear();
                }
                map.insert(token.into(), claims.clone());
                claims
            }
        };
        // As jsonwebtoken's own check: expired once `exp` is more than the leeway ago.
        if claims.exp.saturating_add(self.validation.leeway) < now {
            // Never valid again: no longer kept.
            let mut map = self.verified.write().unwrap_or_else(|e| e.into_inner());
            map.remove(token);
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    /// The full check: signature, algorithm, audience, issuer, required claims and expiry.
    fn check(&self, token: &str) -> Result<Claims, TokenError> {
        let mut last = TokenError::Invalid;
        for key in &self.decoding {
            match jsonwebtoken::decode::<Claims>(token, key, &self.validation) {
                Ok(data) => return Ok(data.claims),
                Err(e) => {
                    if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) {
                        last = TokenError::Expired;
                    }
                }
            }
        }
        Err(last)
    }
}

/// The configuration refuses short secrets and `dev_secret` makes long ones, so a key is never
/// empty (the one thing `from_secret` refuses).
const NON_EMPTY: &str = "an HMAC secret is never empty";

fn hmac_decoding(secret: &Secret) -> DecodingKey {
    DecodingKey::from_secret(&secret.0).expect(NON_EMPTY)
}

fn dev_secret(path: &Path) -> anyhow::Result<Secret> {
    if let Ok(existing) = std::fs::read_to_string(path)
        && existing.trim().len() >= 32
    {
        return Ok(Secret(existing.trim().as_bytes().to_vec()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let value = random_token();
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(value.as_bytes())?;
    }
    tracing::info!(path = %path.display(), "generated a development signing key");
    Ok(Secret(value.into_bytes()))
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// 256 random bits, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for a token: its SHA-256. Tokens carry 256 random bits, so a fast hash is
/// enough; the database never holds a usable token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(ttl: u64) -> AccessTokens {
        AccessTokens::new(
            &Secret(b"0123456789abcdef0123456789abcdef".to_vec()),
            None,
            "http://127.0.0.1:8080".into(),
            Duration::from_secs(ttl),
        )
    }

    fn forge(header: &str, claims: &serde_json::Value, sig: &str) -> String {
        format!(
            "{}.{}.{sig}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_claims() {
        let t = tokens(900);
        let (u, s) = (Uuid::new_v4(), Uuid::new_v4());
        let c = t.verify(&t.issue(u, Role::Admin, s)).unwrap();
        assert_eq!((c.sub, c.role, c.sid), (u, Role::Admin, s));
        assert_eq!(c.exp - c.iat, 900);
    }

    #[test]
    fn tampered_none_and_foreign_tokens_are_refused() {
        let t = tokens(900);
        let good = t.issue(Uuid::new_v4(), Role::Learner, Uuid::new_v4());
        let parts: Vec<&str> = good.split('.').collect();
        // Change the role in the payload, keep the signature.
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        claims["role"] = "admin".into();
        let tampered = forge(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, parts[2]);
        assert_eq!(t.verify(&tampered), Err(TokenError::Invalid));
        // alg: none with no signature.
        let none = forge(r#"{"alg":"none","typ":"JWT"}"#, &claims, "");
        assert_eq!(t.verify(&none), Err(TokenError::Invalid));
        // Another algorithm with the same key material (confusion).
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap(),
        )
        .unwrap();
        assert_eq!(t.verify(&hs512), Err(TokenError::Invalid));
        // Signed with another key, or for another audience or issuer.
        let other = AccessTokens::new(
            &Secret(b"another-key-another-key-another-k".to_vec()),
            None,
            "http://127.0.0.1:8080".into(),
            Duration::from_secs(900),
        );
        assert_eq!(
            t.verify(&other.issue(Uuid::new_v4(), Role::Admin, Uuid::new_v4())),
            Err(TokenError::Invalid)
        );
        let elsewhere = AccessTokens::new(
            &Secret(b"0123456789abcdef0123456789abcdef".to_vec()),
            None,
            "https://evil.example".into(),
            Duration::from_secs(900),
        );
        assert_eq!(
            t.verify(&elsewhere.issue(Uuid::new_v4(), Role::Admin, Uuid::new_v4())),
            Err(TokenError::Invalid)
        );
        assert_eq!(t.verify("not.a.jwt"), Err(TokenError::Invalid));
    }

    #[test]
    fn expired_tokens_say_so() {
        let t = tokens(900);
        let now = unix_now();
        let claims = Claims {
            sub: Uuid::new_v4(),
            role: Role::Learner,
            sid: Uuid::new_v4(),
            iat: now - 2000,
            ims: (now as i64 - 2000) * 1000,
            exp: now - 1000,
            iss: "http://127.0.0.1:8080".into(),
            aud: AUDIENCE.into(),
        };
        let old = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef").unwrap(),
        )
        .unwrap();
        assert_eq!(t.verify(&old), Err(TokenError::Expired));
    }

    #[test]
    fn a_token_verified_before_is_known_by_its_exact_text_and_still_expires() {
        let t = tokens(900);
        let now = unix_now();
        let token = t.issue(Uuid::new_v4(), Role::Learner, Uuid::new_v4());
        let first = t.verify_at(&token, now).unwrap();
        assert_eq!(t.verified.read().unwrap().len(), 1, "kept");
        assert_eq!(t.verify_at(&token, now), Ok(first.clone()));
        // Any byte changed is another string: verified in full, and refused.
        let at = token.len() - 10; // inside the signature, whole bits
        let swap = if &token[at..=at] == "A" { "B" } else { "A" };
        let tampered = format!("{}{swap}{}", &token[..at], &token[at + 1..]);
        assert_eq!(t.verify_at(&tampered, now), Err(TokenError::Invalid));
        assert_eq!(
            t.verified.read().unwrap().len(),
            1,
            "a refused token is not kept"
        );
        // The expiry is the clock's, checked on every use: within the leeway, then past it.
        assert_eq!(t.verify_at(&token, first.exp + 30), Ok(first.clone()));
        assert_eq!(
            t.verify_at(&token, first.exp + 31),
            Err(TokenError::Expired)
        );
        assert!(
            t.verified.read().unwrap().is_empty(),
            "an expired token is dropped"
        );
    }

    #[test]
    fn the_previous_key_still_verifies_during_rotation() {
        let old = Secret(b"old-key-old-key-old-key-old-key-old".to_vec());
        let new = Secret(b"new-key-new-key-new-key-new-key-new".to_vec());
        let before = AccessTokens::new(&old, None, "i".into(), Duration::from_secs(60));
        let after = AccessTokens::new(&new, Some(&old), "i".into(), Duration::from_secs(60));
        let token = before.issue(Uuid::new_v4(), Role::Learner, Uuid::new_v4());
        assert!(after.verify(&token).is_ok());
    }

    #[test]
    fn device_tokens_name_their_account_and_are_not_access_tokens() {
        let t = tokens(900);
        let user = Uuid::new_v4();
        let d = t.issue_device(user);
        let known = t.verify_device(&d).unwrap();
        assert_eq!(known.user, user);
        assert_ne!(
            t.verify_device(&t.issue_device(user)).unwrap().device,
            known.device
        );
        assert_eq!(
            t.verify(&d),
            Err(TokenError::Invalid),
            "not an access token"
        );
        let access = t.issue(user, Role::Learner, Uuid::new_v4());
        assert_eq!(t.verify_device(&access), None, "not a device token");
        let other = AccessTokens::new(
            &Secret(b"another-key-another-key-another-k".to_vec()),
            None,
            "http://127.0.0.1:8080".into(),
            Duration::from_secs(900),
        );
        assert_eq!(other.verify_device(&d), None, "signed with another key");
        let parts: Vec<&str> = d.split('.').collect();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        claims["sub"] = Uuid::new_v4().to_string().into();
        let moved = forge(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, parts[2]);
        assert_eq!(t.verify_device(&moved), None, "bound to its account");
    }

    #[test]
    fn random_tokens_are_long_and_distinct_and_hash_to_32_bytes() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 32);
    }
}
