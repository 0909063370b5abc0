//! `/api/v1/courses/{slug}/enrolment`, `/api/v1/enrolments/*`, `/api/v1/me/enrolments` and
//! `/api/v1/admin/enrolments/*`: enrolment, lesson delivery and progress.
//!
//! Ownership: an enrolment is visible to its learner, and readable (never writable) by admins.
//! Anyone else gets the same 404 as for an ID that does not exist.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::cache::Html;
use super::progress::{self, Facts, Lock, Outline};
use super::store::{self, CourseBrief, EnrolmentRow, LessonRow};
use crate::accounts::extract::{AdminUser, ClientInfo, CurrentUser};
use crate::audit::{self, Actor, Event};
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, AppState};
use crate::mail::{self, templates};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(enrol)
        .service(join)
        .service(my_enrolments)
        .service(get_enrolment)
        .service(get_lesson)
        .service(preview_lesson)
        .service(complete_lesson)
        .service(heartbeat)
        .service(withdraw)
        .service(reactivate);
}

// ---- views ----------------------------------------------------------------------------------

/// An enrolment: a learner's place in one course.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Enrolment {
    pub id: Uuid,
    pub course_slug: String,
    pub course_title: String,
    /// The course content version at enrolment.
    pub course_version: i32,
    pub cohort_id: Option<Uuid>,
    /// `active`, `completed`, `withdrawn` or `expired` (an active enrolment past its access
    /// period reads `expired`).
    #[schema(example = "active")]
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    /// Time on task reported by lesson heartbeats.
    pub time_spent_seconds: i64,
}

impl Enrolment {
    fn new(row: &EnrolmentRow, slug: &str, title: &str) -> Enrolment {
        Enrolment {
            id: row.id,
            course_slug: slug.to_string(),
            course_title: title.to_string(),
            course_version: row.course_version,
            cohort_id: row.cohort_id,
            state: row.effective_state(Utc::now()).to_string(),
            started_at: row.started_at,
            access_expires_at: row.access_expires_at,
            completed_at: row.completed_at,
            withdrawn_at: row.withdrawn_at,
            last_activity_at: row.last_activity_at,
            time_spent_seconds: row.time_spent_seconds,
        }
    }
}

/// A lesson named in a progress view.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LessonRef {
    pub module: String,
    pub slug: String,
    pub title: String,
}

/// A required quiz and how the learner stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuizState {
    pub slug: String,
    pub title: String,
    /// `passed`, `not_passed` (attempted) or `not_attempted`.
    pub state: String,
    pub best_percent: Option<i32>,
    pub attempts_used: i32,
}

fn quiz_state(facts: &Facts, slug: &str, title: &str) -> QuizState {
    let f = facts.quizzes.get(slug);
    QuizState {
        slug: slug.to_string(),
        title: title.to_string(),
        state: facts.quiz_state(slug).to_string(),
        best_percent: f
            .filter(|f| f.attempts_used > 0 || f.passed)
            .map(|f| f.best_percent),
        attempts_used: f.map(|f| f.attempts_used).unwrap_or(0),
    }
}

/// One enrolment on the dashboard.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DashboardEntry {
    #[serde(flatten)]
    pub enrolment: Enrolment,
    /// Completed lessons and passed required quizzes over all of them, rounded down.
    pub percent_complete: i32,
    /// Where to resume: the last opened incomplete lesson, else the first incomplete open one.
    /// `null` when every open lesson is done (a quiz or the externship comes next).
    pub next_lesson: Option<LessonRef>,
    pub required_quizzes: Vec<QuizState>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    pub enrolments: Vec<DashboardEntry>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LessonProgressView {
    pub slug: String,
    pub title: String,
    pub estimated_minutes: i32,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub locked: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ModuleProgress {
    pub slug: String,
    pub title: String,
    pub locked: bool,
    /// Why it is locked, in plain words (`null` when open).
    pub unlocks_when: Option<String>,
    pub lessons: Vec<LessonProgressView>,
    pub quiz: Option<QuizState>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExternshipProgress {
    pub required: bool,
    pub met: bool,
    pub hours_logged: f64,
    pub hours_required: f64,
    /// Each procedure: `{slug, name, logged, required}`.
    #[schema(value_type = Vec<Object>)]
    pub procedures: Vec<Value>,
}

/// "Why am I not complete?"
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompletionView {
    pub complete: bool,
    /// Plain sentences, one per missing requirement (empty when complete).
    pub missing: Vec<String>,
    pub lessons_missing: Vec<LessonRef>,
    pub quizzes_missing: Vec<QuizState>,
    pub externship: Option<ExternshipProgress>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EnrolmentDetail {
    #[serde(flatten)]
    pub enrolment: Enrolment,
    pub percent_complete: i32,
    pub next_lesson: Option<LessonRef>,
    pub modules: Vec<ModuleProgress>,
    /// Course-level quizzes (the final exam).
    pub course_quizzes: Vec<QuizState>,
    pub completion: CompletionView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LessonBody {
    pub slug: String,
    pub title: String,
    #[schema(value_type = Vec<String>)]
    pub objectives: Value,
    /// Sanitized HTML, rendered at import.
    #[schema(value_type = String)]
    pub body_html: Html,
    pub estimated_minutes: i32,
}

/// A lesson as delivered to an enrolled learner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LessonView {
    pub enrolment_id: Uuid,
    pub course_slug: String,
    pub module: String,
    pub lesson: LessonBody,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A free-preview lesson.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewView {
    pub course_slug: String,
    pub course_title: String,
    pub module: String,
    pub lesson: LessonBody,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompletionResult {
    pub lesson: String,
    pub completed: bool,
    /// The first completion time (later calls keep it).
    pub completed_at: DateTime<Utc>,
    pub percent_complete: i32,
    /// The enrolment's state afterwards (`completed` once every requirement is met).
    pub enrolment_state: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HeartbeatResult {
    pub lesson_time_spent_seconds: i64,
    pub enrolment_time_spent_seconds: i64,
}

// ---- helpers --------------------------------------------------------------------------------

fn body(row: LessonRow, body_html: Html) -> LessonBody {
    LessonBody {
        slug: row.slug,
        title: row.title,
        objectives: row.objectives,
        body_html,
        estimated_minutes: row.estimated_minutes,
    }
}

/// The course's parsed outline, from the process's cache (one keyed read on a miss).
pub async fn outline_of(
    state: &AppState,
    conn: &diesel_async::AsyncPgConnection,
    course: &CourseBrief,
) -> AppResult<Arc<Outline>> {
    state.content.outline(conn, course.id, course.version).await
}

fn enrolment_not_found() -> AppError {
    AppError::not_found("No enrolment of yours has this ID.")
}

fn lesson_not_found() -> AppError {
    AppError::not_found("This course has no lesson with that name.")
}

pub(crate) fn inactive(state: &str) -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        "enrolment_inactive",
        match state {
            "withdrawn" => "You withdrew from this course. Ask your program coordinator to re-activate it.",
            _ => "Your access to this course has expired. Ask your program coordinator to re-activate it.",
        },
    )
    .with_details(json!({ "state": state }))
}

fn locked(outline: &Outline, module: &str, lock: &Lock) -> AppError {
    AppError::new(StatusCode::FORBIDDEN, "lesson_locked", lock.explain(outline)).with_details(
        json!({
            "module": module,
            "unlocks_when": {
                "lessons": lock.lessons.iter().map(|(m, l)| json!({ "module": m, "slug": l })).collect::<Vec<_>>(),
                "quizzes": lock.quizzes,
            },
        }),
    )
}

/// Whether `user` may see an enrolment: its learner, or an admin reading.
fn visible(row: &EnrolmentRow, user: &CurrentUser, write: bool) -> bool {
    row.user_id == user.id || (!write && user.role.is_admin())
}

fn lesson_ref(outline: &Outline, mi: usize, l: &progress::OutlineLesson) -> LessonRef {
    LessonRef {
        module: outline.modules[mi].slug.clone(),
        slug: l.slug.clone(),
        title: l.title.clone(),
    }
}

/// Everything a lesson route needs, read in one round trip: the enrolment with its course and
/// the lesson (one query), and its progress facts (one query), pipelined.
struct LessonContext {
    row: EnrolmentRow,
    course: CourseBrief,
    outline: Arc<Outline>,
    lesson: LessonRow,
    facts: Facts,
    module: usize,
}

async fn lesson_context(
    state: &AppState,
    conn: &diesel_async::AsyncPgConnection,
    user: &CurrentUser,
    id: Uuid,
    lesson: &str,
    write: bool,
) -> AppResult<LessonContext> {
    let ids = [id];
    let (found, facts) = futures_util::try_join!(
        store::enrolment_with_lesson(conn, id, Some(lesson)),
        store::facts_of(conn, &ids),
    )?;
    let (row, course, lesson) = found
        .filter(|(row, _, _)| visible(row, user, write))
        .ok_or_else(enrolment_not_found)?;
    let lesson = lesson.ok_or_else(lesson_not_found)?;
    let outline = outline_of(state, conn, &course).await?;
    let state = row.effective_state(Utc::now());
    if state == "withdrawn" || state == "expired" {
        return Err(inactive(state));
    }
    let (module, _) = outline
        .find_lesson(&lesson.slug)
        .ok_or_else(lesson_not_found)?;
    let facts = store::facts_for(&facts, row.id, row.last_lesson_id);
    if let Some(lock) = progress::module_lock(&outline, &facts, module) {
        return Err(locked(&outline, &outline.modules[module].slug, &lock));
    }
    Ok(LessonContext {
        row,
        course,
        outline,
        lesson,
        facts,
        module,
    })
}

fn required_quiz_states(outline: &Outline, facts: &Facts) -> Vec<QuizState> {
    outline
        .required_quizzes()
        .into_iter()
        .map(|q| quiz_state(facts, &q.slug, &q.title))
        .collect()
}

fn next_lesson(outline: &Outline, facts: &Facts) -> Option<LessonRef> {
    progress::next_lesson(outline, facts).map(|(mi, l)| lesson_ref(outline, mi, l))
}

fn completion_view(outline: &Outline, facts: &Facts) -> CompletionView {
    let missing = progress::missing(outline, facts);
    let mut sentences = Vec::new();
    if !missing.lessons.is_empty() {
        let n = missing.lessons.len();
        let titles: Vec<String> = missing
            .lessons
            .iter()
            .map(|(_, t)| format!("\"{t}\""))
            .collect();
        sentences.push(format!(
            "Complete {n} more lesson{}: {}.",
            if n == 1 { "" } else { "s" },
            progress::join_words(&titles)
        ));
    }
    for (_, title) in &missing.quizzes {
        sentences.push(format!("Pass the quiz \"{title}\"."));
    }
    let externship = outline.externship.as_ref().map(|e| ExternshipProgress {
        required: outline.completion.externship,
        met: false,
        hours_logged: 0.0,
        hours_required: e.total_hours,
        procedures: e
            .procedures
            .iter()
            .map(
                |p| json!({ "slug": p.slug, "name": p.name, "logged": 0, "required": p.min_count }),
            )
            .collect(),
    });
    if missing.externship {
        match &outline.externship {
            Some(e) => {
                let mut s = format!(
                    "Complete your clinical externship: {} hours attested by your site \
                     supervisor (0 logged so far)",
                    fmt_hours(e.total_hours)
                );
                let procs: Vec<String> = e
                    .procedures
                    .iter()
                    .map(|p| format!("{} {}", p.min_count, p.name.to_lowercase()))
                    .collect();
                if !procs.is_empty() {
                    s.push_str(&format!(", and {}", progress::join_words(&procs)));
                }
                if let Some(n) = e.min_total_procedures {
                    s.push_str(&format!(" ({n} procedures in all)"));
                }
                s.push('.');
                sentences.push(s);
            }
            None => sentences.push("Complete your clinical externship.".into()),
        }
    }
    CompletionView {
        complete: missing.is_empty(),
        missing: sentences,
        lessons_missing: missing
            .lessons
            .iter()
            .filter_map(|(slug, _)| {
                outline
                    .find_lesson(slug)
                    .map(|(mi, li)| lesson_ref(outline, mi, &outline.modules[mi].lessons[li]))
            })
            .collect(),
        quizzes_missing: missing
            .quizzes
            .iter()
            .map(|(slug, title)| quiz_state(facts, slug, title))
            .collect(),
        externship,
    }
}

fn fmt_hours(h: f64) -> String {
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h}")
    }
}

async fn enrolment_created(
    tx: &mut diesel_async::AsyncPgConnection,
    state: &AppState,
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
            &state.config.public_url,
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
    state: web::Data<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let mut conn = state.db.get().await?;
    let course = store::published_course(&mut conn, &slug)
        .await?
        .ok_or_else(|| AppError::not_found("No published course has this slug."))?;
    let st = state.clone();
    let (created, row) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            match store::insert_enrolment(tx, user.id, &course, None).await? {
                Some(row) => {
                    enrolment_created(tx, &st, &client, user.id, &row, &course, json!({})).await?;
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
        (status = 410, description = "`code_expired` (expired or disabled), `code_used_up`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_body`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/join")]
pub async fn join(
    state: web::Data<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    body: web::Json<JoinRequest>,
) -> AppResult<HttpResponse> {
    let code = body.into_inner().code.trim().to_uppercase();
    let not_found = || {
        AppError::new(
            StatusCode::NOT_FOUND,
            "code_not_found",
            "There is no enrolment code like this. Check it with your program coordinator.",
        )
    };
    if code.is_empty() || code.len() > 64 {
        return Err(not_found());
    }
    let mut conn = state.db.get().await?;
    let st = state.clone();
    let (created, row, course) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let found = store::find_code(tx, &code).await?.ok_or_else(not_found)?;
            let now = Utc::now();
            if found.disabled_at.is_some() || found.expires_at.is_some_and(|e| e <= now) {
                return Err(AppError::new(
                    StatusCode::GONE,
                    "code_expired",
                    "This enrolment code is no longer valid. Ask your program coordinator for a new one.",
                ));
            }
            let course = found.course;
            match store::insert_enrolment(tx, user.id, &course, Some(found.cohort_id)).await? {
                None => {
                    let row = store::enrolment_for(tx, user.id, course.id).await?;
                    Ok((false, row, course))
                }
                Some(row) => {
                    // Taking the use after the insert: if the code is used up, the error
                    // rolls the enrolment back with it.
                    if !store::consume_code(tx, found.id).await? {
                        return Err(AppError::new(
                            StatusCode::GONE,
                            "code_used_up",
                            "This enrolment code has been used as many times as it allows. Ask your program coordinator for a new one.",
                        ));
                    }
                    let via = json!({ "via": "code", "cohort_id": found.cohort_id });
                    enrolment_created(tx, &st, &client, user.id, &row, &course, via).await?;
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
    state: web::Data<AppState>,
    user: CurrentUser,
) -> AppResult<web::Json<Dashboard>> {
    let conn = state.db.get().await?;
    // The enrolments with their courses' outlines, then one facts query for all of them.
    let rows = store::enrolments_of(&conn, user.id).await?;
    let ids: Vec<Uuid> = rows.iter().map(|(r, _)| r.id).collect();
    let facts = if ids.is_empty() {
        Vec::new()
    } else {
        store::facts_of(&conn, &ids).await?
    };
    let mut enrolments = Vec::with_capacity(rows.len());
    for (row, course) in rows {
        let outline = outline_of(&state, &conn, &course).await?;
        let f = store::facts_for(&facts, row.id, row.last_lesson_id);
        enrolments.push(DashboardEntry {
            percent_complete: progress::percent_complete(&outline, &f),
            next_lesson: next_lesson(&outline, &f),
            required_quizzes: required_quiz_states(&outline, &f),
            enrolment: Enrolment::new(&row, &course.slug, &course.title),
        });
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
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<EnrolmentDetail>> {
    let id = id.into_inner();
    let conn = state.db.get().await?;
    let ids = [id];
    let (found, facts) = futures_util::try_join!(
        store::enrolment_with_lesson(&conn, id, None),
        store::facts_of(&conn, &ids),
    )?;
    let (row, course, _) = found
        .filter(|(row, _, _)| visible(row, &user, false))
        .ok_or_else(enrolment_not_found)?;
    let outline = outline_of(&state, &conn, &course).await?;
    let facts = store::facts_for(&facts, row.id, row.last_lesson_id);
    let modules = outline
        .modules
        .iter()
        .enumerate()
        .map(|(mi, m)| {
            let lock = progress::module_lock(&outline, &facts, mi);
            ModuleProgress {
                slug: m.slug.clone(),
                title: m.title.clone(),
                locked: lock.is_some(),
                unlocks_when: lock.as_ref().map(|l| l.explain(&outline)),
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| LessonProgressView {
                        slug: l.slug.clone(),
                        title: l.title.clone(),
                        estimated_minutes: l.estimated_minutes,
                        completed: facts.is_completed(&l.slug),
                        completed_at: facts.completed.get(&l.slug).copied(),
                        locked: lock.is_some(),
                    })
                    .collect(),
                quiz: m
                    .quiz
                    .as_ref()
                    .map(|q| quiz_state(&facts, &q.slug, &q.title)),
            }
        })
        .collect();
    Ok(web::Json(EnrolmentDetail {
        percent_complete: progress::percent_complete(&outline, &facts),
        next_lesson: next_lesson(&outline, &facts),
        course_quizzes: outline
            .quizzes
            .iter()
            .map(|q| quiz_state(&facts, &q.slug, &q.title))
            .collect(),
        completion: completion_view(&outline, &facts),
        modules,
        enrolment: Enrolment::new(&row, &course.slug, &course.title),
    }))
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
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(Uuid, String)>,
) -> AppResult<web::Json<LessonView>> {
    let (id, lesson) = path.into_inner();
    let conn = state.db.get().await?;
    let ctx = lesson_context(&state, &conn, &user, id, &lesson, false).await?;
    // Admins read without leaving progress behind. A learner re-reading the lesson they are
    // on writes nothing: the first opening is recorded once, and the resume point and last
    // activity only when they change (or the activity is a minute old).
    if ctx.row.user_id == user.id {
        let first = !ctx.facts.opened.contains(&ctx.lesson.slug);
        let touch = ctx.row.last_lesson_id != Some(ctx.lesson.id)
            || Utc::now() - ctx.row.last_activity_at > chrono::Duration::seconds(60);
        store::record_open(&conn, ctx.row.id, ctx.lesson.id, first, touch).await?;
    }
    let (previous, next) = ctx.outline.neighbours(&ctx.lesson.slug);
    let (previous, next) = (
        previous.map(|l| l.slug.clone()),
        next.map(|l| l.slug.clone()),
    );
    let completed_at = ctx.facts.completed.get(&ctx.lesson.slug).copied();
    let html = state
        .content
        .lesson_body(&conn, ctx.lesson.id, &ctx.lesson.content_hash)
        .await?;
    Ok(web::Json(LessonView {
        enrolment_id: ctx.row.id,
        course_slug: ctx.course.slug,
        module: ctx.outline.modules[ctx.module].slug.clone(),
        lesson: body(ctx.lesson, html),
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
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<web::Json<PreviewView>> {
    let (slug, lesson) = path.into_inner();
    let mut conn = state.db.get().await?;
    let (course, row) = store::preview_lesson(&mut conn, &slug, &lesson)
        .await?
        .ok_or_else(|| AppError::not_found("This lesson is not open for preview."))?;
    let outline = outline_of(&state, &conn, &course).await?;
    let html = state
        .content
        .lesson_body(&conn, row.id, &row.content_hash)
        .await?;
    let module = outline
        .find_lesson(&row.slug)
        .map(|(mi, _)| outline.modules[mi].slug.clone())
        .unwrap_or_default();
    Ok(web::Json(PreviewView {
        course_slug: course.slug,
        course_title: course.title,
        module,
        lesson: body(row, html),
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
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(Uuid, String)>,
) -> AppResult<web::Json<CompletionResult>> {
    let (id, lesson) = path.into_inner();
    let mut conn = state.db.get().await?;
    let LessonContext {
        row,
        outline,
        lesson: lesson_row,
        facts,
        ..
    } = lesson_context(&state, &conn, &user, id, &lesson, true).await?;
    let was_active = row.state == "active";
    // Already complete and nothing to recompute: answer from what was read, writing nothing.
    if let Some(at) = facts.completed.get(&lesson_row.slug).copied()
        && !(was_active && progress::missing(&outline, &facts).is_empty())
    {
        return Ok(web::Json(CompletionResult {
            lesson,
            completed: true,
            completed_at: at,
            percent_complete: progress::percent_complete(&outline, &facts),
            enrolment_state: row.effective_state(Utc::now()).to_string(),
        }));
    }
    let (enrolment, lesson_id, slug) = (row.id, lesson_row.id, lesson_row.slug);
    let (completed_at, done, percent) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            // Locks the enrolment row first: a concurrent completion in the same enrolment
            // waits, so the facts re-read below include it. The two statements are
            // pipelined (one round trip); the server runs them in the order sent.
            let shared: &diesel_async::AsyncPgConnection = tx;
            let ((), at) = futures_util::try_join!(
                store::touch_enrolment(shared, enrolment, lesson_id),
                store::record_completion(shared, enrolment, lesson_id),
            )?;
            let mut facts = facts;
            facts.completed.insert(slug, at);
            let mut missing = progress::missing(&outline, &facts);
            if !missing.externship && !missing.is_empty() {
                // Only lessons and quizzes stand in the way: another request may just have
                // completed them (a quiz submit takes the same lock). Re-read under the lock
                // (courses without a required externship only).
                let rows = store::facts_of(tx, &[enrolment]).await?;
                facts = store::facts_for(&rows, enrolment, Some(lesson_id));
                missing = progress::missing(&outline, &facts);
            }
            let done =
                missing.is_empty() && was_active && store::mark_completed(tx, enrolment).await?;
            Ok((at, done, progress::percent_complete(&outline, &facts)))
        })
        .await?;
    let enrolment_state = if done {
        "completed".to_string()
    } else {
        row.effective_state(Utc::now()).to_string()
    };
    Ok(web::Json(CompletionResult {
        lesson,
        completed: true,
        completed_at,
        percent_complete: percent,
        enrolment_state,
    }))
}

/// Time on task: `seconds` from 1 to 300 (an integer), `position` an optional object of at
/// most 1 KB (where the learner is in the lesson).
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
    AppError::unprocessable("invalid_heartbeat", message)
}

fn parse_heartbeat(req: &HeartbeatRequest) -> AppResult<(i64, Option<&Value>)> {
    let seconds = req
        .seconds
        .as_i64()
        .filter(|s| (1..=300).contains(s))
        .ok_or_else(|| invalid_heartbeat("`seconds` must be a whole number from 1 to 300."))?;
    let position = match &req.position {
        None | Some(Value::Null) => None,
        Some(p @ Value::Object(_)) if p.to_string().len() <= MAX_POSITION_BYTES => Some(p),
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
        (status = 422, description = "`invalid_heartbeat`: seconds not a whole number from 1 to 300, or position not an object of at most 1 KB", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/{id}/lessons/{lesson}/heartbeat")]
pub async fn heartbeat(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(Uuid, String)>,
    body: web::Json<HeartbeatRequest>,
) -> AppResult<web::Json<HeartbeatResult>> {
    let (id, lesson) = path.into_inner();
    let (seconds, position) = parse_heartbeat(&body)?;
    let position = position.cloned();
    let mut conn = state.db.get().await?;
    let ctx = lesson_context(&state, &conn, &user, id, &lesson, true).await?;
    let (enrolment, lesson_id) = (ctx.row.id, ctx.lesson.id);
    let (l, e) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            Ok(
                store::record_heartbeat(tx, enrolment, lesson_id, seconds, position.as_ref())
                    .await?,
            )
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
    state: web::Data<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Enrolment>> {
    let id = id.into_inner();
    let mut conn = state.db.get().await?;
    let (row, course) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let (row, course) = store::lock_enrolment(tx, id)
                .await?
                .filter(|(row, _)| row.user_id == user.id)
                .ok_or_else(enrolment_not_found)?;
            match row.state.as_str() {
                "withdrawn" => return Ok((row, course)),
                "completed" => {
                    return Err(AppError::conflict(
                        "enrolment_completed",
                        "You have completed this course; there is nothing to withdraw from.",
                    ));
                }
                _ => {}
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

/// Re-activate a withdrawn or expired enrolment (admins). An expired access period is
/// extended by the course's access days from now.
#[utoipa::path(
    tag = "learning",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    responses(
        (status = 200, body = Enrolment),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`enrolment_not_inactive`: the enrolment is neither withdrawn nor expired", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/admin/enrolments/{id}/reactivate")]
pub async fn reactivate(
    state: web::Data<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Enrolment>> {
    let id = id.into_inner();
    let mut conn = state.db.get().await?;
    let (row, course) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let (row, course) = store::lock_enrolment(tx, id)
                .await?
                .ok_or_else(|| AppError::not_found("No enrolment has this ID."))?;
            let from = row.effective_state(Utc::now()).to_string();
            if from != "withdrawn" && from != "expired" {
                return Err(AppError::conflict(
                    "enrolment_not_inactive",
                    "Only a withdrawn or expired enrolment can be re-activated.",
                )
                .with_details(json!({ "state": from })));
            }
            let updated = store::set_reactivated(tx, id, course.access_days).await?;
            audit::record(
                tx,
                &client.origin,
                Event {
                    actor: Actor::User(admin.0.id),
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
            Ok((updated, course))
        })
        .await?;
    Ok(web::Json(Enrolment::new(&row, &course.slug, &course.title)))
}
