//! Accounts over HTTP: registration, sign-in, sessions, tokens, roles, admin, rate limits.
//! (Flows that go through the mailbox are in `account_mail.rs`.)

use serde_json::{Value, json};

use crate::harness::{TestApp, TestResponse};

/// The device cookie's name.
const DEVICE: &str = "benchside_device";
use crate::support::{
    PASSWORD, REFRESH, admin, count, learner, login, register, text, verified_user,
};

#[actix_web::test]
async fn registration_creates_an_unverified_learner_with_an_argon2id_hash() {
    let app = TestApp::spawn().await;
    let res = register(&app, "  Ana.Lopez@Example.ORG ", " Ana López ", PASSWORD).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let user = res.json();
    assert_eq!(user["email"], "ana.lopez@example.org");
    assert_eq!(user["name"], "Ana López");
    assert_eq!(user["role"], "learner");
    assert_eq!(user["email_verified"], false);
    assert!(user.get("password_hash").is_none());

    let hash = text(&app, "SELECT password_hash AS s FROM users")
        .await
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM one_time_tokens WHERE purpose = 'verify_email' AND email = 'ana.lopez@example.org'").await,
        1
    );
    // Audited with where it came from.
    let audit = text(
        &app,
        "SELECT action || ' ' || coalesce(client_addr, '-') || ' ' || (request_id IS NOT NULL)::text AS s FROM audit_log",
    )
    .await
    .unwrap();
    assert_eq!(audit, "user.registered 127.0.0.1 true");
}

#[actix_web::test]
async fn bad_registrations_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    assert_eq!(
        register(&app, "ana@example.org", "Ana", PASSWORD)
            .await
            .status,
        201
    );
    let long_email = format!("{}@example.org", "a".repeat(250));
    let long_name = "n".repeat(101);
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"email": "not-an-email", "name": "A", "password": PASSWORD}),
            422,
            "invalid_email",
        ),
        (
            json!({"email": long_email, "name": "A", "password": PASSWORD}),
            422,
            "invalid_email",
        ),
        (
            json!({"email": "b@example.org", "name": "  ", "password": PASSWORD}),
            422,
            "invalid_name",
        ),
        (
            json!({"email": "b@example.org", "name": long_name, "password": PASSWORD}),
            422,
            "invalid_name",
        ),
        (
            json!({"email": "b@example.org", "name": "B", "password": "short"}),
            422,
            "password_too_short",
        ),
        (
            json!({"email": "b@example.org", "name": "B", "password": "x".repeat(300)}),
            422,
            "password_too_long",
        ),
        (
            json!({"email": "b@example.org", "name": "B", "password": "password1234"}),
            422,
            "password_too_common",
        ),
        (
            json!({"email": "b@example.org", "name": "B", "password": PASSWORD, "role": "admin"}),
            422,
            "invalid_body",
        ),
        (
            json!({"email": "b@example.org", "name": "B"}),
            422,
            "invalid_body",
        ),
        (
            json!({"email": "ANA@example.org", "name": "Ana", "password": PASSWORD}),
            409,
            "email_taken",
        ),
    ];
    for (body, status, code) in cases {
        let res = app.post_json("/api/v1/auth/register", &body).await;
        res.assert_error(status, code);
    }
    assert_eq!(count(&app, "SELECT count(*) AS n FROM users").await, 1);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM users WHERE role = 'admin'").await,
        0
    );
}

#[actix_web::test]
async fn sign_in_needs_the_right_password_and_a_verified_address() {
    let app = TestApp::spawn().await;
    register(&app, "ana@example.org", "Ana", PASSWORD).await;
    let login = |email: &'static str, pw: &'static str| {
        let app = &app;
        async move {
            app.post_json(
                "/api/v1/auth/login",
                &json!({ "email": email, "password": pw }),
            )
            .await
        }
    };
    login("ana@example.org", PASSWORD)
        .await
        .assert_error(403, "email_not_verified");
    let wrong = login("ana@example.org", "wrong-password-1").await;
    let unknown = login("nobody@example.org", "wrong-password-1").await;
    let a = wrong.assert_error(401, "invalid_credentials");
    let b = unknown.assert_error(401, "invalid_credentials");
    assert_eq!(a, b, "unknown and wrong look the same");
    assert!(wrong.set_cookie(REFRESH).is_none());
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'user.login_failed'"
        )
        .await,
        2
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM audit_log WHERE action = 'user.login_failed' AND actor_kind = 'anonymous'").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM refresh_tokens").await,
        0
    );
}

#[actix_web::test]
async fn a_session_signs_in_refreshes_detects_reuse_and_signs_out() {
    let app = TestApp::spawn().await;
    verified_user(&app, "ana@example.org").await;
    let res = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "ANA@example.org", "password": PASSWORD }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], "ana@example.org");
    let set = res.set_cookie(REFRESH).unwrap();
    for attr in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/auth",
        "Max-Age=2592000",
    ] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    assert!(!set.contains("Secure"), "not Secure in development: {set}");
    let access = body["access_token"].as_str().unwrap().to_string();
    let first = format!("{REFRESH}={}", res.cookie_value(REFRESH).unwrap());
    // Only a hash is stored.
    let stored = count(&app, &format!(
        "SELECT count(*) AS n FROM refresh_tokens WHERE token_hash = sha256(convert_to('{}', 'UTF8'))",
        res.cookie_value(REFRESH).unwrap()
    )).await;
    assert_eq!(stored, 1);

    let me = app
        .call("GET", "/api/v1/me", Some(&access), None, None)
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["email"], "ana@example.org");

    // Rotate.
    let r1 = app
        .call("POST", "/api/v1/auth/refresh", None, Some(&first), None)
        .await;
    assert_eq!(r1.status, 200, "{}", r1.text());
    let second = format!("{REFRESH}={}", r1.cookie_value(REFRESH).unwrap());
    assert_ne!(first, second);
    let access2 = r1.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&access2), None, None)
            .await
            .status,
        200
    );

    // Replaying the first token: the whole family ends, including the second token.
    let replay = app
        .call("POST", "/api/v1/auth/refresh", None, Some(&first), None)
        .await;
    replay.assert_error(401, "refresh_token_reused");
    assert!(
        replay.set_cookie(REFRESH).unwrap().contains("Max-Age=0"),
        "cookie cleared"
    );
    app.call("POST", "/api/v1/auth/refresh", None, Some(&second), None)
        .await
        .assert_error(401, "invalid_refresh_token");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM refresh_tokens WHERE revoked_reason = 'reuse_detected'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'session.reuse_detected'"
        )
        .await,
        1
    );

    // A new sign-in, then sign out: that refresh token no longer works.
    let s = login(&app, "ana@example.org", PASSWORD).await;
    let out = app
        .call("POST", "/api/v1/auth/logout", None, Some(&s.cookie), None)
        .await;
    assert_eq!(out.status, 204);
    assert!(out.set_cookie(REFRESH).unwrap().contains("Max-Age=0"));
    app.call("POST", "/api/v1/auth/refresh", None, Some(&s.cookie), None)
        .await
        .assert_error(401, "invalid_refresh_token");
    app.call("POST", "/api/v1/auth/refresh", None, None, None)
        .await
        .assert_error(401, "missing_refresh_token");
    // Logging out twice, or with no cookie, is fine.
    assert_eq!(
        app.call("POST", "/api/v1/auth/logout", None, None, None)
            .await
            .status,
        204
    );
}

#[actix_web::test]
async fn two_refreshes_with_one_token_at_once_rotate_it_only_once() {
    let app = TestApp::spawn().await;
    let s = learner(&app).email("ana@example.org").await;
    let (a, b) = futures_util::join!(
        app.call("POST", "/api/v1/auth/refresh", None, Some(&s.cookie), None),
        app.call("POST", "/api/v1/auth/refresh", None, Some(&s.cookie), None),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 401], "{} / {}", a.text(), b.text());
    // One token was used once; the reuse then revoked the family.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM refresh_tokens WHERE used_at IS NOT NULL"
        )
        .await,
        1
    );
}

fn forge(header: &str, claims: &Value, secret: Option<&[u8]>) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    let head = B64.encode(header);
    let body = B64.encode(claims.to_string());
    match secret {
        None => format!("{head}.{body}."),
        Some(key) => jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            claims,
            &jsonwebtoken::EncodingKey::from_secret(key).unwrap(),
        )
        .unwrap(),
    }
}

#[actix_web::test]
async fn missing_tampered_expired_and_unsigned_access_tokens_get_401() {
    let app = TestApp::spawn().await;
    let s = learner(&app).email("ana@example.org").await;

    let res = app.call("GET", "/api/v1/me", None, None, None).await;
    res.assert_error(401, "unauthenticated");
    assert!(
        res.header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );

    let mut req = app.client.get(app.url("/api/v1/me"));
    req = req.insert_header(("authorization", format!("Basic {}", s.token)));
    TestResponse::read(req.send().await)
        .await
        .assert_error(401, "invalid_token");

    // Tampered: the role raised to admin, signature kept.
    let parts: Vec<&str> = s.token.split('.').collect();
    use base64::Engine;
    let mut claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    claims["role"] = json!("admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    app.call("GET", "/api/v1/admin/users", Some(&tampered), None, None)
        .await
        .assert_error(401, "invalid_token");
    // alg: none.
    let none = forge(r#"{"alg":"none","typ":"JWT"}"#, &claims, None);
    app.call("GET", "/api/v1/admin/users", Some(&none), None, None)
        .await
        .assert_error(401, "invalid_token");
    // Correctly signed but expired.
    let now = chrono::Utc::now().timestamp();
    claims["iat"] = json!(now - 3600);
    claims["ims"] = json!((now - 3600) * 1000);
    claims["exp"] = json!(now - 1800);
    claims["role"] = json!("learner");
    let expired = forge(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &claims,
        Some(b"test-secret-test-secret-test-secret-0001"),
    );
    app.call("GET", "/api/v1/me", Some(&expired), None, None)
        .await
        .assert_error(401, "token_expired");
    // The genuine token still works.
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&s.token), None, None)
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn a_learner_calling_an_admin_route_gets_403() {
    let app = TestApp::spawn().await;
    let s = learner(&app).email("ana@example.org").await;
    app.call("GET", "/api/v1/admin/users", Some(&s.token), None, None)
        .await
        .assert_error(403, "forbidden");
    let id = &s.id;
    app.call(
        "PATCH",
        &format!("/api/v1/admin/users/{id}"),
        Some(&s.token),
        None,
        Some(&json!({ "role": "admin" })),
    )
    .await
    .assert_error(403, "forbidden");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM users WHERE role = 'admin'").await,
        0
    );
}

#[actix_web::test]
async fn admins_list_search_and_page_through_users() {
    let app = TestApp::spawn().await;
    let a = admin(&app).email("boss@example.org").await;
    for i in 0..5 {
        register(
            &app,
            &format!("learner{i}@example.org"),
            &format!("Learner {i}"),
            PASSWORD,
        )
        .await;
    }
    register(&app, "mo_100%@example.org", "Mo Percent", PASSWORD).await;
    let get = |q: &str| {
        let app = &app;
        let token = a.token.clone();
        let path = format!("/api/v1/admin/users{q}");
        async move { app.call("GET", &path, Some(&token), None, None).await }
    };
    let all = get("").await;
    assert_eq!(all.status, 200, "{}", all.text());
    assert_eq!(all.json()["total"], 7);
    assert_eq!(
        all.json()["items"][0]["email"],
        "mo_100%@example.org",
        "newest first"
    );

    let page = get("?per_page=2&page=2").await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        (page["page"].as_i64(), page["total"].as_i64()),
        (Some(2), Some(7))
    );

    let found = get("?q=LEARNER%203").await.json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["name"], "Learner 3");
    // Wildcards in the search are literal.
    assert_eq!(get("?q=%25").await.json()["total"], 1);
    assert_eq!(get("?q=_").await.json()["total"], 1);

    assert_eq!(get("?role=admin").await.json()["total"], 1);
    assert_eq!(get("?status=unverified").await.json()["total"], 6);
    get("?per_page=500")
        .await
        .assert_error(400, "invalid_query");
    get("?page=0").await.assert_error(400, "invalid_query");
    get("?role=superuser")
        .await
        .assert_error(400, "invalid_query");
    get("?colour=blue").await.assert_error(400, "invalid_query");
}

#[actix_web::test]
async fn disabling_an_account_ends_its_sessions_at_once_and_re_enabling_restores_sign_in() {
    let app = TestApp::spawn().await;
    let a = admin(&app).email("boss@example.org").await;
    let s = learner(&app).email("ana@example.org").await;
    let id = &s.id;
    let path = format!("/api/v1/admin/users/{id}");

    let res = app
        .call(
            "PATCH",
            &path,
            Some(&a.token),
            None,
            Some(&json!({ "disabled": true })),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["disabled"], true);

    app.call("GET", "/api/v1/me", Some(&s.token), None, None)
        .await
        .assert_error(401, "session_revoked");
    app.call("POST", "/api/v1/auth/refresh", None, Some(&s.cookie), None)
        .await
        .assert_error(401, "invalid_refresh_token");
    app.post_json(
        "/api/v1/auth/login",
        &json!({ "email": "ana@example.org", "password": PASSWORD }),
    )
    .await
    .assert_error(403, "account_disabled");

    let res = app
        .call(
            "PATCH",
            &path,
            Some(&a.token),
            None,
            Some(&json!({ "disabled": false })),
        )
        .await;
    assert_eq!(res.json()["disabled"], false);
    login(&app, "ana@example.org", PASSWORD).await;
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM audit_log WHERE action IN ('user.disabled', 'user.enabled') AND request_id IS NOT NULL").await,
        2
    );

    // Bad input changes nothing.
    let self_path = format!("/api/v1/admin/users/{}", a.id);
    app.call(
        "PATCH",
        &self_path,
        Some(&a.token),
        None,
        Some(&json!({ "disabled": true })),
    )
    .await
    .assert_error(409, "cannot_change_own_account");
    app.call(
        "PATCH",
        "/api/v1/admin/users/8b3a4c1e-0000-4000-8000-000000000000",
        Some(&a.token),
        None,
        Some(&json!({ "disabled": true })),
    )
    .await
    .assert_error(404, "not_found");
    app.call(
        "PATCH",
        "/api/v1/admin/users/not-a-uuid",
        Some(&a.token),
        None,
        Some(&json!({ "disabled": true })),
    )
    .await
    .assert_error(404, "not_found");
    app.call("PATCH", &path, Some(&a.token), None, Some(&json!({})))
        .await
        .assert_error(422, "nothing_to_change");
    app.call(
        "PATCH",
        &path,
        Some(&a.token),
        None,
        Some(&json!({ "role": "owner" })),
    )
    .await
    .assert_error(422, "invalid_body");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM users WHERE disabled_at IS NOT NULL"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn a_role_change_takes_effect_through_a_new_sign_in() {
    let app = TestApp::spawn().await;
    let a = admin(&app).email("boss@example.org").await;
    let s = learner(&app).email("ana@example.org").await;
    let id = &s.id;
    let res = app
        .call(
            "PATCH",
            &format!("/api/v1/admin/users/{id}"),
            Some(&a.token),
            None,
            Some(&json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(res.json()["role"], "admin");
    app.call("GET", "/api/v1/me", Some(&s.token), None, None)
        .await
        .assert_error(401, "session_revoked");
    let again = login(&app, "ana@example.org", PASSWORD).await;
    assert_eq!(again.body["user"]["role"], "admin");
    assert_eq!(
        app.call("GET", "/api/v1/admin/users", Some(&again.token), None, None)
            .await
            .status,
        200
    );
    let audit = text(&app, "SELECT details->>'from' || '>' || (details->>'to') AS s FROM audit_log WHERE action = 'user.role_changed'").await;
    assert_eq!(audit.as_deref(), Some("learner>admin"));
}

#[actix_web::test]
async fn changing_the_password_ends_other_sessions_and_keeps_this_one() {
    let app = TestApp::spawn().await;
    let phone = learner(&app).email("ana@example.org").await;
    let laptop = login(&app, "ana@example.org", PASSWORD).await;
    let body = |cur: &str, new: &str| json!({ "current_password": cur, "new_password": new });

    app.call(
        "POST",
        "/api/v1/me/password",
        Some(&laptop.token),
        None,
        Some(&body("wrong-password-1", "centrifuge-at-3000-rpm")),
    )
    .await
    .assert_error(422, "wrong_password");
    app.call(
        "POST",
        "/api/v1/me/password",
        Some(&laptop.token),
        None,
        Some(&body(PASSWORD, "short")),
    )
    .await
    .assert_error(422, "password_too_short");

    let res = app
        .call(
            "POST",
            "/api/v1/me/password",
            Some(&laptop.token),
            None,
            Some(&body(PASSWORD, "centrifuge-at-3000-rpm")),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let fresh = res.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&fresh), None, None)
            .await
            .status,
        200
    );
    // Every earlier access token ends; the phone's session is gone, the laptop's continues.
    app.call("GET", "/api/v1/me", Some(&phone.token), None, None)
        .await
        .assert_error(401, "session_revoked");
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(&phone.cookie),
        None,
    )
    .await
    .assert_error(401, "invalid_refresh_token");
    assert_eq!(
        app.call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&laptop.cookie),
            None
        )
        .await
        .status,
        200
    );
    app.post_json(
        "/api/v1/auth/login",
        &json!({ "email": "ana@example.org", "password": PASSWORD }),
    )
    .await
    .assert_error(401, "invalid_credentials");
    login(&app, "ana@example.org", "centrifuge-at-3000-rpm").await;
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'user.password_changed'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'user.password_change_failed'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn the_profile_name_changes_and_an_email_change_waits_for_confirmation() {
    let app = TestApp::spawn().await;
    let s = learner(&app).email("ana@example.org").await;
    verified_user(&app, "taken@example.org").await;
    let patch = |b: Value| {
        let app = &app;
        let t = s.token.clone();
        async move {
            app.call("PATCH", "/api/v1/me", Some(&t), None, Some(&b))
                .await
        }
    };
    let res = patch(json!({ "name": "Ana María López" })).await;
    assert_eq!(res.json()["name"], "Ana María López");
    let res = patch(json!({ "email": "Ana.New@Example.org" })).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["email"],
        "ana@example.org",
        "unchanged until confirmed"
    );
    assert_eq!(res.json()["pending_email"], "ana.new@example.org");
    patch(json!({ "email": "taken@example.org" }))
        .await
        .assert_error(409, "email_taken");
    patch(json!({}))
        .await
        .assert_error(422, "nothing_to_change");
    patch(json!({ "name": "" }))
        .await
        .assert_error(422, "invalid_name");
    patch(json!({ "email": "nope" }))
        .await
        .assert_error(422, "invalid_email");
    patch(json!({ "role": "admin" }))
        .await
        .assert_error(422, "invalid_body");
    let me = app
        .call("GET", "/api/v1/me", Some(&s.token), None, None)
        .await
        .json();
    assert_eq!(
        (me["name"].as_str(), me["role"].as_str()),
        (Some("Ana María López"), Some("learner"))
    );
}

#[actix_web::test]
async fn sign_in_is_rate_limited_per_account_and_per_address() {
    let app = TestApp::builder()
        .var("BENCHSIDE_RATE_LIMITS", "true")
        .build()
        .await;
    verified_user(&app, "ana@example.org").await;
    let attempt = |email: &'static str| {
        let app = &app;
        async move {
            app.post_json(
                "/api/v1/auth/login",
                &json!({ "email": email, "password": "wrong-password-1" }),
            )
            .await
        }
    };
    for _ in 0..10 {
        attempt("ana@example.org")
            .await
            .assert_error(401, "invalid_credentials");
    }
    let res = attempt("ana@example.org").await;
    let err = res.assert_error(429, "rate_limited");
    let wait: u32 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(err["details"]["retry_after_seconds"], wait);
    // Even the right password waits: the limit applies before the check.
    app.post_json(
        "/api/v1/auth/login",
        &json!({ "email": "ana@example.org", "password": PASSWORD }),
    )
    .await
    .assert_error(429, "rate_limited");
    // Other accounts from this address still get through until the address limit: 30 at once,
    // refilling at 30 a minute. Twelve are spent (the address is checked before the account);
    // count how many more pass before a 429.
    let started = std::time::Instant::now();
    let mut passed = 0;
    loop {
        let email = format!("other{passed}@example.org");
        let res = app
            .post_json(
                "/api/v1/auth/login",
                &json!({ "email": email, "password": "wrong-password-1" }),
            )
            .await;
        if res.status == 429 {
            res.assert_error(429, "rate_limited");
            break;
        }
        res.assert_error(401, "invalid_credentials");
        passed += 1;
        assert!(passed <= 60, "the address limit never applied");
    }
    let refilled = (started.elapsed().as_secs_f64() * 0.5).ceil() as i32;
    assert!(
        (18..=18 + refilled).contains(&passed),
        "{passed} passed; 18 plus {refilled} refilled expected"
    );
}

/// Strangers who guess passwords empty the account's shared bucket, but a browser that signed
/// in before (its device cookie) has a bucket of its own: the owner still gets in, strangers
/// with the right password still wait.
#[actix_web::test]
async fn strangers_guessing_passwords_do_not_lock_out_the_owners_browser() {
    let app = TestApp::builder()
        .var("BENCHSIDE_RATE_LIMITS", "true")
        .var("BENCHSIDE_TRUST_PROXY", "true")
        .build()
        .await;
    verified_user(&app, "ana@example.org").await;
    verified_user(&app, "ben@example.org").await;
    let attempt = |from: String, password: &'static str, cookie: Option<String>| {
        let app = &app;
        async move {
            let mut req = app
                .client
                .post(app.url("/api/v1/auth/login"))
                .insert_header(("x-forwarded-for", from));
            if let Some(c) = cookie {
                req = req.insert_header(("cookie", c));
            }
            crate::harness::TestResponse::read(
                req.send_json(&json!({ "email": "ana@example.org", "password": password }))
                    .await,
            )
            .await
        }
    };
    // The owner signs in once from her browser: it gets a device cookie for this route only.
    let first = attempt("198.51.100.1".into(), PASSWORD, None).await;
    assert_eq!(first.status, 200, "{}", first.text());
    let set = first.set_cookie(DEVICE).expect("a device cookie");
    for attr in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/auth/login",
        "Max-Age=31536000",
    ] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    let device = format!("{DEVICE}={}", first.cookie_value(DEVICE).unwrap());
    // Strangers, each from its own address, guess until the shared bucket is empty: ten
    // attempts at once (her own first sign-in took one), then five a minute.
    let mut wrong = 0;
    loop {
        let res = attempt(format!("203.0.113.{wrong}"), "wrong-password-1", None).await;
        if res.status == 429 {
            res.assert_error(429, "rate_limited");
            break;
        }
        res.assert_error(401, "invalid_credentials");
        wrong += 1;
        assert!(wrong <= 12, "the account limit never applied");
    }
    assert!(wrong >= 9, "{wrong} wrong passwords before the limit");
    // A stranger with the right password but no device cookie still waits.
    attempt("203.0.113.51".into(), PASSWORD, None)
        .await
        .assert_error(429, "rate_limited");
    // So does one with a forged cookie, or with Ben's (it names another account).
    attempt(
        "203.0.113.52".into(),
        PASSWORD,
        Some(format!("{DEVICE}=eyJhbGciOiJIUzI1NiJ9.e30.x")),
    )
    .await
    .assert_error(429, "rate_limited");
    let ben = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "ben@example.org", "password": PASSWORD }),
        )
        .await;
    assert_eq!(ben.status, 200, "{}", ben.text());
    let ben_device = format!("{DEVICE}={}", ben.cookie_value(DEVICE).unwrap());
    attempt("203.0.113.53".into(), PASSWORD, Some(ben_device))
        .await
        .assert_error(429, "rate_limited");
    // The owner's browser, with the right password, gets in.
    let owner = attempt("198.51.100.1".into(), PASSWORD, Some(device.clone())).await;
    assert_eq!(owner.status, 200, "{}", owner.text());
    // Her device's own bucket still limits guessing through it.
    for _ in 0..9 {
        attempt(
            "198.51.100.1".into(),
            "wrong-password-1",
            Some(device.clone()),
        )
        .await
        .assert_error(401, "invalid_credentials");
    }
    attempt("198.51.100.1".into(), "wrong-password-1", Some(device))
        .await
        .assert_error(429, "rate_limited");
}

/// The composed and the decomposed spelling of one address are one account; invisible
/// characters and mixed scripts are refused with 422 `invalid_email` before anything is stored.
#[actix_web::test]
async fn email_addresses_are_normalised_and_look_alikes_refused() {
    let app = TestApp::spawn().await;
    let first = register(&app, "jos\u{00E9}@example.org", "Jos\u{00E9}", PASSWORD).await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(first.json()["email"], "jos\u{00E9}@example.org");
    register(&app, "jose\u{0301}@example.org", "Jose", PASSWORD)
        .await
        .assert_error(409, "email_taken");
    for raw in [
        "ana\u{202E}@example.org",
        "an\u{200B}a@example.org",
        "an\u{00AD}a@example.org",
        "\u{FEFF}ana@example.org",
        "p\u{0430}ypal@example.org",
    ] {
        let err = register(&app, raw, "Ana", PASSWORD)
            .await
            .assert_error(422, "invalid_email");
        assert_eq!(err["details"]["field"], "email", "{raw:?}");
    }
    assert_eq!(count(&app, "SELECT count(*) AS n FROM users").await, 1);
}

#[actix_web::test]
async fn registration_is_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    for i in 0..10 {
        let res = register(&app, &format!("l{i}@example.org"), "L", PASSWORD).await;
        assert_eq!(res.status, 201);
    }
    let res = register(&app, "l10@example.org", "L", PASSWORD).await;
    res.assert_error(429, "rate_limited");
    assert!(res.header("retry-after").is_some());
    assert_eq!(count(&app, "SELECT count(*) AS n FROM users").await, 10);
}

#[actix_web::test]
async fn checking_an_access_token_needs_no_database_round_trip() {
    use benchside::accounts::tokens::AccessTokens;
    use benchside::accounts::{CurrentUser, Role};
    use benchside::config::Secret;

    // The database is unreachable; a route that only needs the signed-in user still answers.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::builder()
        .database_url(&format!("postgres://postgres@127.0.0.1:{port}/nowhere"))
        .routes(|cfg| {
            cfg.route(
                "/__test/whoami",
                actix_web::web::get().to(|who: CurrentUser| async move {
                    actix_web::HttpResponse::Ok().json(json!({ "id": who.id, "role": who.role }))
                }),
            );
        })
        .build()
        .await;
    let tokens = AccessTokens::new(
        &Secret(b"test-secret-test-secret-test-secret-0001".to_vec()),
        None,
        app.config.public_url.origin().ascii_serialization(),
        std::time::Duration::from_secs(900),
    );
    let user = uuid::Uuid::new_v4();
    let token = tokens.issue(user, Role::Learner, uuid::Uuid::new_v4());
    let res = app
        .call("GET", "/__test/whoami", Some(&token), None, None)
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["id"], user.to_string());
    app.call("GET", "/readyz", None, None, None)
        .await
        .assert_error(503, "database_unavailable");
}

async fn me(app: &TestApp, token: &str) -> TestResponse {
    app.call("GET", "/api/v1/me", Some(token), None, None).await
}

#[actix_web::test]
async fn logout_and_refresh_reuse_end_the_sessions_access_tokens_in_every_process() {
    let app = TestApp::spawn().await;
    // A second process over the same database.
    let other = TestApp::builder().database_url(&app.db_url).build().await;
    verified_user(&app, "ana@example.org").await;
    // Sign out: the access token of that session ends at once here and soon in the other
    // process; another session of the same account keeps working.
    let s = login(&app, "ana@example.org", PASSWORD).await;
    let kept = login(&app, "ana@example.org", PASSWORD).await;
    assert_eq!(me(&other, &s.token).await.status, 200);
    let out = app
        .call("POST", "/api/v1/auth/logout", None, Some(&s.cookie), None)
        .await;
    assert_eq!(out.status, 204);
    me(&app, &s.token)
        .await
        .assert_error(401, "session_revoked");
    assert_eq!(me(&app, &kept.token).await.status, 200);
    let started = std::time::Instant::now();
    loop {
        let res = me(&other, &s.token).await;
        if res.status == 401 {
            res.assert_error(401, "session_revoked");
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the other process still accepts the token: {}",
            res.text()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(me(&other, &kept.token).await.status, 200);

    // A copied refresh token: the family's access tokens (before and after the rotation) end.
    let s = login(&app, "ana@example.org", PASSWORD).await;
    let r = app
        .call("POST", "/api/v1/auth/refresh", None, Some(&s.cookie), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rotated = r.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(me(&app, &rotated).await.status, 200);
    app.call("POST", "/api/v1/auth/refresh", None, Some(&s.cookie), None)
        .await
        .assert_error(401, "refresh_token_reused");
    me(&app, &s.token)
        .await
        .assert_error(401, "session_revoked");
    me(&app, &rotated)
        .await
        .assert_error(401, "session_revoked");
    assert_eq!(me(&app, &kept.token).await.status, 200);
    other.stop().await;
}
