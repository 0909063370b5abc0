//! The program's directory: clinical sites, and placements of enrolments at them. Checks the
//! input, writes in one transaction with its audit event.

use chrono::NaiveDate;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::errors::{self, invalid};
use super::input;
use super::store::sites::{self, NewPlacement, NewSite, PlacementFields, SiteFields, SiteRow};
use super::store::violates;
use crate::audit::{self, Actor, Event, Origin};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::access::EnrolmentBrief;

/// A site as the admin writes it (create: `name` and `address` required).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// At most 30 names of at most 100 characters.
    #[schema(max_items = 30)]
    pub departments: Option<Vec<String>>,
    #[schema(max_length = 200)]
    pub contact_name: Option<String>,
    #[schema(max_length = 254)]
    pub contact_email: Option<String>,
    #[schema(max_length = 50)]
    pub contact_phone: Option<String>,
    /// `true` archives the site (it stays on placements), `false` restores it (update only).
    pub archived: Option<bool>,
}

fn departments(list: &[String]) -> AppResult<Vec<String>> {
    if list.len() > 30 {
        return Err(invalid("departments", "At most 30 departments."));
    }
    list.iter()
        .map(|d| input::name("departments", d, 100))
        .collect()
}

fn site_fields(i: &SiteInput) -> AppResult<SiteFields> {
    Ok(SiteFields {
        name: i
            .name
            .as_deref()
            .map(|n| input::name("name", n, 200))
            .transpose()?,
        address: i
            .address
            .as_deref()
            .map(|a| input::name("address", a, 500))
            .transpose()?,
        departments: i.departments.as_deref().map(departments).transpose()?,
        contact_name: i
            .contact_name
            .as_deref()
            .map(|n| input::optional_name("contact_name", Some(n), 200))
            .transpose()?,
        contact_email: i
            .contact_email
            .as_deref()
            .map(|e| {
                let e = e.trim();
                if e.is_empty() {
                    Ok(None)
                } else {
                    input::email("contact_email", e).map(Some)
                }
            })
            .transpose()?,
        contact_phone: i
            .contact_phone
            .as_deref()
            .map(|p| input::optional_name("contact_phone", Some(p), 50))
            .transpose()?,
    })
}

fn name_taken(e: diesel::result::Error) -> AppError {
    if violates(&e, sites::SITE_NAME_KEY) {
        AppError::conflict(
            ErrorCode::SiteNameTaken,
            "A site with this name is already in the directory.",
        )
    } else {
        e.into()
    }
}

async fn record(
    tx: &mut AsyncPgConnection,
    origin: &Origin,
    admin: Uuid,
    action: &str,
    subject: (&str, Uuid),
    details: serde_json::Value,
) -> AppResult<()> {
    let event = Event {
        actor: Actor::User(admin),
        action,
        subject: Some((subject.0, subject.1.to_string())),
        details,
    };
    Ok(audit::record(tx, origin, event).await?)
}

pub async fn create_site(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    admin: Uuid,
    i: &SiteInput,
) -> AppResult<SiteRow> {
    let f = site_fields(i)?;
    let new = NewSite {
        name: f
            .name
            .ok_or_else(|| invalid("name", "`name` is required."))?,
        address: f
            .address
            .ok_or_else(|| invalid("address", "`address` is required."))?,
        departments: f.departments.unwrap_or_default(),
        contact_name: f.contact_name.flatten(),
        contact_email: f.contact_email.flatten(),
        contact_phone: f.contact_phone.flatten(),
    };
    conn.transaction::<_, AppError, _>(async |tx| {
        let row = sites::insert_site(tx, &new).await.map_err(name_taken)?;
        record(
            tx,
            origin,
            admin,
            "externship.site_created",
            ("site", row.id),
            json!({ "name": row.name }),
        )
        .await?;
        Ok(row)
    })
    .await
}

pub async fn update_site(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    admin: Uuid,
    id: Uuid,
    i: &SiteInput,
) -> AppResult<SiteRow> {
    let f = site_fields(i)?;
    conn.transaction::<_, AppError, _>(async |tx| {
        let row = sites::update_site(tx, id, &f, i.archived)
            .await
            .map_err(name_taken)?
            .ok_or_else(errors::site_not_found)?;
        record(
            tx,
            origin,
            admin,
            "externship.site_updated",
            ("site", id),
            json!({ "archived": i.archived }),
        )
        .await?;
        Ok(row)
    })
    .await
}

/// A placement as the admin writes it (create: everything but `credential` and departments).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementInput {
    pub site_id: Option<Uuid>,
    #[schema(max_length = 200)]
    pub supervisor_name: Option<String>,
    #[schema(max_length = 254)]
    pub supervisor_email: Option<String>,
    /// For example `MLS(ASCP)` or `PBT`.
    #[schema(max_length = 100)]
    pub supervisor_credential: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// Department slugs from the course's list.
    pub departments: Option<Vec<String>>,
    /// `true` cancels the placement, `false` restores it (update only).
    pub cancelled: Option<bool>,
}

fn placement_fields(e: &EnrolmentBrief, i: &PlacementInput) -> AppResult<PlacementFields> {
    let known: Vec<&str> = e
        .outline
        .externship
        .as_ref()
        .map(|r| r.departments.iter().map(|d| d.slug.as_str()).collect())
        .unwrap_or_default();
    if let Some(list) = &i.departments
        && let Some(bad) = list.iter().find(|d| !known.contains(&d.as_str()))
    {
        return Err(AppError::unprocessable(
            ErrorCode::UnknownDepartment,
            format!("`{bad}` is not one of the course's departments."),
        )
        .with_details(json!({ "departments": known })));
    }
    Ok(PlacementFields {
        site_id: i.site_id,
        supervisor_name: i
            .supervisor_name
            .as_deref()
            .map(|n| input::name("supervisor_name", n, 200))
            .transpose()?,
        supervisor_email: i
            .supervisor_email
            .as_deref()
            .map(|m| input::email("supervisor_email", m))
            .transpose()?,
        supervisor_credential: i
            .supervisor_credential
            .as_deref()
            .map(|c| input::optional_name("supervisor_credential", Some(c), 100))
            .transpose()?,
        starts_on: i.starts_on,
        ends_on: i.ends_on,
        // Each once, in the course's order: never more than the course lists.
        departments: i.departments.as_ref().map(|list| {
            known
                .iter()
                .filter(|k| list.iter().any(|d| d == *k))
                .map(|k| k.to_string())
                .collect()
        }),
    })
}

fn check_dates(starts_on: NaiveDate, ends_on: NaiveDate) -> AppResult<()> {
    if ends_on < starts_on || (ends_on - starts_on).num_days() > 1096 {
        return Err(invalid(
            "ends_on",
            "`ends_on` is on or after `starts_on`, at most three years later.",
        ));
    }
    Ok(())
}

async fn open_site(tx: &mut AsyncPgConnection, id: Uuid) -> AppResult<SiteRow> {
    let site = sites::site(tx, id)
        .await?
        .ok_or_else(|| invalid("site_id", "No clinical site has this ID."))?;
    if site.archived_at.is_some() {
        return Err(AppError::unprocessable(
            ErrorCode::SiteArchived,
            "This site is archived; restore it before placing learners there.",
        ));
    }
    Ok(site)
}

pub async fn create_placement(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    admin: Uuid,
    enrolment: &EnrolmentBrief,
    i: &PlacementInput,
) -> AppResult<(sites::PlacementRow, String)> {
    if enrolment.outline.externship.is_none() {
        return Err(errors::no_externship());
    }
    let f = placement_fields(enrolment, i)?;
    let required = |field: &str| invalid(field, format!("`{field}` is required."));
    let new = NewPlacement {
        enrolment_id: enrolment.row.id,
        site_id: f.site_id.ok_or_else(|| required("site_id"))?,
        supervisor_name: f
            .supervisor_name
            .ok_or_else(|| required("supervisor_name"))?,
        supervisor_email: f
            .supervisor_email
            .ok_or_else(|| required("supervisor_email"))?,
        supervisor_credential: f.supervisor_credential.flatten(),
        starts_on: f.starts_on.ok_or_else(|| required("starts_on"))?,
        ends_on: f.ends_on.ok_or_else(|| required("ends_on"))?,
        departments: f.departments.unwrap_or_default(),
        created_by: Some(admin),
    };
    check_dates(new.starts_on, new.ends_on)?;
    conn.transaction::<_, AppError, _>(async |tx| {
        let site = open_site(tx, new.site_id).await?;
        let row = sites::insert_placement(tx, &new).await?;
        let details = json!({ "enrolment_id": row.enrolment_id, "site_id": site.id });
        record(
            tx,
            origin,
            admin,
            "externship.placement_created",
            ("placement", row.id),
            details,
        )
        .await?;
        Ok((row, site.name))
    })
    .await
}

pub async fn update_placement(
    conn: &mut AsyncPgConnection,
    origin: &Origin,
    admin: Uuid,
    enrolment: &EnrolmentBrief,
    id: Uuid,
    i: &PlacementInput,
) -> AppResult<(sites::PlacementRow, String)> {
    let f = placement_fields(enrolment, i)?;
    conn.transaction::<_, AppError, _>(async |tx| {
        let (current, _) = sites::placement(tx, id)
            .await?
            .filter(|(p, _)| p.enrolment_id == enrolment.row.id)
            .ok_or_else(errors::placement_not_found)?;
        check_dates(
            f.starts_on.unwrap_or(current.starts_on),
            f.ends_on.unwrap_or(current.ends_on),
        )?;
        if let Some(site) = f.site_id {
            open_site(tx, site).await?;
        }
        sites::update_placement(tx, id, &f, i.cancelled)
            .await?
            .ok_or_else(errors::placement_not_found)?;
        let details = json!({ "cancelled": i.cancelled, "fields": changed(i) });
        record(
            tx,
            origin,
            admin,
            "externship.placement_updated",
            ("placement", id),
            details,
        )
        .await?;
        sites::placement(tx, id)
            .await?
            .ok_or_else(errors::placement_not_found)
    })
    .await
}

/// The names of the fields a placement update gives (for its audit event).
fn changed(i: &PlacementInput) -> Vec<&'static str> {
    [
        ("site_id", i.site_id.is_some()),
        ("supervisor_name", i.supervisor_name.is_some()),
        ("supervisor_email", i.supervisor_email.is_some()),
        ("supervisor_credential", i.supervisor_credential.is_some()),
        ("starts_on", i.starts_on.is_some()),
        ("ends_on", i.ends_on.is_some()),
        ("departments", i.departments.is_some()),
    ]
    .into_iter()
    .filter_map(|(n, given)| given.then_some(n))
    .collect()
}
