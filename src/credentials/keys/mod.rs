//! The keys that sign credentials (RSA 2048, RS256).
//!
//! The private halves are PEM files `<kid>.pem` in `BENCHSIDE_SIGNING_KEY_DIR` (folder 0700,
//! files 0600), never in the database. The public halves are rows of `signing_keys`: a key is
//! published from `created_at` and signs from `signs_from`. `benchside keys rotate` adds a key
//! published now that signs `BENCHSIDE_SIGNING_KEY_LEAD_MINUTES` later, so verifiers that
//! cache the key set see it before the first credential it signs.
//!
//! Older keys are never removed: their public halves stay published so every credential they
//! signed still verifies, and their private files stay in the folder. An operator may retire
//! an old private file by hand (the server then signs with the newest key it holds); the row
//! must stay as long as a credential it signed may be checked.
//!
//! [`KeyRing`] is what the server holds: the signing key is chosen per request from the rows
//! (so a key `benchside keys rotate` added while the server runs is picked up without a
//! restart), private keys are read from the folder once and kept in memory, and the published
//! set is cached briefly.

mod files;
mod lifecycle;
mod material;
mod store;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel_async::AsyncPgConnection;
use jsonwebtoken::EncodingKey;

pub use lifecycle::{KeyInfo, KeyState, ensure_ready, generate, list, render, rotate};
pub use material::{KeyAlgorithm, KeyMaterial, KeyType, KeyUse, PublicJwk, is_kid};

use super::jose;
use super::urls::Urls;
use crate::config::CredentialsConfig;
use crate::http::{AppError, AppResult};

/// How long the published key set is served from memory.
const PUBLISHED_FOR: Duration = Duration::from_secs(30);

/// The server's view of the signing keys. Cheap to clone.
#[derive(Clone)]
pub struct KeyRing(Arc<Inner>);

struct Inner {
    dir: PathBuf,
    urls: Urls,
    private: Mutex<HashMap<String, Arc<EncodingKey>>>,
    published: Mutex<Option<(Instant, Arc<Vec<PublicJwk>>)>>,
}

/// The key that signs now.
#[derive(Clone)]
pub struct Signer {
    kid: String,
    key: Arc<EncodingKey>,
}

impl Signer {
    /// The key's ID (what `certificates.kid` stores).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `credential` (a JSON object) as a VC-JWT; see [`jose`].
    pub fn sign_credential(
        &self,
        urls: &Urls,
        credential: &serde_json::Value,
    ) -> anyhow::Result<String> {
        jose::sign(&self.key, &urls.key(&self.kid), &urls.issuer(), credential)
    }
}

impl KeyRing {
    /// No I/O: keys are read when first needed.
    pub fn new(config: &CredentialsConfig, urls: Urls) -> KeyRing {
        KeyRing(Arc::new(Inner {
            dir: config.key_dir.clone(),
            urls,
            private: Mutex::default(),
            published: Mutex::default(),
        }))
    }

    /// The key that signs now: the newest whose `signs_from` has come and whose private file
    /// this process can read. None: an internal error (the cause is logged, not sent).
    pub async fn signer(&self, conn: &mut AsyncPgConnection) -> AppResult<Signer> {
        let kids = store::signing_now(conn).await?;
        for kid in &kids {
            if let Some(key) = self.private_key(kid).await {
                return Ok(Signer {
                    kid: kid.clone(),
                    key,
                });
            }
        }
        Err(AppError::internal(anyhow::anyhow!(
            "no signing key: none of the {} key(s) that sign now has a readable private file \
             in {} (BENCHSIDE_SIGNING_KEY_DIR; see `benchside keys list`)",
            kids.len(),
            self.0.dir.display()
        )))
    }

    /// Every published public key (each still verifies what it signed; a rotated key is
    /// published before it signs), cached for a short time.
    pub async fn published(&self, conn: &mut AsyncPgConnection) -> AppResult<Arc<Vec<PublicJwk>>> {
        if let Some((at, keys)) = &*lock(&self.0.published)
            && at.elapsed() < PUBLISHED_FOR
        {
            return Ok(keys.clone());
        }
        let keys = Arc::new(lifecycle::public_keys(conn).await?);
        *lock(&self.0.published) = Some((Instant::now(), keys.clone()));
        Ok(keys)
    }

    /// The published key `kid` (the short ID), looked up again in the database when the
    /// cached set does not have it (a key rotated in a moment ago).
    pub async fn key(
        &self,
        conn: &mut AsyncPgConnection,
        kid: &str,
    ) -> AppResult<Option<PublicJwk>> {
        if !is_kid(kid) {
            return Ok(None);
        }
        let url = self.0.urls.key(kid);
        let find = |keys: &[PublicJwk]| keys.iter().find(|k| k.kid == url).cloned();
        if let Some(found) = find(&self.published(conn).await?) {
            return Ok(Some(found));
        }
        let fresh = Arc::new(lifecycle::public_keys(conn).await?);
        let found = find(&fresh);
        *lock(&self.0.published) = Some((Instant::now(), fresh));
        Ok(found)
    }

    /// The private key of `kid` from memory, or read from its file (`None`: not held here or
    /// unreadable, which is logged).
    async fn private_key(&self, kid: &str) -> Option<Arc<EncodingKey>> {
        if let Some(key) = lock(&self.0.private).get(kid) {
            return Some(key.clone());
        }
        let (dir, owned) = (self.0.dir.clone(), kid.to_string());
        let loaded = tokio::task::spawn_blocking(move || lifecycle::load(&dir, &owned)).await;
        match loaded {
            Ok(Ok(Some(material))) => {
                let key = Arc::new(material.into_encoding());
                lock(&self.0.private).insert(kid.to_string(), key.clone());
                Some(key)
            }
            Ok(Ok(None)) => None,
            Ok(Err(e)) => {
                tracing::warn!(kid, error = %format!("{e:#}"), "unreadable signing key file");
                None
            }
            Err(e) => {
                tracing::warn!(kid, error = %e, "reading a signing key failed");
                None
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
