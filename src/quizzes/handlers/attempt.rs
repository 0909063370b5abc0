//! An attempt as its routes use it: [`load_attempt`] reads it with its quiz, outcome,
//! enrolment and questions (the questions through the [`QuestionCache`]), and [`finish`]
//! grades and closes it in one transaction, with the completion engine on a pass.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Map, json};
use uuid::Uuid;

use super::{attempt_not_found, grace, internal};
use crate::accounts::extract::CurrentUser;
use crate::audit::{self, Actor, Origin};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::access::EnrolmentBrief;
use crate::learning::cache::ContentCache;
use crate::learning::{self, Access, Trigger, access};
use crate::quizzes::grading;
use crate::quizzes::question_cache::{AttemptQuestionRow, Drawn, QuestionCache};
use crate::quizzes::state::AttemptState;
use crate::quizzes::store::{self, AttemptRow, QuizRow};
use crate::quizzes::views::{self, AttemptView, Prepared, prepare};

/// An attempt with everything its routes need.
pub(super) struct Loaded {
    pub(super) attempt: AttemptRow,
    pub(super) enrolment: EnrolmentBrief,
    pub(super) quiz: QuizRow,
    /// The learner's outcome at this quiz: (passed at, submitted attempts).
    pub(super) outcome: Option<(Option<DateTime<Utc>>, i32)>,
    pub(super) questions: Vec<Prepared>,
}

pub(super) fn attempt_view(l: &Loaded, now: DateTime<Utc>) -> AttemptView {
    views::attempt_view(&l.attempt, &l.quiz, l.outcome, &l.questions, now)
}

/// The process's caches an attempt route reads through: the course content (learning's) and
/// the questions with their answer keys.
#[derive(Clone, Copy)]
pub(super) struct Caches<'a> {
    pub(super) content: &'a ContentCache,
    pub(super) questions: &'a QuestionCache,
}

/// Reads an attempt with its quiz, outcome and questions and opens its enrolment through
/// `learning::access` in `access` mode (attempt routes need its state and outline, not the
/// facts; a pass re-reads them in the completion engine): one round trip for all three reads
/// when this process has seen the attempt and so knows its enrolment (the question cache keeps
/// it), else two, the attempt's first. Not found or not allowed: the same 404.
pub(super) async fn load_attempt(
    caches: Caches<'_>,
    conn: &AsyncPgConnection,
    user: &CurrentUser,
    id: Uuid,
    access: Access,
) -> AppResult<Loaded> {
    load_attempt_at(caches, conn, user, id, access, None).await
}

/// [`load_attempt`] with only the questions at `positions` (all of them for `None`): an
/// autosave reads and prepares just the questions it saves answers to.
pub(super) async fn load_attempt_at(
    caches: Caches<'_>,
    conn: &AsyncPgConnection,
    user: &CurrentUser,
    id: Uuid,
    access: Access,
    positions: Option<&[i32]>,
) -> AppResult<Loaded> {
    let reads = || async {
        futures_util::try_join!(
            store::attempt_context(conn, id),
            store::attempt_positions(conn, id, positions)
        )
    };
    let (enrolment, (ctx, rows)) = match caches.questions.enrolment_of(id) {
        // Access is decided on the enrolment the attempt belongs to (checked below), so the
        // attempt read beside it is only returned to someone allowed to see it.
        Some(known) => access::open_brief_with(conn, caches.content, user, known, access, reads())
            .await
            .map_err(not_found_as_attempt)?,
        None => {
            let (ctx, rows) = reads().await?;
            let of = ctx.as_ref().ok_or_else(attempt_not_found)?.0.enrolment_id;
            let brief = access::open_brief(conn, caches.content, user, of, access)
                .await
                .map_err(not_found_as_attempt)?;
            caches.questions.remember_enrolment(id, of);
            (brief, (ctx, rows))
        }
    };
    let (attempt, quiz, outcome) = ctx.ok_or_else(attempt_not_found)?;
    if attempt.enrolment_id != enrolment.row.id {
        return Err(internal(format!("attempt {id} changed enrolment")));
    }
    let rows = caches.questions.positions(conn, rows).await?;
    let questions: Vec<Prepared> = rows.into_iter().map(prepare).collect();
    if positions.is_none() && attempt.state == AttemptState::Open {
        caches
            .questions
            .remember_draw(id, drawn_positions(&questions));
    }
    Ok(Loaded {
        attempt,
        enrolment,
        quiz,
        outcome,
        questions,
    })
}

/// What an autosave checks answers against, of the positions `questions` holds.
pub(super) fn drawn_positions(questions: &[Prepared]) -> Vec<Drawn> {
    questions
        .iter()
        .map(|p| Drawn {
            position: p.row.position,
            layout: p.layout.clone(),
            question: p.row.question.clone(),
        })
        .collect()
}

/// The enrolment's 404 is the attempt's: whether an enrolment exists is not told.
fn not_found_as_attempt(e: AppError) -> AppError {
    if e.has_code(ErrorCode::NotFound) {
        attempt_not_found()
    } else {
        e
    }
}

/// Grades and closes an open attempt, in one transaction: locks the enrolment (as lesson
/// completion does) and the attempt; an attempt another request submitted meanwhile is
/// returned as it is, graded once. Records the grade, the quiz outcome, the audit event and,
/// when this meets the last requirement, the enrolment's completion.
pub(super) async fn finish(
    caches: Caches<'_>,
    conn: &mut AsyncPgConnection,
    mut l: Loaded,
    now: DateTime<Utc>,
    origin: &Origin,
    actor: Actor,
) -> AppResult<Loaded> {
    let outline = l.enrolment.outline.clone();
    let (attempt_id, enrolment_id) = (l.attempt.id, l.enrolment.row.id);
    let graded = conn
        .transaction::<_, AppError, _>(async |tx| {
            let shared: &AsyncPgConnection = tx;
            let locked =
                store::lock_enrolment_and_attempt(shared, enrolment_id, attempt_id).await?;
            if locked.state != AttemptState::Open {
                // Someone else graded it first: read what they recorded.
                let rows = store::attempt_positions(shared, attempt_id, None).await?;
                return Ok((locked, None, Some(rows)));
            }
            let late = locked.deadline.is_some_and(|d| now > d + grace());
            let submitted_at = match locked.deadline {
                Some(d) if late => d,
                _ => now,
            };
            let empty = Map::new();
            let answers = locked.answers.as_object().unwrap_or(&empty);
            let mut results = Vec::with_capacity(l.questions.len());
            for p in &mut l.questions {
                let key = grading::key('q', (p.row.position - 1) as usize);
                let answer = answers.get(&key).filter(|v| !v.is_null()).cloned();
                let credit = grading::credit(&p.spec, &p.layout, answer.as_ref());
                p.row.answer = answer;
                p.row.credit = Some(credit);
            }
            for p in &l.questions {
                results.push((
                    p.row.position,
                    p.row.answer.as_ref(),
                    p.row.credit.unwrap_or(0.0),
                ));
            }
            let score: f64 = results.iter().map(|r| r.2).sum();
            let percent = grading::percent(score, locked.max_score);
            let grade = store::Grade {
                submitted_at,
                late,
                score,
                percent,
                passed: grading::outcome(percent, locked.pass_percent, views::graded(&l.questions))
                    .passed(),
            };
            let must_pass_missed = views::graded(&l.questions)
                .filter(|g| g.must_pass_missed())
                .count();
            let event = |completed: bool| audit::Event {
                actor: if late { Actor::System } else { actor },
                action: "quiz.attempt_submitted",
                subject: Some(("quiz_attempt", attempt_id.to_string())),
                details: json!({
                    "enrolment": enrolment_id,
                    "quiz": l.quiz.slug,
                    "number": locked.number,
                    "score": score,
                    "percent": percent,
                    "passed": grade.passed,
                    "must_pass_missed": must_pass_missed,
                    "late": late,
                    "course_completed": completed,
                }),
            };
            let grading = store::record_grade(shared, &locked, &grade, &results);
            let (row, outcome) = if grade.passed {
                // A pass may complete the course: the facts are re-read after the outcome is
                // written, then the audit event says whether it did.
                let graded = grading.await?;
                let actor = if late { Actor::System } else { actor };
                let done = learning::complete_if_met(
                    tx,
                    enrolment_id,
                    &outline,
                    origin,
                    actor,
                    Trigger::QuizPassed,
                )
                .await?;
                audit::record(tx, origin, event(done.completed)).await?;
                graded
            } else {
                // Nothing to complete: the audit event goes out with the grade (one round trip).
                let (graded, ()) = futures_util::try_join!(
                    grading,
                    audit::record_shared(shared, origin, event(false)),
                )?;
                graded
            };
            Ok((row, Some(outcome), None))
        })
        .await?;
    let (row, outcome, reread) = graded;
    l.attempt = row;
    caches.questions.forget_draw(attempt_id);
    if let Some(outcome) = outcome {
        l.outcome = Some(outcome);
    }
    if let Some(rows) = reread {
        // The same questions (an attempt's never change), with what the other grade recorded.
        let question = |at: i32| {
            l.questions
                .iter()
                .find(|p| p.row.position == at)
                .map(|p| p.row.question.clone())
                .ok_or_else(|| internal(format!("attempt {attempt_id} lost position {at}")))
        };
        let rows = rows
            .into_iter()
            .map(|r| Ok(AttemptQuestionRow::new(question(r.position)?, r)))
            .collect::<AppResult<Vec<_>>>()?;
        l.questions = rows.into_iter().map(prepare).collect();
        // The outcome read before the lock may predate the other request's grade.
        let (passed_at, n) = l.outcome.unwrap_or((None, 0));
        l.outcome = Some((
            passed_at.or(l.attempt.passed.filter(|p| *p).and(l.attempt.submitted_at)),
            n.max(1),
        ));
    }
    Ok(l)
}
