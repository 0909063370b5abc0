//! Clinical sites and placements.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::accounts::Scope;
use crate::accounts::staff::owned_enrolments;
use crate::db::schema::{externship_placements, externship_sites};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = externship_sites)]
pub struct SiteRow {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub departments: Vec<Option<String>>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new site.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = externship_sites)]
pub struct NewSite {
    pub name: String,
    pub address: String,
    pub departments: Vec<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// A site's fields to change (the given ones).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = externship_sites)]
pub struct SiteFields {
    pub name: Option<String>,
    pub address: Option<String>,
    pub departments: Option<Vec<String>>,
    pub contact_name: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
}

pub const SITE_NAME_KEY: &str = "externship_sites_name_idx";

pub async fn list_sites(
    conn: &mut AsyncPgConnection,
    include_archived: bool,
) -> QueryResult<Vec<SiteRow>> {
    let mut q = externship_sites::table
        .select(SiteRow::as_select())
        .order(externship_sites::name.asc())
        .into_boxed();
    if !include_archived {
        q = q.filter(externship_sites::archived_at.is_null());
    }
    q.load(conn).await
}

pub async fn site(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<SiteRow>> {
    externship_sites::table
        .find(id)
        .select(SiteRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_site(conn: &mut AsyncPgConnection, fields: &NewSite) -> QueryResult<SiteRow> {
    diesel::insert_into(externship_sites::table)
        .values(fields)
        .returning(SiteRow::as_returning())
        .get_result(conn)
        .await
}

/// Updates the given fields (and `archived`: Some(true) archives, Some(false) restores).
pub async fn update_site(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &SiteFields,
    archived: Option<bool>,
) -> QueryResult<Option<SiteRow>> {
    let archived_at = archived.map(|a| a.then(Utc::now));
    diesel::update(externship_sites::table.find(id))
        .set((
            fields,
            archived_at.map(|a| externship_sites::archived_at.eq(a)),
            externship_sites::updated_at.eq(Utc::now()),
        ))
        .returning(SiteRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = externship_placements)]
pub struct PlacementRow {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub site_id: Uuid,
    pub supervisor_name: String,
    pub supervisor_email: String,
    pub supervisor_credential: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub departments: Vec<Option<String>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A placement's editable fields.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = externship_placements)]
pub struct PlacementFields {
    pub site_id: Option<Uuid>,
    pub supervisor_name: Option<String>,
    pub supervisor_email: Option<String>,
    pub supervisor_credential: Option<Option<String>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub departments: Option<Vec<String>>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = externship_placements)]
pub struct NewPlacement {
    pub enrolment_id: Uuid,
    pub site_id: Uuid,
    pub supervisor_name: String,
    pub supervisor_email: String,
    pub supervisor_credential: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub departments: Vec<String>,
    pub created_by: Option<Uuid>,
}

pub async fn insert_placement(
    conn: &mut AsyncPgConnection,
    p: &NewPlacement,
) -> QueryResult<PlacementRow> {
    diesel::insert_into(externship_placements::table)
        .values(p)
        .returning(PlacementRow::as_returning())
        .get_result(conn)
        .await
}

/// Updates a placement's fields; `cancelled`: Some(true) cancels it, Some(false) restores it.
pub async fn update_placement(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &PlacementFields,
    cancelled: Option<bool>,
) -> QueryResult<Option<PlacementRow>> {
    let cancelled_at = cancelled.map(|c| c.then(Utc::now));
    diesel::update(externship_placements::table.find(id))
        .set((
            fields,
            cancelled_at.map(|c| externship_placements::cancelled_at.eq(c)),
            externship_placements::updated_at.eq(Utc::now()),
        ))
        .returning(PlacementRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// One placement with its site's name.
pub async fn placement(
    conn: &AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(PlacementRow, String)>> {
    externship_placements::table
        .inner_join(externship_sites::table)
        .filter(externship_placements::id.eq(id))
        .select((PlacementRow::as_select(), externship_sites::name))
        .first(&mut &*conn)
        .await
        .optional()
}

/// An enrolment's placements with their sites' names, earliest first.
pub async fn placements_of(
    conn: &AsyncPgConnection,
    enrolment: Uuid,
) -> QueryResult<Vec<(PlacementRow, String)>> {
    externship_placements::table
        .inner_join(externship_sites::table)
        .filter(externship_placements::enrolment_id.eq(enrolment))
        .select((PlacementRow::as_select(), externship_sites::name))
        .order((
            externship_placements::starts_on.asc(),
            externship_placements::created_at.asc(),
        ))
        .load(&mut &*conn)
        .await
}

/// Placements for the admin list: of one enrolment, of one site, or all, newest first.
pub async fn list_placements(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    enrolment: Option<Uuid>,
    site: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<(PlacementRow, String)>> {
    let mut q = externship_placements::table
        .inner_join(externship_sites::table)
        .select((PlacementRow::as_select(), externship_sites::name))
        .order(externship_placements::created_at.desc())
        .limit(limit)
        .offset(offset)
        .into_boxed();
    if let Some(staff) = scope.staff() {
        q = q.filter(externship_placements::enrolment_id.eq_any(owned_enrolments(staff)));
    }
    if let Some(e) = enrolment {
        q = q.filter(externship_placements::enrolment_id.eq(e));
    }
    if let Some(s) = site {
        q = q.filter(externship_placements::site_id.eq(s));
    }
    q.load(conn).await
}

/// Some placements with their sites' names (one query).
pub async fn placements_by_ids(
    conn: &AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<(PlacementRow, String)>> {
    externship_placements::table
        .inner_join(externship_sites::table)
        .filter(externship_placements::id.eq_any(ids))
        .select((PlacementRow::as_select(), externship_sites::name))
        .load(&mut &*conn)
        .await
}
