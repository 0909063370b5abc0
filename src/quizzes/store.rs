//! Quiz queries. Hot paths use diesel's query builder (prepared once per connection); the
//! admin item statistics are one aggregate in SQL. Functions taking `&AsyncPgConnection` can
//! be pipelined: polled together, their statements go out in one round trip.

use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Double, Int4, Jsonb, Nullable, Text, Timestamptz};
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::state::{AttemptState, ReviewPolicy};
use crate::accounts::staff::{owned_cohorts, owned_enrolments};
use crate::db::prepared::fixed;
use crate::db::schema::{
    attempt_questions, cohorts, courses, question_banks, questions, quiz_attempts, quiz_outcomes,
    quizzes,
};

diesel::define_sql_function! {
    #[sql_name = "greatest"]
    fn greatest_int(a: Int4, b: Int4) -> Int4;
}

diesel::define_sql_function! {
    /// Sets each listed position's answer and credit (migration `grade_function`); returns
    /// how many positions it updated. One statement text whatever the number of questions, so
    /// it is prepared once per connection.
    fn grade_attempt_questions(
        attempt: diesel::sql_types::Uuid,
        positions: Array<Int4>,
        answers: Array<Nullable<Jsonb>>,
        credits: Array<Double>,
    ) -> Int4;
}

diesel::define_sql_function! {
    #[sql_name = "coalesce"]
    fn coalesce_ts(a: Nullable<Timestamptz>, b: Nullable<Timestamptz>) -> Nullable<Timestamptz>;
}

type QuizCols = (
    quizzes::id,
    quizzes::course_id,
    quizzes::slug,
    quizzes::title,
    quizzes::is_final,
    quizzes::required,
    quizzes::requires_other_requirements,
    quizzes::pass_percent,
    quizzes::max_attempts,
    quizzes::time_limit_minutes,
    quizzes::cooldown_minutes,
    quizzes::review,
    quizzes::draw,
);
const QUIZ: QuizCols = (
    quizzes::id,
    quizzes::course_id,
    quizzes::slug,
    quizzes::title,
    quizzes::is_final,
    quizzes::required,
    quizzes::requires_other_requirements,
    quizzes::pass_percent,
    quizzes::max_attempts,
    quizzes::time_limit_minutes,
    quizzes::cooldown_minutes,
    quizzes::review,
    quizzes::draw,
);

#[derive(Debug, Clone, Queryable)]
pub struct QuizRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub slug: String,
    pub title: String,
    pub is_final: bool,
    pub required: bool,
    pub requires_other_requirements: bool,
    pub pass_percent: i32,
    pub max_attempts: i32,
    pub time_limit_minutes: i32,
    pub cooldown_minutes: i32,
    pub review: ReviewPolicy,
    pub draw: Value,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = quiz_attempts)]
pub struct AttemptRow {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub quiz_id: Uuid,
    pub number: i32,
    pub state: AttemptState,
    pub started_at: DateTime<Utc>,
    pub deadline: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub late: bool,
    pub pass_percent: i32,
    pub score: Option<f64>,
    pub max_score: i32,
    pub percent: Option<i32>,
    pub passed: Option<bool>,
    pub answers: Value,
    pub saved_at: Option<DateTime<Utc>>,
}

/// The live quizzes with this slug, in every course (a slug is unique within a course only;
/// the caller keeps the one of its enrolment's course). It does not depend on the enrolment,
/// so it is pipelined with the enrolment's own reads.
pub async fn live_quizzes(conn: &AsyncPgConnection, quiz: &str) -> QueryResult<Vec<QuizRow>> {
    quizzes::table
        .filter(quizzes::slug.eq(quiz).and(quizzes::retired_at.is_null()))
        .select(QUIZ)
        .load(&mut &*conn)
        .await
}

/// Every attempt of an enrolment at the quiz with this slug, newest first.
pub async fn attempts_of(
    conn: &AsyncPgConnection,
    enrolment: Uuid,
    quiz: &str,
) -> QueryResult<Vec<AttemptRow>> {
    quiz_attempts::table
        .inner_join(quizzes::table)
        .filter(quiz_attempts::enrolment_id.eq(enrolment))
        .filter(quizzes::slug.eq(quiz))
        .order(quiz_attempts::number.desc())
        .select(AttemptRow::as_select())
        .load(&mut &*conn)
        .await
}

/// A question as stored, with its bank.
#[derive(Debug, Clone, Queryable)]
pub struct QuestionRow {
    pub id: Uuid,
    pub kind: String,
    pub prompt_html: String,
    pub explanation_html: String,
    pub shuffle: bool,
    pub spec: Value,
    pub must_pass: bool,
    /// The lesson section to review (must-pass questions): its URL and label.
    pub review_href: Option<String>,
    pub review_label: Option<String>,
}

type QuestionCols = (
    questions::id,
    questions::kind,
    questions::prompt_html,
    questions::explanation_html,
    questions::shuffle,
    questions::spec,
    questions::must_pass,
    questions::review_href,
    questions::review_label,
);
const QUESTION: QuestionCols = (
    questions::id,
    questions::kind,
    questions::prompt_html,
    questions::explanation_html,
    questions::shuffle,
    questions::spec,
    questions::must_pass,
    questions::review_href,
    questions::review_label,
);

/// The live questions of some banks of a course, with their bank's slug: one query.
pub async fn live_questions(
    conn: &mut AsyncPgConnection,
    course: Uuid,
    banks: &[String],
) -> QueryResult<Vec<(String, QuestionRow)>> {
    questions::table
        .inner_join(question_banks::table)
        .filter(question_banks::course_id.eq(course))
        .filter(question_banks::slug.eq_any(banks))
        .filter(question_banks::retired_at.is_null())
        .filter(questions::retired_at.is_null())
        .order((question_banks::slug, questions::position))
        .select((question_banks::slug, QUESTION))
        .load(conn)
        .await
}

/// One drawn question of an attempt, for the insert at start.
pub struct NewAttemptQuestion {
    pub position: i32,
    pub question_id: Uuid,
    pub layout: Value,
    /// The question was must-pass when drawn.
    pub must_pass: bool,
}

pub struct NewAttempt {
    pub enrolment_id: Uuid,
    pub quiz_id: Uuid,
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub deadline: Option<DateTime<Utc>>,
    pub pass_percent: i32,
    pub max_score: i32,
}

/// Inserts an attempt and its drawn questions (two statements whatever the number of
/// questions), in the caller's transaction. `None`: another request opened an attempt (or
/// took this number) first; nothing was written.
pub async fn insert_attempt(
    conn: &mut AsyncPgConnection,
    attempt: &NewAttempt,
    drawn: &[NewAttemptQuestion],
) -> QueryResult<Option<AttemptRow>> {
    let Some(row) = diesel::insert_into(quiz_attempts::table)
        .values((
            quiz_attempts::enrolment_id.eq(attempt.enrolment_id),
            quiz_attempts::quiz_id.eq(attempt.quiz_id),
            quiz_attempts::number.eq(attempt.number),
            quiz_attempts::started_at.eq(attempt.started_at),
            quiz_attempts::deadline.eq(attempt.deadline),
            quiz_attempts::pass_percent.eq(attempt.pass_percent),
            quiz_attempts::max_score.eq(attempt.max_score),
        ))
        // The unique indexes decide: one open attempt per quiz, one row per number.
        .on_conflict_do_nothing()
        .returning(AttemptRow::as_returning())
        .get_result(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    let values: Vec<_> = drawn
        .iter()
        .map(|q| {
            (
                attempt_questions::attempt_id.eq(row.id),
                attempt_questions::position.eq(q.position),
                attempt_questions::question_id.eq(q.question_id),
                attempt_questions::layout.eq(&q.layout),
                attempt_questions::must_pass.eq(q.must_pass),
            )
        })
        .collect();
    diesel::insert_into(attempt_questions::table)
        .values(values)
        .execute(conn)
        .await?;
    Ok(Some(row))
}

/// An attempt with its quiz and the learner's outcome at this quiz (passed at, attempts
/// used). The enrolment is opened through `learning::access` with the attempt's
/// `enrolment_id`.
pub type AttemptContext = (AttemptRow, QuizRow, Option<(Option<DateTime<Utc>>, i32)>);

pub async fn attempt_context(
    conn: &AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<AttemptContext>> {
    let query = quiz_attempts::table
        .inner_join(quizzes::table)
        .left_join(
            quiz_outcomes::table.on(quiz_outcomes::enrolment_id
                .eq(quiz_attempts::enrolment_id)
                .and(quiz_outcomes::quiz_id.eq(quiz_attempts::quiz_id))),
        )
        .filter(quiz_attempts::id.eq(id))
        .select((
            AttemptRow::as_select(),
            QUIZ,
            (quiz_outcomes::passed_at, quiz_outcomes::attempts_used).nullable(),
        ))
        .limit(1);
    fixed(query).get_result(&mut &*conn).await.optional()
}

/// One position of an attempt, naming its question by ID and revision (the question itself
/// comes from [`super::question_cache`]).
#[derive(Debug, Clone, Queryable)]
pub struct PositionRow {
    pub position: i32,
    pub layout: Value,
    pub answer: Option<Value>,
    pub credit: Option<f64>,
    /// The question was must-pass when drawn: getting it wrong fails the attempt.
    pub must_pass: bool,
    pub question_id: Uuid,
    /// `questions.revision`: the database sets it afresh whenever the row changes.
    pub revision: i64,
}

type PositionCols = (
    attempt_questions::position,
    attempt_questions::layout,
    attempt_questions::answer,
    attempt_questions::credit,
    attempt_questions::must_pass,
    questions::id,
    questions::revision,
);
const POSITION: PositionCols = (
    attempt_questions::position,
    attempt_questions::layout,
    attempt_questions::answer,
    attempt_questions::credit,
    attempt_questions::must_pass,
    questions::id,
    questions::revision,
);

/// The positions of an attempt, in order (all of them for `None`, else those at `positions`:
/// an autosave validates just the answers it carries): one query.
pub async fn attempt_positions(
    conn: &AsyncPgConnection,
    attempt: Uuid,
    positions: Option<&[i32]>,
) -> QueryResult<Vec<PositionRow>> {
    let query = attempt_questions::table
        .inner_join(questions::table)
        .filter(attempt_questions::attempt_id.eq(attempt))
        .order(attempt_questions::position)
        .select(POSITION);
    match positions {
        None => fixed(query).load(&mut &*conn).await,
        Some(at) => {
            // A range of two scalars, not `= ANY(array)`: PostgreSQL planned the array form
            // afresh on every bind (0.3 ms, most of an autosave's database time), while this
            // one keeps its generic plan (a primary-key range scan). The range's rows between
            // the positions asked for are dropped here.
            let (Some(&low), Some(&high)) = (at.iter().min(), at.iter().max()) else {
                return Ok(Vec::new());
            };
            let range = query.filter(attempt_questions::position.between(low, high));
            let mut rows: Vec<PositionRow> = fixed(range).load(&mut &*conn).await?;
            rows.retain(|r| at.contains(&r.position));
            Ok(rows)
        }
    }
}

/// Questions by ID with their revisions: one query.
pub async fn questions_by_id(
    conn: &AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(i64, QuestionRow)>> {
    questions::table
        .filter(questions::id.eq_any(ids))
        .select((questions::revision, QUESTION))
        .load(&mut &*conn)
        .await
}

/// An autosave's change to an attempt's saved answers: `(answers - cleared) || patch`, saved
/// at `at`, refused once the attempt is past `cutoff` (its deadline plus grace).
pub struct AnswersChange<'a> {
    pub attempt: Uuid,
    pub patch: &'a Value,
    pub cleared: Vec<String>,
    pub at: DateTime<Utc>,
    pub cutoff: DateTime<Utc>,
}

/// What an autosave's statement checks itself: that the attempt's enrolment is open to `user`
/// (learning's rule for a learner's own enrolment), and, when `revisions` is set, that the
/// questions at positions `low..=high` are at the revisions the answers were checked against
/// in memory, by their sum (a change gives a row a revision above every earlier one, so the
/// sum moves whichever rows change).
pub struct SaveGuard {
    pub user: Uuid,
    pub low: i32,
    pub high: i32,
    pub revisions: Option<i64>,
}

/// Merges saved answers into an open attempt not past its cutoff, when `guard` holds: one
/// statement. Returns the time saved and the attempt's deadline; `None` when the attempt is
/// closed, not the user's to change, or its questions changed since they were read: nothing
/// was saved.
pub async fn save_answers(
    conn: &mut AsyncPgConnection,
    change: AnswersChange<'_>,
    guard: &SaveGuard,
) -> QueryResult<Option<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)>> {
    use diesel::dsl::sql;
    let unchanged = sql::<Bool>("(")
        .bind::<Nullable<BigInt>, _>(guard.revisions)
        .sql(" IS NULL OR (SELECT sum(q.revision)::int8 FROM attempt_questions aq ")
        .sql("JOIN questions q ON q.id = aq.question_id WHERE aq.attempt_id = ")
        .bind::<diesel::sql_types::Uuid, _>(change.attempt)
        .sql(" AND aq.position BETWEEN ")
        .bind::<Int4, _>(guard.low)
        .sql(" AND ")
        .bind::<Int4, _>(guard.high)
        .sql(") = ")
        .bind::<Nullable<BigInt>, _>(guard.revisions)
        .sql(")");
    let open_to = crate::learning::enrolments_open_to(guard.user, change.at);
    fixed(
        diesel::update(quiz_attempts::table.find(change.attempt))
            .filter(quiz_attempts::state.eq(AttemptState::Open))
            .filter(
                quiz_attempts::deadline
                    .is_null()
                    .or(quiz_attempts::deadline.gt(change.cutoff)),
            )
            .filter(quiz_attempts::enrolment_id.eq_any(open_to))
            .filter(unchanged)
            .set((
                quiz_attempts::answers.eq(quiz_attempts::answers
                    .remove(change.cleared)
                    .concat(change.patch)),
                quiz_attempts::saved_at.eq(change.at),
            ))
            .returning((quiz_attempts::saved_at, quiz_attempts::deadline)),
    )
    .get_result(conn)
    .await
    .optional()
}

/// Locks the enrolment row (through `learning`, as every completion trigger does) and then
/// the attempt, for the rest of the transaction: concurrent submits of one attempt take turns
/// here, and the second sees it submitted. Two statements pipelined into one round trip; the
/// server runs them in the order sent, so the enrolment is always locked first.
pub async fn lock_enrolment_and_attempt(
    conn: &AsyncPgConnection,
    enrolment: Uuid,
    id: Uuid,
) -> QueryResult<AttemptRow> {
    let attempt = quiz_attempts::table
        .find(id)
        .select(AttemptRow::as_select())
        .for_no_key_update()
        .first(&mut &*conn);
    let (_, attempt) =
        futures_util::try_join!(crate::learning::lock_enrolment(conn, enrolment), attempt)?;
    Ok(attempt)
}

pub struct Grade {
    pub submitted_at: DateTime<Utc>,
    pub late: bool,
    pub score: f64,
    pub percent: i32,
    pub passed: bool,
}

/// Records a grade: the attempt becomes submitted, each position gets its answer and credit
/// (one call of `grade_attempt_questions`), and the quiz outcome keeps the best percent, the
/// first pass and the count of submitted attempts. The three statements are pipelined (one
/// round trip). Returns the attempt and the outcome (passed at, attempts used).
pub async fn record_grade(
    conn: &AsyncPgConnection,
    attempt: &AttemptRow,
    grade: &Grade,
    results: &[(i32, Option<&Value>, f64)],
) -> QueryResult<(AttemptRow, (Option<DateTime<Utc>>, i32))> {
    let row = fixed(
        diesel::update(quiz_attempts::table.find(attempt.id))
            .set((
                quiz_attempts::state.eq(AttemptState::Submitted),
                quiz_attempts::submitted_at.eq(grade.submitted_at),
                quiz_attempts::late.eq(grade.late),
                quiz_attempts::score.eq(grade.score),
                quiz_attempts::percent.eq(grade.percent),
                quiz_attempts::passed.eq(grade.passed),
            ))
            .returning(AttemptRow::as_returning()),
    )
    .get_result(&mut &*conn);
    let positions = grade_positions(conn, attempt.id, results);
    let passed_at = grade.passed.then_some(grade.submitted_at);
    let outcome = fixed(
        diesel::insert_into(quiz_outcomes::table)
            .values((
                quiz_outcomes::enrolment_id.eq(attempt.enrolment_id),
                quiz_outcomes::quiz_id.eq(attempt.quiz_id),
                quiz_outcomes::best_percent.eq(grade.percent),
                quiz_outcomes::passed_at.eq(passed_at),
                quiz_outcomes::attempts_used.eq(1),
                quiz_outcomes::updated_at.eq(Utc::now()),
            ))
            .on_conflict((quiz_outcomes::enrolment_id, quiz_outcomes::quiz_id))
            .do_update()
            .set((
                quiz_outcomes::best_percent.eq(greatest_int(
                    quiz_outcomes::best_percent,
                    excluded(quiz_outcomes::best_percent),
                )),
                quiz_outcomes::passed_at.eq(coalesce_ts(
                    quiz_outcomes::passed_at,
                    excluded(quiz_outcomes::passed_at),
                )),
                quiz_outcomes::attempts_used.eq(quiz_outcomes::attempts_used + 1),
                quiz_outcomes::updated_at.eq(excluded(quiz_outcomes::updated_at)),
            ))
            .returning((quiz_outcomes::passed_at, quiz_outcomes::attempts_used)),
    )
    .get_result(&mut &*conn);
    let (row, (), outcome) = futures_util::try_join!(row, positions, outcome)?;
    Ok((row, outcome))
}

/// Each position's graded answer and credit: one cached statement. Every position of an
/// attempt has its row from the start, so all of them must be updated.
async fn grade_positions(
    conn: &AsyncPgConnection,
    attempt: Uuid,
    results: &[(i32, Option<&Value>, f64)],
) -> QueryResult<()> {
    if results.is_empty() {
        return Ok(());
    }
    let positions: Vec<i32> = results.iter().map(|r| r.0).collect();
    let answers: Vec<Option<&Value>> = results.iter().map(|r| r.1).collect();
    let credits: Vec<f64> = results.iter().map(|r| r.2).collect();
    let n: i32 = diesel::select(grade_attempt_questions(
        attempt, positions, answers, credits,
    ))
    .get_result(&mut &*conn)
    .await?;
    if n as usize != results.len() {
        // The draw's rows are written at start, so this is a broken invariant, not a missing
        // record: a 500 (cause logged), and the transaction rolls back.
        return Err(diesel::result::Error::QueryBuilderError(
            format!(
                "attempt {attempt}: graded {n} positions of {}",
                results.len()
            )
            .into(),
        ));
    }
    Ok(())
}

// ---- item statistics ------------------------------------------------------------------------

/// Per question of a course, over the graded positions of submitted attempts. The
/// discrimination is PostgreSQL's `corr` (Pearson) of the item's credit against the
/// attempt's percent without this item, `100 × (score − credit) / (max_score − 1)`: the
/// corrected item–total (point-biserial, for 0/1 items) correlation. NULL under 10 graded
/// responses, and when either side does not vary. `$2`, when not NULL, is a staff account:
/// only attempts of the members of its cohorts count (`accounts::staff::owned_enrolments`
/// written out, since this statement is text).
const ITEM_STATS: &str = r#"
SELECT b.slug AS bank, q.slug AS slug, q.kind AS kind, q.retired_at IS NOT NULL AS retired,
       count(g.credit) AS shown,
       count(g.answer) AS answered,
       (100.0 * avg(CASE WHEN g.credit >= 1 THEN 1.0 WHEN g.credit IS NOT NULL THEN 0.0 END))::float8
           AS percent_correct,
       avg(g.credit) AS mean_credit,
       CASE WHEN count(g.credit) >= 10
            THEN corr(g.credit, 100.0 * (g.score - g.credit) / NULLIF(g.max_score - 1, 0))
       END AS discrimination
  FROM questions q
  JOIN question_banks b ON b.id = q.bank_id
  JOIN courses c ON c.id = b.course_id
  LEFT JOIN course_modules m ON m.id = b.module_id
  LEFT JOIN (SELECT aq.question_id, aq.answer, aq.credit, a.score, a.max_score
               FROM attempt_questions aq
               JOIN quiz_attempts a ON a.id = aq.attempt_id AND a.state = 'submitted'
              WHERE $2::uuid IS NULL
                 OR a.enrolment_id IN (SELECT e.id
                                         FROM enrolments e
                                         JOIN cohort_staff s ON s.cohort_id = e.cohort_id
                                        WHERE s.user_id = $2)) g
         ON g.question_id = q.id
 WHERE c.slug = $1
 GROUP BY b.slug, m.position, q.id
 ORDER BY m.position NULLS LAST, b.slug, q.position, q.slug
"#;

#[derive(Debug, QueryableByName)]
pub struct ItemStatsRow {
    #[diesel(sql_type = Text)]
    pub bank: String,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Bool)]
    pub retired: bool,
    #[diesel(sql_type = BigInt)]
    pub shown: i64,
    #[diesel(sql_type = BigInt)]
    pub answered: i64,
    #[diesel(sql_type = Nullable<Double>)]
    pub percent_correct: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub mean_credit: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub discrimination: Option<f64>,
}

/// The course's existence, its submitted attempts and the per-question aggregate: three
/// statements pipelined into one round trip. With `staff` (a staff account), the course must
/// be one where it owns a cohort (else `None`, as for a missing course), and only its
/// cohorts' members' attempts count.
pub async fn item_stats(
    conn: &AsyncPgConnection,
    course: &str,
    staff: Option<Uuid>,
) -> QueryResult<Option<(i64, Vec<ItemStatsRow>)>> {
    let mut exists = courses::table
        .filter(courses::slug.eq(course))
        .select(courses::id)
        .into_boxed();
    let mut attempts = quiz_attempts::table
        .inner_join(quizzes::table.inner_join(courses::table))
        .filter(courses::slug.eq(course))
        .filter(quiz_attempts::state.eq(AttemptState::Submitted))
        .select(count_star())
        .into_boxed();
    if let Some(staff) = staff {
        let theirs = cohorts::table
            .filter(cohorts::id.eq_any(owned_cohorts(staff)))
            .select(cohorts::course_id);
        exists = exists.filter(courses::id.eq_any(theirs));
        attempts = attempts.filter(quiz_attempts::enrolment_id.eq_any(owned_enrolments(staff)));
    }
    let exists = exists.first::<Uuid>(&mut &*conn);
    let attempts = attempts.first::<i64>(&mut &*conn);
    let rows = diesel::sql_query(ITEM_STATS)
        .bind::<Text, _>(course)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(staff)
        .load::<ItemStatsRow>(&mut &*conn);
    let (exists, attempts, rows) = futures_util::join!(exists, attempts, rows);
    match exists.optional()? {
        None => Ok(None),
        Some(_) => Ok(Some((attempts?, rows?))),
    }
}
