//! Mail: the outbox and its `mail.send` jobs on the job runner against a real SMTP server
//! (`smtp.rs`) and a real PostgreSQL; the file transport; the `mail send-test` command;
//! production refusals.

use std::collections::{BTreeSet, HashSet};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use benchside::db::schema::{jobs, mail_outbox};
use benchside::db::{self, DbPool, PoolSettings};
use benchside::jobs::{JobContext, JobState, Registry, Runner, RunnerSettings};
use benchside::mail::templates::{self, RenderedMail};
use benchside::mail::transport::MemoryTransport;
use benchside::mail::{Delivery, MailTransport, enqueue};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use uuid::Uuid;

use crate::cli::benchside;
use crate::harness::{TestApp, TestAppBuilder, TestDb};
use crate::smtp::{SmtpSink, link_with_token};

const WAIT: Duration = Duration::from_secs(20);

/// An outbox row with the state of its `mail.send` job.
#[derive(Debug, Clone, Queryable)]
struct Row {
    id: Uuid,
    kind: String,
    recipient: String,
    state: JobState,
    attempts: i32,
    last_error: Option<String>,
    sent_at: Option<DateTime<Utc>>,
    text_body: Option<String>,
    html_body: Option<String>,
    lease_id: Option<Uuid>,
}

async fn rows(conn: &mut AsyncPgConnection) -> Vec<Row> {
    use jobs::dsl as j;
    use mail_outbox::dsl as o;
    o::mail_outbox
        .inner_join(j::jobs)
        .select((
            o::id,
            o::kind,
            o::recipient,
            j::state,
            j::attempts,
            j::last_error,
            o::sent_at,
            o::text_body,
            o::html_body,
            j::lease_id,
        ))
        .order((o::created_at, o::recipient))
        .load(conn)
        .await
        .unwrap()
}

fn small_pool(url: &str, size: usize) -> DbPool {
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

/// A runner with only mail delivery, through `transport`, with the default mail settings.
fn mail_runner(pool: DbPool, transport: MailTransport, batch_size: i64) -> Runner {
    let config = benchside::config::Config::from_vars(Default::default()).unwrap();
    let mut registry = Registry::new();
    benchside::mail::register(&mut registry, &config.mail, transport);
    Runner::new(
        pool,
        Arc::new(registry),
        RunnerSettings {
            batch_size,
            ..RunnerSettings::new(Duration::from_millis(20))
        },
    )
}

/// Polls the outbox until `done` holds; panics with the rows after `timeout`.
async fn wait_rows(
    conn: &mut AsyncPgConnection,
    timeout: Duration,
    done: impl Fn(&[Row]) -> bool,
) -> Vec<Row> {
    let started = Instant::now();
    loop {
        let r = rows(conn).await;
        if done(&r) {
            return r;
        }
        assert!(
            started.elapsed() < timeout,
            "outbox not as expected after {timeout:?}: {r:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn public_url() -> url::Url {
    url::Url::parse("https://learn.example.org/").unwrap()
}

/// An app whose mail goes to `sink`, retrying quickly.
fn app_for(sink: &SmtpSink) -> TestAppBuilder {
    TestApp::builder()
        .var("BENCHSIDE_SMTP_URL", &sink.url())
        .var("BENCHSIDE_PUBLIC_URL", public_url().as_str())
        .var(
            "BENCHSIDE_MAIL_FROM",
            "Benchside Courses <courses@learn.example.org>",
        )
        .var("BENCHSIDE_JOBS_POLL_MS", "20")
        .var("BENCHSIDE_MAIL_RETRY_BASE_MS", "40")
        .var("BENCHSIDE_SMTP_TIMEOUT_MS", "3000")
}

fn reset_for(to: &str) -> RenderedMail {
    templates::password_reset(&public_url(), to, "Learner", "tok")
}

#[actix_web::test]
async fn an_enqueued_mail_arrives_with_both_parts_headers_and_the_link() {
    let sink = SmtpSink::start();
    let app = app_for(&sink).build().await;
    // Long enough for quoted-printable soft line breaks, with characters a query must encode.
    let token = format!("a+b/c=d&e f-{}", "x".repeat(90));
    let mail = templates::verify_email(
        &app.config.public_url,
        "ana@example.org",
        "Ana <Pérez>",
        &token,
    );
    let id = enqueue(&mut *app.conn().await, &mail).await.unwrap();

    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.from, "courses@learn.example.org");
    assert_eq!(m.to, vec!["ana@example.org"]);
    assert_eq!(
        m.sender_header(),
        (
            Some("Benchside Courses".into()),
            "courses@learn.example.org".into()
        )
    );
    assert_eq!(
        m.recipient_header(),
        (Some("Ana <Pérez>".into()), "ana@example.org".into())
    );
    assert_eq!(m.subject(), "Confirm your email address for Benchside");
    assert_eq!(m.message_id(), format!("{id}@learn.example.org"));
    assert!(
        m.data.contains("Content-Type: multipart/alternative"),
        "{}",
        m.data
    );
    // The link survives the trip: the token comes back exactly.
    assert_eq!(link_with_token(&m.data, "/verify-email"), token);
    let text = m.text();
    assert!(text.starts_with("Hello Ana <Pérez>,\r\n"), "{text}");
    assert!(
        text.contains("https://learn.example.org/verify-email?token=a%2Bb%2Fc%3Dd%26e+f-xxx"),
        "{text}"
    );
    let html = m.html();
    assert!(html.contains("Hello Ana &lt;Pérez&gt;,"), "{html}");
    assert!(
        html.contains(
            "href=\"https://learn.example.org/verify-email?token=a%2Bb%2Fc%3Dd%26e+f-xxx"
        ),
        "{html}"
    );

    let mut conn = app.conn().await;
    let r = wait_rows(&mut conn, WAIT, |r| r[0].state == JobState::Succeeded).await;
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].id, r[0].kind.as_str(), r[0].attempts),
        (id, "verify_email", 1)
    );
    assert!(r[0].sent_at.is_some() && r[0].last_error.is_none() && r[0].lease_id.is_none());
    assert!(
        r[0].text_body.is_none() && r[0].html_body.is_none(),
        "bodies (with their one-time link) are erased once sent"
    );
}

#[actix_web::test]
async fn mail_waits_out_an_smtp_outage_and_then_arrives_exactly_once() {
    let mut sink = SmtpSink::start();
    let app = app_for(&sink)
        .var("BENCHSIDE_MAIL_MAX_ATTEMPTS", "50")
        .build()
        .await;
    let mut conn = app.conn().await;
    // One delivery first, so the transport holds a pooled connection that the outage breaks.
    enqueue(&mut conn, &reset_for("first@example.org"))
        .await
        .unwrap();
    sink.wait_for(1, WAIT).await;

    sink.stop();
    let mut queued = BTreeSet::new();
    for i in 0..5 {
        let id = enqueue(&mut conn, &reset_for(&format!("l{i}@example.org")))
            .await
            .unwrap();
        queued.insert(id);
    }
    // The relay is down: every mail is tried, kept, and told why.
    let during = wait_rows(&mut conn, WAIT, |r| {
        r.iter()
            .filter(|r| queued.contains(&r.id))
            .all(|r| r.state == JobState::Pending && r.attempts >= 2 && r.last_error.is_some())
    })
    .await;
    for r in during.iter().filter(|r| queued.contains(&r.id)) {
        let err = r.last_error.as_deref().unwrap();
        assert!(err.starts_with("SMTP: "), "{err}");
        assert!(r.text_body.is_some(), "a queued mail keeps its body");
    }
    assert_eq!(
        sink.messages().len(),
        1,
        "nothing delivered during the outage"
    );

    sink.restart();
    let got = sink.wait_for(6, WAIT).await;
    let after = wait_rows(&mut conn, WAIT, |r| {
        r.iter().all(|r| r.state == JobState::Succeeded)
    })
    .await;
    // A few more polls: nothing arrives twice.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let got_now = sink.messages();
    assert_eq!(got_now.len(), 6, "{got:#?}");
    let delivered: BTreeSet<Uuid> = got_now[1..]
        .iter()
        .map(|m| m.message_id().split('@').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(delivered, queued, "each queued mail arrived once");
    for r in after.iter().filter(|r| queued.contains(&r.id)) {
        assert!(r.attempts >= 3, "{r:?}");
        assert!(r.sent_at.is_some());
    }
}

#[actix_web::test]
async fn two_apps_on_one_database_send_every_mail_exactly_once() {
    let sink = SmtpSink::start();
    // Slow acceptance makes the two workers' deliveries overlap.
    sink.set_delay(Duration::from_millis(15));
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let mut ids = BTreeSet::new();
    for i in 0..40 {
        ids.insert(
            enqueue(&mut conn, &reset_for(&format!("p{i:02}@example.org")))
                .await
                .unwrap(),
        );
    }
    let a = app_for(&sink).database_url(&db.url).build().await;
    let b = app_for(&sink).database_url(&db.url).build().await;

    sink.wait_for(40, WAIT).await;
    let r = wait_rows(&mut conn, WAIT, |r| {
        r.iter().all(|r| r.state == JobState::Succeeded)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let got = sink.messages();
    assert_eq!(got.len(), 40, "no mail sent twice");
    let delivered: BTreeSet<Uuid> = got
        .iter()
        .map(|m| m.message_id().split('@').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(delivered, ids);
    assert!(r.iter().all(|r| r.attempts == 1), "{r:#?}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_workers_claim_disjoint_rows() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let mut ids = BTreeSet::new();
    for i in 0..60 {
        ids.insert(
            enqueue(&mut conn, &reset_for(&format!("c{i:02}@example.org")))
                .await
                .unwrap(),
        );
    }
    let mut tasks = Vec::new();
    let mut stores: Vec<MemoryTransport> = Vec::new();
    for _ in 0..4 {
        let (transport, store) = MailTransport::memory();
        stores.push(store);
        let runner = mail_runner(small_pool(&db.url, 2), transport, 4);
        tasks.push(tokio::spawn(async move {
            let mut rounds = 0;
            loop {
                let round = runner.run_once().await.unwrap();
                assert_eq!(round.succeeded, round.claimed, "{round:?}");
                if round.claimed == 0 {
                    return rounds;
                }
                rounds += 1;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let per_worker: Vec<HashSet<String>> = stores
        .iter()
        .map(|s| {
            s.messages()
                .iter()
                .map(|m| {
                    let raw = String::from_utf8(m.raw.clone()).unwrap();
                    raw.lines()
                        .find_map(|l| l.strip_prefix("Message-ID: <"))
                        .unwrap()
                        .split('@')
                        .next()
                        .unwrap()
                        .to_string()
                })
                .collect()
        })
        .collect();
    let total: usize = stores.iter().map(|s| s.messages().len()).sum();
    assert_eq!(total, 60, "every mail sent once, none twice");
    let union: BTreeSet<Uuid> = per_worker
        .iter()
        .flatten()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(union, ids);
    let busy = per_worker.iter().filter(|s| !s.is_empty()).count();
    assert!(busy >= 2, "the workers ran side by side: {per_worker:?}");
    let r = rows(&mut conn).await;
    assert!(
        r.iter()
            .all(|r| r.state == JobState::Succeeded && r.attempts == 1 && r.sent_at.is_some()),
        "{r:#?}"
    );
}

#[actix_web::test]
async fn a_mail_that_keeps_failing_ends_failed_after_the_maximum_attempts() {
    let sink = SmtpSink::start();
    sink.refuse_recipient("nobody@example.org");
    let app = app_for(&sink)
        .var("BENCHSIDE_MAIL_MAX_ATTEMPTS", "3")
        .var("BENCHSIDE_MAIL_RETRY_BASE_MS", "20")
        .allow_failed_jobs()
        .build()
        .await;
    let mut conn = app.conn().await;
    let bad = enqueue(&mut conn, &reset_for("nobody@example.org"))
        .await
        .unwrap();
    let good = enqueue(&mut conn, &reset_for("ana@example.org"))
        .await
        .unwrap();

    let r = wait_rows(&mut conn, WAIT, |r| r.iter().all(|r| r.state.is_finished())).await;
    let bad_row = r.iter().find(|r| r.id == bad).unwrap();
    assert_eq!(bad_row.state, JobState::Failed);
    assert_eq!(bad_row.attempts, 3);
    let err = bad_row.last_error.as_deref().unwrap();
    assert!(err.contains("550"), "{err}");
    assert!(bad_row.sent_at.is_none() && bad_row.lease_id.is_none());
    assert!(bad_row.text_body.is_none() && bad_row.html_body.is_none());
    assert_eq!(
        sink.refused(),
        vec!["nobody@example.org"; 3],
        "tried exactly three times"
    );
    // The failing mail held nothing up.
    assert_eq!(
        r.iter().find(|r| r.id == good).unwrap().state,
        JobState::Succeeded
    );
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["ana@example.org"]);

    // A message that cannot even be built fails at once: retrying cannot help.
    let broken = RenderedMail {
        to: "ana@example,org".into(),
        ..reset_for("x@example.org")
    };
    let id = enqueue(&mut conn, &broken).await.unwrap();
    let r = wait_rows(&mut conn, WAIT, |r| {
        r.iter().any(|r| r.id == id && r.state == JobState::Failed)
    })
    .await;
    let row = r.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.attempts, 1);
    assert!(row.text_body.is_none() && row.html_body.is_none());
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .starts_with("the message cannot be built"),
        "{row:?}"
    );
}

#[actix_web::test]
async fn mail_enqueued_in_a_rolled_back_transaction_is_never_sent() {
    let sink = SmtpSink::start();
    let app = app_for(&sink).build().await;
    let mut conn = app.conn().await;

    let rolled_back = conn
        .transaction::<(), diesel::result::Error, _>(async |tx| {
            enqueue(tx, &reset_for("rolled-back@example.org")).await?;
            // The request fails after writing its mail.
            Err(diesel::result::Error::RollbackTransaction)
        })
        .await;
    assert!(rolled_back.is_err());
    let committed = conn
        .transaction::<Uuid, diesel::result::Error, _>(async |tx| {
            enqueue(tx, &reset_for("committed@example.org")).await
        })
        .await
        .unwrap();

    // The committed mail, enqueued later, arrives; the rolled-back one never existed.
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got[0].to, vec!["committed@example.org"]);
    let r = wait_rows(&mut conn, WAIT, |r| {
        r.iter().all(|r| r.state == JobState::Succeeded)
    })
    .await;
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].id, r[0].recipient.as_str()),
        (committed, "committed@example.org")
    );
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(
        crate::support::count(&app, "SELECT count(*) AS n FROM jobs").await,
        1,
        "the rolled-back mail left no job"
    );
}

#[actix_web::test]
async fn the_file_transport_writes_a_parseable_eml() {
    // No SMTP URL: development writes files under $BENCHSIDE_DATA_DIR/mail.
    let app = TestApp::builder()
        .var("BENCHSIDE_PUBLIC_URL", "https://learn.example.org/campus")
        .build()
        .await;
    let dir = app.config.mail.dir.clone();
    let mut conn = app.conn().await;
    let id = enqueue(
        &mut conn,
        &templates::password_reset(&app.config.public_url, "ana@example.org", "Ana", "r3set"),
    )
    .await
    .unwrap();
    wait_rows(&mut conn, WAIT, |r| r[0].state == JobState::Succeeded).await;

    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![format!("{id}.eml")],
        "one file, no temporary left"
    );
    let raw = std::fs::read_to_string(dir.join(format!("{id}.eml"))).unwrap();
    let parsed = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a parseable message");
    assert_eq!(parsed.subject(), Some("Reset your Benchside password"));
    assert_eq!(
        parsed.from().unwrap().first().unwrap().address.as_deref(),
        Some("no-reply@localhost")
    );
    assert_eq!(
        parsed.to().unwrap().first().unwrap().address.as_deref(),
        Some("ana@example.org")
    );
    assert_eq!(parsed.text_body_count(), 1);
    assert_eq!(parsed.html_body_count(), 1);
    let text = parsed.body_text(0).unwrap();
    assert!(text.contains("expires in one hour"), "{text}");
    assert!(
        text.contains("https://learn.example.org/campus/reset-password?token=r3set"),
        "{text}"
    );
    assert_eq!(link_with_token(&raw, "/reset-password"), "r3set");
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn a_claim_whose_lease_ran_out_is_delivered_and_a_live_one_is_left_alone() {
    let sink = SmtpSink::start();
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let crashed = enqueue(&mut conn, &reset_for("crashed@example.org"))
        .await
        .unwrap();
    let live = enqueue(&mut conn, &reset_for("live@example.org"))
        .await
        .unwrap();
    // A runner claimed both and died; the first lease ran out, the second has not.
    conn.batch_execute(&format!(
        "UPDATE jobs j SET state = 'running', attempts = 1, lease_id = gen_random_uuid(), \
         locked_until = CASE WHEN o.id = '{crashed}' THEN now() - interval '1 second' \
                             ELSE now() + interval '1 hour' END \
         FROM mail_outbox o WHERE o.job_id = j.id"
    ))
    .await
    .unwrap();

    let _app = app_for(&sink).database_url(&db.url).build().await;
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got[0].to, vec!["crashed@example.org"]);
    let r = wait_rows(&mut conn, WAIT, |r| {
        r.iter()
            .any(|r| r.id == crashed && r.state == JobState::Succeeded)
    })
    .await;
    let c = r.iter().find(|r| r.id == crashed).unwrap();
    assert_eq!(c.attempts, 2, "the lost attempt counts");
    assert!(
        c.last_error.as_deref().unwrap().contains("lease ran out"),
        "{c:?}"
    );
    let l = r.iter().find(|r| r.id == live).unwrap();
    assert_eq!((l.state, l.attempts), (JobState::Running, 1));
    assert!(l.text_body.is_some() && l.sent_at.is_none());
    assert_eq!(sink.messages().len(), 1);
}

/// `kill -9` of a runner after the relay accepted a mail but before the runner recorded the job
/// (the outcomes of a batch are recorded together, after its slowest handler): when the lease
/// runs out and the job runs again, the mail must not go out a second time.
#[actix_web::test]
async fn a_mail_the_relay_accepted_is_not_sent_again_when_its_runner_died_before_recording() {
    let sink = SmtpSink::start();
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let id = enqueue(&mut conn, &reset_for("once@example.org"))
        .await
        .unwrap();
    // A runner claims the job and its handler delivers the mail; then the runner dies.
    let (job, payload): (Uuid, serde_json::Value) = diesel::update(jobs::table)
        .filter(jobs::kind.eq(benchside::mail::JOB_KIND))
        .set((
            jobs::state.eq(JobState::Running),
            jobs::attempts.eq(1),
            jobs::lease_id.eq(Some(Uuid::new_v4())),
            jobs::locked_until.eq(Some(Utc::now() + chrono::Duration::hours(1))),
        ))
        .returning((jobs::id, jobs::payload))
        .get_result(&mut conn)
        .await
        .unwrap();
    let pool = small_pool(&db.url, 2);
    let url = url::Url::parse(&sink.url()).unwrap();
    let transport = MailTransport::smtp(&url, Duration::from_secs(3)).unwrap();
    let config = benchside::config::Config::from_vars(Default::default()).unwrap();
    let ctx = JobContext {
        id: job,
        kind: benchside::mail::JOB_KIND,
        attempt: 1,
        max_attempts: 12,
        db: pool.clone(),
    };
    Delivery::new(transport.clone(), config.mail.from.clone())
        .run(payload, ctx)
        .await
        .unwrap();
    assert_eq!(sink.messages().len(), 1);

    // Its lease runs out; the sweep puts the job back and another runner runs it.
    conn.batch_execute(&format!(
        "UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = '{job}'"
    ))
    .await
    .unwrap();
    let runner = mail_runner(pool, transport, 8);
    assert_eq!(runner.sweep().await.unwrap().recovered, 1);
    let round = runner.run_once().await.unwrap();
    assert_eq!((round.claimed, round.succeeded), (1, 1));
    let r = rows(&mut conn).await;
    assert_eq!(
        (r[0].id, r[0].state, r[0].attempts),
        (id, JobState::Succeeded, 2)
    );
    assert!(r[0].sent_at.is_some() && r[0].text_body.is_none());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sink.messages().len(), 1, "the mail was sent twice");
}

#[actix_web::test]
async fn stopping_the_app_stops_its_worker() {
    let sink = SmtpSink::start();
    let app = app_for(&sink).build().await;
    let db_url = app.db_url.clone();
    enqueue(&mut *app.conn().await, &reset_for("before@example.org"))
        .await
        .unwrap();
    sink.wait_for(1, WAIT).await;
    // Keep the database: the app drops its own when it goes.
    let mut app = app;
    let db = app.db.take();
    app.stop().await;

    let mut conn = AsyncPgConnection::establish(&db_url).await.unwrap();
    enqueue(&mut conn, &reset_for("after@example.org"))
        .await
        .unwrap();
    // Ten poll intervals: a running worker would have sent it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sink.messages().len(), 1);
    let r = rows(&mut conn).await;
    assert_eq!((r[1].state, r[1].attempts), (JobState::Pending, 0));
    drop(conn);
    drop(db);
}

#[actix_web::test]
async fn the_outbox_refuses_rows_that_break_its_invariants() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let bad_recipient = RenderedMail {
        to: "not-an-address".into(),
        ..reset_for("x@example.org")
    };
    let err = enqueue(&mut conn, &bad_recipient).await.unwrap_err();
    assert!(
        matches!(
            err,
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::CheckViolation,
                _
            )
        ),
        "{err:?}"
    );
    let id = enqueue(&mut conn, &reset_for("ok@example.org"))
        .await
        .unwrap();
    for (change, why) in [
        ("sent_at = now()", "sent with its bodies kept"),
        ("text_body = NULL", "one body without the other"),
        ("html_body = NULL", "one body without the other"),
        ("kind = 'Not A Kind'", "kind format"),
        ("job_id = gen_random_uuid()", "a job that does not exist"),
        ("subject = ''", "empty subject"),
    ] {
        let r = conn
            .batch_execute(&format!(
                "UPDATE mail_outbox SET {change} WHERE id = '{id}'"
            ))
            .await;
        assert!(r.is_err(), "{why}: {change} was accepted");
    }
    // The delivery side: the row's job keeps the queue's invariants.
    for (change, why) in [
        ("state = 'lost'", "unknown state"),
        (
            "state = 'succeeded', attempts = 1",
            "succeeded without finished_at",
        ),
        ("state = 'running', attempts = 1", "running without a lease"),
        (
            "state = 'failed', attempts = 1, finished_at = now()",
            "failed without an error",
        ),
        (
            "state = 'succeeded', attempts = 0, finished_at = now()",
            "succeeded without an attempt",
        ),
        ("attempts = -1", "negative attempts"),
        ("kind = 'Mail Send'", "kind format"),
    ] {
        let r = conn
            .batch_execute(&format!(
                "UPDATE jobs SET {change} WHERE id = (SELECT job_id FROM mail_outbox WHERE id = '{id}')"
            ))
            .await;
        assert!(r.is_err(), "{why}: {change} was accepted");
    }
    // Both bodies erased together is how a finished mail looks.
    conn.batch_execute(&format!(
        "UPDATE mail_outbox SET text_body = NULL, html_body = NULL, sent_at = now() \
          WHERE id = '{id}'"
    ))
    .await
    .unwrap();
}

#[actix_web::test]
async fn the_sweep_purges_old_finished_mail_only() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let mut ids = Vec::new();
    for to in ["old-sent", "new-sent", "old-pending"] {
        ids.push(
            enqueue(&mut conn, &reset_for(&format!("{to}@example.org")))
                .await
                .unwrap(),
        );
    }
    // Two sent (one 31 days ago), one still pending from 31 days ago.
    conn.batch_execute(&format!(
        "UPDATE mail_outbox SET sent_at = now(), text_body = NULL, html_body = NULL \
          WHERE id IN ('{0}', '{1}');
         UPDATE jobs j SET state = 'succeeded', attempts = 1, \
                finished_at = CASE WHEN o.id = '{0}' THEN now() - interval '31 days' ELSE now() END \
           FROM mail_outbox o WHERE o.job_id = j.id AND o.id IN ('{0}', '{1}');
         UPDATE jobs j SET created_at = now() - interval '31 days' \
           FROM mail_outbox o WHERE o.job_id = j.id AND o.id = '{2}';
         UPDATE mail_outbox SET created_at = now() - interval '31 days' \
          WHERE id IN ('{0}', '{2}')",
        ids[0], ids[1], ids[2]
    ))
    .await
    .unwrap();
    let (transport, _) = MailTransport::memory();
    let runner = mail_runner(small_pool(&db.url, 1), transport, 8);
    let sweep = runner.sweep().await.unwrap();
    assert_eq!((sweep.recovered, sweep.purged), (0, 1));
    // Purging the job deleted its message too.
    let left: BTreeSet<Uuid> = rows(&mut conn).await.iter().map(|r| r.id).collect();
    assert_eq!(left, BTreeSet::from([ids[1], ids[2]]));
    let outbox: i64 = mail_outbox::table
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(outbox, 2);
}

/// The binary with a clean environment.
fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[actix_web::test]
async fn mail_send_test_reports_delivery_and_failure() {
    let sink = SmtpSink::start();
    let out = benchside(&["mail", "send-test", "--to", "ops@example.org"])
        .env("BENCHSIDE_SMTP_URL", sink.url())
        .env("BENCHSIDE_PUBLIC_URL", "https://learn.example.org")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        format!(
            "sent a test message to ops@example.org through smtp {}\n",
            sink.url()
        )
    );
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got[0].to, vec!["ops@example.org"]);
    assert_eq!(got[0].subject(), "Benchside test message");
    assert!(
        got[0]
            .text()
            .contains("test message from Benchside at https://learn.example.org/")
    );

    // No relay listening: the transport's error, and a failure exit.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = benchside(&["mail", "send-test", "--to", "ops@example.org"])
        .env(
            "BENCHSIDE_SMTP_URL",
            format!("smtp://relay:s3cret@127.0.0.1:{closed}"),
        )
        .env("BENCHSIDE_SMTP_TIMEOUT_MS", "2000")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("could not send a test message to ops@example.org through smtp"),
        "{stderr}"
    );
    assert!(stderr.contains("SMTP: "), "{stderr}");
    assert!(
        !stderr.contains("s3cret"),
        "the password is hidden: {stderr}"
    );

    // Not an address: a usage error.
    let out = benchside(&["mail", "send-test", "--to", "ops at example"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not an email address"), "{stderr}");

    // Without a relay in development, the message is written to a file.
    let data = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("send-test-{}", Uuid::new_v4().simple()));
    let out = benchside(&["mail", "send-test", "--to", "ops@example.org"])
        .env("BENCHSIDE_DATA_DIR", &data)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let path = stdout
        .trim()
        .strip_prefix("wrote a test message for ops@example.org to ")
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        path.starts_with(data.join("mail").to_str().unwrap()),
        "{path}"
    );
    let raw = std::fs::read_to_string(path).unwrap();
    assert!(raw.contains("Subject: Benchside test message"), "{raw}");
    let _ = std::fs::remove_dir_all(&data);
}

#[actix_web::test]
async fn production_refuses_mail_to_files_and_requires_a_relay_and_a_sender() {
    let production = |c: &mut Command| {
        c.env("BENCHSIDE_ENV", "production")
            .env("BENCHSIDE_JWT_SECRET", "0123456789abcdef0123456789abcdef-x")
            .env("DATABASE_URL", "postgres://app@127.0.0.1:1/benchside")
            .env("BENCHSIDE_SIGNING_KEY_DIR", "/nonexistent/signing-keys")
            .env("BENCHSIDE_PUBLIC_URL", "https://learn.example.org");
    };
    let mut c = benchside(&["serve"]);
    production(&mut c);
    let out = c.output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("BENCHSIDE_SMTP_URL: is required in production"),
        "{stderr}"
    );
    assert!(
        stderr.contains("BENCHSIDE_MAIL_FROM: is required in production"),
        "{stderr}"
    );

    let mut c = benchside(&["serve"]);
    production(&mut c);
    let out = c
        .env("BENCHSIDE_MAIL_TRANSPORT", "file")
        .env("BENCHSIDE_SMTP_URL", "smtp://relay:25")
        .env("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>")
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("BENCHSIDE_MAIL_TRANSPORT: `file` is refused in production"),
        "{stderr}"
    );

    // With a relay and a sender, production sends.
    let sink = SmtpSink::start();
    let mut c = benchside(&["mail", "send-test", "--to", "ops@example.org"]);
    production(&mut c);
    let out = c
        .env("BENCHSIDE_SMTP_URL", sink.url())
        .env("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got[0].from, "no-reply@example.org");
}

#[actix_web::test]
async fn tls_required_refuses_a_relay_without_starttls() {
    let sink = SmtpSink::start();
    let out = benchside(&["mail", "send-test", "--to", "ops@example.org"])
        .env("BENCHSIDE_SMTP_URL", format!("{}?tls=required", sink.url()))
        .env("BENCHSIDE_SMTP_TIMEOUT_MS", "2000")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("could not send a test message"), "{stderr}");
    assert!(
        sink.messages().is_empty(),
        "nothing goes out in plain text when TLS is required"
    );
}

#[actix_web::test]
async fn with_the_worker_off_mail_stays_queued() {
    let sink = SmtpSink::start();
    let app = app_for(&sink)
        .var("BENCHSIDE_MAIL_WORKER", "false")
        .build()
        .await;
    let id = enqueue(&mut *app.conn().await, &reset_for("ana@example.org"))
        .await
        .unwrap();
    // Ten poll intervals: a running worker would have sent it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(sink.messages().is_empty());
    let r = rows(&mut *app.conn().await).await;
    assert_eq!(
        (r[0].id, r[0].state, r[0].attempts),
        (id, JobState::Pending, 0)
    );

    // The harness runs it on demand, through the real handler, to the same relay.
    let ran = app.run_pending_jobs().await;
    assert_eq!(ran.len(), 1, "{ran:#?}");
    assert_eq!((ran[0].kind.as_str(), ran[0].attempt), ("mail.send", 1));
    assert_eq!(ran[0].outcome, Ok(()));
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got[0].message_id(), format!("{id}@learn.example.org"));
    let r = rows(&mut *app.conn().await).await;
    assert_eq!(r[0].state, JobState::Succeeded);
    assert!(r[0].sent_at.is_some() && r[0].text_body.is_none());
    assert!(
        app.run_pending_jobs().await.is_empty(),
        "nothing is due any more"
    );
    app.assert_no_failed_jobs().await;
}

#[test]
fn check_reports_the_mail_settings_without_the_password() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = benchside(&["check"])
        .env(
            "DATABASE_URL",
            format!("postgres://app@127.0.0.1:{closed}/x"),
        )
        .env(
            "BENCHSIDE_SMTP_URL",
            "smtps://mailer:s3cret@smtp.example.org",
        )
        .env("BENCHSIDE_MAIL_FROM", "Benchside <no-reply@example.org>")
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains(
            "  mail            smtp smtps://mailer:********@smtp.example.org from Benchside \
             <no-reply@example.org>; job runner in serve on\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("s3cret"), "{stdout}");
}

#[actix_web::test]
async fn serve_runs_the_worker_and_stops_it_on_sigterm() {
    let sink = SmtpSink::start();
    let db = TestDb::migrated().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("serve-mail-{}.log", Uuid::new_v4().simple()));
    let mut child = benchside(&["serve"])
        .env("DATABASE_URL", &db.url)
        .env("BENCHSIDE_LISTEN", format!("127.0.0.1:{port}"))
        .env("BENCHSIDE_SMTP_URL", sink.url())
        .env("BENCHSIDE_JOBS_POLL_MS", "50")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let client = awc::Client::default();
    let started = Instant::now();
    loop {
        assert!(child.try_wait().unwrap().is_none(), "serve exited early");
        assert!(started.elapsed() < WAIT, "serve did not become ready");
        if let Ok(res) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && res.status() == 200
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let mut conn = db.conn().await;
    enqueue(&mut conn, &reset_for("ana@example.org"))
        .await
        .unwrap();
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got[0].to, vec!["ana@example.org"]);

    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < WAIT, "serve did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("job runner started"), "{text}");
    assert!(text.contains("job runner stopped"), "{text}");
    let _ = std::fs::remove_file(&log);
}
