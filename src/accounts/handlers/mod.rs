//! `/api/v1/auth/*` and `/api/v1/me*`: registration, email verification, sign-in, sessions,
//! password reset and the account owner's own profile.
//!
//! `signup` (register, verify, cancel an email change, resend), `sessions` (login, refresh,
//! logout), `recovery` (password reset, `replace_password`), `invitation` (accepting one),
//! `profile` (`/me`, its update, the password change); this file holds what they share:
//! cookies, limits, the session body.

mod invitation;
mod profile;
mod recovery;
mod sessions;
mod signup;

pub use invitation::AcceptInvitationRequest;
pub use profile::{ChangePasswordRequest, UpdateMeRequest};
pub use recovery::ResetConfirmRequest;
pub use sessions::LoginRequest;
pub use signup::{RegisterRequest, TokenRequest};

use actix_web::HttpResponse;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Auth;
use super::domain::NewPassword;
use super::store::{self, User};
use crate::config::{Config, Environment};
use crate::http::{AppError, ErrorCode};
use crate::ratelimit::{self, Limit};

pub const REFRESH_COOKIE: &str = "benchside_refresh";
/// The refresh cookie is sent only to the auth endpoints (refresh and logout).
pub const REFRESH_PATH: &str = "/api/v1/auth";
/// The device cookie: a browser that signed in to an account before (see `sessions`).
pub const DEVICE_COOKIE: &str = "benchside_device";
/// The device cookie is sent only to the sign-in route.
pub const DEVICE_PATH: &str = "/api/v1/auth/login";

const REGISTER_IP: Limit = Limit::per_minute("register_ip", 10, 10.0 / 60.0);
const LOGIN_IP: Limit = Limit::per_minute("login_ip", 30, 30.0);
const LOGIN_ACCOUNT: Limit = Limit::per_minute("login_account", 10, 5.0);
/// Per account and known device: the same allowance as the account's shared bucket.
const LOGIN_DEVICE: Limit = Limit::per_minute("login_device", 10, 5.0);
const MAIL_IP: Limit = Limit::per_minute("mail_ip", 10, 10.0 / 60.0);
const MAIL_ACCOUNT: Limit = Limit::per_minute("mail_account", 3, 3.0 / 60.0);
const TOKEN_IP: Limit = Limit::per_minute("token_ip", 20, 10.0);

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(signup::register)
        .service(signup::verify_email)
        .service(signup::cancel_email_change)
        .service(signup::resend_verification)
        .service(sessions::login)
        .service(sessions::refresh)
        .service(sessions::logout)
        .service(recovery::password_reset_request)
        .service(recovery::password_reset_confirm)
        .service(invitation::accept_invitation)
        .service(profile::me)
        .service(profile::update_me)
        .service(profile::change_password);
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

fn device_cookie(config: &Config, token: &str) -> Cookie<'static> {
    let secs = super::tokens::DEVICE_TTL.as_secs() as i64;
    Cookie::build(DEVICE_COOKIE, token.to_string())
        .path(DEVICE_PATH)
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    #[schema(max_length = 254)]
    pub email: String,
}

/// The first step of a route that sets a password from a mailed link (a reset, an
/// invitation): the policy's check of `raw` (without the address, which the token names), the
/// per-address limit on token routes, then the hash, with no connection held while hashing.
async fn hash_link_password(
    config: &Config,
    db: &crate::db::DbPool,
    auth: &Auth,
    client: &super::extract::ClientInfo,
    raw: &str,
) -> Result<(NewPassword, String), AppError> {
    let password = NewPassword::parse(raw, None)?;
    {
        let mut conn = db.get().await?;
        limit(config, &mut conn, TOKEN_IP, client.addr_key()).await?;
    }
    let hash = auth.hasher.hash(password.as_str()).await?;
    Ok((password, hash))
}

fn accepted(message: &str) -> HttpResponse {
    HttpResponse::Accepted().json(Accepted {
        message: message.into(),
    })
}
