//! `GET /api/v1/enrolments/{id}/readiness`: the learner's readiness by certification exam
//! domain (its learner; staff of its cohort and admins may read it).

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::Scope;
use crate::accounts::extract::CurrentUser;
use crate::db::DbPool;
use crate::http::AppResult;
use crate::http::error::ErrorEnvelope;
use crate::learning::cache::ContentCache;
use crate::learning::{Access, access};
use crate::quizzes::readiness::{self, ExamReadiness};

/// A learner's readiness for the exams the course prepares for.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentReadiness {
    pub enrolment_id: Uuid,
    /// The course's slug.
    pub course: String,
    /// Each exam outline the course declares, in the course's order (empty: it declares none).
    pub exams: Vec<ExamReadiness>,
}

/// Per domain of each exam outline: the share answered correctly across the learner's graded
/// attempts (latest answer per question), the distinct questions it rests on, and the domain's
/// published weight.
#[utoipa::path(
    tag = "quizzes",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    responses(
        (status = 200, body = EnrolmentReadiness),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such enrolment, or not yours (staff: not in a cohort of theirs)", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}/readiness")]
pub async fn enrolment_readiness(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<EnrolmentReadiness>> {
    let conn = db.get().await?;
    let access = Access::LearnerOrStaff(Scope::for_user(&user));
    let e = access::open_brief(&conn, &content, &user, id.into_inner(), access).await?;
    let rows = readiness::of_enrolment(&conn, e.row.id, e.course.id).await?;
    Ok(web::Json(EnrolmentReadiness {
        enrolment_id: e.row.id,
        course: e.course.slug,
        exams: readiness::learner_exams(rows),
    }))
}
