//! The read model's SQL. Every query here only reads; the tables belong to learning, quizzes,
//! externship and credentials (see the module doc). Raw SQL because each report is one
//! set-based statement (CTEs, window functions, aggregates) over a whole cohort.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Date, Double, Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::risk::{FAILED_ATTEMPTS, Thresholds};
use crate::accounts::Scope;
use crate::db::schema::{cohorts, courses};
use crate::learning::EnrolmentState;

/// A cohort with what its reports need of its course.
#[derive(Debug, Clone, Queryable)]
pub struct CohortHead {
    pub id: Uuid,
    pub name: String,
    pub starts_on: NaiveDate,
    pub target_on: Option<NaiveDate>,
    pub course_id: Uuid,
    pub course_version: i32,
}

/// The cohort when it is in the caller's scope (one indexed read): a cohort outside the scope
/// is the same `None` as a missing one.
pub async fn cohort(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    id: Uuid,
) -> QueryResult<Option<CohortHead>> {
    if !scope.sees_cohort(conn, id).await? {
        return Ok(None);
    }
    cohorts::table
        .inner_join(courses::table)
        .filter(cohorts::id.eq(id))
        .select((
            cohorts::id,
            cohorts::name,
            cohorts::starts_on,
            cohorts::target_on,
            courses::id,
            courses::version,
        ))
        .first(conn)
        .await
        .optional()
}

/// How the dashboard is sorted (whitelisted SQL, never the caller's text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Risk,
    Name,
    Progress,
    LastActivity,
}

impl Order {
    /// The ORDER BY over the page's columns (`p.`).
    fn sql(self, desc: bool) -> String {
        let dir = if desc { "DESC" } else { "ASC" };
        let key = match self {
            Order::Risk => format!("p.risk {dir}, p.last_activity_at ASC"),
            Order::Name => format!("lower(p.name) {dir}, p.email {dir}"),
            Order::Progress => format!("p.done {dir}, p.last_activity_at {dir}"),
            Order::LastActivity => format!("p.last_activity_at {dir}"),
        };
        format!("{key}, p.id {dir}")
    }

    /// Whether sorting needs the members' names (else users are read for the page only).
    fn needs_names(self) -> bool {
        self == Order::Name
    }
}

/// What the dashboard query is asked.
#[derive(Debug, Clone)]
pub struct DashboardQuery<'a> {
    pub cohort: Uuid,
    pub course: Uuid,
    /// The outline's live lessons (learning's rule of what counts).
    pub lessons: Vec<String>,
    /// The quizzes completion requires (count towards percent complete).
    pub counted_quizzes: Vec<String>,
    /// Quizzes a learner must pass (completion or module gates): failing one twice is a risk.
    pub must_pass: Vec<String>,
    pub thresholds: Thresholds,
    pub text: Option<&'a str>,
    pub at_risk: bool,
    pub order: Order,
    pub desc: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One learner of a dashboard page, with the facts the view computes from.
#[derive(Debug, QueryableByName)]
pub struct LearnerRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text)]
    pub state: EnrolmentState,
    #[diesel(sql_type = Timestamptz)]
    pub access_expires_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub last_activity_at: DateTime<Utc>,
    #[diesel(sql_type = Int4)]
    pub externship_minutes: i32,
    #[diesel(sql_type = Jsonb)]
    pub externship_counts: Value,
    #[diesel(sql_type = BigInt)]
    pub done: i64,
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub oldest_pending: Option<DateTime<Utc>>,
    #[diesel(sql_type = Int4)]
    pub risk: i32,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
    /// `[{slug, completed_at}]` of every lesson opened.
    #[diesel(sql_type = Jsonb)]
    pub lessons: Value,
    /// `[{slug, best_percent, attempts_used, passed}]`.
    #[diesel(sql_type = Jsonb)]
    pub quizzes: Value,
    /// `{id, serial, expires_at, revoked_at, superseded_by}` of the newest live certificate
    /// (or the newest one when none is live).
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub certificate: Option<Value>,
}

/// Per enrolment of the cohort: done items, risk inputs and the risk count, all in one
/// statement; then the sorted, filtered page with each row's facts. `$10` is the done count
/// below which a learner is behind (NULL: no schedule), the other cutoffs are times.
///
/// Done items come from the enrolment's maintained counts (`lessons_completed`,
/// `quizzes_passed`, kept by triggers on lesson_progress and quiz_outcomes, see the migration
/// `dashboard_indexes`) less the rows of lessons and quizzes that do not count: retired lessons
/// and quizzes outside `$4` (`lesson_progress_lesson_idx`, `quiz_outcomes_quiz_idx`; no rows
/// unless content was retired or a quiz is optional). Failed quizzes come from the partial
/// index `quiz_outcomes_failing_idx`, waiting attestations per enrolment of the cohort. So the
/// statement reads the cohort's enrolments (and, to sort by name or filter by text, their
/// users) and only small sets besides; the sort below the LIMIT carries narrow rows, and the
/// page's 50 rows are joined to users and their facts afterwards.
const DASHBOARD: &str = r#"
WITH retired AS (
  SELECT lp.enrolment_id, count(*) AS n
    FROM lessons l JOIN lesson_progress lp ON lp.lesson_id = l.id
   WHERE l.course_id = $2 AND NOT l.slug = ANY($3) AND lp.completed_at IS NOT NULL
   GROUP BY lp.enrolment_id
), uncounted AS (
  SELECT qo.enrolment_id, count(*) AS n
    FROM quizzes q JOIN quiz_outcomes qo ON qo.quiz_id = q.id
   WHERE q.course_id = $2 AND NOT q.slug = ANY($4) AND qo.passed_at IS NOT NULL
   GROUP BY qo.enrolment_id
), failing AS (
  SELECT qo.enrolment_id
    FROM enrolments e
    JOIN quiz_outcomes qo ON qo.enrolment_id = e.id AND qo.passed_at IS NULL AND qo.attempts_used >= $8
    JOIN quizzes q ON q.id = qo.quiz_id AND q.course_id = $2 AND q.slug = ANY($5)
   WHERE e.cohort_id = $1
   GROUP BY qo.enrolment_id
), waiting AS (
  SELECT a.enrolment_id, count(*) AS pending, min(a.created_at) AS oldest
    FROM enrolments e JOIN externship_attestations a ON a.enrolment_id = e.id
   WHERE e.cohort_id = $1 AND a.decided_at IS NULL AND a.voided_at IS NULL AND a.expires_at > $6
   GROUP BY a.enrolment_id
), scored AS (
  SELECT e.id, e.last_activity_at, {names},
         e.lessons_completed - coalesce(r.n, 0) + e.quizzes_passed - coalesce(x.n, 0) AS done,
         coalesce(w.pending, 0) AS pending, w.oldest AS oldest_pending,
         CASE WHEN e.state = 'active' AND e.access_expires_at > $6 THEN
              (e.last_activity_at < $9)::int
            + (e.lessons_completed - coalesce(r.n, 0) + e.quizzes_passed - coalesce(x.n, 0) < coalesce($10, 0))::int
            + (f.enrolment_id IS NOT NULL)::int
            + (coalesce(w.oldest < $11, false))::int
         ELSE 0 END AS risk
    FROM enrolments e {users}
    LEFT JOIN retired r ON r.enrolment_id = e.id
    LEFT JOIN uncounted x ON x.enrolment_id = e.id
    LEFT JOIN failing f ON f.enrolment_id = e.id
    LEFT JOIN waiting w ON w.enrolment_id = e.id
   WHERE e.cohort_id = $1
     {filter}
), page AS (
  SELECT p.*, count(*) OVER () AS total FROM scored p
   WHERE NOT $12 OR p.risk > 0
   ORDER BY {order} LIMIT $13 OFFSET $14
)
SELECT p.id, e.user_id, u.name, u.email, e.state, e.access_expires_at, p.last_activity_at,
       e.externship_minutes, e.externship_counts, p.done, p.pending, p.oldest_pending, p.risk,
       p.total,
       coalesce((SELECT jsonb_agg(jsonb_build_object('slug', l.slug, 'completed_at', lp.completed_at))
                   FROM lesson_progress lp JOIN lessons l ON l.id = lp.lesson_id
                  WHERE lp.enrolment_id = p.id), '[]') AS lessons,
       coalesce((SELECT jsonb_agg(jsonb_build_object('slug', q.slug, 'best_percent', qo.best_percent,
                                 'attempts_used', qo.attempts_used, 'passed', qo.passed_at IS NOT NULL))
                   FROM quiz_outcomes qo JOIN quizzes q ON q.id = qo.quiz_id
                  WHERE qo.enrolment_id = p.id), '[]') AS quizzes,
       (SELECT jsonb_build_object('id', c.id, 'serial', c.serial, 'expires_at', c.expires_at,
                                  'revoked_at', c.revoked_at, 'superseded_by', c.superseded_by)
          FROM certificates c WHERE c.enrolment_id = p.id
         ORDER BY c.superseded_by IS NULL DESC, c.issued_at DESC LIMIT 1) AS certificate
  FROM page p JOIN enrolments e ON e.id = p.id JOIN users u ON u.id = e.user_id
 ORDER BY {order}
"#;

/// The dashboard's SQL for an order and whether a text filter applies (public for the
/// benchmark's EXPLAIN). Members' users are joined before the sort only when the order or the
/// filter needs their names.
pub fn dashboard_sql(order: Order, desc: bool, text: bool) -> String {
    let (names, users) = if order.needs_names() || text {
        ("u.name, u.email", "JOIN users u ON u.id = e.user_id")
    } else {
        ("NULL::text AS name, NULL::text AS email", "")
    };
    let filter = if text {
        "AND (u.name ILIKE $7 OR u.email ILIKE $7)"
    } else {
        "AND $7::text IS NULL"
    };
    DASHBOARD
        .replace("{order}", &order.sql(desc))
        .replace("{names}", names)
        .replace("{users}", users)
        .replace("{filter}", filter)
}

/// One page of the dashboard: one statement. The pool's connections run with JIT compilation
/// off (`crate::db::build_pool`): the statement's cost grows with the cohort, and past
/// PostgreSQL's `jit_above_cost` compiling it took seconds (2.9 s of JIT in a 6.4 s run at 10,000
/// learners) for a query that runs in tens of milliseconds.
pub async fn dashboard(
    conn: &mut AsyncPgConnection,
    q: &DashboardQuery<'_>,
) -> QueryResult<Vec<LearnerRow>> {
    let t = &q.thresholds;
    let text = q.text.map(crate::db::like_pattern);
    diesel::sql_query(dashboard_sql(q.order, q.desc, text.is_some()))
        .bind::<SqlUuid, _>(q.cohort)
        .bind::<SqlUuid, _>(q.course)
        .bind::<Array<Text>, _>(&q.lessons)
        .bind::<Array<Text>, _>(&q.counted_quizzes)
        .bind::<Array<Text>, _>(&q.must_pass)
        .bind::<Timestamptz, _>(t.now)
        .bind::<Nullable<Text>, _>(text)
        .bind::<Int4, _>(FAILED_ATTEMPTS)
        .bind::<Timestamptz, _>(t.inactive_before)
        .bind::<Nullable<BigInt>, _>(t.behind_below_done)
        .bind::<Timestamptz, _>(t.attestation_before)
        .bind::<Bool, _>(q.at_risk)
        .bind::<BigInt, _>(q.limit)
        .bind::<BigInt, _>(q.offset)
        .load(conn)
        .await
}

// ---- outcomes -------------------------------------------------------------------------------

#[derive(Debug, QueryableByName, PartialEq)]
pub struct OutcomeRow {
    #[diesel(sql_type = BigInt)]
    pub enrolled: i64,
    #[diesel(sql_type = BigInt)]
    pub completed: i64,
    #[diesel(sql_type = Nullable<Double>)]
    pub median_days: Option<f64>,
    /// Members who submitted the final exam at least once.
    #[diesel(sql_type = BigInt)]
    pub final_takers: i64,
    #[diesel(sql_type = BigInt)]
    pub final_first_passed: i64,
    /// Members of a course with an externship, and those whose externship is met.
    #[diesel(sql_type = BigInt)]
    pub externship_members: i64,
    #[diesel(sql_type = BigInt)]
    pub externship_met: i64,
}

/// Enrolled: every member not withdrawn. Days to complete: from `started_at` to
/// `completed_at`. The first attempt is attempt number 1 of a final exam (`is_final`).
const OUTCOMES: &str = r#"
WITH members AS (
  SELECT e.* FROM enrolments e WHERE e.cohort_id = $1 AND e.state <> 'withdrawn'
), first_final AS (
  SELECT a.enrolment_id, bool_or(a.passed) AS passed
    FROM quiz_attempts a JOIN members m ON m.id = a.enrolment_id
    JOIN quizzes q ON q.id = a.quiz_id AND q.is_final
   WHERE a.number = 1 AND a.state = 'submitted'
   GROUP BY a.enrolment_id
)
SELECT count(*) AS enrolled,
       count(*) FILTER (WHERE m.state = 'completed') AS completed,
       (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM m.completed_at - m.started_at) / 86400.0)
           FILTER (WHERE m.state = 'completed' AND m.completed_at IS NOT NULL))::float8 AS median_days,
       (SELECT count(*) FROM first_final) AS final_takers,
       (SELECT count(*) FROM first_final WHERE passed) AS final_first_passed,
       count(*) FILTER (WHERE c.completion_externship OR c.externship_total_hours IS NOT NULL) AS externship_members,
       count(*) FILTER (WHERE (c.completion_externship OR c.externship_total_hours IS NOT NULL)
                          AND m.externship_met_at IS NOT NULL) AS externship_met
  FROM members m JOIN courses c ON c.id = m.course_id
"#;

pub async fn outcomes(conn: &mut AsyncPgConnection, cohort: Uuid) -> QueryResult<OutcomeRow> {
    diesel::sql_query(OUTCOMES)
        .bind::<SqlUuid, _>(cohort)
        .get_result(conn)
        .await
}

// ---- charts ---------------------------------------------------------------------------------

#[derive(Debug, QueryableByName)]
pub struct DayCount {
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Completions per day (UTC) among the cohort's members.
pub async fn completions_by_day(
    conn: &mut AsyncPgConnection,
    cohort: Uuid,
) -> QueryResult<Vec<DayCount>> {
    diesel::sql_query(
        "SELECT (completed_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
           FROM enrolments WHERE cohort_id = $1 AND state = 'completed' AND completed_at IS NOT NULL
          GROUP BY 1 ORDER BY 1",
    )
    .bind::<SqlUuid, _>(cohort)
    .load(conn)
    .await
}

#[derive(Debug, QueryableByName)]
pub struct SlugCount {
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Per module slug: members (not withdrawn) who opened at least one of its lessons. The distinct
/// (member, module) pairs are hashed first and counted after: `count(DISTINCT ...)` per module
/// sorted every progress row of the cohort (about 290,000 at 10,000 learners and 60 lessons,
/// spilling to disk), twice the time of the hash.
pub async fn module_reach(
    conn: &mut AsyncPgConnection,
    cohort: Uuid,
) -> QueryResult<Vec<SlugCount>> {
    diesel::sql_query(
        "SELECT m.slug, count(*) AS n
           FROM (SELECT DISTINCT lp.enrolment_id, l.module_id
                   FROM enrolments e
                   JOIN lesson_progress lp ON lp.enrolment_id = e.id
                   JOIN lessons l ON l.id = lp.lesson_id
                  WHERE e.cohort_id = $1 AND e.state <> 'withdrawn') r
           JOIN course_modules m ON m.id = r.module_id
          GROUP BY m.slug",
    )
    .bind::<SqlUuid, _>(cohort)
    .load(conn)
    .await
}

#[derive(Debug, QueryableByName)]
pub struct ScoreBucket {
    #[diesel(sql_type = Text)]
    pub slug: String,
    /// 0..9: 0-9 %, ..., 90-100 %.
    #[diesel(sql_type = Int4)]
    pub bucket: i32,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Per quiz, members' best scores (`quiz_outcomes.best_percent`) in ten buckets.
pub async fn score_buckets(
    conn: &mut AsyncPgConnection,
    cohort: Uuid,
) -> QueryResult<Vec<ScoreBucket>> {
    diesel::sql_query(
        "SELECT q.slug, least(qo.best_percent / 10, 9) AS bucket, count(*) AS n
           FROM enrolments e
           JOIN quiz_outcomes qo ON qo.enrolment_id = e.id
           JOIN quizzes q ON q.id = qo.quiz_id
          WHERE e.cohort_id = $1 AND e.state <> 'withdrawn' AND qo.attempts_used > 0
          GROUP BY 1, 2",
    )
    .bind::<SqlUuid, _>(cohort)
    .load(conn)
    .await
}
