//! Sign-in, refresh-token rotation and sign-out.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel_async::AsyncConnection;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    DEVICE_COOKIE, LOGIN_ACCOUNT, LOGIN_DEVICE, LOGIN_IP, REFRESH_COOKIE, Session, clear_cookie,
    device_cookie, limit, refresh_cookie, session, unauthorized,
};
use crate::accounts::Auth;
use crate::accounts::domain::Email;
use crate::accounts::extract::ClientInfo;
use crate::accounts::sessions::{self, Presented, RevokeReason};
use crate::accounts::store;
use crate::accounts::tokens::KnownDevice;
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(max_length = 254)]
    pub email: String,
    pub password: String,
}

/// Sign in. Returns a short-lived access token and sets the refresh token in an httpOnly,
/// SameSite=Strict cookie scoped to `/api/v1/auth`, and a device cookie (`benchside_device`,
/// a year, scoped to this route) that lets this browser past the account's shared limit on
/// failed sign-ins: strangers cannot lock the owner out.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; `Set-Cookie: benchside_refresh=...` and `benchside_device=...`", body = Session),
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
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> AppResult<HttpResponse> {
    let email = Email::parse(&body.email)?;
    let device = req
        .cookie(DEVICE_COOKIE)
        .and_then(|c| auth.tokens.verify_device(c.value()));
    let found = {
        // The connection goes back to the pool before hashing: a flood of sign-ins must not
        // hold every connection while it waits for the hasher.
        let mut conn = db.get().await?;
        limit(&config, &mut conn, LOGIN_IP, client.addr_key()).await?;
        let found = store::find_by_email(&mut conn, &email).await?;
        account_limit(&config, &mut conn, &email, found.as_ref(), device).await?;
        found
    };
    let verified = auth
        .hasher
        .verify(
            &body.password,
            found.as_ref().and_then(|u| u.password_hash.as_deref()),
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
        .cookie(device_cookie(&config, &auth.tokens.issue_device(user.id)))
        .insert_header(("cache-control", "no-store"))
        .json(session(&auth, &user, issued.family, pending)))
}

/// The per-account limit on sign-in attempts. A browser whose device token names this account
/// (it signed in here before) has a bucket of its own; everyone else shares the account's, so
/// strangers guessing passwords use up only theirs and never lock the owner out. The
/// per-address limit applies to all.
async fn account_limit(
    config: &Config,
    conn: &mut diesel_async::AsyncPgConnection,
    email: &Email,
    found: Option<&store::UserRow>,
    device: Option<KnownDevice>,
) -> Result<(), crate::ratelimit::LimitError> {
    match (found, device) {
        (Some(user), Some(d)) if d.user == user.id => {
            let key = format!("{}:{}", user.id, d.device);
            limit(config, conn, LOGIN_DEVICE, &key).await
        }
        _ => limit(config, conn, LOGIN_ACCOUNT, email.as_str()).await,
    }
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
