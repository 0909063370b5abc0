//! The holder's certificates: the list, one certificate, its PDF and its signed credential.
//! An admin may read any certificate, and a staff account those of its cohorts' members
//! (`accounts::staff`); anyone else gets 404 for a certificate not theirs.

use actix_web::{HttpResponse, get, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::super::state::Paper;
use super::super::store::{self, CertificateRow};
use super::super::views::{self, Certificate};
use super::super::{Issuing, credential_json, printing};
use crate::accounts::Scope;
use crate::accounts::extract::CurrentUser;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // The suffixed paths first: `{id}` alone would match `….pdf` and fail to parse.
    cfg.service(my_certificates)
        .service(certificate_pdf)
        .service(credential_jwt)
        .service(credential)
        .service(certificate);
}

/// Certificate `id` if `user` holds it, is an admin, or is staff owning the holder's cohort
/// (one more indexed read, for staff only).
async fn visible(
    conn: &mut diesel_async::AsyncPgConnection,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<CertificateRow> {
    let not_found = || AppError::not_found("No such certificate.");
    let row = store::by_id(conn, id).await?.ok_or_else(not_found)?;
    if row.user_id == user.id {
        return Ok(row);
    }
    match Scope::for_user(user) {
        Some(Scope::All) => Ok(row),
        Some(scope) if scope.sees_enrolment(conn, row.enrolment_id).await? => Ok(row),
        _ => Err(not_found()),
    }
}

/// The holder may download only a live certificate (an admin, any).
fn ensure_downloadable(user: &CurrentUser, row: &CertificateRow) -> AppResult<()> {
    if user.role.is_admin() || row.is_live() {
        return Ok(());
    }
    let (code, message) = if row.revoked_at.is_some() {
        (
            ErrorCode::CertificateRevoked,
            "This certificate has been revoked.",
        )
    } else {
        (
            ErrorCode::CertificateSuperseded,
            "This certificate was replaced: download the current one.",
        )
    };
    Err(AppError::conflict(code, message))
}

/// The signed-in learner's certificates, newest first (revoked and replaced ones too, marked).
#[utoipa::path(
    tag = "certificates",
    responses(
        (status = 200, body = Vec<Certificate>),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/me/certificates")]
pub async fn my_certificates(
    db: web::Data<DbPool>,
    issuing: web::Data<Issuing>,
    user: CurrentUser,
) -> AppResult<web::Json<Vec<Certificate>>> {
    let mut conn = db.get().await?;
    let rows = store::of_user(&mut conn, user.id).await?;
    let now = Utc::now();
    Ok(web::Json(
        rows.into_iter()
            .map(|r| views::certificate(&issuing, r, now))
            .collect(),
    ))
}

/// One certificate (its holder, an admin, or staff of the holder's cohort).
#[utoipa::path(
    tag = "certificates",
    params(("id" = Uuid, Path, description = "The certificate's ID")),
    responses(
        (status = 200, body = Certificate),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/certificates/{id}")]
pub async fn certificate(
    db: web::Data<DbPool>,
    issuing: web::Data<Issuing>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Certificate>> {
    let mut conn = db.get().await?;
    let row = visible(&mut conn, &user, *id).await?;
    Ok(web::Json(views::certificate(&issuing, row, Utc::now())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PdfQuery {
    /// `a4` (default) or `letter`.
    #[serde(default = "a4")]
    #[param(inline)]
    pub paper: Paper,
}

fn a4() -> Paper {
    Paper::A4
}

/// The certificate as a PDF, landscape, A4 or US Letter, with a QR code to its public
/// verification page. Rendered on first download and kept.
#[utoipa::path(
    tag = "certificates",
    params(("id" = Uuid, Path, description = "The certificate's ID"), PdfQuery),
    responses(
        (status = 200, description = "application/pdf", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`certificate_revoked` or `certificate_superseded`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/certificates/{id}.pdf")]
pub async fn certificate_pdf(
    db: web::Data<DbPool>,
    issuing: web::Data<Issuing>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    query: web::Query<PdfQuery>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let row = visible(&mut conn, &user, *id).await?;
    ensure_downloadable(&user, &row)?;
    let bytes = printing::pdf(&mut conn, &issuing, &row, query.paper).await?;
    let name = format!(
        "certificate-{}-{}.pdf",
        views::serial(row.serial),
        query.paper
    );
    Ok(attachment("application/pdf", &name).body(bytes))
}

fn attachment(content_type: &str, name: &str) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::Ok();
    res.content_type(content_type.to_string())
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header(("Cache-Control", "private, no-cache"));
    res
}

/// The signed Open Badges 3.0 credential as a VC-JWT (RS256; the header's `kid` is the URL
/// of the public key, which `/.well-known/jwks.json` also lists).
#[utoipa::path(
    tag = "certificates",
    params(("id" = Uuid, Path, description = "The certificate's ID")),
    responses(
        (status = 200, description = "application/vc+ld+json+jwt", content_type = "application/vc+ld+json+jwt", body = String),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`certificate_revoked` or `certificate_superseded`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/certificates/{id}/credential.jwt")]
pub async fn credential_jwt(
    db: web::Data<DbPool>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (serial, jwt) = signed_credential(&db, &user, *id).await?;
    let name = format!("certificate-{serial}.jwt");
    Ok(attachment("application/vc+ld+json+jwt", &name).body(jwt))
}

/// The serial and the VC-JWT of a certificate `user` may download.
async fn signed_credential(
    db: &DbPool,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<(String, String)> {
    let mut conn = db.get().await?;
    let row = visible(&mut conn, user, id).await?;
    ensure_downloadable(user, &row)?;
    let jwt = store::credential_jwt(&mut conn, row.id).await?;
    Ok((views::serial(row.serial), jwt))
}

/// The same credential as JSON (the VC-JWT's payload without the JWT claims).
#[utoipa::path(
    tag = "certificates",
    params(("id" = Uuid, Path, description = "The certificate's ID")),
    responses(
        (status = 200, description = "The OpenBadgeCredential", content_type = "application/json", body = Object),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`certificate_revoked` or `certificate_superseded`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/certificates/{id}/credential.json")]
pub async fn credential(
    db: web::Data<DbPool>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let (serial, jwt) = signed_credential(&db, &user, *id).await?;
    let json = credential_json(&jwt)?;
    let name = format!("certificate-{serial}.json");
    Ok(attachment("application/json", &name).body(json))
}
