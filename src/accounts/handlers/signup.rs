//! Registration, email verification (a new account's address or a changed one), cancelling
//! an email change, and resending the verification link.

use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use diesel_async::AsyncConnection;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{
    Accepted, EmailRequest, MAIL_ACCOUNT, MAIL_IP, REGISTER_IP, TOKEN_IP, accepted, limit,
};
use crate::accounts::Auth;
use crate::accounts::domain::{Email, Name, NewPassword, Role};
use crate::accounts::extract::ClientInfo;
use crate::accounts::store::{self, AccountError, NewUser, Purpose, User};
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};
use crate::mail::{self, templates};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(example = "ana.lopez@example.org", max_length = 254)]
    pub email: String,
    #[schema(example = "Ana López", min_length = 1, max_length = 100)]
    pub name: String,
    /// At least 10 characters; not a common password.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

/// Create a learner account. A verification link is mailed to the address; sign-in works once
/// it is confirmed.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created; verification mail queued", body = User),
        (status = 409, description = "`email_taken`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_email`, `invalid_name`, `password_too_short`, `password_too_long`, `password_too_common`, `invalid_body`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/auth/register")]
pub async fn register(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    auth: web::Data<Auth>,
    client: ClientInfo,
    body: web::Json<RegisterRequest>,
) -> AppResult<HttpResponse> {
    let email = Email::parse(&body.email)?;
    let name = Name::parse(&body.name)?;
    let password = NewPassword::parse(&body.password, Some(&email))?;
    {
        let mut conn = db.get().await?;
        limit(&config, &mut conn, REGISTER_IP, client.addr_key()).await?;
        // Saves a hash for a taken address; the unique index is the real guard.
        if store::find_by_email(&mut conn, &email).await?.is_some() {
            return Err(AccountError::EmailTaken.into());
        }
    }
    let hash = auth.hasher.hash(password.as_str()).await?;
    let mut conn = db.get().await?;
    let public_url = config.public_url.clone();
    let origin = client.origin.clone();
    let user = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let user = store::insert_user(
                tx,
                NewUser {
                    email: email.as_str(),
                    name: name.as_str(),
                    password_hash: &hash,
                    role: Role::Learner,
                    email_verified_at: None,
                },
            )
            .await?;
            let token =
                store::issue_one_time_token(tx, user.id, Purpose::VerifyEmail, Some(&user.email))
                    .await?;
            mail::enqueue(
                tx,
                &templates::verify_email(&public_url, &user.email, &user.name, &token),
            )
            .await?;
            audit::record(
                tx,
                &origin,
                Event {
                    actor: Actor::User(user.id),
                    action: "user.registered",
                    subject: Some(("user", user.id.to_string())),
                    details: json!({}),
                },
            )
            .await?;
            Ok(user)
        })
        .await?;
    Ok(HttpResponse::Created().json(User::from_row(&user, None)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the emailed link.
    pub token: String,
}

/// Confirm an email address with the token from the mailed link (a new account's address, or
/// a changed one).
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Address confirmed", body = User),
        (status = 400, description = "`invalid_token`", body = ErrorEnvelope),
        (status = 409, description = "`email_taken` (the new address was taken meanwhile)", body = ErrorEnvelope),
        (status = 410, description = "`token_used`, `token_expired`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/auth/verify-email")]
pub async fn verify_email(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    client: ClientInfo,
    body: web::Json<TokenRequest>,
) -> AppResult<web::Json<User>> {
    let mut conn = db.get().await?;
    limit(&config, &mut conn, TOKEN_IP, client.addr_key()).await?;
    let origin = client.origin.clone();
    let token = body.into_inner().token;
    let user = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let t = store::take_one_time_token(
                tx,
                &token,
                &[Purpose::VerifyEmail, Purpose::EmailChange],
            )
            .await?;
            let user = store::lock_by_id(tx, t.user_id).await?.ok_or_else(|| {
                AppError::bad_request(ErrorCode::InvalidToken, "This link is not valid.")
            })?;
            let address = t.email.clone().unwrap_or_default();
            let now = Utc::now();
            let (action, details) = if t.purpose == Purpose::EmailChange {
                // A reset voids pending changes; this also holds for one that escaped it.
                if user
                    .password_changed_at
                    .is_some_and(|at| at >= t.created_at)
                {
                    return Err(AccountError::TokenUsed.into());
                }
                // The old address's cancel link has nothing left to cancel.
                store::void_one_time_tokens(tx, user.id, Some(&[Purpose::EmailChangeCancel]))
                    .await?;
                store::set_email(tx, user.id, &address, now).await?;
                (
                    "user.email_changed",
                    json!({ "from": user.email, "to": address }),
                )
            } else {
                if address != user.email {
                    return Err(AppError::bad_request(
                        ErrorCode::InvalidToken,
                        "This link was for an address the account no longer uses.",
                    ));
                }
                let at = user.email_verified_at.unwrap_or(now);
                store::set_email_verified_at(tx, user.id, Some(at)).await?;
                ("user.email_verified", json!({ "email": address }))
            };
            audit::record(
                tx,
                &origin,
                Event {
                    actor: Actor::User(user.id),
                    action,
                    subject: Some(("user", user.id.to_string())),
                    details,
                },
            )
            .await?;
            let user = store::find_by_id(tx, user.id)
                .await?
                .expect("locked row exists");
            let pending = store::pending_email(tx, user.id).await?;
            Ok(User::from_row(&user, pending))
        })
        .await?;
    Ok(web::Json(user))
}

/// Cancel a pending email change with the token from the notice mailed to the current
/// address. The link works once.
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 204, description = "The pending change is void; the account keeps its address"),
        (status = 400, description = "`invalid_token`", body = ErrorEnvelope),
        (status = 410, description = "`token_used` (also once the change was confirmed, or a password reset voided it), `token_expired`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/auth/email-change/cancel")]
pub async fn cancel_email_change(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    client: ClientInfo,
    body: web::Json<TokenRequest>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    limit(&config, &mut conn, TOKEN_IP, client.addr_key()).await?;
    let origin = client.origin.clone();
    let token = body.into_inner().token;
    conn.transaction::<_, AppError, _>(async move |tx| {
        let t = store::take_one_time_token(tx, &token, &[Purpose::EmailChangeCancel]).await?;
        store::void_one_time_tokens(
            tx,
            t.user_id,
            Some(&[Purpose::EmailChange, Purpose::EmailChangeCancel]),
        )
        .await?;
        audit::record(
            tx,
            &origin,
            Event {
                actor: Actor::User(t.user_id),
                action: "user.email_change_cancelled",
                subject: Some(("user", t.user_id.to_string())),
                details: json!({ "to": t.email }),
            },
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send the verification link again. Always answers 202, whether or not the account exists.
#[utoipa::path(
    tag = "auth",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "A link is on its way if the account exists and is unverified", body = Accepted),
        (status = 422, description = "`invalid_email`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/auth/verify-email/resend")]
pub async fn resend_verification(
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
    conn.transaction::<_, AppError, _>(async move |tx| {
        let Some(user) = store::find_by_email(tx, &email).await? else {
            return Ok(());
        };
        if user.email_verified_at.is_some() || user.disabled_at.is_some() {
            return Ok(());
        }
        let token =
            store::issue_one_time_token(tx, user.id, Purpose::VerifyEmail, Some(&user.email))
                .await?;
        mail::enqueue(
            tx,
            &templates::verify_email(&public_url, &user.email, &user.name, &token),
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(accepted(
        "If an unconfirmed account uses this address, a new confirmation link is on its way.",
    ))
}
