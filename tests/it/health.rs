//! `/healthz` and `/readyz`.

use crate::harness::TestApp;

#[actix_web::test]
async fn healthz_and_readyz_answer_200_with_a_database() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json(), serde_json::json!({ "status": "ok" }));
    assert_eq!(res.header("cache-control"), Some("no-store"));

    let res = app.get("/readyz").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json(),
        serde_json::json!({ "status": "ready", "database": "ok" })
    );
}

#[actix_web::test]
async fn readyz_is_503_when_the_database_cannot_be_reached_and_healthz_stays_200() {
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::builder()
        .database_url(&format!("postgres://postgres@127.0.0.1:{port}/nowhere"))
        .build()
        .await;
    let started = std::time::Instant::now();
    let res = app.get("/readyz").await;
    let err = res.assert_error(503, "database_unavailable");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(res.header("retry-after"), Some("5"));
    let msg = err["message"].as_str().unwrap();
    assert!(
        !msg.contains(&port.to_string()),
        "no cause in the body: {msg}"
    );
    assert!(
        !res.text().contains("refused"),
        "no cause in the body: {}",
        res.text()
    );

    assert_eq!(app.get("/healthz").await.status, 200);
}
