//! Sending entries to the supervisor: a submission locks the learner's drafts at a placement,
//! creates an attestation request with a random single-use token (only its SHA-256 is kept),
//! marks the drafts submitted and queues the mail and the reminder job, all in one
//! transaction. A resend voids the old link and mails a new one; the reminder job (after
//! `BENCHSIDE_ATTESTATION_REMINDER_HOURS`) mails a fresh link once, replacing the first.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Value, json};
use url::Url;
use uuid::Uuid;

use super::errors::{self, invalid};
use super::input::Submission;
use super::state::AttestationStatus;
use super::store::attestations::{self, AttestationRow, NewAttestation};
use super::store::{entries, sites};
use crate::accounts::tokens::{random_token, token_hash};
use crate::audit::{self, Actor, Event, Origin};
use crate::config::ExternshipConfig;
use crate::db::DbPool;
use crate::http::{AppError, AppResult, ErrorCode};
use crate::jobs::{self, JobContext, JobError, KindSettings, NewJob, Registry};
use crate::learning::access::EnrolmentBrief;
use crate::learning::{self};
use crate::mail::{self, templates};

/// The job that reminds a supervisor who has not answered.
pub const REMINDER_JOB: &str = "externship.attestation_reminder";

/// The most entries one request may carry.
pub const MAX_BATCH: usize = 500;

/// What sending needs from the configuration.
#[derive(Debug, Clone)]
pub struct Sending {
    pub public_url: Url,
    pub config: ExternshipConfig,
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

struct Request<'a> {
    enrolment: &'a EnrolmentBrief,
    placement: &'a sites::PlacementRow,
    site_name: &'a str,
    learner_name: &'a str,
    entry_count: usize,
}

/// Creates the request, queues its mail and its reminder; returns the row.
async fn create_request(
    tx: &mut AsyncPgConnection,
    sending: &Sending,
    r: &Request<'_>,
) -> AppResult<AttestationRow> {
    let token = random_token();
    let lifetime = chrono::Duration::from_std(sending.config.link_lifetime)
        .unwrap_or(chrono::Duration::days(14));
    let row = attestations::insert(
        tx,
        &NewAttestation {
            enrolment_id: r.enrolment.row.id,
            placement_id: r.placement.id,
            token_hash: token_hash(&token),
            supervisor_name: r.placement.supervisor_name.clone(),
            supervisor_email: r.placement.supervisor_email.clone(),
            learner_name: r.learner_name.to_string(),
            course_title: r.enrolment.course.title.clone(),
            entry_count: r.entry_count as i32,
            expires_at: Utc::now() + lifetime,
        },
    )
    .await?;
    let expires_on = day(row.expires_at);
    let m = mail_of(&row, r.site_name, &token, &expires_on);
    mail::enqueue(tx, &templates::attestation_request(&sending.public_url, &m)).await?;
    let remind_at = row.created_at
        + chrono::Duration::from_std(sending.config.reminder_after)
            .unwrap_or(chrono::Duration::days(3));
    if remind_at < row.expires_at {
        let job = NewJob::new(REMINDER_JOB, json!({ "attestation_id": row.id }))
            .dedupe_key(format!("{REMINDER_JOB}:{}", row.id))
            .run_at(remind_at);
        jobs::enqueue(tx, &job).await?;
    }
    Ok(row)
}

fn mail_of<'a>(
    row: &'a AttestationRow,
    site_name: &'a str,
    token: &'a str,
    expires_on: &'a str,
) -> templates::AttestationMail<'a> {
    templates::AttestationMail {
        supervisor_name: &row.supervisor_name,
        supervisor_email: &row.supervisor_email,
        learner_name: &row.learner_name,
        course_title: &row.course_title,
        site_name,
        entry_count: row.entry_count,
        token,
        expires_on,
    }
}

async fn learner_name(tx: &AsyncPgConnection, enrolment: Uuid) -> AppResult<String> {
    let labels = learning::labels(tx, &[enrolment]).await?;
    Ok(labels
        .into_iter()
        .next()
        .map(|l| l.learner_name)
        .unwrap_or_default())
}

/// Sends the learner's drafts at a placement (all, or `entry_ids`) for attestation.
pub async fn submit(
    conn: &mut AsyncPgConnection,
    sending: &Sending,
    enrolment: &EnrolmentBrief,
    origin: &Origin,
    actor: Uuid,
    body: &Submission,
) -> AppResult<AttestationRow> {
    if body
        .entry_ids
        .as_ref()
        .is_some_and(|ids| ids.len() > MAX_BATCH)
    {
        return Err(invalid(
            "entry_ids",
            format!("At most {MAX_BATCH} entries go on one request."),
        ));
    }
    conn.transaction::<_, AppError, _>(async |tx| {
        learning::lock_enrolment(tx, enrolment.row.id).await?;
        let (placement, site_name) = sites::placement(tx, body.placement_id)
            .await?
            .filter(|(p, _)| p.enrolment_id == enrolment.row.id)
            .ok_or_else(errors::placement_not_found)?;
        if placement.cancelled_at.is_some() {
            return Err(errors::placement_cancelled());
        }
        let drafts = entries::lock_drafts(
            tx,
            enrolment.row.id,
            placement.id,
            body.entry_ids.as_deref(),
        )
        .await?;
        if drafts.is_empty() {
            return Err(AppError::unprocessable(
                ErrorCode::NothingToSubmit,
                "There are no drafts at this placement to send.",
            ));
        }
        if drafts.len() > MAX_BATCH {
            return Err(invalid(
                "entry_ids",
                format!("At most {MAX_BATCH} entries go on one request: choose some."),
            ));
        }
        let name = learner_name(tx, enrolment.row.id).await?;
        let request = Request {
            enrolment,
            placement: &placement,
            site_name: &site_name,
            learner_name: &name,
            entry_count: drafts.len(),
        };
        let row = create_request(tx, sending, &request).await?;
        let ids: Vec<Uuid> = drafts.iter().map(|d| d.id).collect();
        entries::mark_submitted(tx, &ids, row.id).await?;
        let event = Event {
            actor: Actor::User(actor),
            action: "externship.submitted",
            subject: Some(("attestation", row.id.to_string())),
            details: json!({ "enrolment_id": enrolment.row.id, "entries": ids.len(),
                             "placement_id": placement.id }),
        };
        audit::record(tx, origin, event).await?;
        Ok(row)
    })
    .await
}

/// Voids a pending (or expired) request and mails its entries on a new link, to the
/// placement's supervisor as it is now.
pub async fn resend(
    conn: &mut AsyncPgConnection,
    sending: &Sending,
    enrolment: &EnrolmentBrief,
    origin: &Origin,
    actor: Uuid,
    id: Uuid,
) -> AppResult<AttestationRow> {
    conn.transaction::<_, AppError, _>(async |tx| {
        learning::lock_enrolment(tx, enrolment.row.id).await?;
        let old = attestations::lock(tx, enrolment.row.id, id)
            .await?
            .ok_or_else(|| AppError::not_found("No attestation request of yours has this ID."))?;
        let status = old.status(Utc::now());
        if !matches!(
            status,
            AttestationStatus::Pending | AttestationStatus::Expired
        ) {
            return Err(AppError::conflict(
                ErrorCode::AttestationNotPending,
                "Only a request still waiting for the supervisor can be sent again.",
            )
            .with_details(json!({ "status": status })));
        }
        let (placement, site_name) = sites::placement(tx, old.placement_id)
            .await?
            .ok_or_else(errors::placement_not_found)?;
        let request = Request {
            enrolment,
            placement: &placement,
            site_name: &site_name,
            learner_name: &old.learner_name,
            entry_count: old.entry_count as usize,
        };
        let new = create_request(tx, sending, &request).await?;
        attestations::void(tx, old.id, new.id).await?;
        entries::move_to(tx, old.id, new.id).await?;
        let event = Event {
            actor: Actor::User(actor),
            action: "externship.resent",
            subject: Some(("attestation", new.id.to_string())),
            details: json!({ "enrolment_id": enrolment.row.id, "replaces": old.id }),
        };
        audit::record(tx, origin, event).await?;
        Ok(new)
    })
    .await
}

/// Registers the reminder job; its links start at `sending.public_url`.
pub fn register(registry: &mut Registry, sending: Sending) {
    registry.register(
        REMINDER_JOB,
        KindSettings::default(),
        move |payload, ctx| {
            let sending = sending.clone();
            async move { remind(&ctx, &sending, &payload).await }
        },
    );
}

/// The reminder: a fresh link for a request still pending, mailed once.
async fn remind(ctx: &JobContext, sending: &Sending, payload: &Value) -> Result<(), JobError> {
    let id = payload
        .get("attestation_id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Uuid>().ok())
        .ok_or_else(|| {
            JobError::permanent(format!("payload without an attestation_id: {payload}"))
        })?;
    let db: &DbPool = &ctx.db;
    let mut conn = db.get().await?;
    conn.transaction::<_, JobError, _>(async |tx| {
        let Some(row) = attestations::by_id(tx, id).await? else {
            return Ok(());
        };
        let token = random_token();
        if !attestations::remind(tx, id, &token_hash(&token)).await? {
            return Ok(()); // decided, voided, expired or reminded already
        }
        let site_name = sites::placement(tx, row.placement_id)
            .await?
            .map(|(_, name)| name)
            .unwrap_or_default();
        let expires_on = day(row.expires_at);
        let m = mail_of(&row, &site_name, &token, &expires_on);
        mail::enqueue(
            tx,
            &templates::attestation_reminder(&sending.public_url, &m),
        )
        .await?;
        let event = Event {
            actor: Actor::System,
            action: "externship.reminded",
            subject: Some(("attestation", id.to_string())),
            details: json!({ "job": ctx.id }),
        };
        audit::record(tx, &Origin::default(), event).await?;
        Ok(())
    })
    .await
}
