//! The one authorisation rule of the admin area. Admins see and act on everything; a staff
//! account sees and acts only on the cohorts it owns (`cohort_staff`), and on the enrolments,
//! attempts, externship entries and certificates of those cohorts' members; anyone else is
//! refused with 403.
//!
//! Every admin route takes [`StaffUser`] (or [`super::AdminUser`] where only an admin may act)
//! and asks its [`Scope`] before it reads or writes: a record outside the scope answers the same
//! 404 as a record that does not exist, so staff cannot probe other cohorts' IDs.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest};
use diesel::dsl;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::domain::Role;
use super::extract::CurrentUser;
use crate::db::schema::{cohort_staff, cohorts, enrolments};
use crate::http::{AppError, ErrorCode};

/// A signed-in admin or staff account, with what it may see.
#[derive(Debug, Clone, Copy)]
pub struct StaffUser {
    pub user: CurrentUser,
    pub scope: Scope,
}

/// What an admin-area caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// An admin: every cohort and every learner.
    All,
    /// A staff account: the cohorts it owns.
    Cohorts { staff: Uuid },
}

/// The cohorts a staff account owns, as a subquery: `cohort_id IN (owned_cohorts(id))`.
pub type OwnedCohorts = dsl::Select<
    dsl::Filter<cohort_staff::table, dsl::Eq<cohort_staff::user_id, Uuid>>,
    cohort_staff::cohort_id,
>;

pub fn owned_cohorts(staff: Uuid) -> OwnedCohorts {
    cohort_staff::table
        .filter(cohort_staff::user_id.eq(staff))
        .select(cohort_staff::cohort_id)
}

impl Scope {
    pub fn for_user(user: &CurrentUser) -> Option<Scope> {
        match user.role {
            Role::Admin => Some(Scope::All),
            Role::Staff => Some(Scope::Cohorts { staff: user.id }),
            Role::Learner => None,
        }
    }

    pub fn is_all(self) -> bool {
        self == Scope::All
    }

    /// Refuses a staff account an action only admins take (403 `forbidden`).
    pub fn ensure_admin(self) -> Result<(), AppError> {
        match self {
            Scope::All => Ok(()),
            Scope::Cohorts { .. } => Err(admin_only()),
        }
    }

    /// Whether the cohort exists and is in the scope (one indexed read).
    pub async fn sees_cohort(
        self,
        conn: &mut AsyncPgConnection,
        cohort: Uuid,
    ) -> QueryResult<bool> {
        let query = cohorts::table.filter(cohorts::id.eq(cohort));
        match self {
            Scope::All => diesel::select(dsl::exists(query)).get_result(conn).await,
            Scope::Cohorts { staff } => {
                diesel::select(dsl::exists(
                    query.filter(cohorts::id.eq_any(owned_cohorts(staff))),
                ))
                .get_result(conn)
                .await
            }
        }
    }

    /// Whether the enrolment exists and belongs to a cohort in the scope (one indexed read). An
    /// enrolment in no cohort is seen by admins only.
    pub async fn sees_enrolment(
        self,
        conn: &mut AsyncPgConnection,
        enrolment: Uuid,
    ) -> QueryResult<bool> {
        let query = enrolments::table.filter(enrolments::id.eq(enrolment));
        match self {
            Scope::All => diesel::select(dsl::exists(query)).get_result(conn).await,
            Scope::Cohorts { staff } => {
                diesel::select(dsl::exists(
                    query.filter(
                        enrolments::cohort_id
                            .assume_not_null()
                            .eq_any(owned_cohorts(staff)),
                    ),
                ))
                .get_result(conn)
                .await
            }
        }
    }
}

fn admin_only() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
        "This needs an administrator account.",
    )
}

impl FromRequest for StaffUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            CurrentUser::from_req(req).and_then(|user| match Scope::for_user(&user) {
                Some(scope) => Ok(StaffUser { user, scope }),
                None => Err(AppError::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "This needs a staff or administrator account.",
                )),
            }),
        )
    }
}
