//! Cohorts and their staff, arranged in the database for the tests that are not about
//! creating cohorts (reports, the bulk import), and the CSV upload.

use super::accounts::{Account, PASSWORD, login, verified_user};
use super::db::{exec, text};
use crate::harness::{TestApp, TestResponse};

/// A cohort of the (imported) course `course`, starting `starts_ago` days ago, with a target
/// `target_in` days from today (None: no target). Returns its ID.
pub async fn cohort(
    app: &TestApp,
    course: &str,
    name: &str,
    starts_ago: i64,
    target_in: Option<i64>,
) -> String {
    let target = target_in.map_or("NULL".to_string(), |d| format!("current_date + {d}"));
    text(
        app,
        &format!(
            "INSERT INTO cohorts (course_id, name, starts_on, target_on)
             SELECT id, '{name}', current_date - {starts_ago}, {target} FROM courses WHERE slug = '{course}'
             RETURNING id::text AS s"
        ),
    )
    .await
    .expect("the course is imported")
}

/// Puts an enrolment in a cohort.
pub async fn join(app: &TestApp, enrolment: &str, cohort: &str) {
    exec(
        app,
        &format!("UPDATE enrolments SET cohort_id = '{cohort}' WHERE id = '{enrolment}'"),
    )
    .await;
}

/// A signed-in staff account owning `cohorts`.
pub async fn staff(app: &TestApp, email: &str, cohorts: &[&str]) -> Account {
    let user = verified_user(app, email).await;
    let id = user["id"].as_str().unwrap();
    exec(
        app,
        &format!("UPDATE users SET role = 'staff' WHERE id = '{id}'"),
    )
    .await;
    for c in cohorts {
        exec(
            app,
            &format!("INSERT INTO cohort_staff (cohort_id, user_id) VALUES ('{c}', '{id}')"),
        )
        .await;
    }
    login(app, email, PASSWORD).await
}

/// `POST /admin/cohorts/{cohort}/imports?dry_run=...` with a CSV body, as `who`, unchecked.
pub async fn upload_csv(
    app: &TestApp,
    who: &Account,
    cohort: &str,
    dry_run: bool,
    csv: impl Into<Vec<u8>>,
) -> TestResponse {
    let url = app.url(&format!(
        "/api/v1/admin/cohorts/{cohort}/imports?dry_run={dry_run}"
    ));
    TestResponse::read(
        app.client
            .post(url)
            .insert_header(("authorization", format!("Bearer {}", who.token)))
            .insert_header(("content-type", "text/csv"))
            .send_body(csv.into())
            .await,
    )
    .await
}
