//! Shared builders for the integration tests: accounts, fixture courses, enrolments, lessons
//! and quizzes, set up through the real HTTP API, or the database where a step is not what
//! the test is about (marking an address verified, promoting an admin, recording a quiz pass).
//! Each builder asserts its own steps and says which step failed.
//!
//! ```ignore
//! let ana = support::learner(&app).email("ana@example.org").await;
//! let root = support::admin(&app).await;
//! let e = support::enrolment(&app, &ana, FixtureCourse::DEMO.without_externship()).await;
//! support::complete_lessons(&app, &ana, &e, &["sharps", "gloves"]).await;
//! support::pass_quiz(&app, &ana, &e, "safety-quiz").await;
//! ```

pub mod accounts;
pub mod cohort_rows;
pub mod courses;
pub mod db;
pub mod externship;
pub mod learning;
pub mod quizzes;

// Not every builder is used by today's tests (`completion.rs` and others to come use them).
#[allow(unused_imports)]
pub use accounts::{Account, PASSWORD, REFRESH, admin, learner, login, register, verified_user};
#[allow(unused_imports)]
pub use courses::{FixtureCourse, copy_tree, ensure_course, fixtures, import_course, import_dir};
pub use db::{count, exec, text};
#[allow(unused_imports)]
pub use learning::{
    Enrolment, complete_lesson, complete_lessons, dashboard, enrol, enrolment, enrolment_detail,
    heartbeat, read_lesson, record_quiz_pass,
};
pub use quizzes::{How, pass_quiz};

use serde_json::Value;

use crate::harness::{TestApp, TestResponse};

/// A request as `who`, without a body, unchecked.
pub async fn call(app: &TestApp, method: &str, path: &str, who: &Account) -> TestResponse {
    app.call(method, path, Some(&who.token), None, None).await
}

/// A request as `who` with a JSON body, unchecked.
pub async fn call_json(
    app: &TestApp,
    method: &str,
    path: &str,
    who: &Account,
    body: &Value,
) -> TestResponse {
    app.call(method, path, Some(&who.token), None, Some(body))
        .await
}
