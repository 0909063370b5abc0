//! `/api/v1/enrolments/{id}/quizzes/{quiz}` and `/api/v1/attempts/*` (here), and
//! `/api/v1/admin/courses/{slug}/questions/stats` (`stats`): the contract in
//! `docs/api-quizzes.md`.
//!
//! Ownership: an attempt (and an enrolment's quiz) is visible to its learner and readable by
//! admins; anyone else gets the same 404 as for an ID that does not exist.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use attempt::{Caches, Loaded, attempt_view, drawn_positions, finish, load_attempt};

use super::draw::{self, Blueprint};
use super::grading;
use super::question_cache::{AttemptQuestionRow, CachedQuestion, QuestionCache};
use super::state::{AttemptState, ClosedReason, QuizStatus};
use super::store::{self, AttemptRow, QuestionRow, QuizRow};
use super::views::{AttemptSummary, AttemptView, Prepared, QuizView, SaveResult};
use crate::accounts::extract::{ClientInfo, CurrentUser};
use crate::audit::{Actor, Origin};
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::cache::ContentCache;
use crate::learning::progress::{self, Facts, Outline};
use crate::learning::{Access, EnrolmentContext, access};

mod attempt;
mod autosave;
mod readiness;
mod stats;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // The autosave first: a learner in a quiz sends it most (see `startup::api_routes`).
    cfg.service(save_answers)
        .service(get_attempt)
        .service(submit_attempt)
        .service(get_quiz)
        .service(start_attempt)
        .service(stats::question_stats)
        .service(readiness::enrolment_readiness);
}

/// Saves are accepted this long after the deadline (answers in flight); after it, the
/// attempt is closed and graded as of the deadline.
pub fn grace() -> Duration {
    Duration::seconds(5)
}

/// Answers to merge into what is saved: question key -> answer, `null` clears one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAnswers {
    #[schema(value_type = Object, example = json!({"q1": {"choice": "c2"}, "q3": null}))]
    pub answers: Map<String, Value>,
}

// ---- errors ---------------------------------------------------------------------------------

fn quiz_not_found() -> AppError {
    AppError::not_found("This course has no quiz with that name.")
}

fn attempt_not_found() -> AppError {
    AppError::not_found("No attempt of yours has this ID.")
}

fn attempt_closed(reason: ClosedReason) -> AppError {
    AppError::conflict(
        ErrorCode::AttemptClosed,
        match reason {
            ClosedReason::Deadline => {
                "The time for this attempt is over; it was graded as of its deadline."
            }
            ClosedReason::Submitted => {
                "This attempt has been submitted; its answers can no longer change."
            }
        },
    )
    .with_details(json!({ "reason": reason }))
}

fn internal(what: String) -> AppError {
    AppError::internal(anyhow::anyhow!(what))
}

// ---- helpers --------------------------------------------------------------------------------

fn blueprint(quiz: &QuizRow) -> AppResult<Vec<Blueprint>> {
    serde_json::from_value(quiz.draw.clone())
        .map_err(|e| internal(format!("draw of quiz {} unreadable: {e}", quiz.slug)))
}

/// An open attempt whose deadline (plus grace) has passed: it is closed when next touched.
fn expired(attempt: &AttemptRow, now: DateTime<Utc>) -> bool {
    attempt.state == AttemptState::Open && attempt.deadline.is_some_and(|d| now > d + grace())
}

/// The index of a canonical positional key (`"q3"` -> 2) among `len`.
fn key_index(key: &str, prefix: char, len: usize) -> Option<usize> {
    let n: usize = key.strip_prefix(prefix)?.parse().ok()?;
    (n >= 1 && n <= len && key == grading::key(prefix, n - 1)).then(|| n - 1)
}

/// A quiz of an enrolment with the learner's facts and attempts.
struct QuizContext {
    enrolment: EnrolmentContext,
    quiz: QuizRow,
    /// Newest first.
    attempts: Vec<AttemptRow>,
}

/// One round trip: the enrolment opened through `learning::access` (enrolment with course,
/// the learner's facts), pipelined with the live quizzes of that slug and the enrolment's
/// attempts at it.
async fn load_quiz(
    content: &ContentCache,
    conn: &AsyncPgConnection,
    user: &CurrentUser,
    id: Uuid,
    slug: &str,
    access: Access,
) -> AppResult<QuizContext> {
    let reads = async {
        futures_util::try_join!(
            store::live_quizzes(conn, slug),
            store::attempts_of(conn, id, slug),
        )
    };
    let (enrolment, (quizzes, attempts)) =
        access::open_with(conn, content, user, id, access, reads).await?;
    let quiz = quizzes
        .into_iter()
        .find(|q| q.course_id == enrolment.row.course_id)
        .filter(|q| enrolment.outline.quiz(&q.slug).is_some())
        .ok_or_else(quiz_not_found)?;
    Ok(QuizContext {
        enrolment,
        quiz,
        attempts,
    })
}

/// Closes an abandoned attempt of the quiz whose time ran out, then reads the quiz again.
async fn close_abandoned(
    caches: Caches<'_>,
    conn: &mut AsyncPgConnection,
    user: &CurrentUser,
    ctx: QuizContext,
    now: DateTime<Utc>,
    origin: &Origin,
) -> AppResult<QuizContext> {
    let Some(open) = ctx.attempts.iter().find(|a| expired(a, now)) else {
        return Ok(ctx);
    };
    let loaded = load_attempt(caches, conn, user, open.id, Access::LearnerOrAdmin).await?;
    finish(caches, conn, loaded, now, origin, Actor::System).await?;
    let id = ctx.enrolment.row.id;
    load_quiz(
        caches.content,
        conn,
        user,
        id,
        &ctx.quiz.slug,
        Access::LearnerOrAdmin,
    )
    .await
}

/// Why a quiz is locked: a sentence and the structured requirements (`None`: open).
fn quiz_lock(outline: &Outline, facts: &Facts, quiz: &QuizRow) -> Option<(String, Value)> {
    if let Some(mi) = outline
        .modules
        .iter()
        .position(|m| m.quiz.as_ref().is_some_and(|q| q.slug == quiz.slug))
        && let Some(lock) = progress::module_lock(outline, facts, mi)
    {
        return Some((
            lock.explain_for(outline, "quiz"),
            json!({
                "lessons": lock.lessons.iter().map(|(m, l)| json!({ "module": m, "slug": l })).collect::<Vec<_>>(),
                "quizzes": lock.quizzes,
                "externship": false,
            }),
        ));
    }
    if quiz.requires_other_requirements {
        let mut missing = progress::missing(outline, facts);
        missing.quizzes.retain(|(slug, _)| *slug != quiz.slug);
        if !missing.is_empty() {
            let mut parts = Vec::new();
            if !missing.lessons.is_empty() {
                let n = missing.lessons.len();
                parts.push(format!(
                    "complete {n} more lesson{}",
                    if n == 1 { "" } else { "s" }
                ));
            }
            if !missing.quizzes.is_empty() {
                let titles: Vec<String> = missing
                    .quizzes
                    .iter()
                    .map(|(_, t)| format!("\"{t}\""))
                    .collect();
                parts.push(format!("pass {}", progress::join_words(&titles)));
            }
            if missing.externship {
                parts.push("complete your clinical externship".into());
            }
            return Some((
                format!("This exam opens when you {}.", progress::join_words(&parts)),
                json!({
                    "lessons": missing.lessons.iter().map(|(slug, _)| {
                        let module = outline.find_lesson(slug).map(|(mi, _)| outline.modules[mi].slug.clone());
                        json!({ "module": module, "slug": slug })
                    }).collect::<Vec<_>>(),
                    "quizzes": missing.quizzes.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>(),
                    "externship": missing.externship,
                }),
            ));
        }
    }
    None
}

/// When the cooldown after the last submitted attempt ends, if it has not yet.
fn cooldown_until(ctx: &QuizContext, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if ctx.quiz.cooldown_minutes <= 0 {
        return None;
    }
    let last = ctx.attempts.iter().filter_map(|a| a.submitted_at).max()?;
    let until = last + Duration::minutes(i64::from(ctx.quiz.cooldown_minutes));
    (until > now).then_some(until)
}

fn exhausted(ctx: &QuizContext) -> bool {
    ctx.quiz.max_attempts > 0 && ctx.attempts.len() >= ctx.quiz.max_attempts as usize
}

fn quiz_view(ctx: &QuizContext, now: DateTime<Utc>) -> AppResult<QuizView> {
    let q = &ctx.quiz;
    let (outline, facts) = (&ctx.enrolment.outline, &ctx.enrolment.facts);
    let open = ctx.attempts.iter().find(|a| a.state == AttemptState::Open);
    let lock = quiz_lock(outline, facts, q);
    let cooldown = cooldown_until(ctx, now);
    let status = if open.is_some() {
        QuizStatus::Open
    } else if lock.is_some() {
        QuizStatus::Locked
    } else if exhausted(ctx) {
        QuizStatus::Exhausted
    } else if cooldown.is_some() {
        QuizStatus::Cooldown
    } else {
        QuizStatus::Available
    };
    let used = ctx.attempts.len() as i32;
    let fact = facts.quizzes.get(&q.slug);
    let best = ctx
        .attempts
        .iter()
        .filter_map(|a| a.percent)
        .chain(fact.filter(|f| f.attempts_used > 0).map(|f| f.best_percent))
        .max();
    Ok(QuizView {
        slug: q.slug.clone(),
        title: q.title.clone(),
        module: outline
            .modules
            .iter()
            .find(|m| m.quiz.as_ref().is_some_and(|mq| mq.slug == q.slug))
            .map(|m| m.slug.clone()),
        is_final: q.is_final,
        required: q.required,
        pass_percent: q.pass_percent,
        question_count: blueprint(q)?.iter().map(|b| b.count).sum(),
        time_limit_minutes: q.time_limit_minutes,
        max_attempts: q.max_attempts,
        cooldown_minutes: q.cooldown_minutes,
        review: q.review,
        scoring: "best".into(),
        status,
        locked_reason: (status == QuizStatus::Locked)
            .then(|| lock.map(|(s, _)| s))
            .flatten(),
        available_at: (status == QuizStatus::Cooldown)
            .then_some(cooldown)
            .flatten(),
        attempts_used: used,
        attempts_left: (q.max_attempts > 0).then(|| (q.max_attempts - used).max(0)),
        best_percent: best,
        passed: facts.quiz_passed(&q.slug) || ctx.attempts.iter().any(|a| a.passed == Some(true)),
        open_attempt: open.map(|a| a.id),
        attempts: ctx
            .attempts
            .iter()
            .map(|a| AttemptSummary {
                id: a.id,
                number: a.number,
                state: a.state,
                started_at: a.started_at,
                submitted_at: a.submitted_at,
                percent: a.percent,
                passed: a.passed,
            })
            .collect(),
    })
}

// ---- routes ---------------------------------------------------------------------------------

/// A quiz of an enrolment: its rules and where the learner stands (status, attempts, best
/// score). An abandoned attempt whose time ran out is graded first.
#[utoipa::path(
    tag = "quizzes",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        ("quiz" = String, Path, description = "The quiz's slug"),
    ),
    responses(
        (status = 200, body = QuizView),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no enrolment of yours has this ID, or the course has no live quiz with this slug", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}/quizzes/{quiz}")]
pub async fn get_quiz(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    questions: web::Data<QuestionCache>,
    user: CurrentUser,
    client: ClientInfo,
    path: web::Path<(Uuid, String)>,
) -> AppResult<web::Json<QuizView>> {
    let (id, slug) = path.into_inner();
    let now = Utc::now();
    let mut conn = db.get().await?;
    let caches = Caches {
        content: &content,
        questions: &questions,
    };
    let ctx = load_quiz(&content, &conn, &user, id, &slug, Access::LearnerOrAdmin).await?;
    let ctx = close_abandoned(caches, &mut conn, &user, ctx, now, &client.origin).await?;
    Ok(web::Json(quiz_view(&ctx, now)?))
}

/// Start an attempt: draws the questions and starts the clock. An open attempt is returned
/// instead (200); one whose time ran out is graded first.
#[utoipa::path(
    tag = "quizzes",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        ("quiz" = String, Path, description = "The quiz's slug"),
    ),
    responses(
        (status = 201, description = "A new attempt", body = AttemptView),
        (status = 200, description = "The attempt already open", body = AttemptView),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive` (withdrawn or expired), `quiz_locked` (`details.unlocks_when` says what, in plain words)", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no enrolment of yours, or no live quiz with this slug", body = ErrorEnvelope),
        (status = 409, description = "`attempts_exhausted` (`details.max_attempts`), `quiz_cooldown` (`details.available_at`, `Retry-After`)", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/{id}/quizzes/{quiz}/attempts")]
pub async fn start_attempt(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    questions: web::Data<QuestionCache>,
    user: CurrentUser,
    client: ClientInfo,
    path: web::Path<(Uuid, String)>,
) -> AppResult<HttpResponse> {
    let (id, slug) = path.into_inner();
    let now = Utc::now();
    let mut conn = db.get().await?;
    let caches = Caches {
        content: &content,
        questions: &questions,
    };
    let ctx = load_quiz(&content, &conn, &user, id, &slug, Access::Learner).await?;
    ctx.enrolment.ensure_active(now)?;
    let ctx = close_abandoned(caches, &mut conn, &user, ctx, now, &client.origin).await?;
    if let Some(open) = ctx.attempts.iter().find(|a| a.state == AttemptState::Open) {
        let loaded = load_attempt(caches, &conn, &user, open.id, Access::Learner).await?;
        return Ok(HttpResponse::Ok().json(attempt_view(&loaded, now)));
    }
    refuse_start(&ctx, now)?;
    let questions = draw_paper(&mut conn, &ctx.quiz).await?;
    let new = store::NewAttempt {
        enrolment_id: ctx.enrolment.row.id,
        quiz_id: ctx.quiz.id,
        number: ctx.attempts.iter().map(|a| a.number).max().unwrap_or(0) + 1,
        started_at: now,
        deadline: (ctx.quiz.time_limit_minutes > 0)
            .then(|| now + Duration::minutes(i64::from(ctx.quiz.time_limit_minutes))),
        pass_percent: ctx.quiz.pass_percent,
        max_score: questions.len() as i32,
    };
    let drawn: Vec<store::NewAttemptQuestion> = questions
        .iter()
        .map(|p| store::NewAttemptQuestion {
            position: p.row.position,
            question_id: p.row.question.row.id,
            layout: p.row.layout.clone(),
            must_pass: p.row.must_pass,
        })
        .collect();
    let inserted = conn
        .transaction::<_, AppError, _>(
            async |tx| Ok(store::insert_attempt(tx, &new, &drawn).await?),
        )
        .await?;
    let Some(attempt) = inserted else {
        // Another request started one first: answer with it.
        let attempts = store::attempts_of(&conn, id, &slug).await?;
        let open = attempts
            .iter()
            .find(|a| a.state == AttemptState::Open)
            .or(attempts.first())
            .ok_or_else(|| internal("attempt vanished after a conflict".into()))?;
        let loaded = load_attempt(caches, &conn, &user, open.id, Access::Learner).await?;
        return Ok(HttpResponse::Ok().json(attempt_view(&loaded, now)));
    };
    caches
        .questions
        .remember_draw(attempt.id, drawn_positions(&questions));
    let loaded = Loaded {
        attempt,
        enrolment: ctx.enrolment.into(),
        quiz: ctx.quiz,
        outcome: None,
        questions,
    };
    Ok(HttpResponse::Created().json(attempt_view(&loaded, now)))
}

/// Why a new attempt cannot start now: locked (403), out of attempts or cooling down (409).
fn refuse_start(ctx: &QuizContext, now: DateTime<Utc>) -> AppResult<()> {
    let (outline, facts) = (&ctx.enrolment.outline, &ctx.enrolment.facts);
    if let Some((sentence, missing)) = quiz_lock(outline, facts, &ctx.quiz) {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::QuizLocked,
            sentence.clone(),
        )
        .with_details(json!({ "unlocks_when": sentence, "missing": missing })));
    }
    if exhausted(ctx) {
        return Err(AppError::conflict(
            ErrorCode::AttemptsExhausted,
            format!(
                "You have used all {} attempts at this quiz.",
                ctx.quiz.max_attempts
            ),
        )
        .with_details(json!({ "max_attempts": ctx.quiz.max_attempts })));
    }
    if let Some(until) = cooldown_until(ctx, now) {
        let secs = (until - now).num_milliseconds().div_euclid(1000) + 1;
        return Err(AppError::conflict(
            ErrorCode::QuizCooldown,
            format!(
                "You can start your next attempt at {}.",
                until.format("%Y-%m-%d %H:%M UTC")
            ),
        )
        .with_details(json!({ "available_at": until }))
        .with_retry_after(u32::try_from(secs).unwrap_or(u32::MAX)));
    }
    Ok(())
}

/// The draw: every live question of the blueprint's banks (one query), chosen and laid out
/// in process.
async fn draw_paper(conn: &mut AsyncPgConnection, quiz: &QuizRow) -> AppResult<Vec<Prepared>> {
    let plan = blueprint(quiz)?;
    let banks: Vec<String> = plan.iter().map(|b| b.bank.clone()).collect();
    let mut pool: HashMap<String, Vec<QuestionRow>> = HashMap::new();
    for (bank, q) in store::live_questions(conn, quiz.course_id, &banks).await? {
        pool.entry(bank).or_default().push(q);
    }
    let mut rng = rand::rng();
    let questions = draw::pick(&plan, &pool, |q| q.must_pass, &mut rng)
        .into_iter()
        .enumerate()
        .map(|(i, question)| {
            // Not kept: the draw reads no revision.
            let question = Arc::new(CachedQuestion::parse(0, question)?);
            let spec = question.spec.clone();
            let layout = draw::layout(&spec, question.row.shuffle, &mut rng);
            Ok(Prepared {
                row: AttemptQuestionRow {
                    position: i as i32 + 1,
                    layout: serde_json::to_value(&layout).map_err(AppError::internal)?,
                    answer: None,
                    credit: None,
                    must_pass: question.row.must_pass,
                    question,
                },
                spec,
                layout,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    if questions.is_empty() {
        return Err(internal(format!(
            "quiz {} has no live questions to draw",
            quiz.slug
        )));
    }
    Ok(questions)
}

/// An attempt: its questions, saved answers and, once submitted, its result (with the review
/// when the quiz's policy allows). An open attempt whose time ran out is graded first.
#[utoipa::path(
    tag = "quizzes",
    params(("id" = Uuid, Path, description = "The attempt's ID")),
    responses(
        (status = 200, body = AttemptView),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no attempt of yours has this ID", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/attempts/{id}")]
pub async fn get_attempt(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    questions: web::Data<QuestionCache>,
    user: CurrentUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<AttemptView>> {
    let now = Utc::now();
    let mut conn = db.get().await?;
    let caches = Caches {
        content: &content,
        questions: &questions,
    };
    let id = id.into_inner();
    let mut loaded = load_attempt(caches, &conn, &user, id, Access::LearnerOrAdmin).await?;
    if expired(&loaded.attempt, now) {
        loaded = finish(
            caches,
            &mut conn,
            loaded,
            now,
            &client.origin,
            Actor::System,
        )
        .await?;
    }
    Ok(web::Json(attempt_view(&loaded, now)))
}

/// Autosave: merge answers into what is saved (`null` clears one). The whole request is
/// checked first; if any entry is bad, nothing is saved.
#[utoipa::path(
    tag = "quizzes",
    params(("id" = Uuid, Path, description = "The attempt's ID")),
    request_body = SaveAnswers,
    responses(
        (status = 200, body = SaveResult),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive`: the enrolment is withdrawn or expired", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no attempt of yours has this ID", body = ErrorEnvelope),
        (status = 409, description = "`attempt_closed`: submitted, or past its deadline plus grace (then graded as of the deadline)", body = ErrorEnvelope),
        (status = 422, description = "`unknown_question` (`details.question`), `invalid_answer` (`details.question`, `details.reason`), `invalid_body`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[put("/attempts/{id}/answers")]
pub async fn save_answers(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    questions: web::Data<QuestionCache>,
    user: CurrentUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<SaveAnswers>,
) -> AppResult<web::Json<SaveResult>> {
    let entries = body.into_inner().answers;
    let mut conn = db.get().await?;
    let caches = Caches {
        content: &content,
        questions: &questions,
    };
    let save = autosave::Save {
        attempt: id.into_inner(),
        entries: &entries,
        now: Utc::now(),
    };
    let saved = autosave::save(caches, &mut conn, &user, save, &client.origin).await?;
    Ok(web::Json(saved))
}

/// Submit: the saved answers are graded. Submitting again returns the same result and grades
/// nothing twice. After the deadline, what was saved up to it is graded.
#[utoipa::path(
    tag = "quizzes",
    params(("id" = Uuid, Path, description = "The attempt's ID")),
    responses(
        (status = 200, description = "The submitted attempt with its result", body = AttemptView),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive`: the enrolment is withdrawn or expired and the attempt is open", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no attempt of yours has this ID", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/attempts/{id}/submit")]
pub async fn submit_attempt(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    questions: web::Data<QuestionCache>,
    user: CurrentUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<AttemptView>> {
    let now = Utc::now();
    let mut conn = db.get().await?;
    let caches = Caches {
        content: &content,
        questions: &questions,
    };
    let id = id.into_inner();
    let mut loaded = load_attempt(caches, &conn, &user, id, Access::Learner).await?;
    if loaded.attempt.state == AttemptState::Open {
        // A graded attempt stays readable; an open one is closed only by its deadline once
        // the enrolment is withdrawn or expired.
        if !expired(&loaded.attempt, now) {
            loaded.enrolment.ensure_active(now)?;
        }
        let actor = Actor::User(user.id);
        loaded = finish(caches, &mut conn, loaded, now, &client.origin, actor).await?;
    }
    Ok(web::Json(attempt_view(&loaded, now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_keys_are_canonical() {
        assert_eq!(key_index("q1", 'q', 3), Some(0));
        assert_eq!(key_index("q3", 'q', 3), Some(2));
        assert_eq!(key_index("q4", 'q', 3), None);
        assert_eq!(key_index("q0", 'q', 3), None);
        assert_eq!(key_index("q01", 'q', 3), None);
        assert_eq!(key_index("Q1", 'q', 3), None);
        assert_eq!(key_index("q", 'q', 3), None);
    }
}
