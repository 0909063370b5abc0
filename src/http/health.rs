//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, http::header, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppResult;
use crate::db;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    #[schema(example = "ok")]
    pub status: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReadyStatus {
    /// `ready` when the database answered.
    #[schema(example = "ready")]
    pub status: String,
    /// `ok` when a query round trip to PostgreSQL succeeded.
    #[schema(example = "ok")]
    pub database: String,
}

/// The process is up and serving HTTP. Does not touch the database.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is alive", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Health {
            status: "ok".into(),
        })
}

/// The database is reachable: one round trip through the pool. Answers 503 with
/// `Retry-After` while PostgreSQL is down or every connection is busy.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = ReadyStatus),
        (status = 503, description = "The database is unreachable or busy", body = crate::http::error::ErrorEnvelope),
    )
)]
#[get("/readyz")]
pub async fn readyz(db: web::Data<db::DbPool>) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    db::ping(&mut conn).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ReadyStatus {
            status: "ready".into(),
            database: "ok".into(),
        }))
}
