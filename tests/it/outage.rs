//! PostgreSQL going away and coming back while the server runs.

use std::time::{Duration, Instant};

use benchside::db::cluster::Cluster;

use crate::harness::TestApp;

#[actix_web::test]
async fn readyz_follows_the_database_down_and_up_without_a_restart() {
    // A cluster of this test's own, so stopping it disturbs nobody.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("benchside-outage-pg");
    let cluster = tokio::task::spawn_blocking(move || {
        Cluster::ensure_running(&dir, None, &[("fsync", "off")]).unwrap()
    })
    .await
    .unwrap();
    let url = cluster.url("postgres");
    let app = TestApp::builder()
        .database_url(&url)
        .var("BENCHSIDE_DB_STATEMENT_TIMEOUT_MS", "2000")
        .var("BENCHSIDE_DB_CONNECT_TIMEOUT_MS", "2000")
        .build()
        .await;
    assert_eq!(app.get("/readyz").await.status, 200);

    // Crash-stop PostgreSQL (as a power cut would).
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.kill().unwrap();
        cluster
    })
    .await
    .unwrap();
    for _ in 0..3 {
        let started = Instant::now();
        let res = app.get("/readyz").await;
        res.assert_error(503, "database_unavailable");
        assert!(res.header("retry-after").is_some());
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "answered within the timeouts: {:?}",
            started.elapsed()
        );
    }
    // The process is still serving.
    assert_eq!(app.get("/healthz").await.status, 200);

    let mut cluster = cluster;
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.restart().unwrap();
        cluster
    })
    .await
    .unwrap();
    let mut status = 0;
    for _ in 0..20 {
        status = app.get("/readyz").await.status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "ready again with no restart of the app");
    drop(app);
    tokio::task::spawn_blocking(move || cluster.stop().unwrap())
        .await
        .unwrap();
}
