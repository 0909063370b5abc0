//! Readiness by certification exam domain: per domain of the exam outlines a course declares,
//! the share of questions a learner answered correctly across their graded (submitted)
//! attempts, taking the latest answer per question, and how many distinct questions that
//! rests on; per cohort, the mean of its members' shares. Each is one SQL statement; the
//! shaping (percent, the weakest domain, lesson links) is pure and tested here.
//!
//! "Correct" is full credit (`credit >= 1`), as in the item statistics; a question drawn in a
//! graded attempt and left unanswered counts (credit 0). A question's domains are its tags as
//! imported now (retired questions lose theirs). The lessons that teach a domain are the live
//! lessons of the modules whose question banks hold a live question tagged with it.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, SmallInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A domain with its outline, as both statements select it.
#[derive(Debug, Clone, QueryableByName)]
pub struct DomainHead {
    /// The course's slug (for the lesson links).
    #[diesel(sql_type = Text)]
    pub course: String,
    #[diesel(sql_type = Text)]
    pub exam: String,
    #[diesel(sql_type = Text)]
    pub exam_name: String,
    #[diesel(sql_type = Text)]
    pub exam_body: String,
    #[diesel(sql_type = Text)]
    pub source: String,
    #[diesel(sql_type = Text)]
    pub source_title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub edition: Option<String>,
    #[diesel(sql_type = Text)]
    pub domain: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub weight_low: Option<i16>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    pub weight_high: Option<i16>,
    /// JSON array of `{slug, title}`: the lessons that teach the domain, in course order.
    #[diesel(sql_type = Text)]
    pub lessons: String,
}

/// One domain of a learner's readiness.
#[derive(Debug, QueryableByName)]
pub struct LearnerDomainRow {
    #[diesel(embed)]
    pub head: DomainHead,
    /// Distinct questions of the domain the learner has a graded answer to.
    #[diesel(sql_type = BigInt)]
    pub questions: i64,
    /// Of those, answered correctly (full credit) the latest time.
    #[diesel(sql_type = BigInt)]
    pub correct: i64,
}

/// One domain of a cohort's readiness.
#[derive(Debug, QueryableByName)]
pub struct CohortDomainRow {
    #[diesel(embed)]
    pub head: DomainHead,
    /// Members with at least one graded answer in the domain.
    #[diesel(sql_type = BigInt)]
    pub learners: i64,
    /// The members' distinct questions answered in the domain, added up.
    #[diesel(sql_type = BigInt)]
    pub questions: i64,
    /// The mean over those members of each one's share correct (0 to 1).
    #[diesel(sql_type = Nullable<Double>)]
    pub mean_share: Option<f64>,
}

/// The domain head's columns and lesson list, over `exam_domains d JOIN exam_outlines o`.
const HEAD: &str = r#"
       (SELECT c.slug FROM courses c WHERE c.id = d.course_id) AS course,
       o.slug AS exam, o.name AS exam_name, o.body AS exam_body, o.source, o.source_title,
       o.edition, d.slug AS domain, d.title, d.weight_low, d.weight_high,
       (SELECT coalesce(json_agg(json_build_object('slug', t.slug, 'title', t.title)
                                 ORDER BY t.mpos, t.lpos), '[]')::text
          FROM (SELECT DISTINCT le.slug, le.title, m.position AS mpos, le.position AS lpos
                  FROM question_domains qt
                  JOIN questions q ON q.id = qt.question_id AND q.retired_at IS NULL
                  JOIN question_banks b ON b.id = q.bank_id AND b.retired_at IS NULL
                  JOIN course_modules m ON m.id = b.module_id AND m.retired_at IS NULL
                  JOIN lessons le ON le.module_id = m.id AND le.retired_at IS NULL
                 WHERE qt.course_id = d.course_id AND qt.exam_slug = d.exam_slug
                   AND qt.domain_slug = d.slug) t) AS lessons"#;

/// `$1` the enrolment, `$2` its course.
fn learner_sql() -> String {
    format!(
        r#"
WITH latest AS (
    SELECT DISTINCT ON (aq.question_id) aq.question_id, aq.credit
      FROM quiz_attempts a
      JOIN attempt_questions aq ON aq.attempt_id = a.id
     WHERE a.enrolment_id = $1 AND a.state = 'submitted' AND aq.credit IS NOT NULL
     ORDER BY aq.question_id, a.submitted_at DESC, a.number DESC
)
SELECT {HEAD},
       count(l.question_id) AS questions,
       count(l.question_id) FILTER (WHERE l.credit >= 1) AS correct
  FROM exam_domains d
  JOIN exam_outlines o ON o.course_id = d.course_id AND o.slug = d.exam_slug
  LEFT JOIN question_domains qd
         ON qd.course_id = d.course_id AND qd.exam_slug = d.exam_slug AND qd.domain_slug = d.slug
  LEFT JOIN latest l ON l.question_id = qd.question_id
 WHERE d.course_id = $2
 GROUP BY o.course_id, o.slug, d.course_id, d.exam_slug, d.slug
 ORDER BY o.position, d.position
"#
    )
}

/// `$1` the cohort, `$2` its course. Every member's enrolment counts, withdrawn ones too (their
/// answers were given).
fn cohort_sql() -> String {
    format!(
        r#"
WITH latest AS (
    SELECT DISTINCT ON (a.enrolment_id, aq.question_id) a.enrolment_id, aq.question_id, aq.credit
      FROM enrolments e
      JOIN quiz_attempts a ON a.enrolment_id = e.id AND a.state = 'submitted'
      JOIN attempt_questions aq ON aq.attempt_id = a.id AND aq.credit IS NOT NULL
     WHERE e.cohort_id = $1
     ORDER BY a.enrolment_id, aq.question_id, a.submitted_at DESC, a.number DESC
), per AS (
    SELECT l.enrolment_id, qd.exam_slug, qd.domain_slug, count(*) AS n,
           count(*) FILTER (WHERE l.credit >= 1) AS c
      FROM latest l
      JOIN question_domains qd ON qd.question_id = l.question_id AND qd.course_id = $2
     GROUP BY l.enrolment_id, qd.exam_slug, qd.domain_slug
)
SELECT {HEAD},
       count(p.enrolment_id) AS learners,
       coalesce(sum(p.n), 0)::bigint AS questions,
       avg(p.c::float8 / p.n) AS mean_share
  FROM exam_domains d
  JOIN exam_outlines o ON o.course_id = d.course_id AND o.slug = d.exam_slug
  LEFT JOIN per p ON p.exam_slug = d.exam_slug AND p.domain_slug = d.slug
 WHERE d.course_id = $2
 GROUP BY o.course_id, o.slug, d.course_id, d.exam_slug, d.slug
 ORDER BY o.position, d.position
"#
    )
}

/// A learner's readiness rows: one statement.
pub async fn of_enrolment(
    conn: &AsyncPgConnection,
    enrolment: Uuid,
    course: Uuid,
) -> QueryResult<Vec<LearnerDomainRow>> {
    diesel::sql_query(learner_sql())
        .bind::<SqlUuid, _>(enrolment)
        .bind::<SqlUuid, _>(course)
        .load(&mut &*conn)
        .await
}

/// A cohort's readiness rows: one statement.
pub async fn of_cohort(
    conn: &AsyncPgConnection,
    cohort: Uuid,
    course: Uuid,
) -> QueryResult<Vec<CohortDomainRow>> {
    diesel::sql_query(cohort_sql())
        .bind::<SqlUuid, _>(cohort)
        .bind::<SqlUuid, _>(course)
        .load(&mut &*conn)
        .await
}

// ---- the response ---------------------------------------------------------------------------

/// A domain's published weight in percent of the exam: a single figure (`low == high`) or a
/// range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Weight {
    pub low: i32,
    pub high: i32,
}

/// A lesson that teaches a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DomainLesson {
    pub slug: String,
    pub title: String,
    /// The web app's URL of the lesson: `/courses/<course>/lessons/<lesson>`.
    pub href: String,
}

/// One domain of an exam, with what the readiness rests on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DomainReadiness {
    pub slug: String,
    pub title: String,
    /// `null`: the certifying body's weight is not published in the outline cited.
    pub weight: Option<Weight>,
    /// Distinct questions (learner) or answers added up over members (cohort) behind the figure.
    pub questions: i64,
    /// Learner: questions whose latest graded answer was fully correct.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct: Option<i64>,
    /// Cohort: members with at least one graded answer in the domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learners: Option<i64>,
    /// Percent correct, one decimal (cohort: the mean of the members' percents); `null` when
    /// nothing has been answered yet.
    pub percent: Option<f64>,
    pub lessons: Vec<DomainLesson>,
}

/// One exam outline the course prepares for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExamReadiness {
    pub slug: String,
    pub name: String,
    pub body: String,
    pub source: String,
    pub source_title: String,
    pub edition: Option<String>,
    pub domains: Vec<DomainReadiness>,
    /// The slug of the domain with the lowest percent among those with answers (ties: the
    /// higher published weight, then outline order); `null` before any answer.
    pub weakest: Option<String>,
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Percent correct of `correct` out of `questions`, one decimal; `None` for none.
pub fn percent(correct: i64, questions: i64) -> Option<f64> {
    (questions > 0).then(|| round1(100.0 * correct as f64 / questions as f64))
}

fn lessons(course: &str, json: &str) -> Vec<DomainLesson> {
    #[derive(Deserialize)]
    struct L {
        slug: String,
        title: String,
    }
    serde_json::from_str::<Vec<L>>(json)
        .unwrap_or_default()
        .into_iter()
        .map(|l| DomainLesson {
            href: format!("/courses/{course}/lessons/{}", l.slug),
            slug: l.slug,
            title: l.title,
        })
        .collect()
}

fn weight(h: &DomainHead) -> Option<Weight> {
    match (h.weight_low, h.weight_high) {
        (Some(low), Some(high)) => Some(Weight {
            low: low.into(),
            high: high.into(),
        }),
        _ => None,
    }
}

/// The weakest domain: lowest percent among those with one; ties to the higher weight
/// (its high end; unpublished counts as 0), then the earlier domain.
pub fn weakest(domains: &[DomainReadiness]) -> Option<String> {
    let mut best: Option<(&DomainReadiness, f64)> = None;
    for d in domains {
        let Some(p) = d.percent else { continue };
        let w = |x: &DomainReadiness| x.weight.map_or(0, |w| w.high);
        let better = match best {
            None => true,
            Some((b, bp)) => p < bp || (p == bp && w(d) > w(b)),
        };
        if better {
            best = Some((d, p));
        }
    }
    best.map(|(d, _)| d.slug.clone())
}

/// Groups rows (in outline order) into exams, each domain built by `domain`.
fn group<R>(
    rows: Vec<R>,
    head: impl Fn(&R) -> &DomainHead,
    domain: impl Fn(&R, Option<Weight>, Vec<DomainLesson>) -> DomainReadiness,
) -> Vec<ExamReadiness> {
    let mut exams: Vec<ExamReadiness> = Vec::new();
    for r in rows {
        let h = head(&r);
        let d = domain(&r, weight(h), lessons(&h.course, &h.lessons));
        match exams.last_mut() {
            Some(e) if e.slug == h.exam => e.domains.push(d),
            _ => exams.push(ExamReadiness {
                slug: h.exam.clone(),
                name: h.exam_name.clone(),
                body: h.exam_body.clone(),
                source: h.source.clone(),
                source_title: h.source_title.clone(),
                edition: h.edition.clone(),
                domains: vec![d],
                weakest: None,
            }),
        }
    }
    for e in &mut exams {
        e.weakest = weakest(&e.domains);
    }
    exams
}

/// A learner's exams from [`of_enrolment`]'s rows.
pub fn learner_exams(rows: Vec<LearnerDomainRow>) -> Vec<ExamReadiness> {
    group(
        rows,
        |r| &r.head,
        |r, weight, lessons| DomainReadiness {
            slug: r.head.domain.clone(),
            title: r.head.title.clone(),
            weight,
            questions: r.questions,
            correct: Some(r.correct),
            learners: None,
            percent: percent(r.correct, r.questions),
            lessons,
        },
    )
}

/// A cohort's exams from [`of_cohort`]'s rows.
pub fn cohort_exams(rows: Vec<CohortDomainRow>) -> Vec<ExamReadiness> {
    group(
        rows,
        |r| &r.head,
        |r, weight, lessons| DomainReadiness {
            slug: r.head.domain.clone(),
            title: r.head.title.clone(),
            weight,
            questions: r.questions,
            correct: None,
            learners: Some(r.learners),
            percent: r.mean_share.map(|s| round1(100.0 * s)),
            lessons,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(slug: &str, percent: Option<f64>, high: Option<i32>) -> DomainReadiness {
        DomainReadiness {
            slug: slug.into(),
            title: slug.into(),
            weight: high.map(|h| Weight { low: h, high: h }),
            questions: 1,
            correct: None,
            learners: None,
            percent,
            lessons: vec![],
        }
    }

    #[test]
    fn percent_is_one_decimal_and_none_without_answers() {
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(1, 8), Some(12.5));
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(0, 4), Some(0.0));
    }

    #[test]
    fn the_weakest_is_the_lowest_answered_then_the_heavier() {
        assert_eq!(weakest(&[d("a", None, None), d("b", None, None)]), None);
        let ds = [
            d("a", Some(80.0), None),
            d("b", Some(50.0), Some(10)),
            d("c", None, None),
        ];
        assert_eq!(weakest(&ds).as_deref(), Some("b"));
        let tie = [d("a", Some(50.0), Some(10)), d("b", Some(50.0), Some(20))];
        assert_eq!(weakest(&tie).as_deref(), Some("b"));
        let first = [d("a", Some(50.0), None), d("b", Some(50.0), None)];
        assert_eq!(weakest(&first).as_deref(), Some("a"));
    }

    #[test]
    fn lessons_link_to_the_web_app() {
        let l = lessons("c", r#"[{"slug":"x","title":"X"}]"#);
        assert_eq!(l[0].href, "/courses/c/lessons/x");
        assert!(lessons("c", "[]").is_empty());
    }
}
