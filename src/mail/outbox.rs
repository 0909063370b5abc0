//! The `mail_outbox` table: enqueue inside the caller's transaction, and the worker's claim,
//! completion and recovery queries.
//!
//! Life of a row: `pending` --claim--> `sending` (leased) --> `sent`, or back to `pending`
//! with a later `next_attempt_at`, or `failed` after the last attempt. A claim whose lease
//! runs out (the worker died) is put back to `pending` by [`recover_expired`]. Bodies are
//! erased when a row is finished, since they can hold one-time links.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::RenderedMail;
use crate::db::schema::mail_outbox;

/// Inserts one `pending` row for `mail` and returns its ID. Call it with the connection of the
/// transaction that causes the mail: if that transaction rolls back, nothing is sent.
pub async fn enqueue(conn: &mut AsyncPgConnection, mail: &RenderedMail) -> QueryResult<Uuid> {
    use mail_outbox::dsl as o;
    diesel::insert_into(mail_outbox::table)
        .values((
            o::kind.eq(mail.kind),
            o::recipient.eq(&mail.to),
            o::recipient_name.eq(mail.to_name.as_deref()),
            o::subject.eq(&mail.subject),
            o::text_body.eq(&mail.text),
            o::html_body.eq(&mail.html),
        ))
        .returning(o::id)
        .get_result(conn)
        .await
}

/// A row claimed for sending.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedMail {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub recipient_name: Option<String>,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = Text)]
    pub text_body: String,
    #[diesel(sql_type = Text)]
    pub html_body: String,
    /// Attempts including this one.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
}

/// Claims up to `limit` due rows for the lease `lease_id`, which lasts `lease`. One statement,
/// so one short transaction: the due rows are locked with `FOR UPDATE SKIP LOCKED` (a row
/// another worker is claiming is skipped, never waited for or taken twice), marked `sending`
/// until the lease ends, and their attempt counted.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    lease_id: Uuid,
    lease: Duration,
    limit: i64,
) -> QueryResult<Vec<ClaimedMail>> {
    diesel::sql_query(
        "UPDATE mail_outbox o \
            SET status = 'sending', attempts = o.attempts + 1, \
                locked_until = now() + make_interval(secs => $1), lease_id = $2 \
           FROM (SELECT id FROM mail_outbox \
                  WHERE status = 'pending' AND next_attempt_at <= now() \
                  ORDER BY next_attempt_at \
                  LIMIT $3 \
                  FOR UPDATE SKIP LOCKED) due \
          WHERE o.id = due.id \
      RETURNING o.id, o.kind, o.recipient, o.recipient_name, o.subject, o.text_body, \
                o.html_body, o.attempts",
    )
    .bind::<Double, _>(lease.as_secs_f64())
    .bind::<SqlUuid, _>(lease_id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// Marks a claimed row sent and erases its bodies. `false` when the claim was no longer ours
/// (its lease ran out and another worker took it over).
pub async fn mark_sent(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lease_id: Uuid,
) -> QueryResult<bool> {
    let n = diesel::sql_query(
        "UPDATE mail_outbox \
            SET status = 'sent', sent_at = now(), locked_until = NULL, lease_id = NULL, \
                text_body = NULL, html_body = NULL \
          WHERE id = $1 AND lease_id = $2 AND status = 'sending'",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(lease_id)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Back to `pending`, due again later.
    Retry,
    /// Given up: `failed`.
    Failed,
    /// The claim was no longer ours; nothing changed.
    LeaseLost,
}

#[derive(QueryableByName)]
struct Status {
    #[diesel(sql_type = Text)]
    status: String,
}

/// Records a failed attempt on a claimed row: `failed` when `give_up` or when it has had
/// `max_attempts` attempts, otherwise `pending` again after `retry_in`.
pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    lease_id: Uuid,
    error: &str,
    retry_in: Duration,
    max_attempts: u32,
    give_up: bool,
) -> QueryResult<AfterFailure> {
    let row: Option<Status> = diesel::sql_query(
        "UPDATE mail_outbox \
            SET status = CASE WHEN ($5 OR attempts >= $6) THEN 'failed' ELSE 'pending' END, \
                next_attempt_at = CASE WHEN ($5 OR attempts >= $6) THEN next_attempt_at \
                                       ELSE now() + make_interval(secs => $3) END, \
                text_body = CASE WHEN ($5 OR attempts >= $6) THEN NULL ELSE text_body END, \
                html_body = CASE WHEN ($5 OR attempts >= $6) THEN NULL ELSE html_body END, \
                last_error = $4, locked_until = NULL, lease_id = NULL \
          WHERE id = $1 AND lease_id = $2 AND status = 'sending' \
      RETURNING status",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(lease_id)
    .bind::<Double, _>(retry_in.as_secs_f64())
    .bind::<Text, _>(truncate(error, 2000))
    .bind::<diesel::sql_types::Bool, _>(give_up)
    .bind::<Integer, _>(max_attempts.min(i32::MAX as u32) as i32)
    .get_result(conn)
    .await
    .optional()?;
    Ok(match row.as_ref().map(|s| s.status.as_str()) {
        None => AfterFailure::LeaseLost,
        Some("failed") => AfterFailure::Failed,
        Some(_) => AfterFailure::Retry,
    })
}

/// Puts claims whose lease has run out back to `pending` (due now), or `failed` when they
/// have had `max_attempts` attempts. Returns how many rows it changed.
pub async fn recover_expired(
    conn: &mut AsyncPgConnection,
    max_attempts: u32,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE mail_outbox \
            SET status = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'pending' END, \
                text_body = CASE WHEN attempts >= $1 THEN NULL ELSE text_body END, \
                html_body = CASE WHEN attempts >= $1 THEN NULL ELSE html_body END, \
                next_attempt_at = now(), \
                last_error = 'the worker sending it stopped before finishing (its lease ran out)', \
                locked_until = NULL, lease_id = NULL \
          WHERE status = 'sending' AND locked_until < now()",
    )
    .bind::<Integer, _>(max_attempts.min(i32::MAX as u32) as i32)
    .execute(conn)
    .await
}

/// Deletes finished rows (`sent` or `failed`) created more than `older_than` ago.
pub async fn purge_finished(
    conn: &mut AsyncPgConnection,
    older_than: Duration,
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM mail_outbox \
          WHERE status IN ('sent', 'failed') AND created_at < now() - make_interval(secs => $1)",
    )
    .bind::<Double, _>(older_than.as_secs_f64())
    .execute(conn)
    .await
}

/// At most `max` characters of `s`.
fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn truncation_counts_characters() {
        assert_eq!(super::truncate("héllo", 2), "hé");
        assert_eq!(super::truncate("abc", 5), "abc");
    }
}
