//! The job queue against a real PostgreSQL: claims under concurrency, lease recovery, backoff
//! and failure, the dedupe key, transactions, the harness's failed-job check, and the
//! `jobs list`, `jobs retry` and `worker` commands of the real binary.

use std::collections::BTreeMap;
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use benchside::db::{self, DbPool, PoolSettings};
use benchside::jobs::{
    self, JobContext, JobError, JobRow, JobState, KindSettings, NewJob, Registry, Runner,
    RunnerSettings,
};
use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::cli::benchside;
use crate::harness::{TestApp, TestDb};
use crate::smtp::SmtpSink;

const KIND: &str = "test.record";

/// What handlers saw: (job ID, attempt, whether it was the last).
type Log = Arc<Mutex<Vec<(Uuid, u32, bool)>>>;

fn pool(url: &str, size: usize) -> DbPool {
    db::build_pool(
        url,
        &PoolSettings {
            max_size: size,
            wait_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
        },
    )
    .unwrap()
}

fn runner(url: &str, registry: Registry, batch_size: i64) -> Runner {
    Runner::new(
        pool(url, 2),
        Arc::new(registry),
        RunnerSettings {
            batch_size,
            ..RunnerSettings::new(Duration::from_millis(20))
        },
    )
}

/// A registry with one kind whose handler logs each attempt, waits `pause`, then answers
/// `outcome(attempt)`.
fn recording(
    settings: KindSettings,
    pause: Duration,
    outcome: fn(u32) -> Result<(), JobError>,
) -> (Registry, Log) {
    let log: Log = Arc::default();
    let mut registry = Registry::new();
    let seen = log.clone();
    registry.register(KIND, settings, move |_: Value, ctx: JobContext| {
        let seen = seen.clone();
        async move {
            seen.lock()
                .unwrap()
                .push((ctx.id, ctx.attempt, ctx.is_last()));
            tokio::time::sleep(pause).await;
            outcome(ctx.attempt)
        }
    });
    (registry, log)
}

fn fast(max_attempts: u32) -> KindSettings {
    KindSettings {
        max_attempts,
        retry_base: Duration::from_millis(100),
        retry_cap: Duration::from_secs(60),
        timeout: Duration::from_secs(5),
    }
}

async fn add(conn: &mut AsyncPgConnection, job: NewJob) -> Uuid {
    jobs::enqueue(conn, &job).await.unwrap().expect("inserted")
}

async fn job(conn: &mut AsyncPgConnection, id: Uuid) -> JobRow {
    jobs::store::get(conn, id).await.unwrap().expect("exists")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_claiming_at_once_never_run_one_job_twice() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let mut ids = Vec::new();
    for n in 0..40 {
        ids.push(add(&mut conn, NewJob::new(KIND, json!({ "n": n }))).await);
    }
    let (registry_a, log_a) = recording(fast(3), Duration::from_millis(5), |_| Ok(()));
    let (registry_b, log_b) = recording(fast(3), Duration::from_millis(5), |_| Ok(()));
    let mut tasks = Vec::new();
    for runner in [
        runner(&db.url, registry_a, 4),
        runner(&db.url, registry_b, 4),
    ] {
        tasks.push(tokio::spawn(async move {
            loop {
                let round = runner.run_once().await.unwrap();
                assert_eq!(round.succeeded, round.claimed, "{round:?}");
                if round.claimed == 0 {
                    return;
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (a, b) = (log_a.lock().unwrap().clone(), log_b.lock().unwrap().clone());
    assert!(
        !a.is_empty() && !b.is_empty(),
        "both ran: {} / {}",
        a.len(),
        b.len()
    );
    let mut runs: BTreeMap<Uuid, usize> = BTreeMap::new();
    for (id, attempt, _) in a.iter().chain(&b) {
        assert_eq!(*attempt, 1);
        *runs.entry(*id).or_default() += 1;
    }
    assert_eq!(runs.len(), 40, "every job ran");
    assert!(runs.values().all(|n| *n == 1), "none ran twice: {runs:?}");
    for id in ids {
        let j = job(&mut conn, id).await;
        assert_eq!((j.state, j.attempts), (JobState::Succeeded, 1), "{j:?}");
        assert!(j.finished_at.is_some());
    }
}

#[actix_web::test]
async fn an_expired_lease_is_recovered_and_the_job_runs_again() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let crashed = add(&mut conn, NewJob::new(KIND, json!({}))).await;
    let live = add(&mut conn, NewJob::new(KIND, json!({}))).await;
    let exhausted = add(&mut conn, NewJob::new(KIND, json!({})).max_attempts(1)).await;
    // A runner claimed all three and died: two leases ran out, one has not.
    conn.batch_execute(&format!(
        "UPDATE jobs SET state = 'running', attempts = 1, lease_id = gen_random_uuid(), \
         locked_until = CASE WHEN id = '{live}' THEN now() + interval '1 hour' \
                             ELSE now() - interval '1 second' END"
    ))
    .await
    .unwrap();
    let (registry, log) = recording(fast(3), Duration::ZERO, |_| Ok(()));
    let runner = runner(&db.url, registry, 8);

    let sweep = runner.sweep().await.unwrap();
    assert_eq!((sweep.recovered, sweep.failed), (2, 1), "{sweep:?}");
    let c = job(&mut conn, crashed).await;
    assert_eq!((c.state, c.attempts), (JobState::Pending, 1));
    assert!(
        c.last_error.as_deref().unwrap().contains("lease ran out"),
        "{c:?}"
    );
    let e = job(&mut conn, exhausted).await;
    assert_eq!(
        e.state,
        JobState::Failed,
        "its only attempt was lost: {e:?}"
    );
    assert!(e.finished_at.is_some());

    let round = runner.run_once().await.unwrap();
    assert_eq!((round.claimed, round.succeeded), (1, 1));
    assert_eq!(log.lock().unwrap().clone(), vec![(crashed, 2, false)]);
    assert_eq!(job(&mut conn, crashed).await.state, JobState::Succeeded);
    let l = job(&mut conn, live).await;
    assert_eq!((l.state, l.attempts), (JobState::Running, 1), "left alone");
}

#[actix_web::test]
async fn a_failing_handler_is_retried_with_backoff_and_ends_failed_after_max_attempts() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let id = add(&mut conn, NewJob::new(KIND, json!({}))).await;
    let slow_retries = KindSettings {
        retry_base: Duration::from_secs(1),
        ..fast(3)
    };
    let (registry, log) = recording(slow_retries, Duration::ZERO, |attempt| {
        Err(JobError::retry(format!("relay away (attempt {attempt})")))
    });
    let runner = runner(&db.url, registry, 8);

    // Base 1 s, then three times longer; +/-20 % jitter. The test makes it due at once.
    for (attempt, expected_ms) in [(1, 1000.0), (2, 3000.0)] {
        let round = runner.run_once().await.unwrap();
        assert_eq!((round.claimed, round.retrying), (1, 1), "{round:?}");
        let j = job(&mut conn, id).await;
        assert_eq!((j.state, j.attempts), (JobState::Pending, attempt));
        assert_eq!(
            j.last_error.as_deref(),
            Some(format!("relay away (attempt {attempt})").as_str())
        );
        let delay = (j.run_at - Utc::now()).num_milliseconds() as f64;
        assert!(
            (expected_ms * 0.8 - 500.0..=expected_ms * 1.2).contains(&delay),
            "attempt {attempt}: due again in {delay} ms"
        );
        // Not due yet: a round now claims nothing.
        assert_eq!(runner.run_once().await.unwrap().claimed, 0);
        conn.batch_execute(&format!("UPDATE jobs SET run_at = now() WHERE id = '{id}'"))
            .await
            .unwrap();
    }
    let round = runner.run_once().await.unwrap();
    assert_eq!((round.claimed, round.failed), (1, 1), "{round:?}");
    let j = job(&mut conn, id).await;
    assert_eq!((j.state, j.attempts), (JobState::Failed, 3));
    assert_eq!(j.last_error.as_deref(), Some("relay away (attempt 3)"));
    assert!(j.finished_at.is_some());
    assert_eq!(
        log.lock().unwrap().clone(),
        vec![(id, 1, false), (id, 2, false), (id, 3, true)],
        "the handler knew which attempt was the last"
    );
    // Failed stays failed.
    conn.batch_execute(&format!("UPDATE jobs SET run_at = now() WHERE id = '{id}'"))
        .await
        .unwrap();
    assert_eq!(runner.run_once().await.unwrap().claimed, 0);
}

#[actix_web::test]
async fn a_permanent_error_fails_at_once() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let id = add(&mut conn, NewJob::new(KIND, json!({}))).await;
    let (registry, log) = recording(fast(5), Duration::ZERO, |_| {
        Err(JobError::permanent("the payload names nothing"))
    });
    let round = runner(&db.url, registry, 8).run_once().await.unwrap();
    assert_eq!((round.claimed, round.failed, round.retrying), (1, 1, 0));
    assert_eq!(
        round.ran[0].outcome,
        Err(JobError::Permanent("the payload names nothing".into()))
    );
    let j = job(&mut conn, id).await;
    assert_eq!((j.state, j.attempts), (JobState::Failed, 1));
    assert_eq!(j.last_error.as_deref(), Some("the payload names nothing"));
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_panicking_or_hanging_handler_is_a_failed_attempt_that_is_retried() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let panics = add(&mut conn, NewJob::new("test.panic", json!({}))).await;
    let hangs = add(&mut conn, NewJob::new("test.hang", json!({}))).await;
    let mut registry = Registry::new();
    registry.register("test.panic", fast(3), |_, _| async {
        panic!("a bug in the handler")
    });
    let short = KindSettings {
        timeout: Duration::from_millis(50),
        ..fast(3)
    };
    registry.register("test.hang", short, |_, _| async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(())
    });
    let started = Instant::now();
    let round = runner(&db.url, registry, 8).run_once().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the timeout holds"
    );
    assert_eq!((round.claimed, round.retrying), (2, 2), "{round:?}");
    let p = job(&mut conn, panics).await;
    assert_eq!(p.state, JobState::Pending);
    assert_eq!(p.last_error.as_deref(), Some("the handler panicked"));
    let h = job(&mut conn, hangs).await;
    assert_eq!(h.state, JobState::Pending);
    assert!(
        h.last_error
            .as_deref()
            .unwrap()
            .contains("longer than 50 ms"),
        "{h:?}"
    );
}

#[actix_web::test]
async fn the_dedupe_key_refuses_a_second_unfinished_job_but_allows_one_after_the_first_finished() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let job_for = |n: i32| NewJob::new(KIND, json!({ "n": n })).dedupe_key("enrolment:42");
    let first = jobs::enqueue(&mut conn, &job_for(1)).await.unwrap();
    assert!(first.is_some());
    assert_eq!(jobs::enqueue(&mut conn, &job_for(2)).await.unwrap(), None);
    // Another key, or none, is not held up.
    let other = NewJob::new(KIND, json!({})).dedupe_key("enrolment:43");
    assert!(jobs::enqueue(&mut conn, &other).await.unwrap().is_some());
    assert!(
        jobs::enqueue(&mut conn, &NewJob::new(KIND, json!({})))
            .await
            .unwrap()
            .is_some()
    );

    // While running it still holds the key.
    let (registry, _) = recording(fast(3), Duration::from_millis(300), |_| Ok(()));
    let runner = runner(&db.url, registry, 8);
    let running = tokio::spawn({
        let runner = runner.clone();
        async move { runner.run_once().await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        job(&mut conn, first.unwrap()).await.state,
        JobState::Running
    );
    assert_eq!(jobs::enqueue(&mut conn, &job_for(3)).await.unwrap(), None);
    assert_eq!(running.await.unwrap().succeeded, 3);

    // Finished: a new job with the key is accepted.
    let again = jobs::enqueue(&mut conn, &job_for(4)).await.unwrap();
    assert!(again.is_some() && again != first);
    let payloads: Vec<Value> = jobs::store::list(&mut conn, false, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.dedupe_key.as_deref() == Some("enrolment:42"))
        .map(|j| j.payload)
        .collect();
    assert_eq!(payloads, vec![json!({ "n": 4 }), json!({ "n": 1 })]);
}

#[actix_web::test]
async fn enqueue_inside_a_rolled_back_transaction_leaves_no_job() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let rolled_back = conn
        .transaction::<(), diesel::result::Error, _>(async |tx| {
            let id = jobs::enqueue(tx, &NewJob::new(KIND, json!({ "n": 1 }))).await?;
            assert!(id.is_some());
            Err(diesel::result::Error::RollbackTransaction)
        })
        .await;
    assert!(rolled_back.is_err());
    let committed = conn
        .transaction::<_, diesel::result::Error, _>(async |tx| {
            jobs::enqueue(tx, &NewJob::new(KIND, json!({ "n": 2 }))).await
        })
        .await
        .unwrap()
        .unwrap();
    let all = jobs::store::list(&mut conn, false, 10).await.unwrap();
    assert_eq!(
        all.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![committed]
    );
    // A job enqueued for later is not due before its time.
    let later = Utc::now() + chrono::Duration::hours(1);
    add(
        &mut conn,
        NewJob::new(KIND, json!({ "n": 3 })).run_at(later),
    )
    .await;
    let (registry, log) = recording(fast(3), Duration::ZERO, |_| Ok(()));
    let round = runner(&db.url, registry, 8).run_once().await.unwrap();
    assert_eq!(round.claimed, 1);
    assert_eq!(log.lock().unwrap()[0].0, committed);
}

#[actix_web::test]
#[should_panic(expected = "the test left failed jobs")]
async fn the_harness_fails_a_test_that_leaves_a_failed_job() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let id = add(&mut conn, NewJob::new(KIND, json!({}))).await;
    conn.batch_execute(&format!(
        "UPDATE jobs SET state = 'failed', attempts = 1, finished_at = now(), \
         last_error = 'left behind' WHERE id = '{id}'"
    ))
    .await
    .unwrap();
    drop(conn);
    drop(app);
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn jobs_cli(db: &TestDb, args: &[&str]) -> (Option<i32>, String, String) {
    let out = benchside(args)
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

#[actix_web::test]
async fn jobs_list_failed_and_jobs_retry_through_the_binary() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let failed = add(
        &mut conn,
        NewJob::new("mail.send", json!({ "outbox_id": "x" })),
    )
    .await;
    let pending = add(&mut conn, NewJob::new(KIND, json!({})).max_attempts(4)).await;
    conn.batch_execute(&format!(
        "UPDATE jobs SET state = 'failed', attempts = 12, finished_at = now(), \
         last_error = E'SMTP: 550 mailbox unavailable\\nno such user' WHERE id = '{failed}'"
    ))
    .await
    .unwrap();

    let (code, out, err) = jobs_cli(&db, &["jobs", "list", "--failed"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "a header and the failed job: {out}");
    for h in ["ID", "KIND", "STATE", "ATTEMPTS", "RUN AT", "LAST ERROR"] {
        assert!(lines[0].contains(h), "{out}");
    }
    assert!(lines[1].starts_with(&failed.to_string()), "{out}");
    assert!(lines[1].contains("mail.send"), "{out}");
    assert!(lines[1].contains(" failed "), "{out}");
    // The mail kind's limit (BENCHSIDE_MAIL_MAX_ATTEMPTS, 12) applies to it.
    assert!(lines[1].contains("12/12"), "{out}");
    assert!(
        lines[1].ends_with("SMTP: 550 mailbox unavailable no such user"),
        "{out}"
    );
    let (_, all, _) = jobs_cli(&db, &["jobs", "list"]);
    assert_eq!(all.lines().count(), 3, "{all}");
    assert!(
        all.contains(&pending.to_string()) && all.contains("0/4"),
        "{all}"
    );

    let (code, out, err) = jobs_cli(&db, &["jobs", "retry", &failed.to_string()]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("pending again"), "{out}");
    let j = job(&mut conn, failed).await;
    assert_eq!((j.state, j.attempts), (JobState::Pending, 0));
    assert!(j.finished_at.is_none() && j.run_at <= Utc::now());
    let (code, out, _) = jobs_cli(&db, &["jobs", "list", "--failed"]);
    assert_eq!((code, out.as_str()), (Some(0), "no failed jobs\n"));

    // Not failed, unknown, not an ID.
    let (code, _, err) = jobs_cli(&db, &["jobs", "retry", &failed.to_string()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("is pending, not failed; only failed jobs can be retried"),
        "{err}"
    );
    let unknown = Uuid::new_v4();
    let (code, _, err) = jobs_cli(&db, &["jobs", "retry", &unknown.to_string()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("no job has the ID {unknown}")),
        "{err}"
    );
    let (code, _, err) = jobs_cli(&db, &["jobs", "retry", "job-7"]);
    assert_eq!(code, Some(2), "a usage error: {err}");
}

#[actix_web::test]
async fn the_worker_command_delivers_mail_and_stops_on_sigterm() {
    let sink = SmtpSink::start();
    let db = TestDb::migrated().await;
    let log = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("worker-{}.log", Uuid::new_v4().simple()));
    let mut child = benchside(&["worker"])
        .env("DATABASE_URL", &db.url)
        .env("BENCHSIDE_SMTP_URL", sink.url())
        .env("BENCHSIDE_JOBS_POLL_MS", "50")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mail = benchside::mail::templates::password_reset(
        &url::Url::parse("https://learn.example.org/").unwrap(),
        "ana@example.org",
        "Ana",
        "tok",
    );
    let id = benchside::mail::enqueue(&mut db.conn().await, &mail)
        .await
        .unwrap();
    let got = sink.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(got[0].to, vec!["ana@example.org"]);
    assert!(got[0].message_id().starts_with(&id.to_string()));

    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "worker did not stop"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status}: {text}");
    assert!(text.contains("job runner started"), "{text}");
    assert!(text.contains("job runner stopped"), "{text}");
    let _ = std::fs::remove_file(&log);
}
