//! A cohort's members: `/api/v1/admin/cohorts/{id}/members` (list, add) and
//! `/api/v1/admin/enrolments/{id}/{move,withdraw,extend}`. Admins, and staff for the cohorts
//! they own (for a move, both cohorts). Enrolments are written through learning.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::codes::archived;
use super::{CohortId, cohort_not_found};
use crate::accounts::domain::Email;
use crate::accounts::{ClientInfo, StaffUser};
use crate::cohorts::input;
use crate::cohorts::member_store::{self, MemberFilter};
use crate::cohorts::membership::{self, MemberError, Staffing};
use crate::cohorts::views::{Member, MemberPage};
use crate::config::Config;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::paging::{Paging, search_text};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::EnrolmentState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_members)
        .service(add_member)
        .service(move_member)
        .service(withdraw_member)
        .service(extend_member);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MemberQuery {
    /// Text contained in the learner's email address or name (case-insensitive).
    pub q: Option<String>,
    #[param(inline)]
    pub state: Option<EnrolmentState>,
    /// 1-based page number (default 1).
    pub page: Option<i64>,
    /// Members per page, 1 to 100 (default 25).
    pub per_page: Option<i64>,
}

/// The cohort's members by name.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's ID"), MemberQuery),
    responses(
        (status = 200, body = MemberPage),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    )
)]
#[get("/admin/cohorts/{id}/members")]
pub async fn list_members(
    db: web::Data<DbPool>,
    who: StaffUser,
    id: CohortId,
    query: web::Query<MemberQuery>,
) -> AppResult<web::Json<MemberPage>> {
    let q = query.into_inner();
    let paging = Paging::parse(q.page, q.per_page, 25)?;
    let filter = MemberFilter {
        text: search_text(q.q.as_deref())?,
        state: q.state,
    };
    let mut conn = db.get().await?;
    if !who.scope.sees_cohort(&mut conn, *id).await? {
        return Err(cohort_not_found());
    }
    let (rows, total) =
        member_store::list(&mut conn, *id, filter, paging.per_page, paging.offset()).await?;
    let now = Utc::now();
    Ok(web::Json(MemberPage {
        items: rows.into_iter().map(|r| Member::new(r, now)).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The address of an existing account.
    pub email: String,
}

/// Enrol an existing account in the cohort's course, in this cohort. A confirmation mail is
/// queued.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    request_body = AddMember,
    responses(
        (status = 201, body = Member),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no cohort you can see has this ID", body = ErrorEnvelope),
        (status = 409, description = "`cohort_archived`, `cohort_full`, `already_enrolled` (details: `enrolment_id`, `cohort_id`)", body = ErrorEnvelope),
        (status = 422, description = "`invalid_email`, `account_not_found` (`details.field`: email), `invalid_body`", body = ErrorEnvelope),
    )
)]
#[post("/admin/cohorts/{id}/members")]
pub async fn add_member(
    db: web::Data<DbPool>,
    config: web::Data<Config>,
    who: StaffUser,
    client: ClientInfo,
    id: CohortId,
    body: web::Json<AddMember>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let email = Email::parse(&body.email)?;
    let by = staffing(&who, &client, &config);
    let mut conn = db.get().await?;
    let enrolment = conn
        .transaction::<_, MemberError, _>(async |tx| {
            membership::add(tx, by, id, email.as_str()).await
        })
        .await?;
    let row = member_store::get(&mut conn, enrolment).await?;
    Ok(HttpResponse::Created().json(Member::new(row, Utc::now())))
}

fn staffing<'a>(who: &StaffUser, client: &'a ClientInfo, config: &'a Config) -> Staffing<'a> {
    Staffing {
        user: who.user.id,
        scope: who.scope,
        origin: &client.origin,
        public_url: &config.public_url,
    }
}

/// How a refused membership change answers.
impl From<MemberError> for AppError {
    fn from(e: MemberError) -> AppError {
        match e {
            MemberError::CohortNotFound => cohort_not_found(),
            MemberError::EnrolmentNotFound => {
                AppError::not_found("No enrolment you can see has this ID.")
            }
            MemberError::Archived => archived(),
            MemberError::Full { capacity, taken } => AppError::conflict(
                ErrorCode::CohortFull,
                "This cohort is full; raise its capacity or choose another cohort.",
            )
            .with_details(json!({ "capacity": capacity, "members": taken })),
            MemberError::AccountNotFound => AppError::unprocessable(
                ErrorCode::AccountNotFound,
                "No account has this email address.",
            )
            .with_details(json!({ "field": "email" })),
            MemberError::AlreadyEnrolled { enrolment, cohort } => {
                let e = AppError::conflict(
                    ErrorCode::AlreadyEnrolled,
                    "This learner is already enrolled in the course.",
                );
                match enrolment {
                    Some(id) => e.with_details(json!({ "enrolment_id": id, "cohort_id": cohort })),
                    None => e,
                }
            }
            MemberError::CourseMismatch => AppError::unprocessable(
                ErrorCode::CohortCourseMismatch,
                "That cohort is of another course; a member moves only between cohorts of one course.",
            )
            .with_details(json!({ "field": "cohort_id" })),
            MemberError::Completed => AppError::conflict(
                ErrorCode::EnrolmentCompleted,
                "This learner has completed the course; there is nothing to withdraw from.",
            ),
            MemberError::Db(e) => e.into(),
        }
    }
}

async fn member(conn: &mut AsyncPgConnection, id: Uuid) -> AppResult<web::Json<Member>> {
    let row = member_store::get(conn, id).await?;
    Ok(web::Json(Member::new(row, Utc::now())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveMember {
    /// Another cohort of the same course.
    pub cohort_id: Uuid,
}

/// Move a member to another cohort of the same course (both cohorts in the caller's scope).
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    request_body = MoveMember,
    responses(
        (status = 200, body = Member),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: the enrolment or the cohort is not one you can see", body = ErrorEnvelope),
        (status = 409, description = "`cohort_archived`, `cohort_full` (the target cohort)", body = ErrorEnvelope),
        (status = 422, description = "`cohort_course_mismatch`: the cohort is of another course; `invalid_body`", body = ErrorEnvelope),
    )
)]
#[post("/admin/enrolments/{id}/move")]
pub async fn move_member(
    db: web::Data<DbPool>,
    config: web::Data<Config>,
    who: StaffUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<MoveMember>,
) -> AppResult<web::Json<Member>> {
    let (id, target) = (id.into_inner(), body.cohort_id);
    let by = staffing(&who, &client, &config);
    let mut conn = db.get().await?;
    conn.transaction::<_, MemberError, _>(async |tx| membership::move_to(tx, by, id, target).await)
        .await?;
    member(&mut conn, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawMember {
    /// Why, for the audit log (at most 500 characters).
    pub reason: Option<String>,
}

/// Withdraw a member. Withdrawing again answers the withdrawn member.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    request_body = WithdrawMember,
    responses(
        (status = 200, body = Member),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`enrolment_completed`: a completed course is not withdrawn from", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input` (`details.field`: reason), `invalid_body`", body = ErrorEnvelope),
    )
)]
#[post("/admin/enrolments/{id}/withdraw")]
pub async fn withdraw_member(
    db: web::Data<DbPool>,
    config: web::Data<Config>,
    who: StaffUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<WithdrawMember>,
) -> AppResult<web::Json<Member>> {
    let id = id.into_inner();
    let reason = input::reason(body.into_inner().reason)?;
    let by = staffing(&who, &client, &config);
    let mut conn = db.get().await?;
    conn.transaction::<_, MemberError, _>(async |tx| {
        membership::withdraw(tx, by, id, reason.as_deref()).await
    })
    .await?;
    member(&mut conn, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendMember {
    /// The new end of the access period (in the future).
    pub access_expires_at: DateTime<Utc>,
}

/// Set the end of a member's access period (an expired member becomes active again).
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    request_body = ExtendMember,
    responses(
        (status = 200, body = Member),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input` (`details.field`: access_expires_at, not in the future), `invalid_body`", body = ErrorEnvelope),
    )
)]
#[post("/admin/enrolments/{id}/extend")]
pub async fn extend_member(
    db: web::Data<DbPool>,
    config: web::Data<Config>,
    who: StaffUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<ExtendMember>,
) -> AppResult<web::Json<Member>> {
    let (id, until) = (id.into_inner(), body.access_expires_at);
    if until <= Utc::now() {
        return Err(AppError::unprocessable(
            ErrorCode::InvalidInput,
            "`access_expires_at` is in the future.",
        )
        .with_details(json!({ "field": "access_expires_at" })));
    }
    let by = staffing(&who, &client, &config);
    let mut conn = db.get().await?;
    conn.transaction::<_, MemberError, _>(async |tx| membership::extend(tx, by, id, until).await)
        .await?;
    member(&mut conn, id).await
}
