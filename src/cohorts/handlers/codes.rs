//! `/api/v1/admin/cohorts/{id}/codes` and `/api/v1/admin/codes/{id}`: a cohort's enrolment
//! codes (admins, and staff for the cohorts they own).

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{CohortId, cohort_not_found};
use crate::accounts::{ClientInfo, StaffUser};
use crate::audit::{self, Actor, Event};
use crate::cohorts::code_store::{self, CodeChanges, CodeRow};
use crate::cohorts::codes;
use crate::cohorts::input::nullable;
use crate::cohorts::store;
use crate::cohorts::views::{Code, CodeList};
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};

/// Generated codes tried before giving up (a repeat is already unlikely).
const GENERATE_TRIES: usize = 5;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_codes)
        .service(create_code)
        .service(update_code);
}

fn invalid(field: &str, message: &'static str) -> AppError {
    AppError::unprocessable(ErrorCode::InvalidInput, message)
        .with_details(json!({ "field": field }))
}

fn check_max_uses(max_uses: Option<i32>) -> AppResult<Option<i32>> {
    match max_uses {
        Some(n) if n < 1 => Err(invalid(
            "max_uses",
            "`max_uses` is at least 1, or null for no limit.",
        )),
        _ => Ok(max_uses),
    }
}

fn code_event(who: &StaffUser, action: &'static str, row: &CodeRow) -> Event<'static> {
    Event {
        actor: Actor::User(who.user.id),
        action,
        subject: Some(("cohort_code", row.id.to_string())),
        details: json!({
            "cohort_id": row.cohort_id, "code": row.code, "max_uses": row.max_uses,
            "expires_at": row.expires_at, "disabled": row.disabled_at.is_some(),
        }),
    }
}

/// The cohort's enrolment codes, newest first, with their status now.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    responses(
        (status = 200, body = CodeList),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no cohort you can see has this ID", body = ErrorEnvelope),
    )
)]
#[get("/admin/cohorts/{id}/codes")]
pub async fn list_codes(
    db: web::Data<DbPool>,
    who: StaffUser,
    id: CohortId,
) -> AppResult<web::Json<CodeList>> {
    let mut conn = db.get().await?;
    if !who.scope.sees_cohort(&mut conn, *id).await? {
        return Err(cohort_not_found());
    }
    let now = Utc::now();
    let rows = code_store::list(&mut conn, *id).await?;
    Ok(web::Json(CodeList {
        items: rows.into_iter().map(|r| Code::new(r, now)).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCode {
    /// The code to give out (3 to 64 of A-Z, 0-9 and `-`; stored upper-cased). Without it, a
    /// readable one is generated: the course's prefix and two groups of four characters
    /// without 0/O/1/I/L.
    pub code: Option<String>,
    /// At least 1, or null for no limit.
    #[schema(minimum = 1)]
    pub max_uses: Option<i32>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Create an enrolment code for the cohort.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    request_body = CreateCode,
    responses(
        (status = 201, body = Code),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`code_taken`; `cohort_archived`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input` (`details.field`: code, max_uses, expires_at), `invalid_body`", body = ErrorEnvelope),
    )
)]
#[post("/admin/cohorts/{id}/codes")]
pub async fn create_code(
    db: web::Data<DbPool>,
    who: StaffUser,
    client: ClientInfo,
    id: CohortId,
    body: web::Json<CreateCode>,
) -> AppResult<HttpResponse> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let typed = match body.code.as_deref() {
        None => None,
        Some(raw) => Some(codes::normalise(raw).ok_or_else(|| {
            invalid(
                "code",
                "A code is 3 to 64 letters (A-Z), digits and hyphens.",
            )
        })?),
    };
    let max_uses = check_max_uses(body.max_uses)?;
    if body.expires_at.is_some_and(|e| e <= Utc::now()) {
        return Err(invalid("expires_at", "`expires_at` is in the future."));
    }
    let mut conn = db.get().await?;
    let row = conn
        .transaction::<_, AppError, _>(async |tx| {
            let cohort = store::lock(tx, who.scope, id)
                .await?
                .ok_or_else(cohort_not_found)?;
            if cohort.archived_at.is_some() {
                return Err(archived());
            }
            let row = match &typed {
                Some(code) => code_store::insert(tx, id, code, max_uses, body.expires_at).await?,
                None => {
                    let (_, course) = store::get(tx, who.scope, id)
                        .await?
                        .ok_or_else(cohort_not_found)?;
                    let mut row = None;
                    for _ in 0..GENERATE_TRIES {
                        let code = codes::random(&course.slug);
                        row = code_store::insert(tx, id, &code, max_uses, body.expires_at).await?;
                        if row.is_some() {
                            break;
                        }
                    }
                    row
                }
            };
            let row = row.ok_or_else(|| {
                AppError::conflict(
                    ErrorCode::CodeTaken,
                    "This code is already in use; choose another.",
                )
                .with_details(json!({ "field": "code" }))
            })?;
            audit::record(
                tx,
                &client.origin,
                code_event(&who, "cohort_code.created", &row),
            )
            .await?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(Code::new(row, Utc::now())))
}

/// The 409 for a change an archived cohort does not take.
pub fn archived() -> AppError {
    AppError::conflict(
        ErrorCode::CohortArchived,
        "This cohort is archived; it takes no new members or codes.",
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCode {
    /// `true` disables the code; `false` enables it again.
    pub disabled: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    /// At least 1 (and not below the uses so far), or null for no limit.
    #[schema(value_type = Option<i32>, minimum = 1)]
    pub max_uses: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

/// Disable or enable a code, or change its use limit or expiry.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The code's ID")),
    request_body = UpdateCode,
    responses(
        (status = 200, body = Code),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no code of a cohort you can see has this ID", body = ErrorEnvelope),
        (status = 422, description = "`nothing_to_change`, `invalid_input` (`max_uses` below the uses so far), `invalid_body`", body = ErrorEnvelope),
    )
)]
#[patch("/admin/codes/{id}")]
pub async fn update_code(
    db: web::Data<DbPool>,
    who: StaffUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<UpdateCode>,
) -> AppResult<web::Json<Code>> {
    let (id, body) = (id.into_inner(), body.into_inner());
    if body.disabled.is_none() && body.max_uses.is_none() && body.expires_at.is_none() {
        return Err(AppError::unprocessable(
            ErrorCode::NothingToChange,
            "Send at least one of `disabled`, `max_uses`, `expires_at`.",
        ));
    }
    let max_uses = body.max_uses.map(check_max_uses).transpose()?;
    let mut conn = db.get().await?;
    let row = conn
        .transaction::<_, AppError, _>(async |tx| {
            let row = code_store::lock(tx, who.scope, id)
                .await?
                .ok_or_else(|| AppError::not_found("No code you can see has this ID."))?;
            if max_uses.flatten().is_some_and(|m| m < row.uses) {
                return Err(AppError::unprocessable(
                    ErrorCode::InvalidInput,
                    format!(
                        "The code has been used {} times; `max_uses` cannot be lower.",
                        row.uses
                    ),
                )
                .with_details(json!({ "field": "max_uses", "uses": row.uses })));
            }
            let disabled_at = body.disabled.map(|d| match (d, row.disabled_at) {
                (true, Some(at)) => Some(at),
                (true, None) => Some(Utc::now()),
                (false, _) => None,
            });
            let changes = CodeChanges {
                max_uses,
                expires_at: body.expires_at,
                disabled_at,
            };
            let row = code_store::update(tx, id, &changes).await?;
            audit::record(
                tx,
                &client.origin,
                code_event(&who, "cohort_code.updated", &row),
            )
            .await?;
            Ok(row)
        })
        .await?;
    Ok(web::Json(Code::new(row, Utc::now())))
}
