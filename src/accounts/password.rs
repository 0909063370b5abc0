//! Password hashing with argon2id on a fixed set of hasher threads.
//!
//! Parameters are argon2's defaults, which are OWASP's minimum (m = 19 MiB, t = 2, p = 1).
//! `hash_concurrency` dedicated threads do all hashing, so a sign-in flood uses at most that
//! many × 19 MiB (each thread's allocator reuses its block; with tokio's blocking pool every new
//! thread kept its own 19 MiB and a flood left hundreds of MiB resident). Waiting jobs are
//! bounded too: past `QUEUE_PER_THREAD` per thread, new requests get 503 `server_busy`. Unknown
//! accounts are verified against a dummy hash so the response time does not reveal whether an
//! account exists.

use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, LazyLock, Mutex};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::oneshot;

/// Why hashing or verifying did not happen.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hasher thread is busy and the queue is full (answered 503 `server_busy`).
    #[error("password hasher queue full")]
    Busy,
    /// The hasher failed (answered 500).
    #[error("{0}")]
    Failed(String),
}

/// The current parameters. Hashes made with others are re-hashed at the next sign-in.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// A hash of a random password, for verifying sign-ins to unknown accounts.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut pw = [0u8; 24];
    rand::fill(&mut pw);
    argon2()
        .hash_password(&pw)
        .expect("hashing the dummy password")
        .to_string()
});

/// Jobs that may wait per hasher thread before requests are refused.
pub const QUEUE_PER_THREAD: usize = 256;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    jobs: SyncSender<Job>,
}

/// The outcome of checking a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub ok: bool,
    /// The stored hash uses other parameters: store this new hash.
    pub rehash: Option<String>,
}

impl PasswordHasher {
    /// Starts `threads` hasher threads; they end when the last handle is dropped.
    pub fn new(threads: usize) -> PasswordHasher {
        // Build the dummy hash now rather than during the first sign-in.
        LazyLock::force(&DUMMY_HASH);
        let threads = threads.max(1);
        let (tx, rx) = sync_channel::<Job>(threads * QUEUE_PER_THREAD);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("hasher-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // every sender dropped
                        }
                    }
                })
                .expect("starting a hasher thread");
        }
        PasswordHasher { jobs: tx }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The request went away while queued (client timeout): skip the work.
            if !done.is_closed() {
                let _ = done.send(f());
            }
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(HashError::Busy);
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(HashError::Failed("hasher threads stopped".into()));
            }
        }
        result
            .await
            .map_err(|e| HashError::Failed(format!("hash job dropped: {e}")))
    }

    /// Hashes a new password (PHC string: `$argon2id$v=19$m=19456,t=2,p=1$...`).
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let pw = password.as_bytes().to_vec();
        self.run(move || argon2().hash_password(&pw).map(|h| h.to_string()))
            .await?
            .map_err(|e| HashError::Failed(format!("hashing a password: {e}")))
    }

    /// Checks a password against a stored hash; `None` checks against the dummy hash and always
    /// fails, taking the same time as a real check.
    pub async fn verify(
        &self,
        password: &str,
        stored: Option<&str>,
    ) -> Result<Verified, HashError> {
        let pw = password.as_bytes().to_vec();
        let known = stored.is_some();
        let stored = stored
            .map(str::to_string)
            .unwrap_or_else(|| DUMMY_HASH.clone());
        self.run(move || {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Ok(Verified {
                    ok: false,
                    rehash: None,
                });
            };
            let ok = known && argon2().verify_password(&pw, &parsed).is_ok();
            if !known {
                // Same work as a real check.
                let _ = argon2().verify_password(&pw, &parsed);
            }
            let current = Params::try_from(&parsed).ok();
            let want = Params::default();
            let stale = parsed.algorithm.as_str() != "argon2id"
                || current.is_none_or(|p| {
                    (p.m_cost(), p.t_cost(), p.p_cost())
                        != (want.m_cost(), want.t_cost(), want.p_cost())
                });
            let rehash = if ok && stale {
                argon2().hash_password(&pw).ok().map(|h| h.to_string())
            } else {
                None
            };
            Ok::<_, HashError>(Verified { ok, rehash })
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_at_owasp_minimum_and_verify() {
        let h = PasswordHasher::new(2);
        let hash = h.hash("tourniquet-before-needle").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let v = h
            .verify("tourniquet-before-needle", Some(&hash))
            .await
            .unwrap();
        assert_eq!(
            v,
            Verified {
                ok: true,
                rehash: None
            }
        );
        let v = h.verify("wrong-password-here", Some(&hash)).await.unwrap();
        assert!(!v.ok);
        // Unknown account: never ok.
        assert!(!h.verify("tourniquet-before-needle", None).await.unwrap().ok);
    }

    #[tokio::test]
    async fn weaker_hashes_are_upgraded_on_sign_in() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        )
        .hash_password(b"tourniquet-before-needle")
        .unwrap()
        .to_string();
        let h = PasswordHasher::new(1);
        let v = h
            .verify("tourniquet-before-needle", Some(&weak))
            .await
            .unwrap();
        assert!(v.ok);
        let new = v.rehash.expect("rehash offered");
        assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
    }
}
