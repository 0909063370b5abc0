//! The completion engine (`learning::completion`): every trigger (lesson completion, quiz
//! pass, admin re-activation) completes a course at most once, whatever runs at the same
//! time, and records exactly one `enrolment.completed` audit event.

use crate::harness::TestApp;
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
        let detail = enrolment_detail(&app, &who, &id).await;
        assert_eq!(detail["state"], "completed", "round {n}: {detail}");
        assert_eq!(detail["percent_complete"], 100);
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
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM audit_log
                  WHERE action = 'enrolment.completed' AND subject_id = '{id}'
                    AND actor_id = '{}' AND details->>'trigger' = 'lesson_completed'",
                who.id
            ),
        )
        .await,
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
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM audit_log
                  WHERE action = 'enrolment.completed' AND subject_id = '{id}'
                    AND actor_id = '{}' AND details->>'trigger' = 'reactivated'",
                root.id
            ),
        )
        .await,
        1
    );
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
