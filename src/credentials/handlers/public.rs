//! `GET /api/v1/verify/{code}`: the public verification, no account. Rate-limited per client
//! address in memory (a verification is one indexed read; a database write per request would
//! cost more than it guards, and 75-bit codes make guessing pointless anyway).

use actix_web::{HttpResponse, get, web};
use chrono::Utc;

use super::super::Issuing;
use super::super::code::Code;
use super::super::store;
use super::super::views::{self, Verification};
use crate::accounts::extract::ClientInfo;
use crate::config::Config;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult};
use crate::ratelimit::Limit;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(verify);
}

/// Checks per client address: an employer checking a stack of CVs is well inside it.
const VERIFY_LIMIT: Limit = Limit::per_minute("verify_ip", 60, 60.0);

/// How long a verifier or proxy may reuse an answer, in seconds.
const MAX_AGE: u32 = 60;

fn unknown() -> AppError {
    AppError::not_found("No certificate has this verification code.")
}

/// Is this certificate genuine and current? `valid` is true only for an active certificate;
/// an expired, revoked (with the date) or superseded one (with the current one's code and
/// page) says so. Names the holder, course, completion date, contact hours, the approved
/// externship and the issuer, nothing else. Codes are read forgivingly (case, dashes, spaces,
/// O for 0, I and L for 1).
#[utoipa::path(
    tag = "certificates",
    params(("code" = String, Path, description = "The verification code, e.g. `7QX2M-4KD9R-H3WTA`")),
    responses(
        (status = 200, body = Verification),
        (status = 404, description = "`not_found`: no certificate has this code", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[get("/verify/{code}")]
pub async fn verify(
    db: web::Data<DbPool>,
    config: web::Data<Config>,
    issuing: web::Data<Issuing>,
    client: ClientInfo,
    code: web::Path<String>,
) -> AppResult<HttpResponse> {
    if config.auth.rate_limits {
        let now = std::time::Instant::now();
        issuing.limits.check(VERIFY_LIMIT, client.addr_key(), now)?;
    }
    let code: Code = code.parse().map_err(|_| unknown())?;
    let mut conn = db.get().await?;
    let row = store::by_code(&mut conn, code.as_str())
        .await?
        .ok_or_else(unknown)?;
    let replacement = match row.superseded_by {
        Some(id) => Some(store::code_of(&mut conn, id).await?),
        None => None,
    };
    drop(conn);
    let body: Verification = views::verification(&issuing, row, replacement, Utc::now());
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", format!("public, max-age={MAX_AGE}")))
        .json(body))
}
