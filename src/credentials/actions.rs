//! What admins do to an issued certificate (revoke, reissue) and what time does to it
//! (expiry). Each is one transaction that audits and mails the holder.

use diesel::OptionalExtension;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Value, json};
use uuid::Uuid;

use super::code::Code;
use super::issue::{self, Draft, EXPIRED_JOB, Expiry};
use super::store::{self, CertificateRow};
use super::views;
use super::{Issuing, mails};
use crate::audit::{self, Actor, Event, Origin};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::jobs::{JobContext, JobError, KindSettings, Registry};
use crate::learning;
use crate::learning::cache::ContentCache;
use crate::mail;

/// A revocation or reissue, as an admin asked for it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub origin: &'a Origin,
    pub admin: Uuid,
    pub reason: &'a str,
}

fn not_found() -> AppError {
    AppError::not_found("No such certificate.")
}

/// Refuses a certificate that is no longer live (409).
fn ensure_live(row: &CertificateRow) -> AppResult<()> {
    if row.revoked_at.is_some() {
        return Err(AppError::conflict(
            ErrorCode::CertificateRevoked,
            "This certificate has already been revoked.",
        ));
    }
    if row.superseded_by.is_some() {
        return Err(AppError::conflict(
            ErrorCode::CertificateSuperseded,
            "This certificate has been replaced; act on the current one.",
        ));
    }
    Ok(())
}

/// Revokes certificate `id`: its bit in the status list is set from now on.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    issuing: &Issuing,
    id: Uuid,
    req: Request<'_>,
) -> AppResult<CertificateRow> {
    let row = conn
        .transaction::<_, AppError, _>(async |tx| {
            let row = store::lock(tx, id).await?.ok_or_else(not_found)?;
            ensure_live(&row)?;
            let row = store::revoke(tx, id, req.reason).await?;
            let event = Event {
                actor: Actor::User(req.admin),
                action: "certificate.revoked",
                subject: Some(("certificate", id.to_string())),
                details: json!({ "reason": req.reason }),
            };
            audit::record(tx, req.origin, event).await?;
            let (email, name) = store::holder(tx, row.user_id).await?;
            mail::enqueue(tx, &mails::revoked(issuing, &row, &email, &name)).await?;
            Ok(row)
        })
        .await?;
    issuing.revoked(row.status_position);
    Ok(row)
}

/// Replaces live certificate `id` with a new one under the holder's current account name:
/// a new code, serial and signature, the same completion facts and expiry; the old one is
/// marked superseded and points at the new one.
pub async fn reissue(
    conn: &mut AsyncPgConnection,
    issuing: &Issuing,
    id: Uuid,
    req: Request<'_>,
) -> AppResult<CertificateRow> {
    conn.transaction::<_, AppError, _>(async |tx| {
        let old = store::lock(tx, id).await?.ok_or_else(not_found)?;
        ensure_live(&old)?;
        let draft = reissue_draft(tx, &old).await?;
        let new_id = Uuid::new_v4();
        store::supersede(tx, id, new_id).await?;
        let new = issue::issue(tx, issuing, &draft, new_id).await?;
        let event = Event {
            actor: Actor::User(req.admin),
            action: "certificate.reissued",
            subject: Some(("certificate", new_id.to_string())),
            details: json!({ "replaces": id, "reason": req.reason, "serial": new.serial }),
        };
        audit::record(tx, req.origin, event).await?;
        let code = Code::stored(new.code.clone());
        mail::enqueue(tx, &mails::reissued(issuing, draft.holder(), &code)).await?;
        Ok(new)
    })
    .await
}

/// Issues a certificate for completed enrolment `enrolment` that has no live one (completed
/// before certificates existed, or its certificate was revoked in error): what the completion
/// job does, on an admin's request (the job itself never issues again after a revocation).
/// 409 `already_certified` when a live one exists, `enrolment_not_completed` when it is not
/// completed.
pub async fn issue_for(
    conn: &mut AsyncPgConnection,
    issuing: &Issuing,
    content: &ContentCache,
    enrolment: Uuid,
    req: Request<'_>,
) -> AppResult<CertificateRow> {
    conn.transaction::<_, AppError, _>(async |tx| {
        learning::lock_enrolment(tx, enrolment)
            .await
            .optional()?
            .ok_or_else(|| AppError::not_found("No such enrolment."))?;
        if store::live_for_enrolment(tx, enrolment).await? {
            return Err(AppError::conflict(
                ErrorCode::AlreadyCertified,
                "This enrolment already has a certificate: reissue it instead.",
            ));
        }
        let draft = issue::draft_for(tx, content, enrolment).await?.ok_or_else(|| {
            AppError::conflict(
                ErrorCode::EnrolmentNotCompleted,
                "Only a completed enrolment gets a certificate.",
            )
        })?;
        let row = issue::issue(tx, issuing, &draft, Uuid::new_v4()).await?;
        let event = Event {
            actor: Actor::User(req.admin),
            action: "certificate.issued",
            subject: Some(("certificate", row.id.to_string())),
            details: json!({ "enrolment_id": enrolment, "serial": row.serial, "reason": req.reason }),
        };
        audit::record(tx, req.origin, event).await?;
        let code = Code::stored(row.code.clone());
        mail::enqueue(tx, &mails::issued(issuing, draft.holder(), &code)).await?;
        Ok(row)
    })
    .await
}

/// The old certificate's facts under the account's current name and address.
async fn reissue_draft(tx: &mut AsyncPgConnection, old: &CertificateRow) -> AppResult<Draft> {
    let facts = store::issue_facts(tx, old.enrolment_id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Draft {
        enrolment_id: old.enrolment_id,
        user_id: old.user_id,
        email: facts.email,
        holder_name: facts.holder_name,
        course_id: old.course_id,
        course_slug: old.course_slug.clone(),
        course_title: old.course_title.clone(),
        course_summary: facts.course_summary,
        course_version: old.course_version,
        completed_at: old.completed_at,
        contact_hours: old.contact_hours,
        externship: views::externship(old),
        expiry: old.expires_at.map_or(Expiry::Never, Expiry::At),
    })
}

/// Registers the expiry notice job (scheduled at issue for certificates that expire).
pub fn register(registry: &mut Registry, issuing: Issuing) {
    registry.register(EXPIRED_JOB, KindSettings::default(), move |payload, ctx| {
        let issuing = issuing.clone();
        async move { on_expired(&ctx, &issuing, &payload).await }
    });
}

/// Tells the holder once that a live certificate expired (a revoked or replaced one, or one
/// already noticed, is left alone).
async fn on_expired(ctx: &JobContext, issuing: &Issuing, payload: &Value) -> Result<(), JobError> {
    let id = payload
        .get("certificate_id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Uuid>().ok())
        .ok_or_else(|| {
            JobError::permanent(format!("payload without a certificate_id: {payload}"))
        })?;
    let mut conn = ctx.db.get().await?;
    conn.transaction::<_, JobError, _>(async |tx| {
        if !store::note_expiry(tx, id).await? {
            return Ok(());
        }
        let row = store::by_id(tx, id)
            .await?
            .ok_or_else(|| JobError::permanent(format!("certificate {id} vanished")))?;
        let event = Event {
            actor: Actor::System,
            action: "certificate.expired",
            subject: Some(("certificate", id.to_string())),
            details: json!({ "expires_at": row.expires_at }),
        };
        audit::record(tx, &Origin::default(), event).await?;
        let (email, name) = store::holder(tx, row.user_id).await?;
        mail::enqueue(tx, &mails::expired(issuing, &row, &email, &name)).await?;
        Ok(())
    })
    .await
}
