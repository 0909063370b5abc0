//! The append-only audit log: who did what to which record, when, and from where.
//!
//! `record` takes a connection so it joins the caller's transaction: the event is written if
//! and only if the change it describes is.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use crate::db::prepared::prepared;
use crate::db::schema::audit_log;

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The platform itself (a command, a worker).
    System,
    /// Someone not signed in (a failed sign-in to an unknown account, say).
    Anonymous,
    User(Uuid),
}

/// Where the request came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

/// One event.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub actor: Actor,
    /// Dotted snake_case, e.g. `user.registered`.
    pub action: &'a str,
    /// The record acted on: (type, id).
    pub subject: Option<(&'a str, String)>,
    pub details: Value,
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewRow<'a> {
    actor_kind: &'a str,
    actor_id: Option<Uuid>,
    action: &'a str,
    subject_type: Option<&'a str>,
    subject_id: Option<&'a str>,
    request_id: Option<&'a str>,
    client_addr: Option<&'a str>,
    details: &'a Value,
}

pub async fn record(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    event: Event<'_>,
) -> QueryResult<()> {
    record_shared(conn, origin, event).await
}

/// `record` on a shared connection, so that it can be pipelined with other statements.
pub async fn record_shared(
    conn: &AsyncPgConnection,
    origin: &Origin,
    event: Event<'_>,
) -> QueryResult<()> {
    let (actor_kind, actor_id) = actor_columns(event.actor);
    let details = if event.details.is_object() {
        event.details
    } else {
        Value::Object(Default::default())
    };
    // Prepared once per connection: the text varies only with which optional columns are
    // NULL (written as DEFAULT), a handful of statements.
    prepared(diesel::insert_into(audit_log::table).values(NewRow {
        actor_kind,
        actor_id,
        action: event.action,
        subject_type: event.subject.as_ref().map(|s| s.0),
        subject_id: event.subject.as_ref().map(|s| s.1.as_str()),
        request_id: origin.request_id.as_deref(),
        client_addr: origin.client_addr.as_deref(),
        details: &details,
    }))
    .execute(&mut &*conn)
    .await
    .map(|_| ())
}

/// [`record`] for many events, in multi-row statements of 1000 (one statement for a
/// thousand events), in the caller's transaction.
pub async fn record_many(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    events: &[Event<'_>],
) -> QueryResult<()> {
    let empty = Value::Object(Default::default());
    for chunk in events.chunks(1000) {
        let rows: Vec<NewRow<'_>> = chunk
            .iter()
            .map(|e| {
                let (actor_kind, actor_id) = actor_columns(e.actor);
                NewRow {
                    actor_kind,
                    actor_id,
                    action: e.action,
                    subject_type: e.subject.as_ref().map(|s| s.0),
                    subject_id: e.subject.as_ref().map(|s| s.1.as_str()),
                    request_id: origin.request_id.as_deref(),
                    client_addr: origin.client_addr.as_deref(),
                    details: if e.details.is_object() {
                        &e.details
                    } else {
                        &empty
                    },
                }
            })
            .collect();
        diesel::insert_into(audit_log::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

fn actor_columns(actor: Actor) -> (&'static str, Option<Uuid>) {
    match actor {
        Actor::System => ("system", None),
        Actor::Anonymous => ("anonymous", None),
        Actor::User(id) => ("user", Some(id)),
    }
}

/// Whether an event `action` about `subject` was recorded (for work that must happen once
/// per subject, checked and recorded in one transaction).
pub async fn has_event(
    conn: &mut AsyncPgConnection,
    action: &str,
    subject: (&str, &str),
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        audit_log::table.filter(
            audit_log::subject_type
                .eq(subject.0)
                .and(audit_log::subject_id.eq(subject.1))
                .and(audit_log::action.eq(action)),
        ),
    ))
    .get_result(conn)
    .await
}
