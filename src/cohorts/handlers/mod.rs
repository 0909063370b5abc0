//! The cohort routes: parse, authorise (the caller's [`crate::accounts::Scope`]), call, map.

pub mod codes;
pub mod cohorts;
pub mod imports;
pub mod members;

use actix_web::web;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::store::{self, CohortRow};
use super::views::{self, Cohort};
use crate::accounts::Scope;
use crate::http::{AppError, AppResult};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(cohorts::routes)
        .configure(codes::routes)
        .configure(members::routes)
        .configure(imports::routes);
}

/// The 404 for a cohort that does not exist or is outside the caller's scope.
pub fn cohort_not_found() -> AppError {
    AppError::not_found("No cohort you can see has this ID.")
}

/// The views of `rows` (three queries whatever their number).
pub async fn views_of(
    conn: &mut AsyncPgConnection,
    rows: Vec<(CohortRow, store::CohortCourse)>,
) -> AppResult<Vec<Cohort>> {
    let ids: Vec<Uuid> = rows.iter().map(|(r, _)| r.id).collect();
    let staff = store::staff_of(conn, &ids).await?;
    let counts = store::member_counts(conn, &ids).await?;
    Ok(views::cohorts(rows, staff, counts))
}

/// The view of the cohort `id` in `scope`, or 404.
pub async fn view_of(conn: &mut AsyncPgConnection, scope: Scope, id: Uuid) -> AppResult<Cohort> {
    let row = store::get(conn, scope, id)
        .await?
        .ok_or_else(cohort_not_found)?;
    let mut views = views_of(conn, vec![row]).await?;
    views.pop().ok_or_else(cohort_not_found)
}

/// A path's cohort ID.
pub type CohortId = web::Path<Uuid>;
