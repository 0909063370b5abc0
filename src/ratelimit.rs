//! Rate limits as token buckets in PostgreSQL, so every app process shares them.
//!
//! A bucket holds up to `capacity` tokens and refills at `per_second`; each attempt takes one.
//! One statement per check (an upsert that refills, takes a token if there is one, and returns
//! what is left), so the check is atomic under concurrency. A refused attempt takes nothing.
//!
//! [`Local`] keeps the same buckets in the process's memory instead, for public read routes
//! (certificate verification) where a database write per request would cost more than the
//! read it guards; each process then allows the limit on its own.

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Double, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::http::{AppError, ErrorCode};

/// Why a check did not let an attempt through.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// The bucket is empty: try again in `retry_after_secs`.
    #[error("rate limited: retry after {retry_after_secs} s")]
    Limited { retry_after_secs: u32 },
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// A refusal answers 429 `rate_limited` with `Retry-After`.
impl From<LimitError> for AppError {
    fn from(e: LimitError) -> AppError {
        match e {
            LimitError::Limited { retry_after_secs } => AppError::new(
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "Too many attempts. Please wait a little and try again.",
            )
            .with_retry_after(retry_after_secs)
            .with_details(serde_json::json!({ "retry_after_seconds": retry_after_secs })),
            LimitError::Db(e) => e.into(),
        }
    }
}

/// A kind of limit: how many at once, and how fast they come back.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Names the bucket family, e.g. `login_ip`.
    pub name: &'static str,
    pub capacity: f64,
    pub per_second: f64,
}

impl Limit {
    pub const fn per_minute(name: &'static str, capacity: u32, per_minute: f64) -> Limit {
        Limit {
            name,
            capacity: capacity as f64,
            per_second: per_minute / 60.0,
        }
    }
}

#[derive(QueryableByName)]
struct Outcome {
    #[diesel(sql_type = Bool)]
    allowed: bool,
    #[diesel(sql_type = Double)]
    tokens: f64,
}

/// Takes one token from `limit`'s bucket for `key`; refuses with [`LimitError::Limited`] when
/// the bucket is empty.
pub async fn check(
    conn: &mut AsyncPgConnection,
    limit: Limit,
    key: &str,
) -> Result<(), LimitError> {
    let bucket = format!("{}:{}", limit.name, key);
    let bucket: String = bucket.chars().take(300).collect();
    // In DO UPDATE, `b` is the current row, locked: concurrent checks queue on it, so two
    // attempts never take the same token.
    let o: Outcome = diesel::sql_query(
        "INSERT INTO rate_limit_buckets AS b (bucket, tokens, allowed, updated_at)
         VALUES ($1, $2 - 1, true, clock_timestamp())
         ON CONFLICT (bucket) DO UPDATE SET
             tokens = LEAST($2, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8) * $3)
                      - CASE WHEN LEAST($2, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8) * $3) >= 1 THEN 1 ELSE 0 END,
             allowed = LEAST($2, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8) * $3) >= 1,
             updated_at = clock_timestamp()
         RETURNING b.allowed, b.tokens",
    )
    .bind::<Text, _>(&bucket)
    .bind::<Double, _>(limit.capacity)
    .bind::<Double, _>(limit.per_second)
    .get_result(conn)
    .await?;
    if o.allowed {
        return Ok(());
    }
    let wait = ((1.0 - o.tokens) / limit.per_second).ceil().max(1.0) as u32;
    Err(LimitError::Limited {
        retry_after_secs: wait,
    })
}

/// Token buckets in this process's memory (see the module notes).
#[derive(Debug, Default)]
pub struct Local {
    buckets: std::sync::Mutex<std::collections::HashMap<String, (f64, std::time::Instant)>>,
}

/// Buckets kept before the full ones are forgotten.
const LOCAL_MAX_BUCKETS: usize = 10_000;

impl Local {
    /// Takes one token from `limit`'s bucket for `key`, as [`check`] does.
    pub fn check(
        &self,
        limit: Limit,
        key: &str,
        now: std::time::Instant,
    ) -> Result<(), LimitError> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let refill = |(tokens, at): (f64, std::time::Instant)| {
            let secs = now.saturating_duration_since(at).as_secs_f64();
            (tokens + secs * limit.per_second).min(limit.capacity)
        };
        if buckets.len() >= LOCAL_MAX_BUCKETS && !buckets.contains_key(key) {
            buckets.retain(|_, b| refill(*b) < limit.capacity);
        }
        let bucket = buckets
            .entry(key.chars().take(300).collect())
            .or_insert((limit.capacity, now));
        let tokens = refill(*bucket);
        if tokens >= 1.0 {
            *bucket = (tokens - 1.0, now);
            return Ok(());
        }
        *bucket = (tokens, now);
        let wait = ((1.0 - tokens) / limit.per_second).ceil().max(1.0) as u32;
        Err(LimitError::Limited {
            retry_after_secs: wait,
        })
    }
}

/// Deletes buckets that have been full for a day (housekeeping, run now and then).
pub async fn prune(conn: &mut AsyncPgConnection) -> diesel::QueryResult<usize> {
    diesel::sql_query("DELETE FROM rate_limit_buckets WHERE updated_at < now() - interval '1 day'")
        .execute(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_a_429_with_retry_after() {
        let e = AppError::from(LimitError::Limited {
            retry_after_secs: 7,
        });
        assert_eq!(e.status(), 429);
        assert_eq!(e.code(), ErrorCode::RateLimited);
        let res = actix_web::ResponseError::error_response(&e);
        assert_eq!(res.headers().get("retry-after").unwrap(), "7");
    }

    #[test]
    fn a_local_bucket_empties_refills_and_keeps_keys_apart() {
        let limit = Limit::per_minute("t", 2, 60.0);
        let local = Local::default();
        let t0 = std::time::Instant::now();
        assert!(local.check(limit, "a", t0).is_ok());
        assert!(local.check(limit, "a", t0).is_ok());
        match local.check(limit, "a", t0) {
            Err(LimitError::Limited { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("{other:?}"),
        }
        assert!(
            local.check(limit, "b", t0).is_ok(),
            "another key has its own bucket"
        );
        let later = t0 + std::time::Duration::from_secs(1);
        assert!(
            local.check(limit, "a", later).is_ok(),
            "one token back after a second"
        );
        assert!(local.check(limit, "a", later).is_err());
    }

    #[test]
    fn a_database_error_keeps_its_own_mapping() {
        let e = AppError::from(LimitError::Db(diesel::result::Error::NotFound));
        assert_eq!(e.status(), 404);
    }
}
