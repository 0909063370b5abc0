//! Accepting an invitation: the owner of an account a bulk enrolment made chooses its
//! password with the mailed link, and is signed in.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use diesel_async::AsyncConnection;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Session, device_cookie, hash_link_password, refresh_cookie, session};
use crate::accounts::Auth;
use crate::accounts::domain::{Email, NewPassword};
use crate::accounts::extract::ClientInfo;
use crate::accounts::sessions;
use crate::accounts::store::{self, AccountError, Purpose};
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    /// The `token` of the invitation link.
    pub token: String,
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

/// Choose the password of an invited account with the token from its invitation mail, and
/// sign in (the answer and cookies are those of `POST /auth/login`). The link works once and
/// for 14 days; following it verifies the address.
#[utoipa::path(
    tag = "auth",
    request_body = AcceptInvitationRequest,
    responses(
        (status = 200, description = "Password set and signed in; `Set-Cookie: benchside_refresh=...` and `benchside_device=...`", body = Session),
        (status = 400, description = "`invalid_token`", body = ErrorEnvelope),
        (status = 403, description = "`account_disabled`", body = ErrorEnvelope),
        (status = 410, description = "`token_used`, `token_expired`", body = ErrorEnvelope),
        (status = 422, description = "`password_too_short`, `password_too_long`, `password_too_common` (`details.field`: password), `invalid_body`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/auth/invitation/accept")]
pub async fn accept_invitation(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    auth: web::Data<Auth>,
    client: ClientInfo,
    body: web::Json<AcceptInvitationRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let (password, hash) = hash_link_password(&config, &db, &auth, &client, &body.password).await?;
    let ttl = config.auth.refresh_token_ttl;
    let mut conn = db.get().await?;
    let (user, issued) = conn
        .transaction::<_, AppError, _>(async |tx| {
            let t = store::take_one_time_token(tx, &body.token, &[Purpose::Invitation]).await?;
            let mut user = store::lock_by_id(tx, t.user_id)
                .await?
                .ok_or(AccountError::UnknownToken)?;
            if user.password_hash.is_some() {
                return Err(AccountError::TokenUsed.into());
            }
            if user.disabled_at.is_some() {
                return Err(disabled());
            }
            NewPassword::parse(password.as_str(), Some(&Email::parse(&user.email)?))?;
            let now = Utc::now();
            store::set_password(tx, user.id, &hash, Some(now)).await?;
            store::void_one_time_tokens(tx, user.id, None).await?;
            user.password_hash = Some(hash.clone());
            user.email_verified_at = Some(now);
            audit::record(
                tx,
                &client.origin,
                Event {
                    actor: Actor::User(user.id),
                    action: "user.invitation_accepted",
                    subject: Some(("user", user.id.to_string())),
                    details: json!({}),
                },
            )
            .await?;
            let issued = sessions::issue(tx, user.id, Uuid::new_v4(), ttl, &client).await?;
            Ok((user, issued))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .cookie(refresh_cookie(&config, &issued.token))
        .cookie(device_cookie(&config, &auth.tokens.issue_device(user.id)))
        .insert_header(("cache-control", "no-store"))
        .json(session(&auth, &user, issued.family, None)))
}

fn disabled() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::AccountDisabled,
        "This account has been disabled. Contact your training provider.",
    )
}
