//! The invitation queries: the accounts a bulk enrolment makes, and their one-time links, each
//! a fixed number of statements whatever the number of people.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::domain::Role;
use super::store::Purpose;
use super::tokens::{random_token, token_hash};
use crate::db::schema::{one_time_tokens, users};

/// Rows per multi-row insert (five binds each, well under PostgreSQL's 65,535).
const BATCH: usize = 5_000;

/// Someone to mail: an account's ID, address and name.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Contact {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

/// Inserts accounts without a password for `(email, name)` pairs (normalised), invited by
/// `by` at `at`. An address that has an account by now is skipped: the caller compares the
/// count.
pub async fn insert_invited(
    conn: &mut AsyncPgConnection,
    people: &[(&str, &str)],
    by: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<Vec<Contact>> {
    let mut made = Vec::with_capacity(people.len());
    for chunk in people.chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(email, name)| {
                (
                    users::email.eq(*email),
                    users::name.eq(*name),
                    users::role.eq(Role::Learner),
                    users::invited_at.eq(at),
                    users::invited_by.eq(by),
                )
            })
            .collect();
        let mut inserted: Vec<Contact> = diesel::insert_into(users::table)
            .values(rows)
            .on_conflict(users::email)
            .do_nothing()
            .returning((users::id, users::email, users::name))
            .get_results(conn)
            .await?;
        made.append(&mut inserted);
    }
    Ok(made)
}

/// The accounts of `ids` that have no password yet (their invitation is not accepted).
pub async fn pending(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Contact>> {
    users::table
        .filter(users::id.eq_any(ids))
        .filter(users::password_hash.is_null())
        .filter(users::disabled_at.is_null())
        .select((users::id, users::email, users::name))
        .load(conn)
        .await
}

/// Issues an invitation link for each of `users`, retiring their earlier unused ones. Returns
/// the tokens to send, in the order of `users` (only their hashes are stored).
pub async fn issue_links(conn: &mut AsyncPgConnection, users: &[Uuid]) -> QueryResult<Vec<String>> {
    let now = Utc::now();
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::user_id.eq_any(users))
            .filter(one_time_tokens::purpose.eq(Purpose::Invitation))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(now))
    .execute(conn)
    .await?;
    let tokens: Vec<String> = users.iter().map(|_| random_token()).collect();
    let expires = now + Purpose::Invitation.lifetime();
    for (users, tokens) in users.chunks(BATCH).zip(tokens.chunks(BATCH)) {
        let rows: Vec<_> = users
            .iter()
            .zip(tokens)
            .map(|(user, token)| {
                (
                    one_time_tokens::user_id.eq(*user),
                    one_time_tokens::purpose.eq(Purpose::Invitation),
                    one_time_tokens::token_hash.eq(token_hash(token)),
                    one_time_tokens::created_at.eq(now),
                    one_time_tokens::expires_at.eq(expires),
                )
            })
            .collect();
        diesel::insert_into(one_time_tokens::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(tokens)
}
