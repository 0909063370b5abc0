//! The hot reads of an enrolment with its progress facts in one statement: the facts come as
//! array columns of the enrolment's own row (lesson IDs with their completion times, quiz
//! outcomes), so the enrolment, its course, the lesson asked for and the facts cost one
//! statement instead of two, with no join to the lessons or quizzes for their slugs (the
//! outline in the content cache names every ID, [`super::progress::Outline::slug_of`]).
//! Diesel does not cache a statement with SQL literals in it, so both are [`prepared`]: once
//! per connection.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::progress::{Facts, Outline, QuizFact};
use super::store::{COURSE_BRIEF, CourseBrief, EnrolmentRow, LessonRow};
use crate::db::prepared::prepared;
use crate::db::schema::{courses, enrolments, lessons};

/// An enrolment's progress rows as parallel arrays, each in item ID order: lesson IDs and
/// their completion times; quiz IDs, the time each was passed, the best percent and the
/// attempts used.
#[derive(Debug, Clone, Default, Queryable)]
pub struct FactArrays {
    lessons: Vec<Uuid>,
    completed_at: Vec<Option<DateTime<Utc>>>,
    quizzes: Vec<Uuid>,
    passed_at: Vec<Option<DateTime<Utc>>>,
    best_percent: Vec<i32>,
    attempts_used: Vec<i32>,
}

type FactColumns = (
    SqlLiteral<Array<diesel::sql_types::Uuid>>,
    SqlLiteral<Array<Nullable<Timestamptz>>>,
    SqlLiteral<Array<diesel::sql_types::Uuid>>,
    SqlLiteral<Array<Nullable<Timestamptz>>>,
    SqlLiteral<Array<Int4>>,
    SqlLiteral<Array<Int4>>,
);

/// The [`FactArrays`] of the row's enrolment, as columns (correlated on `enrolments.id`; each
/// an index scan of the table's primary key, which leads with `enrolment_id`).
fn fact_columns() -> FactColumns {
    const LESSON: &str = "FROM lesson_progress p WHERE p.enrolment_id = enrolments.id \
                          ORDER BY p.lesson_id)";
    const QUIZ: &str = "FROM quiz_outcomes o WHERE o.enrolment_id = enrolments.id \
                        ORDER BY o.quiz_id)";
    (
        sql(&format!("ARRAY(SELECT p.lesson_id {LESSON}")),
        sql(&format!("ARRAY(SELECT p.completed_at {LESSON}")),
        sql(&format!("ARRAY(SELECT o.quiz_id {QUIZ}")),
        sql(&format!("ARRAY(SELECT o.passed_at {QUIZ}")),
        sql(&format!("ARRAY(SELECT o.best_percent {QUIZ}")),
        sql(&format!("ARRAY(SELECT o.attempts_used {QUIZ}")),
    )
}

/// An enrolment by ID with its course, its facts and, when `lesson` names a live lesson of
/// the course, that lesson: one statement.
pub async fn enrolment_with_facts(
    conn: &AsyncPgConnection,
    id: Uuid,
    lesson: Option<&str>,
) -> QueryResult<Option<(EnrolmentRow, CourseBrief, Option<LessonRow>, FactArrays)>> {
    let query = enrolments::table
        .inner_join(courses::table)
        .left_join(
            lessons::table.on(lessons::course_id
                .eq(enrolments::course_id)
                .and(lessons::slug.nullable().eq(lesson))
                .and(lessons::retired_at.is_null())),
        )
        .filter(enrolments::id.eq(id))
        .select((
            EnrolmentRow::as_select(),
            COURSE_BRIEF,
            (lessons::id, lessons::slug, lessons::content_hash).nullable(),
            fact_columns(),
        ))
        .limit(1);
    prepared(query).get_result(&mut &*conn).await.optional()
}

/// Every enrolment of a learner with its course and its facts, most recently active first:
/// one statement.
pub async fn enrolments_with_facts(
    conn: &AsyncPgConnection,
    user: Uuid,
) -> QueryResult<Vec<(EnrolmentRow, CourseBrief, FactArrays)>> {
    let query = enrolments::table
        .inner_join(courses::table)
        .filter(enrolments::user_id.eq(user))
        .order((enrolments::last_activity_at.desc(), enrolments::id))
        .select((EnrolmentRow::as_select(), COURSE_BRIEF, fact_columns()));
    prepared(query).load(&mut &*conn).await
}

/// The facts of one enrolment (the completion engine's read under its row lock): one
/// statement.
pub async fn facts_of(conn: &AsyncPgConnection, id: Uuid) -> QueryResult<FactArrays> {
    let query = enrolments::table
        .filter(enrolments::id.eq(id))
        .select(fact_columns());
    prepared(query).get_result(&mut &*conn).await
}

impl FactArrays {
    /// The [`Facts`] these arrays hold, named by `outline` (a lesson or quiz the outline does
    /// not know, which only a concurrent re-import can add, is left out: the next read has
    /// it). `last_lesson` is the enrolment's resume point.
    pub fn facts(&self, outline: &Outline, last_lesson: Option<Uuid>) -> Facts {
        let mut facts = Facts::default();
        for (id, at) in self.lessons.iter().zip(&self.completed_at) {
            let Some(slug) = outline.slug_of(id) else {
                continue;
            };
            facts.opened.insert(slug.to_string());
            if let Some(at) = at {
                facts.completed.insert(slug.to_string(), *at);
            }
            if last_lesson == Some(*id) {
                facts.last_lesson = Some(slug.to_string());
            }
        }
        let quizzes = self
            .quizzes
            .iter()
            .zip(&self.passed_at)
            .zip(self.best_percent.iter().zip(&self.attempts_used));
        for ((id, passed), (&best_percent, &attempts_used)) in quizzes {
            if let Some(slug) = outline.slug_of(id) {
                let fact = QuizFact {
                    best_percent,
                    attempts_used,
                    passed: passed.is_some(),
                };
                facts.quizzes.insert(slug.to_string(), fact);
            }
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arrays_become_facts_named_by_the_outline() {
        let mut outline = Outline::parse(
            &json!({
                "sequential": true,
                "modules": [{"slug": "m1", "title": "One", "lessons": [
                    {"slug": "a", "title": "A", "estimated_minutes": 5},
                    {"slug": "b", "title": "B", "estimated_minutes": 5}],
                    "quiz": {"slug": "q1", "title": "Quiz", "required": true, "pass_percent": 80}}],
                "completion": {"all_lessons": true, "required_quizzes": ["q1"], "externship": false}
            })
            .to_string(),
        )
        .unwrap();
        let (a, b, q, unknown) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        outline.name_items([(a, "a".into()), (b, "b".into()), (q, "q1".into())]);
        let at = Utc::now();
        let arrays = FactArrays {
            lessons: vec![a, b, unknown],
            completed_at: vec![Some(at), None, Some(at)],
            quizzes: vec![q],
            passed_at: vec![None],
            best_percent: vec![60],
            attempts_used: vec![2],
        };
        let f = arrays.facts(&outline, Some(b));
        assert_eq!(f.completed.len(), 1);
        assert_eq!(f.completed["a"], at);
        assert_eq!(f.opened.len(), 2, "the unknown lesson is left out");
        assert_eq!(f.last_lesson.as_deref(), Some("b"));
        let quiz = f.quizzes["q1"];
        assert!(!quiz.passed);
        assert_eq!((quiz.best_percent, quiz.attempts_used), (60, 2));
    }
}
