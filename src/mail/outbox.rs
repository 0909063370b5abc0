//! The `mail_outbox` table: the messages. Their delivery (state, attempts, lease, backoff) is
//! the `mail.send` job each row has ([`crate::jobs`]).
//!
//! Life of a row: written with its job by [`enqueue`]; marked sent with its bodies erased as
//! soon as the relay accepted it ([`mark_delivered`], so a job run again after its runner died
//! does not send it twice), or else in the transaction that marks the job `succeeded`
//! ([`mark_sent`]); bodies erased in the one that marks it `failed` ([`erase_bodies`]), since
//! they can hold one-time links. Purging the finished job deletes the row (`ON DELETE CASCADE`).

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{JOB_KIND, RenderedMail};
use crate::db::schema::mail_outbox;
use crate::jobs::{self, NewJob};

/// Writes `mail` to the outbox with its `mail.send` job, and returns the outbox row's ID (the
/// message's Message-ID). Call it with the connection of the transaction that causes the mail:
/// if that transaction rolls back, nothing is sent. The two inserts are one transaction (a
/// savepoint inside the caller's), so a runner never sees the job without its message.
pub async fn enqueue(conn: &mut AsyncPgConnection, mail: &RenderedMail) -> QueryResult<Uuid> {
    use mail_outbox::dsl as o;
    let id = Uuid::new_v4();
    conn.transaction::<_, diesel::result::Error, _>(async |tx| {
        let job =
            NewJob::new(JOB_KIND, json!({ "outbox_id": id })).dedupe_key(format!("mail:{id}"));
        // A fresh ID cannot already have an unfinished job.
        let job_id = jobs::enqueue(tx, &job)
            .await?
            .ok_or(diesel::result::Error::NotFound)?;
        diesel::insert_into(mail_outbox::table)
            .values((
                o::id.eq(id),
                o::job_id.eq(job_id),
                o::kind.eq(mail.kind),
                o::recipient.eq(&mail.to),
                o::recipient_name.eq(mail.to_name.as_deref()),
                o::subject.eq(&mail.subject),
                o::text_body.eq(&mail.text),
                o::html_body.eq(&mail.html),
            ))
            .execute(tx)
            .await?;
        Ok(id)
    })
    .await
}

/// [`enqueue`] for many mails: their jobs and outbox rows in multi-row statements of
/// [`jobs::store::BATCH_ROWS`] (a handful of statements for thousands of mails), in the
/// caller's transaction. Returns the outbox IDs, in the order of `mails`.
pub async fn enqueue_many(
    conn: &mut AsyncPgConnection,
    mails: &[RenderedMail],
) -> QueryResult<Vec<Uuid>> {
    use mail_outbox::dsl as o;
    let ids: Vec<(Uuid, Uuid)> = mails
        .iter()
        .map(|_| (Uuid::new_v4(), Uuid::new_v4()))
        .collect();
    let new_jobs: Vec<(Uuid, NewJob)> = ids
        .iter()
        .map(|(id, job)| {
            let new =
                NewJob::new(JOB_KIND, json!({ "outbox_id": id })).dedupe_key(format!("mail:{id}"));
            (*job, new)
        })
        .collect();
    conn.transaction::<_, diesel::result::Error, _>(async |tx| {
        // Fresh IDs cannot already have unfinished jobs.
        if jobs::enqueue_many(tx, &new_jobs).await? != new_jobs.len() {
            return Err(diesel::result::Error::NotFound);
        }
        let batch = jobs::store::BATCH_ROWS;
        for (mails, ids) in mails.chunks(batch).zip(ids.chunks(batch)) {
            let rows: Vec<_> = mails
                .iter()
                .zip(ids)
                .map(|(mail, (id, job))| {
                    (
                        o::id.eq(*id),
                        o::job_id.eq(*job),
                        o::kind.eq(mail.kind),
                        o::recipient.eq(&mail.to),
                        o::recipient_name.eq(mail.to_name.as_deref()),
                        o::subject.eq(&mail.subject),
                        o::text_body.eq(&mail.text),
                        o::html_body.eq(&mail.html),
                    )
                })
                .collect();
            diesel::insert_into(mail_outbox::table)
                .values(rows)
                .execute(tx)
                .await?;
        }
        Ok(())
    })
    .await?;
    Ok(ids.into_iter().map(|(id, _)| id).collect())
}

/// A message to deliver.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxMail {
    pub id: Uuid,
    pub kind: String,
    pub recipient: String,
    pub recipient_name: Option<String>,
    pub subject: String,
    /// `None` once the mail is finished.
    pub text_body: Option<String>,
    pub html_body: Option<String>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The outbox row `id`, if it exists.
pub async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<OutboxMail>> {
    mail_outbox::table
        .find(id)
        .select(OutboxMail::as_select())
        .first(conn)
        .await
        .optional()
}

/// The outbox IDs named by `mail.send` payloads (`{"outbox_id": ...}`); malformed ones are
/// skipped.
pub fn outbox_ids(payloads: &[Value]) -> Vec<Uuid> {
    payloads
        .iter()
        .filter_map(|p| p.get("outbox_id")?.as_str()?.parse().ok())
        .collect()
}

/// The success hook of `mail.send`: marks the rows sent and erases their bodies, in the
/// transaction that marks their jobs `succeeded` (rows the handler already marked are left as
/// they are).
pub fn mark_sent<'a>(
    conn: &'a mut AsyncPgConnection,
    payloads: &'a [Value],
) -> BoxFuture<'a, QueryResult<()>> {
    async move { set_sent(conn, &outbox_ids(payloads)).await }.boxed()
}

/// Marks one row sent and erases its bodies, on its own, right after the relay accepted it: a
/// runner that dies before recording its job then leaves a row that the next attempt sees as
/// sent, instead of sending it again.
pub async fn mark_delivered(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    set_sent(conn, &[id]).await
}

async fn set_sent(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<()> {
    use mail_outbox::dsl as o;
    diesel::update(
        o::mail_outbox
            .filter(o::id.eq_any(ids))
            .filter(o::sent_at.is_null()),
    )
    .set((
        o::sent_at.eq(diesel::dsl::now),
        o::text_body.eq(None::<String>),
        o::html_body.eq(None::<String>),
    ))
    .execute(conn)
    .await
    .map(drop)
}

/// The failure hook of `mail.send`: erases the bodies, in the transaction that marks the jobs
/// `failed` (the bodies must not outlive the delivery, even a failed one).
pub fn erase_bodies<'a>(
    conn: &'a mut AsyncPgConnection,
    payloads: &'a [Value],
) -> BoxFuture<'a, QueryResult<()>> {
    async move {
        use mail_outbox::dsl as o;
        let ids = outbox_ids(payloads);
        diesel::update(o::mail_outbox.filter(o::id.eq_any(&ids)))
            .set((
                o::text_body.eq(None::<String>),
                o::html_body.eq(None::<String>),
            ))
            .execute(conn)
            .await
            .map(drop)
    }
    .boxed()
}

/// Outbox rows sent and not (yet) sent, for the metrics; a mail's delivery state is its
/// `mail.send` job's. Finished rows go when their job is purged, so these are the mails of the
/// retention window.
pub async fn sent_counts(conn: &mut AsyncPgConnection) -> QueryResult<(i64, i64)> {
    use diesel::dsl::count;
    mail_outbox::table
        .select((
            count(mail_outbox::sent_at),
            diesel::dsl::count_star() - count(mail_outbox::sent_at),
        ))
        .get_result(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_their_outbox_rows() {
        let id = Uuid::new_v4();
        let ids = outbox_ids(&[
            json!({ "outbox_id": id }),
            json!({ "outbox_id": "not-a-uuid" }),
            json!({}),
        ]);
        assert_eq!(ids, vec![id]);
    }
}
