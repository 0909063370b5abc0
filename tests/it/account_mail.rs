//! Account flows that go through the mailbox, delivered by the job runner to a real SMTP
//! server: verification, sign-in and sessions, password reset, resend, email change.

use std::time::Duration;

use serde_json::json;

use crate::harness::TestApp;
use crate::smtp::{SmtpSink, link_with_token};
use crate::support::{
    PASSWORD, REFRESH, count, exec, learner, login, register, text, verified_user,
};

const WAIT: Duration = Duration::from_secs(10);

/// The `nth` (from 0) delivered mail whose text contains `needle`, waiting for it.
async fn mail_containing(sink: &SmtpSink, needle: &str, nth: usize) -> crate::smtp::Received {
    let started = std::time::Instant::now();
    loop {
        let found: Vec<_> = sink
            .messages()
            .into_iter()
            .filter(|m| m.text().contains(needle))
            .collect();
        if let Some(m) = found.into_iter().nth(nth) {
            return m;
        }
        assert!(started.elapsed() < WAIT, "no mail containing {needle:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn app_with(sink: &SmtpSink) -> TestApp {
    TestApp::builder()
        .var("BENCHSIDE_SMTP_URL", &sink.url())
        .var("BENCHSIDE_PUBLIC_URL", "https://learn.example.org")
        .build()
        .await
}

#[actix_web::test]
async fn a_learner_registers_verifies_from_the_mail_signs_in_refreshes_and_signs_out() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let res = app
        .post_json(
            "/api/v1/auth/register",
            &json!({ "email": "Ana.Lopez@example.org", "name": "Ana López", "password": PASSWORD }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());

    let mail = sink.wait_for(1, WAIT).await.remove(0);
    assert_eq!(mail.to, vec!["ana.lopez@example.org".to_string()]);
    assert!(
        mail.subject().contains("Confirm your email"),
        "{}",
        mail.subject()
    );
    assert!(
        mail.text()
            .contains("https://learn.example.org/verify-email?token="),
        "{}",
        mail.text()
    );
    assert!(mail.html().contains("Ana López"), "{}", mail.html());
    let token = link_with_token(&mail.data, "/verify-email");

    // Not yet: the address is unconfirmed.
    app.post_json(
        "/api/v1/auth/login",
        &json!({ "email": "ana.lopez@example.org", "password": PASSWORD }),
    )
    .await
    .assert_error(403, "email_not_verified");
    let res = app
        .post_json("/api/v1/auth/verify-email", &json!({ "token": token }))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["email_verified"], true);
    app.post_json("/api/v1/auth/verify-email", &json!({ "token": token }))
        .await
        .assert_error(410, "token_used");
    app.post_json(
        "/api/v1/auth/verify-email",
        &json!({ "token": "not-a-token" }),
    )
    .await
    .assert_error(400, "invalid_token");

    let s = login(&app, "ana.lopez@example.org", PASSWORD).await;
    let me = app
        .call("GET", "/api/v1/me", Some(&s.token), None, None)
        .await;
    assert_eq!(me.json()["email_verified"], true);
    let r = app
        .call("POST", "/api/v1/auth/refresh", None, Some(&s.cookie), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let cookie = format!("{REFRESH}={}", r.cookie_value(REFRESH).unwrap());
    assert_eq!(
        app.call("POST", "/api/v1/auth/logout", None, Some(&cookie), None)
            .await
            .status,
        204
    );
    app.call("POST", "/api/v1/auth/refresh", None, Some(&cookie), None)
        .await
        .assert_error(401, "invalid_refresh_token");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM audit_log WHERE action IN ('user.registered', 'user.email_verified')").await,
        2
    );
    // One mail only, and it was delivered exactly once.
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM mail_outbox o JOIN jobs j ON j.id = o.job_id \
              WHERE j.state = 'succeeded' AND o.sent_at IS NOT NULL"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_forgotten_password_is_reset_through_the_mailed_link_and_every_session_ends() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let s = learner(&app).email("ana@example.org").await;

    // Unknown addresses get the same answer and no mail.
    let unknown = app
        .post_json(
            "/api/v1/auth/password-reset/request",
            &json!({ "email": "nobody@example.org" }),
        )
        .await;
    let known = app
        .post_json(
            "/api/v1/auth/password-reset/request",
            &json!({ "email": "ANA@example.org" }),
        )
        .await;
    assert_eq!((unknown.status, known.status), (202, 202));
    assert_eq!(unknown.json(), known.json());
    let reset = mail_containing(&sink, "/reset-password?", 0).await;
    assert_eq!(reset.to, vec!["ana@example.org".to_string()]);
    assert!(reset.text().contains("one hour"), "{}", reset.text());
    let token = link_with_token(&reset.data, "/reset-password");

    // A weak password is refused and the link still works afterwards.
    app.post_json(
        "/api/v1/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": "short" }),
    )
    .await
    .assert_error(422, "password_too_short");
    app.post_json(
        "/api/v1/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": "ana@example.org" }),
    )
    .await
    .assert_error(422, "password_too_common");
    let res = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({ "token": token, "new_password": "centrifuge-at-3000-rpm" }),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    app.post_json(
        "/api/v1/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": "another-good-password" }),
    )
    .await
    .assert_error(410, "token_used");

    // Every session ended; the new password works, the old one does not.
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
    .assert_error(401, "invalid_credentials");
    login(&app, "ana@example.org", "centrifuge-at-3000-rpm").await;
    // And a notice that the password changed; three mails in all (verification, reset, notice).
    let notice = mail_containing(&sink, "/forgot-password", 0).await;
    assert!(
        notice.subject().to_lowercase().contains("password"),
        "{}",
        notice.subject()
    );
    assert_eq!(sink.messages().len(), 3);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'user.password_reset'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn an_expired_reset_link_is_refused() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    verified_user(&app, "ana@example.org").await;
    app.post_json(
        "/api/v1/auth/password-reset/request",
        &json!({ "email": "ana@example.org" }),
    )
    .await;
    let token = link_with_token(
        &mail_containing(&sink, "/reset-password?", 0).await.data,
        "/reset-password",
    );
    exec(&app, "UPDATE one_time_tokens SET expires_at = now() - interval '1 second', created_at = now() - interval '2 hours'").await;
    app.post_json(
        "/api/v1/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": "centrifuge-at-3000-rpm" }),
    )
    .await
    .assert_error(410, "token_expired");
    login(&app, "ana@example.org", PASSWORD).await;
}

#[actix_web::test]
async fn a_resent_verification_link_replaces_the_first() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    register(&app, "ana@example.org", "Ana", PASSWORD).await;
    let first = link_with_token(&sink.wait_for(1, WAIT).await[0].data, "/verify-email");
    let res = app
        .post_json(
            "/api/v1/auth/verify-email/resend",
            &json!({ "email": "ana@example.org" }),
        )
        .await;
    assert_eq!(res.status, 202);
    // Unknown or already verified addresses: the same answer, no mail.
    let other = app
        .post_json(
            "/api/v1/auth/verify-email/resend",
            &json!({ "email": "bob@example.org" }),
        )
        .await;
    assert_eq!((other.status, other.json()), (202, res.json()));
    let mails = sink.wait_for(2, WAIT).await;
    let second = link_with_token(&mails[1].data, "/verify-email");
    assert_ne!(first, second);
    app.post_json("/api/v1/auth/verify-email", &json!({ "token": first }))
        .await
        .assert_error(410, "token_used");
    assert_eq!(
        app.post_json("/api/v1/auth/verify-email", &json!({ "token": second }))
            .await
            .status,
        200
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 2);
}

#[actix_web::test]
async fn a_new_email_address_takes_effect_when_confirmed_from_its_inbox() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let s = learner(&app).email("ana@example.org").await;
    let res = app
        .call(
            "PATCH",
            "/api/v1/me",
            Some(&s.token),
            None,
            Some(&json!({ "email": "ana.new@example.org" })),
        )
        .await;
    assert_eq!(res.json()["pending_email"], "ana.new@example.org");
    // The registration's verification, then the change's two: one to each address.
    let mails = sink.wait_for(3, WAIT).await;
    let to_new: Vec<_> = mails
        .iter()
        .filter(|m| m.to == ["ana.new@example.org"])
        .collect();
    assert_eq!(to_new.len(), 1, "one mail to the new address");
    let mail = to_new[0];
    assert!(mail.text().contains("/verify-email?"), "{}", mail.text());
    let token = link_with_token(&mail.data, "/verify-email");
    let res = app
        .post_json("/api/v1/auth/verify-email", &json!({ "token": token }))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["email"], "ana.new@example.org");
    assert!(res.json()["pending_email"].is_null());
    login(&app, "ana.new@example.org", PASSWORD).await;
    app.post_json(
        "/api/v1/auth/login",
        &json!({ "email": "ana@example.org", "password": PASSWORD }),
    )
    .await
    .assert_error(401, "invalid_credentials");
    let audit = text(&app, "SELECT details->>'from' || '>' || (details->>'to') AS s FROM audit_log WHERE action = 'user.email_changed'").await;
    assert_eq!(
        audit.as_deref(),
        Some("ana@example.org>ana.new@example.org")
    );
}

/// Asks for a reset link for `email` and returns its token.
async fn reset_token(app: &TestApp, sink: &SmtpSink, email: &str, nth: usize) -> String {
    let res = app
        .post_json(
            "/api/v1/auth/password-reset/request",
            &json!({ "email": email }),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.text());
    link_with_token(
        &mail_containing(sink, "/reset-password?", nth).await.data,
        "/reset-password",
    )
}

#[actix_web::test]
async fn a_password_reset_voids_an_email_change_someone_else_asked_for() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    // Someone holding Ana's session asks to move the account to their own address.
    let stolen = learner(&app).email("ana@example.org").await;
    let res = app
        .call(
            "PATCH",
            "/api/v1/me",
            Some(&stolen.token),
            None,
            Some(&json!({ "email": "mallory@example.net" })),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let to_attacker = mail_containing(&sink, "Confirm my new email address", 0).await;
    assert_eq!(to_attacker.to, vec!["mallory@example.net".to_string()]);
    let confirm = link_with_token(&to_attacker.data, "/verify-email");

    // Ana resets her password: every session ends and the pending change with them.
    let token = reset_token(&app, &sink, "ana@example.org", 0).await;
    let res = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({ "token": token, "new_password": "centrifuge-at-3000-rpm" }),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    app.post_json("/api/v1/auth/verify-email", &json!({ "token": confirm }))
        .await
        .assert_error(410, "token_used");
    let s = login(&app, "ana@example.org", "centrifuge-at-3000-rpm").await;
    let me = app
        .call("GET", "/api/v1/me", Some(&s.token), None, None)
        .await;
    assert_eq!(me.json()["email"], "ana@example.org");
    assert!(me.json()["pending_email"].is_null(), "{}", me.text());
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM one_time_tokens WHERE used_at IS NULL"
        )
        .await,
        0,
        "no one-time token of the account outlives the reset"
    );

    // Even a change whose token escaped the voiding is refused: the credentials were reset
    // after it was asked for.
    exec(
        &app,
        "UPDATE one_time_tokens SET used_at = NULL WHERE purpose = 'email_change'",
    )
    .await;
    app.post_json("/api/v1/auth/verify-email", &json!({ "token": confirm }))
        .await
        .assert_error(410, "token_used");
    assert_eq!(
        text(&app, "SELECT email AS s FROM users").await.as_deref(),
        Some("ana@example.org")
    );
    // And Ana was told at her current address.
    let notice = mail_containing(&sink, "/cancel-email-change?", 0).await;
    assert_eq!(notice.to, vec!["ana@example.org".to_string()]);
    assert!(
        notice.text().contains("mallory@example.net"),
        "{}",
        notice.text()
    );
}

#[actix_web::test]
async fn the_old_address_is_told_of_an_email_change_and_can_cancel_it_once() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let s = learner(&app).email("ana@example.org").await;
    let res = app
        .call(
            "PATCH",
            "/api/v1/me",
            Some(&s.token),
            None,
            Some(&json!({ "email": "ana.new@example.org" })),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let confirm = link_with_token(
        &mail_containing(&sink, "Confirm my new email address", 0)
            .await
            .data,
        "/verify-email",
    );
    let notice = mail_containing(&sink, "/cancel-email-change?", 0).await;
    assert_eq!(notice.to, vec!["ana@example.org".to_string()]);
    assert!(
        notice.subject().to_lowercase().contains("email"),
        "{}",
        notice.subject()
    );
    let cancel = link_with_token(&notice.data, "/cancel-email-change");
    // Only a hash of the cancel token is stored.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM one_time_tokens WHERE purpose = 'email_change_cancel' \
               AND token_hash = sha256(convert_to('{cancel}', 'UTF8'))"
            )
        )
        .await,
        1
    );
    let res = app
        .post_json(
            "/api/v1/auth/email-change/cancel",
            &json!({ "token": cancel }),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    app.post_json(
        "/api/v1/auth/email-change/cancel",
        &json!({ "token": cancel }),
    )
    .await
    .assert_error(410, "token_used");
    app.post_json(
        "/api/v1/auth/email-change/cancel",
        &json!({ "token": confirm }),
    )
    .await
    .assert_error(400, "invalid_token");
    app.post_json("/api/v1/auth/verify-email", &json!({ "token": confirm }))
        .await
        .assert_error(410, "token_used");
    let me = app
        .call("GET", "/api/v1/me", Some(&s.token), None, None)
        .await;
    assert_eq!(me.json()["email"], "ana@example.org");
    assert!(me.json()["pending_email"].is_null());
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'user.email_change_cancelled'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_reset_link_from_before_a_password_change_no_longer_works() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let s = learner(&app).email("ana@example.org").await;
    let token = reset_token(&app, &sink, "ana@example.org", 0).await;
    let res = app
        .call(
            "POST",
            "/api/v1/me/password",
            Some(&s.token),
            None,
            Some(
                &json!({ "current_password": PASSWORD, "new_password": "centrifuge-at-3000-rpm" }),
            ),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    app.post_json(
        "/api/v1/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": "another-good-password" }),
    )
    .await
    .assert_error(410, "token_used");
    login(&app, "ana@example.org", "centrifuge-at-3000-rpm").await;
}
