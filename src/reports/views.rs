//! The reports' response types and how a dashboard row becomes a [`Learner`]: percent
//! complete and the module reached come from learning's pure functions over the row's facts,
//! the flags from [`super::risk::flags`].

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::risk::{self, FAILED_ATTEMPTS, Inputs, Risk, Thresholds};
use super::store::LearnerRow;
use crate::credentials::Status;
use crate::credentials::state::{Standing, status};
use crate::learning::EnrolmentState;
use crate::learning::progress::{Facts, Outline, QuizFact, percent_complete};

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardCohort {
    pub id: Uuid,
    pub name: String,
    pub starts_on: NaiveDate,
    #[schema(required = true)]
    pub target_on: Option<NaiveDate>,
    /// Live lessons of the course.
    pub lessons_total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortDashboard {
    pub cohort: DashboardCohort,
    pub items: Vec<Learner>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserRef {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleRef {
    pub slug: String,
    pub title: String,
    /// 1-based, in course order.
    pub position: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizScore {
    pub slug: String,
    pub title: String,
    /// Best percent (0..100); `null` before a submitted attempt.
    #[schema(required = true)]
    pub best_score: Option<i32>,
    pub attempts: i32,
    pub passed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberExternship {
    /// Approved hours.
    pub hours: f64,
    pub hours_required: f64,
    /// Approved successful unaided collections.
    pub collections: i64,
    pub collections_required: i64,
    /// Attestation requests waiting for a supervisor.
    pub pending_attestations: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateRef {
    pub id: Uuid,
    pub serial: i64,
    pub status: Status,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Learner {
    pub enrolment_id: Uuid,
    pub user: UserRef,
    pub state: EnrolmentState,
    /// 0..100, learning's rule (live lessons and required quizzes).
    pub percent_complete: i32,
    pub lessons_completed: i64,
    pub last_activity_at: DateTime<Utc>,
    /// The last module, in course order, in which the learner opened a lesson.
    #[schema(required = true)]
    pub module_reached: Option<ModuleRef>,
    pub quizzes: Vec<QuizScore>,
    /// `null` when the course has no externship.
    #[schema(required = true)]
    pub externship: Option<MemberExternship>,
    #[schema(required = true)]
    pub certificate: Option<CertificateRef>,
    pub risks: Vec<Risk>,
}

#[derive(Deserialize)]
struct LessonFact {
    slug: String,
    completed_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct QuizRow {
    slug: String,
    best_percent: i32,
    attempts_used: i32,
    passed: bool,
}

#[derive(Deserialize)]
struct CertRow {
    id: Uuid,
    serial: i64,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    superseded_by: Option<Uuid>,
}

/// Learning's [`Facts`] from a dashboard row's JSON (malformed JSON is a bug: empty facts).
pub fn facts(row: &LearnerRow) -> Facts {
    let lessons: Vec<LessonFact> = serde_json::from_value(row.lessons.clone()).unwrap_or_default();
    let quizzes: Vec<QuizRow> = serde_json::from_value(row.quizzes.clone()).unwrap_or_default();
    let mut f = Facts::default();
    for l in lessons {
        f.opened.insert(l.slug.clone());
        if let Some(at) = l.completed_at {
            f.completed.insert(l.slug, at);
        }
    }
    f.quizzes = quizzes
        .into_iter()
        .map(|q| {
            let fact = QuizFact {
                best_percent: q.best_percent,
                attempts_used: q.attempts_used,
                passed: q.passed,
            };
            (q.slug, fact)
        })
        .collect::<HashMap<_, _>>();
    f
}

/// The last module in course order with an opened lesson.
pub fn module_reached(outline: &Outline, facts: &Facts) -> Option<ModuleRef> {
    outline
        .modules
        .iter()
        .enumerate()
        .rev()
        .find(|(_, m)| m.lessons.iter().any(|l| facts.opened.contains(&l.slug)))
        .map(|(i, m)| ModuleRef {
            slug: m.slug.clone(),
            title: m.title.clone(),
            position: i as i32 + 1,
        })
}

/// Every quiz of the course in course order, with the learner's standing.
fn quiz_scores(outline: &Outline, facts: &Facts) -> Vec<QuizScore> {
    all_quizzes(outline)
        .map(|q| {
            let f = facts.quizzes.get(&q.slug).filter(|f| f.attempts_used > 0);
            QuizScore {
                slug: q.slug.clone(),
                title: q.title.clone(),
                best_score: f.map(|f| f.best_percent),
                attempts: f.map_or(0, |f| f.attempts_used),
                passed: facts.quiz_passed(&q.slug),
            }
        })
        .collect()
}

/// Module quizzes then course-level ones.
pub fn all_quizzes(
    outline: &Outline,
) -> impl Iterator<Item = &crate::learning::progress::OutlineQuiz> {
    outline
        .modules
        .iter()
        .filter_map(|m| m.quiz.as_ref())
        .chain(outline.quizzes.iter())
}

/// The quizzes a learner must pass: completion's and the module gates (`required`).
pub fn must_pass(outline: &Outline) -> Vec<String> {
    all_quizzes(outline)
        .filter(|q| q.required || outline.completion.required_quizzes.contains(&q.slug))
        .map(|q| q.slug.clone())
        .collect()
}

/// Collections the course requires: its minimum total, or the sum of its procedures.
pub fn collections_required(outline: &Outline) -> i64 {
    outline.externship.as_ref().map_or(0, |x| {
        x.min_total_procedures
            .unwrap_or_else(|| x.procedures.iter().map(|p| p.min_count).sum())
    })
}

fn externship(outline: &Outline, row: &LearnerRow) -> Option<MemberExternship> {
    let rules = outline.externship.as_ref()?;
    let collections = row
        .externship_counts
        .as_object()
        .map_or(0, |m| m.values().filter_map(|v| v.as_i64()).sum());
    Some(MemberExternship {
        hours: (row.externship_minutes as f64 / 60.0 * 100.0).round() / 100.0,
        hours_required: rules.total_hours,
        collections,
        collections_required: collections_required(outline),
        pending_attestations: row.pending,
    })
}

fn certificate(row: &LearnerRow, now: DateTime<Utc>) -> Option<CertificateRef> {
    let c: CertRow = serde_json::from_value(row.certificate.clone()?).ok()?;
    let standing = Standing {
        expires_at: c.expires_at,
        revoked_at: c.revoked_at,
        superseded_by: c.superseded_by,
    };
    Some(CertificateRef {
        id: c.id,
        serial: c.serial,
        status: status(standing, now),
    })
}

/// Titles (quoted) of must-pass quizzes failed [`FAILED_ATTEMPTS`] times and not passed.
fn failed_quizzes(outline: &Outline, facts: &Facts, must: &[String]) -> Vec<String> {
    all_quizzes(outline)
        .filter(|q| must.contains(&q.slug))
        .filter(|q| {
            facts
                .quizzes
                .get(&q.slug)
                .is_some_and(|f| !f.passed && f.attempts_used >= FAILED_ATTEMPTS)
        })
        .map(|q| format!("\"{}\"", q.title))
        .collect()
}

/// A dashboard row as the API shows it.
pub fn learner(outline: &Outline, must: &[String], t: &Thresholds, row: LearnerRow) -> Learner {
    let facts = facts(&row);
    let percent = percent_complete(outline, &facts);
    let state = row.state.effective(row.access_expires_at, t.now);
    let inputs = Inputs {
        open: state == EnrolmentState::Active,
        last_activity_at: row.last_activity_at,
        percent: percent as i64,
        failed_quizzes: failed_quizzes(outline, &facts, must),
        oldest_pending: row.oldest_pending,
    };
    let lessons_completed = outline
        .lessons()
        .filter(|(_, l)| facts.is_completed(&l.slug))
        .count() as i64;
    Learner {
        enrolment_id: row.id,
        user: UserRef {
            id: row.user_id,
            name: row.name.clone(),
            email: row.email.clone(),
        },
        state,
        percent_complete: percent,
        lessons_completed,
        last_activity_at: row.last_activity_at,
        module_reached: module_reached(outline, &facts),
        quizzes: quiz_scores(outline, &facts),
        externship: externship(outline, &row),
        certificate: certificate(&row, t.now),
        risks: risk::flags(&inputs, t),
    }
}

// ---- outcomes and charts ----------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema, PartialEq)]
pub struct Outcomes {
    /// Members not withdrawn.
    pub enrolled: i64,
    pub completed: i64,
    /// completed / enrolled (0..1), `null` with no members.
    #[schema(required = true)]
    pub completion_rate: Option<f64>,
    /// Median days from start to completion of the completed members.
    #[schema(required = true)]
    pub median_days_to_complete: Option<f64>,
    /// Of the members who submitted the final exam, those who passed their first attempt.
    #[schema(required = true)]
    pub final_exam_first_attempt_pass_rate: Option<f64>,
    /// Of the members of a course with an externship, those whose requirements are met.
    #[schema(required = true)]
    pub externship_completion_rate: Option<f64>,
}

pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionPoint {
    pub date: NaiveDate,
    /// Members completed by the end of this day.
    pub completed: i64,
    /// Members the schedule expects completed by this day (straight line from the start to
    /// the target date over the enrolled members); `null` without a target date.
    #[schema(required = true)]
    pub expected: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelStep {
    pub module: ModuleRef,
    /// Members who opened at least one lesson of this module.
    pub reached: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizRef {
    pub slug: String,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Bucket {
    /// Percent, inclusive.
    pub from: i32,
    /// Percent, inclusive.
    pub to: i32,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreDistribution {
    pub quiz: QuizRef,
    pub buckets: Vec<Bucket>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Charts {
    pub completion: Vec<CompletionPoint>,
    pub funnel: Vec<FunnelStep>,
    pub scores: Vec<ScoreDistribution>,
}
