//! The response types of the cohort routes and their builders from rows.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::code_store::CodeRow;
use super::codes::{self, CodeStatus};
use super::member_store::MemberRow;
use super::store::{CohortCourse, CohortRow, MemberCount, PersonRef};
use crate::learning::EnrolmentState;

/// A cohort as the admin area shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Cohort {
    pub id: Uuid,
    pub course: CohortCourse,
    pub name: String,
    pub starts_on: NaiveDate,
    #[schema(required = true)]
    pub target_on: Option<NaiveDate>,
    /// The most members (not withdrawn) the cohort takes; `null`: no limit.
    #[schema(required = true)]
    pub capacity: Option<i32>,
    #[schema(required = true)]
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub staff: Vec<PersonRef>,
    pub members: Members,
}

/// Member counts by state. `active` counts enrolments neither withdrawn nor completed
/// (including those whose access has expired).
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct Members {
    pub active: i64,
    pub completed: i64,
    pub withdrawn: i64,
    pub total: i64,
}

impl Members {
    fn add(&mut self, state: EnrolmentState, n: i64) {
        match state {
            EnrolmentState::Active | EnrolmentState::Expired => self.active += n,
            EnrolmentState::Completed => self.completed += n,
            EnrolmentState::Withdrawn => self.withdrawn += n,
        }
        self.total += n;
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CohortPage {
    pub items: Vec<Cohort>,
    /// Matching cohorts in all pages.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Builds the views of `rows` from their staff and member counts (read for all rows at once).
pub fn cohorts(
    rows: Vec<(CohortRow, CohortCourse)>,
    staff: Vec<(Uuid, PersonRef)>,
    counts: Vec<MemberCount>,
) -> Vec<Cohort> {
    let mut staff_of: HashMap<Uuid, Vec<PersonRef>> = HashMap::new();
    for (cohort, person) in staff {
        staff_of.entry(cohort).or_default().push(person);
    }
    let mut members_of: HashMap<Uuid, Members> = HashMap::new();
    for (cohort, state, n) in counts {
        members_of.entry(cohort).or_default().add(state, n);
    }
    rows.into_iter()
        .map(|(row, course)| Cohort {
            id: row.id,
            course,
            name: row.name,
            starts_on: row.starts_on,
            target_on: row.target_on,
            capacity: row.capacity,
            archived_at: row.archived_at,
            created_at: row.created_at,
            staff: staff_of.remove(&row.id).unwrap_or_default(),
            members: members_of.remove(&row.id).unwrap_or_default(),
        })
        .collect()
}

/// An enrolment code of a cohort.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Code {
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub code: String,
    #[schema(required = true)]
    pub max_uses: Option<i32>,
    pub uses: i32,
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Computed at the time of the request.
    pub status: CodeStatus,
}

impl Code {
    pub fn new(row: CodeRow, now: DateTime<Utc>) -> Code {
        Code {
            status: codes::status(row.disabled_at, row.expires_at, row.max_uses, row.uses, now),
            id: row.id,
            cohort_id: row.cohort_id,
            code: row.code,
            max_uses: row.max_uses,
            uses: row.uses,
            expires_at: row.expires_at,
            disabled_at: row.disabled_at,
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CodeList {
    pub items: Vec<Code>,
}

/// A member of a cohort: an enrolment and its learner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Member {
    pub enrolment_id: Uuid,
    pub user: PersonRef,
    /// The effective state (`expired`: active past its access period).
    pub state: EnrolmentState,
    pub started_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    #[schema(required = true)]
    pub completed_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl Member {
    pub fn new(row: MemberRow, now: DateTime<Utc>) -> Member {
        Member {
            enrolment_id: row.enrolment_id,
            user: row.user,
            state: row.state.effective(row.access_expires_at, now),
            started_at: row.started_at,
            access_expires_at: row.access_expires_at,
            completed_at: row.completed_at,
            withdrawn_at: row.withdrawn_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<Member>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_members_include_expired_ones_and_total_counts_all() {
        let mut m = Members::default();
        m.add(EnrolmentState::Active, 3);
        m.add(EnrolmentState::Expired, 1);
        m.add(EnrolmentState::Completed, 2);
        m.add(EnrolmentState::Withdrawn, 4);
        assert_eq!((m.active, m.completed, m.withdrawn, m.total), (4, 2, 4, 10));
    }
}
