//! The outbox worker: claims due mail, sends it, records the outcome, retries with backoff.
//!
//! Each round claims up to [`WorkerSettings::batch_size`] rows in one short statement
//! ([`outbox::claim`]: `FOR UPDATE SKIP LOCKED`, lease recorded), returns its connection to
//! the pool, sends the batch concurrently (each send bounded by the transport's deadline, well
//! inside the lease), then records each outcome. Several workers, in one process or many, never
//! claim the same row at once; a worker that dies leaves its rows leased, and they become due
//! again when the lease ends ([`outbox::recover_expired`], run every
//! [`WorkerSettings::sweep_interval`]). A failed attempt is retried after `retry_base`, then
//! three times longer each time (capped at `retry_cap`, with +/-20 % jitter), until
//! `max_attempts`, when the row is `failed`.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use lettre::message::Mailbox;
use tokio::sync::watch;
use uuid::Uuid;

use super::outbox::{self, AfterFailure, ClaimedMail};
use super::transport::{MailTransport, SendError};
use crate::config::MailConfig;
use crate::db::DbPool;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Pause between rounds when there was nothing (more) to do.
    pub poll_interval: Duration,
    /// Rows claimed per round.
    pub batch_size: i64,
    /// Attempts before a row is `failed`.
    pub max_attempts: u32,
    /// Delay after the first failed attempt.
    pub retry_base: Duration,
    /// Longest delay between attempts.
    pub retry_cap: Duration,
    /// How often expired leases are recovered and old finished rows purged.
    pub sweep_interval: Duration,
    /// How long finished (`sent` or `failed`) rows are kept.
    pub retention: Duration,
}

impl WorkerSettings {
    pub fn from_config(c: &MailConfig) -> WorkerSettings {
        WorkerSettings {
            poll_interval: c.poll_interval,
            batch_size: 8,
            max_attempts: c.max_attempts,
            retry_base: c.retry_base,
            retry_cap: Duration::from_secs(5 * 3600),
            sweep_interval: Duration::from_secs(30),
            retention: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// The delay before the attempt after failed attempt number `attempt` (1-based):
/// `base * 3^(attempt-1)`, capped at `cap`, times a jitter factor from 0.8 to 1.2 (`jitter`
/// is in 0..1), so workers that failed together do not retry together.
pub fn retry_delay(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exp = attempt.saturating_sub(1).min(40) as i32;
    let secs = (base.as_secs_f64() * 3f64.powi(exp)).min(cap.as_secs_f64());
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Duration::from_secs_f64((secs * factor).min(cap.as_secs_f64()))
}

/// A uniform number in 0..1 from the operating system's randomness.
fn jitter() -> f64 {
    let (r, _) = Uuid::new_v4().as_u64_pair();
    (r >> 11) as f64 / (1u64 << 53) as f64
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Expired claims put back (or failed).
    pub recovered: usize,
    /// Old finished rows deleted.
    pub purged: usize,
}

/// Delivers the outbox through one transport.
#[derive(Clone)]
pub struct Worker {
    pool: DbPool,
    transport: MailTransport,
    from: Mailbox,
    settings: WorkerSettings,
}

impl Worker {
    pub fn new(
        pool: DbPool,
        transport: MailTransport,
        from: Mailbox,
        settings: WorkerSettings,
    ) -> Worker {
        Worker {
            pool,
            transport,
            from,
            settings,
        }
    }

    /// How long a claim lasts: longer than a whole send, plus time to record the outcome.
    pub fn lease(&self) -> Duration {
        self.transport.deadline() + Duration::from_secs(60)
    }

    /// One round: claim due rows, send them, record the outcomes.
    pub async fn run_once(&self) -> anyhow::Result<Round> {
        let lease_id = Uuid::new_v4();
        let lease = self.lease();
        let lease_ends = Instant::now() + lease;
        let claimed = {
            let mut conn = self.pool.get().await?;
            outbox::claim(&mut conn, lease_id, lease, self.settings.batch_size).await?
        };
        if claimed.is_empty() {
            return Ok(Round::default());
        }
        let outcomes = join_all(claimed.iter().map(|m| self.deliver(m))).await;
        let mut round = Round {
            claimed: claimed.len(),
            ..Round::default()
        };
        let mut pending: Vec<(&ClaimedMail, Result<(), SendError>)> =
            claimed.iter().zip(outcomes).collect();
        // Record every outcome. The database may be briefly away; retry while the lease
        // holds, since a sent row left `sending` would be sent again after the lease.
        let mut pause = Duration::from_millis(100);
        while !pending.is_empty() {
            match self.record(lease_id, &pending, &mut round).await {
                Ok(()) => pending.clear(),
                Err((done, e)) => {
                    pending.drain(..done);
                    if Instant::now() + pause >= lease_ends {
                        tracing::error!(error = %format!("{e:#}"), unrecorded = pending.len(),
                            "could not record mail outcomes; these rows are retried when their lease ends");
                        break;
                    }
                    tracing::warn!(error = %format!("{e:#}"), "recording mail outcomes failed; retrying");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
        Ok(round)
    }

    async fn deliver(&self, m: &ClaimedMail) -> Result<(), SendError> {
        let result = self.transport.send(&self.from, m.into(), m.id).await;
        match &result {
            Ok(()) => tracing::info!(id = %m.id, kind = %m.kind, attempt = m.attempts, "mail sent"),
            Err(e) => tracing::warn!(id = %m.id, kind = %m.kind, attempt = m.attempts, error = %e,
                "mail not sent"),
        }
        result
    }

    /// Records outcomes in order; on a database error, says how many were recorded.
    async fn record(
        &self,
        lease_id: Uuid,
        outcomes: &[(&ClaimedMail, Result<(), SendError>)],
        round: &mut Round,
    ) -> Result<(), (usize, anyhow::Error)> {
        let mut conn = self.pool.get().await.map_err(|e| (0, e.into()))?;
        for (done, (m, outcome)) in outcomes.iter().enumerate() {
            let recorded = match outcome {
                Ok(()) => outbox::mark_sent(&mut conn, m.id, lease_id)
                    .await
                    .map(|ours| {
                        if ours {
                            round.sent += 1;
                        } else {
                            tracing::warn!(id = %m.id, "mail sent after its lease ran out");
                        }
                    }),
                Err(e) => {
                    let delay = retry_delay(
                        m.attempts.max(1) as u32,
                        self.settings.retry_base,
                        self.settings.retry_cap,
                        jitter(),
                    );
                    outbox::record_failure(
                        &mut conn,
                        m.id,
                        lease_id,
                        &e.to_string(),
                        delay,
                        self.settings.max_attempts,
                        e.is_permanent(),
                    )
                    .await
                    .map(|after| match after {
                        AfterFailure::Retry => round.retrying += 1,
                        AfterFailure::Failed => {
                            round.failed += 1;
                            tracing::error!(id = %m.id, kind = %m.kind, attempts = m.attempts,
                                error = %e, "mail given up");
                        }
                        AfterFailure::LeaseLost => {
                            tracing::warn!(id = %m.id, "mail attempt ended after its lease ran out")
                        }
                    })
                }
            };
            recorded.map_err(|e| (done, e.into()))?;
        }
        Ok(())
    }

    /// Recovers expired claims and purges old finished rows.
    pub async fn sweep(&self) -> anyhow::Result<Sweep> {
        let mut conn = self.pool.get().await?;
        let recovered = outbox::recover_expired(&mut conn, self.settings.max_attempts).await?;
        let purged = outbox::purge_finished(&mut conn, self.settings.retention).await?;
        if recovered > 0 {
            tracing::warn!(
                count = recovered,
                "recovered mail whose worker stopped mid-delivery"
            );
        }
        if purged > 0 {
            tracing::info!(count = purged, "purged old finished mail");
        }
        Ok(Sweep { recovered, purged })
    }

    /// Runs rounds until stopped: straight on while batches come back full, otherwise every
    /// `poll_interval`; a sweep first and then every `sweep_interval`. Database errors slow
    /// it down (up to 10 s between tries) instead of stopping it.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        tracing::info!(transport = %self.transport.describe(), "mail worker started");
        let task = tokio::spawn(self.run(stopped));
        WorkerHandle { stop, task }
    }

    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let mut next_sweep = Instant::now();
        let mut errors: u32 = 0;
        loop {
            if *stopped.borrow() {
                break;
            }
            if Instant::now() >= next_sweep {
                if let Err(e) = self.sweep().await {
                    tracing::warn!(error = %format!("{e:#}"), "mail outbox sweep failed");
                }
                next_sweep = Instant::now() + self.settings.sweep_interval;
            }
            let pause = match self.run_once().await {
                Ok(round) => {
                    errors = 0;
                    if round.claimed as i64 >= self.settings.batch_size {
                        continue;
                    }
                    self.settings.poll_interval
                }
                Err(e) => {
                    errors = errors.saturating_add(1);
                    tracing::warn!(error = %format!("{e:#}"), "mail worker round failed");
                    (self.settings.poll_interval * 2u32.saturating_pow(errors.min(10)))
                        .min(Duration::from_secs(10))
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                changed = stopped.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        tracing::info!("mail worker stopped");
    }
}

/// A running worker.
#[derive(Debug)]
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    /// Stops after the round in flight (waiting at most `grace`; a round cut short leaves its
    /// rows leased, to be retried when the lease ends).
    pub async fn stop(mut self, grace: Duration) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(grace, &mut self.task).await.is_err() {
            tracing::warn!("mail worker did not stop in time; aborting it");
            self.task.abort();
        }
    }
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
}
