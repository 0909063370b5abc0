//! Learning queries (the lesson progress rows' writes are in [`super::progress_store`]). All
//! use diesel's query builder, bind their parameters and are prepared once per connection.
//! Functions taking `&AsyncPgConnection` can be pipelined: polled together, their statements
//! go out in one round trip.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Int4, Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::progress::ExternshipStanding;
use super::state::EnrolmentState;
use crate::db::prepared::fixed;
use crate::db::schema::{cohorts, courses, enrolment_codes, enrolments, lessons, users};

diesel::define_sql_function! {
    #[sql_name = "coalesce"]
    fn coalesce_ts(a: Nullable<Timestamptz>, b: Nullable<Timestamptz>) -> Nullable<Timestamptz>;
}

diesel::define_sql_function! {
    #[sql_name = "greatest"]
    fn greatest_ts(a: Timestamptz, b: Timestamptz) -> Timestamptz;
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = enrolments)]
pub struct EnrolmentRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    pub course_version: i32,
    pub cohort_id: Option<Uuid>,
    pub state: EnrolmentState,
    pub started_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    pub last_lesson_id: Option<Uuid>,
    pub time_spent_seconds: i64,
    pub externship_met_at: Option<DateTime<Utc>>,
    pub externship_minutes: i32,
    pub externship_counts: Value,
}

impl EnrolmentRow {
    /// The approved externship standing recorded on the row.
    pub fn externship_standing(&self) -> ExternshipStanding {
        standing(
            self.externship_met_at,
            self.externship_minutes,
            &self.externship_counts,
        )
    }

    /// The state a learner sees: an active enrolment past its access period reads `expired`.
    pub fn effective_state(&self, at: DateTime<Utc>) -> EnrolmentState {
        self.state.effective(self.access_expires_at, at)
    }
}

/// The course fields an enrolment view needs.
#[derive(Debug, Clone, Queryable)]
pub struct CourseBrief {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// The content version: the key of the parsed outline in [`super::cache::ContentCache`]
    /// (the outline itself is not read on every request).
    pub version: i32,
    pub access_days: i32,
}

type CourseBriefCols = (
    courses::id,
    courses::slug,
    courses::title,
    courses::version,
    courses::access_days,
);
pub const COURSE_BRIEF: CourseBriefCols = (
    courses::id,
    courses::slug,
    courses::title,
    courses::version,
    courses::access_days,
);

/// A published course, for enrolment.
#[derive(Debug, Clone, Queryable)]
pub struct EnrollableCourse {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub version: i32,
    pub access_days: i32,
}

pub async fn published_course(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<EnrollableCourse>> {
    courses::table
        .filter(courses::slug.eq(slug).and(courses::published.eq(true)))
        .select((
            courses::id,
            courses::slug,
            courses::title,
            courses::version,
            courses::access_days,
        ))
        .first(conn)
        .await
        .optional()
}

pub async fn user_contact(
    conn: &mut AsyncPgConnection,
    user: Uuid,
) -> QueryResult<(String, String)> {
    users::table
        .find(user)
        .select((users::email, users::name))
        .first(conn)
        .await
}

/// Inserts an enrolment unless the learner already has one in the course (the unique
/// constraint decides, so two requests at once create one row). `None`: it existed.
pub async fn insert_enrolment(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    course: &EnrollableCourse,
    cohort: Option<Uuid>,
) -> QueryResult<Option<EnrolmentRow>> {
    let now = Utc::now();
    diesel::insert_into(enrolments::table)
        .values((
            enrolments::user_id.eq(user),
            enrolments::course_id.eq(course.id),
            enrolments::course_version.eq(course.version),
            enrolments::cohort_id.eq(cohort),
            enrolments::started_at.eq(now),
            enrolments::last_activity_at.eq(now),
            enrolments::access_expires_at
                .eq(now + chrono::Duration::days(i64::from(course.access_days))),
        ))
        .on_conflict((enrolments::user_id, enrolments::course_id))
        .do_nothing()
        .returning(EnrolmentRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

diesel::define_sql_function! {
    /// The elements of an array, as rows (several in one SELECT list are zipped).
    fn unnest(a: diesel::sql_types::Array<diesel::sql_types::Uuid>) -> diesel::sql_types::Uuid;
}

diesel::define_sql_function! {
    #[sql_name = "unnest"]
    fn unnest_nullable(
        a: diesel::sql_types::Array<Nullable<diesel::sql_types::Uuid>>,
    ) -> Nullable<diesel::sql_types::Uuid>;
}

/// Inserts an enrolment in `course` for each (user, cohort) in one statement
/// (`INSERT ... SELECT unnest(users), unnest(cohorts) ... ON CONFLICT DO NOTHING RETURNING`):
/// the rows created; a learner already enrolled in the course is skipped.
pub async fn insert_enrolments(
    conn: &mut AsyncPgConnection,
    course: &EnrollableCourse,
    users: &[Uuid],
    cohorts: &[Option<Uuid>],
) -> QueryResult<Vec<EnrolmentRow>> {
    let now = Utc::now();
    let expires = now + chrono::Duration::days(i64::from(course.access_days));
    let rows = diesel::select((
        unnest(users),
        course.id.into_sql::<diesel::sql_types::Uuid>(),
        course.version.into_sql::<Int4>(),
        unnest_nullable(cohorts),
        now.into_sql::<Timestamptz>(),
        now.into_sql::<Timestamptz>(),
        expires.into_sql::<Timestamptz>(),
    ));
    diesel::insert_into(enrolments::table)
        .values(rows)
        .into_columns((
            enrolments::user_id,
            enrolments::course_id,
            enrolments::course_version,
            enrolments::cohort_id,
            enrolments::started_at,
            enrolments::last_activity_at,
            enrolments::access_expires_at,
        ))
        .on_conflict((enrolments::user_id, enrolments::course_id))
        .do_nothing()
        .returning(EnrolmentRow::as_returning())
        .get_results(conn)
        .await
}

/// The address and name of each of `users`.
pub async fn contacts(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, String, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::email, users::name))
        .load(conn)
        .await
}

/// A course by ID, published or not (for enrolments staff make).
pub async fn course_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<EnrollableCourse> {
    courses::table
        .find(id)
        .select((
            courses::id,
            courses::slug,
            courses::title,
            courses::version,
            courses::access_days,
        ))
        .first(conn)
        .await
}

/// Moves an enrolment to another cohort.
pub async fn set_cohort(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    cohort: Uuid,
) -> QueryResult<EnrolmentRow> {
    diesel::update(enrolments::table.find(id))
        .set(enrolments::cohort_id.eq(cohort))
        .returning(EnrolmentRow::as_returning())
        .get_result(conn)
        .await
}

/// Sets the end of an enrolment's access period.
pub async fn set_access_expires(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    until: DateTime<Utc>,
) -> QueryResult<EnrolmentRow> {
    diesel::update(enrolments::table.find(id))
        .set(enrolments::access_expires_at.eq(until))
        .returning(EnrolmentRow::as_returning())
        .get_result(conn)
        .await
}

/// Whether a cohort takes a new member now: (archived, capacity, members not withdrawn),
/// with the cohort row locked so that two joins cannot both take the last seat.
pub async fn lock_cohort_seats(
    conn: &mut AsyncPgConnection,
    cohort: Uuid,
) -> QueryResult<(bool, Option<i32>, i64)> {
    let (archived, capacity): (Option<DateTime<Utc>>, Option<i32>) = cohorts::table
        .find(cohort)
        .select((cohorts::archived_at, cohorts::capacity))
        .for_update()
        .first(conn)
        .await?;
    let taken = enrolments::table
        .filter(enrolments::cohort_id.eq(cohort))
        .filter(enrolments::state.ne(EnrolmentState::Withdrawn))
        .count()
        .get_result(conn)
        .await?;
    Ok((archived.is_some(), capacity, taken))
}

pub async fn enrolment_for(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    course: Uuid,
) -> QueryResult<EnrolmentRow> {
    enrolments::table
        .filter(
            enrolments::user_id
                .eq(user)
                .and(enrolments::course_id.eq(course)),
        )
        .select(EnrolmentRow::as_select())
        .first(conn)
        .await
}

/// An enrolment by ID.
pub async fn enrolment_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<EnrolmentRow> {
    enrolments::table
        .find(id)
        .select(EnrolmentRow::as_select())
        .first(conn)
        .await
}

/// What the completion notice needs: the enrolment's state, the course title, and the
/// learner's address and name.
pub async fn completion_notice(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(EnrolmentState, String, String, String)>> {
    enrolments::table
        .inner_join(courses::table)
        .inner_join(users::table)
        .filter(enrolments::id.eq(id))
        .select((enrolments::state, courses::title, users::email, users::name))
        .first(conn)
        .await
        .optional()
}

/// An enrolment code with its cohort's course.
#[derive(Debug, Clone, Queryable)]
pub struct CodeRow {
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub course: EnrollableCourse,
}

pub async fn find_code(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<CodeRow>> {
    enrolment_codes::table
        .inner_join(cohorts::table.inner_join(courses::table))
        .filter(enrolment_codes::code.eq(code))
        .filter(courses::published.eq(true))
        .select((
            enrolment_codes::id,
            enrolment_codes::cohort_id,
            enrolment_codes::max_uses,
            enrolment_codes::uses,
            enrolment_codes::expires_at,
            enrolment_codes::disabled_at,
            (
                courses::id,
                courses::slug,
                courses::title,
                courses::version,
                courses::access_days,
            ),
        ))
        .first(conn)
        .await
        .optional()
}

/// Takes one use of a code, atomically: false when it is used up.
pub async fn consume_code(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::update(enrolment_codes::table)
        .filter(enrolment_codes::id.eq(id))
        .filter(
            enrolment_codes::max_uses.is_null().or(enrolment_codes::uses
                .nullable()
                .lt(enrolment_codes::max_uses)),
        )
        .set(enrolment_codes::uses.eq(enrolment_codes::uses + 1))
        .returning(enrolment_codes::id)
        .get_result::<Uuid>(conn)
        .await
        .optional()
        .map(|r| r.is_some())
}

/// The live lesson of an enrolment's course: what names it. What is served comes from
/// [`super::cache::ContentCache`], checked by the revision (read on a miss).
#[derive(Debug, Clone, Queryable)]
pub struct LessonRow {
    pub id: Uuid,
    pub slug: String,
    /// `lessons.revision`: the database sets it afresh whenever the row changes.
    pub revision: i64,
}

/// An enrolment by ID with its course: one query.
pub async fn enrolment_with_course(
    conn: &AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(EnrolmentRow, CourseBrief)>> {
    enrolments::table
        .inner_join(courses::table)
        .filter(enrolments::id.eq(id))
        .select((EnrolmentRow::as_select(), COURSE_BRIEF))
        .first(&mut &*conn)
        .await
        .optional()
}

/// Whether enrolment `id` is in a cohort staff account `staff` owns (one indexed read).
pub async fn in_cohorts_of(conn: &AsyncPgConnection, id: Uuid, staff: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        crate::accounts::staff::owned_enrolments(staff).filter(enrolments::id.eq(id)),
    ))
    .get_result(&mut &*conn)
    .await
}

/// Locks an enrolment's row for the rest of the caller's transaction (`FOR NO KEY UPDATE`, the
/// lock an UPDATE of the row takes) and returns its stored state: every change that can
/// complete a course takes this lock first, so they take turns per enrolment. Takes a shared
/// connection so callers can pipeline it with their own locks.
pub async fn lock_state(conn: &AsyncPgConnection, id: Uuid) -> QueryResult<EnrolmentState> {
    enrolments::table
        .find(id)
        .select(enrolments::state)
        .for_no_key_update()
        .first(&mut &*conn)
        .await
}

/// The IDs of the enrolments `user` owns that are open to them at `at`, as `access` decides
/// for a learner (`Access::Learner` and [`super::ensure_active`]): completed, or active
/// within its access period. A subselect for another feature's write that checks access in
/// its own statement (a quiz autosave); a write that finds nothing opens the enrolment through
/// `access` for the exact refusal. A state added later is left out until listed here, so this
/// can only refuse more than `access`, never allow more (tested against it on every state).
pub fn open_to(
    user: Uuid,
    at: DateTime<Utc>,
) -> enrolments::BoxedQuery<'static, diesel::pg::Pg, diesel::sql_types::Uuid> {
    enrolments::table
        .filter(enrolments::user_id.eq(user))
        .filter(
            enrolments::state
                .eq(EnrolmentState::Completed)
                .or(enrolments::state
                    .eq(EnrolmentState::Active)
                    .and(enrolments::access_expires_at.gt(at))),
        )
        .select(enrolments::id)
        .into_boxed()
}

fn standing(met_at: Option<DateTime<Utc>>, minutes: i32, counts: &Value) -> ExternshipStanding {
    ExternshipStanding {
        met: met_at.is_some(),
        minutes: i64::from(minutes),
        counts: counts
            .as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| v.as_i64().map(|n| (k.clone(), n)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// What the completion engine reads under the enrolment's lock: its state, the externship
/// standing and the completed-item counts the triggers keep on the row.
pub struct Locked {
    pub state: EnrolmentState,
    pub externship: ExternshipStanding,
    /// Completed lessons and passed quizzes, live or retired (`enrolments.lessons_completed`,
    /// `quizzes_passed`): at least as many as count for completion.
    pub lessons_completed: i32,
    pub quizzes_passed: i32,
}

/// The columns [`lock_standing`] returns, as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = enrolments, check_for_backend(diesel::pg::Pg))]
struct StandingRow {
    state: EnrolmentState,
    externship_met_at: Option<DateTime<Utc>>,
    externship_minutes: i32,
    externship_counts: Value,
    lessons_completed: i32,
    quizzes_passed: i32,
}

/// [`lock_state`], also returning what the completion engine needs under the lock.
pub async fn lock_standing(conn: &AsyncPgConnection, id: Uuid) -> QueryResult<Locked> {
    let query = enrolments::table
        .find(id)
        .select(StandingRow::as_select())
        .for_no_key_update();
    let row: StandingRow = fixed(query).get_result(&mut &*conn).await?;
    Ok(Locked {
        state: row.state,
        externship: standing(
            row.externship_met_at,
            row.externship_minutes,
            &row.externship_counts,
        ),
        lessons_completed: row.lessons_completed,
        quizzes_passed: row.quizzes_passed,
    })
}

/// Records the externship standing computed from approved records (in the caller's
/// transaction, after [`lock_state`]). `met_at` is kept from the first time it was met.
pub async fn record_externship(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    standing: &ExternshipStanding,
) -> QueryResult<()> {
    let counts: serde_json::Map<String, Value> = standing
        .counts
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(*v)))
        .collect();
    let minutes = i32::try_from(standing.minutes).unwrap_or(i32::MAX);
    let row = enrolments::table.find(id);
    let figures = (
        enrolments::externship_minutes.eq(minutes),
        enrolments::externship_counts.eq(Value::Object(counts)),
    );
    if standing.met {
        let met_at = coalesce_ts(enrolments::externship_met_at, Some(Utc::now()));
        diesel::update(row)
            .set((figures, enrolments::externship_met_at.eq(met_at)))
            .execute(conn)
            .await?;
    } else {
        let met_at: Option<DateTime<Utc>> = None;
        diesel::update(row)
            .set((figures, enrolments::externship_met_at.eq(met_at)))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Active -> completed. False when the enrolment was not active.
pub async fn mark_completed(conn: &AsyncPgConnection, enrolment: Uuid) -> QueryResult<bool> {
    fixed(
        diesel::update(enrolments::table.find(enrolment))
            .filter(enrolments::state.eq(EnrolmentState::Active))
            .set((
                enrolments::state.eq(EnrolmentState::Completed),
                enrolments::completed_at.eq(Utc::now()),
            )),
    )
    .execute(&mut &*conn)
    .await
    .map(|n| n == 1)
}

/// An enrolment by ID, locked for a state change.
pub async fn lock_with_course(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(EnrolmentRow, CourseBrief)>> {
    // Only the enrolment row is locked (FOR UPDATE on a join would lock the course too).
    let Some(row) = enrolments::table
        .filter(enrolments::id.eq(id))
        .select(EnrolmentRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    let course = courses::table
        .find(row.course_id)
        .select(COURSE_BRIEF)
        .first(conn)
        .await?;
    Ok(Some((row, course)))
}

pub async fn set_withdrawn(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<EnrolmentRow> {
    diesel::update(enrolments::table.find(id))
        .set((
            enrolments::state.eq(EnrolmentState::Withdrawn),
            enrolments::withdrawn_at.eq(diesel::dsl::now),
        ))
        .returning(EnrolmentRow::as_returning())
        .get_result(conn)
        .await
}

/// Back to active; an expired access period is extended by the course's access days from now.
pub async fn set_reactivated(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    access_days: i32,
) -> QueryResult<EnrolmentRow> {
    diesel::update(enrolments::table.find(id))
        .set((
            enrolments::state.eq(EnrolmentState::Active),
            enrolments::withdrawn_at.eq(None::<DateTime<Utc>>),
            enrolments::access_expires_at.eq(greatest_ts(
                enrolments::access_expires_at,
                Utc::now() + chrono::Duration::days(i64::from(access_days)),
            )),
        ))
        .returning(EnrolmentRow::as_returning())
        .get_result(conn)
        .await
}

/// A free-preview lesson of a published course.
pub async fn preview_lesson(
    conn: &mut AsyncPgConnection,
    course: &str,
    lesson: &str,
) -> QueryResult<Option<(CourseBrief, LessonRow)>> {
    lessons::table
        .inner_join(courses::table)
        .filter(courses::slug.eq(course).and(courses::published.eq(true)))
        .filter(lessons::slug.eq(lesson))
        .filter(
            lessons::retired_at
                .is_null()
                .and(lessons::free_preview.eq(true)),
        )
        .select((
            COURSE_BRIEF,
            (lessons::id, lessons::slug, lessons::revision),
        ))
        .first(conn)
        .await
        .optional()
}
