//! The error envelope for every kind of bad request, request IDs and security headers.

use actix_web::{HttpResponse, web};
use benchside::http::{AppError, AppResult};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::harness::TestApp;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Named {
    name: String,
    hours: u32,
}

/// Routes that use the app's real extractor configuration.
fn echo_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/__test/echo",
        web::post().to(|body: web::Json<serde_json::Value>| async move {
            HttpResponse::Ok().json(body.into_inner())
        }),
    )
    .route(
        "/__test/named",
        web::post().to(|body: web::Json<Named>| async move {
            HttpResponse::Ok().json(json!({ "name": body.name }))
        }),
    )
    .route(
        "/__test/boom",
        web::get().to(|| async {
            AppResult::<HttpResponse>::Err(AppError::internal(anyhow::anyhow!(
                "password authentication failed for user \"secret_user\" at 10.0.0.7"
            )))
        }),
    )
    .route(
        "/__test/plain500",
        web::get().to(|| async {
            HttpResponse::InternalServerError()
                .content_type("text/plain")
                .body("stack trace: secret_internal_detail")
        }),
    )
    .route(
        "/__test/items/{id}",
        web::get().to(|id: web::Path<uuid::Uuid>| async move {
            HttpResponse::Ok().json(json!({ "id": id.into_inner() }))
        }),
    )
    .route(
        "/__test/query",
        web::get().to(
            |q: web::Query<std::collections::HashMap<String, u32>>| async move {
                HttpResponse::Ok().json(json!({ "n": q.len() }))
            },
        ),
    );
}

async fn app() -> TestApp {
    TestApp::builder()
        .var("BENCHSIDE_MAX_JSON_BYTES", "4096")
        .routes(echo_routes)
        .build()
        .await
}

#[actix_web::test]
async fn unknown_route_is_a_404_envelope() {
    let app = app().await;
    let res = app.get("/api/v1/no-such-thing").await;
    let err = res.assert_error(404, "not_found");
    assert_eq!(err["details"]["path"], "/api/v1/no-such-thing");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("/api/v1/no-such-thing")
    );
}

#[actix_web::test]
async fn wrong_method_is_a_405_envelope() {
    let app = app().await;
    let res = app.post_json("/healthz", &json!({})).await;
    res.assert_error(405, "method_not_allowed");
    let res = app.get("/__test/echo").await;
    res.assert_error(405, "method_not_allowed");
}

#[actix_web::test]
async fn malformed_json_is_a_400_that_says_where() {
    let app = app().await;
    let res = app
        .post_raw(
            "/__test/echo",
            "application/json",
            b"{\"name\": \"Ana\",\n  \"hours\": }".to_vec(),
        )
        .await;
    let err = res.assert_error(400, "invalid_json");
    let msg = err["message"].as_str().unwrap();
    assert!(msg.contains("not valid JSON"), "{msg}");
    assert!(msg.contains("line 2"), "the message names the place: {msg}");
    assert_eq!(err["details"]["line"], 2);
}

#[actix_web::test]
async fn valid_json_of_the_wrong_shape_is_a_422_naming_the_field() {
    let app = app().await;
    let res = app
        .post_json("/__test/named", &json!({ "name": "Ana" }))
        .await;
    let err = res.assert_error(422, "invalid_body");
    assert!(err["message"].as_str().unwrap().contains("hours"), "{err}");

    let res = app
        .post_json("/__test/named", &json!({ "name": "Ana", "hours": -1 }))
        .await;
    res.assert_error(422, "invalid_body");

    let ok = app
        .post_json("/__test/named", &json!({ "name": "Ana", "hours": 3 }))
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["name"], "Ana");
}

#[actix_web::test]
async fn wrong_content_type_is_a_415() {
    let app = app().await;
    let res = app
        .post_raw("/__test/echo", "text/plain", b"{}".to_vec())
        .await;
    res.assert_error(415, "unsupported_media_type");
    let res = app
        .post_raw(
            "/__test/echo",
            "application/x-www-form-urlencoded",
            b"a=1".to_vec(),
        )
        .await;
    res.assert_error(415, "unsupported_media_type");
}

#[actix_web::test]
async fn oversized_bodies_are_a_413() {
    let app = app().await;
    // Declared length over the limit: refused before the body is read, on any route.
    let big = format!("{{\"x\": \"{}\"}}", "a".repeat(10_000));
    let res = app
        .post_raw("/__test/echo", "application/json", big.clone().into_bytes())
        .await;
    let err = res.assert_error(413, "payload_too_large");
    assert_eq!(err["details"]["max_bytes"], 4096);
    let res = app
        .post_raw("/healthz", "application/json", big.clone().into_bytes())
        .await;
    res.assert_error(413, "payload_too_large");

    // Chunked, with no declared length: the JSON extractor stops at the limit.
    let stream = futures_util::stream::iter(
        big.into_bytes()
            .chunks(1000)
            .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let res = crate::harness::TestResponse::read(
        app.client
            .post(app.url("/__test/echo"))
            .insert_header(("content-type", "application/json"))
            .send_stream(stream)
            .await,
    )
    .await;
    res.assert_error(413, "payload_too_large");

    // Just under the limit is fine.
    let ok = app
        .post_json("/__test/echo", &json!({ "x": "a".repeat(4000) }))
        .await;
    assert_eq!(ok.status, 200);
}

#[actix_web::test]
async fn server_errors_never_show_their_cause() {
    let app = app().await;
    let res = app.get("/__test/boom").await;
    res.assert_error(500, "internal_error");
    let text = res.text();
    assert!(
        !text.contains("secret_user") && !text.contains("10.0.0.7"),
        "{text}"
    );
    assert!(res.header("x-request-id").is_some());

    // A 5xx that did not come from AppError is replaced by the envelope too.
    let res = app.get("/__test/plain500").await;
    res.assert_error(500, "internal_error");
    assert!(!res.text().contains("secret_internal_detail"));
}

#[actix_web::test]
async fn bad_path_and_query_parameters_are_envelopes() {
    let app = app().await;
    app.get("/__test/items/not-a-uuid")
        .await
        .assert_error(404, "not_found");
    let ok = app
        .get("/__test/items/5f0c1e7a-3b1f-4c47-9a38-2f1d6c1e9b11")
        .await;
    assert_eq!(ok.status, 200);
    let err = app
        .get("/__test/query?n=many")
        .await
        .assert_error(400, "invalid_query");
    assert!(
        err["message"].as_str().unwrap().contains("invalid digit"),
        "{err}"
    );
}

#[actix_web::test]
async fn every_response_has_a_request_id_and_security_headers() {
    let app = app().await;
    for path in ["/healthz", "/readyz", "/nope", "/api/openapi.json"] {
        let res = app.get(path).await;
        let id = res.header("x-request-id").expect("x-request-id");
        assert!(
            uuid::Uuid::parse_str(id).is_ok(),
            "generated IDs are UUIDs: {id}"
        );
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            res.header("referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );
        assert_eq!(res.header("x-frame-options"), Some("DENY"));
        let csp = res.header("content-security-policy").expect("CSP");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline"),
            "the app CSP allows nothing inline: {csp}"
        );
        // No HSTS over plain http.
        assert!(res.header("strict-transport-security").is_none());
    }
    // Two requests never share an ID.
    let a = app.get("/healthz").await;
    let b = app.get("/healthz").await;
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
}

#[actix_web::test]
async fn a_plain_client_request_id_is_kept_and_a_hostile_one_replaced() {
    let app = app().await;
    let res = crate::harness::TestResponse::read(
        app.client
            .get(app.url("/healthz"))
            .insert_header(("x-request-id", "lb-7f3a.42"))
            .send()
            .await,
    )
    .await;
    assert_eq!(res.header("x-request-id"), Some("lb-7f3a.42"));
    let res = crate::harness::TestResponse::read(
        app.client
            .get(app.url("/healthz"))
            .insert_header(("x-request-id", "a b\"<script>"))
            .send()
            .await,
    )
    .await;
    assert_ne!(res.header("x-request-id"), Some("a b\"<script>"));
}

#[actix_web::test]
async fn https_public_url_turns_on_hsts() {
    let app = TestApp::builder()
        .var("BENCHSIDE_PUBLIC_URL", "https://learn.example.org")
        .build()
        .await;
    let res = app.get("/healthz").await;
    assert_eq!(
        res.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
}

/// serde's derive reads a struct from an array, field by field: a login body
/// `["email", "password"]` signed in. Every JSON body must be an object, and may not repeat a
/// key; JSON that is not valid still answers 400 `invalid_json`.
#[actix_web::test]
async fn json_bodies_must_be_objects_without_repeated_keys() {
    let app = TestApp::builder().routes(echo_routes).build().await;
    crate::support::learner(&app).email("ana@example.org").await;
    let pw = crate::support::PASSWORD;
    for body in [
        format!(r#"["ana@example.org", "{pw}"]"#),
        format!(r#"{{"email": "ana@example.org", "password": "wrong", "password": "{pw}"}}"#),
        r#""ana@example.org""#.to_string(),
    ] {
        let res = app
            .post_raw("/api/v1/auth/login", "application/json", body.into_bytes())
            .await;
        res.assert_error(422, "invalid_body");
        assert!(res.cookie_value(crate::support::REFRESH).is_none());
    }
    let ok = format!(r#"{{"email": "ana@example.org", "password": "{pw}"}}"#);
    let res = app
        .post_raw("/api/v1/auth/login", "application/json", ok.into_bytes())
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    // At any depth, on a route whose body is any value; a `+json` type is read too.
    for (ct, body) in [
        ("application/json", r#"{"a": {"b": [{"c": 1, "c": 2}]}}"#),
        ("application/merge-patch+json", r#"{"a": 1, "a": 1}"#),
        ("application/json", r#"[1, 2]"#),
    ] {
        app.post_raw("/__test/echo", ct, body.as_bytes().to_vec())
            .await
            .assert_error(422, "invalid_body");
    }
    let res = app
        .post_raw(
            "/__test/echo",
            "application/json",
            br#"{"a": {"a": 1}}"#.to_vec(),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    app.post_raw("/__test/echo", "application/json", br#"{"a": "#.to_vec())
        .await
        .assert_error(400, "invalid_json");
}

#[actix_web::test]
async fn a_405_names_the_methods_the_route_takes() {
    let app = TestApp::spawn().await;
    let res = app.call("DELETE", "/api/v1/me", None, None, None).await;
    res.assert_error(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, PATCH"));
    let res = app.post_json("/healthz", &json!({})).await;
    res.assert_error(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET"));
    // A literal route beside a parameter: GET /enrolments/join is the join route's 405, not
    // a 404 for an enrolment whose ID would be "join".
    // (Signed in: the route reads the user before the path.)
    let who = crate::support::learner(&app).email("ana@example.org").await;
    let get = |path: &'static str| app.call("GET", path, Some(&who.token), None, None);
    let res = get("/api/v1/enrolments/join").await;
    res.assert_error(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("POST"));
    // A method no route takes: the same `Allow`, not the parametrised route's (found by
    // schemathesis when the learner's routes moved first).
    let res = app
        .call("OPTIONS", "/api/v1/enrolments/join", None, None, None)
        .await;
    res.assert_error(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("POST"));
    // A parameter that does not parse is still a 404.
    get("/api/v1/enrolments/not-an-id")
        .await
        .assert_error(404, "not_found");
    // A route whose last segment is a regex in the router (`{path:.*}`) is still found in the
    // route table (found by schemathesis: a TRACE had no `Allow`).
    let res = app
        .call(
            "TRACE",
            "/api/v1/courses/any/assets/a/b.png",
            None,
            None,
            None,
        )
        .await;
    res.assert_error(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET"));
}

/// Sends `bytes` on a plain TCP connection and reads until the server closes it (or 10 s
/// pass): the status and the body.
async fn raw_http(app: &TestApp, bytes: Vec<u8>) -> (u16, String) {
    let addr = app.url("").trim_start_matches("http://").to_string();
    let reply = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        s.write_all(&bytes).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .unwrap();
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {reply:?}"));
    let body = reply
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

fn get_with(path: &str, headers: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n")
        .into_bytes()
}

#[actix_web::test]
async fn long_uris_and_large_header_blocks_that_reach_the_app_get_the_envelope() {
    let app = TestApp::spawn().await;
    // A 40 KB header (actix itself only refuses heads over 128 KiB).
    let big = format!("X-Filler: {}\r\n", "a".repeat(40 * 1024));
    let (status, body) = raw_http(&app, get_with("/healthz", &big)).await;
    assert_eq!(status, 431, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body:?}"));
    assert_eq!(v["error"]["code"], "headers_too_large");
    assert_eq!(v["error"]["details"]["max_bytes"], 32 * 1024);
    // Many headers adding up past the limit, each small.
    let many: String = (0..80)
        .map(|i| format!("X-H{i}: {}\r\n", "b".repeat(500)))
        .collect();
    let (status, body) = raw_http(&app, get_with("/healthz", &many)).await;
    assert_eq!(status, 431, "{body}");
    assert!(body.contains("headers_too_large"), "{body}");
    // A 20 KB URI.
    let path = format!("/api/v1/courses?q={}", "c".repeat(20 * 1024));
    let (status, body) = raw_http(&app, get_with(&path, "")).await;
    assert_eq!(status, 414, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body:?}"));
    assert_eq!(v["error"]["code"], "uri_too_long");
    assert_eq!(v["error"]["details"]["max_bytes"], 8 * 1024);
    // Within the limits the same route answers as usual.
    let (status, _) = raw_http(&app, get_with("/healthz", "X-Filler: ok\r\n")).await;
    assert_eq!(status, 200);
}

/// What actix-web's HTTP/1 parser refuses before any of our code runs answers without a body
/// (see the README's "Errors the framework answers itself"); these pin that down.
#[actix_web::test]
async fn what_the_http_parser_refuses_itself_has_no_body() {
    let app = TestApp::spawn().await;
    // More than 96 headers: the parser's 431.
    let many: String = (0..100).map(|i| format!("X-H{i}: v\r\n")).collect();
    let (status, body) = raw_http(&app, get_with("/healthz", &many)).await;
    assert_eq!((status, body.as_str()), (431, ""));
    // Both Content-Length and Transfer-Encoding (request smuggling's shape).
    let smuggle = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n".to_vec();
    let (status, body) = raw_http(&app, smuggle).await;
    assert_eq!((status, body.as_str()), (400, ""));
}
