//! Cohort member reads: the paginated, filtered list and one member. Writes go through
//! learning ([`crate::learning::enrolling`]). Query builder only.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::store::{PersonRef, escape_like};
use crate::db::schema::{enrolments, users};
use crate::learning::EnrolmentState;

/// A member: the enrolment and its learner.
#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub enrolment_id: Uuid,
    pub cohort_id: Option<Uuid>,
    pub state: EnrolmentState,
    pub started_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub user: PersonRef,
}

type Cols = (
    enrolments::id,
    enrolments::cohort_id,
    enrolments::state,
    enrolments::started_at,
    enrolments::access_expires_at,
    enrolments::completed_at,
    enrolments::withdrawn_at,
    (users::id, users::name, users::email),
);
const COLS: Cols = (
    enrolments::id,
    enrolments::cohort_id,
    enrolments::state,
    enrolments::started_at,
    enrolments::access_expires_at,
    enrolments::completed_at,
    enrolments::withdrawn_at,
    (users::id, users::name, users::email),
);

/// What the member list filters on; `state` is the effective one (`expired`: active past
/// its access period).
#[derive(Debug, Clone, Copy)]
pub struct MemberFilter<'a> {
    pub text: Option<&'a str>,
    pub state: Option<EnrolmentState>,
}

type Boxed<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<enrolments::table, users::table>,
    diesel::pg::Pg,
>;

fn filtered<'a>(cohort: Uuid, f: MemberFilter<'a>, now: DateTime<Utc>) -> Boxed<'a> {
    let mut q = enrolments::table
        .inner_join(users::table)
        .filter(enrolments::cohort_id.eq(cohort))
        .into_boxed();
    q = match f.state {
        None => q,
        Some(EnrolmentState::Expired) => q
            .filter(enrolments::state.eq(EnrolmentState::Active))
            .filter(enrolments::access_expires_at.le(now)),
        Some(EnrolmentState::Active) => q
            .filter(enrolments::state.eq(EnrolmentState::Active))
            .filter(enrolments::access_expires_at.gt(now)),
        Some(s) => q.filter(enrolments::state.eq(s)),
    };
    if let Some(text) = f.text {
        let pattern = format!("%{}%", escape_like(text));
        q = q.filter(
            users::email
                .ilike(pattern.clone())
                .or(users::name.ilike(pattern)),
        );
    }
    q
}

/// A page of the cohort's members by name, and the number matching.
pub async fn list(
    conn: &mut AsyncPgConnection,
    cohort: Uuid,
    f: MemberFilter<'_>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<MemberRow>, i64)> {
    let now = Utc::now();
    let total = filtered(cohort, f, now).count().get_result(conn).await?;
    let rows = filtered(cohort, f, now)
        .order((users::name, enrolments::id))
        .limit(limit)
        .offset(offset)
        .select(COLS)
        .load(conn)
        .await?;
    Ok((rows, total))
}

/// One enrolment as a member.
pub async fn get(conn: &mut AsyncPgConnection, enrolment: Uuid) -> QueryResult<MemberRow> {
    enrolments::table
        .inner_join(users::table)
        .filter(enrolments::id.eq(enrolment))
        .select(COLS)
        .first(conn)
        .await
}

/// The account with this (normalised) address: (id, has an enrolment in `course`).
pub async fn account_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<Uuid>> {
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(conn)
        .await
        .optional()
}

/// The learner's enrolment in a course, if any: (enrolment, cohort).
pub async fn enrolment_in_course(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    course: Uuid,
) -> QueryResult<Option<(Uuid, Option<Uuid>)>> {
    enrolments::table
        .filter(enrolments::user_id.eq(user))
        .filter(enrolments::course_id.eq(course))
        .select((enrolments::id, enrolments::cohort_id))
        .first(conn)
        .await
        .optional()
}
