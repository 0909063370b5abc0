//! Certificates (`credentials`): issued once from the completion job, the holder's list and
//! downloads, the public verification, revocation with the status list, reissue and expiry.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::smtp::{Received, SmtpSink};
use crate::support::quizzes::{answers, id_of, save, started, submit};
use crate::support::{
    Account, FixtureCourse, admin, call, call_json, complete_lessons, count, enrolment, exec,
    learner, record_quiz_pass, text,
};

/// A course that completes with its three lessons and three required quizzes.
fn course() -> FixtureCourse {
    FixtureCourse::DEMO.without_externship().unsequenced()
}

async fn app_with(sink: &SmtpSink) -> TestApp {
    TestApp::builder()
        .var("BENCHSIDE_SMTP_URL", &sink.url())
        .var("BENCHSIDE_PUBLIC_URL", "https://learn.example.org")
        .var("BENCHSIDE_PROVIDER_NAME", "Springfield Allied Health")
        .build()
        .await
}

/// Mails to `to` whose subject contains `needle`, waiting up to 10 s for at least `n`.
async fn mails_to(sink: &SmtpSink, to: &str, needle: &str, n: usize) -> Vec<Received> {
    let started = std::time::Instant::now();
    loop {
        let found: Vec<Received> = sink
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to) && m.subject().contains(needle))
            .collect();
        if found.len() >= n {
            return found;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no mail to {to} about {needle:?}; saw {:?}",
            sink.messages()
                .iter()
                .map(|m| m.subject())
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An attempt at `quiz` with every right answer saved, ready to submit.
async fn ready_to_pass(app: &TestApp, who: &Account, enrolment: &str, quiz: &str) -> String {
    let attempt = id_of(&started(app, who, enrolment, quiz).await);
    let right = answers(app, &attempt, &[]).await;
    assert_eq!(save(app, who, &attempt, right).await.status, 200);
    attempt
}

/// A learner who completed the demo course (its job run): their account and enrolment.
async fn completed(app: &TestApp, email: &str) -> (Account, String) {
    let who = learner(app).email(email).await;
    let id = enrolment(app, &who, course()).await.id;
    for quiz in ["safety-quiz", "collection-quiz", "final-exam"] {
        record_quiz_pass(app, &id, quiz).await;
    }
    complete_lessons(app, &who, &id, &["sharps", "gloves", "order"]).await;
    app.run_pending_jobs().await;
    (who, id)
}

async fn my_certificates(app: &TestApp, who: &Account) -> Vec<Value> {
    let res = call(app, "GET", "/api/v1/me/certificates", who).await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json().as_array().unwrap().clone()
}

async fn only_certificate(app: &TestApp, who: &Account) -> Value {
    let list = my_certificates(app, who).await;
    assert_eq!(list.len(), 1, "{list:?}");
    list[0].clone()
}

async fn verify(app: &TestApp, code: &str) -> crate::harness::TestResponse {
    app.get(&format!("/api/v1/verify/{code}")).await
}

/// The JWT's payload, decoded without checking the signature (the key tests check it).
fn payload(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[actix_web::test]
async fn the_last_two_requirements_at_once_and_the_job_twice_issue_one_certificate_and_one_mail() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let who = learner(&app).email("ana@example.org").await;
    let id = enrolment(&app, &who, course()).await.id;
    complete_lessons(&app, &who, &id, &["sharps", "gloves"]).await;
    record_quiz_pass(&app, &id, "collection-quiz").await;
    record_quiz_pass(&app, &id, "final-exam").await;
    let attempt = ready_to_pass(&app, &who, &id, "safety-quiz").await;
    let lesson = format!("/api/v1/enrolments/{id}/lessons/order/completion");
    let (s, l) = futures_util::join!(
        submit(&app, &who, &attempt),
        call(&app, "PUT", &lesson, &who)
    );
    assert_eq!((s.status, l.status), (200, 200));
    // A second run of the job, as after a lost lease, and both runs at once.
    exec(
        &app,
        &format!(
            "INSERT INTO jobs (kind, payload) VALUES ('enrolment.completed', '{{\"enrolment_id\": \"{id}\"}}')"
        ),
    )
    .await;
    let (a, b) = futures_util::join!(app.run_pending_jobs(), app.run_pending_jobs());
    drop((a, b));
    app.run_pending_jobs().await;
    let sql = format!("SELECT count(*) AS n FROM certificates WHERE enrolment_id = '{id}'");
    assert_eq!(count(&app, &sql).await, 1, "one certificate");
    let mails = mails_to(&sink, "ana@example.org", "certificate", 1).await;
    app.run_pending_jobs().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to == vec!["ana@example.org".to_string()])
        .filter(|m| m.subject().contains("certificate") || m.subject().contains("completed"))
        .collect();
    assert_eq!(
        all.len(),
        1,
        "one mail: {:?}",
        all.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    assert_eq!(mails[0].subject(), "Your certificate for Demo Course");
    let cert = only_certificate(&app, &who).await;
    let code = cert["code"].as_str().unwrap();
    assert!(
        mails[0]
            .text()
            .contains(&format!("https://learn.example.org/verify/{code}")),
        "{}",
        mails[0].text()
    );
    assert!(
        mails[0]
            .text()
            .contains("https://learn.example.org/certificates")
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM audit_log WHERE action = 'certificate.issued'
                  AND details->>'enrolment_id' = '{id}'"
            )
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn the_database_refuses_a_second_live_certificate_for_an_enrolment() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let (_who, id) = completed(&app, "ana@example.org").await;
    // A copy of the live certificate with a new ID, code and position: the index refuses it.
    let copy = format!(
        "INSERT INTO certificates (code, enrolment_id, user_id, holder_name, course_id,
           course_slug, course_title, course_version, completed_at, contact_hours, kid,
           credential_jwt)
         SELECT 'ZZZZZZZZZZZZZZZ', enrolment_id, user_id, holder_name, course_id, course_slug,
                course_title, course_version, completed_at, contact_hours, kid, credential_jwt
           FROM certificates WHERE enrolment_id = '{id}'"
    );
    let mut conn = app.conn().await;
    let err = diesel_async::RunQueryDsl::execute(diesel::sql_query(copy), &mut conn)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("certificates_one_live_per_enrolment"),
        "{err}"
    );
}

#[actix_web::test]
async fn the_holder_sees_the_record_and_verification_shows_what_an_employer_needs() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let (who, id) = completed(&app, "ana@example.org").await;
    let cert = only_certificate(&app, &who).await;
    assert_eq!(cert["status"], "active");
    assert_eq!(cert["enrolment_id"], id);
    assert_eq!(cert["course"]["slug"], "demo-course");
    assert_eq!(cert["course"]["title"], "Demo Course");
    assert_eq!(cert["course"]["version"], 1);
    assert_eq!(cert["externship"], Value::Null);
    assert_eq!(cert["expires_at"], Value::Null);
    let holder = text(
        &app,
        "SELECT name AS s FROM users WHERE email = 'ana@example.org'",
    )
    .await
    .unwrap();
    assert_eq!(cert["holder_name"], holder);
    let serial = cert["serial"].as_str().unwrap();
    assert!(
        regex::Regex::new("^BS-[0-9]{6}$").unwrap().is_match(serial),
        "{serial}"
    );
    let code = cert["code"].as_str().unwrap();
    let grouped = regex::Regex::new("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){2}$").unwrap();
    assert!(grouped.is_match(code), "{code}");
    assert_eq!(
        cert["links"]["verify"],
        format!("https://learn.example.org/verify/{code}")
    );
    let linkedin = cert["links"]["linkedin"].as_str().unwrap();
    assert!(
        linkedin.starts_with("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
    );
    assert!(linkedin.contains("certId="), "{linkedin}");

    // No account needed; the code is read as people type it.
    let res = verify(&app, &code.to_lowercase().replace('-', "")).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("public, max-age=60"));
    let v = res.json();
    assert_eq!(v["valid"], true);
    assert_eq!(v["status"], "active");
    assert_eq!(v["code"], code);
    assert_eq!(v["holder_name"], holder);
    assert_eq!(v["course_title"], "Demo Course");
    assert_eq!(v["issuer"]["name"], "Springfield Allied Health");
    assert_eq!(v["issuer"]["url"], "https://learn.example.org");
    assert_eq!(v["completed_at"], cert["completed_at"]);
    assert_eq!(v["contact_hours"], cert["contact_hours"]);
    let body = res.text();
    assert!(
        !body.contains("ana@example.org"),
        "no email address: {body}"
    );
    assert!(!body.contains(&id), "no enrolment ID: {body}");
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "checked_at",
            "code",
            "completed_at",
            "contact_hours",
            "course_title",
            "course_version",
            "expires_at",
            "externship",
            "holder_name",
            "issued_at",
            "issuer",
            "revoked_at",
            "serial",
            "status",
            "superseded_by",
            "valid"
        ]
    );

    // Unknown and malformed codes are the same 404.
    let unknown = if code.starts_with('0') { "1" } else { "0" }.to_string() + &code[1..];
    verify(&app, &unknown).await.assert_error(404, "not_found");
    verify(&app, "not-a-code")
        .await
        .assert_error(404, "not_found");
    verify(&app, &"A".repeat(300))
        .await
        .assert_error(404, "not_found");
}

#[actix_web::test]
async fn verification_is_rate_limited_per_client_address() {
    let app = TestApp::builder()
        .var("BENCHSIDE_RATE_LIMITS", "true")
        .build()
        .await;
    let mut statuses = Vec::new();
    for _ in 0..62 {
        statuses.push(verify(&app, "00000-00000-00000").await.status);
    }
    assert!(statuses[..60].iter().all(|s| *s == 404), "{statuses:?}");
    let res = verify(&app, "00000-00000-00000").await;
    res.assert_error(429, "rate_limited");
    assert!(res.header("retry-after").is_some());
}

#[actix_web::test]
async fn another_learner_cannot_see_or_download_a_certificate_but_an_admin_can() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let (ana, _) = completed(&app, "ana@example.org").await;
    let ben = learner(&app).email("ben@example.org").await;
    let root = admin(&app).await;
    let cert = only_certificate(&app, &ana).await;
    let id = cert["id"].as_str().unwrap();
    assert!(my_certificates(&app, &ben).await.is_empty());
    for path in [
        format!("/api/v1/certificates/{id}"),
        format!("/api/v1/certificates/{id}.pdf"),
        format!("/api/v1/certificates/{id}/credential.jwt"),
        format!("/api/v1/certificates/{id}/credential.json"),
    ] {
        call(&app, "GET", &path, &ben)
            .await
            .assert_error(404, "not_found");
        let res = call(&app, "GET", &path, &root).await;
        assert_eq!(res.status, 200, "{path}: {}", res.text());
        let anonymous = app.get(&path).await;
        assert_eq!(anonymous.status, 401, "{path}");
    }
    let revoke = format!("/api/v1/admin/certificates/{id}/revoke");
    call_json(&app, "POST", &revoke, &ana, &json!({ "reason": "mine" }))
        .await
        .assert_error(403, "forbidden");
    call(&app, "GET", "/api/v1/admin/certificates", &ana)
        .await
        .assert_error(403, "forbidden");
}

#[actix_web::test]
async fn the_pdf_comes_in_both_paper_sizes_and_is_kept_after_the_first_download() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let (ana, _) = completed(&app, "ana@example.org").await;
    let cert = only_certificate(&app, &ana).await;
    let id = cert["id"].as_str().unwrap();
    let mut sizes = Vec::new();
    for paper in ["a4", "letter"] {
        let res = call(
            &app,
            "GET",
            &format!("/api/v1/certificates/{id}.pdf?paper={paper}"),
            &ana,
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.text());
        assert_eq!(res.header("content-type"), Some("application/pdf"));
        let disposition = res.header("content-disposition").unwrap().to_string();
        assert!(
            disposition.contains(&format!("-{paper}.pdf")),
            "{disposition}"
        );
        let doc = lopdf::Document::load_mem(&res.body).unwrap();
        let page = doc.get_pages().into_values().next().unwrap();
        let media = doc
            .get_dictionary(page)
            .unwrap()
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap()
            .clone();
        let w = media[2].as_float().unwrap();
        let h = media[3].as_float().unwrap();
        sizes.push((w.round() as i64, h.round() as i64));
        let again = call(
            &app,
            "GET",
            &format!("/api/v1/certificates/{id}.pdf?paper={paper}"),
            &ana,
        )
        .await;
        assert_eq!(again.body, res.body, "served from the cache");
    }
    assert_eq!(sizes, [(842, 595), (792, 612)], "landscape A4 and Letter");
    let sql = format!("SELECT count(*) AS n FROM certificate_pdfs WHERE certificate_id = '{id}'");
    assert_eq!(count(&app, &sql).await, 2);
    call(
        &app,
        "GET",
        &format!("/api/v1/certificates/{id}.pdf?paper=a3"),
        &ana,
    )
    .await
    .assert_error(400, "invalid_query");
}

#[actix_web::test]
async fn the_signed_credential_downloads_as_a_jwt_and_as_json() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let (ana, _) = completed(&app, "ana@example.org").await;
    let cert = only_certificate(&app, &ana).await;
    let id = cert["id"].as_str().unwrap();
    let jwt_res = call(
        &app,
        "GET",
        &format!("/api/v1/certificates/{id}/credential.jwt"),
        &ana,
    )
    .await;
    assert_eq!(jwt_res.status, 200);
    assert_eq!(
        jwt_res.header("content-type"),
        Some("application/vc+ld+json+jwt")
    );
    let jwt = jwt_res.text();
    let claims = payload(&jwt);
    assert_eq!(claims["jti"], format!("urn:uuid:{id}"));
    assert_eq!(claims["id"], claims["jti"]);
    assert_eq!(
        claims["iss"],
        "https://learn.example.org/api/v1/credentials/issuer"
    );
    assert_eq!(claims["issuer"]["id"], claims["iss"]);
    assert_eq!(claims["sub"], claims["credentialSubject"]["id"]);
    let valid_from =
        chrono::DateTime::parse_from_rfc3339(claims["validFrom"].as_str().unwrap()).unwrap();
    assert_eq!(claims["nbf"], valid_from.timestamp());
    assert!(claims.get("exp").is_none(), "no expiry for this course");
    assert!(!jwt_res.text().contains("ana@example.org"));
    let identifier = &claims["credentialSubject"]["identifier"][0];
    assert_eq!(identifier["hashed"], true);
    assert!(
        identifier["identityHash"]
            .as_str()
            .unwrap()
            .starts_with("sha256$")
    );
    let status = &claims["credentialStatus"];
    assert_eq!(status["type"], "BitstringStatusListEntry");
    assert_eq!(status["statusPurpose"], "revocation");
    assert!(status["statusListIndex"].is_string());

    let json_res = call(
        &app,
        "GET",
        &format!("/api/v1/certificates/{id}/credential.json"),
        &ana,
    )
    .await;
    assert_eq!(json_res.status, 200);
    let credential = json_res.json();
    assert_eq!(credential["id"], claims["id"]);
    assert_eq!(credential["credentialSubject"], claims["credentialSubject"]);
    for claim in ["iss", "jti", "sub", "nbf", "exp"] {
        assert!(
            credential.get(claim).is_none(),
            "{claim} is a JWT claim only"
        );
    }
}

/// Whether the status list's bit for `status` (a `credentialStatus` entry) is set.
async fn status_bit(app: &TestApp, status: &Value) -> bool {
    let url = status["statusListCredential"].as_str().unwrap();
    let path = url.trim_start_matches("https://learn.example.org");
    let res = app.get(path).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let list = payload(&res.text());
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    let index: usize = status["statusListIndex"].as_str().unwrap().parse().unwrap();
    let bits = benchside::credentials::status_list::decode(encoded).unwrap();
    assert!(bits.len() * 8 >= 131_072);
    bits[index / 8] & (0x80 >> (index % 8)) != 0
}

#[actix_web::test]
async fn revocation_shows_on_verification_flips_the_status_bit_and_mails_the_holder() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let (ana, _) = completed(&app, "ana@example.org").await;
    let root = admin(&app).await;
    let cert = only_certificate(&app, &ana).await;
    let (id, code) = (cert["id"].as_str().unwrap(), cert["code"].as_str().unwrap());
    let jwt = call(
        &app,
        "GET",
        &format!("/api/v1/certificates/{id}/credential.jwt"),
        &ana,
    )
    .await
    .text();
    let status = payload(&jwt)["credentialStatus"].clone();
    assert!(!status_bit(&app, &status).await, "not revoked yet");

    let path = format!("/api/v1/admin/certificates/{id}/revoke");
    call_json(&app, "POST", &path, &root, &json!({ "reason": "  " }))
        .await
        .assert_error(422, "invalid_input");
    let res = call_json(
        &app,
        "POST",
        &path,
        &root,
        &json!({ "reason": "Issued in error" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["status"], "revoked");
    assert_eq!(res.json()["revoked_reason"], "Issued in error");
    let v = verify(&app, code).await.json();
    assert_eq!(v["valid"], false);
    assert_eq!(v["status"], "revoked");
    assert!(v["revoked_at"].is_string());
    assert!(
        !verify(&app, code).await.text().contains("Issued in error"),
        "the reason is private"
    );
    assert!(status_bit(&app, &status).await, "the bit flipped");

    call_json(&app, "POST", &path, &root, &json!({ "reason": "again" }))
        .await
        .assert_error(409, "certificate_revoked");
    call(&app, "GET", &format!("/api/v1/certificates/{id}.pdf"), &ana)
        .await
        .assert_error(409, "certificate_revoked");
    let mails = mails_to(&sink, "ana@example.org", "revoked", 1).await;
    assert!(mails[0].text().contains("Issued in error"));
    let audit = format!(
        "SELECT count(*) AS n FROM audit_log WHERE action = 'certificate.revoked' AND subject_id = '{id}'"
    );
    assert_eq!(count(&app, &audit).await, 1);
}

#[actix_web::test]
async fn a_reissue_after_a_name_change_supersedes_the_old_certificate() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let (ana, enrolment) = completed(&app, "ana@example.org").await;
    let root = admin(&app).await;
    let old = only_certificate(&app, &ana).await;
    let res = call_json(
        &app,
        "PATCH",
        "/api/v1/me",
        &ana,
        &json!({ "name": "Ana María Ruiz" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let path = format!(
        "/api/v1/admin/certificates/{}/reissue",
        old["id"].as_str().unwrap()
    );
    let res = call_json(
        &app,
        "POST",
        &path,
        &root,
        &json!({ "reason": "Name changed" }),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let new = res.json();
    assert_eq!(new["holder_name"], "Ana María Ruiz");
    assert_eq!(new["status"], "active");
    assert_ne!(new["code"], old["code"]);
    assert_ne!(new["serial"], old["serial"]);
    assert_eq!(new["completed_at"], old["completed_at"]);
    assert_eq!(new["enrolment_id"], enrolment);

    let v = verify(&app, old["code"].as_str().unwrap()).await.json();
    assert_eq!(v["status"], "superseded");
    assert_eq!(v["valid"], false);
    assert_eq!(v["superseded_by"]["code"], new["code"]);
    assert_eq!(v["superseded_by"]["verify_url"], new["links"]["verify"]);
    let current = verify(&app, new["code"].as_str().unwrap()).await.json();
    assert_eq!(current["valid"], true);
    assert_eq!(current["holder_name"], "Ana María Ruiz");

    let mine = my_certificates(&app, &ana).await;
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0]["id"], new["id"], "newest first");
    assert_eq!(mine[1]["status"], "superseded");
    assert_eq!(mine[1]["superseded_by"], new["id"]);
    call_json(&app, "POST", &path, &root, &json!({ "reason": "twice" }))
        .await
        .assert_error(409, "certificate_superseded");
    mails_to(&sink, "ana@example.org", "reissued", 1).await;
    // The completion job running again issues nothing more.
    exec(
        &app,
        &format!(
            "INSERT INTO jobs (kind, payload) VALUES ('enrolment.completed', '{{\"enrolment_id\": \"{enrolment}\"}}')"
        ),
    )
    .await;
    app.run_pending_jobs().await;
    assert_eq!(my_certificates(&app, &ana).await.len(), 2);

    let listed = call(
        &app,
        "GET",
        "/api/v1/admin/certificates?status=superseded",
        &root,
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.json()["total"], 1);
    assert_eq!(listed.json()["items"][0]["id"], old["id"]);
    let by_code = call(
        &app,
        "GET",
        &format!(
            "/api/v1/admin/certificates?q={}",
            new["code"].as_str().unwrap().to_lowercase()
        ),
        &root,
    )
    .await;
    assert_eq!(by_code.json()["total"], 1);
    assert_eq!(by_code.json()["items"][0]["id"], new["id"]);
}

#[actix_web::test]
async fn a_course_with_a_validity_period_gives_certificates_that_expire_and_say_so() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    crate::support::ensure_course(&app, course()).await;
    exec(
        &app,
        "UPDATE courses SET certificate_validity_months = 24 WHERE slug = 'demo-course'",
    )
    .await;
    let (ana, _) = completed(&app, "ana@example.org").await;
    let cert = only_certificate(&app, &ana).await;
    let id = cert["id"].as_str().unwrap();
    let issued = chrono::DateTime::parse_from_rfc3339(cert["issued_at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(cert["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        expires,
        issued.checked_add_months(chrono::Months::new(24)).unwrap()
    );
    let jwt = call(
        &app,
        "GET",
        &format!("/api/v1/certificates/{id}/credential.jwt"),
        &ana,
    )
    .await
    .text();
    let claims = payload(&jwt);
    assert_eq!(claims["exp"], expires.timestamp());
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(claims["validUntil"].as_str().unwrap()).unwrap(),
        expires
    );

    // Two years on: the certificate reads expired, and its job tells the holder once.
    exec(
        &app,
        &format!(
            "UPDATE certificates SET issued_at = issued_at - interval '25 months',
                                     expires_at = expires_at - interval '25 months'
              WHERE id = '{id}'"
        ),
    )
    .await;
    exec(
        &app,
        "UPDATE jobs SET run_at = now() WHERE kind = 'certificate.expired'",
    )
    .await;
    let v = verify(&app, cert["code"].as_str().unwrap()).await.json();
    assert_eq!(v["status"], "expired");
    assert_eq!(v["valid"], false);
    app.run_pending_jobs().await;
    exec(
        &app,
        &format!(
            "INSERT INTO jobs (kind, payload) VALUES ('certificate.expired', '{{\"certificate_id\": \"{id}\"}}')"
        ),
    )
    .await;
    app.run_pending_jobs().await;
    mails_to(&sink, "ana@example.org", "expired", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        sink.messages()
            .iter()
            .filter(|m| m.subject().contains("expired"))
            .count(),
        1
    );
    let listed = call(
        &app,
        "GET",
        "/api/v1/admin/certificates?status=expired",
        &admin(&app).await,
    )
    .await;
    assert_eq!(listed.json()["total"], 1);
}

#[actix_web::test]
async fn an_admin_certifies_an_enrolment_completed_before_certificates_existed() {
    let sink = SmtpSink::start();
    let app = app_with(&sink).await;
    let root = admin(&app).await;
    let ana = learner(&app).email("ana@example.org").await;
    let id = enrolment(&app, &ana, course()).await.id;
    let path = "/api/v1/admin/certificates";
    let body = json!({ "enrolment_id": id, "reason": "Completed before certificates" });
    call_json(&app, "POST", path, &root, &body)
        .await
        .assert_error(409, "enrolment_not_completed");
    // Completed by an older version of the platform: no job, no certificate.
    exec(
        &app,
        &format!(
            "UPDATE enrolments SET state = 'completed', completed_at = now() WHERE id = '{id}'"
        ),
    )
    .await;
    call_json(&app, "POST", path, &ana, &body)
        .await
        .assert_error(403, "forbidden");
    let res = call_json(&app, "POST", path, &root, &body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["enrolment_id"], id);
    assert_eq!(res.json()["status"], "active");
    assert_eq!(only_certificate(&app, &ana).await["id"], res.json()["id"]);
    call_json(&app, "POST", path, &root, &body)
        .await
        .assert_error(409, "already_certified");
    let unknown = json!({ "enrolment_id": uuid::Uuid::new_v4(), "reason": "x" });
    call_json(&app, "POST", path, &root, &unknown)
        .await
        .assert_error(404, "not_found");
    // Revoked in error: the admin may issue a new one (the completion job never would).
    let first = res.json()["id"].as_str().unwrap().to_string();
    let revoke = format!("/api/v1/admin/certificates/{first}/revoke");
    let revoked = call_json(
        &app,
        "POST",
        &revoke,
        &root,
        &json!({ "reason": "Wrong name" }),
    )
    .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    let again = call_json(&app, "POST", path, &root, &body).await;
    assert_eq!(again.status, 201, "{}", again.text());
    assert_ne!(again.json()["code"], res.json()["code"]);
    mails_to(
        &sink,
        "ana@example.org",
        "Your certificate for Demo Course",
        2,
    )
    .await;
    let audit = format!(
        "SELECT count(*) AS n FROM audit_log WHERE action = 'certificate.issued'
          AND actor_id = '{}' AND details->>'enrolment_id' = '{id}'",
        root.id
    );
    assert_eq!(count(&app, &audit).await, 2);
}
