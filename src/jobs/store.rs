//! The `jobs` table: enqueue (in the caller's transaction), the runner's claim, completion,
//! recovery and purge, and the operator's list and retry. All SQL of the queue is here.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Integer, Jsonb, Nullable, Text, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::{JobState, NewJob};
use crate::db::schema::jobs;

/// Longest `last_error` kept (the column's CHECK).
pub const MAX_ERROR_CHARS: usize = 2000;

/// What `last_error` says about a job whose lease ran out.
pub const LEASE_EXPIRED: &str =
    "the runner working on it stopped before finishing (its lease ran out)";

/// Inserts `job` and returns its ID, or `None` when an unfinished job with the same dedupe key
/// exists (nothing is inserted then). Call it with the connection of the transaction that
/// causes the job: if that transaction rolls back, the job never existed.
pub async fn enqueue(conn: &mut AsyncPgConnection, job: &NewJob) -> QueryResult<Option<Uuid>> {
    enqueue_shared(conn, job).await
}

/// [`enqueue`] on a shared connection, so that it can be pipelined with the caller's other
/// statements of the same transaction.
pub async fn enqueue_shared(conn: &AsyncPgConnection, job: &NewJob) -> QueryResult<Option<Uuid>> {
    use jobs::dsl as j;
    let max_attempts = job.max_attempts.map(|n| n.clamp(1, 1000) as i32);
    diesel::insert_into(jobs::table)
        .values((
            j::kind.eq(job.kind),
            j::payload.eq(&job.payload),
            j::dedupe_key.eq(job.dedupe_key.as_deref()),
            j::run_at.eq(job.run_at.unwrap_or_else(Utc::now)),
            j::max_attempts.eq(max_attempts),
        ))
        // The only unique index that can conflict is the dedupe key's (IDs are generated).
        .on_conflict_do_nothing()
        .returning(j::id)
        .get_result(&mut &*conn)
        .await
        .optional()
}

/// Rows one multi-row INSERT carries (PostgreSQL takes at most 65535 bind parameters).
pub const BATCH_ROWS: usize = 1000;

/// Inserts `jobs` with the given IDs in multi-row statements of [`BATCH_ROWS`] and returns
/// how many were inserted (a job whose dedupe key has an unfinished job is skipped). Call it
/// with the connection of the transaction that causes the jobs.
pub async fn enqueue_many(
    conn: &mut AsyncPgConnection,
    jobs: &[(Uuid, NewJob)],
) -> QueryResult<usize> {
    use jobs::dsl as j;
    let mut inserted = 0;
    for chunk in jobs.chunks(BATCH_ROWS) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, job)| {
                (
                    j::id.eq(*id),
                    j::kind.eq(job.kind),
                    j::payload.eq(&job.payload),
                    j::dedupe_key.eq(job.dedupe_key.as_deref()),
                    j::run_at.eq(job.run_at.unwrap_or_else(Utc::now)),
                    j::max_attempts.eq(job.max_attempts.map(|n| n.clamp(1, 1000) as i32)),
                )
            })
            .collect();
        inserted += diesel::insert_into(jobs::table)
            .values(rows)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(inserted)
}

/// A job claimed by a runner.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedJob {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: Value,
    /// Attempts including this one.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// The job's own limit, if it has one (else the kind's).
    #[diesel(sql_type = Nullable<Integer>)]
    pub max_attempts: Option<i32>,
}

/// Claims up to `limit` due jobs of `kinds` for the lease `lease_id`, which lasts `lease`. One
/// statement: the due rows are locked with `FOR UPDATE SKIP LOCKED` (a job another runner is
/// claiming is skipped, never waited for or taken twice), marked `running` until the lease
/// ends, and their attempt counted.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    lease_id: Uuid,
    lease: Duration,
    kinds: &[&str],
    limit: i64,
) -> QueryResult<Vec<ClaimedJob>> {
    diesel::sql_query(
        "UPDATE jobs j \
            SET state = 'running', attempts = j.attempts + 1, \
                locked_until = now() + make_interval(secs => $1), lease_id = $2 \
           FROM (SELECT id FROM jobs \
                  WHERE state = 'pending' AND run_at <= now() AND kind = ANY($3) \
                  ORDER BY run_at \
                  LIMIT $4 \
                  FOR UPDATE SKIP LOCKED) due \
          WHERE j.id = due.id \
      RETURNING j.id, j.kind, j.payload, j.attempts, j.max_attempts",
    )
    .bind::<Double, _>(lease.as_secs_f64())
    .bind::<SqlUuid, _>(lease_id)
    .bind::<Array<Text>, _>(kinds)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// A job whose outcome was just recorded.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct Recorded {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: Value,
    /// `succeeded`, `pending` (to be retried) or `failed`.
    #[diesel(sql_type = Text)]
    pub state: JobState,
}

/// Marks the claimed jobs `ids` succeeded. Returns those that were still ours (a job whose
/// lease ran out and was taken over is left alone).
pub async fn mark_succeeded(
    conn: &mut AsyncPgConnection,
    lease_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<Recorded>> {
    use jobs::dsl as j;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, String, Value, JobState)> = diesel::update(
        j::jobs
            .filter(j::id.eq_any(ids))
            .filter(j::lease_id.eq(lease_id))
            .filter(j::state.eq(JobState::Running)),
    )
    .set((
        j::state.eq(JobState::Succeeded),
        j::finished_at.eq(diesel::dsl::now),
        j::lease_id.eq(None::<Uuid>),
        j::locked_until.eq(None::<DateTime<Utc>>),
    ))
    .returning((j::id, j::kind, j::payload, j::state))
    .get_results(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, payload, state)| Recorded {
            id,
            kind,
            payload,
            state,
        })
        .collect())
}

/// A failed attempt to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub id: Uuid,
    pub error: String,
    /// When to try again, unless `give_up`.
    pub retry_in: Duration,
    /// `failed` now: a permanent error, or the last attempt.
    pub give_up: bool,
}

/// Records failed attempts of claimed jobs, all in one statement: `failed` when `give_up`,
/// else `pending` again after `retry_in`. Returns those that were still ours.
pub async fn record_failures(
    conn: &mut AsyncPgConnection,
    lease_id: Uuid,
    failures: &[Failure],
) -> QueryResult<Vec<Recorded>> {
    if failures.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = failures.iter().map(|f| f.id).collect();
    let errors: Vec<&str> = failures
        .iter()
        .map(|f| truncate(&f.error, MAX_ERROR_CHARS))
        .collect();
    let delays: Vec<f64> = failures.iter().map(|f| f.retry_in.as_secs_f64()).collect();
    let give_up: Vec<bool> = failures.iter().map(|f| f.give_up).collect();
    diesel::sql_query(
        "UPDATE jobs j \
            SET state = CASE WHEN f.give_up THEN 'failed' ELSE 'pending' END, \
                run_at = CASE WHEN f.give_up THEN j.run_at \
                              ELSE now() + make_interval(secs => f.delay) END, \
                finished_at = CASE WHEN f.give_up THEN now() END, \
                last_error = f.error, lease_id = NULL, locked_until = NULL \
           FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::bool[]) \
                AS f(id, error, delay, give_up) \
          WHERE j.id = f.id AND j.lease_id = $5 AND j.state = 'running' \
      RETURNING j.id, j.kind, j.payload, j.state",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<Text>, _>(errors)
    .bind::<Array<Double>, _>(delays)
    .bind::<Array<Bool>, _>(give_up)
    .bind::<SqlUuid, _>(lease_id)
    .load(conn)
    .await
}

/// Puts jobs whose lease has run out back to `pending` (due now), or `failed` when they have
/// had their last attempt. `limits` are the kinds' registered attempt limits; a job without a
/// limit of its own whose kind is not listed is put back. Returns the jobs it changed.
pub async fn recover_expired(
    conn: &mut AsyncPgConnection,
    limits: &[(&str, u32)],
) -> QueryResult<Vec<Recorded>> {
    let kinds: Vec<&str> = limits.iter().map(|(k, _)| *k).collect();
    let maxes: Vec<i32> = limits
        .iter()
        .map(|(_, m)| (*m).min(i32::MAX as u32) as i32)
        .collect();
    diesel::sql_query(
        "WITH limits (kind, max_attempts) AS (SELECT * FROM unnest($1::text[], $2::int[])), \
              expired AS ( \
                SELECT j.id, coalesce(j.max_attempts, l.max_attempts) AS max_attempts \
                  FROM jobs j LEFT JOIN limits l ON l.kind = j.kind \
                 WHERE j.state = 'running' AND j.locked_until < now() \
                   FOR UPDATE OF j SKIP LOCKED) \
         UPDATE jobs j \
            SET state = CASE WHEN j.attempts >= e.max_attempts THEN 'failed' ELSE 'pending' END, \
                finished_at = CASE WHEN j.attempts >= e.max_attempts THEN now() END, \
                run_at = now(), last_error = $3, lease_id = NULL, locked_until = NULL \
           FROM expired e \
          WHERE j.id = e.id \
      RETURNING j.id, j.kind, j.payload, j.state",
    )
    .bind::<Array<Text>, _>(kinds)
    .bind::<Array<Integer>, _>(maxes)
    .bind::<Text, _>(LEASE_EXPIRED)
    .load(conn)
    .await
}

/// Deletes jobs that finished more than `older_than` ago. Returns how many.
pub async fn purge_finished(
    conn: &mut AsyncPgConnection,
    older_than: Duration,
) -> QueryResult<usize> {
    use jobs::dsl as j;
    let cutoff = Utc::now()
        - chrono::Duration::from_std(older_than).unwrap_or(chrono::Duration::days(36_500));
    diesel::delete(
        j::jobs
            .filter(j::state.eq_any([JobState::Succeeded, JobState::Failed]))
            .filter(j::finished_at.lt(cutoff)),
    )
    .execute(conn)
    .await
}

/// A job as the operator sees it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: Uuid,
    pub kind: String,
    pub payload: Value,
    pub state: JobState,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: Option<i32>,
    pub last_error: Option<String>,
    pub dedupe_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The newest `limit` jobs (only `failed` ones when `failed_only`), newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    failed_only: bool,
    limit: i64,
) -> QueryResult<Vec<JobRow>> {
    use jobs::dsl as j;
    let mut q = j::jobs
        .select(JobRow::as_select())
        .order((j::created_at.desc(), j::id.desc()))
        .limit(limit)
        .into_boxed();
    if failed_only {
        q = q.filter(j::state.eq(JobState::Failed));
    }
    q.load(conn).await
}

/// One job, if it exists.
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<JobRow>> {
    use jobs::dsl as j;
    j::jobs
        .find(id)
        .select(JobRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// What [`retry`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum RetryOutcome {
    /// Back to `pending`, due now, with its attempts reset to 0.
    Retried,
    /// No job has this ID.
    NotFound,
    /// The job is not `failed` (it is in this state).
    NotFailed(JobState),
    /// Another unfinished job holds the same dedupe key; this one stays `failed`.
    Duplicate,
}

/// Puts a `failed` job back to `pending`, due now, with its attempts reset to 0 (so it gets
/// the full number of attempts again, under the limit in force). Its `last_error` is kept
/// until the next attempt replaces it.
pub async fn retry(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<RetryOutcome> {
    use jobs::dsl as j;
    let updated = diesel::update(
        j::jobs
            .filter(j::id.eq(id))
            .filter(j::state.eq(JobState::Failed)),
    )
    .set((
        j::state.eq(JobState::Pending),
        j::attempts.eq(0),
        j::run_at.eq(diesel::dsl::now),
        j::finished_at.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .await;
    match updated {
        Ok(1) => Ok(RetryOutcome::Retried),
        Ok(_) => Ok(match get(conn, id).await? {
            None => RetryOutcome::NotFound,
            Some(row) => RetryOutcome::NotFailed(row.state),
        }),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(RetryOutcome::Duplicate),
        Err(e) => Err(e),
    }
}

/// At most `max` characters of `s`.
pub fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Unfinished and failed jobs of one kind and state, for the metrics.
#[derive(Debug, Clone, QueryableByName)]
pub struct QueueDepth {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub state: String,
    #[diesel(sql_type = BigInt)]
    pub jobs: i64,
    /// How long the longest-waiting due job has waited (pending jobs only), in seconds.
    #[diesel(sql_type = Nullable<Double>)]
    pub oldest_due_seconds: Option<f64>,
}

/// The queue's depth by kind and state (succeeded jobs, kept until purged, are left out: the
/// query reads the partial indexes of pending, running and failed jobs).
pub async fn queue_depth(conn: &mut AsyncPgConnection) -> QueryResult<Vec<QueueDepth>> {
    diesel::sql_query(
        "SELECT kind, state, count(*) AS jobs,
                max(extract(epoch FROM now() - run_at)::float8)
                    FILTER (WHERE state = 'pending' AND run_at <= now()) AS oldest_due_seconds
         FROM jobs WHERE state IN ('pending', 'running', 'failed')
         GROUP BY kind, state ORDER BY kind, state",
    )
    .load(conn)
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn truncation_counts_characters() {
        assert_eq!(super::truncate("héllo", 2), "hé");
        assert_eq!(super::truncate("abc", 5), "abc");
    }
}
