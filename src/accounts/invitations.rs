//! Accounts made for people enrolled before they had one (the bulk enrolment): the account
//! exists from the upload, without a password, and its owner gets a link that chooses one
//! (`POST /auth/invitation/accept`, in `handlers::invitation`). An account without a password
//! cannot sign in; a password reset also sets one, so an expired link is never a dead end.
//!
//! Both functions join the caller's transaction and are a fixed number of statements whatever
//! the number of people: multi-row inserts of the accounts, the links, the mails
//! ([`crate::mail::enqueue_many`]) and the audit events ([`crate::audit::record_many`]).

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::json;
use url::Url;
use uuid::Uuid;

use super::domain::{Email, Name};
use super::invite_store;
pub use super::invite_store::Contact;
use crate::audit::{self, Actor, Event, Origin};
use crate::mail::{self, templates};

/// Who invites, from where, and to what (the course the mail names).
#[derive(Debug, Clone, Copy)]
pub struct InvitedBy<'a> {
    pub user: Uuid,
    pub origin: &'a Origin,
    pub public_url: &'a Url,
    pub course_title: &'a str,
}

/// Why no account was made.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// An address got an account since the caller looked: the caller's transaction should
    /// roll back (the accounts before it were inserted).
    #[error("an address has an account already")]
    AddressTaken,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Makes an account without a password for each of `people` and audits `user.invited` for
/// each.
pub async fn create(
    tx: &mut AsyncPgConnection,
    by: InvitedBy<'_>,
    people: &[(Email, Name)],
) -> Result<Vec<Contact>, InviteError> {
    let pairs: Vec<(&str, &str)> = people
        .iter()
        .map(|(e, n)| (e.as_str(), n.as_str()))
        .collect();
    let made = invite_store::insert_invited(tx, &pairs, by.user, Utc::now()).await?;
    if made.len() != people.len() {
        return Err(InviteError::AddressTaken);
    }
    let events: Vec<Event<'_>> = made
        .iter()
        .map(|c| Event {
            actor: Actor::User(by.user),
            action: "user.invited",
            subject: Some(("user", c.id.to_string())),
            details: json!({ "course": by.course_title }),
        })
        .collect();
    audit::record_many(tx, by.origin, &events).await?;
    Ok(made)
}

/// Mails a fresh invitation link to each account of `users` that still has no password (its
/// earlier links stop working); the others are skipped. Returns how many were mailed.
pub async fn send(
    tx: &mut AsyncPgConnection,
    by: InvitedBy<'_>,
    users: &[Uuid],
) -> diesel::QueryResult<usize> {
    if users.is_empty() {
        return Ok(0);
    }
    let pending = invite_store::pending(tx, users).await?;
    let ids: Vec<Uuid> = pending.iter().map(|c| c.id).collect();
    let tokens = invite_store::issue_links(tx, &ids).await?;
    let mails: Vec<_> = pending
        .iter()
        .zip(&tokens)
        .map(|(c, token)| {
            templates::invitation(by.public_url, &c.email, &c.name, by.course_title, token)
        })
        .collect();
    mail::enqueue_many(tx, &mails).await?;
    Ok(mails.len())
}
