//! Issuing a certificate: once, from the `enrolment.completed` job, and again only when an
//! admin reissues one (see [`super::actions`]).
//!
//! [`OnCompletion`] is the step learning's completion job runs under the enrolment's lock: it
//! issues the certificate (unless the enrolment was ever certified) and queues the learner's
//! mail, all in the job's transaction. A partial unique index keeps an enrolment to one live
//! certificate whatever the code does; the lock and the existence check make the second run
//! of a job, or a concurrent one, do nothing.

use chrono::{DateTime, Months, SubsecRound, Utc};
use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use serde_json::json;
use uuid::Uuid;

use super::code::Code;
use super::store::{self, CertificateRow};
use super::vc::{self, CredentialInput};
use super::views::ExternshipFacts;
use super::{Issuing, mails};
use crate::audit::{self, Actor, Event, Origin};
use crate::externship::{requirements::Summary, standing};
use crate::http::{AppError, AppResult};
use crate::jobs::{self, JobError, NewJob};
use crate::learning::access;
use crate::learning::cache::ContentCache;
use crate::learning::completion::{AfterCompletion, Completed};
use crate::mail;

/// The job that tells a holder their certificate expired (run at the expiry time).
pub const EXPIRED_JOB: &str = "certificate.expired";

/// What a new certificate states and who it is for.
#[derive(Debug, Clone)]
pub struct Draft {
    pub enrolment_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub holder_name: String,
    pub course_id: Uuid,
    pub course_slug: String,
    pub course_title: String,
    pub course_summary: String,
    pub course_version: i32,
    pub completed_at: DateTime<Utc>,
    pub contact_hours: f64,
    pub externship: Option<ExternshipFacts>,
    pub expiry: Expiry,
}

impl Draft {
    /// Whom the certificate's mails go to.
    pub fn holder(&self) -> mails::Holder<'_> {
        mails::Holder {
            email: &self.email,
            name: &self.holder_name,
            course_title: &self.course_title,
        }
    }
}

/// When a new certificate expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Never,
    /// The course's validity period, counted from issue.
    After(Months),
    /// A reissue keeps the expiry of the certificate it replaces.
    At(DateTime<Utc>),
}

impl Expiry {
    fn after_issue(self, issued_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Expiry::Never => None,
            Expiry::After(months) => issued_at.checked_add_months(months),
            Expiry::At(at) => Some(at),
        }
    }
}

/// The step after completion: issue and mail.
pub struct OnCompletion {
    pub issuing: Issuing,
    pub content: ContentCache,
}

impl AfterCompletion for OnCompletion {
    fn run<'a>(
        &'a self,
        tx: &'a mut AsyncPgConnection,
        completed: &'a Completed,
    ) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            on_completion(tx, self, completed)
                .await
                .map_err(JobError::retry)
        })
    }
}

async fn on_completion(
    tx: &mut AsyncPgConnection,
    step: &OnCompletion,
    completed: &Completed,
) -> AppResult<()> {
    let id = completed.enrolment;
    if store::exists_for_enrolment(tx, id).await? {
        return Ok(());
    }
    let Some(draft) = draft_for(tx, &step.content, id).await? else {
        return Err(AppError::internal(anyhow::anyhow!(
            "enrolment {id} is not completed or has no course"
        )));
    };
    let issued = issue(tx, &step.issuing, &draft, Uuid::new_v4()).await?;
    let event = Event {
        actor: Actor::System,
        action: "certificate.issued",
        subject: Some(("certificate", issued.id.to_string())),
        details: json!({ "enrolment_id": id, "serial": issued.serial }),
    };
    audit::record(tx, &Origin::default(), event).await?;
    let mail = mails::issued(
        &step.issuing,
        draft.holder(),
        &Code::stored(issued.code.clone()),
    );
    mail::enqueue(tx, &mail).await?;
    Ok(())
}

/// The facts of completed enrolment `id` at this moment.
pub async fn draft_for(
    tx: &mut AsyncPgConnection,
    content: &ContentCache,
    id: Uuid,
) -> AppResult<Option<Draft>> {
    let Some(f) = store::issue_facts(tx, id).await? else {
        return Ok(None);
    };
    let Some(completed_at) = f.completed_at else {
        return Ok(None);
    };
    let externship = externship_at_issue(tx, content, id).await?;
    let expiry = match f.validity_months {
        Some(m) => Expiry::After(Months::new(m.unsigned_abs())),
        None => Expiry::Never,
    };
    Ok(Some(Draft {
        enrolment_id: id,
        user_id: f.user_id,
        email: f.email,
        holder_name: f.holder_name,
        course_id: f.course_id,
        course_slug: f.course_slug,
        course_title: f.course_title,
        course_summary: f.course_summary,
        course_version: f.course_version,
        completed_at,
        contact_hours: f.contact_hours,
        externship,
        expiry,
    }))
}

/// The approved externship, from the externship's own summary.
async fn externship_at_issue(
    tx: &mut AsyncPgConnection,
    content: &ContentCache,
    id: Uuid,
) -> AppResult<Option<ExternshipFacts>> {
    let Some(brief) = access::open_as_system(tx, content, id).await? else {
        return Ok(None);
    };
    let required = brief.outline.completion.externship;
    let stated = standing::summary(tx, &brief).await?.map(|s| facts(&s));
    // A course whose completion does not need the externship states one only if some of it
    // was approved.
    Ok(stated.filter(|f| required || f.hours > 0.0 || f.collections > 0))
}

fn facts(s: &Summary) -> ExternshipFacts {
    let collections = match &s.procedures_total {
        Some(total) => total.done,
        None => s.procedures.iter().map(|p| p.done).sum(),
    };
    ExternshipFacts {
        hours: s.hours.done,
        collections: collections.round() as i64,
        competencies: s
            .competencies
            .iter()
            .filter(|c| c.met)
            .map(|c| c.name.clone())
            .collect(),
    }
}

/// In the caller's transaction: numbers, codes, signs and writes certificate `id` for
/// `draft` (and schedules its expiry notice). Returns what was written.
pub async fn issue(
    tx: &mut AsyncPgConnection,
    issuing: &Issuing,
    draft: &Draft,
    id: Uuid,
) -> AppResult<CertificateRow> {
    let (serial, status_position) = store::next_numbers(tx).await?;
    let signer = issuing.keys.signer(tx).await?;
    let issued_at = Utc::now().trunc_subsecs(0);
    let row = new_row(draft, id, serial, status_position, issued_at);
    let credential = serde_json::to_value(vc::credential(
        &issuing.urls,
        &credential_input(issuing, draft, &row, &salt()),
    ))
    .map_err(AppError::internal)?;
    let jwt = signer
        .sign_credential(&issuing.urls, &credential)
        .map_err(AppError::internal)?;
    store::insert(tx, &row, signer.kid(), &jwt).await?;
    if let Some(at) = row.expires_at {
        let job = NewJob::new(EXPIRED_JOB, json!({ "certificate_id": id }))
            .dedupe_key(format!("{EXPIRED_JOB}:{id}"))
            .run_at(at);
        jobs::enqueue(tx, &job).await?;
    }
    Ok(row)
}

/// The row of a new certificate: `draft`'s facts, a fresh code, live.
fn new_row(
    draft: &Draft,
    id: Uuid,
    serial: i64,
    status_position: i64,
    issued_at: DateTime<Utc>,
) -> CertificateRow {
    CertificateRow {
        id,
        serial,
        code: Code::generate().as_str().to_string(),
        enrolment_id: draft.enrolment_id,
        user_id: draft.user_id,
        holder_name: draft.holder_name.clone(),
        course_id: draft.course_id,
        course_slug: draft.course_slug.clone(),
        course_title: draft.course_title.clone(),
        course_version: draft.course_version,
        completed_at: draft.completed_at,
        contact_hours: draft.contact_hours,
        externship: draft
            .externship
            .as_ref()
            .map(|e| serde_json::to_value(e).expect("plain data serializes")),
        issued_at,
        expires_at: draft.expiry.after_issue(issued_at),
        status_position,
        revoked_at: None,
        revoked_reason: None,
        superseded_by: None,
        superseded_at: None,
    }
}

/// What the signed credential of `row` says.
fn credential_input<'a>(
    issuing: &'a Issuing,
    draft: &'a Draft,
    row: &CertificateRow,
    salt: &'a str,
) -> CredentialInput<'a> {
    CredentialInput {
        certificate_id: row.id,
        subject_id: Uuid::new_v4(),
        provider_name: &issuing.provider_name,
        holder_name: &draft.holder_name,
        email: &draft.email,
        salt,
        course_slug: &draft.course_slug,
        course_title: &draft.course_title,
        course_summary: &draft.course_summary,
        course_version: draft.course_version,
        completed_at: draft.completed_at,
        valid_from: row.issued_at,
        valid_until: row.expires_at,
        contact_hours: draft.contact_hours,
        externship: draft.externship.clone(),
        status_position: row.status_position,
    }
}

/// 128 random bits in hex: the salt of the holder's hashed email in the credential.
fn salt() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
