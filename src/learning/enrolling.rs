//! Enrolments that staff make and change: many learners at once (the cohort routes, the bulk
//! import), moving an enrolment to another cohort, withdrawing it, extending its access, and
//! whether a cohort takes another member. Each function joins the caller's transaction.
//!
//! [`enrol_many`] is a fixed number of statements whatever the number of learners: one insert
//! of every enrolment (`unnest`), one read of the new members' addresses, the confirmation
//! mails ([`crate::mail::enqueue_many`]) and the audit events ([`crate::audit::record_many`])
//! in multi-row inserts.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use serde_json::json;
use url::Url;
use uuid::Uuid;

use super::store;
pub use super::store::{EnrollableCourse, EnrolmentRow};
use crate::audit::{self, Actor, Event, Origin};
use crate::mail::{self, templates};

/// One learner to enrol.
#[derive(Debug, Clone, Copy)]
pub struct NewEnrolment {
    pub user: Uuid,
    pub cohort: Option<Uuid>,
    /// Queue the enrolment confirmation mail (an invited learner gets the invitation instead).
    pub confirm: bool,
}

/// Who enrols, from where, and how (`via` goes in the audit details: `staff`, `import`).
#[derive(Debug, Clone, Copy)]
pub struct EnrolledBy<'a> {
    pub actor: Actor,
    pub origin: &'a Origin,
    pub public_url: &'a Url,
    pub via: &'static str,
}

/// A course by ID, published or not.
pub async fn course(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<EnrollableCourse> {
    store::course_by_id(conn, id).await
}

/// Enrols every learner of `items` in `course` (a learner already enrolled in the course is
/// skipped), queues the confirmation mails and audits `enrolment.created` for each. Returns
/// the enrolments created.
pub async fn enrol_many(
    tx: &mut AsyncPgConnection,
    by: EnrolledBy<'_>,
    course: &EnrollableCourse,
    items: &[NewEnrolment],
) -> QueryResult<Vec<EnrolmentRow>> {
    let users: Vec<Uuid> = items.iter().map(|i| i.user).collect();
    let cohorts: Vec<Option<Uuid>> = items.iter().map(|i| i.cohort).collect();
    let created = store::insert_enrolments(tx, course, &users, &cohorts).await?;
    let wants_mail: HashSet<Uuid> = items.iter().filter(|i| i.confirm).map(|i| i.user).collect();
    let confirm: Vec<Uuid> = created
        .iter()
        .map(|r| r.user_id)
        .filter(|u| wants_mail.contains(u))
        .collect();
    if !confirm.is_empty() {
        let contacts = store::contacts(tx, &confirm).await?;
        let mails: Vec<_> = contacts
            .iter()
            .map(|(_, email, name)| {
                templates::enrolment_confirmed(
                    by.public_url,
                    email,
                    name,
                    &course.title,
                    &course.slug,
                )
            })
            .collect();
        mail::enqueue_many(tx, &mails).await?;
    }
    let events: Vec<Event<'_>> = created
        .iter()
        .map(|r| Event {
            actor: by.actor,
            action: "enrolment.created",
            subject: Some(("enrolment", r.id.to_string())),
            details: json!({
                "course": course.slug, "course_version": course.version, "via": by.via,
                "cohort_id": r.cohort_id, "learner": r.user_id,
            }),
        })
        .collect();
    audit::record_many(tx, by.origin, &events).await?;
    Ok(created)
}

/// The enrolment `id`, locked for a change.
pub async fn lock(tx: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<EnrolmentRow>> {
    Ok(store::lock_with_course(tx, id).await?.map(|(row, _)| row))
}

/// Marks a locked enrolment withdrawn (the caller checked it is neither withdrawn nor
/// completed).
pub async fn withdraw(tx: &mut AsyncPgConnection, id: Uuid) -> QueryResult<EnrolmentRow> {
    store::set_withdrawn(tx, id).await
}

/// Moves a locked enrolment to `cohort` (of the same course: the caller checked).
pub async fn move_to(
    tx: &mut AsyncPgConnection,
    id: Uuid,
    cohort: Uuid,
) -> QueryResult<EnrolmentRow> {
    store::set_cohort(tx, id, cohort).await
}

/// Sets the end of a locked enrolment's access period.
pub async fn extend_access(
    tx: &mut AsyncPgConnection,
    id: Uuid,
    until: DateTime<Utc>,
) -> QueryResult<EnrolmentRow> {
    store::set_access_expires(tx, id, until).await
}

/// Whether a cohort takes new members, read with the cohort row locked until the caller's
/// transaction ends (so two enrolments cannot both take the last seat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    pub archived: bool,
    pub capacity: Option<i32>,
    /// Members not withdrawn.
    pub taken: i64,
}

impl Seats {
    /// Seats left (`None`: no limit).
    pub fn free(&self) -> Option<i64> {
        self.capacity.map(|c| (i64::from(c) - self.taken).max(0))
    }
}

pub async fn lock_seats(tx: &mut AsyncPgConnection, cohort: Uuid) -> QueryResult<Seats> {
    let (archived, capacity, taken) = store::lock_cohort_seats(tx, cohort).await?;
    Ok(Seats {
        archived,
        capacity,
        taken,
    })
}
