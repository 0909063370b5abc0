//! `GET /metrics`: behind its own token, OpenMetrics text with the request histogram by route
//! template, failed sign-ins, the pool, the job queue and the outbox.

use serde_json::json;

use crate::harness::TestApp;

const TOKEN: &str = "scrape-0123456789abcdef0123456789abcdef";

async fn app() -> TestApp {
    TestApp::builder()
        .var("BENCHSIDE_METRICS_TOKEN", TOKEN)
        .build()
        .await
}

#[actix_web::test]
async fn without_a_configured_token_the_route_does_not_exist() {
    let app = TestApp::spawn().await;
    app.get("/metrics").await.assert_error(404, "not_found");
    app.call("GET", "/metrics", Some(TOKEN), None, None)
        .await
        .assert_error(404, "not_found");
}

#[actix_web::test]
async fn the_token_is_required_and_a_session_is_not_enough() {
    let app = app().await;
    let res = app.get("/metrics").await;
    res.assert_error(401, "unauthenticated");
    assert_eq!(
        res.header("www-authenticate"),
        Some("Bearer realm=\"metrics\"")
    );
    let wrong = format!("{TOKEN}x");
    app.call("GET", "/metrics", Some(&wrong), None, None)
        .await
        .assert_error(401, "unauthenticated");
}

#[actix_web::test]
async fn requests_sign_in_failures_pool_queue_and_outbox_are_reported() {
    let app = app().await;
    assert_eq!(app.get("/api/v1/courses").await.status, 200);
    assert_eq!(app.get("/api/v1/courses/no-such-course").await.status, 404);
    let res = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "nobody@example.org", "password": "not-the-password" }),
        )
        .await;
    assert_eq!(res.status, 401, "{}", res.text());
    // A registration queues a verification mail: one pending mail.send job, one unsent mail.
    let res = app
        .post_json(
            "/api/v1/auth/register",
            &json!({ "email": "m@example.org", "name": "M", "password": "calibrate-the-analyzer" }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());

    let res = app.call("GET", "/metrics", Some(TOKEN), None, None).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.header("content-type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    let text = res.text();
    for line in [
        r#"http_request_duration_seconds_count{route="/api/v1/courses",method="GET",status="200"} 1"#,
        r#"http_request_duration_seconds_count{route="/api/v1/courses/{slug}",method="GET",status="404"} 1"#,
        r#"http_request_duration_seconds_count{route="/api/v1/auth/login",method="POST",status="401"} 1"#,
        "benchside_sign_in_failures_total 1",
        r#"benchside_mail_outbox{state="unsent"} 1"#,
        r#"benchside_mail_outbox{state="sent"} 0"#,
        "benchside_db_pool_waiting 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
    assert!(
        text.contains("benchside_db_pool_max_connections "),
        "{text}"
    );
    assert!(
        text.contains(r#"benchside_db_pool_connections{state="in_use"} "#),
        "{text}"
    );
    assert!(
        text.contains(r#"benchside_jobs_oldest_due_seconds{kind="mail.send"} "#),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
    // The app's own runner may have claimed the mail already.
    assert!(
        text.lines().any(
            |l| l == r#"benchside_jobs{kind="mail.send",state="pending"} 1"#
                || l == r#"benchside_jobs{kind="mail.send",state="running"} 1"#
        ),
        "{text}"
    );

    // Delivered: the job leaves the unfinished counts and the mail counts as sent.
    app.run_pending_jobs().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let text = app
            .call("GET", "/metrics", Some(TOKEN), None, None)
            .await
            .text();
        if text
            .lines()
            .any(|l| l == r#"benchside_mail_outbox{state="sent"} 1"#)
        {
            assert!(
                !text.contains(r#"benchside_jobs{kind="mail.send""#),
                "{text}"
            );
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never sent:\n{text}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn the_sign_in_route_the_counter_watches_exists() {
    let app = app().await;
    let doc = app.get("/api/openapi.json").await.json();
    assert!(
        doc["paths"][benchside::http::metrics::SIGN_IN_ROUTE]["post"].is_object(),
        "SIGN_IN_ROUTE must name the sign-in route"
    );
}
