//! Making keys (`benchside keys generate|rotate`), listing them (`keys list`) and the check
//! `serve` makes before it starts.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::material::{KeyMaterial, PublicJwk, new_kid};
use super::{files, store};
use crate::config::{Config, CredentialsConfig, Environment};
use crate::credentials::urls::Urls;
use crate::http::{AppError, AppResult};

/// A key as `keys list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub kid: String,
    pub created_at: DateTime<Utc>,
    pub signs_from: DateTime<Utc>,
    pub state: KeyState,
    /// Whether this machine's key folder holds the private file.
    pub private_here: bool,
}

/// Where a key stands by its times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Published, signing later.
    Scheduled,
    /// The newest key whose `signs_from` has come.
    Current,
    /// Replaced by a newer key; still published so what it signed verifies.
    Previous,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Scheduled => "scheduled",
            KeyState::Current => "current",
            KeyState::Previous => "previous",
        }
    }
}

/// The first key, signing from now. Refuses when a key exists (use [`rotate`]).
pub async fn generate(
    conn: &mut AsyncPgConnection,
    config: &CredentialsConfig,
    urls: &Urls,
) -> anyhow::Result<String> {
    if store::any(conn).await? {
        bail!(
            "a signing key already exists (see `benchside keys list`); \
             `benchside keys rotate` adds a new one"
        );
    }
    add(conn, config, urls, Duration::ZERO, true).await
}

/// A new key, published now and signing `BENCHSIDE_SIGNING_KEY_LEAD_MINUTES` from now. Older
/// keys (public rows and private files) stay.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    config: &CredentialsConfig,
    urls: &Urls,
) -> anyhow::Result<String> {
    if !store::any(conn).await? {
        bail!("there is no signing key yet: run `benchside keys generate` first");
    }
    add(conn, config, urls, config.key_lead, false).await
}

/// Makes a key, writes its private file, then publishes its row (a key is never published
/// before its private half is safe on disk).
async fn add(
    conn: &mut AsyncPgConnection,
    config: &CredentialsConfig,
    urls: &Urls,
    lead: Duration,
    only_first: bool,
) -> anyhow::Result<String> {
    let kid = new_kid(Utc::now().date_naive());
    let dir = config.key_dir.clone();
    let (owned_kid, owned_dir) = (kid.clone(), dir.clone());
    let material = tokio::task::spawn_blocking(move || -> anyhow::Result<KeyMaterial> {
        let material = KeyMaterial::generate()?;
        files::write_private(&owned_dir, &owned_kid, &material.pem()?).with_context(|| {
            format!(
                "writing the private key into {} (BENCHSIDE_SIGNING_KEY_DIR)",
                owned_dir.display()
            )
        })?;
        Ok(material)
    })
    .await??;
    let jwk = serde_json::to_value(material.public_jwk(urls.key(&kid)))?;
    let added = store::insert(conn, &kid, &jwk, lead.as_secs_f64(), only_first).await;
    if !matches!(added, Ok(true)) {
        let _ = files::remove_private(&dir, &kid);
    }
    match added {
        Ok(true) => Ok(kid),
        Ok(false) => bail!("a signing key was added meanwhile; nothing changed"),
        Err(e) => Err(e.into()),
    }
}

/// Every key with its state now and whether this machine holds its private file.
pub async fn list(
    conn: &mut AsyncPgConnection,
    config: &CredentialsConfig,
) -> anyhow::Result<Vec<KeyInfo>> {
    let rows = store::all(conn).await?;
    let now = Utc::now();
    let current = rows
        .iter()
        .filter(|r| r.signs_from <= now)
        .max_by_key(|r| (r.signs_from, r.created_at))
        .map(|r| r.kid.clone());
    Ok(rows
        .into_iter()
        .map(|r| KeyInfo {
            state: if r.signs_from > now {
                KeyState::Scheduled
            } else if current.as_deref() == Some(r.kid.as_str()) {
                KeyState::Current
            } else {
                KeyState::Previous
            },
            private_here: files::has_private(&config.key_dir, &r.kid),
            kid: r.kid,
            created_at: r.created_at,
            signs_from: r.signs_from,
        })
        .collect())
}

/// The `keys list` table.
pub fn render(keys: &[KeyInfo], dir: &Path) -> String {
    let mut out = String::new();
    if keys.is_empty() {
        let _ = writeln!(
            out,
            "no signing keys (create one with `benchside keys generate`)"
        );
        return out;
    }
    let _ = writeln!(
        out,
        "{:<24} {:<10} {:<21} {:<21} PRIVATE KEY HERE",
        "KID", "STATE", "CREATED", "SIGNS FROM"
    );
    for k in keys {
        let _ = writeln!(
            out,
            "{:<24} {:<10} {:<21} {:<21} {}",
            k.kid,
            k.state.as_str(),
            k.created_at.format("%Y-%m-%d %H:%M:%SZ"),
            k.signs_from.format("%Y-%m-%d %H:%M:%SZ"),
            if k.private_here { "yes" } else { "no" }
        );
    }
    let _ = writeln!(out, "key folder: {}", dir.display());
    out
}

/// Before `serve`: development with no key at all gets one in the folder. Otherwise the key
/// that signs now, or one that will sign, must have a readable private file in the folder.
pub async fn ensure_ready(conn: &mut AsyncPgConnection, config: &Config) -> anyhow::Result<()> {
    let creds = &config.credentials;
    let keys = list(conn, creds).await?;
    if keys.is_empty() && config.env == Environment::Development {
        let kid = generate(conn, creds, &Urls::new(&config.public_url)).await?;
        tracing::info!(kid, dir = %creds.key_dir.display(), "generated a development signing key");
        return Ok(());
    }
    let usable = keys.iter().find(|k| {
        k.state != KeyState::Previous
            && k.private_here
            && matches!(load(&creds.key_dir, &k.kid), Ok(Some(_)))
    });
    let Some(usable) = usable else {
        bail!(
            "no certificate signing key this server can use: the private file of the current \
             (or a scheduled) key must be in {} (BENCHSIDE_SIGNING_KEY_DIR). Create the first \
             key with `benchside keys generate`, or a new one with `benchside keys rotate`, \
             using the same BENCHSIDE_SIGNING_KEY_DIR",
            creds.key_dir.display()
        );
    };
    if usable.state == KeyState::Scheduled {
        tracing::warn!(
            kid = usable.kid,
            signs_from = %usable.signs_from,
            "the current signing key's private file is not here; signing fails until this key starts signing"
        );
    }
    Ok(())
}

/// The published set: every row's public JWK.
pub(super) async fn public_keys(conn: &mut AsyncPgConnection) -> AppResult<Vec<PublicJwk>> {
    store::all(conn)
        .await?
        .into_iter()
        .map(|r| {
            serde_json::from_value(r.public_jwk)
                .with_context(|| format!("the public JWK of key {} is malformed", r.kid))
                .map_err(AppError::internal)
        })
        .collect()
}

/// The private key of `kid` from the folder (`None`: not held here).
pub(super) fn load(dir: &Path, kid: &str) -> anyhow::Result<Option<KeyMaterial>> {
    match files::read_private(dir, kid)? {
        Some(pem) => Ok(Some(KeyMaterial::from_pem(&pem).with_context(|| {
            format!("the private key file of {kid} in {}", dir.display())
        })?)),
        None => Ok(None),
    }
}
