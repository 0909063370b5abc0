//! The admin area's account queries: the filtered, paged user list.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use utoipa::ToSchema;

use super::domain::Role;
use super::store::UserRow;
use crate::db::schema::users;

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Disabled,
    Unverified,
    /// Invited by a bulk enrolment, the invitation not accepted yet.
    Invited,
}

/// Which accounts to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserFilter<'a> {
    /// Text contained in the email address or the name (case-insensitive).
    pub text: Option<&'a str>,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
}

fn filtered<'a>(f: UserFilter<'a>) -> users::BoxedQuery<'a, diesel::pg::Pg> {
    let mut q = users::table.into_boxed();
    if let Some(t) = f.text {
        let pattern = crate::db::like_pattern(t);
        q = q.filter(
            users::email
                .ilike(pattern.clone())
                .or(users::name.ilike(pattern)),
        );
    }
    if let Some(role) = f.role {
        q = q.filter(users::role.eq(role));
    }
    match f.status {
        Some(UserStatus::Active) => q = q.filter(users::disabled_at.is_null()),
        Some(UserStatus::Disabled) => q = q.filter(users::disabled_at.is_not_null()),
        Some(UserStatus::Unverified) => q = q.filter(users::email_verified_at.is_null()),
        Some(UserStatus::Invited) => q = q.filter(users::password_hash.is_null()),
        None => {}
    }
    q
}

/// One page of matching accounts, newest first, and how many match in all.
pub async fn list_users(
    conn: &mut AsyncPgConnection,
    filter: UserFilter<'_>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<UserRow>, i64)> {
    let total: i64 = filtered(filter).count().get_result(conn).await?;
    let rows = filtered(filter)
        .order((users::created_at.desc(), users::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(UserRow::as_select())
        .load(conn)
        .await?;
    Ok((rows, total))
}
