//! `/api/v1/auth/*` and `/api/v1/me*`: registration, email verification, sign-in, sessions,
//! password reset and the account owner's own profile.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::Utc;
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Auth;
use super::domain::{Email, Name, NewPassword, Role};
use super::extract::{ClientInfo, CurrentUser};
use super::sessions::{self, Presented, RevokeReason};
use super::store::{self, AccountError, NewUser, Purpose, User};
use crate::audit::{self, Actor, Event};
use crate::config::{Config, Environment};
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};
use crate::mail::{self, templates};
use crate::ratelimit::{self, Limit};

pub const REFRESH_COOKIE: &str = "benchside_refresh";
/// The refresh cookie is sent only to the auth endpoints (refresh and logout).
pub const REFRESH_PATH: &str = "/api/v1/auth";

const REGISTER_IP: Limit = Limit::per_minute("register_ip", 10, 10.0 / 60.0);
const LOGIN_IP: Limit = Limit::per_minute("login_ip", 30, 30.0);
const LOGIN_ACCOUNT: Limit = Limit::per_minute("login_account", 10, 5.0);
const MAIL_IP: Limit = Limit::per_minute("mail_ip", 10, 10.0 / 60.0);
const MAIL_ACCOUNT: Limit = Limit::per_minute("mail_account", 3, 3.0 / 60.0);
const TOKEN_IP: Limit = Limit::per_minute("token_ip", 20, 10.0);

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(register)
        .service(verify_email)
        .service(cancel_email_change)
        .service(resend_verification)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(password_reset_request)
        .service(password_reset_confirm)
        .service(me)
        .service(update_me)
        .service(change_password);
}

async fn limit(
    config: &Config,
    conn: &mut diesel_async::AsyncPgConnection,
    limit: Limit,
    key: &str,
) -> Result<(), ratelimit::LimitError> {
    if config.auth.rate_limits {
        ratelimit::check(conn, limit, key).await
    } else {
        Ok(())
    }
}

/// A signed-in session: the access token (also renewable with the refresh cookie).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Session {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub user: User,
}

/// A neutral acknowledgement (sent whether or not an account exists).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    pub message: String,
}

fn session(auth: &Auth, user: &store::UserRow, family: Uuid, pending: Option<String>) -> Session {
    Session {
        access_token: auth.tokens.issue(user.id, user.role, family),
        token_type: "Bearer".into(),
        expires_in: auth.tokens.ttl().as_secs(),
        user: User::from_row(user, pending),
    }
}

fn refresh_cookie(config: &Config, token: &str) -> Cookie<'static> {
    let secs = config.auth.refresh_token_ttl.as_secs() as i64;
    Cookie::build(REFRESH_COOKIE, token.to_string())
        .path(REFRESH_PATH)
        .http_only(true)
        .secure(config.env != Environment::Development)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::seconds(secs))
        .finish()
}

fn clear_cookie(config: &Config) -> Cookie<'static> {
    let mut c = refresh_cookie(config, "");
    c.make_removal();
    c
}

fn unauthorized(code: ErrorCode, message: &'static str) -> AppError {
    AppError::new(StatusCode::UNAUTHORIZED, code, message)
}

// ---- registration and verification ------------------------------------------------------------

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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    #[schema(max_length = 254)]
    pub email: String,
}

fn accepted(message: &str) -> HttpResponse {
    HttpResponse::Accepted().json(Accepted {
        message: message.into(),
    })
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

// ---- sign-in and sessions ---------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(max_length = 254)]
    pub email: String,
    pub password: String,
}

/// Sign in. Returns a short-lived access token and sets the refresh token in an httpOnly,
/// SameSite=Strict cookie scoped to `/api/v1/auth`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; `Set-Cookie: benchside_refresh=...`", body = Session),
        (status = 401, description = "`invalid_credentials`", body = ErrorEnvelope),
        (status = 403, description = "`email_not_verified`, `account_disabled`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_email`, `invalid_body`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/auth/login")]
pub async fn login(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    auth: web::Data<Auth>,
    client: ClientInfo,
    body: web::Json<LoginRequest>,
) -> AppResult<HttpResponse> {
    let email = Email::parse(&body.email)?;
    let found = {
        // The connection goes back to the pool before hashing: a flood of sign-ins must not
        // hold every connection while it waits for the hasher.
        let mut conn = db.get().await?;
        limit(&config, &mut conn, LOGIN_IP, client.addr_key()).await?;
        limit(&config, &mut conn, LOGIN_ACCOUNT, email.as_str()).await?;
        store::find_by_email(&mut conn, &email).await?
    };
    let verified = auth
        .hasher
        .verify(
            &body.password,
            found.as_ref().map(|u| u.password_hash.as_str()),
        )
        .await?;
    let mut conn = db.get().await?;
    let user =
        match found {
            Some(u) if verified.ok => u,
            other => {
                audit::record(
                &mut conn,
                &client.origin,
                Event {
                    actor: other.as_ref().map_or(Actor::Anonymous, |u| Actor::User(u.id)),
                    action: "user.login_failed",
                    subject: other.as_ref().map(|u| ("user", u.id.to_string())),
                    details: json!({ "email": email.as_str(), "known_account": other.is_some() }),
                },
            )
            .await?;
                return Err(unauthorized(
                    ErrorCode::InvalidCredentials,
                    "The email address or password is not correct.",
                ));
            }
        };
    if user.disabled_at.is_some() {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::AccountDisabled,
            "This account has been disabled. Contact your training provider.",
        ));
    }
    if user.email_verified_at.is_none() {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::EmailNotVerified,
            "Confirm your email address first: follow the link we sent, or ask for a new one.",
        ));
    }
    let ttl = config.auth.refresh_token_ttl;
    let rehash = verified.rehash;
    let (issued, user) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            if let Some(h) = rehash {
                store::set_password_hash(tx, user.id, &h).await?;
            }
            let issued = sessions::issue(tx, user.id, Uuid::new_v4(), ttl, &client).await?;
            Ok((issued, user))
        })
        .await?;
    let pending = store::pending_email(&mut conn, user.id).await?;
    Ok(HttpResponse::Ok()
        .cookie(refresh_cookie(&config, &issued.token))
        .insert_header(("cache-control", "no-store"))
        .json(session(&auth, &user, issued.family, pending)))
}

enum RefreshOutcome {
    Rotated(Box<store::UserRow>, sessions::Issued),
    /// The family (session) that was ended.
    Reused(Uuid),
    Disabled,
    Invalid,
}

/// Exchange the refresh cookie for a new access token and a new refresh cookie. Presenting a
/// refresh token that was already exchanged ends the whole session (it was copied).
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "Rotated; a new `benchside_refresh` cookie is set", body = Session),
        (status = 401, description = "`missing_refresh_token`, `invalid_refresh_token`, `refresh_token_reused`, `account_disabled`", body = ErrorEnvelope),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    auth: web::Data<Auth>,
    client: ClientInfo,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let Some(cookie) = req.cookie(REFRESH_COOKIE).filter(|c| !c.value().is_empty()) else {
        return Err(unauthorized(
            ErrorCode::MissingRefreshToken,
            "Your session has ended. Please sign in again.",
        ));
    };
    let token = cookie.value().to_string();
    let ttl = config.auth.refresh_token_ttl;
    let mut conn = db.get().await?;
    let origin = client.origin.clone();
    let outcome = conn
        .transaction::<_, AppError, _>(async move |tx| {
            match sessions::consume(tx, &token).await? {
                Presented::Valid(t) => {
                    let user = store::find_by_id(tx, t.user_id).await?;
                    match user {
                        Some(u) if u.disabled_at.is_none() => {
                            let issued =
                                sessions::issue(tx, u.id, t.family_id, ttl, &client).await?;
                            Ok(RefreshOutcome::Rotated(Box::new(u), issued))
                        }
                        _ => {
                            sessions::revoke_family(tx, t.family_id, RevokeReason::AccountDisabled)
                                .await?;
                            Ok(RefreshOutcome::Disabled)
                        }
                    }
                }
                Presented::Reused(t) => {
                    audit::record(
                        tx,
                        &origin,
                        Event {
                            actor: Actor::User(t.user_id),
                            action: "session.reuse_detected",
                            subject: Some(("user", t.user_id.to_string())),
                            details: json!({ "family": t.family_id }),
                        },
                    )
                    .await?;
                    Ok(RefreshOutcome::Reused(t.family_id))
                }
                Presented::Dead | Presented::Unknown => Ok(RefreshOutcome::Invalid),
            }
        })
        .await?;
    let err = match outcome {
        RefreshOutcome::Rotated(user, issued) => {
            let pending = store::pending_email(&mut conn, user.id).await?;
            return Ok(HttpResponse::Ok()
                .cookie(refresh_cookie(&config, &issued.token))
                .insert_header(("cache-control", "no-store"))
                .json(session(&auth, &user, issued.family, pending)));
        }
        RefreshOutcome::Reused(family) => {
            // Its access tokens end too, here at once and elsewhere at the next reload.
            auth.revocations.note_session(family);
            unauthorized(
                ErrorCode::RefreshTokenReused,
                "This session was used from somewhere else, so it has been ended for your safety. Please sign in again.",
            )
        }
        RefreshOutcome::Disabled => unauthorized(
            ErrorCode::AccountDisabled,
            "This account has been disabled. Contact your training provider.",
        ),
        RefreshOutcome::Invalid => unauthorized(
            ErrorCode::InvalidRefreshToken,
            "Your session has ended. Please sign in again.",
        ),
    };
    // Tell the browser to drop the dead cookie along with the error.
    let mut res = actix_web::ResponseError::error_response(&err);
    let _ = res.add_cookie(&clear_cookie(&config));
    Ok(res)
}

/// Sign out: ends this session (its refresh-token family, and the access tokens issued to it)
/// and clears the cookie. Succeeds without a cookie too.
#[utoipa::path(
    tag = "auth",
    responses((status = 204, description = "Signed out"))
)]
#[post("/auth/logout")]
pub async fn logout(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    auth: web::Data<Auth>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    if let Some(cookie) = req.cookie(REFRESH_COOKIE).filter(|c| !c.value().is_empty()) {
        let mut conn = db.get().await?;
        if let Some((family, _user)) = sessions::family_of(&mut conn, cookie.value()).await? {
            sessions::revoke_family(&mut conn, family, RevokeReason::Logout).await?;
            auth.revocations.note_session(family);
        }
    }
    Ok(HttpResponse::NoContent()
        .cookie(clear_cookie(&config))
        .finish())
}

// ---- password reset ---------------------------------------------------------------------------

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
    let password = NewPassword::parse(&body.new_password, None)?;
    {
        let mut conn = db.get().await?;
        limit(&config, &mut conn, TOKEN_IP, client.addr_key()).await?;
    }
    let hash = auth.hasher.hash(password.as_str()).await?;
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
enum PasswordChange {
    /// Through a reset link: every session ends, and the address counts as verified.
    Reset,
    /// By the signed-in user: every session but `keep` ends.
    Changed { keep: Uuid },
}

/// Stores the new hash, ends sessions, voids every outstanding one-time token (pending email
/// changes, verification and other reset links), queues the "password changed" notice and
/// audits it.
/// Returns the revocation instant (for the in-memory map, once committed).
async fn replace_password(
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

// ---- the signed-in user's own account ----------------------------------------------------------

/// The signed-in user's account.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, body = User),
        (status = 401, description = "`unauthenticated`, `invalid_token`, `token_expired`, `session_revoked`", body = ErrorEnvelope),
    )
)]
#[get("/me")]
pub async fn me(db: web::Data<DbPool>, who: CurrentUser) -> AppResult<web::Json<User>> {
    let mut conn = db.get().await?;
    let user = store::find_by_id(&mut conn, who.id)
        .await?
        .ok_or_else(|| unauthorized(ErrorCode::SessionRevoked, "This session has ended."))?;
    let pending = store::pending_email(&mut conn, who.id).await?;
    Ok(web::Json(User::from_row(&user, pending)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// A new address: it takes effect once confirmed through the link mailed to it.
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

/// Change the name, or start changing the email address (confirmed from the new inbox; the
/// current address is told and can cancel it).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "Updated; `pending_email` shows an address awaiting confirmation", body = User),
        (status = 401, body = ErrorEnvelope),
        (status = 409, description = "`email_taken`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_name`, `invalid_email`, `nothing_to_change`", body = ErrorEnvelope),
    )
)]
#[patch("/me")]
pub async fn update_me(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    who: CurrentUser,
    client: ClientInfo,
    body: web::Json<UpdateMeRequest>,
) -> AppResult<web::Json<User>> {
    let body = body.into_inner();
    if body.name.is_none() && body.email.is_none() {
        return Err(AppError::unprocessable(
            ErrorCode::NothingToChange,
            "Send a new `name` or `email`.",
        ));
    }
    let name = body.name.as_deref().map(Name::parse).transpose()?;
    let email = body.email.as_deref().map(Email::parse).transpose()?;
    let mut conn = db.get().await?;
    let public_url = config.public_url.clone();
    let origin = client.origin.clone();
    let user = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let user = store::lock_by_id(tx, who.id).await?.ok_or_else(|| {
                unauthorized(ErrorCode::SessionRevoked, "This session has ended.")
            })?;
            if let Some(name) = &name {
                store::set_name(tx, user.id, name.as_str()).await?;
            }
            if let Some(email) = email.filter(|e| e.as_str() != user.email) {
                if store::find_by_email(tx, &email).await?.is_some() {
                    return Err(AccountError::EmailTaken.into());
                }
                let token = store::issue_one_time_token(
                    tx,
                    user.id,
                    Purpose::EmailChange,
                    Some(email.as_str()),
                )
                .await?;
                let display = name.as_ref().map_or(user.name.as_str(), |n| n.as_str());
                mail::enqueue(
                    tx,
                    &templates::email_change(&public_url, email.as_str(), display, &token),
                )
                .await?;
                // The current address is told, with a link that cancels the change.
                let cancel = store::issue_one_time_token(
                    tx,
                    user.id,
                    Purpose::EmailChangeCancel,
                    Some(email.as_str()),
                )
                .await?;
                mail::enqueue(
                    tx,
                    &templates::email_change_notice(
                        &public_url,
                        &user.email,
                        display,
                        email.as_str(),
                        &cancel,
                    ),
                )
                .await?;
                audit::record(
                    tx,
                    &origin,
                    Event {
                        actor: Actor::User(user.id),
                        action: "user.email_change_requested",
                        subject: Some(("user", user.id.to_string())),
                        details: json!({ "from": user.email, "to": email.as_str() }),
                    },
                )
                .await?;
            }
            let user = store::find_by_id(tx, who.id)
                .await?
                .expect("locked row exists");
            let pending = store::pending_email(tx, who.id).await?;
            Ok(User::from_row(&user, pending))
        })
        .await?;
    Ok(web::Json(user))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

/// Change the password. Needs the current one; ends every other session, and returns a fresh
/// access token for this one.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Changed; other sessions ended", body = Session),
        (status = 401, body = ErrorEnvelope),
        (status = 422, description = "`wrong_password`, `password_too_short`, `password_too_long`, `password_too_common`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    config: web::Data<Config>,
    db: web::Data<DbPool>,
    auth: web::Data<Auth>,
    who: CurrentUser,
    client: ClientInfo,
    body: web::Json<ChangePasswordRequest>,
) -> AppResult<web::Json<Session>> {
    let user = {
        let mut conn = db.get().await?;
        limit(&config, &mut conn, LOGIN_ACCOUNT, &who.id.to_string()).await?;
        store::find_by_id(&mut conn, who.id)
            .await?
            .ok_or_else(|| unauthorized(ErrorCode::SessionRevoked, "This session has ended."))?
    };
    let email = Email::parse(&user.email)?;
    let new = NewPassword::parse(&body.new_password, Some(&email))?;
    let verified = auth
        .hasher
        .verify(&body.current_password, Some(&user.password_hash))
        .await?;
    if !verified.ok {
        let mut conn = db.get().await?;
        audit::record(
            &mut conn,
            &client.origin,
            Event {
                actor: Actor::User(who.id),
                action: "user.password_change_failed",
                subject: Some(("user", who.id.to_string())),
                details: json!({}),
            },
        )
        .await?;
        return Err(AppError::unprocessable(
            ErrorCode::WrongPassword,
            "The current password is not correct.",
        )
        .with_details(json!({ "field": "current_password" })));
    }
    let hash = auth.hasher.hash(new.as_str()).await?;
    let mut conn = db.get().await?;
    let public_url = config.public_url.clone();
    let origin = client.origin.clone();
    let (user, revoked_at) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let revoked_at = replace_password(
                tx,
                &user,
                &hash,
                PasswordChange::Changed { keep: who.session },
                &origin,
                &public_url,
            )
            .await?;
            Ok((user, revoked_at))
        })
        .await?;
    auth.revocations.note(who.id, revoked_at);
    let pending = store::pending_email(&mut conn, who.id).await?;
    Ok(web::Json(session(&auth, &user, who.session, pending)))
}
