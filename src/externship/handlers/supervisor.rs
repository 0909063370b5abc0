//! `/api/v1/attestations/{token}`: the supervisor's page and decision, no account. The token
//! is the authority; both routes are rate-limited per client address.

use actix_web::{get, post, web};

use super::super::attest;
use super::super::input::AttestationDecision;
use super::super::submit::Sending;
use super::super::views::SupervisorPage;
use crate::accounts::ClientInfo;
use crate::config::Config;
use crate::db::DbPool;
use crate::http::AppResult;
use crate::http::error::ErrorEnvelope;
use crate::learning::cache::ContentCache;
use crate::ratelimit::{self, Limit};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(attestation_page).service(decide_attestation);
}

/// Page views and decisions per client address: plenty for a supervisor, useless for guessing.
const LINK_LIMIT: Limit = Limit::per_minute("attestation_ip", 30, 30.0);

async fn limit(
    config: &Config,
    conn: &mut diesel_async::AsyncPgConnection,
    client: &ClientInfo,
) -> AppResult<()> {
    if config.auth.rate_limits {
        ratelimit::check(conn, LINK_LIMIT, client.addr_key()).await?;
    }
    Ok(())
}

/// What an attestation link shows: the learner, the entries to attest and the competencies to
/// rate, or (once used) what was decided and when. Opening it changes nothing.
#[utoipa::path(
    tag = "externship",
    params(("token" = String, Path, description = "The token from the emailed link")),
    responses(
        (status = 200, body = SupervisorPage),
        (status = 404, description = "`not_found`: no such link", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[get("/attestations/{token}")]
pub async fn attestation_page(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    config: web::Data<Config>,
    client: ClientInfo,
    token: web::Path<String>,
) -> AppResult<web::Json<SupervisorPage>> {
    let mut conn = db.get().await?;
    limit(&config, &mut conn, &client).await?;
    Ok(web::Json(attest::page(&mut conn, &content, &token).await?))
}

/// The supervisor's decision: attest or reject (with a reason) each entry, rate competencies,
/// sign with a typed name. Consumes the link; entries left out go back to the learner.
#[utoipa::path(
    tag = "externship",
    params(("token" = String, Path, description = "The token from the emailed link")),
    request_body = AttestationDecision,
    responses(
        (status = 200, body = SupervisorPage, description = "Recorded: the page as it now stands"),
        (status = 404, description = "`not_found`: no such link", body = ErrorEnvelope),
        (status = 409, description = "`attestation_used`: the link was used", body = ErrorEnvelope),
        (status = 410, description = "`attestation_expired` or `attestation_voided` (replaced by a newer link)", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`, `phi_suspected`, `entry_not_in_request`, `unknown_competency`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/attestations/{token}")]
pub async fn decide_attestation(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    config: web::Data<Config>,
    sending: web::Data<Sending>,
    client: ClientInfo,
    token: web::Path<String>,
    body: web::Json<AttestationDecision>,
) -> AppResult<web::Json<SupervisorPage>> {
    let mut conn = db.get().await?;
    limit(&config, &mut conn, &client).await?;
    let page = attest::decide(
        &mut conn,
        &content,
        &sending.public_url,
        &client,
        &token,
        &body,
    )
    .await?;
    Ok(web::Json(page))
}
