//! Who and what enrolments are, for other features' lists and mails (the externship's review
//! queue and placement search, its attestation mails): one query each, never one per row.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::state::EnrolmentState;
use crate::accounts::Scope;
use crate::accounts::staff::owned_cohorts;
use crate::db::schema::{courses, enrolments, users};

/// Who and what an enrolment is, for lists and mails of other features.
#[derive(Debug, Clone, Queryable, serde::Serialize, utoipa::ToSchema)]
pub struct EnrolmentLabel {
    pub enrolment_id: Uuid,
    pub learner_name: String,
    pub learner_email: String,
    pub course_slug: String,
    pub course_title: String,
    pub state: EnrolmentState,
}

type LabelCols = (
    enrolments::id,
    users::name,
    users::email,
    courses::slug,
    courses::title,
    enrolments::state,
);
const LABEL: LabelCols = (
    enrolments::id,
    users::name,
    users::email,
    courses::slug,
    courses::title,
    enrolments::state,
);

/// The labels of some enrolments (one query).
pub async fn labels(conn: &AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<EnrolmentLabel>> {
    enrolments::table
        .inner_join(users::table)
        .inner_join(courses::table)
        .filter(enrolments::id.eq_any(ids))
        .select(LABEL)
        .load(&mut &*conn)
        .await
}

/// Enrolments in courses with an externship whose learner's name or email contains `q`
/// (all when `None`), within `scope` (a staff account: its cohorts' members), newest first:
/// what an admin or staff places at a site.
pub async fn externship_enrolments(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<EnrolmentLabel>> {
    let mut query = enrolments::table
        .inner_join(users::table)
        .inner_join(courses::table)
        .filter(courses::externship_total_hours.is_not_null())
        .select(LABEL)
        .order(enrolments::started_at.desc())
        .limit(limit)
        .offset(offset)
        .into_boxed();
    if let Some(staff) = scope.staff() {
        query = query.filter(
            enrolments::cohort_id
                .assume_not_null()
                .eq_any(owned_cohorts(staff)),
        );
    }
    if let Some(q) = q {
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query = query.filter(
            users::name
                .ilike(pattern.clone())
                .or(users::email.ilike(pattern)),
        );
    }
    query.load(conn).await
}
