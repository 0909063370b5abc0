//! Cohort queries: the list (page + count), one cohort, its staff owners and member counts
//! (for many cohorts at once), and the writes of the cohort routes. Query builder only; the
//! caller's [`Scope`] filters every read, so a cohort outside it is never returned.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::staff::owned_cohorts;
use crate::accounts::{Role, Scope};
use crate::db::schema::{cohort_staff, cohorts, courses, enrolments, users};
use crate::learning::EnrolmentState;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cohorts)]
pub struct CohortRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub name: String,
    pub starts_on: NaiveDate,
    pub target_on: Option<NaiveDate>,
    pub capacity: Option<i32>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A course as a cohort names it.
#[derive(Debug, Clone, Queryable, Serialize, Deserialize, ToSchema)]
pub struct CohortCourse {
    pub slug: String,
    pub title: String,
}

/// An account as the admin area names it.
#[derive(Debug, Clone, Queryable, Serialize, Deserialize, ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// (cohort, stored state, enrolments).
pub type MemberCount = (Uuid, EnrolmentState, i64);

crate::text_enum! {
    /// Which cohorts a list shows.
    pub enum CohortStatus {
        Active = "active",
        Archived = "archived",
        All = "all",
    }
}

/// What the cohort list filters on.
#[derive(Debug, Clone, Copy)]
pub struct CohortFilter<'a> {
    pub course: Option<&'a str>,
    pub text: Option<&'a str>,
    pub status: CohortStatus,
}

/// A new cohort (its staff are written by [`set_staff`]).
#[derive(Debug, Insertable)]
#[diesel(table_name = cohorts)]
pub struct NewCohort {
    pub course_id: Uuid,
    pub name: String,
    pub starts_on: NaiveDate,
    pub target_on: Option<NaiveDate>,
    pub capacity: Option<i32>,
}

/// The fields a PATCH changes (the given ones).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = cohorts)]
pub struct CohortChanges {
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub target_on: Option<Option<NaiveDate>>,
    pub capacity: Option<Option<i32>>,
    /// Set by every change (also a change of owners only, so the set is never empty).
    pub updated_at: Option<DateTime<Utc>>,
}

type Boxed<'a> = cohorts::BoxedQuery<'a, diesel::pg::Pg>;

fn in_scope<'a>(mut q: Boxed<'a>, scope: Scope) -> Boxed<'a> {
    if let Scope::Cohorts { staff } = scope {
        q = q.filter(cohorts::id.eq_any(owned_cohorts(staff)));
    }
    q
}

fn filtered<'a>(scope: Scope, f: CohortFilter<'a>) -> Boxed<'a> {
    let mut q = in_scope(cohorts::table.into_boxed(), scope);
    match f.status {
        CohortStatus::Active => q = q.filter(cohorts::archived_at.is_null()),
        CohortStatus::Archived => q = q.filter(cohorts::archived_at.is_not_null()),
        CohortStatus::All => {}
    }
    if let Some(slug) = f.course {
        let course = courses::table
            .filter(courses::slug.eq(slug))
            .select(courses::id);
        q = q.filter(cohorts::course_id.eq_any(course));
    }
    if let Some(text) = f.text {
        q = q.filter(cohorts::name.ilike(format!("%{}%", escape_like(text))));
    }
    q
}

/// `text` with LIKE's wildcards escaped.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A page of the cohorts in `scope` matching `f`, newest first, and the number matching.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    f: CohortFilter<'_>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<(CohortRow, CohortCourse)>, i64)> {
    let total = filtered(scope, f).count().get_result(conn).await?;
    let ids = filtered(scope, f)
        .order((cohorts::created_at.desc(), cohorts::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(cohorts::id)
        .load::<Uuid>(conn)
        .await?;
    let mut rows = with_course(conn, &ids).await?;
    rows.sort_by_key(|(r, _)| ids.iter().position(|id| *id == r.id));
    Ok((rows, total))
}

async fn with_course(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(CohortRow, CohortCourse)>> {
    cohorts::table
        .inner_join(courses::table)
        .filter(cohorts::id.eq_any(ids))
        .select((CohortRow::as_select(), (courses::slug, courses::title)))
        .load(conn)
        .await
}

/// The cohort `id` if it is in `scope`.
pub async fn get(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    id: Uuid,
) -> QueryResult<Option<(CohortRow, CohortCourse)>> {
    let q = cohorts::table
        .inner_join(courses::table)
        .filter(cohorts::id.eq(id))
        .select((CohortRow::as_select(), (courses::slug, courses::title)));
    match scope {
        Scope::All => q.first(conn).await.optional(),
        Scope::Cohorts { staff } => q
            .filter(cohorts::id.eq_any(owned_cohorts(staff)))
            .first(conn)
            .await
            .optional(),
    }
}

/// The cohort `id` if it is in `scope`, locked for a change (of it or of its members).
pub async fn lock(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    id: Uuid,
) -> QueryResult<Option<CohortRow>> {
    let q = cohorts::table
        .filter(cohorts::id.eq(id))
        .select(CohortRow::as_select())
        .for_update();
    match scope {
        Scope::All => q.first(conn).await.optional(),
        Scope::Cohorts { staff } => q
            .filter(cohorts::id.eq_any(owned_cohorts(staff)))
            .first(conn)
            .await
            .optional(),
    }
}

/// The staff owners of `cohorts`, by name.
pub async fn staff_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, PersonRef)>> {
    cohort_staff::table
        .inner_join(users::table)
        .filter(cohort_staff::cohort_id.eq_any(ids))
        .order((users::name, users::id))
        .select((
            cohort_staff::cohort_id,
            (users::id, users::name, users::email),
        ))
        .load(conn)
        .await
}

/// Enrolments per cohort and stored state, for `cohorts`.
pub async fn member_counts(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<MemberCount>> {
    enrolments::table
        .filter(enrolments::cohort_id.eq_any(ids))
        .group_by((enrolments::cohort_id, enrolments::state))
        .select((
            enrolments::cohort_id.assume_not_null(),
            enrolments::state,
            count_star(),
        ))
        .load(conn)
        .await
}

/// The seats a cohort's capacity counts: its members not withdrawn.
pub async fn seats_taken(conn: &mut AsyncPgConnection, cohort: Uuid) -> QueryResult<i64> {
    enrolments::table
        .filter(enrolments::cohort_id.eq(cohort))
        .filter(enrolments::state.ne(EnrolmentState::Withdrawn))
        .count()
        .get_result(conn)
        .await
}

/// The course with this slug: (id, slug, title).
pub async fn course_by_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<(Uuid, CohortCourse)>> {
    courses::table
        .filter(courses::slug.eq(slug))
        .select((courses::id, (courses::slug, courses::title)))
        .first(conn)
        .await
        .optional()
}

/// Of `ids`, the accounts that may own a cohort (role staff or admin).
pub async fn eligible_staff(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    users::table
        .filter(users::id.eq_any(ids))
        .filter(users::role.eq_any([Role::Staff, Role::Admin]))
        .select(users::id)
        .load(conn)
        .await
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewCohort) -> QueryResult<CohortRow> {
    diesel::insert_into(cohorts::table)
        .values(new)
        .returning(CohortRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &CohortChanges,
) -> QueryResult<()> {
    diesel::update(cohorts::table.find(id))
        .set(changes)
        .execute(conn)
        .await
        .map(drop)
}

/// Makes `staff` the cohort's owners (two statements whatever their number).
pub async fn set_staff(
    conn: &mut AsyncPgConnection,
    cohort: Uuid,
    staff: &[Uuid],
) -> QueryResult<()> {
    diesel::delete(
        cohort_staff::table
            .filter(cohort_staff::cohort_id.eq(cohort))
            .filter(cohort_staff::user_id.ne_all(staff)),
    )
    .execute(conn)
    .await?;
    let rows: Vec<_> = staff
        .iter()
        .map(|u| {
            (
                cohort_staff::cohort_id.eq(cohort),
                cohort_staff::user_id.eq(*u),
            )
        })
        .collect();
    diesel::insert_into(cohort_staff::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(drop)
}

/// Archives (or unarchives) the cohort; false when it already was.
pub async fn set_archived(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    archived: bool,
) -> QueryResult<bool> {
    let target = cohorts::table.find(id);
    let n = if archived {
        diesel::update(target.filter(cohorts::archived_at.is_null()))
            .set(cohorts::archived_at.eq(diesel::dsl::now))
            .execute(conn)
            .await?
    } else {
        diesel::update(target.filter(cohorts::archived_at.is_not_null()))
            .set(cohorts::archived_at.eq(None::<DateTime<Utc>>))
            .execute(conn)
            .await?
    };
    Ok(n == 1)
}
