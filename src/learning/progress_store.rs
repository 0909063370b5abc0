//! The writes of a learner's lesson progress rows (`lesson_progress`): a lesson opened, a
//! lesson completed (within the headroom in one statement, or inside the completion engine's
//! transaction), time on task. The rows' trigger keeps the enrolment's counts, facts version
//! and resume point in the same statement (migrations `row_counting_triggers` and
//! `lesson_rows_set_the_resume_point`). Like [`super::store`], every function binds its
//! parameters and is prepared once per connection.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Int4, Jsonb, Nullable, Timestamptz};
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::db::prepared::fixed;
use crate::db::schema::{enrolments, lesson_progress};

diesel::define_sql_function! {
    #[sql_name = "coalesce"]
    fn coalesce_ts(a: Nullable<Timestamptz>, b: Nullable<Timestamptz>) -> Nullable<Timestamptz>;
}

diesel::define_sql_function! {
    #[sql_name = "coalesce"]
    fn coalesce_json(a: Nullable<Jsonb>, b: Nullable<Jsonb>) -> Nullable<Jsonb>;
}

/// Records that a lesson was opened (`first`: insert its progress row, a row that exists is
/// kept; the lesson rows' trigger makes it the enrolment's resume point with fresh activity)
/// or else (`touch`) makes it the enrolment's last lesson with fresh activity.
pub async fn record_open(
    conn: &AsyncPgConnection,
    enrolment: Uuid,
    lesson: Uuid,
    first: bool,
    touch: bool,
) -> QueryResult<()> {
    let at = Utc::now();
    let open = async {
        if !first {
            return Ok(0);
        }
        fixed(
            diesel::insert_into(lesson_progress::table)
                .values((
                    lesson_progress::enrolment_id.eq(enrolment),
                    lesson_progress::lesson_id.eq(lesson),
                    lesson_progress::first_opened_at.eq(at),
                    lesson_progress::updated_at.eq(at),
                ))
                .on_conflict((lesson_progress::enrolment_id, lesson_progress::lesson_id))
                .do_nothing(),
        )
        .execute(&mut &*conn)
        .await
    };
    let last = async {
        // A first opening's row makes the lesson the resume point: the lesson rows' trigger
        // does it in the UPDATE of the enrolment that records the row.
        if first || !touch {
            return Ok(0);
        }
        fixed(diesel::update(enrolments::table.find(enrolment)).set((
            enrolments::last_lesson_id.eq(lesson),
            enrolments::last_activity_at.eq(at),
        )))
        .execute(&mut &*conn)
        .await
    };
    futures_util::try_join!(open, last).map(|_| ())
}

/// Marks a lesson complete, keeping the earliest completion time (two requests at once
/// record it once: the second one's upsert sees the first's row). Returns the recorded time.
pub async fn record_completion(
    conn: &AsyncPgConnection,
    enrolment: Uuid,
    lesson: Uuid,
) -> QueryResult<DateTime<Utc>> {
    let at = Utc::now();
    let completed: Option<DateTime<Utc>> = fixed(
        diesel::insert_into(lesson_progress::table)
            .values((
                lesson_progress::enrolment_id.eq(enrolment),
                lesson_progress::lesson_id.eq(lesson),
                lesson_progress::first_opened_at.eq(at),
                lesson_progress::completed_at.eq(Some(at)),
                lesson_progress::updated_at.eq(at),
            ))
            .on_conflict((lesson_progress::enrolment_id, lesson_progress::lesson_id))
            .do_update()
            .set((
                lesson_progress::completed_at.eq(coalesce_ts(
                    lesson_progress::completed_at,
                    excluded(lesson_progress::completed_at),
                )),
                lesson_progress::updated_at.eq(excluded(lesson_progress::updated_at)),
            ))
            .returning(lesson_progress::completed_at),
    )
    .get_result(&mut &*conn)
    .await?;
    Ok(completed.unwrap_or(at))
}

/// The counts on an enrolment's locked row that prove its course still incomplete after one
/// more completed lesson (set by the completion engine from the outline,
/// `completion::lesson_headroom`): fewer than `lessons_below` lessons completed, fewer than
/// `quizzes_below` quizzes passed, or (with `externship`) the externship not met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headroom {
    pub lessons_below: i32,
    pub quizzes_below: i32,
    pub externship: bool,
}

#[derive(QueryableByName)]
struct CompletedAt {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    completed_at: Option<DateTime<Utc>>,
}

/// A lesson's completion in one statement, its own transaction, when the counts on the
/// enrolment's row show the course cannot be complete after it (`headroom`): the statement
/// locks the row and records the completion only if the locked counts leave room (the lesson
/// rows' trigger then counts it and makes the lesson the enrolment's resume point). Returns the
/// recorded completion time (the first one kept, as [`record_completion`]), or `None` when
/// nothing was recorded: the counts allow completion, and the caller runs the completion
/// engine in a transaction. The counts are read under the lock, after any concurrent writer
/// committed, so a completion this records can never be the one that completes the course.
/// Raw SQL: diesel's builder has no `INSERT ... SELECT` from a data-modifying `WITH`.
pub async fn complete_within_headroom(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    lesson: Uuid,
    headroom: Headroom,
) -> QueryResult<Option<DateTime<Utc>>> {
    use diesel::sql_types::{Bool, Uuid as SqlUuid};
    let statement = diesel::sql_query(
        "WITH standing AS ( \
           SELECT lessons_completed, quizzes_passed, externship_met_at FROM enrolments \
            WHERE id = $1 FOR NO KEY UPDATE) \
         INSERT INTO lesson_progress (enrolment_id, lesson_id, first_opened_at, completed_at, updated_at) \
         SELECT $1, $2, $3, $3, $3 FROM standing \
          WHERE lessons_completed < $4 OR quizzes_passed < $5 OR ($6 AND externship_met_at IS NULL) \
         ON CONFLICT (enrolment_id, lesson_id) DO UPDATE \
           SET completed_at = coalesce(lesson_progress.completed_at, excluded.completed_at), \
               updated_at = excluded.updated_at \
         RETURNING completed_at",
    )
    .bind::<SqlUuid, _>(enrolment)
    .bind::<SqlUuid, _>(lesson)
    .bind::<Timestamptz, _>(Utc::now())
    .bind::<Int4, _>(headroom.lessons_below)
    .bind::<Int4, _>(headroom.quizzes_below)
    .bind::<Bool, _>(headroom.externship);
    let row: Option<CompletedAt> = fixed(statement).get_result(conn).await.optional()?;
    Ok(row.and_then(|r| r.completed_at))
}

/// Adds time on task to a lesson and its enrolment and records the last position, in the
/// caller's transaction.
pub async fn record_heartbeat(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    lesson: Uuid,
    seconds: i64,
    position: Option<&Value>,
) -> QueryResult<(i64, i64)> {
    let at = Utc::now();
    let lesson_total: i64 = diesel::insert_into(lesson_progress::table)
        .values((
            lesson_progress::enrolment_id.eq(enrolment),
            lesson_progress::lesson_id.eq(lesson),
            lesson_progress::first_opened_at.eq(at),
            lesson_progress::time_spent_seconds.eq(seconds),
            lesson_progress::last_position.eq(position),
            lesson_progress::updated_at.eq(at),
        ))
        .on_conflict((lesson_progress::enrolment_id, lesson_progress::lesson_id))
        .do_update()
        .set((
            lesson_progress::time_spent_seconds
                .eq(lesson_progress::time_spent_seconds
                    + excluded(lesson_progress::time_spent_seconds)),
            lesson_progress::last_position.eq(coalesce_json(
                excluded(lesson_progress::last_position),
                lesson_progress::last_position,
            )),
            lesson_progress::updated_at.eq(excluded(lesson_progress::updated_at)),
        ))
        .returning(lesson_progress::time_spent_seconds)
        .get_result(conn)
        .await?;
    let enrolment_total: i64 = diesel::update(enrolments::table.find(enrolment))
        .set((
            enrolments::time_spent_seconds.eq(enrolments::time_spent_seconds + seconds),
            enrolments::last_activity_at.eq(at),
            enrolments::last_lesson_id.eq(lesson),
        ))
        .returning(enrolments::time_spent_seconds)
        .get_result(conn)
        .await?;
    Ok((lesson_total, enrolment_total))
}
