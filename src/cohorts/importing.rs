//! Bulk enrolment from CSV, the I/O part: reads the facts of every row at once (the
//! addresses' accounts, the course's open cohorts and their seats, locked), classifies the
//! rows ([`super::import::classify`]) and, in a real run that refuses none, writes them: the
//! invited accounts ([`crate::accounts::invitations`]), the enrolments
//! ([`crate::learning::enrolling::enrol_many`]), the invitation mails and one audit event for
//! the import. Everything runs in the caller's transaction, in a fixed number of statements
//! whatever the number of rows; the same file again finds every row already enrolled and
//! writes nothing but the audit event.

use std::collections::{HashMap, HashSet};

use diesel_async::AsyncPgConnection;
use serde_json::json;
use url::Url;
use uuid::Uuid;

use super::import::{self, Account, CsvRow, Facts, ImportOutcome, ImportReport, Target};
use super::import_store::{self, KnownAccount};
use super::store;
use crate::accounts::Scope;
use crate::accounts::domain::{Email, Name};
use crate::accounts::invitations::{self, InviteError, InvitedBy};
use crate::audit::{self, Actor, Event, Origin};
use crate::learning::enrolling::{self, EnrollableCourse, EnrolledBy, NewEnrolment};

/// Who imports, from where.
#[derive(Debug, Clone, Copy)]
pub struct Importer<'a> {
    pub user: Uuid,
    pub scope: Scope,
    pub origin: &'a Origin,
    pub public_url: &'a Url,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum Refusal {
    /// No cohort in the importer's scope has the ID.
    NotFound,
    Archived,
    /// A real run with refused rows: the report says which.
    Rejected(ImportReport),
    /// An address got an account while the import ran.
    Stale,
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for Refusal {
    fn from(e: diesel::result::Error) -> Refusal {
        Refusal::Db(e)
    }
}

impl From<InviteError> for Refusal {
    fn from(e: InviteError) -> Refusal {
        match e {
            InviteError::AddressTaken => Refusal::Stale,
            InviteError::Db(e) => Refusal::Db(e),
        }
    }
}

/// Classifies `rows` for the cohort `cohort` and, unless `dry_run`, writes them.
pub async fn run(
    tx: &mut AsyncPgConnection,
    by: Importer<'_>,
    cohort: Uuid,
    rows: &[CsvRow],
    dry_run: bool,
) -> Result<ImportReport, Refusal> {
    let row = store::lock(tx, by.scope, cohort)
        .await?
        .ok_or(Refusal::NotFound)?;
    if row.archived_at.is_some() {
        return Err(Refusal::Archived);
    }
    let course = enrolling::course(tx, row.course_id).await?;
    let (facts, pending) = read_facts(tx, by.scope, &course, cohort, rows).await?;
    let mut report = ImportReport::new(import::classify(rows, &facts), dry_run);
    if dry_run {
        return Ok(report);
    }
    if report.summary.rejected > 0 {
        return Err(Refusal::Rejected(report));
    }
    apply(tx, by, &course, cohort, &report, &pending).await?;
    report.applied = true;
    Ok(report)
}

/// The facts the classification needs, and the accounts still waiting on their invitation.
async fn read_facts(
    tx: &mut AsyncPgConnection,
    scope: Scope,
    course: &EnrollableCourse,
    cohort: Uuid,
    rows: &[CsvRow],
) -> Result<(Facts, HashSet<Uuid>), Refusal> {
    let open = import_store::lock_open_cohorts(tx, scope, course.id).await?;
    let own = open
        .iter()
        .find(|c| c.id == cohort)
        .map(|c| Target {
            id: c.id,
            free: c.free,
        })
        .ok_or(Refusal::NotFound)?;
    let others = open
        .iter()
        .map(|c| {
            (
                c.name.to_lowercase(),
                Target {
                    id: c.id,
                    free: c.free,
                },
            )
        })
        .collect();
    let emails: Vec<String> = rows
        .iter()
        .filter_map(|r| Email::parse(&r.email).ok())
        .map(|e| e.as_str().to_string())
        .collect();
    let emails: Vec<&str> = emails.iter().map(String::as_str).collect();
    let known = import_store::accounts(tx, course.id, &emails).await?;
    let pending = known.iter().filter(|a| a.pending).map(|a| a.id).collect();
    let accounts = known
        .into_iter()
        .map(
            |KnownAccount {
                 id,
                 email,
                 enrolled,
                 ..
             }| (email, Account { id, enrolled }),
        )
        .collect();
    Ok((
        Facts {
            accounts,
            cohort: own,
            others,
        },
        pending,
    ))
}

/// Writes a report that refused no row.
async fn apply(
    tx: &mut AsyncPgConnection,
    by: Importer<'_>,
    course: &EnrollableCourse,
    cohort: Uuid,
    report: &ImportReport,
    pending: &HashSet<Uuid>,
) -> Result<(), Refusal> {
    let invited_by = InvitedBy {
        user: by.user,
        origin: by.origin,
        public_url: by.public_url,
        course_title: &course.title,
    };
    let people: Vec<(Email, Name)> = report
        .rows
        .iter()
        .filter(|r| r.outcome == ImportOutcome::Invited)
        .filter_map(|r| Some((Email::parse(&r.email).ok()?, Name::parse(&r.name).ok()?)))
        .collect();
    let made: HashMap<String, Uuid> = invitations::create(tx, invited_by, &people)
        .await?
        .into_iter()
        .map(|c| (c.email, c.id))
        .collect();
    let items: Vec<NewEnrolment> = report
        .rows
        .iter()
        .filter_map(|r| {
            let user = match r.outcome {
                ImportOutcome::Invited => *made.get(&r.email)?,
                ImportOutcome::Enrolled => r.account?,
                _ => return None,
            };
            Some(NewEnrolment {
                user,
                cohort: r.target,
                confirm: !made.contains_key(&r.email) && !pending.contains(&user),
            })
        })
        .collect();
    let enrolled_by = EnrolledBy {
        actor: Actor::User(by.user),
        origin: by.origin,
        public_url: by.public_url,
        via: "import",
    };
    enrolling::enrol_many(tx, enrolled_by, course, &items).await?;
    let to_invite: Vec<Uuid> = items
        .iter()
        .filter(|i| !i.confirm)
        .map(|i| i.user)
        .collect();
    let mailed = invitations::send(tx, invited_by, &to_invite).await?;
    let s = report.summary;
    audit::record(
        tx,
        by.origin,
        Event {
            actor: Actor::User(by.user),
            action: "cohort.imported",
            subject: Some(("cohort", cohort.to_string())),
            details: json!({
                "rows": s.rows,
                "invited": s.invited,
                "enrolled": s.enrolled,
                "already_enrolled": s.already_enrolled,
                "invitations_mailed": mailed,
            }),
        },
    )
    .await?;
    Ok(())
}
