//! Enrolment and self-paced learning over HTTP against PostgreSQL: enrolling (directly and
//! with codes), lesson delivery with sequential unlocking, progress, heartbeats, the dashboard,
//! withdrawal and re-activation, ownership, re-imports and the confirmation mail.
//!
//! The fixture course (`tests/fixtures/courses/valid/demo-course`) is sequential: module
//! `safety` (lessons `sharps` (free preview), `gloves`; required quiz `safety-quiz`), module
//! `collection` (lesson `order`; required quiz `collection-quiz`), a required final exam, and
//! a required externship.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::smtp::SmtpSink;
use crate::support::{
    Account, FixtureCourse, admin, call, call_json, complete_lesson, copy_tree, count, dashboard,
    enrol, enrolment, enrolment_detail, exec, fixtures, heartbeat, import_course, import_dir,
    learner, read_lesson, record_quiz_pass, text,
};

const DEMO: FixtureCourse = FixtureCourse::DEMO;

/// An app with the fixture course imported and one signed-in learner.
async fn setup() -> (TestApp, Account) {
    let app = TestApp::spawn().await;
    import_course(&app, DEMO).await;
    let ana = learner(&app).email("ana@example.org").await;
    (app, ana)
}

#[actix_web::test]
async fn a_learner_enrols_studies_in_order_hits_a_locked_module_and_unlocks_it() {
    let (app, ana) = setup().await;
    let res = call(&app, "POST", "/api/v1/courses/demo-course/enrolment", &ana).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let e = res.json();
    let id = e["id"].as_str().unwrap().to_string();
    assert_eq!(e["state"], "active");
    assert_eq!(e["course_slug"], "demo-course");
    assert_eq!(e["course_version"], 1);
    assert_eq!(e["cohort_id"], Value::Null);
    // 90 days of access from the course.
    let days = count(
        &app,
        "SELECT extract(day FROM access_expires_at - started_at)::bigint AS n FROM enrolments",
    )
    .await;
    assert_eq!(days, 90);
    // Idempotent.
    let again = call(&app, "POST", "/api/v1/courses/demo-course/enrolment", &ana).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["id"], e["id"]);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM enrolments").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'enrolment.created'"
        )
        .await,
        1
    );

    let d = dashboard(&app, &ana).await;
    assert_eq!(d["enrolments"].as_array().unwrap().len(), 1);
    assert_eq!(d["enrolments"][0]["next_lesson"]["slug"], "sharps");
    assert_eq!(d["enrolments"][0]["percent_complete"], 0);
    let quizzes: Vec<&str> = d["enrolments"][0]["required_quizzes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["state"].as_str().unwrap())
        .collect();
    assert_eq!(quizzes, vec!["not_attempted"; 3]);

    // The first lesson.
    let res = read_lesson(&app, &ana, &id, "sharps").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let l = res.json();
    assert_eq!(l["lesson"]["title"], "Sharps");
    assert!(
        l["lesson"]["body_html"]
            .as_str()
            .unwrap()
            .contains("Never recap")
    );
    assert_eq!(
        l["lesson"]["objectives"],
        json!(["Dispose of sharps safely"])
    );
    assert_eq!(l["lesson"]["estimated_minutes"], 10);
    assert_eq!(
        (l["previous"].clone(), l["next"].clone()),
        (Value::Null, json!("gloves"))
    );
    assert_eq!(l["completed"], false);
    assert_eq!(l["module"], "safety");
    // Opening a lesson of a later lesson in an open module moves the resume point to it.
    assert_eq!(read_lesson(&app, &ana, &id, "gloves").await.status, 200);
    let d = dashboard(&app, &ana).await;
    assert_eq!(d["enrolments"][0]["next_lesson"]["slug"], "gloves");

    // Complete both lessons of module 1.
    let res = complete_lesson(&app, &ana, &id, "sharps").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["completed"], true);
    // 1 of 3 lessons + 0 of 3 required quizzes.
    assert_eq!(res.json()["percent_complete"], 16);
    assert_eq!(res.json()["enrolment_state"], "active");
    assert_eq!(
        read_lesson(&app, &ana, &id, "sharps").await.json()["completed"],
        true
    );
    assert_eq!(complete_lesson(&app, &ana, &id, "gloves").await.status, 200);

    // Module 2 is locked until the safety quiz is passed.
    let res = read_lesson(&app, &ana, &id, "order").await;
    let err = res.assert_error(403, "lesson_locked");
    assert_eq!(err["details"]["module"], "collection");
    assert_eq!(
        err["details"]["unlocks_when"]["quizzes"],
        json!(["safety-quiz"])
    );
    assert_eq!(err["details"]["unlocks_when"]["lessons"], json!([]));
    assert!(
        err["message"].as_str().unwrap().contains("Safety quiz"),
        "{err}"
    );
    complete_lesson(&app, &ana, &id, "order")
        .await
        .assert_error(403, "lesson_locked");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id
             WHERE l.slug = 'order'"
        )
        .await,
        0,
        "a locked lesson leaves no progress behind"
    );
    let d = dashboard(&app, &ana).await;
    assert_eq!(
        d["enrolments"][0]["next_lesson"],
        Value::Null,
        "only the quiz stands in the way"
    );
    let detail = call(&app, "GET", &format!("/api/v1/enrolments/{id}"), &ana).await;
    assert_eq!(detail.status, 200, "{}", detail.text());
    let detail = detail.json();
    assert_eq!(detail["modules"][0]["locked"], false);
    assert_eq!(detail["modules"][1]["locked"], true);
    assert_eq!(detail["modules"][1]["lessons"][0]["locked"], true);
    assert_eq!(detail["modules"][0]["lessons"][1]["completed"], true);
    assert_eq!(detail["modules"][0]["quiz"]["state"], "not_attempted");

    // Passing the quiz (the assessment module will write this row) opens module 2.
    record_quiz_pass(&app, &id, "safety-quiz").await;
    let d = dashboard(&app, &ana).await;
    assert_eq!(d["enrolments"][0]["next_lesson"]["slug"], "order");
    assert_eq!(d["enrolments"][0]["required_quizzes"][0]["state"], "passed");
    // 2 lessons + 1 quiz of 6.
    assert_eq!(d["enrolments"][0]["percent_complete"], 50);
    let res = read_lesson(&app, &ana, &id, "order").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["previous"], "gloves");
    assert_eq!(res.json()["next"], Value::Null);
    assert_eq!(complete_lesson(&app, &ana, &id, "order").await.status, 200);

    // Everything but the quizzes and the externship is done: the course says why.
    let detail = enrolment_detail(&app, &ana, &id).await;
    let c = &detail["completion"];
    assert_eq!(c["complete"], false);
    assert_eq!(c["lessons_missing"], json!([]));
    let missing: Vec<&str> = c["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert_eq!(missing[0], "Pass the quiz \"Collection quiz\".");
    assert_eq!(missing[1], "Pass the quiz \"Final exam\".");
    assert!(missing[2].contains("20 hours"), "{}", missing[2]);
    assert!(missing[2].contains("0 approved so far"), "{}", missing[2]);
    assert_eq!(c["externship"]["met"], false);
    assert_eq!(c["externship"]["hours_logged"], 0.0);
    assert_eq!(detail["next_lesson"], Value::Null);
    // Even with every quiz passed, the externship keeps the enrolment active.
    record_quiz_pass(&app, &id, "collection-quiz").await;
    record_quiz_pass(&app, &id, "final-exam").await;
    let res = complete_lesson(&app, &ana, &id, "order").await;
    assert_eq!(res.json()["percent_complete"], 100);
    assert_eq!(res.json()["enrolment_state"], "active");
    let detail = enrolment_detail(&app, &ana, &id).await;
    assert_eq!(detail["completion"]["missing"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_course_without_externship_completes_when_the_last_requirement_is_met() {
    let app = TestApp::spawn().await;
    let ana = learner(&app).email("ana@example.org").await;
    let course = DEMO.without_externship().unsequenced();
    let id = enrolment(&app, &ana, course).await.id;
    // Not sequential: module 2 is open from the start.
    assert_eq!(read_lesson(&app, &ana, &id, "order").await.status, 200);
    assert_eq!(complete_lesson(&app, &ana, &id, "sharps").await.status, 200);
    for q in ["safety-quiz", "collection-quiz", "final-exam"] {
        record_quiz_pass(&app, &id, q).await;
    }
    // The last two lessons completed at once: whichever comes second completes the course.
    let (a, b) = futures_util::join!(
        complete_lesson(&app, &ana, &id, "gloves"),
        complete_lesson(&app, &ana, &id, "order")
    );
    assert_eq!(
        (a.status, b.status),
        (200, 200),
        "{} / {}",
        a.text(),
        b.text()
    );
    let mut states = vec![
        a.json()["enrolment_state"].as_str().unwrap().to_string(),
        b.json()["enrolment_state"].as_str().unwrap().to_string(),
    ];
    states.sort();
    assert_eq!(states, vec!["active", "completed"]);
    let detail = enrolment_detail(&app, &ana, &id).await;
    assert_eq!(detail["state"], "completed");
    assert!(detail["completed_at"].is_string());
    assert_eq!(detail["completion"]["complete"], true);
    assert_eq!(detail["completion"]["missing"], json!([]));
    // Completed learners can still read, and a completed course cannot be withdrawn from.
    assert_eq!(read_lesson(&app, &ana, &id, "sharps").await.status, 200);
    call(
        &app,
        "POST",
        &format!("/api/v1/enrolments/{id}/withdraw"),
        &ana,
    )
    .await
    .assert_error(409, "enrolment_completed");
}

#[actix_web::test]
async fn two_enrolments_at_once_create_one_and_two_completions_at_once_record_one_time() {
    let (app, ana) = setup().await;
    let path = "/api/v1/courses/demo-course/enrolment";
    let (a, b) = futures_util::join!(
        call(&app, "POST", path, &ana),
        call(&app, "POST", path, &ana)
    );
    let mut statuses = vec![a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, vec![200, 201], "{} / {}", a.text(), b.text());
    assert_eq!(a.json()["id"], b.json()["id"]);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM enrolments").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'enrolment_confirmed'"
        )
        .await,
        1,
        "one confirmation mail"
    );

    let id = a.json()["id"].as_str().unwrap().to_string();
    for _ in 0..3 {
        let (x, y) = futures_util::join!(
            complete_lesson(&app, &ana, &id, "sharps"),
            complete_lesson(&app, &ana, &id, "sharps")
        );
        assert_eq!(
            (x.status, y.status),
            (200, 200),
            "{} / {}",
            x.text(),
            y.text()
        );
        assert_eq!(x.json()["completed_at"], y.json()["completed_at"]);
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM lesson_progress WHERE completed_at IS NOT NULL"
        )
        .await,
        1
    );
    let first = complete_lesson(&app, &ana, &id, "sharps").await.json()["completed_at"].clone();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        complete_lesson(&app, &ana, &id, "sharps").await.json()["completed_at"],
        first,
        "the first completion time is kept"
    );
}

#[actix_web::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let (app, ana) = setup().await;
    // Unknown and unpublished courses.
    call(
        &app,
        "POST",
        "/api/v1/courses/no-such-course/enrolment",
        &ana,
    )
    .await
    .assert_error(404, "not_found");
    let id = enrolment(&app, &ana, DEMO).await.id;
    exec(&app, "UPDATE courses SET published = false").await;
    let bob = learner(&app).email("bob@example.org").await;
    call(&app, "POST", "/api/v1/courses/demo-course/enrolment", &bob)
        .await
        .assert_error(404, "not_found");
    app.get("/api/v1/courses/demo-course/lessons/sharps/preview")
        .await
        .assert_error(404, "not_found");
    exec(&app, "UPDATE courses SET published = true").await;
    assert_eq!(count(&app, "SELECT count(*) AS n FROM enrolments").await, 1);
    // Enrolling needs an account.
    app.post_json("/api/v1/courses/demo-course/enrolment", &json!({}))
        .await
        .assert_error(401, "unauthenticated");

    // Unknown lessons.
    read_lesson(&app, &ana, &id, "no-such-lesson")
        .await
        .assert_error(404, "not_found");
    complete_lesson(&app, &ana, &id, "no-such-lesson")
        .await
        .assert_error(404, "not_found");
    heartbeat(&app, &ana, &id, "no-such-lesson", &json!({ "seconds": 10 }))
        .await
        .assert_error(404, "not_found");
    // An unknown enrolment, and an ID that is not a UUID.
    read_lesson(&app, &ana, &uuid::Uuid::new_v4().to_string(), "sharps")
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        read_lesson(&app, &ana, "not-a-uuid", "sharps").await.status,
        404
    );

    // Free preview: open without an account for preview lessons only.
    let res = app
        .get("/api/v1/courses/demo-course/lessons/sharps/preview")
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["lesson"]["title"], "Sharps");
    assert_eq!(res.json()["module"], "safety");
    for path in [
        "/api/v1/courses/demo-course/lessons/gloves/preview",
        "/api/v1/courses/demo-course/lessons/nope/preview",
        "/api/v1/courses/nope/lessons/sharps/preview",
    ] {
        app.get(path).await.assert_error(404, "not_found");
    }

    // Heartbeats: only whole seconds from 1 to 300 and a small object position.
    assert_eq!(read_lesson(&app, &ana, &id, "sharps").await.status, 200);
    for body in [
        json!({ "seconds": -5 }),
        json!({ "seconds": 0 }),
        json!({ "seconds": 301 }),
        json!({ "seconds": 86400 }),
        json!({ "seconds": 1.5 }),
        json!({ "seconds": "10" }),
        json!({ "seconds": null }),
        json!({ "seconds": 10, "position": [1, 2] }),
        json!({ "seconds": 10, "position": "top" }),
        json!({ "seconds": 10, "position": { "pad": "x".repeat(1100) } }),
    ] {
        heartbeat(&app, &ana, &id, "sharps", &body)
            .await
            .assert_error(422, "invalid_heartbeat");
    }
    assert_eq!(
        count(
            &app,
            "SELECT (SELECT time_spent_seconds FROM enrolments)
                  + (SELECT sum(time_spent_seconds) FROM lesson_progress)::bigint AS n"
        )
        .await,
        0
    );
    assert_eq!(
        text(&app, "SELECT last_position::text AS s FROM lesson_progress").await,
        None
    );
    // A good one adds time and keeps the position; one without a position keeps the last.
    let res = heartbeat(
        &app,
        &ana,
        &id,
        "sharps",
        &json!({ "seconds": 30, "position": { "scroll": 0.4 } }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["lesson_time_spent_seconds"], 30);
    let res = heartbeat(&app, &ana, &id, "sharps", &json!({ "seconds": 300 })).await;
    assert_eq!(res.json()["lesson_time_spent_seconds"], 330);
    assert_eq!(res.json()["enrolment_time_spent_seconds"], 330);
    assert_eq!(
        text(&app, "SELECT last_position::text AS s FROM lesson_progress").await,
        Some(r#"{"scroll": 0.4}"#.to_string())
    );
    assert_eq!(
        dashboard(&app, &ana).await["enrolments"][0]["time_spent_seconds"],
        330
    );
    // A heartbeat on a locked lesson is refused like a read.
    heartbeat(&app, &ana, &id, "order", &json!({ "seconds": 10 }))
        .await
        .assert_error(403, "lesson_locked");
    // Retired lessons are not served.
    exec(
        &app,
        "UPDATE lessons SET retired_at = now() WHERE slug = 'gloves'",
    )
    .await;
    read_lesson(&app, &ana, &id, "gloves")
        .await
        .assert_error(404, "not_found");
}

async fn seed_codes(app: &TestApp) {
    exec(
        app,
        "INSERT INTO cohorts (id, course_id, name, starts_on)
           SELECT '00000000-0000-0000-0000-00000000c0c0', id, 'Spring 2027', current_date FROM courses;
         INSERT INTO enrolment_codes (cohort_id, code, max_uses, expires_at, disabled_at) VALUES
           ('00000000-0000-0000-0000-00000000c0c0', 'SPRING-ONE', 1, NULL, NULL),
           ('00000000-0000-0000-0000-00000000c0c0', 'SPRING-OPEN', NULL, now() + interval '1 day', NULL),
           ('00000000-0000-0000-0000-00000000c0c0', 'SPRING-OLD', NULL, now() - interval '1 second', NULL),
           ('00000000-0000-0000-0000-00000000c0c0', 'SPRING-OFF', 10, NULL, now());",
    )
    .await;
}

async fn uses(app: &TestApp, code: &str) -> i64 {
    count(
        app,
        &format!("SELECT uses::bigint AS n FROM enrolment_codes WHERE code = '{code}'"),
    )
    .await
}

#[actix_web::test]
async fn enrolment_codes_join_a_cohort_once_and_refuse_when_used_up_or_expired() {
    let (app, ana) = setup().await;
    seed_codes(&app).await;
    let join = async |who: &Account, code: &str| {
        call_json(
            &app,
            "POST",
            "/api/v1/enrolments/join",
            who,
            &json!({ "code": code }),
        )
        .await
    };
    let res = join(&ana, "  spring-one ").await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(
        res.json()["cohort_id"],
        "00000000-0000-0000-0000-00000000c0c0"
    );
    assert_eq!(res.json()["course_slug"], "demo-course");
    assert_eq!(uses(&app, "SPRING-ONE").await, 1);
    // Already enrolled: the same enrolment, no use taken (even of a used-up code).
    let again = join(&ana, "SPRING-ONE").await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["id"], res.json()["id"]);
    assert_eq!(join(&ana, "spring-open").await.status, 200);
    assert_eq!(uses(&app, "SPRING-OPEN").await, 0);

    let bob = learner(&app).email("bob@example.org").await;
    join(&bob, "SPRING-ONE")
        .await
        .assert_error(410, "code_used_up");
    join(&bob, "spring-old")
        .await
        .assert_error(410, "code_expired");
    join(&bob, "SPRING-OFF")
        .await
        .assert_error(410, "code_expired");
    join(&bob, "NO-SUCH-CODE")
        .await
        .assert_error(404, "code_not_found");
    join(&bob, "").await.assert_error(404, "code_not_found");
    call_json(&app, "POST", "/api/v1/enrolments/join", &bob, &json!({}))
        .await
        .assert_error(422, "invalid_body");
    assert_eq!(uses(&app, "SPRING-ONE").await, 1);
    assert_eq!(uses(&app, "SPRING-OFF").await, 0);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM enrolments").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'enrolment_confirmed'"
        )
        .await,
        1
    );
    // A code with uses left works for Bob.
    let res = join(&bob, "Spring-Open").await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(uses(&app, "SPRING-OPEN").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action = 'enrolment.created'
             AND details->>'via' = 'code'"
        )
        .await,
        2
    );
}

#[actix_web::test]
async fn the_last_use_of_a_code_goes_to_one_of_two_learners_joining_at_once() {
    let (app, ana) = setup().await;
    seed_codes(&app).await;
    let bob = learner(&app).email("bob@example.org").await;
    let body = json!({ "code": "SPRING-ONE" });
    let (a, b) = futures_util::join!(
        call_json(&app, "POST", "/api/v1/enrolments/join", &ana, &body),
        call_json(&app, "POST", "/api/v1/enrolments/join", &bob, &body)
    );
    let mut statuses = vec![a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, vec![201, 410], "{} / {}", a.text(), b.text());
    assert_eq!(uses(&app, "SPRING-ONE").await, 1);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM enrolments").await, 1);
}

#[actix_web::test]
async fn withdrawn_and_expired_enrolments_cannot_read_until_an_admin_reactivates_them() {
    let (app, ana) = setup().await;
    let root = admin(&app).email("admin@example.org").await;
    let id = enrolment(&app, &ana, DEMO).await.id;
    let withdraw = format!("/api/v1/enrolments/{id}/withdraw");
    let reactivate = format!("/api/v1/admin/enrolments/{id}/reactivate");

    call(&app, "POST", &reactivate, &root)
        .await
        .assert_error(409, "enrolment_not_inactive");
    let res = call(&app, "POST", &withdraw, &ana).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["state"], "withdrawn");
    assert!(res.json()["withdrawn_at"].is_string());
    // Withdrawing again is harmless.
    assert_eq!(call(&app, "POST", &withdraw, &ana).await.status, 200);
    let err = read_lesson(&app, &ana, &id, "sharps")
        .await
        .assert_error(403, "enrolment_inactive");
    assert_eq!(err["details"]["state"], "withdrawn");
    complete_lesson(&app, &ana, &id, "sharps")
        .await
        .assert_error(403, "enrolment_inactive");
    // Enrolling again does not undo a withdrawal.
    let res = call(&app, "POST", "/api/v1/courses/demo-course/enrolment", &ana).await;
    assert_eq!(
        (res.status, res.json()["state"].clone()),
        (200, json!("withdrawn"))
    );
    // Learners cannot re-activate.
    call(&app, "POST", &reactivate, &ana)
        .await
        .assert_error(403, "forbidden");
    let res = call(&app, "POST", &reactivate, &root).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["state"], "active");
    assert_eq!(res.json()["withdrawn_at"], Value::Null);
    assert_eq!(read_lesson(&app, &ana, &id, "sharps").await.status, 200);

    // Expiry: an active enrolment past its access period reads as expired.
    exec(
        &app,
        "UPDATE enrolments SET started_at = now() - interval '100 days',
                               access_expires_at = now() - interval '1 day'",
    )
    .await;
    assert_eq!(
        dashboard(&app, &ana).await["enrolments"][0]["state"],
        "expired"
    );
    read_lesson(&app, &ana, &id, "sharps")
        .await
        .assert_error(403, "enrolment_inactive");
    let res = call(&app, "POST", &reactivate, &root).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["state"], "active");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM enrolments WHERE access_expires_at > now() + interval '89 days'"
        )
        .await,
        1,
        "access extended by the course's 90 days"
    );
    assert_eq!(read_lesson(&app, &ana, &id, "sharps").await.status, 200);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM audit_log WHERE action IN ('enrolment.withdrawn', 'enrolment.reactivated')"
        )
        .await,
        3
    );
}

#[actix_web::test]
async fn another_learners_enrolment_is_not_found_on_every_route() {
    let (app, ana) = setup().await;
    let bob = learner(&app).email("bob@example.org").await;
    let root = admin(&app).email("admin@example.org").await;
    let id = enrolment(&app, &ana, DEMO).await.id;
    let bobs = enrolment(&app, &bob, DEMO).await.id;
    assert_eq!(read_lesson(&app, &ana, &id, "sharps").await.status, 200);

    let hb = json!({ "seconds": 10 });
    let routes: Vec<(&str, String, Option<&Value>)> = vec![
        ("GET", format!("/api/v1/enrolments/{id}"), None),
        (
            "GET",
            format!("/api/v1/enrolments/{id}/lessons/sharps"),
            None,
        ),
        (
            "PUT",
            format!("/api/v1/enrolments/{id}/lessons/sharps/completion"),
            None,
        ),
        (
            "POST",
            format!("/api/v1/enrolments/{id}/lessons/sharps/heartbeat"),
            Some(&hb),
        ),
        ("POST", format!("/api/v1/enrolments/{id}/withdraw"), None),
    ];
    for (method, path, body) in &routes {
        let res = app.call(method, path, Some(&bob.token), None, *body).await;
        let err = res.assert_error(404, "not_found");
        assert!(!err.to_string().contains(&id), "{err}");
    }
    // Admins may read but not change a learner's enrolment.
    for (method, path, body) in &routes {
        let res = app.call(method, path, Some(&root.token), None, *body).await;
        if *method == "GET" {
            assert_eq!(res.status, 200, "{method} {path}: {}", res.text());
        } else {
            res.assert_error(404, "not_found");
        }
    }
    // Nothing changed: Ana's enrolment has no completion, no time and is active.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM enrolments WHERE id = '{id}' AND state = 'active'
                 AND time_spent_seconds = 0"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM lesson_progress WHERE enrolment_id = '{id}'
                 AND (completed_at IS NOT NULL OR time_spent_seconds > 0)"
            )
        )
        .await,
        0
    );
    // The admin's read left no progress of the admin's behind, and the dashboards are apart.
    let d = dashboard(&app, &bob).await;
    assert_eq!(d["enrolments"].as_array().unwrap().len(), 1);
    assert_eq!(d["enrolments"][0]["id"], bobs.as_str());
    assert_eq!(
        dashboard(&app, &root).await["enrolments"],
        json!([]),
        "the admin is enrolled in nothing"
    );
}

#[actix_web::test]
async fn progress_survives_a_reimport_that_edits_and_adds_lessons() {
    let app = TestApp::spawn().await;
    let dir = copy_tree(&fixtures("valid"));
    import_dir(&app, &dir).await;
    let ana = learner(&app).email("ana@example.org").await;
    let id = enrol(&app, &ana, "demo-course").await.id;
    for l in ["sharps", "gloves"] {
        assert_eq!(read_lesson(&app, &ana, &id, l).await.status, 200);
        assert_eq!(complete_lesson(&app, &ana, &id, l).await.status, 200);
    }
    record_quiz_pass(&app, &id, "safety-quiz").await;
    let d = dashboard(&app, &ana).await;
    // 2 lessons + 1 quiz of 3 lessons + 3 quizzes.
    assert_eq!(d["enrolments"][0]["percent_complete"], 50);
    assert_eq!(d["enrolments"][0]["next_lesson"]["slug"], "order");
    let before = text(
        &app,
        "SELECT string_agg(lesson_id || '@' || completed_at, ',' ORDER BY lesson_id) AS s
         FROM lesson_progress",
    )
    .await;

    // Edit a completed lesson and add a new one to module 1.
    let m1 = dir.join("demo-course/modules/01-safety");
    let gloves = m1.join("02-gloves.md");
    let edited = std::fs::read_to_string(&gloves)
        .unwrap()
        .replace("Wear gloves.", "Always wear gloves.");
    std::fs::write(&gloves, edited).unwrap();
    std::fs::write(
        m1.join("03-spills.md"),
        "+++\ntitle = \"Spills\"\nestimated_minutes = 5\nobjectives = [\"Clean a spill\"]\n+++\n\nUse the spill kit.\n\n## References\n\n1. CLSI GP17.\n",
    )
    .unwrap();
    let report = import_dir(&app, &dir).await;
    assert_eq!(report.courses[0].version, 2);

    // Completions are kept (same lesson IDs, same times).
    let after = text(
        &app,
        "SELECT string_agg(lesson_id || '@' || completed_at, ',' ORDER BY lesson_id) AS s
         FROM lesson_progress",
    )
    .await;
    assert_eq!(before, after);
    let d = dashboard(&app, &ana).await;
    let e = &d["enrolments"][0];
    // 2 of 4 lessons + 1 of 3 quizzes = 3 of 7.
    assert_eq!(e["percent_complete"], 42);
    assert_eq!(
        e["course_version"], 1,
        "the enrolment keeps its starting version"
    );
    // The new lesson is next, and module 2 is locked again until it is done.
    assert_eq!(e["next_lesson"]["slug"], "spills");
    read_lesson(&app, &ana, &id, "order")
        .await
        .assert_error(403, "lesson_locked");
    let detail = enrolment_detail(&app, &ana, &id).await;
    let lessons = &detail["modules"][0]["lessons"];
    assert_eq!(lessons[1]["slug"], "gloves");
    assert_eq!(lessons[1]["completed"], true);
    assert_eq!(lessons[2]["slug"], "spills");
    assert_eq!(lessons[2]["completed"], false);
    let res = read_lesson(&app, &ana, &id, "gloves").await;
    assert!(
        res.json()["lesson"]["body_html"]
            .as_str()
            .unwrap()
            .contains("Always wear gloves")
    );
    assert_eq!(res.json()["next"], "spills");
    assert_eq!(complete_lesson(&app, &ana, &id, "spills").await.status, 200);
    assert_eq!(read_lesson(&app, &ana, &id, "order").await.status, 200);

    // Removing a lesson retires it: it stops counting, its progress row stays.
    std::fs::remove_file(m1.join("03-spills.md")).unwrap();
    import_dir(&app, &dir).await;
    let d = dashboard(&app, &ana).await;
    assert_eq!(d["enrolments"][0]["percent_complete"], 50);
    read_lesson(&app, &ana, &id, "spills")
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM lesson_progress").await,
        4
    );
}

#[actix_web::test]
async fn the_enrolment_confirmation_mail_reaches_the_learner() {
    let sink = SmtpSink::start();
    let app = TestApp::builder()
        .var("BENCHSIDE_SMTP_URL", &sink.url())
        .var("BENCHSIDE_PUBLIC_URL", "https://learn.example.org")
        .build()
        .await;
    import_course(&app, DEMO).await;
    let ana = learner(&app).email("ana@example.org").await;
    // The verification mail from registration comes first.
    sink.wait_for(1, Duration::from_secs(10)).await;
    enrolment(&app, &ana, DEMO).await;
    let mails = sink.wait_for(2, Duration::from_secs(10)).await;
    let mail = mails
        .iter()
        .find(|m| m.subject().contains("enrolled"))
        .expect("an enrolment mail");
    assert_eq!(mail.to, vec!["ana@example.org".to_string()]);
    assert_eq!(mail.subject(), "You are enrolled in Demo Course");
    assert!(
        mail.text()
            .contains("https://learn.example.org/courses/demo-course"),
        "{}",
        mail.text()
    );
    assert!(mail.text().contains("Hello Test Learner,"));
    // Enrolling again sends nothing more.
    enrolment(&app, &ana, DEMO).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 2);
}

#[actix_web::test]
async fn re_reading_the_current_lesson_and_re_completing_write_nothing() {
    let (app, ana) = setup().await;
    let id = enrolment(&app, &ana, DEMO).await.id;
    let xmins = async || {
        text(
            &app,
            "SELECT (SELECT xmin::text FROM enrolments) || '/' ||
                    (SELECT string_agg(xmin::text, ',') FROM lesson_progress) AS s",
        )
        .await
    };
    assert_eq!(read_lesson(&app, &ana, &id, "sharps").await.status, 200);
    let before = xmins().await;
    assert_eq!(read_lesson(&app, &ana, &id, "sharps").await.status, 200);
    assert_eq!(xmins().await, before, "a re-read is read-only");
    assert_eq!(complete_lesson(&app, &ana, &id, "sharps").await.status, 200);
    let completed = xmins().await;
    assert_ne!(completed, before);
    let res = complete_lesson(&app, &ana, &id, "sharps").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["completed"], true);
    assert_eq!(xmins().await, completed, "a second completion is read-only");
    // Another lesson moves the resume point again.
    assert_eq!(read_lesson(&app, &ana, &id, "gloves").await.status, 200);
    assert_ne!(xmins().await, completed);
}

#[actix_web::test]
async fn nul_bytes_in_slugs_and_codes_are_a_4xx_and_change_nothing() {
    let app = TestApp::spawn().await;
    import_course(&app, DEMO).await;
    let s = learner(&app).email("ana@example.org").await;
    let res = app
        .call(
            "POST",
            "/api/v1/courses/demo-course/enrolment",
            Some(&s.token),
            None,
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["id"].as_str().unwrap().to_string();

    let res = app
        .call(
            "POST",
            "/api/v1/courses/demo%00course/enrolment",
            Some(&s.token),
            None,
            None,
        )
        .await;
    assert!(
        (400..500).contains(&res.status),
        "{} {}",
        res.status,
        res.text()
    );
    for path in [
        format!("/api/v1/enrolments/{id}/lessons/sh%00arps"),
        "/api/v1/courses/demo-course/lessons/sh%00arps/preview".to_string(),
    ] {
        let res = app.call("GET", &path, Some(&s.token), None, None).await;
        assert!(
            (400..500).contains(&res.status),
            "{path}: {} {}",
            res.status,
            res.text()
        );
        assert!(res.json()["error"]["code"].is_string());
    }
    let res = app
        .call(
            "POST",
            "/api/v1/enrolments/join",
            Some(&s.token),
            None,
            Some(&json!({ "code": "ABC\u{0}DEF" })),
        )
        .await;
    assert!(
        (400..500).contains(&res.status),
        "{} {}",
        res.status,
        res.text()
    );
    assert_eq!(count(&app, "SELECT count(*) AS n FROM enrolments").await, 1);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM lesson_progress").await,
        0
    );
}

/// The heartbeat's position is measured as PostgreSQL stores it (the CHECK on
/// `octet_length(last_position::text) <= 1024`), and a NUL, which jsonb cannot hold, is
/// refused: each of these answered 500 when the position was measured as serde writes it.
#[actix_web::test]
async fn heartbeat_positions_are_measured_as_postgresql_stores_them() {
    let (app, ana) = setup().await;
    let id = enrolment(&app, &ana, DEMO).await.id;
    assert_eq!(read_lesson(&app, &ana, &id, "sharps").await.status, 200);
    let refused = [
        json!({ "seconds": 10, "position": { "a\u{0}": 1 } }),
        json!({ "seconds": 10, "position": { "a": "x\u{0}y" } }),
        json!({ "seconds": 10, "position": { "a": [{ "b": ["\u{0}"] }] } }),
        // 43 bytes from serde; PostgreSQL writes each number out as 301 digits.
        json!({ "seconds": 10, "position": { "n": [1e300, 1e300, 1e300, 1e300] } }),
        json!({ "seconds": 10, "position": { "n": 1.5e-300, "m": 2e-300, "o": 3e-300, "p": 4e-300 } }),
        // 1,024 bytes from serde, 1,025 stored ({"pad": "x…"} has two spaces more).
        json!({ "seconds": 10, "position": { "pad": "x".repeat(1014) } }),
    ];
    for body in &refused {
        heartbeat(&app, &ana, &id, "sharps", body)
            .await
            .assert_error(422, "invalid_heartbeat");
    }
    assert_eq!(
        text(&app, "SELECT last_position::text AS s FROM lesson_progress").await,
        None
    );
    // Exactly 1,024 bytes as stored is accepted.
    let body = json!({ "seconds": 10, "position": { "pad": "x".repeat(1013) } });
    let res = heartbeat(&app, &ana, &id, "sharps", &body).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        count(
            &app,
            "SELECT octet_length(last_position::text)::bigint AS n FROM lesson_progress"
        )
        .await,
        1024
    );
}

/// The measure agrees with PostgreSQL's own on values with every kind of difference.
#[actix_web::test]
async fn the_jsonb_measure_agrees_with_postgresql() {
    use diesel::QueryableByName;
    use diesel::sql_types::{BigInt, Jsonb};
    use diesel_async::RunQueryDsl;

    #[derive(QueryableByName)]
    struct Len {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let values = [
        json!({}),
        json!([]),
        json!({ "a": 1, "b": [true, false, null], "c": { "d": "e" } }),
        json!({ "big": 1e300, "small": 5e-324, "neg": -1.5e-7, "zero": -0.0, "f": 0.1 }),
        json!({ "i": i64::MIN, "u": u64::MAX, "x": 123.456e10, "y": 1e16, "z": 1e15 }),
        json!({ "esc": "\"\\\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}", "uni": "é漢字🙂\u{202e}" }),
        json!({ "nested": [[[], {}], [1, [2, [3.25]]]], "k\"ey\n": "v" }),
        json!({ "scroll": 0.4, "media": 12.75, "section": "intro" }),
    ];
    for v in values {
        let pg = diesel::sql_query("SELECT octet_length(($1)::text)::bigint AS n")
            .bind::<Jsonb, _>(&v)
            .get_result::<Len>(&mut conn)
            .await
            .unwrap()
            .n;
        assert_eq!(benchside::db::jsonb::text_len(&v) as i64, pg, "{v}");
    }
}

/// The server keeps each enrolment's facts in memory, by `facts_version`: a change to them
/// from outside this process (here SQL, as another server process would) is seen on the next
/// read of every route, and a heartbeat, which changes no fact, leaves the version alone.
#[actix_web::test]
async fn facts_changed_outside_the_process_are_seen_on_the_next_read() {
    let (app, ana) = setup().await;
    let id = enrolment(&app, &ana, DEMO).await.id;
    let version = async || count(&app, "SELECT facts_version AS n FROM enrolments").await;
    let sharps_done = async || {
        let detail = enrolment_detail(&app, &ana, &id).await;
        let dash = dashboard(&app, &ana).await;
        let lesson = read_lesson(&app, &ana, &id, "sharps").await.json();
        let done = detail["modules"][0]["lessons"][0]["completed"] == true;
        assert_eq!(lesson["completed"] == true, done, "{lesson}");
        let next = &dash["enrolments"][0]["next_lesson"]["slug"];
        assert_eq!(next == "gloves", done, "{dash}");
        done
    };
    assert_eq!(version().await, 0);
    assert!(
        !sharps_done().await,
        "read twice: the second read is the cached one"
    );
    assert!(!sharps_done().await);
    let opened = version().await;
    assert_ne!(opened, 0, "the first opening is a fact");
    let res = heartbeat(&app, &ana, &id, "sharps", &json!({ "seconds": 30 })).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(version().await, opened, "time on task is not a fact");

    exec(&app, "UPDATE lesson_progress SET completed_at = now()").await;
    assert_ne!(version().await, opened);
    assert!(sharps_done().await, "the completion made in SQL is seen");
    exec(&app, "UPDATE lesson_progress SET completed_at = NULL").await;
    assert!(!sharps_done().await, "and so is its undoing");

    record_quiz_pass(&app, &id, "safety-quiz").await;
    let detail = enrolment_detail(&app, &ana, &id).await;
    assert_eq!(detail["modules"][0]["quiz"]["state"], "passed", "{detail}");
    exec(&app, "DELETE FROM quiz_outcomes").await;
    let detail = enrolment_detail(&app, &ana, &id).await;
    assert_eq!(detail["modules"][0]["quiz"]["state"], "not_attempted");
}

/// Lesson bodies are kept in memory by the revision the database sets on every change: a
/// lesson changed in SQL with its content hash left alone (a fix made by hand) is served
/// changed at once, to the enrolled learner and in the free preview.
#[actix_web::test]
async fn a_lesson_changed_in_sql_is_served_changed() {
    let (app, ana) = setup().await;
    let id = enrolment(&app, &ana, DEMO).await.id;
    let preview = "/api/v1/courses/demo-course/lessons/sharps/preview";
    let body = |v: Value| v["lesson"]["body_html"].clone();
    let before = body(read_lesson(&app, &ana, &id, "sharps").await.json());
    assert_eq!(body(app.get(preview).await.json()), before);
    assert_ne!(before, "<p>Fixed.</p>");
    exec(
        &app,
        "UPDATE lessons SET body_html = '<p>Fixed.</p>', title = 'Sharps, fixed'
          WHERE slug = 'sharps'",
    )
    .await;
    let after = read_lesson(&app, &ana, &id, "sharps").await.json();
    assert_eq!(body(after.clone()), "<p>Fixed.</p>", "{after}");
    assert_eq!(after["lesson"]["title"], "Sharps, fixed");
    assert_eq!(body(app.get(preview).await.json()), "<p>Fixed.</p>");
}

/// Completing a lesson (opened or not) or opening one for the first time makes it the
/// enrolment's resume point and records activity: the lesson rows' trigger does it in the
/// UPDATE that counts the row, so a completion or first opening is one statement's work.
#[actix_web::test]
async fn completing_a_lesson_makes_it_the_resume_point_with_fresh_activity() {
    let (app, ana) = setup().await;
    let id = enrolment(&app, &ana, DEMO).await.id;
    let stale =
        "UPDATE enrolments SET last_lesson_id = NULL, last_activity_at = now() - interval '3 days'";
    let resume = async || {
        text(
            &app,
            &format!(
                "SELECT l.slug || ' ' || (e.last_activity_at > now() - interval '1 minute') AS s
                   FROM enrolments e JOIN lessons l ON l.id = e.last_lesson_id WHERE e.id = '{id}'"
            ),
        )
        .await
    };
    exec(&app, stale).await;
    let res = complete_lesson(&app, &ana, &id, "sharps").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        resume().await.as_deref(),
        Some("sharps true"),
        "never opened"
    );
    exec(&app, stale).await;
    assert_eq!(read_lesson(&app, &ana, &id, "gloves").await.status, 200);
    assert_eq!(
        resume().await.as_deref(),
        Some("gloves true"),
        "first opening"
    );
    exec(&app, stale).await;
    let res = complete_lesson(&app, &ana, &id, "gloves").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        resume().await.as_deref(),
        Some("gloves true"),
        "opened, then completed"
    );
}

/// `learning::enrolments_open_to`, the subselect a write checks a learner's access with in
/// its own statement (the quiz autosave), opens exactly what `access` opens to a learner: their
/// own enrolment, completed or active within its access period; on every state, for the owner
/// and for someone else.
#[actix_web::test]
async fn the_open_to_subselect_agrees_with_access_on_every_state() {
    use benchside::db::schema::enrolments;
    use benchside::learning::{enrolments_open_to, ensure_active, store::EnrolmentRow};
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;

    let (app, _) = setup().await;
    let states = [
        "state = 'active'",
        "state = 'active', started_at = now() - interval '2 days', \
         access_expires_at = now() - interval '1 day'",
        "state = 'completed', completed_at = now()",
        "state = 'completed', started_at = now() - interval '3 days', \
         completed_at = now() - interval '2 days', access_expires_at = now() - interval '1 day'",
        "state = 'withdrawn', withdrawn_at = now()",
        "state = 'expired'",
    ];
    let mut users = Vec::new();
    for (i, set) in states.iter().enumerate() {
        let who = learner(&app).email(&format!("state{i}@example.org")).await;
        let id = enrolment(&app, &who, DEMO).await.id;
        exec(
            &app,
            &format!("UPDATE enrolments SET {set} WHERE id = '{id}'"),
        )
        .await;
        users.push(who.id.parse::<uuid::Uuid>().unwrap());
    }
    let mut conn = app.conn().await;
    let rows: Vec<EnrolmentRow> = enrolments::table
        .select(EnrolmentRow::as_select())
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), states.len());
    let now = chrono::Utc::now();
    let mut open = 0;
    for user in &users {
        let mut found: Vec<uuid::Uuid> = enrolments::table
            .filter(enrolments::id.eq_any(enrolments_open_to(*user, now)))
            .select(enrolments::id)
            .load(&mut conn)
            .await
            .unwrap();
        let mut expected: Vec<uuid::Uuid> = rows
            .iter()
            .filter(|r| r.user_id == *user && ensure_active(r, now).is_ok())
            .map(|r| r.id)
            .collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "user {user}");
        open += found.len();
    }
    assert_eq!(
        open, 3,
        "active within its period, and completed either way"
    );
}
