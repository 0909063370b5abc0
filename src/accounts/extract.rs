//! Extractors every handler uses: the signed-in user, an admin, and where a request came from.
//!
//! Checking an access token costs no database round trip: the signature and claims are checked
//! in process, and revoked sessions come from the in-memory [`super::revocations`] map.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use uuid::Uuid;

use super::Auth;
use super::domain::Role;
use super::tokens::TokenError;
use crate::audit::Origin;
use crate::config::Config;
use crate::http::middleware::RequestId;
use crate::http::{AppError, ErrorCode};

/// A signed-in, enabled user with a valid access token.
#[derive(Debug, Clone, Copy)]
pub struct CurrentUser {
    pub id: Uuid,
    pub role: Role,
    /// The sign-in session (refresh-token family).
    pub session: Uuid,
}

/// A signed-in admin.
#[derive(Debug, Clone, Copy)]
pub struct AdminUser(pub CurrentUser);

fn unauthorized(code: ErrorCode, message: &'static str) -> AppError {
    AppError::new(StatusCode::UNAUTHORIZED, code, message).with_header(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"benchside\""),
    )
}

fn auth(req: &HttpRequest) -> Result<&web::Data<Auth>, AppError> {
    req.app_data::<web::Data<Auth>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("web::Data<Auth> is not registered")))
}

impl CurrentUser {
    pub(super) fn from_req(req: &HttpRequest) -> Result<CurrentUser, AppError> {
        let auth = auth(req)?;
        let Some(value) = req.headers().get(header::AUTHORIZATION) else {
            return Err(unauthorized(
                ErrorCode::Unauthenticated,
                "Sign in to continue.",
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, token) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                unauthorized(
                    ErrorCode::InvalidToken,
                    "The Authorization header must be `Bearer <access token>`.",
                )
            })?;
        let claims = auth.tokens.verify(token).map_err(|e| match e {
            TokenError::Expired => unauthorized(
                ErrorCode::TokenExpired,
                "Your session token has expired. Refresh it or sign in again.",
            ),
            TokenError::Invalid => {
                unauthorized(ErrorCode::InvalidToken, "The access token is not valid.")
            }
        })?;
        if auth
            .revocations
            .is_revoked(claims.sub, claims.sid, claims.ims)
        {
            return Err(unauthorized(
                ErrorCode::SessionRevoked,
                "This session has ended. Please sign in again.",
            ));
        }
        Ok(CurrentUser {
            id: claims.sub,
            role: claims.role,
            session: claims.sid,
        })
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(CurrentUser::from_req(req))
    }
}

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(CurrentUser::from_req(req).and_then(|u| {
            if u.role.is_admin() {
                Ok(AdminUser(u))
            } else {
                Err(AppError::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "This needs an administrator account.",
                ))
            }
        }))
    }
}

/// Where a request came from: its ID, the client address, the user agent.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub origin: Origin,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// The key rate limits use for this client.
    pub fn addr_key(&self) -> &str {
        self.origin.client_addr.as_deref().unwrap_or("unknown")
    }
}

impl FromRequest for ClientInfo {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trust_proxy = req
            .app_data::<web::Data<Config>>()
            .is_some_and(|c| c.auth.trust_proxy);
        let client_addr = if trust_proxy {
            req.connection_info()
                .realip_remote_addr()
                .map(|a| strip_port(a).to_string())
        } else {
            req.peer_addr().map(|a| a.ip().to_string())
        }
        .map(|a| a.chars().take(64).collect());
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(512).collect());
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        ready(Ok(ClientInfo {
            origin: Origin {
                request_id,
                client_addr,
            },
            user_agent,
        }))
    }
}

/// `1.2.3.4:5678` -> `1.2.3.4`; `[::1]:80` -> `::1`; bare addresses unchanged.
fn strip_port(a: &str) -> &str {
    if let Some(rest) = a.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match a.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            host
        }
        _ => a,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ports_are_stripped_from_addresses() {
        assert_eq!(super::strip_port("1.2.3.4:5678"), "1.2.3.4");
        assert_eq!(super::strip_port("1.2.3.4"), "1.2.3.4");
        assert_eq!(super::strip_port("[::1]:80"), "::1");
        assert_eq!(super::strip_port("2001:db8::1"), "2001:db8::1");
    }
}
