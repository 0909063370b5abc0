//! The quiz views: the response types, and how an attempt and its questions are shown (the
//! drawn layout, positional keys, the review the quiz's policy allows). Pure; the routes in
//! `handlers.rs` read, then call these.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::grading::{self, Layout, Spec};
use super::question_cache::AttemptQuestionRow;
use super::state::{AttemptOutcome, AttemptState, QuizStatus, ReviewPolicy};
use super::store::{AttemptRow, QuizRow};
use crate::learning::cache::Raw;

// ---- views ----------------------------------------------------------------------------------

/// One attempt in a quiz's history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttemptSummary {
    pub id: Uuid,
    pub number: i32,
    pub state: AttemptState,
    pub started_at: DateTime<Utc>,
    #[schema(required = true)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub percent: Option<i32>,
    #[schema(required = true)]
    pub passed: Option<bool>,
}

/// A quiz as one enrolment stands with it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuizView {
    pub slug: String,
    pub title: String,
    /// The module's slug; `null` for a course-level quiz (the final exam).
    #[schema(required = true)]
    pub module: Option<String>,
    #[serde(rename = "final")]
    pub is_final: bool,
    pub required: bool,
    pub pass_percent: i32,
    pub question_count: i32,
    /// 0 = untimed.
    pub time_limit_minutes: i32,
    /// 0 = unlimited.
    pub max_attempts: i32,
    pub cooldown_minutes: i32,
    pub review: ReviewPolicy,
    /// Which score counts: `best`.
    pub scoring: String,
    pub status: QuizStatus,
    /// Plain words when `status` is `locked`.
    #[schema(required = true)]
    pub locked_reason: Option<String>,
    /// When `status` is `cooldown`: the next start time.
    #[schema(required = true)]
    pub available_at: Option<DateTime<Utc>>,
    pub attempts_used: i32,
    /// `null` = unlimited.
    #[schema(required = true)]
    pub attempts_left: Option<i32>,
    /// `null` before any submitted attempt.
    #[schema(required = true)]
    pub best_percent: Option<i32>,
    pub passed: bool,
    #[schema(required = true)]
    pub open_attempt: Option<Uuid>,
    /// Newest first.
    pub attempts: Vec<AttemptSummary>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuizBrief {
    pub slug: String,
    pub title: String,
    pub pass_percent: i32,
    pub review: ReviewPolicy,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChoiceView {
    /// `c1`, `c2`, ... in the order shown.
    pub key: String,
    /// Rendered Markdown (inline).
    #[schema(value_type = String)]
    pub html: Raw,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemView {
    /// `l1`.., `r1`.. or `i1`.., in the order shown.
    pub key: String,
    /// Plain text.
    #[schema(value_type = String)]
    pub text: Raw,
}

/// A question as shown in an attempt: nothing in it gives the answer away.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuestionView {
    /// `q1`, `q2`, ... in the order shown.
    pub key: String,
    /// `single`, `multiple`, `true_false`, `matching`, `ordering` or `numeric`.
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = String)]
    pub prompt_html: Raw,
    /// single and multiple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<ChoiceView>>,
    /// matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<Vec<ItemView>>,
    /// matching: may hold distractors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<Vec<ItemView>>,
    /// ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ItemView>>,
    /// numeric: the unit, or `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub unit: Option<Option<String>>,
}

/// How one question was graded.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuestionResult {
    pub key: String,
    /// 0 to 1.
    pub credit: f64,
    /// Credit 1.
    pub correct: bool,
    /// Only when the review is available: the answer graded (`null`: unanswered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub answer: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub correct_answer: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_html: Option<String>,
    /// A must-pass (safety) question: the attempt does not pass unless it is fully right.
    pub must_pass: bool,
}

/// A must-pass question the attempt did not get fully right: why the attempt did not pass.
/// Shown whatever the quiz's review policy (it never holds the correct answer).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MustPassMiss {
    /// The question's key (`q3`).
    pub key: String,
    /// Its number on the paper as shown (1-based).
    pub number: i32,
    pub prompt_html: String,
    /// Why it matters: the question's explanation.
    pub explanation_html: String,
    /// The web app's URL of the lesson section to review (`/courses/..../lessons/...#...`).
    pub review_href: String,
    /// "<lesson title>: <section heading>".
    pub review_label: String,
}

/// The grade of a submitted attempt.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResultView {
    /// Points: each question is worth 1.
    pub score: f64,
    pub max_score: i32,
    /// floor(100 × score / max_score).
    pub percent: i32,
    pub passed: bool,
    /// Why it passed or not: `must_pass_missed` whatever the percent when a must-pass
    /// question is not fully right (`must_pass_missed` lists them).
    pub outcome: AttemptOutcome,
    /// The must-pass questions not fully right, in paper order (empty when none).
    pub must_pass_missed: Vec<MustPassMiss>,
    pub submitted_at: DateTime<Utc>,
    /// Closed at the deadline rather than by the learner.
    pub late: bool,
    pub review_available: bool,
    /// Plain words when the review is not available.
    #[schema(required = true)]
    pub review_unavailable_reason: Option<String>,
    pub questions: Vec<QuestionResult>,
}

/// An attempt: its questions, the answers saved so far and, once submitted, its result.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttemptView {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub quiz: QuizBrief,
    pub number: i32,
    pub state: AttemptState,
    pub started_at: DateTime<Utc>,
    /// `null` when untimed.
    #[schema(required = true)]
    pub deadline: Option<DateTime<Utc>>,
    /// `null` when untimed; 0 when past.
    #[schema(required = true)]
    pub seconds_left: Option<i64>,
    pub server_time: DateTime<Utc>,
    pub questions: Vec<QuestionView>,
    /// Question key -> saved answer.
    #[schema(value_type = Object)]
    pub answers: Value,
    #[schema(required = true)]
    pub saved_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub result: Option<ResultView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SaveResult {
    /// Entries saved or cleared by this request.
    pub saved: usize,
    pub saved_at: DateTime<Utc>,
    #[schema(required = true)]
    pub deadline: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub seconds_left: Option<i64>,
}

/// One question's statistics over submitted attempts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemStats {
    pub bank: String,
    pub slug: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub retired: bool,
    pub shown: i64,
    pub answered: i64,
    /// Percent of graded responses with full credit (one decimal); `null` when never shown.
    #[schema(required = true)]
    pub percent_correct: Option<f64>,
    /// Mean credit (two decimals); `null` when never shown.
    #[schema(required = true)]
    pub mean_credit: Option<f64>,
    /// Corrected item–total correlation (two decimals); `null` under 10 graded responses.
    #[schema(required = true)]
    pub discrimination: Option<f64>,
    /// Worth a look: any of `weak_reasons`.
    pub weak: bool,
    pub weak_reasons: Vec<WeakReason>,
}

crate::text_enum! {
    /// Why a question is flagged weak.
    pub enum WeakReason {
        /// Discrimination under [`LOW_DISCRIMINATION`]: it does not tell strong from weak.
        LowDiscrimination = "low_discrimination",
        /// More than 95 % right, over at least [`WEAK_MIN_ANSWERS`] graded responses.
        TooEasy = "too_easy",
        /// Under 5 % right, over at least [`WEAK_MIN_ANSWERS`] graded responses.
        TooHard = "too_hard",
    }
}

/// Discrimination below this is weak (it is only computed from 10 graded responses).
pub const LOW_DISCRIMINATION: f64 = 0.2;
/// Graded responses needed before a question is called too easy or too hard.
pub const WEAK_MIN_ANSWERS: i64 = 20;

/// Pure: why a question is weak, from its unrounded statistics (`percent_correct` 0..100).
pub fn weak_reasons(
    shown: i64,
    percent_correct: Option<f64>,
    discrimination: Option<f64>,
) -> Vec<WeakReason> {
    let mut out = Vec::new();
    if discrimination.is_some_and(|d| d < LOW_DISCRIMINATION) {
        out.push(WeakReason::LowDiscrimination);
    }
    if shown >= WEAK_MIN_ANSWERS
        && let Some(p) = percent_correct
    {
        if p > 95.0 {
            out.push(WeakReason::TooEasy);
        } else if p < 5.0 {
            out.push(WeakReason::TooHard);
        }
    }
    out
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuestionStats {
    pub course: String,
    /// Submitted attempts at the course's quizzes.
    pub attempts: i64,
    pub questions: Vec<ItemStats>,
}

pub fn seconds_left(attempt: &AttemptRow, now: DateTime<Utc>) -> Option<i64> {
    if attempt.state == AttemptState::Open {
        seconds_until(attempt.deadline, now)
    } else {
        attempt.deadline.map(|_| 0)
    }
}

/// The whole seconds an open attempt with `deadline` has left at `now` (none without one).
pub fn seconds_until(deadline: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    deadline.map(|d| (d - now).num_seconds().max(0))
}

/// A drawn question ready to show and grade: its answer key and its layout, fitted.
pub struct Prepared {
    pub row: AttemptQuestionRow,
    pub spec: Spec,
    pub layout: Layout,
}

/// A drawn question with its answer key (parsed once, in the question cache) and its stored
/// layout fitted to that key.
pub fn prepare(row: AttemptQuestionRow) -> Prepared {
    let spec = row.question.spec.clone();
    let layout = serde_json::from_value::<Layout>(row.layout.clone())
        .unwrap_or_default()
        .fitted(&spec);
    Prepared { row, spec, layout }
}

pub fn question_view(p: &Prepared) -> QuestionView {
    let shown = &p.row.question.shown;
    let list = |prefix: char, order: &[usize], texts: &[Raw]| {
        order
            .iter()
            .enumerate()
            .map(|(pos, &orig)| ItemView {
                key: grading::key(prefix, pos),
                text: texts.get(orig).cloned().unwrap_or_default(),
            })
            .collect::<Vec<_>>()
    };
    let mut view = QuestionView {
        key: grading::key('q', (p.row.position - 1) as usize),
        kind: p.spec.kind().to_string(),
        prompt_html: shown.prompt_html.clone(),
        choices: None,
        left: None,
        right: None,
        items: None,
        unit: None,
    };
    match &p.spec {
        Spec::Single { .. } | Spec::Multiple { .. } => {
            view.choices = Some(
                p.layout
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(pos, &orig)| ChoiceView {
                        key: grading::key('c', pos),
                        html: shown.choices.get(orig).cloned().unwrap_or_default(),
                    })
                    .collect(),
            );
        }
        Spec::Matching { .. } => {
            view.left = Some(list('l', &p.layout.left, &shown.left));
            view.right = Some(list('r', &p.layout.right, &shown.right));
        }
        Spec::Ordering { .. } => {
            view.items = Some(list('i', &p.layout.items, &shown.items));
        }
        Spec::Numeric { .. } => {
            view.unit = Some(shown.unit.clone());
        }
        Spec::TrueFalse { .. } => {}
    }
    view
}

/// Whether the review (answers, correct answers, explanations) is open, and if not, why.
pub fn review_policy(quiz: &QuizRow, passed: bool, submitted: i32) -> (bool, Option<&'static str>) {
    let out_of_attempts = quiz.max_attempts > 0 && submitted >= quiz.max_attempts;
    match quiz.review {
        ReviewPolicy::AfterSubmit => (true, None),
        ReviewPolicy::AfterPass if passed => (true, None),
        ReviewPolicy::AfterPass => (
            false,
            Some("The answers and explanations are shown once you pass this quiz."),
        ),
        ReviewPolicy::AfterAttemptsUsed if passed || out_of_attempts => (true, None),
        ReviewPolicy::AfterAttemptsUsed => (
            false,
            Some(
                "The answers and explanations are shown once you pass this quiz or have used all your attempts.",
            ),
        ),
    }
}

/// The graded positions as the pass decision sees them.
pub fn graded(questions: &[Prepared]) -> impl Iterator<Item = grading::Graded> + '_ {
    questions.iter().map(|p| grading::Graded {
        credit: p.row.credit.unwrap_or(0.0),
        must_pass: p.row.must_pass,
    })
}

/// The must-pass questions of a graded paper not fully right, with why and where to review.
pub fn must_pass_missed(questions: &[Prepared]) -> Vec<MustPassMiss> {
    questions
        .iter()
        .zip(graded(questions))
        .filter(|(_, g)| g.must_pass_missed())
        .map(|(p, _)| {
            let q = &p.row.question.row;
            MustPassMiss {
                key: grading::key('q', (p.row.position - 1) as usize),
                number: p.row.position,
                prompt_html: q.prompt_html.clone(),
                explanation_html: q.explanation_html.clone(),
                review_href: q.review_href.clone().unwrap_or_default(),
                review_label: q.review_label.clone().unwrap_or_default(),
            }
        })
        .collect()
}

/// The recorded pass with its reason.
fn result_outcome(passed: bool, missed: &[MustPassMiss]) -> AttemptOutcome {
    match (passed, missed.is_empty()) {
        (true, _) => AttemptOutcome::Passed,
        (false, false) => AttemptOutcome::MustPassMissed,
        (false, true) => AttemptOutcome::BelowPassMark,
    }
}

/// An attempt as shown: its questions in their drawn layout, what is saved and, once
/// submitted, the result with the review the quiz's policy allows.
pub fn attempt_view(
    a: &AttemptRow,
    quiz: &QuizRow,
    outcome: Option<(Option<DateTime<Utc>>, i32)>,
    questions: &[Prepared],
    now: DateTime<Utc>,
) -> AttemptView {
    let result = match (a.state, a.submitted_at, a.score, a.percent, a.passed) {
        (AttemptState::Submitted, Some(submitted_at), Some(score), Some(percent), Some(passed)) => {
            let (ever_passed, submitted) = outcome
                .map(|(at, n)| (at.is_some(), n))
                .unwrap_or((false, 0));
            let (open, reason) = review_policy(quiz, ever_passed || passed, submitted);
            let missed = must_pass_missed(questions);
            Some(ResultView {
                score,
                max_score: a.max_score,
                percent,
                passed,
                outcome: result_outcome(passed, &missed),
                must_pass_missed: missed,
                submitted_at,
                late: a.late,
                review_available: open,
                review_unavailable_reason: reason.map(str::to_string),
                questions: questions
                    .iter()
                    .map(|p| {
                        let credit = p.row.credit.unwrap_or(0.0);
                        QuestionResult {
                            key: grading::key('q', (p.row.position - 1) as usize),
                            credit,
                            correct: credit >= 1.0,
                            answer: open.then(|| p.row.answer.clone().unwrap_or(Value::Null)),
                            correct_answer: open
                                .then(|| grading::correct_answer(&p.spec, &p.layout)),
                            explanation_html: open
                                .then(|| p.row.question.row.explanation_html.clone()),
                            must_pass: p.row.must_pass,
                        }
                    })
                    .collect(),
            })
        }
        _ => None,
    };
    AttemptView {
        id: a.id,
        enrolment_id: a.enrolment_id,
        quiz: QuizBrief {
            slug: quiz.slug.clone(),
            title: quiz.title.clone(),
            pass_percent: a.pass_percent,
            review: quiz.review,
        },
        number: a.number,
        state: a.state,
        started_at: a.started_at,
        deadline: a.deadline,
        seconds_left: seconds_left(a, now),
        server_time: now,
        questions: questions.iter().map(question_view).collect(),
        answers: a.answers.clone(),
        saved_at: a.saved_at,
        result,
    }
}

#[cfg(test)]
mod weak_tests {
    use super::*;

    #[test]
    fn weak_questions_are_named_with_their_reasons() {
        use WeakReason::*;
        assert_eq!(weak_reasons(50, Some(60.0), Some(0.45)), vec![]);
        assert_eq!(
            weak_reasons(50, Some(60.0), Some(0.19)),
            vec![LowDiscrimination]
        );
        assert_eq!(weak_reasons(50, Some(60.0), Some(0.2)), vec![]);
        assert_eq!(
            weak_reasons(20, Some(96.0), Some(0.1)),
            vec![LowDiscrimination, TooEasy]
        );
        assert_eq!(weak_reasons(20, Some(4.0), None), vec![TooHard]);
        assert_eq!(weak_reasons(20, Some(95.0), None), vec![]);
        // Too few answers to judge easy or hard; no discrimination under 10.
        assert_eq!(weak_reasons(19, Some(100.0), None), vec![]);
        assert_eq!(weak_reasons(0, None, None), vec![]);
    }
}
