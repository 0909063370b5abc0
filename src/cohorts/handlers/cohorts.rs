//! `/api/v1/admin/cohorts`: list, create, read, edit, archive and unarchive cohorts.

use actix_web::{HttpResponse, get, patch, post, web};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use uuid::Uuid;

use super::{CohortId, cohort_not_found, view_of, views_of};
use crate::accounts::{ClientInfo, StaffUser};
use crate::audit::{self, Actor, Event};
use crate::cohorts::input::{self, CreateCohort, UpdateCohort};
use crate::cohorts::store::{self, CohortChanges, CohortFilter, CohortStatus, NewCohort};
use crate::cohorts::views::{Cohort, CohortPage};
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::paging::{Paging, is_slug, search_text};
use crate::http::{AppError, AppResult, ErrorCode};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_cohorts)
        .service(create_cohort)
        .service(get_cohort)
        .service(update_cohort)
        .service(archive_cohort)
        .service(unarchive_cohort);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CohortQuery {
    /// Only cohorts of the course with this slug.
    #[param(pattern = r"^[a-z][a-z0-9-]*$", max_length = 64)]
    pub course: Option<String>,
    /// Text contained in the cohort's name (case-insensitive).
    pub q: Option<String>,
    /// `active` (default), `archived` or `all`.
    #[param(inline)]
    pub status: Option<CohortStatus>,
    /// 1-based page number (default 1).
    pub page: Option<i64>,
    /// Cohorts per page, 1 to 100 (default 25).
    pub per_page: Option<i64>,
}

/// List cohorts, newest first: all of them for admins, the cohorts they own for staff.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(CohortQuery),
    responses(
        (status = 200, body = CohortPage),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
    )
)]
#[get("/admin/cohorts")]
pub async fn list_cohorts(
    db: web::Data<DbPool>,
    who: StaffUser,
    query: web::Query<CohortQuery>,
) -> AppResult<web::Json<CohortPage>> {
    let q = query.into_inner();
    let paging = Paging::parse(q.page, q.per_page, 25)?;
    let filter = CohortFilter {
        course: q.course.as_deref().filter(|s| is_slug(s)),
        text: search_text(q.q.as_deref())?,
        status: q.status.unwrap_or(CohortStatus::Active),
    };
    if q.course.is_some() && filter.course.is_none() {
        return Err(AppError::bad_request(
            ErrorCode::InvalidQuery,
            "`course` is a course's slug.",
        ));
    }
    let mut conn = db.get().await?;
    let (rows, total) = store::list(
        &mut conn,
        who.scope,
        filter,
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(web::Json(CohortPage {
        items: views_of(&mut conn, rows).await?,
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

fn event(who: &StaffUser, action: &'static str, cohort: Uuid, details: Value) -> Event<'static> {
    Event {
        actor: Actor::User(who.user.id),
        action,
        subject: Some(("cohort", cohort.to_string())),
        details,
    }
}

/// 422 `invalid_staff` unless every ID is a staff or admin account.
async fn check_staff(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> AppResult<()> {
    let ok = store::eligible_staff(conn, ids).await?;
    let bad: Vec<Uuid> = ids.iter().filter(|i| !ok.contains(i)).copied().collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(input::not_staff(bad))
    }
}

/// Create a cohort of a course (admins).
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    request_body = CreateCohort,
    responses(
        (status = 201, body = Cohort),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 422, description = "`unknown_course`, `invalid_name`, `invalid_input` (capacity), `target_before_start`, `invalid_staff`, `invalid_body`; `details.field` names the field", body = ErrorEnvelope),
    )
)]
#[post("/admin/cohorts")]
pub async fn create_cohort(
    db: web::Data<DbPool>,
    who: StaffUser,
    client: ClientInfo,
    body: web::Json<CreateCohort>,
) -> AppResult<HttpResponse> {
    who.scope.ensure_admin()?;
    let body = body.into_inner();
    let name = input::name(&body.name)?;
    let capacity = input::capacity(body.capacity)?;
    input::dates(body.starts_on, body.target_on)?;
    let staff = input::staff(&body.staff)?;
    let mut conn = db.get().await?;
    let id = conn
        .transaction::<_, AppError, _>(async |tx| {
            let (course_id, course) =
                store::course_by_slug(tx, &body.course)
                    .await?
                    .ok_or_else(|| {
                        AppError::unprocessable(
                            ErrorCode::UnknownCourse,
                            "No course has this slug.",
                        )
                        .with_details(json!({ "field": "course" }))
                    })?;
            check_staff(tx, &staff).await?;
            let new = NewCohort {
                course_id,
                name,
                starts_on: body.starts_on,
                target_on: body.target_on,
                capacity,
            };
            let row = store::insert(tx, &new).await?;
            store::set_staff(tx, row.id, &staff).await?;
            let details = json!({
                "course": course.slug, "name": row.name, "starts_on": row.starts_on,
                "target_on": row.target_on, "capacity": row.capacity, "staff": staff,
            });
            audit::record(
                tx,
                &client.origin,
                event(&who, "cohort.created", row.id, details),
            )
            .await?;
            Ok(row.id)
        })
        .await?;
    Ok(HttpResponse::Created().json(view_of(&mut conn, who.scope, id).await?))
}

/// A cohort with its staff and member counts.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    responses(
        (status = 200, body = Cohort),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no cohort you can see has this ID", body = ErrorEnvelope),
    )
)]
#[get("/admin/cohorts/{id}")]
pub async fn get_cohort(
    db: web::Data<DbPool>,
    who: StaffUser,
    id: CohortId,
) -> AppResult<web::Json<Cohort>> {
    let mut conn = db.get().await?;
    Ok(web::Json(view_of(&mut conn, who.scope, *id).await?))
}

/// Edit a cohort (admins): any of name, dates, capacity and the complete list of owners.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    request_body = UpdateCohort,
    responses(
        (status = 200, body = Cohort),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`capacity_below_members`: more members than the new capacity", body = ErrorEnvelope),
        (status = 422, description = "`nothing_to_change`, `invalid_name`, `invalid_input`, `target_before_start`, `invalid_staff`, `invalid_body`", body = ErrorEnvelope),
    )
)]
#[patch("/admin/cohorts/{id}")]
pub async fn update_cohort(
    db: web::Data<DbPool>,
    who: StaffUser,
    client: ClientInfo,
    id: CohortId,
    body: web::Json<UpdateCohort>,
) -> AppResult<web::Json<Cohort>> {
    who.scope.ensure_admin()?;
    let (id, body) = (id.into_inner(), body.into_inner());
    if body.is_empty() {
        return Err(AppError::unprocessable(
            ErrorCode::NothingToChange,
            "Send at least one of `name`, `starts_on`, `target_on`, `capacity`, `staff`.",
        ));
    }
    let changes = CohortChanges {
        name: body.name.as_deref().map(input::name).transpose()?,
        starts_on: body.starts_on,
        target_on: body.target_on,
        capacity: body.capacity.map(input::capacity).transpose()?,
        updated_at: Some(chrono::Utc::now()),
    };
    let staff = body.staff.as_deref().map(input::staff).transpose()?;
    let mut conn = db.get().await?;
    conn.transaction::<_, AppError, _>(async |tx| {
        let row = store::lock(tx, who.scope, id)
            .await?
            .ok_or_else(cohort_not_found)?;
        let starts = changes.starts_on.unwrap_or(row.starts_on);
        input::dates(starts, changes.target_on.unwrap_or(row.target_on))?;
        if let Some(Some(cap)) = changes.capacity {
            let taken = store::seats_taken(tx, id).await?;
            if i64::from(cap) < taken {
                return Err(AppError::conflict(
                    ErrorCode::CapacityBelowMembers,
                    format!("The cohort has {taken} members; the capacity cannot be lower."),
                )
                .with_details(json!({ "field": "capacity", "members": taken })));
            }
        }
        if let Some(staff) = &staff {
            check_staff(tx, staff).await?;
            store::set_staff(tx, id, staff).await?;
        }
        store::update(tx, id, &changes).await?;
        let details = json!({
            "name": changes.name, "starts_on": changes.starts_on, "target_on": changes.target_on,
            "capacity": changes.capacity, "staff": staff,
        });
        let details = Value::Object(
            details
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| body_has(&body, k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
        audit::record(
            tx,
            &client.origin,
            event(&who, "cohort.updated", id, details),
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(web::Json(view_of(&mut conn, who.scope, id).await?))
}

/// Whether the PATCH body named `field`.
fn body_has(body: &UpdateCohort, field: &str) -> bool {
    match field {
        "name" => body.name.is_some(),
        "starts_on" => body.starts_on.is_some(),
        "target_on" => body.target_on.is_some(),
        "capacity" => body.capacity.is_some(),
        "staff" => body.staff.is_some(),
        _ => false,
    }
}

async fn set_archived(
    db: &DbPool,
    who: StaffUser,
    client: &ClientInfo,
    id: Uuid,
    archived: bool,
) -> AppResult<Cohort> {
    who.scope.ensure_admin()?;
    let mut conn = db.get().await?;
    conn.transaction::<_, AppError, _>(async |tx| {
        store::lock(tx, who.scope, id)
            .await?
            .ok_or_else(cohort_not_found)?;
        // Archiving an archived cohort changes nothing and records nothing.
        if store::set_archived(tx, id, archived).await? {
            let action = if archived {
                "cohort.archived"
            } else {
                "cohort.unarchived"
            };
            audit::record(tx, &client.origin, event(&who, action, id, json!({}))).await?;
        }
        Ok(())
    })
    .await?;
    view_of(&mut conn, who.scope, id).await
}

/// Archive a cohort (admins): it keeps its members and history and takes no new members.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    responses(
        (status = 200, description = "Archived (or already archived)", body = Cohort),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    )
)]
#[post("/admin/cohorts/{id}/archive")]
pub async fn archive_cohort(
    db: web::Data<DbPool>,
    who: StaffUser,
    client: ClientInfo,
    id: CohortId,
) -> AppResult<web::Json<Cohort>> {
    Ok(web::Json(set_archived(&db, who, &client, *id, true).await?))
}

/// Unarchive a cohort (admins).
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    responses(
        (status = 200, description = "Active again (or already active)", body = Cohort),
        (status = 401, body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    )
)]
#[post("/admin/cohorts/{id}/unarchive")]
pub async fn unarchive_cohort(
    db: web::Data<DbPool>,
    who: StaffUser,
    client: ClientInfo,
    id: CohortId,
) -> AppResult<web::Json<Cohort>> {
    Ok(web::Json(
        set_archived(&db, who, &client, *id, false).await?,
    ))
}
