//! `/api/v1/courses/{slug}/enrolment`, `/api/v1/enrolments/*`, `/api/v1/me/enrolments` and
//! `/api/v1/admin/enrolments/*`: enrolment, lesson delivery and progress.
//!
//! Ownership: an enrolment is visible to its learner, and readable (never writable) by admins.
//! Anyone else gets the same 404 as for an ID that does not exist.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::Utc;
use diesel_async::AsyncConnection;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::{self, Access, EnrolmentContext};
use super::cache::ContentCache;
use super::completion::{self, Trigger};
use super::fact_store;
use super::progress::{self, Lock, Outline};
use super::progress_store;
use super::state::EnrolmentState;
use super::store::{self, EnrolmentRow, LessonRow};
use super::views;
use super::views::{
    CompletionResult, Dashboard, Enrolment, EnrolmentDetail, HeartbeatResult, LessonView,
    PreviewView,
};
use crate::accounts::StaffUser;
use crate::accounts::extract::{ClientInfo, CurrentUser};
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::{DbPool, jsonb};
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};
use crate::mail::{self, templates};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // The hottest first (see `startup::api_routes`). A literal route before the parametrised
    // one it overlaps (`/enrolments/join`, `/enrolments/{id}`): a 405's `Allow` comes from the
    // first registered pattern that matches the path.
    cfg.service(get_lesson)
        .service(complete_lesson)
        .service(heartbeat)
        .service(my_enrolments)
        .service(join)
        .service(get_enrolment)
        .service(enrol)
        .service(preview_lesson)
        .service(withdraw)
        .service(reactivate);
}

// ---- helpers --------------------------------------------------------------------------------

fn lesson_not_found() -> AppError {
    AppError::not_found("This course has no lesson with that name.")
}

fn locked(outline: &Outline, module: &str, lock: &Lock) -> AppError {
    AppError::new(StatusCode::FORBIDDEN, ErrorCode::LessonLocked, lock.explain(outline)).with_details(
        json!({
            "module": module,
            "unlocks_when": {
                "lessons": lock.lessons.iter().map(|(m, l)| json!({ "module": m, "slug": l })).collect::<Vec<_>>(),
                "quizzes": lock.quizzes,
            },
        }),
    )
}

/// Everything a lesson route needs, read in one round trip: the opened enrolment (with the
/// lesson in the same query) and the lesson, which must be live and in an open module of an
/// active enrolment.
struct LessonContext {
    enrolment: EnrolmentContext,
    lesson: LessonRow,
    module: usize,
}

async fn lesson_context(
    content: &ContentCache,
    conn: &diesel_async::AsyncPgConnection,
    user: &CurrentUser,
    id: Uuid,
    lesson: &str,
    access: Access,
) -> AppResult<LessonContext> {
    let (enrolment, lesson) =
        access::open_with_lesson(conn, content, user, id, access, lesson).await?;
    let lesson = lesson.ok_or_else(lesson_not_found)?;
    enrolment.ensure_active(Utc::now())?;
    let outline = &enrolment.outline;
    let (module, _) = outline
        .find_lesson(&lesson.slug)
        .ok_or_else(lesson_not_found)?;
    if let Some(lock) = progress::module_lock(outline, &enrolment.facts, module) {
        return Err(locked(outline, &outline.modules[module].slug, &lock));
    }
    Ok(LessonContext {
        enrolment,
        lesson,
        module,
    })
}

async fn enrolment_created(
    tx: &mut diesel_async::AsyncPgConnection,
    config: &Config,
    client: &ClientInfo,
    user: Uuid,
    row: &EnrolmentRow,
    course: &store::EnrollableCourse,
    via: Value,
) -> AppResult<()> {
    let (email, name) = store::user_contact(tx, user).await?;
    mail::enqueue(
        tx,
        &templates::enrolment_confirmed(
            &config.public_url,
            &email,
            &name,
            &course.title,
            &course.slug,
        ),
    )
    .await?;
    let mut details = json!({ "course": course.slug, "course_version": course.version });
    if let (Some(d), Some(v)) = (details.as_object_mut(), via.as_object()) {
        d.extend(v.clone());
    }
    audit::record(
        tx,
        &client.origin,
        Event {
            actor: Actor::User(user),
            action: "enrolment.created",
            subject: Some(("enrolment", row.id.to_string())),
            details,
        },
    )
    .await?;
    Ok(())
}

fn enrolment_response(created: bool, view: Enrolment) -> HttpResponse {
    if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    }
}

// ---- enrolment ------------------------------------------------------------------------------

/// Enrol in a published course. Idempotent: enrolling again returns the same enrolment (200).
/// A confirmation mail is queued.
#[utoipa::path(
    tag = "learning",
    params(("slug" = String, Path, description = "The course's slug")),
    responses(
        (status = 201, description = "Enrolled; confirmation mail queued", body = Enrolment),
        (status = 200, description = "Already enrolled: the existing enrolment", body = Enrolment),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no published course has this slug", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/courses/{slug}/enrolment")]
pub async fn enrol(
    db: web::Data<DbPool>,
    config: web::Data<Config>,
    user: CurrentUser,
    client: ClientInfo,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let course = store::published_course(&mut conn, &slug)
        .await?
        .ok_or_else(|| AppError::not_found("No published course has this slug."))?;
    let (created, row) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            match store::insert_enrolment(tx, user.id, &course, None).await? {
                Some(row) => {
                    enrolment_created(tx, &config, &client, user.id, &row, &course, json!({}))
                        .await?;
                    Ok((true, (row, course)))
                }
                None => Ok((
                    false,
                    (store::enrolment_for(tx, user.id, course.id).await?, course),
                )),
            }
        })
        .await?;
    let (row, course) = row;
    Ok(enrolment_response(
        created,
        Enrolment::new(&row, &course.slug, &course.title),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// An enrolment code from a program coordinator (any letter case).
    #[schema(example = "PHLEB-SPRING-27")]
    pub code: String,
}

/// Join a cohort with an enrolment code. Already enrolled in the code's course: the existing
/// enrolment is returned and the code is not used.
#[utoipa::path(
    tag = "learning",
    request_body = JoinRequest,
    responses(
        (status = 201, description = "Enrolled in the code's cohort; confirmation mail queued", body = Enrolment),
        (status = 200, description = "Already enrolled in that course", body = Enrolment),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`code_not_found`", body = ErrorEnvelope),
        (status = 409, description = "`cohort_full`: the code's cohort has no seat left", body = ErrorEnvelope),
        (status = 410, description = "`code_expired` (expired, disabled, or its cohort archived), `code_used_up`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_body`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/join")]
pub async fn join(
    db: web::Data<DbPool>,
    config: web::Data<Config>,
    user: CurrentUser,
    client: ClientInfo,
    body: web::Json<JoinRequest>,
) -> AppResult<HttpResponse> {
    let code = body.into_inner().code.trim().to_uppercase();
    let not_found = || {
        AppError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::CodeNotFound,
            "There is no enrolment code like this. Check it with your program coordinator.",
        )
    };
    if code.is_empty() || code.len() > 64 {
        return Err(not_found());
    }
    let mut conn = db.get().await?;
    let (created, row, course) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let found = store::find_code(tx, &code).await?.ok_or_else(not_found)?;
            let now = Utc::now();
            if found.disabled_at.is_some() || found.expires_at.is_some_and(|e| e <= now) {
                return Err(AppError::new(
                    StatusCode::GONE,
                    ErrorCode::CodeExpired,
                    "This enrolment code is no longer valid. Ask your program coordinator for a new one.",
                ));
            }
            // An archived cohort takes no one; a full one no one new (its row stays locked
            // until the enrolment is written, so two joins cannot both take the last seat).
            let seats = super::enrolling::lock_seats(tx, found.cohort_id).await?;
            if seats.archived {
                return Err(AppError::new(
                    StatusCode::GONE,
                    ErrorCode::CodeExpired,
                    "This enrolment code is no longer valid. Ask your program coordinator for a new one.",
                ));
            }
            let course = found.course;
            match store::insert_enrolment(tx, user.id, &course, Some(found.cohort_id)).await? {
                None => {
                    let row = store::enrolment_for(tx, user.id, course.id).await?;
                    Ok((false, row, course))
                }
                Some(_) if seats.free() == Some(0) => Err(AppError::conflict(
                    ErrorCode::CohortFull,
                    "This cohort is full. Ask your program coordinator about another one.",
                )),
                Some(row) => {
                    // Taking the use after the insert: if the code is used up, the error
                    // rolls the enrolment back with it.
                    if !store::consume_code(tx, found.id).await? {
                        return Err(AppError::new(
                            StatusCode::GONE,
                            ErrorCode::CodeUsedUp,
                            "This enrolment code has been used as many times as it allows. Ask your program coordinator for a new one.",
                        ));
                    }
                    let via = json!({ "via": "code", "cohort_id": found.cohort_id });
                    enrolment_created(tx, &config, &client, user.id, &row, &course, via).await?;
                    Ok((true, row, course))
                }
            }
        })
        .await?;
    Ok(enrolment_response(
        created,
        Enrolment::new(&row, &course.slug, &course.title),
    ))
}

// ---- dashboard and progress -----------------------------------------------------------------

/// Every enrolment of the signed-in learner with percent complete, where to resume, time spent,
/// last activity and the required quizzes. Two queries whatever the number of enrolments.
#[utoipa::path(
    tag = "learning",
    responses(
        (status = 200, body = Dashboard),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/me/enrolments")]
pub async fn my_enrolments(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
) -> AppResult<web::Json<Dashboard>> {
    let conn = db.get().await?;
    // One statement: the enrolments with their courses and the facts of each; the outlines
    // from the cache.
    let rows = fact_store::enrolments_with_facts(&conn, content.facts(), user.id).await?;
    let mut enrolments = Vec::with_capacity(rows.len());
    for (row, course, arrays) in rows {
        let outline = content.outline(&conn, course.id, course.version).await?;
        let mut f = arrays.facts(&outline, row.last_lesson_id);
        f.externship = row.externship_standing();
        enrolments.push(views::dashboard_entry(&row, &course, &outline, &f));
    }
    Ok(web::Json(Dashboard { enrolments }))
}

/// Module-by-module progress and what is still missing for completion.
#[utoipa::path(
    tag = "learning",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    responses(
        (status = 200, body = EnrolmentDetail),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no enrolment of yours has this ID", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}")]
pub async fn get_enrolment(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let conn = db.get().await?;
    let id = id.into_inner();
    let EnrolmentContext {
        row,
        course,
        outline,
        facts,
    } = access::open(&conn, &content, &user, id, Access::LearnerOrAdmin).await?;
    let write = || {
        serde_json::to_string(&views::detail_progress(&outline, &facts)).map_err(AppError::internal)
    };
    let progress = content.details().progress(id, &outline, &facts, write)?;
    let enrolment = Enrolment::new(&row, &course.slug, &course.title);
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(views::detail_body(&enrolment, &progress)?))
}

// ---- lessons --------------------------------------------------------------------------------

/// A lesson of an enrolment: the rendered lesson, its neighbours and whether it is complete.
/// Opening it records the first opening and makes it the resume point.
#[utoipa::path(
    tag = "learning",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        ("lesson" = String, Path, description = "The lesson's slug"),
    ),
    responses(
        (status = 200, body = LessonView),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`lesson_locked` (details say what unlocks it), `enrolment_inactive` (withdrawn or expired)", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such enrolment of yours, or no such live lesson", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}/lessons/{lesson}")]
pub async fn get_lesson(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    path: web::Path<(Uuid, String)>,
) -> AppResult<web::Json<LessonView>> {
    let (id, lesson) = path.into_inner();
    let conn = db.get().await?;
    let LessonContext {
        enrolment: ctx,
        lesson,
        module,
    } = lesson_context(&content, &conn, &user, id, &lesson, Access::LearnerOrAdmin).await?;
    // Admins read without leaving progress behind. A learner re-reading the lesson they are
    // on writes nothing: the first opening is recorded once, and the resume point and last
    // activity only when they change (or the activity is a minute old).
    if ctx.row.user_id == user.id {
        let first = !ctx.facts.opened.contains(&lesson.slug);
        let touch = ctx.row.last_lesson_id != Some(lesson.id)
            || Utc::now() - ctx.row.last_activity_at > chrono::Duration::seconds(60);
        progress_store::record_open(&conn, ctx.row.id, lesson.id, first, touch).await?;
    }
    let (previous, next) = ctx.outline.neighbours(&lesson.slug);
    let (previous, next) = (
        previous.map(|l| l.slug.clone()),
        next.map(|l| l.slug.clone()),
    );
    let completed_at = ctx.facts.completed.get(&lesson.slug).copied();
    let body = content.lesson(&conn, lesson.id, lesson.revision).await?;
    Ok(web::Json(LessonView {
        enrolment_id: ctx.row.id,
        course_slug: ctx.course.slug,
        module: ctx.outline.modules[module].slug.clone(),
        lesson: views::body(lesson, &body),
        previous,
        next,
        completed: completed_at.is_some(),
        completed_at,
    }))
}

/// A free-preview lesson of a published course, without an account.
#[utoipa::path(
    tag = "learning",
    params(
        ("slug" = String, Path, description = "The course's slug"),
        ("lesson" = String, Path, description = "The lesson's slug"),
    ),
    responses(
        (status = 200, body = PreviewView),
        (status = 404, description = "`not_found`: no such published course, or the lesson is not a free preview", body = ErrorEnvelope),
    )
)]
#[get("/courses/{slug}/lessons/{lesson}/preview")]
pub async fn preview_lesson(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    path: web::Path<(String, String)>,
) -> AppResult<web::Json<PreviewView>> {
    let (slug, lesson) = path.into_inner();
    let mut conn = db.get().await?;
    let (course, row) = store::preview_lesson(&mut conn, &slug, &lesson)
        .await?
        .ok_or_else(|| AppError::not_found("This lesson is not open for preview."))?;
    let outline = content.outline(&conn, course.id, course.version).await?;
    let body = content.lesson(&conn, row.id, row.revision).await?;
    let module = outline
        .find_lesson(&row.slug)
        .map(|(mi, _)| outline.modules[mi].slug.clone())
        .unwrap_or_default();
    Ok(web::Json(PreviewView {
        course_slug: course.slug,
        course_title: course.title,
        module,
        lesson: views::body(row, &body),
    }))
}

/// Mark a lesson complete. Idempotent: the first completion time is kept. When this meets
/// every requirement of the course, the enrolment becomes `completed`.
#[utoipa::path(
    tag = "learning",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        ("lesson" = String, Path, description = "The lesson's slug"),
    ),
    responses(
        (status = 200, body = CompletionResult),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`lesson_locked`, `enrolment_inactive`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[put("/enrolments/{id}/lessons/{lesson}/completion")]
pub async fn complete_lesson(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    client: ClientInfo,
    path: web::Path<(Uuid, String)>,
) -> AppResult<web::Json<CompletionResult>> {
    let (id, slug) = path.into_inner();
    let mut conn = db.get().await?;
    let LessonContext {
        enrolment: ctx,
        lesson,
        ..
    } = lesson_context(&content, &conn, &user, id, &slug, Access::Learner).await?;
    let now = Utc::now();
    // Already complete and nothing to recompute: answer from what was read, writing nothing.
    if let Some(at) = ctx.facts.completed.get(&lesson.slug).copied()
        && !(ctx.row.state == EnrolmentState::Active
            && progress::missing(&ctx.outline, &ctx.facts).is_empty())
    {
        return Ok(web::Json(CompletionResult {
            lesson: slug,
            completed: true,
            completed_at: at,
            percent_complete: progress::percent_complete(&ctx.outline, &ctx.facts),
            enrolment_state: ctx.state(now),
        }));
    }
    let (enrolment, outline) = (ctx.row.id, &ctx.outline);
    let (completed_at, done) = completion::complete_lesson(
        &mut conn,
        enrolment,
        lesson.id,
        outline,
        &client.origin,
        Actor::User(user.id),
    )
    .await?;
    // The facts under the lock when the engine read them; else what was read before, with
    // this lesson.
    let facts = done.facts.unwrap_or_else(|| {
        let mut facts = ctx.facts.clone();
        facts.completed.insert(slug.clone(), completed_at);
        facts
    });
    Ok(web::Json(CompletionResult {
        percent_complete: progress::percent_complete(outline, &facts),
        lesson: slug,
        completed: true,
        completed_at,
        enrolment_state: if done.completed {
            EnrolmentState::Completed
        } else {
            ctx.state(now)
        },
    }))
}

/// Time on task: `seconds` from 1 to 300 (an integer), `position` an optional object of at
/// most 1 KB as PostgreSQL stores it (its `jsonb` text form, where numbers are written out in
/// full) and without NUL characters (where the learner is in the lesson).
#[derive(Debug, Deserialize, ToSchema)]
pub struct HeartbeatRequest {
    #[schema(value_type = i64, minimum = 1, maximum = 300)]
    pub seconds: Value,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub position: Option<Value>,
}

const MAX_POSITION_BYTES: usize = 1024;

fn invalid_heartbeat(message: &'static str) -> AppError {
    AppError::unprocessable(ErrorCode::InvalidHeartbeat, message)
}

fn parse_heartbeat(req: &HeartbeatRequest) -> AppResult<(i64, Option<&Value>)> {
    let seconds = req
        .seconds
        .as_i64()
        .filter(|s| (1..=300).contains(s))
        .ok_or_else(|| invalid_heartbeat("`seconds` must be a whole number from 1 to 300."))?;
    let position = match &req.position {
        None | Some(Value::Null) => None,
        // PostgreSQL cannot store a NUL in jsonb text.
        Some(p @ Value::Object(_)) if jsonb::has_nul(p) => {
            return Err(invalid_heartbeat(
                "`position` must not contain NUL characters (\\u0000).",
            ));
        }
        // Measured as the column's CHECK measures it: the size of PostgreSQL's text form.
        Some(p @ Value::Object(_)) if jsonb::text_len(p) <= MAX_POSITION_BYTES => Some(p),
        Some(_) => {
            return Err(invalid_heartbeat(
                "`position` must be a JSON object of at most 1 KB.",
            ));
        }
    };
    Ok((seconds, position))
}

/// Record time on task and the last position in a lesson (sent every minute or so while the
/// lesson is open).
#[utoipa::path(
    tag = "learning",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        ("lesson" = String, Path, description = "The lesson's slug"),
    ),
    request_body = HeartbeatRequest,
    responses(
        (status = 200, body = HeartbeatResult),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`lesson_locked`, `enrolment_inactive`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_heartbeat`: seconds not a whole number from 1 to 300, or position not an object of at most 1 KB as stored (numbers written out in full) or containing a NUL character", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/{id}/lessons/{lesson}/heartbeat")]
pub async fn heartbeat(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    path: web::Path<(Uuid, String)>,
    body: web::Json<HeartbeatRequest>,
) -> AppResult<web::Json<HeartbeatResult>> {
    let (id, lesson) = path.into_inner();
    let (seconds, position) = parse_heartbeat(&body)?;
    let position = position.cloned();
    let mut conn = db.get().await?;
    let ctx = lesson_context(&content, &conn, &user, id, &lesson, Access::Learner).await?;
    let (enrolment, lesson_id) = (ctx.enrolment.row.id, ctx.lesson.id);
    let (l, e) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            Ok(progress_store::record_heartbeat(
                tx,
                enrolment,
                lesson_id,
                seconds,
                position.as_ref(),
            )
            .await?)
        })
        .await?;
    Ok(web::Json(HeartbeatResult {
        lesson_time_spent_seconds: l,
        enrolment_time_spent_seconds: e,
    }))
}

// ---- state changes --------------------------------------------------------------------------

/// Withdraw from a course. Lessons can no longer be read; an admin can re-activate it.
/// Withdrawing again answers the withdrawn enrolment.
#[utoipa::path(
    tag = "learning",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    responses(
        (status = 200, body = Enrolment),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`enrolment_completed`: a completed course cannot be withdrawn from", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/{id}/withdraw")]
pub async fn withdraw(
    db: web::Data<DbPool>,
    user: CurrentUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Enrolment>> {
    let id = id.into_inner();
    let mut conn = db.get().await?;
    let (row, course) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let (row, course) = store::lock_with_course(tx, id)
                .await?
                .filter(|(row, _)| Access::Learner.allows(row, &user))
                .ok_or_else(access::not_found)?;
            match row.state {
                EnrolmentState::Withdrawn => return Ok((row, course)),
                EnrolmentState::Completed => {
                    return Err(AppError::conflict(
                        ErrorCode::EnrolmentCompleted,
                        "You have completed this course; there is nothing to withdraw from.",
                    ));
                }
                EnrolmentState::Active | EnrolmentState::Expired => {}
            }
            let updated = store::set_withdrawn(tx, id).await?;
            audit::record(
                tx,
                &client.origin,
                Event {
                    actor: Actor::User(user.id),
                    action: "enrolment.withdrawn",
                    subject: Some(("enrolment", id.to_string())),
                    details: json!({ "course": course.slug, "from": row.state }),
                },
            )
            .await?;
            Ok((updated, course))
        })
        .await?;
    Ok(web::Json(Enrolment::new(&row, &course.slug, &course.title)))
}

/// Re-activate a withdrawn or expired enrolment (admins, and staff for members of the
/// cohorts they own). An expired access period is extended by the course's access days from
/// now.
#[utoipa::path(
    tag = "learning",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    responses(
        (status = 200, body = Enrolment),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such enrolment, or (staff) not in a cohort of theirs", body = ErrorEnvelope),
        (status = 409, description = "`enrolment_not_inactive`: the enrolment is neither withdrawn nor expired", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/admin/enrolments/{id}/reactivate")]
pub async fn reactivate(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    staff: StaffUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Enrolment>> {
    let id = id.into_inner();
    let mut conn = db.get().await?;
    let not_found = || AppError::not_found("No enrolment has this ID.");
    let (row, course) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let (row, course) = store::lock_with_course(tx, id)
                .await?
                .ok_or_else(not_found)?;
            if !Access::Staff(staff.scope)
                .permits(tx, &row, &staff.user)
                .await?
            {
                return Err(not_found());
            }
            let from = row.effective_state(Utc::now());
            if !from.is_inactive() {
                return Err(AppError::conflict(
                    ErrorCode::EnrolmentNotInactive,
                    "Only a withdrawn or expired enrolment can be re-activated.",
                )
                .with_details(json!({ "state": from })));
            }
            let mut updated = store::set_reactivated(tx, id, course.access_days).await?;
            let shared: &diesel_async::AsyncPgConnection = tx;
            let outline = content.outline(shared, course.id, course.version).await?;
            audit::record(
                tx,
                &client.origin,
                Event {
                    actor: Actor::User(staff.user.id),
                    action: "enrolment.reactivated",
                    subject: Some(("enrolment", id.to_string())),
                    details: json!({
                        "course": course.slug,
                        "learner": row.user_id,
                        "from": from,
                        "access_expires_at": updated.access_expires_at,
                    }),
                },
            )
            .await?;
            // What was met while it was inactive (or became met through a re-import)
            // completes it now.
            let actor = Actor::User(staff.user.id);
            let done = completion::complete_if_met(
                tx,
                id,
                &outline,
                &client.origin,
                actor,
                Trigger::Reactivated,
            )
            .await?;
            if done.completed {
                updated = store::enrolment_by_id(tx, id).await?;
            }
            Ok((updated, course))
        })
        .await?;
    Ok(web::Json(Enrolment::new(&row, &course.slug, &course.title)))
}
