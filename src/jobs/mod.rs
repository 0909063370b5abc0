//! The PostgreSQL job queue: work that must happen after a transaction commits.
//!
//! A feature [`enqueue`]s a job with the connection of its own transaction, so the job exists
//! exactly when the change that caused it was committed. A [`Runner`] (inside `serve`, or
//! `benchside worker` as a process of its own) claims due jobs under a lease, runs the handler
//! registered for their kind in the [`Registry`], and records the outcome: `succeeded`, due
//! again after an exponential backoff with jitter, or `failed` after the kind's last attempt or
//! a permanent error. A runner that dies leaves its jobs leased; the sweep puts them back when
//! the lease ends. Finished jobs are purged after a retention period.
//!
//! Kinds are `&'static str` constants owned by the features that handle them (for example
//! `mail::JOB_KIND = "mail.send"`); `startup` registers one handler per kind. This
//! module imports no feature module.

pub mod cli;
pub mod registry;
pub mod runner;
pub mod store;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

pub use registry::{FinishHook, JobContext, JobError, KindSettings, Registry};
pub use runner::{Ran, Round, Runner, RunnerHandle, RunnerSettings, Sweep};
pub use store::{JobRow, RetryOutcome, enqueue, enqueue_many, enqueue_shared};

crate::text_enum! {
    /// Where a job is in its life. Stored as text in `jobs.state` (a CHECK lists the values).
    ///
    /// `pending` --claim--> `running` (leased) --> `succeeded`, or `pending` again (later
    /// `run_at`), or `failed`. An expired lease goes back to `pending` (or `failed` after the
    /// last attempt).
    pub enum JobState {
        Pending = "pending",
        Running = "running",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

impl JobState {
    /// `succeeded` or `failed`.
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Failed)
    }
}

/// A job to insert with [`enqueue`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The kind: a constant of the feature that handles it, e.g. `"mail.send"`.
    pub kind: &'static str,
    /// What the handler needs, as JSON. Keep it small: IDs, not documents.
    pub payload: Value,
    /// At most one unfinished (`pending` or `running`) job per key: a second one is not
    /// inserted while the first is unfinished; once it has finished, a new one is.
    pub dedupe_key: Option<String>,
    /// Not before this time (default: now).
    pub run_at: Option<DateTime<Utc>>,
    /// Attempts before `failed` (default: the limit registered for the kind, read when the
    /// job runs, so a changed setting applies to queued jobs too).
    pub max_attempts: Option<u32>,
}

impl NewJob {
    /// A job of `kind` with `payload`, due now, with the kind's limits and no dedupe key.
    pub fn new(kind: &'static str, payload: Value) -> NewJob {
        NewJob {
            kind,
            payload,
            dedupe_key: None,
            run_at: None,
            max_attempts: None,
        }
    }

    pub fn dedupe_key(mut self, key: impl Into<String>) -> NewJob {
        self.dedupe_key = Some(key.into());
        self
    }

    pub fn run_at(mut self, at: DateTime<Utc>) -> NewJob {
        self.run_at = Some(at);
        self
    }

    pub fn max_attempts(mut self, n: u32) -> NewJob {
        self.max_attempts = Some(n);
        self
    }
}

/// The delay before the attempt after failed attempt number `attempt` (1-based):
/// `base * 3^(attempt-1)`, capped at `cap`, times a jitter factor from 0.8 to 1.2 (`jitter`
/// is in 0..1), so runners that failed together do not retry together.
pub fn retry_delay(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exp = attempt.saturating_sub(1).min(40) as i32;
    let secs = (base.as_secs_f64() * 3f64.powi(exp)).min(cap.as_secs_f64());
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Duration::from_secs_f64((secs * factor).min(cap.as_secs_f64()))
}

/// A uniform number in 0..1 from the operating system's randomness.
pub fn jitter() -> f64 {
    let (r, _) = Uuid::new_v4().as_u64_pair();
    (r >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_three_times_longer_each_time_up_to_the_cap() {
        let base = Duration::from_secs(10);
        let cap = Duration::from_secs(5 * 3600);
        let mid: Vec<u64> = (1..=12)
            .map(|a| retry_delay(a, base, cap, 0.5).as_secs())
            .collect();
        assert_eq!(
            mid,
            vec![
                10, 30, 90, 270, 810, 2430, 7290, 18000, 18000, 18000, 18000, 18000
            ]
        );
        // Twelve attempts span about a day.
        let total: u64 = mid[..11].iter().sum();
        assert!((20 * 3600..28 * 3600).contains(&total), "{total}");
        // Jitter stays within +/-20 % and never passes the cap.
        assert_eq!(retry_delay(1, base, cap, 0.0), Duration::from_secs(8));
        assert_eq!(retry_delay(1, base, cap, 1.0), Duration::from_secs(12));
        assert_eq!(retry_delay(30, base, cap, 1.0), cap);
        assert_eq!(retry_delay(u32::MAX, base, cap, 0.0), cap.mul_f64(0.8));
        // Attempt 0 (never claimed) is treated as the first.
        assert_eq!(retry_delay(0, base, cap, 0.5), base);
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for s in JobState::ALL.iter().copied() {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobState::parse("sending"), None);
        assert!(JobState::Failed.is_finished() && !JobState::Running.is_finished());
    }
}
