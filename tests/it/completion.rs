//! The completion engine (`learning::completion`): every trigger (lesson completion, quiz
//! pass, admin re-activation) completes a course at most once, whatever runs at the same
//! time, and records exactly one `enrolment.completed` audit event.

use std::time::Duration;

use serde_json::json;

use crate::harness::TestApp;
use crate::smtp::SmtpSink;
use crate::support::quizzes::{answers, id_of, save, started, submit};
use crate::support::{
    Account, FixtureCourse, admin, call, complete_lessons, count, enrolment, enrolment_detail,
    exec, learner, record_quiz_pass,
};

/// A course that completes with its three lessons and three required quizzes.
fn course() -> FixtureCourse {
    FixtureCourse::DEMO.without_externship().unsequenced()
}

async fn completions(app: &TestApp, enrolment: &str) -> i64 {
    count(
        app,
        &format!(
            "SELECT count(*) AS n FROM audit_log
              WHERE action = 'enrolment.completed' AND subject_id = '{enrolment}'"
        ),
    )
    .await
}

/// `enrolment.completed` events recorded for `enrolment` by `actor` with `trigger`.
async fn completions_by(app: &TestApp, enrolment: &str, actor: &str, trigger: &str) -> i64 {
    count(
        app,
        &format!(
            "SELECT count(*) AS n FROM audit_log
              WHERE action = 'enrolment.completed' AND subject_id = '{enrolment}'
                AND actor_id = '{actor}' AND details->>'trigger' = '{trigger}'"
        ),
    )
    .await
}

async fn completion_jobs(app: &TestApp, enrolment: &str) -> i64 {
    count(
        app,
        &format!(
            "SELECT count(*) AS n FROM jobs
              WHERE kind = 'enrolment.completed' AND payload->>'enrolment_id' = '{enrolment}'"
        ),
    )
    .await
}

/// An attempt at `quiz` with every right answer saved, ready to submit.
async fn ready_to_pass(app: &TestApp, who: &Account, enrolment: &str, quiz: &str) -> String {
    let attempt = id_of(&started(app, who, enrolment, quiz).await);
    let right = answers(app, &attempt, &[]).await;
    assert_eq!(save(app, who, &attempt, right).await.status, 200);
    attempt
}

#[actix_web::test]
async fn two_required_quizzes_passed_at_once_complete_the_course_once() {
    let app = TestApp::spawn().await;
    // Several rounds, so a missing lock cannot hide behind timing.
    for n in 0..3 {
        let who = learner(&app).email(&format!("pair{n}@example.org")).await;
        let id = enrolment(&app, &who, course()).await.id;
        complete_lessons(&app, &who, &id, &["sharps", "gloves", "order"]).await;
        record_quiz_pass(&app, &id, "final-exam").await;
        let a = ready_to_pass(&app, &who, &id, "safety-quiz").await;
        let b = ready_to_pass(&app, &who, &id, "collection-quiz").await;
        let (x, y) = futures_util::join!(submit(&app, &who, &a), submit(&app, &who, &b));
        assert_eq!(
            (x.status, y.status),
            (200, 200),
            "{} / {}",
            x.text(),
            y.text()
        );
        assert_eq!(x.json()["result"]["passed"], true);
        assert_eq!(y.json()["result"]["passed"], true);
        let detail = enrolment_detail(&app, &who, &id).await;
        assert_eq!(detail["state"], "completed", "round {n}: {detail}");
        assert_eq!(completions(&app, &id).await, 1, "round {n}: completed once");
        assert_eq!(completion_jobs(&app, &id).await, 1, "round {n}: one job");
        // Exactly one of the two quiz events says it completed the course.
        assert_eq!(
            count(
                &app,
                &format!(
                    "SELECT count(*) AS n FROM audit_log
                      WHERE action = 'quiz.attempt_submitted'
                        AND details->>'enrolment' = '{id}'
                        AND (details->>'course_completed')::boolean"
                ),
            )
            .await,
            1,
            "round {n}"
        );
    }
}

#[actix_web::test]
async fn the_last_lesson_twice_and_the_last_quiz_at_once_complete_the_course_once() {
    let app = TestApp::spawn().await;
    for n in 0..3 {
        let who = learner(&app).email(&format!("three{n}@example.org")).await;
        let id = enrolment(&app, &who, course()).await.id;
        complete_lessons(&app, &who, &id, &["sharps", "gloves"]).await;
        record_quiz_pass(&app, &id, "collection-quiz").await;
        record_quiz_pass(&app, &id, "final-exam").await;
        let attempt = ready_to_pass(&app, &who, &id, "safety-quiz").await;
        let lesson = format!("/api/v1/enrolments/{id}/lessons/order/completion");
        let (s, l1, l2) = futures_util::join!(
            submit(&app, &who, &attempt),
            call(&app, "PUT", &lesson, &who),
            call(&app, "PUT", &lesson, &who),
        );
        assert_eq!((s.status, l1.status, l2.status), (200, 200, 200));
        assert_eq!(completions(&app, &id).await, 1, "round {n}");
        assert_eq!(completion_jobs(&app, &id).await, 1, "round {n}: one job");
        let detail = enrolment_detail(&app, &who, &id).await;
        assert_eq!(detail["state"], "completed", "round {n}: {detail}");
        assert_eq!(detail["percent_complete"], 100);
    }
}

/// Each of the last two lessons, alone, leaves a lesson missing (the one-statement path); the
/// second one's statement reads the counts after the first committed and leaves the completion
/// to the engine, so the course completes however the two interleave.
#[actix_web::test]
async fn the_last_two_lessons_at_once_complete_the_course_once() {
    let app = TestApp::spawn().await;
    for n in 0..4 {
        let who = learner(&app).email(&format!("two{n}@example.org")).await;
        let id = enrolment(&app, &who, course()).await.id;
        for quiz in ["safety-quiz", "collection-quiz", "final-exam"] {
            record_quiz_pass(&app, &id, quiz).await;
        }
        complete_lessons(&app, &who, &id, &["sharps"]).await;
        let path = |l: &str| format!("/api/v1/enrolments/{id}/lessons/{l}/completion");
        let (gloves, order) = (path("gloves"), path("order"));
        let (a, b) = futures_util::join!(
            call(&app, "PUT", &gloves, &who),
            call(&app, "PUT", &order, &who),
        );
        assert_eq!((a.status, b.status), (200, 200), "round {n}");
        let states = [&a, &b].map(|r| r.json()["enrolment_state"].clone());
        assert!(
            states.contains(&json!("completed")),
            "round {n}: one of them completed the course: {states:?}"
        );
        assert_eq!(completions(&app, &id).await, 1, "round {n}");
        assert_eq!(completion_jobs(&app, &id).await, 1, "round {n}: one job");
        let detail = enrolment_detail(&app, &who, &id).await;
        assert_eq!(detail["state"], "completed", "round {n}: {detail}");
        assert_eq!(detail["percent_complete"], 100, "round {n}: {detail}");
        let sql = format!(
            "SELECT count(*) AS n FROM enrolments e WHERE e.id = '{id}' AND e.lessons_completed = 3 \
               AND e.lessons_completed = (SELECT count(*) FROM lesson_progress p \
                                           WHERE p.enrolment_id = e.id AND p.completed_at IS NOT NULL)"
        );
        assert_eq!(
            count(&app, &sql).await,
            1,
            "round {n}: the row's count is the rows'"
        );
    }
}

#[actix_web::test]
async fn the_completing_lesson_answers_completed_and_records_what_triggered_it() {
    let app = TestApp::spawn().await;
    let who = learner(&app).await;
    let id = enrolment(&app, &who, course()).await.id;
    for quiz in ["safety-quiz", "collection-quiz", "final-exam"] {
        record_quiz_pass(&app, &id, quiz).await;
    }
    complete_lessons(&app, &who, &id, &["sharps", "gloves"]).await;
    assert_eq!(
        completions(&app, &id).await,
        0,
        "not complete before the last lesson"
    );
    let path = format!("/api/v1/enrolments/{id}/lessons/order/completion");
    let res = call(&app, "PUT", &path, &who).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["enrolment_state"], "completed");
    assert_eq!(res.json()["percent_complete"], 100);
    assert_eq!(
        completions_by(&app, &id, &who.id, "lesson_completed").await,
        1
    );
    // Completing it again changes nothing and records nothing.
    let again = call(&app, "PUT", &path, &who).await;
    assert_eq!(again.json()["enrolment_state"], "completed");
    assert_eq!(completions(&app, &id).await, 1);
}

#[actix_web::test]
async fn reactivation_completes_an_enrolment_whose_requirements_were_met_meanwhile() {
    let app = TestApp::spawn().await;
    let who = learner(&app).await;
    let root = admin(&app).await;
    let id = enrolment(&app, &who, course()).await.id;
    complete_lessons(&app, &who, &id, &["sharps", "gloves", "order"]).await;
    record_quiz_pass(&app, &id, "safety-quiz").await;
    record_quiz_pass(&app, &id, "collection-quiz").await;
    let withdrawn = call(
        &app,
        "POST",
        &format!("/api/v1/enrolments/{id}/withdraw"),
        &who,
    )
    .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text());
    // The last requirement is met while the enrolment is withdrawn (here: the final exam's
    // outcome recorded directly); nothing completes a withdrawn enrolment.
    record_quiz_pass(&app, &id, "final-exam").await;
    assert_eq!(
        enrolment_detail(&app, &who, &id).await["state"],
        "withdrawn"
    );
    let path = format!("/api/v1/admin/enrolments/{id}/reactivate");
    let res = call(&app, "POST", &path, &root).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["state"], "completed", "{}", res.text());
    assert_eq!(completions_by(&app, &id, &root.id, "reactivated").await, 1);
}

#[actix_web::test]
async fn reactivation_with_requirements_missing_leaves_the_enrolment_active() {
    let app = TestApp::spawn().await;
    let who = learner(&app).await;
    let root = admin(&app).await;
    let id = enrolment(&app, &who, course()).await.id;
    complete_lessons(&app, &who, &id, &["sharps"]).await;
    exec(
        &app,
        &format!("UPDATE enrolments SET started_at = now() - interval '2 days', access_expires_at = now() - interval '1 day' WHERE id = '{id}'"),
    )
    .await;
    assert_eq!(enrolment_detail(&app, &who, &id).await["state"], "expired");
    let path = format!("/api/v1/admin/enrolments/{id}/reactivate");
    let res = call(&app, "POST", &path, &root).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["state"], "active");
    assert_eq!(completions(&app, &id).await, 0);
}

#[actix_web::test]
async fn a_completed_course_mails_the_learner_once_even_when_its_job_runs_twice() {
    let sink = SmtpSink::start();
    let app = TestApp::builder()
        .var("BENCHSIDE_SMTP_URL", &sink.url())
        .var("BENCHSIDE_PUBLIC_URL", "https://learn.example.org")
        .build()
        .await;
    let who = learner(&app).await;
    let id = enrolment(&app, &who, course()).await.id;
    for quiz in ["safety-quiz", "collection-quiz", "final-exam"] {
        record_quiz_pass(&app, &id, quiz).await;
    }
    complete_lessons(&app, &who, &id, &["sharps", "gloves", "order"]).await;
    assert_eq!(completion_jobs(&app, &id).await, 1);
    // A second run of the job (as after a lost lease): it finds the notice already queued.
    exec(
        &app,
        &format!(
            "INSERT INTO jobs (kind, payload) VALUES ('enrolment.completed', '{{\"enrolment_id\": \"{id}\"}}')"
        ),
    )
    .await;
    app.run_pending_jobs().await;
    // The completion notice is the certificate's mail (credentials' step after completion).
    let subject = "Your certificate for Demo Course";
    let wanted = |m: &crate::smtp::Received| m.subject() == subject;
    let started = std::time::Instant::now();
    while !sink.messages().iter().any(wanted) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no completion mail"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.run_pending_jobs().await;
    let mails: Vec<_> = sink.messages().into_iter().filter(wanted).collect();
    assert_eq!(mails.len(), 1, "one completion mail");
    assert_eq!(mails[0].to, vec![who.email.clone()]);
    assert!(
        mails[0]
            .text()
            .contains("https://learn.example.org/certificates"),
        "{}",
        mails[0].text()
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM jobs WHERE kind = 'enrolment.completed' AND state = 'succeeded'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM audit_log
                  WHERE action = 'enrolment.completion_mailed' AND subject_id = '{id}'"
            ),
        )
        .await,
        1
    );
}
