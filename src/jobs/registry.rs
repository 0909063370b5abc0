//! The handlers a runner can run: one per kind, registered at startup.
//!
//! ```ignore
//! registry.register("enrolment.completed", KindSettings::default(), |payload, ctx| async move {
//!     on_completed(&ctx, &payload).await
//! });
//! ```
//!
//! A handler is an async function of the payload and a [`JobContext`] (attempt number, whether
//! it is the last, a database pool). It returns `Ok(())` or a [`JobError`] that says whether
//! another attempt may help. A kind may also register hooks that run in the transaction that
//! records the outcome ([`Registration::on_succeeded`], [`Registration::on_failed`]), for
//! state that must change exactly when the job finishes.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde_json::Value;
use uuid::Uuid;

use crate::db::DbPool;

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Another attempt may succeed (a relay or service away, a timeout): retried with backoff
    /// until the kind's last attempt.
    #[error("{0}")]
    Retry(String),
    /// Another attempt cannot succeed (a malformed payload, an unusable input): `failed` now.
    #[error("{0}")]
    Permanent(String),
}

impl JobError {
    pub fn retry(e: impl std::fmt::Display) -> JobError {
        JobError::Retry(e.to_string())
    }

    pub fn permanent(e: impl std::fmt::Display) -> JobError {
        JobError::Permanent(e.to_string())
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self, JobError::Permanent(_))
    }
}

/// A database error is worth another attempt.
impl From<diesel::result::Error> for JobError {
    fn from(e: diesel::result::Error) -> Self {
        JobError::Retry(format!("database: {e}"))
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for JobError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        JobError::Retry(format!("database pool: {e}"))
    }
}

/// What a handler knows about the attempt it runs.
#[derive(Clone)]
pub struct JobContext {
    pub id: Uuid,
    pub kind: &'static str,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Attempts allowed: the job's own limit or the kind's.
    pub max_attempts: u32,
    /// The runner's pool (keep a connection only as long as needed).
    pub db: DbPool,
}

impl JobContext {
    /// Whether a failure now ends the job `failed`.
    pub fn is_last(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}

/// How a kind is retried and bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSettings {
    /// Attempts before `failed`, for jobs enqueued without a limit of their own.
    pub max_attempts: u32,
    /// Delay after the first failed attempt; each later one is three times longer.
    pub retry_base: Duration,
    /// Longest delay between attempts.
    pub retry_cap: Duration,
    /// Longest one attempt may take; past it the attempt fails (and is retried).
    pub timeout: Duration,
}

impl Default for KindSettings {
    /// 5 attempts, 10 s then three times longer (at most 5 hours), 60 s per attempt.
    fn default() -> Self {
        KindSettings {
            max_attempts: 5,
            retry_base: Duration::from_secs(10),
            retry_cap: Duration::from_secs(5 * 3600),
            timeout: Duration::from_secs(60),
        }
    }
}

type HandlerFn =
    dyn Fn(Value, JobContext) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync;

/// Runs in the transaction that records outcomes, with the payloads of the jobs of one kind
/// that just finished that way. An error rolls the recording back (it is retried while the
/// lease holds, as any recording). Write it as a plain function returning `.boxed()`.
pub type FinishHook =
    for<'a> fn(&'a mut AsyncPgConnection, &'a [Value]) -> BoxFuture<'a, QueryResult<()>>;

/// One kind's handler, settings and hooks.
pub struct Registration {
    pub kind: &'static str,
    pub settings: KindSettings,
    handler: Arc<HandlerFn>,
    pub on_succeeded: Option<FinishHook>,
    pub on_failed: Option<FinishHook>,
}

impl Registration {
    /// Runs in the transaction that marks jobs of this kind `succeeded`.
    pub fn on_succeeded(&mut self, hook: FinishHook) -> &mut Registration {
        self.on_succeeded = Some(hook);
        self
    }

    /// Runs in the transaction that marks jobs of this kind `failed`: after the last attempt, a
    /// permanent error, or a lost lease on the last attempt.
    pub fn on_failed(&mut self, hook: FinishHook) -> &mut Registration {
        self.on_failed = Some(hook);
        self
    }

    /// Runs the handler (catching a panic as a retryable error).
    pub(crate) fn run(
        &self,
        payload: Value,
        ctx: JobContext,
    ) -> BoxFuture<'static, Result<(), JobError>> {
        let fut = (self.handler)(payload, ctx);
        std::panic::AssertUnwindSafe(fut)
            .catch_unwind()
            .map(|r| r.unwrap_or_else(|_| Err(JobError::Retry("the handler panicked".into()))))
            .boxed()
    }
}

/// Every kind a runner handles.
#[derive(Default)]
pub struct Registry {
    kinds: BTreeMap<&'static str, Registration>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers the handler of `kind`. Panics when `kind` is already registered (two
    /// handlers for one kind is a wiring mistake).
    pub fn register<F, Fut>(
        &mut self,
        kind: &'static str,
        settings: KindSettings,
        handler: F,
    ) -> &mut Registration
    where
        F: Fn(Value, JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        assert!(
            !self.kinds.contains_key(kind),
            "job kind {kind:?} registered twice"
        );
        let handler: Arc<HandlerFn> = Arc::new(move |payload, ctx| handler(payload, ctx).boxed());
        self.kinds.entry(kind).or_insert(Registration {
            kind,
            settings,
            handler,
            on_succeeded: None,
            on_failed: None,
        })
    }

    pub fn get(&self, kind: &str) -> Option<&Registration> {
        self.kinds.get(kind)
    }

    /// The registered kinds, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.kinds.keys().copied().collect()
    }

    /// Each kind with its attempt limit.
    pub fn limits(&self) -> Vec<(&'static str, u32)> {
        self.kinds
            .values()
            .map(|r| (r.kind, r.settings.max_attempts))
            .collect()
    }

    /// The longest attempt of any kind.
    pub fn longest_timeout(&self) -> Duration {
        self.kinds
            .values()
            .map(|r| r.settings.timeout)
            .max()
            .unwrap_or(Duration::from_secs(60))
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ok(_: Value, _: JobContext) -> Result<(), JobError> {
        Ok(())
    }

    #[test]
    fn kinds_and_limits_come_from_the_registrations() {
        let mut r = Registry::new();
        r.register("b.two", KindSettings::default(), ok);
        r.register(
            "a.one",
            KindSettings {
                max_attempts: 3,
                timeout: Duration::from_secs(90),
                ..KindSettings::default()
            },
            ok,
        );
        assert_eq!(r.kinds(), vec!["a.one", "b.two"]);
        assert_eq!(r.limits(), vec![("a.one", 3), ("b.two", 5)]);
        assert_eq!(r.longest_timeout(), Duration::from_secs(90));
        assert!(r.get("c.three").is_none());
    }

    #[test]
    #[should_panic(expected = "registered twice")]
    fn a_kind_is_registered_once() {
        let mut r = Registry::new();
        r.register("a.one", KindSettings::default(), ok);
        r.register("a.one", KindSettings::default(), ok);
    }

    #[test]
    fn errors_say_whether_to_retry() {
        assert!(JobError::permanent("bad payload").is_permanent());
        assert!(!JobError::retry("relay away").is_permanent());
        let db: JobError = diesel::result::Error::NotFound.into();
        assert!(!db.is_permanent());
    }
}
