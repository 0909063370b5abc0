//! The pool: statement timeout, UTC and JIT off on every connection, exhaustion answered with 503, and graceful
//! shutdown finishing requests in flight.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use benchside::db::DbPool;
use benchside::http::AppResult;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use crate::harness::{TestApp, TestResponse};

#[derive(QueryableByName)]
struct Settings {
    #[diesel(sql_type = Text)]
    statement_timeout: String,
    #[diesel(sql_type = Text)]
    time_zone: String,
    #[diesel(sql_type = Text)]
    jit: String,
}

/// Requests that reached `/__test/slow` (only the graceful-shutdown test calls it).
static SLOW_REQUESTS_STARTED: AtomicUsize = AtomicUsize::new(0);
/// Requests to `/__test/hold` that hold their connection.
static CONNECTIONS_HELD: AtomicUsize = AtomicUsize::new(0);

fn db_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/__test/hold",
        // Holds a pooled connection for 1.5 s.
        web::get().to(|db: web::Data<DbPool>| async move {
            let _conn = db.get().await?;
            CONNECTIONS_HELD.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(1500)).await;
            AppResult::Ok(HttpResponse::Ok().finish())
        }),
    )
    .route(
        "/__test/sleep-query",
        web::get().to(|db: web::Data<DbPool>| async move {
            let mut conn = db.get().await?;
            conn.batch_execute("SELECT pg_sleep(2)").await?;
            AppResult::Ok(HttpResponse::Ok().finish())
        }),
    )
    .route(
        "/__test/show-timeout",
        web::get().to(|db: web::Data<DbPool>| async move {
            let mut conn = db.get().await?;
            let s: Settings = diesel::sql_query(
                "SELECT current_setting('statement_timeout') AS statement_timeout, \
                        current_setting('TimeZone') AS time_zone, current_setting('jit') AS jit",
            )
            .get_result(&mut conn)
            .await?;
            let body = format!("{} {} jit={}", s.statement_timeout, s.time_zone, s.jit);
            AppResult::Ok(HttpResponse::Ok().body(body))
        }),
    )
    .route(
        "/__test/slow",
        web::get().to(|| async {
            SLOW_REQUESTS_STARTED.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(800)).await;
            HttpResponse::Ok().body("finished")
        }),
    );
}

#[actix_web::test]
async fn every_pooled_connection_has_the_statement_timeout_utc_and_no_jit() {
    let app = TestApp::builder()
        .var("BENCHSIDE_DB_STATEMENT_TIMEOUT_MS", "250")
        .routes(db_routes)
        .build()
        .await;
    let res = app.get("/__test/show-timeout").await;
    // JIT is off: the reports' aggregates cross jit_above_cost at cohort size.
    assert_eq!(res.text(), "250ms UTC jit=off");

    let started = Instant::now();
    let res = app.get("/__test/sleep-query").await;
    let err = res.assert_error(503, "database_timeout");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "the query was cancelled at the timeout, not after pg_sleep(2): {:?}",
        started.elapsed()
    );
    assert!(!err["message"].as_str().unwrap().contains("statement"));
    assert!(res.header("retry-after").is_some());
    // The connection is still usable afterwards.
    assert_eq!(app.get("/readyz").await.status, 200);
}

#[actix_web::test]
async fn an_exhausted_pool_answers_503_with_retry_after_instead_of_hanging() {
    let app = TestApp::builder()
        .var("BENCHSIDE_DB_POOL_SIZE", "1")
        .var("BENCHSIDE_DB_POOL_TIMEOUT_MS", "200")
        .routes(db_routes)
        .build()
        .await;
    let hold_url = app.url("/__test/hold");
    let client = app.client.clone();
    let holder =
        actix_web::rt::spawn(async move { client.get(hold_url).send().await.map(|r| r.status()) });
    // Ask only once the holder has the connection (on a loaded machine a fixed 300 ms sleep was
    // not always long enough, and /readyz then got the free connection).
    let deadline = Instant::now() + Duration::from_secs(10);
    while AtomicUsize::load(&CONNECTIONS_HELD, Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the holder never got its connection"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let started = Instant::now();
    let res = app.get("/readyz").await;
    res.assert_error(503, "server_busy");
    assert_eq!(res.header("retry-after"), Some("1"));
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );

    assert_eq!(holder.await.unwrap().unwrap().as_u16(), 200);
    // Released: ready again.
    assert_eq!(app.get("/readyz").await.status, 200);
}

#[actix_web::test]
async fn graceful_shutdown_finishes_requests_in_flight() {
    let app = TestApp::builder().routes(db_routes).build().await;
    let url = app.url("/__test/slow");
    let client = app.client.clone();
    let in_flight =
        actix_web::rt::spawn(async move { TestResponse::read(client.get(url).send().await).await });
    // Stop only once the handler runs: a connection still in the listen backlog when the
    // server stops is reset, which is not what this test is about (on a loaded machine a fixed
    // sleep was not always long enough).
    let deadline = Instant::now() + Duration::from_secs(10);
    while AtomicUsize::load(&SLOW_REQUESTS_STARTED, Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the slow request never reached its handler"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let base = app.base.clone();
    let started = Instant::now();
    app.stop().await;
    let res = in_flight.await.unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "finished");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "stop waited for the request"
    );

    // Stopped: new connections are refused.
    let after = awc::Client::default()
        .get(format!("{base}/healthz"))
        .send()
        .await;
    assert!(after.is_err(), "the server no longer accepts connections");
}
