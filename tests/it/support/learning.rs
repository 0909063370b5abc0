//! Enrolments and lessons.

use std::ops::Deref;

use serde_json::Value;

use super::accounts::Account;
use super::courses::{FixtureCourse, ensure_course};
use super::db::exec;
use super::{call, call_json};
use crate::harness::{TestApp, TestResponse};

/// An enrolment of one learner. Derefs to its ID, so `&enrolment` goes where an ID does.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub id: String,
    /// The enrolment as the enrol call returned it (state, course, access dates).
    #[allow(dead_code)] // for tests to come
    pub body: Value,
}

impl Deref for Enrolment {
    type Target = str;

    fn deref(&self) -> &str {
        &self.id
    }
}

/// Enrols `who` in the (imported, published) course `slug`, or finds the enrolment there
/// (asserting 201 or 200).
pub async fn enrol(app: &TestApp, who: &Account, slug: &str) -> Enrolment {
    let res = call(
        app,
        "POST",
        &format!("/api/v1/courses/{slug}/enrolment"),
        who,
    )
    .await;
    assert!(
        res.status == 201 || res.status == 200,
        "enrolling {} in {slug}: {} {}",
        who.email,
        res.status,
        res.text()
    );
    let body = res.json();
    Enrolment {
        id: body["id"].as_str().unwrap().to_string(),
        body,
    }
}

/// An enrolment of `who` in a fixture course, importing the course when it is not there yet.
pub async fn enrolment(app: &TestApp, who: &Account, course: FixtureCourse) -> Enrolment {
    ensure_course(app, course).await;
    enrol(app, who, course.slug()).await
}

/// `GET /api/v1/enrolments/{id}` (asserting 200).
pub async fn enrolment_detail(app: &TestApp, who: &Account, enrolment: &str) -> Value {
    let res = call(app, "GET", &format!("/api/v1/enrolments/{enrolment}"), who).await;
    assert_eq!(
        res.status,
        200,
        "reading enrolment {enrolment}: {}",
        res.text()
    );
    res.json()
}

/// `GET /api/v1/me/enrolments` (asserting 200).
pub async fn dashboard(app: &TestApp, who: &Account) -> Value {
    let res = call(app, "GET", "/api/v1/me/enrolments", who).await;
    assert_eq!(
        res.status,
        200,
        "reading the dashboard of {}: {}",
        who.email,
        res.text()
    );
    res.json()
}

/// Reads a lesson, unchecked.
pub async fn read_lesson(
    app: &TestApp,
    who: &Account,
    enrolment: &str,
    lesson: &str,
) -> TestResponse {
    let path = format!("/api/v1/enrolments/{enrolment}/lessons/{lesson}");
    call(app, "GET", &path, who).await
}

/// Marks a lesson complete, unchecked.
pub async fn complete_lesson(
    app: &TestApp,
    who: &Account,
    enrolment: &str,
    lesson: &str,
) -> TestResponse {
    let path = format!("/api/v1/enrolments/{enrolment}/lessons/{lesson}/completion");
    call(app, "PUT", &path, who).await
}

/// Marks lessons complete in this order, asserting 200 for each.
pub async fn complete_lessons(app: &TestApp, who: &Account, enrolment: &str, lessons: &[&str]) {
    for lesson in lessons {
        let res = complete_lesson(app, who, enrolment, lesson).await;
        assert_eq!(
            res.status,
            200,
            "completing lesson {lesson} of enrolment {enrolment}: {}",
            res.text()
        );
    }
}

/// Sends a heartbeat for a lesson, unchecked.
pub async fn heartbeat(
    app: &TestApp,
    who: &Account,
    enrolment: &str,
    lesson: &str,
    body: &Value,
) -> TestResponse {
    let path = format!("/api/v1/enrolments/{enrolment}/lessons/{lesson}/heartbeat");
    call_json(app, "POST", &path, who, body).await
}

/// Records a pass of a quiz directly in `quiz_outcomes` (90 %, one attempt), for tests about
/// something else; see [`super::pass_quiz`] for a pass through the API.
pub async fn record_quiz_pass(app: &TestApp, enrolment: &str, quiz: &str) {
    exec(
        app,
        &format!(
            "INSERT INTO quiz_outcomes (enrolment_id, quiz_id, best_percent, passed_at, attempts_used)
             SELECT '{enrolment}', id, 90, now(), 1 FROM quizzes WHERE slug = '{quiz}'"
        ),
    )
    .await;
}
