//! Enrolment code queries for the admin area. Query builder only.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::accounts::Scope;
use crate::accounts::staff::owned_cohorts;
use crate::db::schema::enrolment_codes;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = enrolment_codes)]
pub struct CodeRow {
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub code: String,
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A code's fields to change (the given ones).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = enrolment_codes)]
pub struct CodeChanges {
    pub max_uses: Option<Option<i32>>,
    pub expires_at: Option<Option<DateTime<Utc>>>,
    pub disabled_at: Option<Option<DateTime<Utc>>>,
}

/// The cohort's codes, newest first.
pub async fn list(conn: &mut AsyncPgConnection, cohort: Uuid) -> QueryResult<Vec<CodeRow>> {
    enrolment_codes::table
        .filter(enrolment_codes::cohort_id.eq(cohort))
        .order((enrolment_codes::created_at.desc(), enrolment_codes::id))
        .select(CodeRow::as_select())
        .load(conn)
        .await
}

/// Inserts a code unless it is taken (`None`).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    cohort: Uuid,
    code: &str,
    max_uses: Option<i32>,
    expires_at: Option<DateTime<Utc>>,
) -> QueryResult<Option<CodeRow>> {
    diesel::insert_into(enrolment_codes::table)
        .values((
            enrolment_codes::cohort_id.eq(cohort),
            enrolment_codes::code.eq(code),
            enrolment_codes::max_uses.eq(max_uses),
            enrolment_codes::expires_at.eq(expires_at),
        ))
        .on_conflict(enrolment_codes::code)
        .do_nothing()
        .returning(CodeRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The code `id`, locked, if its cohort is in `scope`.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    id: Uuid,
) -> QueryResult<Option<CodeRow>> {
    let q = enrolment_codes::table
        .filter(enrolment_codes::id.eq(id))
        .select(CodeRow::as_select())
        .for_update();
    match scope {
        Scope::All => q.first(conn).await.optional(),
        Scope::Cohorts { staff } => q
            .filter(enrolment_codes::cohort_id.eq_any(owned_cohorts(staff)))
            .first(conn)
            .await
            .optional(),
    }
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &CodeChanges,
) -> QueryResult<CodeRow> {
    diesel::update(enrolment_codes::table.find(id))
        .set(changes)
        .returning(CodeRow::as_returning())
        .get_result(conn)
        .await
}
