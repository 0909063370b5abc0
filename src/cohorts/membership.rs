//! The member changes staff make, each in the caller's transaction with its audit event: add
//! an existing account, move to another cohort of the course, withdraw, extend access. The
//! scope is checked here (a cohort or an enrolment outside it is `NotFound`, as a missing one
//! is); enrolments are written through [`crate::learning::enrolling`].

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use super::member_store;
use super::store;
use crate::accounts::Scope;
use crate::audit::{self, Actor, Event, Origin};
use crate::learning::EnrolmentState;
use crate::learning::enrolling::{self, EnrolledBy, EnrolmentRow, NewEnrolment, Seats};

/// Who changes a membership, from where.
#[derive(Debug, Clone, Copy)]
pub struct Staffing<'a> {
    pub user: Uuid,
    pub scope: Scope,
    pub origin: &'a Origin,
    pub public_url: &'a url::Url,
}

/// Why a membership change was refused.
#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    #[error("no cohort in scope has this ID")]
    CohortNotFound,
    #[error("no enrolment in scope has this ID")]
    EnrolmentNotFound,
    #[error("the cohort is archived")]
    Archived,
    #[error("the cohort is full")]
    Full { capacity: Option<i32>, taken: i64 },
    #[error("no account has this address")]
    AccountNotFound,
    #[error("already enrolled in the course")]
    AlreadyEnrolled {
        enrolment: Option<Uuid>,
        cohort: Option<Uuid>,
    },
    #[error("the cohort is of another course")]
    CourseMismatch,
    #[error("the enrolment is completed")]
    Completed,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

type Result<T> = std::result::Result<T, MemberError>;

/// Refused unless the locked cohort takes one more member.
fn ensure_seat(seats: Seats) -> Result<()> {
    if seats.archived {
        return Err(MemberError::Archived);
    }
    if seats.free() == Some(0) {
        return Err(MemberError::Full {
            capacity: seats.capacity,
            taken: seats.taken,
        });
    }
    Ok(())
}

async fn record(
    tx: &mut AsyncPgConnection,
    by: Staffing<'_>,
    action: &'static str,
    subject: (&'static str, Uuid),
    details: Value,
) -> Result<()> {
    let event = Event {
        actor: Actor::User(by.user),
        action,
        subject: Some((subject.0, subject.1.to_string())),
        details,
    };
    Ok(audit::record(tx, by.origin, event).await?)
}

/// The enrolment `id`, locked, if it is in the caller's scope.
async fn locked(tx: &mut AsyncPgConnection, scope: Scope, id: Uuid) -> Result<EnrolmentRow> {
    if !scope.sees_enrolment(tx, id).await? {
        return Err(MemberError::EnrolmentNotFound);
    }
    enrolling::lock(tx, id)
        .await?
        .ok_or(MemberError::EnrolmentNotFound)
}

/// Enrols the account with the (normalised) address `email` in the cohort's course, in the
/// cohort, with the confirmation mail. Returns the enrolment.
pub async fn add(
    tx: &mut AsyncPgConnection,
    by: Staffing<'_>,
    cohort: Uuid,
    email: &str,
) -> Result<Uuid> {
    let row = store::lock(tx, by.scope, cohort)
        .await?
        .ok_or(MemberError::CohortNotFound)?;
    ensure_seat(enrolling::lock_seats(tx, cohort).await?)?;
    let user = member_store::account_by_email(tx, email)
        .await?
        .ok_or(MemberError::AccountNotFound)?;
    if let Some((enrolment, cohort)) =
        member_store::enrolment_in_course(tx, user, row.course_id).await?
    {
        return Err(MemberError::AlreadyEnrolled {
            enrolment: Some(enrolment),
            cohort,
        });
    }
    let course = enrolling::course(tx, row.course_id).await?;
    let enrolled_by = EnrolledBy {
        actor: Actor::User(by.user),
        origin: by.origin,
        public_url: by.public_url,
        via: "staff",
    };
    let item = NewEnrolment {
        user,
        cohort: Some(cohort),
        confirm: true,
    };
    let created = enrolling::enrol_many(tx, enrolled_by, &course, &[item])
        .await?
        .pop()
        .ok_or(MemberError::AlreadyEnrolled {
            enrolment: None,
            cohort: None,
        })?;
    let details = json!({ "enrolment_id": created.id, "learner": user });
    record(tx, by, "cohort.member_added", ("cohort", cohort), details).await?;
    Ok(created.id)
}

/// Moves the enrolment `id` to the cohort `target` of the same course (both in scope).
pub async fn move_to(
    tx: &mut AsyncPgConnection,
    by: Staffing<'_>,
    id: Uuid,
    target: Uuid,
) -> Result<()> {
    let row = locked(tx, by.scope, id).await?;
    let to = store::lock(tx, by.scope, target)
        .await?
        .ok_or(MemberError::CohortNotFound)?;
    if to.course_id != row.course_id {
        return Err(MemberError::CourseMismatch);
    }
    if row.cohort_id == Some(target) {
        return Ok(());
    }
    if row.state != EnrolmentState::Withdrawn {
        ensure_seat(enrolling::lock_seats(tx, target).await?)?;
    }
    enrolling::move_to(tx, id, target).await?;
    let details = json!({ "from": row.cohort_id, "to": target, "learner": row.user_id });
    record(tx, by, "enrolment.moved", ("enrolment", id), details).await
}

/// Withdraws the enrolment `id` (again: no change), with the reason for the audit log.
pub async fn withdraw(
    tx: &mut AsyncPgConnection,
    by: Staffing<'_>,
    id: Uuid,
    reason: Option<&str>,
) -> Result<()> {
    let row = locked(tx, by.scope, id).await?;
    match row.state {
        EnrolmentState::Withdrawn => return Ok(()),
        EnrolmentState::Completed => return Err(MemberError::Completed),
        EnrolmentState::Active | EnrolmentState::Expired => {}
    }
    enrolling::withdraw(tx, id).await?;
    let details = json!({ "reason": reason, "cohort_id": row.cohort_id, "learner": row.user_id });
    record(
        tx,
        by,
        "enrolment.withdrawn_by_staff",
        ("enrolment", id),
        details,
    )
    .await
}

/// Sets the end of the enrolment's access period to `until`.
pub async fn extend(
    tx: &mut AsyncPgConnection,
    by: Staffing<'_>,
    id: Uuid,
    until: DateTime<Utc>,
) -> Result<()> {
    let row = locked(tx, by.scope, id).await?;
    enrolling::extend_access(tx, id, until).await?;
    let details = json!({ "from": row.access_expires_at, "to": until, "learner": row.user_id });
    record(
        tx,
        by,
        "enrolment.access_extended",
        ("enrolment", id),
        details,
    )
    .await
}
