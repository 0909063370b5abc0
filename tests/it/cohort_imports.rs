//! Bulk enrolment from CSV over HTTP against PostgreSQL, and the invitations it mails through
//! a real SMTP server: the dry run's report, the real run in one transaction (and again,
//! changing nothing), capacity, bad files refused by line, scope, and accepting an invitation.

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::smtp::{SmtpSink, link_with_token};
use crate::support::cohort_rows::{cohort, staff, upload_csv};
use crate::support::{
    Account, FixtureCourse, PASSWORD, admin, count, enrol, exec, import_course, learner, login,
    text,
};

struct World {
    app: TestApp,
    root: Account,
    /// Owns `north`.
    sam: Account,
    /// Owns `south` only.
    olga: Account,
    north: String,
    south: String,
}

async fn world_with(app: TestApp) -> World {
    import_course(&app, FixtureCourse::DEMO).await;
    let north = cohort(&app, "demo-course", "North", 1, Some(90)).await;
    let south = cohort(&app, "demo-course", "South", 1, Some(90)).await;
    let root = admin(&app).email("root@example.org").await;
    let sam = staff(&app, "sam@example.org", &[&north]).await;
    let olga = staff(&app, "olga@example.org", &[&south]).await;
    World {
        app,
        root,
        sam,
        olga,
        north,
        south,
    }
}

async fn world() -> World {
    world_with(TestApp::spawn().await).await
}

/// What an import may write: accounts, enrolments, one-time tokens, queued mail.
async fn written(app: &TestApp) -> [i64; 4] {
    [
        count(app, "SELECT count(*) AS n FROM users").await,
        count(app, "SELECT count(*) AS n FROM enrolments").await,
        count(app, "SELECT count(*) AS n FROM one_time_tokens").await,
        count(app, "SELECT count(*) AS n FROM mail_outbox").await,
    ]
}

fn outcomes(report: &Value) -> Vec<(u64, String)> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A learner enrolled in the demo course (in no cohort).
async fn enrolled_learner(w: &World, email: &str) -> Account {
    let who = learner(&w.app).email(email).await;
    enrol(&w.app, &who, "demo-course").await;
    who
}

#[actix_web::test]
async fn a_dry_run_reports_every_rows_outcome_and_writes_nothing() {
    let w = world().await;
    enrolled_learner(&w, "bea@example.org").await;
    learner(&w.app).email("carl@example.org").await;
    let csv = "email,name,cohort\n\
               new.person@example.org,New Person,\n\
               Carl@Example.org,Carl,\n\
               bea@example.org,Bea,\n\
               not-an-address,Someone,\n\
               NEW.PERSON@example.org,New Again,\n\
               dora@example.org,Dora,Nowhere\n\
               eve@example.org,Eve,south\n\
               fay@example.org,\"\",\n";
    let before = written(&w.app).await;
    let res = upload_csv(&w.app, &w.root, &w.north, true, csv).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let report = res.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["applied"], false);
    let want = [
        (2, "invited"),
        (3, "enrolled"),
        (4, "already_enrolled"),
        (5, "invalid_email"),
        (6, "duplicate_row"),
        (7, "unknown_cohort"),
        (8, "invited"),
        (9, "invalid_name"),
    ];
    let want: Vec<(u64, String)> = want.iter().map(|(l, o)| (*l, o.to_string())).collect();
    assert_eq!(outcomes(&report), want);
    assert_eq!(
        report["summary"],
        json!({ "rows": 8, "invited": 2, "enrolled": 1, "already_enrolled": 1, "rejected": 4 })
    );
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(
        rows[1]["email"], "carl@example.org",
        "addresses are normalised"
    );
    assert!(
        rows[4]["reason"].as_str().unwrap().contains("line 2"),
        "{}",
        rows[4]
    );
    assert!(rows[3]["reason"].as_str().is_some());
    assert_eq!(written(&w.app).await, before, "a dry run writes nothing");

    // The real run of the same file is refused as a whole, with the same report.
    let res = upload_csv(&w.app, &w.root, &w.north, false, csv).await;
    let body = res.assert_error(422, "import_rejected");
    assert_eq!(outcomes(&body["details"]["report"]), want);
    assert_eq!(
        written(&w.app).await,
        before,
        "a refused run writes nothing"
    );
}

#[actix_web::test]
async fn the_real_run_invites_and_enrols_in_one_go_and_the_same_file_again_changes_nothing() {
    let sink = SmtpSink::start();
    let w = world_with(
        TestApp::builder()
            .var("BENCHSIDE_SMTP_URL", &sink.url())
            .var("BENCHSIDE_PUBLIC_URL", "https://learn.example.org")
            .build()
            .await,
    )
    .await;
    learner(&w.app).email("carl@example.org").await;
    let csv = "\u{FEFF}Name,Email,Cohort\n\
               Nia Okafor,nia@example.org,\n\
               Carl,carl@example.org,\n\
               \"Ortiz, Pablo\",pablo@example.org,South\n";
    let res = upload_csv(&w.app, &w.root, &w.north, false, csv).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let report = res.json();
    assert_eq!(report["applied"], true);
    assert_eq!(report["summary"]["invited"], 2);
    assert_eq!(report["summary"]["enrolled"], 1);

    // Invited accounts have no password yet and are in the cohort their row named.
    let cohort_of = |email: &str| {
        format!(
            "SELECT e.cohort_id::text AS s FROM enrolments e JOIN users u ON u.id = e.user_id
             WHERE u.email = '{email}'"
        )
    };
    assert_eq!(
        text(&w.app, &cohort_of("nia@example.org")).await,
        Some(w.north.clone())
    );
    assert_eq!(
        text(&w.app, &cohort_of("carl@example.org")).await,
        Some(w.north.clone())
    );
    assert_eq!(
        text(&w.app, &cohort_of("pablo@example.org")).await,
        Some(w.south.clone())
    );
    assert_eq!(
        count(
            &w.app,
            "SELECT count(*) AS n FROM users WHERE password_hash IS NULL AND invited_at IS NOT NULL
               AND invited_by IS NOT NULL AND email IN ('nia@example.org', 'pablo@example.org')"
        )
        .await,
        2
    );
    assert_eq!(
        text(
            &w.app,
            "SELECT name AS s FROM users WHERE email = 'pablo@example.org'"
        )
        .await,
        Some("Ortiz, Pablo".into())
    );
    assert_eq!(
        count(
            &w.app,
            &format!(
                "SELECT count(*) AS n FROM audit_log WHERE action = 'cohort.imported'
                   AND subject_id = '{}' AND details->>'invited' = '2'",
                w.north
            )
        )
        .await,
        1
    );

    // The admin's account list shows them as invited.
    let res =
        crate::support::call(&w.app, "GET", "/api/v1/admin/users?status=invited", &w.root).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let listed: Vec<(String, bool)> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["email"].as_str().unwrap().to_string(),
                u["invited"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(
        listed
            .iter()
            .all(|(e, invited)| *invited && e != "carl@example.org")
    );

    // The job queue mails the invitations and the existing account's confirmation.
    w.app.run_pending_jobs().await;
    let mails = sink.messages();
    let to = |addr: &str, subject: &str| {
        mails
            .iter()
            .find(|m| m.to == vec![addr.to_string()] && m.subject().contains(subject))
            .unwrap_or_else(|| panic!("no mail to {addr} about {subject:?}"))
    };
    let nia = to("nia@example.org", "You are invited to");
    to("pablo@example.org", "You are invited to");
    to("carl@example.org", "You are enrolled in");
    let token = link_with_token(&nia.data, "/invitation");

    // The same file again: every row is already enrolled, nothing new is written or mailed.
    let before = written(&w.app).await;
    let res = upload_csv(&w.app, &w.root, &w.north, false, csv).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["summary"]["already_enrolled"], 3);
    assert_eq!(written(&w.app).await, before);

    // Until the invitation is accepted no password signs in.
    let res = w
        .app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "email": "nia@example.org", "password": PASSWORD }),
        )
        .await;
    res.assert_error(401, "invalid_credentials");

    // Accepting signs in: the session sees the enrolment; the link works once.
    let res = w
        .app
        .post_json(
            "/api/v1/auth/invitation/accept",
            &json!({ "token": token, "password": PASSWORD }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let session = res.json();
    assert_eq!(session["user"]["email"], "nia@example.org");
    assert_eq!(session["user"]["email_verified"], true);
    assert!(res.set_cookie("benchside_refresh").is_some());
    let bearer = session["access_token"].as_str().unwrap();
    let mine = w
        .app
        .call("GET", "/api/v1/me/enrolments", Some(bearer), None, None)
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text());
    assert!(mine.text().contains("demo-course"), "{}", mine.text());
    let again = w
        .app
        .post_json(
            "/api/v1/auth/invitation/accept",
            &json!({ "token": token, "password": PASSWORD }),
        )
        .await;
    again.assert_error(410, "token_used");
    login(&w.app, "nia@example.org", PASSWORD).await;
    assert_eq!(
        count(
            &w.app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'user.invitation_accepted'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn seats_are_counted_in_row_order_and_the_cohort_column_cannot_reach_outside_scope() {
    let w = world().await;
    exec(
        &w.app,
        &format!("UPDATE cohorts SET capacity = 2 WHERE id = '{}'", w.north),
    )
    .await;
    enrolled_learner(&w, "bea@example.org").await;
    exec(
        &w.app,
        &format!("UPDATE enrolments SET cohort_id = '{}'", w.north),
    )
    .await;
    let csv = "email,name\na@example.org,A One\nb@example.org,B Two\nc@example.org,C Three\n";
    let res = upload_csv(&w.app, &w.sam, &w.north, true, csv).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        outcomes(&res.json()),
        vec![
            (2, "invited".to_string()),
            (3, "capacity_exceeded".to_string()),
            (4, "capacity_exceeded".to_string())
        ]
    );

    // Sam owns North only: South is not a cohort his rows can name.
    let res = upload_csv(
        &w.app,
        &w.sam,
        &w.north,
        true,
        "email,name,cohort\nd@example.org,D,South\n",
    )
    .await;
    assert_eq!(
        outcomes(&res.json()),
        vec![(2, "unknown_cohort".to_string())]
    );

    // Staff of another cohort and learners cannot upload to North at all.
    let ana = learner(&w.app).email("ana@example.org").await;
    let before = written(&w.app).await;
    upload_csv(&w.app, &w.olga, &w.north, false, csv)
        .await
        .assert_error(404, "not_found");
    upload_csv(&w.app, &ana, &w.north, false, csv)
        .await
        .assert_error(403, "forbidden");
    assert_eq!(written(&w.app).await, before);

    // An archived cohort takes no import.
    exec(
        &w.app,
        &format!(
            "UPDATE cohorts SET archived_at = now() WHERE id = '{}'",
            w.south
        ),
    )
    .await;
    upload_csv(&w.app, &w.olga, &w.south, true, csv)
        .await
        .assert_error(409, "cohort_archived");
}

#[actix_web::test]
async fn bad_files_are_refused_whole_naming_the_line_and_nothing_is_written() {
    let w = world().await;
    let before = written(&w.app).await;
    let up = |csv: Vec<u8>| upload_csv(&w.app, &w.root, &w.north, false, csv);

    let body = up(b"mail,full name\na@example.org,A\n".to_vec())
        .await
        .assert_error(422, "csv_header");
    assert_eq!(body["details"]["found"], json!(["mail", "full name"]));

    let mut latin1 = b"email,name\na@example.org,Ana\nb@example.org,Jos".to_vec();
    latin1.extend_from_slice(&[0xE9, b'\n']);
    let body = up(latin1).await.assert_error(422, "csv_encoding");
    assert_eq!(body["details"]["line"], 3);

    let body = up(b"email,name\na@example.org,\"Ana\nb@example.org,B\n".to_vec())
        .await
        .assert_error(422, "csv_malformed");
    assert!(body["details"]["line"].as_u64().is_some(), "{body}");

    let body = up(b"email,name\na@example.org,A,extra\n".to_vec())
        .await
        .assert_error(422, "csv_malformed");
    assert_eq!(body["details"]["line"], 2);

    // A quoted newline stays in its field; a name cannot hold one.
    let res = upload_csv(
        &w.app,
        &w.root,
        &w.north,
        true,
        "email,name\na@example.org,\"Ana\nDiaz\"\nb@example.org,Bo\n",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        outcomes(&res.json()),
        vec![(2, "invalid_name".to_string()), (4, "invited".to_string())]
    );

    let mut many = String::from("email,name\n");
    for i in 0..100_000 {
        many.push_str(&format!("p{i}@example.org,P {i}\n"));
    }
    let body = up(many.into_bytes())
        .await
        .assert_error(422, "csv_too_many_rows");
    assert_eq!(body["details"]["max_rows"], 10_000);

    let huge = vec![b'a'; 6 * 1024 * 1024];
    let body = up(huge).await.assert_error(413, "payload_too_large");
    assert_eq!(body["details"]["max_bytes"], 5 * 1024 * 1024);

    let res = w
        .app
        .client
        .post(w.app.url(&format!(
            "/api/v1/admin/cohorts/{}/imports?dry_run=false",
            w.north
        )))
        .insert_header(("authorization", format!("Bearer {}", w.root.token)))
        .insert_header(("content-type", "application/json"))
        .send_body("{}")
        .await;
    crate::harness::TestResponse::read(res)
        .await
        .assert_error(415, "unsupported_media_type");

    assert_eq!(written(&w.app).await, before);
}

#[actix_web::test]
async fn ten_thousand_rows_are_enrolled_in_one_upload() {
    let w = world().await;
    let mut csv = String::from("email,name\n");
    for i in 0..10_000 {
        csv.push_str(&format!("learner{i}@example.org,Learner {i}\n"));
    }
    let res = upload_csv(&w.app, &w.root, &w.north, true, csv.clone()).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["summary"]["invited"], 10_000);
    let res = upload_csv(&w.app, &w.root, &w.north, false, csv).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["summary"]["invited"], 10_000);
    let north = &w.north;
    assert_eq!(
        count(
            &w.app,
            &format!("SELECT count(*) AS n FROM enrolments WHERE cohort_id = '{north}'")
        )
        .await,
        10_000
    );
    assert_eq!(
        count(
            &w.app,
            "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'invitation'"
        )
        .await,
        10_000
    );
    assert_eq!(
        count(
            &w.app,
            "SELECT count(*) AS n FROM one_time_tokens WHERE purpose = 'invitation'"
        )
        .await,
        10_000
    );
}

async fn accept(app: &TestApp, token: &str, password: &str) -> crate::harness::TestResponse {
    app.post_json(
        "/api/v1/auth/invitation/accept",
        &json!({ "token": token, "password": password }),
    )
    .await
}

#[actix_web::test]
async fn an_invitation_link_is_refused_when_broken_expired_or_the_password_is_weak() {
    let w = world().await;
    let res = upload_csv(
        &w.app,
        &w.root,
        &w.north,
        false,
        "email,name\nnia@example.org,Nia\n",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let app = &w.app;
    accept(app, "not-a-token", PASSWORD)
        .await
        .assert_error(400, "invalid_token");
    let body = accept(app, "whatever", "short")
        .await
        .assert_error(422, "password_too_short");
    assert_eq!(body["details"]["field"], "password");

    // The token is only mailed; arrange a known one for the rules that follow.
    let token = "k".repeat(43);
    exec(
        &w.app,
        &format!(
            "UPDATE one_time_tokens SET token_hash = sha256('{token}'::bytea)
              WHERE purpose = 'invitation'"
        ),
    )
    .await;
    accept(app, &token, "nia@example.org")
        .await
        .assert_error(422, "password_too_common");
    exec(
        &w.app,
        "UPDATE users SET disabled_at = now() WHERE email = 'nia@example.org'",
    )
    .await;
    accept(app, &token, PASSWORD)
        .await
        .assert_error(403, "account_disabled");
    exec(
        &w.app,
        "UPDATE users SET disabled_at = NULL WHERE email = 'nia@example.org'",
    )
    .await;
    exec(
        &w.app,
        "UPDATE one_time_tokens SET used_at = NULL, created_at = now() - interval '15 days',
                expires_at = now() - interval '1 day' WHERE purpose = 'invitation'",
    )
    .await;
    accept(app, &token, PASSWORD)
        .await
        .assert_error(410, "token_expired");
    assert_eq!(
        count(&w.app, "SELECT count(*) AS n FROM users WHERE email = 'nia@example.org' AND password_hash IS NULL").await,
        1,
        "nothing was set"
    );

    // An expired invitation is no dead end: a password reset sets the first password.
    let res = w
        .app
        .post_json(
            "/api/v1/auth/password-reset/request",
            &json!({ "email": "nia@example.org" }),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.text());
    let reset = "r".repeat(43);
    exec(
        &w.app,
        &format!(
            "UPDATE one_time_tokens SET token_hash = sha256('{reset}'::bytea)
              WHERE purpose = 'password_reset'"
        ),
    )
    .await;
    let res = w
        .app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({ "token": reset, "new_password": PASSWORD }),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    login(&w.app, "nia@example.org", PASSWORD).await;
}
