//! Refresh tokens: a sign-in starts a family; each refresh rotates the token; presenting a
//! token that was already rotated revokes the whole family (someone copied it).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::extract::ClientInfo;
use super::tokens::{random_token, token_hash};
use crate::db::schema::refresh_tokens;

crate::text_enum! {
    /// Why a session (refresh-token family) ended: `refresh_tokens.revoked_reason`.
    pub enum RevokeReason {
        Logout = "logout",
        ReuseDetected = "reuse_detected",
        AccountDisabled = "account_disabled",
        RoleChanged = "role_changed",
        PasswordReset = "password_reset",
        PasswordChanged = "password_changed",
    }
}

/// A refresh token to hand to the client, and its family (the session).
pub struct Issued {
    pub token: String,
    pub family: Uuid,
}

/// Stores a new refresh token in `family` (a new family for a new sign-in).
pub async fn issue(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    family: Uuid,
    ttl: std::time::Duration,
    client: &ClientInfo,
) -> QueryResult<Issued> {
    let token = random_token();
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(ttl)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user),
            refresh_tokens::family_id.eq(family),
            refresh_tokens::token_hash.eq(token_hash(&token)),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(now + ttl),
            refresh_tokens::user_agent.eq(client.user_agent.as_deref()),
            refresh_tokens::client_addr.eq(client.origin.client_addr.as_deref()),
        ))
        .execute(conn)
        .await?;
    Ok(Issued { token, family })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct StoredToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a presented refresh token turned out to be.
pub enum Presented {
    /// Live: it has now been marked used; issue the next one in its family.
    Valid(StoredToken),
    /// Already rotated: the family has now been revoked.
    Reused(StoredToken),
    /// Revoked or expired.
    Dead,
    Unknown,
}

/// Looks the token up under a row lock and consumes it. Run inside a transaction.
pub async fn consume(conn: &mut AsyncPgConnection, token: &str) -> QueryResult<Presented> {
    let found: Option<StoredToken> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash(token)))
        .select(StoredToken::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(t) = found else {
        return Ok(Presented::Unknown);
    };
    let now = Utc::now();
    if t.revoked_at.is_some() || t.expires_at <= now {
        return Ok(Presented::Dead);
    }
    if t.used_at.is_some() {
        revoke_family(conn, t.family_id, RevokeReason::ReuseDetected).await?;
        return Ok(Presented::Reused(t));
    }
    diesel::update(refresh_tokens::table.find(t.id))
        .set(refresh_tokens::used_at.eq(now))
        .execute(conn)
        .await?;
    Ok(Presented::Valid(t))
}

/// Looks the token up without changing it (logout uses it to find the family).
pub async fn family_of(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> QueryResult<Option<(Uuid, Uuid)>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash(token)))
        .select((refresh_tokens::family_id, refresh_tokens::user_id))
        .first(conn)
        .await
        .optional()
}

pub async fn revoke_family(
    conn: &mut AsyncPgConnection,
    family: Uuid,
    reason: RevokeReason,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set((
        refresh_tokens::revoked_at.eq(Utc::now()),
        refresh_tokens::revoked_reason.eq(reason.as_str()),
    ))
    .execute(conn)
    .await
}
