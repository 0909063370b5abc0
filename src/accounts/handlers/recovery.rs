//! Password reset by mailed link, and `replace_password`, which a reset and a change share.

use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use diesel_async::AsyncConnection;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Accepted, EmailRequest, MAIL_ACCOUNT, MAIL_IP, accepted, hash_link_password, limit};
use crate::accounts::Auth;
use crate::accounts::domain::{Email, NewPassword};
use crate::accounts::extract::ClientInfo;
use crate::accounts::sessions::RevokeReason;
use crate::accounts::store::{self, Purpose};
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};
use crate::mail::{self, templates};

/// Ask for a password-reset link. Always answers 202, whether or not the account exists; the
/// link expires in an hour and works once.
#[utoipa::path(
    tag = "auth",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "A link is on its way if the account exists", body = Accepted),
        (status = 422, description = "`invalid_email`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/auth/password-reset/request")]
pub async fn password_reset_request(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    client: ClientInfo,
    body: web::Json<EmailRequest>,
) -> AppResult<HttpResponse> {
    let email = Email::parse(&body.email)?;
    let mut conn = db.get().await?;
    limit(&config, &mut conn, MAIL_IP, client.addr_key()).await?;
    limit(&config, &mut conn, MAIL_ACCOUNT, email.as_str()).await?;
    let public_url = config.public_url.clone();
    let origin = client.origin.clone();
    conn.transaction::<_, AppError, _>(async move |tx| {
        let Some(user) = store::find_by_email(tx, &email).await? else {
            return Ok(());
        };
        if user.disabled_at.is_some() {
            return Ok(());
        }
        let token = store::issue_one_time_token(tx, user.id, Purpose::PasswordReset, None).await?;
        mail::enqueue(
            tx,
            &templates::password_reset(&public_url, &user.email, &user.name, &token),
        )
        .await?;
        audit::record(
            tx,
            &origin,
            Event {
                actor: Actor::Anonymous,
                action: "user.password_reset_requested",
                subject: Some(("user", user.id.to_string())),
                details: json!({}),
            },
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(accepted(
        "If an account uses this address, a link to choose a new password is on its way. It works for one hour.",
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmRequest {
    pub token: String,
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

/// Set a new password with the token from the reset link. Ends every session of the account.
#[utoipa::path(
    tag = "auth",
    request_body = ResetConfirmRequest,
    responses(
        (status = 204, description = "Password changed; every session ended"),
        (status = 400, description = "`invalid_token`", body = ErrorEnvelope),
        (status = 410, description = "`token_used`, `token_expired`", body = ErrorEnvelope),
        (status = 422, description = "`password_too_short`, `password_too_long`, `password_too_common`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn password_reset_confirm(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    auth: web::Data<Auth>,
    client: ClientInfo,
    body: web::Json<ResetConfirmRequest>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let (password, hash) =
        hash_link_password(&config, &db, &auth, &client, &body.new_password).await?;
    let mut conn = db.get().await?;
    let public_url = config.public_url.clone();
    let origin = client.origin.clone();
    let (user, revoked_at) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let t = store::take_one_time_token(tx, &body.token, &[Purpose::PasswordReset]).await?;
            let user = store::lock_by_id(tx, t.user_id).await?.ok_or_else(|| {
                AppError::bad_request(ErrorCode::InvalidToken, "This link is not valid.")
            })?;
            let email = Email::parse(&user.email)?;
            NewPassword::parse(password.as_str(), Some(&email))?;
            // Following the link proved the inbox is theirs.
            let revoked_at = replace_password(
                tx,
                &user,
                &hash,
                PasswordChange::Reset,
                &origin,
                &public_url,
            )
            .await?;
            Ok((user, revoked_at))
        })
        .await?;
    auth.revocations.note(user.id, revoked_at);
    Ok(HttpResponse::NoContent().finish())
}

/// Why a password is being replaced.
pub(super) enum PasswordChange {
    /// Through a reset link: every session ends, and the address counts as verified.
    Reset,
    /// By the signed-in user: every session but `keep` ends.
    Changed { keep: Uuid },
}

/// Stores the new hash, ends sessions, voids every outstanding one-time token (pending email
/// changes, verification and other reset links), queues the "password changed" notice and
/// audits it.
/// Returns the revocation instant (for the in-memory map, once committed).
pub(super) async fn replace_password(
    tx: &mut diesel_async::AsyncPgConnection,
    user: &store::UserRow,
    hash: &str,
    change: PasswordChange,
    origin: &audit::Origin,
    public_url: &url::Url,
) -> diesel::QueryResult<chrono::DateTime<Utc>> {
    let (keep, reason, action) = match change {
        PasswordChange::Reset => (None, RevokeReason::PasswordReset, "user.password_reset"),
        PasswordChange::Changed { keep } => (
            Some(keep),
            RevokeReason::PasswordChanged,
            "user.password_changed",
        ),
    };
    let verified = match change {
        PasswordChange::Reset => Some(user.email_verified_at.unwrap_or_else(Utc::now)),
        PasswordChange::Changed { .. } => user.email_verified_at,
    };
    store::set_password(tx, user.id, hash, verified).await?;
    store::revoke_refresh_tokens(tx, user.id, reason, keep).await?;
    store::void_one_time_tokens(tx, user.id, None).await?;
    let revoked_at = store::revoke_sessions(tx, user.id).await?;
    mail::enqueue(
        tx,
        &templates::password_changed(public_url, &user.email, &user.name),
    )
    .await?;
    audit::record(
        tx,
        origin,
        Event {
            actor: Actor::User(user.id),
            action,
            subject: Some(("user", user.id.to_string())),
            details: json!({}),
        },
    )
    .await?;
    Ok(revoked_at)
}
