//! Caching: an answer to a request with credentials is never stored (`private, no-store`),
//! unless its handler chose its own `Cache-Control`; anonymous answers are left alone.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::harness::TestApp;
use crate::support::quizzes::started;
use crate::support::{FixtureCourse, call, enrolment, learner, record_quiz_pass};

const PRIVATE: Option<&str> = Some("private, no-store");

#[actix_web::test]
async fn authenticated_answers_are_private_and_not_stored() {
    let app = TestApp::spawn().await;
    let ana = learner(&app).email("ana@example.org").await;
    let id = enrolment(&app, &ana, FixtureCourse::DEMO).await.id;
    record_quiz_pass(&app, &id, "safety-quiz").await;
    let attempt = started(&app, &ana, &id, "safety-quiz").await;
    let attempt = attempt["id"].as_str().unwrap();

    for path in [
        "/api/v1/me".to_string(),
        "/api/v1/me/enrolments".to_string(),
        format!("/api/v1/enrolments/{id}"),
        format!("/api/v1/attempts/{attempt}"),
        "/api/v1/me/certificates".to_string(),
    ] {
        let res = call(&app, "GET", &path, &ana).await;
        assert_eq!(res.status, 200, "{path}: {}", res.text());
        assert_eq!(res.header("cache-control"), PRIVATE, "{path}");
    }
}

#[actix_web::test]
async fn a_handler_that_sets_its_own_cache_control_keeps_it() {
    let app = TestApp::spawn().await;
    let ana = learner(&app).email("ana@example.org").await;
    let res = call(&app, "GET", "/.well-known/jwks.json", &ana).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("public, max-age=300"));
    // The public catalogue is the same for everyone and says so, signed in or not.
    let res = call(&app, "GET", "/api/v1/courses", &ana).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("cache-control"),
        Some("public, max-age=60, must-revalidate")
    );
    // Errors keep theirs (`no-store`) too.
    let res = call(
        &app,
        "GET",
        "/api/v1/attempts/00000000-0000-0000-0000-000000000000",
        &ana,
    )
    .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn only_requests_with_credentials_get_the_rule() {
    let app = TestApp::builder()
        .routes(|cfg| {
            cfg.route(
                "/__test/plain",
                web::get().to(|| async { HttpResponse::Ok().json(json!({ "ok": true })) }),
            );
        })
        .build()
        .await;
    let anonymous = app.get("/__test/plain").await;
    assert_eq!(anonymous.status, 200);
    assert_eq!(anonymous.header("cache-control"), None);
    // Any Authorization header, valid or not: the answer may depend on it.
    let res = app
        .call("GET", "/__test/plain", Some("not-a-real-token"), None, None)
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cache-control"), PRIVATE);
}

#[actix_web::test]
async fn the_session_routes_answers_carrying_tokens_are_not_stored() {
    let app = TestApp::spawn().await;
    let ana = learner(&app).email("ana@example.org").await;
    let login = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": ana.email, "password": crate::support::PASSWORD }),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text());
    // The session handlers set their own `no-store`.
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let refresh = app
        .call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&ana.cookie),
            None,
        )
        .await;
    assert_eq!(refresh.status, 200, "{}", refresh.text());
    assert_eq!(refresh.header("cache-control"), Some("no-store"));
}
