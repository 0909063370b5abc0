//! The signed-in user's own account: `/me`, its update, and the password change.

use actix_web::{get, patch, post, web};
use diesel_async::AsyncConnection;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::recovery::{PasswordChange, replace_password};
use super::{LOGIN_ACCOUNT, Session, limit, session, unauthorized};
use crate::accounts::Auth;
use crate::accounts::domain::{Email, Name, NewPassword};
use crate::accounts::extract::{ClientInfo, CurrentUser};
use crate::accounts::store::{self, AccountError, Purpose, User};
use crate::audit::{self, Actor, Event};
use crate::config::Config;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::{AppError, AppResult, ErrorCode};
use crate::mail::{self, templates};

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
        .verify(&body.current_password, user.password_hash.as_deref())
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
