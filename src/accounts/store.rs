//! Account queries. Each takes `&mut AsyncPgConnection`, so it runs on a pooled connection or
//! inside the caller's transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::domain::{Email, Role};
use super::sessions::RevokeReason;
use super::tokens::{random_token, token_hash};
use crate::db::schema::{one_time_tokens, refresh_tokens, users};

/// Why an account write or a one-time token was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Another account has this address (`users_email_key`).
    #[error("another account uses this email address")]
    EmailTaken,
    /// No one-time token of the expected purposes has this value.
    #[error("unknown one-time token")]
    UnknownToken,
    #[error("the one-time token was already used")]
    TokenUsed,
    #[error("the one-time token has expired")]
    TokenExpired,
    #[error(transparent)]
    Db(#[from] DieselError),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// `None` for an invited account whose owner has not chosen a password yet.
    pub password_hash: Option<String>,
    pub role: Role,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub sessions_revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the password was last reset or changed.
    pub password_changed_at: Option<DateTime<Utc>>,
}

/// A user as the account owner sees it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub email_verified: bool,
    /// A new address waiting for confirmation from its inbox.
    #[schema(required = true)]
    pub pending_email: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn from_row(u: &UserRow, pending_email: Option<String>) -> User {
        User {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            email_verified: u.email_verified_at.is_some(),
            pending_email,
            created_at: u.created_at,
        }
    }
}

pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    email: &Email,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email.as_str()))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks the user's row for the rest of the transaction.
pub async fn lock_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The address waiting for confirmation, if any.
pub async fn pending_email(
    conn: &mut AsyncPgConnection,
    user: Uuid,
) -> QueryResult<Option<String>> {
    one_time_tokens::table
        .filter(one_time_tokens::user_id.eq(user))
        .filter(one_time_tokens::purpose.eq(Purpose::EmailChange))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(Utc::now()))
        .order(one_time_tokens::created_at.desc())
        .select(one_time_tokens::email)
        .first::<Option<String>>(conn)
        .await
        .optional()
        .map(Option::flatten)
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub email_verified_at: Option<DateTime<Utc>>,
}

/// Maps a unique violation on the email to [`AccountError::EmailTaken`].
pub fn map_email_conflict(e: DieselError) -> AccountError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, ref info)
            if info.constraint_name() == Some("users_email_key") =>
        {
            AccountError::EmailTaken
        }
        e => AccountError::Db(e),
    }
}

pub async fn insert_user(
    conn: &mut AsyncPgConnection,
    new: NewUser<'_>,
) -> Result<UserRow, AccountError> {
    diesel::insert_into(users::table)
        .values(&new)
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .map_err(map_email_conflict)
}

crate::text_enum! {
    /// The purposes of one-time tokens (`one_time_tokens.purpose`, text).
    pub enum Purpose {
        VerifyEmail = "verify_email",
        EmailChange = "email_change",
        /// Mailed to the old address of an email change: voids the pending change.
        EmailChangeCancel = "email_change_cancel",
        PasswordReset = "password_reset",
        /// Mailed to an account made by a bulk enrolment: its owner chooses a password.
        Invitation = "invitation",
    }
}

impl Purpose {
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            Purpose::VerifyEmail => chrono::Duration::hours(48),
            Purpose::EmailChange | Purpose::EmailChangeCancel => chrono::Duration::hours(24),
            Purpose::PasswordReset => chrono::Duration::hours(1),
            Purpose::Invitation => chrono::Duration::days(14),
        }
    }
}

/// Issues a one-time token, retiring the user's earlier unused ones of the same purpose.
/// Returns the token to send (only its hash is stored).
pub async fn issue_one_time_token(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    purpose: Purpose,
    email: Option<&str>,
) -> QueryResult<String> {
    let now = Utc::now();
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::user_id.eq(user))
            .filter(one_time_tokens::purpose.eq(purpose))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(now))
    .execute(conn)
    .await?;
    let token = random_token();
    diesel::insert_into(one_time_tokens::table)
        .values((
            one_time_tokens::user_id.eq(user),
            one_time_tokens::purpose.eq(purpose),
            one_time_tokens::token_hash.eq(token_hash(&token)),
            one_time_tokens::email.eq(email),
            one_time_tokens::created_at.eq(now),
            one_time_tokens::expires_at.eq(now + purpose.lifetime()),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = one_time_tokens)]
pub struct OneTimeToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub purpose: Purpose,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// Finds a presented one-time token of one of `purposes` and locks it. Unknown, used and
/// expired tokens are refused with their own codes.
pub async fn take_one_time_token(
    conn: &mut AsyncPgConnection,
    token: &str,
    purposes: &[Purpose],
) -> Result<OneTimeToken, AccountError> {
    let found: Option<OneTimeToken> = one_time_tokens::table
        .filter(one_time_tokens::token_hash.eq(token_hash(token)))
        .filter(one_time_tokens::purpose.eq_any(purposes.to_vec()))
        .select(OneTimeToken::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(t) = found else {
        return Err(AccountError::UnknownToken);
    };
    if t.used_at.is_some() {
        return Err(AccountError::TokenUsed);
    }
    if t.expires_at <= Utc::now() {
        return Err(AccountError::TokenExpired);
    }
    diesel::update(one_time_tokens::table.find(t.id))
        .set(one_time_tokens::used_at.eq(Utc::now()))
        .execute(conn)
        .await?;
    Ok(t)
}

/// Voids the user's outstanding one-time tokens of `purposes` (every purpose when `None`).
pub async fn void_one_time_tokens(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    purposes: Option<&[Purpose]>,
) -> QueryResult<usize> {
    let mut q = diesel::update(one_time_tokens::table)
        .filter(one_time_tokens::user_id.eq(user))
        .filter(one_time_tokens::used_at.is_null())
        .into_boxed();
    if let Some(p) = purposes {
        q = q.filter(one_time_tokens::purpose.eq_any(p.to_vec()));
    }
    q.set(one_time_tokens::used_at.eq(Utc::now()))
        .execute(conn)
        .await
}

/// Moves the account to a confirmed new address.
pub async fn set_email(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    email: &str,
    verified_at: DateTime<Utc>,
) -> Result<(), AccountError> {
    diesel::update(users::table.find(user))
        .set((
            users::email.eq(email),
            users::email_verified_at.eq(verified_at),
        ))
        .execute(conn)
        .await
        .map_err(map_email_conflict)?;
    Ok(())
}

pub async fn set_email_verified_at(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set(users::email_verified_at.eq(at))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn set_name(conn: &mut AsyncPgConnection, user: Uuid, name: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set(users::name.eq(name))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn set_password_hash(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    hash: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set(users::password_hash.eq(hash))
        .execute(conn)
        .await
        .map(drop)
}

/// A new password hash (a reset or a change: `password_changed_at` moves), and the address's
/// verification (a reset link proves the inbox).
pub async fn set_password(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    hash: &str,
    email_verified_at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set((
            users::password_hash.eq(hash),
            users::email_verified_at.eq(email_verified_at),
            users::password_changed_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn set_role(conn: &mut AsyncPgConnection, user: Uuid, role: Role) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set(users::role.eq(role))
        .execute(conn)
        .await
        .map(drop)
}

/// Disables the account now (`true`) or re-enables it.
pub async fn set_disabled(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    disabled: bool,
) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set(users::disabled_at.eq(disabled.then(Utc::now)))
        .execute(conn)
        .await
        .map(drop)
}

/// Revokes every live refresh token of `user`, except the family `keep`.
pub async fn revoke_refresh_tokens(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    reason: RevokeReason,
    keep: Option<Uuid>,
) -> QueryResult<usize> {
    // The nil UUID is never a family, so `None` keeps nothing.
    let keep = keep.unwrap_or(Uuid::nil());
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user))
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::family_id.ne(keep)),
    )
    .set((
        refresh_tokens::revoked_at.eq(Utc::now()),
        refresh_tokens::revoked_reason.eq(reason.as_str()),
    ))
    .execute(conn)
    .await
}

/// Ends every access token issued to `user` before now.
pub async fn revoke_sessions(
    conn: &mut AsyncPgConnection,
    user: Uuid,
) -> QueryResult<DateTime<Utc>> {
    let now = Utc::now();
    diesel::update(users::table.find(user))
        .set(users::sessions_revoked_at.eq(now))
        .execute(conn)
        .await?;
    Ok(now)
}
