//! `/api/v1/admin/users`: list and search accounts, disable and re-enable them, change roles.

use actix_web::http::StatusCode;
use actix_web::{get, patch, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::Auth;
pub use super::admin_store::UserStatus;
use super::admin_store::{self, UserFilter};
use super::domain::Role;
use super::extract::{AdminUser, ClientInfo};
use super::sessions::RevokeReason;
use super::store::{self, UserRow};
use crate::audit::{self, Actor, Event};
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::paging::{Paging, search_text};
use crate::http::{AppError, AppResult, ErrorCode};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_users).service(update_user);
}

/// An account as admins see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AdminUserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub email_verified: bool,
    pub disabled: bool,
    /// Made by a bulk enrolment and waiting for its owner to accept the invitation (no
    /// password yet).
    pub invited: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&UserRow> for AdminUserView {
    fn from(u: &UserRow) -> Self {
        AdminUserView {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            email_verified: u.email_verified_at.is_some(),
            disabled: u.disabled_at.is_some(),
            invited: u.password_hash.is_none(),
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<AdminUserView>,
    /// Matching accounts in all pages.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Text contained in the email address or the name (case-insensitive).
    pub q: Option<String>,
    #[param(inline)]
    pub role: Option<Role>,
    #[param(inline)]
    pub status: Option<UserStatus>,
    /// 1-based page number (default 1).
    pub page: Option<i64>,
    /// Accounts per page, 1 to 100 (default 25).
    pub per_page: Option<i64>,
}

/// List and search accounts, newest first.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(UserQuery),
    responses(
        (status = 200, body = UserPage),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin (staff too)", body = ErrorEnvelope),
    )
)]
#[get("/admin/users")]
pub async fn list_users(
    db: web::Data<DbPool>,
    _admin: AdminUser,
    query: web::Query<UserQuery>,
) -> AppResult<web::Json<UserPage>> {
    let q = query.into_inner();
    let paging = Paging::parse(q.page, q.per_page, 25)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let text = search_text(q.q.as_deref())?;
    let filter = UserFilter {
        text,
        role: q.role,
        status: q.status,
    };
    let mut conn = db.get().await?;
    let (rows, total) =
        admin_store::list_users(&mut conn, filter, per_page, paging.offset()).await?;
    Ok(web::Json(UserPage {
        items: rows.iter().map(AdminUserView::from).collect(),
        total,
        page,
        per_page,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub role: Option<Role>,
    /// `true` disables the account (and ends its sessions); `false` re-enables it.
    pub disabled: Option<bool>,
}

/// Change an account's role, or disable or re-enable it. Disabling or changing the role ends
/// the account's sessions. Admins cannot change their own account here.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account's ID")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, body = AdminUserView),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin (staff too)", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`cannot_change_own_account`", body = ErrorEnvelope),
        (status = 422, description = "`nothing_to_change`, `invalid_body`", body = ErrorEnvelope),
    )
)]
#[patch("/admin/users/{id}")]
pub async fn update_user(
    db: web::Data<DbPool>,
    auth: web::Data<Auth>,
    admin: AdminUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<UpdateUserRequest>,
) -> AppResult<web::Json<AdminUserView>> {
    let id = id.into_inner();
    let body = body.into_inner();
    if body.role.is_none() && body.disabled.is_none() {
        return Err(AppError::unprocessable(
            ErrorCode::NothingToChange,
            "Send a new `role` or `disabled`.",
        ));
    }
    if id == admin.0.id {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            ErrorCode::CannotChangeOwnAccount,
            "You cannot change your own role or disable your own account; ask another admin.",
        ));
    }
    let mut conn = db.get().await?;
    let origin = client.origin.clone();
    let actor = admin.0.id;
    let (user, revoked_at) = conn
        .transaction::<_, AppError, _>(async move |tx| {
            let user = store::lock_by_id(tx, id)
                .await?
                .ok_or_else(|| AppError::not_found("No account has this ID."))?;
            let mut end_sessions = None;
            if let Some(role) = body.role.filter(|r| *r != user.role) {
                store::set_role(tx, id, role).await?;
                end_sessions = Some(RevokeReason::RoleChanged);
                audit::record(
                    tx,
                    &origin,
                    Event {
                        actor: Actor::User(actor),
                        action: "user.role_changed",
                        subject: Some(("user", id.to_string())),
                        details: json!({ "from": user.role, "to": role }),
                    },
                )
                .await?;
            }
            if let Some(disable) = body.disabled.filter(|d| *d != user.disabled_at.is_some()) {
                store::set_disabled(tx, id, disable).await?;
                if disable {
                    end_sessions = Some(RevokeReason::AccountDisabled);
                }
                audit::record(
                    tx,
                    &origin,
                    Event {
                        actor: Actor::User(actor),
                        action: if disable {
                            "user.disabled"
                        } else {
                            "user.enabled"
                        },
                        subject: Some(("user", id.to_string())),
                        details: json!({}),
                    },
                )
                .await?;
            }
            let mut revoked_at = None;
            if let Some(reason) = end_sessions {
                store::revoke_refresh_tokens(tx, id, reason, None).await?;
                revoked_at = Some(store::revoke_sessions(tx, id).await?);
            }
            let user = store::find_by_id(tx, id).await?.expect("locked row exists");
            Ok((user, revoked_at))
        })
        .await?;
    if let Some(at) = revoked_at {
        auth.revocations.note(user.id, at);
    }
    Ok(web::Json(AdminUserView::from(&user)))
}
