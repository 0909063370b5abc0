//! `/api/v1/admin/certificates`: the list (admins, and staff for their cohorts' members),
//! issue, revocation and reissue (admins). The admin screens come with the cohorts work;
//! these are the API.

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::super::Issuing;
use super::super::actions::{self, Request};
use super::super::state::Status;
use super::super::store::{self, Filter};
use super::super::views::{self, Certificate};
use crate::accounts::StaffUser;
use crate::accounts::extract::{AdminUser, ClientInfo};
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::paging::{Paging, search_text};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::cache::ContentCache;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list)
        .service(issue)
        .service(revoke)
        .service(reissue);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Holder's name or course title (contains), or a verification code or serial number.
    pub q: Option<String>,
    #[param(inline)]
    pub status: Option<Status>,
    pub user_id: Option<Uuid>,
    pub enrolment_id: Option<Uuid>,
    pub page: Option<i64>,
    /// 1 to 100 (default 25).
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificatePage {
    pub items: Vec<Certificate>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Every certificate, newest first, filtered (staff: those of their cohorts' members only).
#[utoipa::path(
    tag = "certificates-admin",
    params(ListQuery),
    responses(
        (status = 200, body = CertificatePage),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/certificates")]
pub async fn list(
    db: web::Data<DbPool>,
    issuing: web::Data<Issuing>,
    staff: StaffUser,
    query: web::Query<ListQuery>,
) -> AppResult<web::Json<CertificatePage>> {
    let paging = Paging::parse(query.page, query.per_page, 25)?;
    let filter = Filter {
        text: search_text(query.q.as_deref())?,
        status: query.status,
        user: query.user_id,
        enrolment: query.enrolment_id,
        staff: staff.scope.staff(),
    };
    let mut conn = db.get().await?;
    let (rows, total) = store::list(&mut conn, filter, paging.per_page, paging.offset()).await?;
    let now = Utc::now();
    Ok(web::Json(CertificatePage {
        items: rows
            .into_iter()
            .map(|r| views::certificate(&issuing, r, now))
            .collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Why an admin revokes or reissues.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// 1 to 500 characters (not only spaces; no control characters but line breaks); the
    /// holder is told it (a revocation's reason is not public).
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

impl ReasonInput {
    fn reason(&self) -> AppResult<&str> {
        let r = self.reason.trim();
        if r.is_empty() || r.chars().count() > 500 || r.chars().any(|c| c.is_control() && c != '\n')
        {
            return Err(AppError::unprocessable(
                ErrorCode::InvalidInput,
                "Give a reason of 1 to 500 characters.",
            )
            .with_details(serde_json::json!({ "field": "reason" })));
        }
        Ok(r)
    }
}

/// An admin's action with its validated reason.
fn request<'a>(
    admin: &AdminUser,
    client: &'a ClientInfo,
    body: &'a ReasonInput,
) -> AppResult<Request<'a>> {
    Ok(Request {
        origin: &client.origin,
        admin: admin.0.id,
        reason: body.reason()?,
    })
}

/// Which completed enrolment to certify, and why by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    pub enrolment_id: Uuid,
    /// 1 to 500 characters (as a revocation's), e.g. "completed before certificates were issued".
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

/// Issue a certificate for a completed enrolment without a live one (completed before
/// certificates existed, its issue failed, or its certificate was revoked in error): what the
/// completion job does, audited as this admin's and mailed to the holder.
#[utoipa::path(
    tag = "certificates-admin",
    request_body = IssueInput,
    responses(
        (status = 201, body = Certificate),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such enrolment", body = ErrorEnvelope),
        (status = 409, description = "`already_certified` (a live certificate exists) or `enrolment_not_completed`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/admin/certificates")]
pub async fn issue(
    db: web::Data<DbPool>,
    issuing: web::Data<Issuing>,
    content: web::Data<ContentCache>,
    admin: AdminUser,
    client: ClientInfo,
    body: web::Json<IssueInput>,
) -> AppResult<HttpResponse> {
    let reason = ReasonInput {
        reason: body.reason.clone(),
    };
    let req = request(&admin, &client, &reason)?;
    let mut conn = db.get().await?;
    let row = actions::issue_for(&mut conn, &issuing, &content, body.enrolment_id, req).await?;
    Ok(HttpResponse::Created().json(views::certificate(&issuing, row, Utc::now())))
}

/// Revoke a certificate: its verification shows revoked with the date, its bit in the status
/// list is set, and the holder is mailed the reason.
#[utoipa::path(
    tag = "certificates-admin",
    params(("id" = Uuid, Path, description = "The certificate's ID")),
    request_body = ReasonInput,
    responses(
        (status = 200, body = Certificate),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`certificate_revoked` or `certificate_superseded`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/admin/certificates/{id}/revoke")]
pub async fn revoke(
    db: web::Data<DbPool>,
    issuing: web::Data<Issuing>,
    admin: AdminUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> AppResult<web::Json<Certificate>> {
    let req = request(&admin, &client, &body)?;
    let mut conn = db.get().await?;
    let row = actions::revoke(&mut conn, &issuing, *id, req).await?;
    Ok(web::Json(views::certificate(&issuing, row, Utc::now())))
}

/// Reissue a certificate under the holder's current account name (after a name change): a
/// new certificate with a new code; the old one shows superseded, pointing at the new one.
#[utoipa::path(
    tag = "certificates-admin",
    params(("id" = Uuid, Path, description = "The certificate's ID")),
    request_body = ReasonInput,
    responses(
        (status = 201, body = Certificate),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`certificate_revoked` or `certificate_superseded`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/admin/certificates/{id}/reissue")]
pub async fn reissue(
    db: web::Data<DbPool>,
    issuing: web::Data<Issuing>,
    admin: AdminUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> AppResult<HttpResponse> {
    let req = request(&admin, &client, &body)?;
    let mut conn = db.get().await?;
    let new = actions::reissue(&mut conn, &issuing, *id, req).await?;
    Ok(HttpResponse::Created().json(views::certificate(&issuing, new, Utc::now())))
}
