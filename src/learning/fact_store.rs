//! The hot reads of an enrolment with its progress facts in one statement: the facts come as
//! one record column of the enrolment's own row (lesson IDs with their completion times, quiz
//! outcomes, as arrays), so the enrolment, its course, the lesson asked for and the facts cost
//! one statement instead of two, with no join to the lessons or quizzes for their slugs (the
//! outline in the content cache names every ID, [`super::progress::Outline::slug_of`]).
//!
//! Facts change far less often than they are read, so the process keeps each enrolment's
//! ([`FactCache`]) with the `enrolments.facts_version` it was read at. The migration's triggers
//! set that version from a sequence in the same statement as any change to the facts (a
//! sequence never hands out a number twice, even one a rolled-back transaction took, so a
//! version names one state of the facts whatever snapshot read it), and a read passes the
//! versions it holds: the statement returns the facts only for a row whose version moved on
//! (`NULL` for the others: PostgreSQL evaluates only the `CASE` branch it takes, so a warm read
//! is primary-key lookups only). The facts column is a typed fragment with a constant text
//! ([`FactsColumn`]), so diesel keys each statement's prepared form by its type; each is also
//! [`fixed`]: its text built once per process (diesel-async builds it on every call).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use diesel::pg::sql_types::Record;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Int4, Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::progress::{Facts, Outline, QuizFact};
use super::store::{COURSE_BRIEF, CourseBrief, EnrolmentRow, LessonRow};
use crate::db::prepared::fixed;
use crate::db::schema::{courses, enrolments, lessons};

/// An enrolment's progress rows as parallel arrays, each in item ID order: lesson IDs and
/// their completion times; quiz IDs, the time each was passed, the best percent and the
/// attempts used.
#[derive(Debug, Clone, Default)]
pub struct FactArrays {
    lessons: Vec<Uuid>,
    completed_at: Vec<Option<DateTime<Utc>>>,
    quizzes: Vec<Uuid>,
    passed_at: Vec<Option<DateTime<Utc>>>,
    best_percent: Vec<i32>,
    attempts_used: Vec<i32>,
}

type ArraysTuple = (
    Vec<Uuid>,
    Vec<Option<DateTime<Utc>>>,
    Vec<Uuid>,
    Vec<Option<DateTime<Utc>>>,
    Vec<i32>,
    Vec<i32>,
);

impl From<ArraysTuple> for FactArrays {
    fn from(t: ArraysTuple) -> Self {
        let (lessons, completed_at, quizzes, passed_at, best_percent, attempts_used) = t;
        FactArrays {
            lessons,
            completed_at,
            quizzes,
            passed_at,
            best_percent,
            attempts_used,
        }
    }
}

type ArraysRecord = Record<(
    Array<diesel::sql_types::Uuid>,
    Array<Nullable<Timestamptz>>,
    Array<diesel::sql_types::Uuid>,
    Array<Nullable<Timestamptz>>,
    Array<Int4>,
    Array<Int4>,
)>;

/// The facts of the row's enrolment as one record column (correlated on `enrolments.id`; each
/// array an index scan of its table's primary key, which leads with `enrolment_id`), or `NULL`
/// when the caller holds the row's version: `versions` and `ids` are the enrolment IDs and
/// versions the caller holds, in two parallel lists.
///
/// Its own expression type rather than an SQL literal: its text is a constant, so it has a
/// static query ID, and diesel keys the prepared statement of a query holding it by that type
/// instead of hashing the whole SQL text (a twentieth of a lesson read's instructions).
#[derive(Debug, Clone)]
struct FactsColumn {
    versions: Vec<i64>,
    ids: Vec<Uuid>,
}

/// The text after the two lists.
const FACTS_ARRAYS: &str = concat!(
    ", enrolments.id)] THEN NULL ELSE ROW(",
    "ARRAY(SELECT p.lesson_id FROM lesson_progress p WHERE p.enrolment_id = enrolments.id ORDER BY p.lesson_id), ",
    "ARRAY(SELECT p.completed_at FROM lesson_progress p WHERE p.enrolment_id = enrolments.id ORDER BY p.lesson_id), ",
    "ARRAY(SELECT o.quiz_id FROM quiz_outcomes o WHERE o.enrolment_id = enrolments.id ORDER BY o.quiz_id), ",
    "ARRAY(SELECT o.passed_at FROM quiz_outcomes o WHERE o.enrolment_id = enrolments.id ORDER BY o.quiz_id), ",
    "ARRAY(SELECT o.best_percent FROM quiz_outcomes o WHERE o.enrolment_id = enrolments.id ORDER BY o.quiz_id), ",
    "ARRAY(SELECT o.attempts_used FROM quiz_outcomes o WHERE o.enrolment_id = enrolments.id ORDER BY o.quiz_id)",
    ") END",
);

impl diesel::expression::Expression for FactsColumn {
    type SqlType = Nullable<ArraysRecord>;
}

impl diesel::query_builder::QueryId for FactsColumn {
    type QueryId = FactsColumn;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for FactsColumn {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("CASE WHEN enrolments.facts_version = (");
        out.push_bind_param::<Array<BigInt>, _>(&self.versions)?;
        out.push_sql(")[array_position(");
        out.push_bind_param::<Array<diesel::sql_types::Uuid>, _>(&self.ids)?;
        out.push_sql(FACTS_ARRAYS);
        Ok(())
    }
}

impl<QS> diesel::expression::AppearsOnTable<QS> for FactsColumn {}

impl<QS> diesel::expression::SelectableExpression<QS> for FactsColumn {}

impl diesel::expression::ValidGrouping<()> for FactsColumn {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

fn facts_column(known: &Known) -> FactsColumn {
    FactsColumn {
        versions: known.versions.clone(),
        ids: known.ids.clone(),
    }
}

/// The enrolments whose facts a read already holds: their IDs and versions, to pass to the
/// statement, and the facts themselves (held here, so an eviction meanwhile loses nothing).
#[derive(Default)]
struct Known {
    ids: Vec<Uuid>,
    versions: Vec<i64>,
    arrays: Vec<Arc<FactArrays>>,
}

impl Known {
    /// The facts of enrolment `id` as the row says: read with it (`Some`, kept in `cache` at
    /// `version`), or the ones held at that version.
    fn resolve(
        &self,
        cache: &FactCache,
        id: Uuid,
        version: i64,
        read: Option<ArraysTuple>,
    ) -> QueryResult<Arc<FactArrays>> {
        if let Some(read) = read {
            let arrays = Arc::new(FactArrays::from(read));
            cache.put(id, version, arrays.clone());
            return Ok(arrays);
        }
        self.ids
            .iter()
            .position(|k| *k == id)
            .filter(|&i| self.versions[i] == version)
            .map(|i| self.arrays[i].clone())
            .ok_or_else(|| {
                diesel::result::Error::DeserializationError(
                    format!("no facts for enrolment {id} at version {version}").into(),
                )
            })
    }
}

/// Enrolments kept at most; past it the cache starts over (an entry is a few hundred bytes
/// for a course of 40 lessons).
const MAX_ENROLMENTS: usize = 16_384;

/// Each enrolment's facts as last read, with the `facts_version` they were read at, and each
/// learner's enrolments as their dashboard last listed them (so its next read can pass their
/// versions).
#[derive(Default)]
pub struct FactCache {
    facts: RwLock<HashMap<Uuid, (i64, Arc<FactArrays>)>>,
    listed: RwLock<HashMap<Uuid, Vec<Uuid>>>,
}

impl FactCache {
    fn known(&self, ids: impl IntoIterator<Item = Uuid>) -> Known {
        let map = self.facts.read().unwrap_or_else(|e| e.into_inner());
        let mut known = Known::default();
        for id in ids {
            if let Some((version, arrays)) = map.get(&id) {
                known.ids.push(id);
                known.versions.push(*version);
                known.arrays.push(arrays.clone());
            }
        }
        known
    }

    fn put(&self, id: Uuid, version: i64, arrays: Arc<FactArrays>) {
        let mut map = self.facts.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENROLMENTS && !map.contains_key(&id) {
            map.clear();
        }
        map.insert(id, (version, arrays));
    }

    fn listed(&self, user: Uuid) -> Vec<Uuid> {
        let map = self.listed.read().unwrap_or_else(|e| e.into_inner());
        map.get(&user).cloned().unwrap_or_default()
    }

    fn list(&self, user: Uuid, ids: Vec<Uuid>) {
        let mut map = self.listed.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENROLMENTS && !map.contains_key(&user) {
            map.clear();
        }
        map.insert(user, ids);
    }
}

/// An enrolment by ID with its course, its facts and, when `lesson` names a live lesson of
/// the course, that lesson: one statement.
pub async fn enrolment_with_facts(
    conn: &AsyncPgConnection,
    cache: &FactCache,
    id: Uuid,
    lesson: Option<&str>,
) -> QueryResult<
    Option<(
        EnrolmentRow,
        CourseBrief,
        Option<LessonRow>,
        Arc<FactArrays>,
    )>,
> {
    let known = cache.known([id]);
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
            (lessons::id, lessons::slug, lessons::revision).nullable(),
            enrolments::facts_version,
            facts_column(&known),
        ))
        .limit(1);
    let found: Option<(_, _, _, i64, Option<ArraysTuple>)> =
        fixed(query).get_result(&mut &*conn).await.optional()?;
    let Some((row, course, lesson, version, read)) = found else {
        return Ok(None);
    };
    let arrays = known.resolve(cache, id, version, read)?;
    Ok(Some((row, course, lesson, arrays)))
}

/// Every enrolment of a learner with its course and its facts, most recently active first:
/// one statement.
pub async fn enrolments_with_facts(
    conn: &AsyncPgConnection,
    cache: &FactCache,
    user: Uuid,
) -> QueryResult<Vec<(EnrolmentRow, CourseBrief, Arc<FactArrays>)>> {
    let known = cache.known(cache.listed(user));
    let query = enrolments::table
        .inner_join(courses::table)
        .filter(enrolments::user_id.eq(user))
        .order((enrolments::last_activity_at.desc(), enrolments::id))
        .select((
            EnrolmentRow::as_select(),
            COURSE_BRIEF,
            enrolments::facts_version,
            facts_column(&known),
        ));
    let rows: Vec<(EnrolmentRow, CourseBrief, i64, Option<ArraysTuple>)> =
        fixed(query).load(&mut &*conn).await?;
    let listed = rows.iter().map(|(row, ..)| row.id).collect::<Vec<_>>();
    if listed != known.ids {
        cache.list(user, listed);
    }
    rows.into_iter()
        .map(|(row, course, version, read)| {
            let arrays = known.resolve(cache, row.id, version, read)?;
            Ok((row, course, arrays))
        })
        .collect()
}

/// The facts of one enrolment, read whatever the cache holds (the completion engine's read
/// under its row lock): one statement.
pub async fn facts_of(conn: &AsyncPgConnection, id: Uuid) -> QueryResult<FactArrays> {
    let query = enrolments::table
        .filter(enrolments::id.eq(id))
        .select(facts_column(&Known::default()));
    let read: Option<ArraysTuple> = fixed(query).get_result(&mut &*conn).await?;
    let read = read
        .ok_or_else(|| diesel::result::Error::DeserializationError("facts read as NULL".into()))?;
    Ok(FactArrays::from(read))
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
