//! The exports' queries (read-only, streamed) and their rows as CSV cells.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{
    BigInt, Bool, Date, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use uuid::Uuid;

use super::csv_cells::opt;
use super::exports::{CsvRow, Query};
use crate::credentials::state::{Standing, status};

fn cohort_query(sql: &'static str, cohort: Uuid) -> Query {
    diesel::sql_query(sql)
        .into_boxed()
        .bind::<SqlUuid, _>(cohort)
}

/// One row per lesson a member opened.
#[derive(QueryableByName)]
pub struct ProgressRow {
    #[diesel(sql_type = SqlUuid)]
    enrolment_id: Uuid,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Text)]
    module: String,
    #[diesel(sql_type = Text)]
    lesson: String,
    #[diesel(sql_type = Timestamptz)]
    first_opened_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    completed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Int8)]
    time_spent_seconds: i64,
}

pub fn progress(cohort: Uuid) -> Query {
    cohort_query(
        "SELECT e.id AS enrolment_id, u.email, u.name, e.state, m.slug AS module, l.slug AS lesson,
                lp.first_opened_at, lp.completed_at, lp.time_spent_seconds
           FROM enrolments e
           JOIN users u ON u.id = e.user_id
           JOIN lesson_progress lp ON lp.enrolment_id = e.id
           JOIN lessons l ON l.id = lp.lesson_id
           JOIN course_modules m ON m.id = l.module_id
          WHERE e.cohort_id = $1
          ORDER BY u.email, e.id, m.position, l.position",
        cohort,
    )
}

impl CsvRow for ProgressRow {
    const HEADER: &'static [&'static str] = &[
        "enrolment_id",
        "email",
        "name",
        "state",
        "module",
        "lesson",
        "first_opened_at",
        "completed_at",
        "time_spent_seconds",
    ];
    fn cells(self) -> Vec<String> {
        vec![
            self.enrolment_id.to_string(),
            self.email,
            self.name,
            self.state,
            self.module,
            self.lesson,
            self.first_opened_at.to_rfc3339(),
            opt(self.completed_at.map(|t| t.to_rfc3339())),
            self.time_spent_seconds.to_string(),
        ]
    }
}

/// One row per quiz attempt of a member.
#[derive(QueryableByName)]
pub struct AttemptRow {
    #[diesel(sql_type = SqlUuid)]
    attempt_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    enrolment_id: Uuid,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    quiz: String,
    #[diesel(sql_type = Int4)]
    number: i32,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Timestamptz)]
    started_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    submitted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Int4>)]
    percent: Option<i32>,
    #[diesel(sql_type = Nullable<Bool>)]
    passed: Option<bool>,
}

pub fn attempts(cohort: Uuid) -> Query {
    cohort_query(
        "SELECT a.id AS attempt_id, e.id AS enrolment_id, u.email, u.name, q.slug AS quiz, a.number,
                a.state, a.started_at, a.submitted_at, a.percent, a.passed
           FROM enrolments e
           JOIN users u ON u.id = e.user_id
           JOIN quiz_attempts a ON a.enrolment_id = e.id
           JOIN quizzes q ON q.id = a.quiz_id
          WHERE e.cohort_id = $1
          ORDER BY u.email, e.id, q.slug, a.number",
        cohort,
    )
}

impl CsvRow for AttemptRow {
    const HEADER: &'static [&'static str] = &[
        "attempt_id",
        "enrolment_id",
        "email",
        "name",
        "quiz",
        "number",
        "state",
        "started_at",
        "submitted_at",
        "percent",
        "passed",
    ];
    fn cells(self) -> Vec<String> {
        vec![
            self.attempt_id.to_string(),
            self.enrolment_id.to_string(),
            self.email,
            self.name,
            self.quiz,
            self.number.to_string(),
            self.state,
            self.started_at.to_rfc3339(),
            opt(self.submitted_at.map(|t| t.to_rfc3339())),
            opt(self.percent),
            opt(self.passed),
        ]
    }
}

/// One row per externship entry (shift or collection) of a member.
#[derive(QueryableByName)]
pub struct ExternshipRow {
    #[diesel(sql_type = SqlUuid)]
    entry_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    enrolment_id: Uuid,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Date)]
    occurred_on: NaiveDate,
    #[diesel(sql_type = Nullable<Int4>)]
    minutes: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    department: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    collection_type: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    successful: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    unaided: Option<bool>,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Bool)]
    superseded: bool,
    #[diesel(sql_type = Nullable<Text>)]
    notes: Option<String>,
}

pub fn externship(cohort: Uuid) -> Query {
    cohort_query(
        "SELECT x.id AS entry_id, e.id AS enrolment_id, u.email, u.name, x.kind, x.occurred_on,
                x.minutes, x.department, x.collection_type, x.successful, x.unaided, x.state,
                x.superseded_at IS NOT NULL AS superseded, x.notes
           FROM enrolments e
           JOIN users u ON u.id = e.user_id
           JOIN externship_entries x ON x.enrolment_id = e.id
          WHERE e.cohort_id = $1
          ORDER BY u.email, e.id, x.occurred_on, x.created_at, x.client_seq",
        cohort,
    )
}

impl CsvRow for ExternshipRow {
    const HEADER: &'static [&'static str] = &[
        "entry_id",
        "enrolment_id",
        "email",
        "name",
        "kind",
        "occurred_on",
        "minutes",
        "department",
        "collection_type",
        "successful",
        "unaided",
        "state",
        "superseded",
        "notes",
    ];
    fn cells(self) -> Vec<String> {
        vec![
            self.entry_id.to_string(),
            self.enrolment_id.to_string(),
            self.email,
            self.name,
            self.kind,
            self.occurred_on.to_string(),
            opt(self.minutes),
            opt(self.department),
            opt(self.collection_type),
            opt(self.successful),
            opt(self.unaided),
            self.state,
            self.superseded.to_string(),
            opt(self.notes),
        ]
    }
}

/// One row per certificate issued to a member (status at the time of the export).
#[derive(QueryableByName)]
pub struct CertificateRow {
    #[diesel(sql_type = SqlUuid)]
    certificate_id: Uuid,
    #[diesel(sql_type = BigInt)]
    serial: i64,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = SqlUuid)]
    enrolment_id: Uuid,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    holder_name: String,
    #[diesel(sql_type = Text)]
    course_title: String,
    #[diesel(sql_type = Timestamptz)]
    issued_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    expires_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    revoked_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    superseded_by: Option<Uuid>,
}

pub fn certificates(cohort: Uuid) -> Query {
    cohort_query(
        "SELECT c.id AS certificate_id, c.serial, c.code, e.id AS enrolment_id, u.email, c.holder_name,
                c.course_title, c.issued_at, c.expires_at, c.revoked_at, c.superseded_by
           FROM enrolments e
           JOIN users u ON u.id = e.user_id
           JOIN certificates c ON c.enrolment_id = e.id
          WHERE e.cohort_id = $1
          ORDER BY c.serial",
        cohort,
    )
}

impl CsvRow for CertificateRow {
    const HEADER: &'static [&'static str] = &[
        "certificate_id",
        "serial",
        "code",
        "enrolment_id",
        "email",
        "holder_name",
        "course_title",
        "issued_at",
        "expires_at",
        "status",
    ];
    fn cells(self) -> Vec<String> {
        let standing = Standing {
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            superseded_by: self.superseded_by,
        };
        vec![
            self.certificate_id.to_string(),
            self.serial.to_string(),
            self.code,
            self.enrolment_id.to_string(),
            self.email,
            self.holder_name,
            self.course_title,
            self.issued_at.to_rfc3339(),
            opt(self.expires_at.map(|t| t.to_rfc3339())),
            status(standing, Utc::now()).to_string(),
        ]
    }
}
