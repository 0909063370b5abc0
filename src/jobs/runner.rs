//! The runner: claims due jobs, runs their handlers concurrently, records the outcomes, sweeps.
//!
//! Each round claims up to [`RunnerSettings::batch_size`] jobs of the registered kinds in one
//! short statement ([`store::claim`]: `FOR UPDATE SKIP LOCKED`, lease recorded), returns its
//! connection to the pool, runs the handlers concurrently (each bounded by its kind's timeout,
//! well inside the lease), then records every outcome in one transaction together with the
//! kinds' finish hooks. Several runners, in one process or many, never claim the same job at
//! once; a runner that dies leaves its jobs leased, and they become due again when the lease
//! ends ([`store::recover_expired`], run every [`RunnerSettings::sweep_interval`]). A failed
//! attempt is retried after the kind's `retry_base`, then three times longer each time (capped
//! at `retry_cap`, with +/-20 % jitter), until its last attempt, when the job is `failed`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::future::join_all;
use serde_json::Value;
use tokio::sync::watch;
use uuid::Uuid;

use super::registry::{JobContext, JobError, Registry};
use super::store::{self, ClaimedJob, Failure, Recorded};
use super::{JobState, jitter, retry_delay};
use crate::db::DbPool;

/// How the runner paces itself.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    /// Pause between rounds when there was nothing (more) to do.
    pub poll_interval: Duration,
    /// Jobs claimed per round.
    pub batch_size: i64,
    /// How often expired leases are recovered and old finished jobs purged.
    pub sweep_interval: Duration,
    /// How long finished (`succeeded` or `failed`) jobs are kept.
    pub retention: Duration,
}

impl RunnerSettings {
    /// Batches of 8, a sweep every 30 s, finished jobs kept 30 days.
    pub fn new(poll_interval: Duration) -> RunnerSettings {
        RunnerSettings {
            poll_interval,
            batch_size: 8,
            sweep_interval: Duration::from_secs(30),
            retention: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// One attempt a round ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    pub id: Uuid,
    pub kind: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub max_attempts: u32,
    pub outcome: Result<(), JobError>,
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Round {
    pub claimed: usize,
    pub succeeded: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Every attempt, in claim order.
    pub ran: Vec<Ran>,
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Expired claims put back to `pending` or, after their last attempt, `failed`.
    pub recovered: usize,
    /// Of those, how many are now `failed`.
    pub failed: usize,
    /// Old finished jobs deleted.
    pub purged: usize,
}

/// Runs the handlers of one [`Registry`] over one pool.
#[derive(Clone)]
pub struct Runner {
    pool: DbPool,
    registry: Arc<Registry>,
    settings: RunnerSettings,
}

impl Runner {
    pub fn new(pool: DbPool, registry: Arc<Registry>, settings: RunnerSettings) -> Runner {
        Runner {
            pool,
            registry,
            settings,
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// How long a claim lasts: longer than the longest attempt, plus time to record it.
    pub fn lease(&self) -> Duration {
        self.registry.longest_timeout() + Duration::from_secs(60)
    }

    /// One round: claim due jobs, run them, record the outcomes.
    pub async fn run_once(&self) -> anyhow::Result<Round> {
        let kinds = self.registry.kinds();
        if kinds.is_empty() {
            return Ok(Round::default());
        }
        let lease_id = Uuid::new_v4();
        let lease = self.lease();
        let lease_ends = Instant::now() + lease;
        let claimed = {
            let mut conn = self.pool.get().await?;
            store::claim(&mut conn, lease_id, lease, &kinds, self.settings.batch_size).await?
        };
        if claimed.is_empty() {
            return Ok(Round::default());
        }
        let ran = join_all(claimed.iter().map(|j| self.execute(j))).await;
        let mut round = Round {
            claimed: claimed.len(),
            ..Round::default()
        };
        self.record_until_lease_ends(lease_id, lease_ends, &ran, &claimed, &mut round)
            .await;
        round.ran = ran;
        Ok(round)
    }

    /// Runs one claimed job's handler within its kind's timeout.
    async fn execute(&self, job: &ClaimedJob) -> Ran {
        let attempt = job.attempts.max(1) as u32;
        let Some(reg) = self.registry.get(&job.kind) else {
            // Not reachable: the claim takes registered kinds only.
            return Ran {
                id: job.id,
                kind: job.kind.clone(),
                attempt,
                max_attempts: attempt,
                outcome: Err(JobError::Retry("no handler for this kind here".into())),
            };
        };
        let max_attempts = job
            .max_attempts
            .map_or(reg.settings.max_attempts, |m| m.max(1) as u32);
        let ctx = JobContext {
            id: job.id,
            kind: reg.kind,
            attempt,
            max_attempts,
            db: self.pool.clone(),
        };
        let timeout = reg.settings.timeout;
        let outcome = match tokio::time::timeout(timeout, reg.run(job.payload.clone(), ctx)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(JobError::Retry(format!(
                "the attempt took longer than {} ms",
                timeout.as_millis()
            ))),
        };
        match &outcome {
            Ok(()) => tracing::info!(id = %job.id, kind = %job.kind, attempt, "job succeeded"),
            Err(e) => tracing::warn!(id = %job.id, kind = %job.kind, attempt, max_attempts,
                error = %e, "job attempt failed"),
        }
        Ran {
            id: job.id,
            kind: job.kind.clone(),
            attempt,
            max_attempts,
            outcome,
        }
    }

    /// Records the outcomes. The database may be briefly away: retry while the lease holds,
    /// since a job left `running` is run again after the lease.
    async fn record_until_lease_ends(
        &self,
        lease_id: Uuid,
        lease_ends: Instant,
        ran: &[Ran],
        claimed: &[ClaimedJob],
        round: &mut Round,
    ) {
        let mut pause = Duration::from_millis(100);
        loop {
            match self.record(lease_id, ran).await {
                Ok(recorded) => {
                    count_outcomes(&recorded, round);
                    let lost = claimed.len() - recorded.len();
                    if lost > 0 {
                        tracing::warn!(
                            count = lost,
                            "job outcomes arrived after their lease ran out; not recorded"
                        );
                    }
                    return;
                }
                Err(e) if Instant::now() + pause >= lease_ends => {
                    tracing::error!(error = %format!("{e:#}"), unrecorded = ran.len(),
                        "could not record job outcomes; these jobs run again when their lease ends");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "recording job outcomes failed; retrying");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    /// Records every outcome in one transaction, with the kinds' finish hooks.
    async fn record(&self, lease_id: Uuid, ran: &[Ran]) -> anyhow::Result<Vec<Recorded>> {
        let succeeded: Vec<Uuid> = ran
            .iter()
            .filter(|r| r.outcome.is_ok())
            .map(|r| r.id)
            .collect();
        let failures: Vec<Failure> = ran.iter().filter_map(|r| self.failure(r)).collect();
        let registry = &self.registry;
        let mut conn = self.pool.get().await?;
        let recorded = conn
            .transaction::<_, diesel::result::Error, _>(async |tx| {
                let mut done = store::mark_succeeded(tx, lease_id, &succeeded).await?;
                run_hooks(tx, registry, &done, JobState::Succeeded).await?;
                let failed = store::record_failures(tx, lease_id, &failures).await?;
                run_hooks(tx, registry, &failed, JobState::Failed).await?;
                done.extend(failed);
                Ok(done)
            })
            .await?;
        Ok(recorded)
    }

    /// The failure to record for a failed attempt.
    fn failure(&self, r: &Ran) -> Option<Failure> {
        let e = r.outcome.as_ref().err()?;
        let (base, cap) = self
            .registry
            .get(&r.kind)
            .map(|k| (k.settings.retry_base, k.settings.retry_cap))
            .unwrap_or((Duration::from_secs(10), Duration::from_secs(5 * 3600)));
        Some(Failure {
            id: r.id,
            error: e.to_string(),
            retry_in: retry_delay(r.attempt, base, cap, jitter()),
            give_up: e.is_permanent() || r.attempt >= r.max_attempts,
        })
    }

    /// Recovers expired claims and purges old finished jobs.
    pub async fn sweep(&self) -> anyhow::Result<Sweep> {
        let limits = self.registry.limits();
        let registry = &self.registry;
        let mut conn = self.pool.get().await?;
        let recovered = conn
            .transaction::<_, diesel::result::Error, _>(async |tx| {
                let recovered = store::recover_expired(tx, &limits).await?;
                run_hooks(tx, registry, &recovered, JobState::Failed).await?;
                Ok(recovered)
            })
            .await?;
        let purged = store::purge_finished(&mut conn, self.settings.retention).await?;
        let failed = recovered
            .iter()
            .filter(|r| r.state == JobState::Failed)
            .count();
        if !recovered.is_empty() {
            tracing::warn!(
                count = recovered.len(),
                failed,
                "recovered jobs whose runner stopped mid-attempt"
            );
        }
        if purged > 0 {
            tracing::info!(count = purged, "purged old finished jobs");
        }
        Ok(Sweep {
            recovered: recovered.len(),
            failed,
            purged,
        })
    }

    /// Runs rounds until stopped: straight on while batches come back full, otherwise every
    /// `poll_interval`; a sweep first and then every `sweep_interval`. Database errors slow
    /// it down (up to 10 s between tries) instead of stopping it.
    pub fn spawn(self) -> RunnerHandle {
        let (stop, stopped) = watch::channel(false);
        tracing::info!(kinds = ?self.registry.kinds(), "job runner started");
        let task = tokio::spawn(self.run(stopped));
        RunnerHandle { stop, task }
    }

    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let mut next_sweep = Instant::now();
        let mut errors: u32 = 0;
        while !*stopped.borrow() {
            if Instant::now() >= next_sweep {
                if let Err(e) = self.sweep().await {
                    tracing::warn!(error = %format!("{e:#}"), "job sweep failed");
                }
                next_sweep = Instant::now() + self.settings.sweep_interval;
            }
            let pause = match self.run_once().await {
                Ok(round) if round.claimed as i64 >= self.settings.batch_size => {
                    errors = 0;
                    continue;
                }
                Ok(_) => {
                    errors = 0;
                    self.settings.poll_interval
                }
                Err(e) => {
                    errors = errors.saturating_add(1);
                    tracing::warn!(error = %format!("{e:#}"), "job runner round failed");
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
        tracing::info!("job runner stopped");
    }
}

fn count_outcomes(recorded: &[Recorded], round: &mut Round) {
    for r in recorded {
        match r.state {
            JobState::Succeeded => round.succeeded += 1,
            JobState::Pending => round.retrying += 1,
            JobState::Failed => {
                round.failed += 1;
                tracing::error!(id = %r.id, kind = %r.kind, "job failed for good");
            }
            JobState::Running => {}
        }
    }
}

/// Calls each kind's hook for `state` with the payloads of its jobs now in that state.
async fn run_hooks(
    conn: &mut AsyncPgConnection,
    registry: &Registry,
    recorded: &[Recorded],
    state: JobState,
) -> diesel::QueryResult<()> {
    for kind in registry.kinds() {
        let payloads: Vec<Value> = recorded
            .iter()
            .filter(|r| r.state == state && r.kind == kind)
            .map(|r| r.payload.clone())
            .collect();
        if payloads.is_empty() {
            continue;
        }
        let reg = registry.get(kind).expect("listed");
        let hook = match state {
            JobState::Succeeded => reg.on_succeeded,
            JobState::Failed => reg.on_failed,
            _ => None,
        };
        if let Some(hook) = hook {
            hook(conn, &payloads).await?;
        }
    }
    Ok(())
}

/// A running runner.
#[derive(Debug)]
pub struct RunnerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl RunnerHandle {
    /// Stops after the round in flight (waiting at most `grace`; a round cut short leaves its
    /// jobs leased, to be run again when the lease ends).
    pub async fn stop(mut self, grace: Duration) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(grace, &mut self.task).await.is_err() {
            tracing::warn!("job runner did not stop in time; aborting it");
            self.task.abort();
        }
    }
}
