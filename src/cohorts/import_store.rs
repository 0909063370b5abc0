//! The bulk enrolment's reads: the accounts of an upload's addresses (with whether each is
//! enrolled in the course and still invited), and the open cohorts of the course in the
//! caller's scope with their seats. A fixed number of queries whatever the number of rows.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::store::member_counts;
use crate::accounts::Scope;
use crate::accounts::staff::owned_cohorts;
use crate::db::schema::{cohorts, enrolments, users};
use crate::learning::EnrolmentState;

/// An account an upload names.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct KnownAccount {
    pub id: Uuid,
    pub email: String,
    /// It has an enrolment (in any state) in the course.
    pub enrolled: bool,
    /// It was invited and has not chosen a password yet.
    pub pending: bool,
}

/// The accounts with these (normalised) addresses.
pub async fn accounts(
    conn: &mut AsyncPgConnection,
    course: Uuid,
    emails: &[&str],
) -> QueryResult<Vec<KnownAccount>> {
    users::table
        .left_join(
            enrolments::table.on(enrolments::user_id
                .eq(users::id)
                .and(enrolments::course_id.eq(course))),
        )
        .filter(users::email.eq_any(emails))
        .select((
            users::id,
            users::email,
            enrolments::id.nullable().is_not_null(),
            users::password_hash.is_null(),
        ))
        .load(conn)
        .await
}

/// An open cohort of the course: its ID, name and seats left (`None`: no limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCohort {
    pub id: Uuid,
    pub name: String,
    pub free: Option<i64>,
}

/// The open cohorts of `course` in `scope`, locked until the transaction ends (so no one
/// takes a seat the import counted), with their seats left.
pub async fn lock_open_cohorts(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    course: Uuid,
) -> QueryResult<Vec<OpenCohort>> {
    let q = cohorts::table
        .filter(cohorts::course_id.eq(course))
        .filter(cohorts::archived_at.is_null())
        .order(cohorts::id)
        .select((cohorts::id, cohorts::name, cohorts::capacity))
        .for_update();
    let rows: Vec<(Uuid, String, Option<i32>)> = match scope {
        Scope::All => q.load(conn).await?,
        Scope::Cohorts { staff } => {
            q.filter(cohorts::id.eq_any(owned_cohorts(staff)))
                .load(conn)
                .await?
        }
    };
    let ids: Vec<Uuid> = rows.iter().map(|(id, ..)| *id).collect();
    let mut taken: HashMap<Uuid, i64> = HashMap::new();
    for (cohort, state, n) in member_counts(conn, &ids).await? {
        if state != EnrolmentState::Withdrawn {
            *taken.entry(cohort).or_default() += n;
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, name, capacity)| OpenCohort {
            free: capacity.map(|c| (i64::from(c) - taken.get(&id).copied().unwrap_or(0)).max(0)),
            id,
            name,
        })
        .collect())
}
