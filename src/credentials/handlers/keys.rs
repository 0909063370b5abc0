//! Public, no account: the key set, each key at its own address, the issuer profile and the
//! signed revocation lists. Verifiers fetch these, so they are cacheable.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::credentials::Issuing;
use crate::credentials::keys::PublicJwk;
use crate::credentials::vc::{self, Profile};
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};

/// The media type of a signed credential.
pub const VC_JWT: &str = "application/vc+ld+json+jwt";

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(signing_key)
        .service(issuer_profile)
        .service(status_list);
}

pub fn well_known(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(jwks);
}

/// A JSON Web Key Set.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct JwkSet {
    pub keys: Vec<PublicJwk>,
}

/// The issuer profile as a document of its own.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IssuerDocument {
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    #[serde(flatten)]
    pub profile: Profile,
}

/// Every public key that verifies a credential this service signed, and any key published
/// ahead of signing.
#[utoipa::path(
    tag = "credentials",
    responses((status = 200, body = JwkSet, description = "The key set (cacheable for 5 minutes)"))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(db: web::Data<DbPool>, issuing: web::Data<Issuing>) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let keys = issuing.keys.published(&mut conn).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .json(JwkSet {
            keys: keys.to_vec(),
        }))
}

/// One public key: the address a credential's JWT header names as `kid`.
#[utoipa::path(
    tag = "credentials",
    params(("kid" = String, Path, description = "The key ID, e.g. `k-20261201-3f9a1c`")),
    responses(
        (status = 200, body = PublicJwk),
        (status = 404, description = "`key_not_found`: no such key", body = ErrorEnvelope),
    )
)]
#[get("/credentials/keys/{kid}")]
pub async fn signing_key(
    db: web::Data<DbPool>,
    issuing: web::Data<Issuing>,
    kid: web::Path<String>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let key = issuing.keys.key(&mut conn, &kid).await?.ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::KeyNotFound,
            "No signing key has this ID.",
        )
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .json(key))
}

/// The issuer of every credential: the training provider.
#[utoipa::path(
    tag = "credentials",
    responses((status = 200, body = IssuerDocument))
)]
#[get("/credentials/issuer")]
pub async fn issuer_profile(issuing: web::Data<Issuing>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .json(IssuerDocument {
            context: vec![vc::VC_CONTEXT.into(), vc::OB_CONTEXT.into()],
            profile: vc::issuer(&issuing.urls, &issuing.provider_name),
        })
}

/// Revocation status list `list`: a `BitstringStatusListCredential` signed as a VC-JWT. A
/// credential's `credentialStatus` names its list and bit; a set bit means revoked.
#[utoipa::path(
    tag = "credentials",
    params(("list" = i64, Path, description = "The list number (0 for the first)")),
    responses(
        (status = 200, content_type = "application/vc+ld+json+jwt", body = String,
            description = "The signed list (cacheable for a minute)"),
        (status = 404, description = "`status_list_not_found`: no credential points into this list", body = ErrorEnvelope),
    )
)]
#[get("/credentials/status/{list}")]
pub async fn status_list(
    db: web::Data<DbPool>,
    issuing: web::Data<Issuing>,
    list: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let jwt = issuing
        .status_lists
        .signed(&mut conn, &issuing.keys, &issuing.urls, *list)
        .await?
        .ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::StatusListNotFound,
                "No status list has this number.",
            )
        })?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, VC_JWT))
        .insert_header((CACHE_CONTROL, "public, max-age=60"))
        .body(jwt.to_string()))
}
