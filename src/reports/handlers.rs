//! `/api/v1/admin/cohorts/{id}/dashboard|charts|outcomes|exports/*.csv` (staff of the cohort
//! and admins) and `/api/v1/admin/audit[/export.csv]` (admins). Every handler takes
//! [`StaffUser`]; a cohort outside the caller's scope answers the same 404 as a missing one.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::audit_log::{self, AuditEvent, Filter};
use super::charts as chart;
use super::export_rows::{self, AttemptRow, CertificateRow, ExternshipRow, ProgressRow};
use super::exports::{self, CsvRow, Exports};
use super::risk::Thresholds;
use super::store::{self, CohortHead, DashboardQuery, Order};
use super::views::{self, Charts, CohortDashboard, DashboardCohort, Outcomes};
use crate::accounts::StaffUser;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::paging::{Paging, search_text};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::cache::ContentCache;
use crate::learning::progress::Outline;
use crate::quizzes::readiness::{self as quiz_readiness, ExamReadiness};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(dashboard)
        .service(charts)
        .service(outcomes)
        .service(readiness)
        .service(export_progress)
        .service(export_attempts)
        .service(export_externship)
        .service(export_certificates)
        .service(audit)
        .service(audit_export);
}

fn no_cohort() -> AppError {
    AppError::not_found("No cohort has this ID.")
}

/// The cohort in scope (404 otherwise) and its course's outline.
async fn open(
    db: &DbPool,
    content: &ContentCache,
    staff: &StaffUser,
    id: Uuid,
) -> AppResult<(CohortHead, std::sync::Arc<Outline>, crate::db::DbConn)> {
    let mut conn = db.get().await?;
    let cohort = store::cohort(&mut conn, staff.scope, id)
        .await?
        .ok_or_else(no_cohort)?;
    let outline = content
        .outline(&conn, cohort.course_id, cohort.course_version)
        .await?;
    Ok((cohort, outline, conn))
}

crate::text_enum! {
    /// The dashboard's sort key.
    pub enum SortKey {
        /// Most flags first (then the longest inactive).
        Risk = "risk",
        Name = "name",
        Progress = "progress",
        LastActivity = "last_activity",
    }
}

crate::text_enum! {
    pub enum Direction {
        Asc = "asc",
        Desc = "desc",
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// Default `risk`.
    #[param(inline)]
    pub sort: Option<SortKey>,
    /// Default `desc` for `risk`, `asc` otherwise.
    #[param(inline)]
    pub order: Option<Direction>,
    /// Only learners with at least one flag.
    pub at_risk: Option<bool>,
    /// Name or email (contains).
    pub q: Option<String>,
    pub page: Option<i64>,
    /// 1 to 100 (default 50).
    pub per_page: Option<i64>,
}

/// Every learner of a cohort with progress, scores, externship, certificate and risk flags.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "The cohort's ID"), DashboardParams),
    responses(
        (status = 200, body = CohortDashboard),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such cohort in your scope", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/cohorts/{id}/dashboard")]
pub async fn dashboard(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    staff: StaffUser,
    id: web::Path<Uuid>,
    params: web::Query<DashboardParams>,
) -> AppResult<web::Json<CohortDashboard>> {
    let paging = Paging::parse(params.page, params.per_page, 50)?;
    let text = search_text(params.q.as_deref())?;
    let (cohort, outline, mut conn) = open(&db, &content, &staff, id.into_inner()).await?;
    let sort = params.sort.unwrap_or(SortKey::Risk);
    let desc = match params.order {
        Some(d) => d == Direction::Desc,
        None => sort == SortKey::Risk,
    };
    let lessons: Vec<String> = outline.lessons().map(|(_, l)| l.slug.clone()).collect();
    let counted: Vec<String> = outline
        .required_quizzes()
        .iter()
        .map(|q| q.slug.clone())
        .collect();
    let items = (lessons.len() + counted.len()) as i64;
    let thresholds = Thresholds::new(Utc::now(), cohort.starts_on, cohort.target_on, items);
    let must = views::must_pass(&outline);
    let mut query = DashboardQuery {
        cohort: cohort.id,
        course: cohort.course_id,
        lessons,
        counted_quizzes: counted,
        must_pass: must.clone(),
        thresholds,
        text,
        at_risk: params.at_risk.unwrap_or(false),
        order: match sort {
            SortKey::Risk => Order::Risk,
            SortKey::Name => Order::Name,
            SortKey::Progress => Order::Progress,
            SortKey::LastActivity => Order::LastActivity,
        },
        desc,
        limit: paging.per_page,
        offset: paging.offset(),
    };
    let rows = store::dashboard(&mut conn, &query).await?;
    let total = match rows.first() {
        Some(r) => r.total,
        None if paging.page > 1 => {
            // Past the last page: the total from the first row of the first page.
            query.limit = 1;
            query.offset = 0;
            store::dashboard(&mut conn, &query)
                .await?
                .first()
                .map_or(0, |r| r.total)
        }
        None => 0,
    };
    Ok(web::Json(CohortDashboard {
        cohort: DashboardCohort {
            id: cohort.id,
            name: cohort.name,
            starts_on: cohort.starts_on,
            target_on: cohort.target_on,
            lessons_total: outline.lessons().count() as i64,
        },
        items: rows
            .into_iter()
            .map(|r| views::learner(&outline, &must, &thresholds, r))
            .collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Completion over time against the schedule, the module funnel, the quiz score distribution.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    responses(
        (status = 200, body = Charts),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such cohort in your scope", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/cohorts/{id}/charts")]
pub async fn charts(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    staff: StaffUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Charts>> {
    let (cohort, outline, mut conn) = open(&db, &content, &staff, id.into_inner()).await?;
    let days = store::completions_by_day(&mut conn, cohort.id).await?;
    let reach = store::module_reach(&mut conn, cohort.id).await?;
    let scores = store::score_buckets(&mut conn, cohort.id).await?;
    let enrolled = store::outcomes(&mut conn, cohort.id).await?.enrolled;
    let today = Utc::now().date_naive();
    Ok(web::Json(Charts {
        completion: chart::completion(cohort.starts_on, cohort.target_on, today, enrolled, &days),
        funnel: chart::funnel(&outline, &reach),
        scores: chart::scores(&outline, &scores),
    }))
}

/// The cohort's outcome report for accreditation.
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    responses(
        (status = 200, body = Outcomes),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such cohort in your scope", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/cohorts/{id}/outcomes")]
pub async fn outcomes(
    db: web::Data<DbPool>,
    staff: StaffUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Outcomes>> {
    let id = id.into_inner();
    let mut conn = db.get().await?;
    if !staff.scope.sees_cohort(&mut conn, id).await? {
        return Err(no_cohort());
    }
    let o = store::outcomes(&mut conn, id).await?;
    Ok(web::Json(Outcomes {
        enrolled: o.enrolled,
        completed: o.completed,
        completion_rate: views::rate(o.completed, o.enrolled),
        median_days_to_complete: o.median_days.map(|d| (d * 10.0).round() / 10.0),
        final_exam_first_attempt_pass_rate: views::rate(o.final_first_passed, o.final_takers),
        externship_completion_rate: views::rate(o.externship_met, o.externship_members),
    }))
}

/// A cohort's readiness for the exams its course prepares for.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct CohortReadiness {
    pub cohort_id: Uuid,
    /// Per exam outline of the course, per domain: the mean over the members with graded
    /// answers in it of each member's percent correct (latest answer per question), how many
    /// members that is, and their distinct questions added up.
    pub exams: Vec<ExamReadiness>,
}

/// The cohort's readiness by certification exam domain (one statement).
#[utoipa::path(
    tag = "reports",
    params(("id" = Uuid, Path, description = "The cohort's ID")),
    responses(
        (status = 200, body = CohortReadiness),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such cohort in your scope", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/cohorts/{id}/readiness")]
pub async fn readiness(
    db: web::Data<DbPool>,
    staff: StaffUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<CohortReadiness>> {
    let mut conn = db.get().await?;
    let cohort = store::cohort(&mut conn, staff.scope, id.into_inner())
        .await?
        .ok_or_else(no_cohort)?;
    let rows = quiz_readiness::of_cohort(&conn, cohort.id, cohort.course_id).await?;
    Ok(web::Json(CohortReadiness {
        cohort_id: cohort.id,
        exams: quiz_readiness::cohort_exams(rows),
    }))
}

/// A cohort export: scope, permit, stream.
async fn cohort_export<R: CsvRow>(
    db: web::Data<DbPool>,
    exports: web::Data<Exports>,
    staff: StaffUser,
    id: Uuid,
    name: &str,
    query: fn(Uuid) -> exports::Query,
) -> AppResult<HttpResponse> {
    {
        let mut conn = db.get().await?;
        if !staff.scope.sees_cohort(&mut conn, id).await? {
            return Err(no_cohort());
        }
    }
    let permit = exports.try_start()?;
    let filename = format!("cohort-{id}-{name}.csv");
    Ok(exports::respond::<R>(
        db.get_ref().clone(),
        permit,
        &filename,
        query(id),
    ))
}

macro_rules! cohort_export_route {
    ($fn:ident, $path:literal, $name:literal, $row:ty, $query:path, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "reports",
            params(("id" = Uuid, Path, description = "The cohort's ID")),
            responses(
                (status = 200, description = "text/csv (UTF-8 with a byte-order mark), streamed", content_type = "text/csv", body = String),
                (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
                (status = 403, description = "`forbidden`: not staff or admin", body = ErrorEnvelope),
                (status = 404, description = "`not_found`: no such cohort in your scope", body = ErrorEnvelope),
                (status = 503, description = "`server_busy`: too many exports running; see `Retry-After`", body = ErrorEnvelope),
            ),
            security(("bearer" = []))
        )]
        #[get($path)]
        pub async fn $fn(
            db: web::Data<DbPool>,
            exports: web::Data<Exports>,
            staff: StaffUser,
            id: web::Path<Uuid>,
        ) -> AppResult<HttpResponse> {
            cohort_export::<$row>(db, exports, staff, id.into_inner(), $name, $query).await
        }
    };
}

cohort_export_route!(
    export_progress,
    "/admin/cohorts/{id}/exports/progress.csv",
    "progress",
    ProgressRow,
    export_rows::progress,
    "One row per lesson each member opened."
);
cohort_export_route!(
    export_attempts,
    "/admin/cohorts/{id}/exports/attempts.csv",
    "attempts",
    AttemptRow,
    export_rows::attempts,
    "One row per quiz attempt of each member."
);
cohort_export_route!(
    export_externship,
    "/admin/cohorts/{id}/exports/externship.csv",
    "externship",
    ExternshipRow,
    export_rows::externship,
    "One row per externship entry of each member."
);
cohort_export_route!(
    export_certificates,
    "/admin/cohorts/{id}/exports/certificates.csv",
    "certificates",
    CertificateRow,
    export_rows::certificates,
    "One row per certificate issued to a member, with its status now."
);

/// The audit log's filters (the export takes these; the page adds paging).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilterParams {
    /// The acting user's ID.
    pub actor: Option<Uuid>,
    /// An action (`cohort.created`) or a prefix (`cohort` or `cohort.`).
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub action: Option<String>,
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub subject_type: Option<String>,
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub subject_id: Option<String>,
    /// From this time (inclusive; not after `to`).
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// The acting user's ID.
    pub actor: Option<Uuid>,
    /// An action (`cohort.created`) or a prefix (`cohort` or `cohort.`).
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub action: Option<String>,
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub subject_type: Option<String>,
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub subject_id: Option<String>,
    /// From this time (inclusive; not after `to`).
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    pub to: Option<DateTime<Utc>>,
    pub page: Option<i64>,
    /// 1 to 100 (default 50).
    pub per_page: Option<i64>,
}

impl AuditParams {
    fn filter(&self) -> AppResult<Filter> {
        AuditFilterParams {
            actor: self.actor,
            action: self.action.clone(),
            subject_type: self.subject_type.clone(),
            subject_id: self.subject_id.clone(),
            from: self.from,
            to: self.to,
        }
        .filter()
    }
}

fn short(v: &Option<String>, what: &str) -> AppResult<Option<String>> {
    match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) if t.chars().count() <= 200 && !t.chars().any(char::is_control) => {
            Ok(Some(t.to_string()))
        }
        Some(_) => Err(AppError::bad_request(
            ErrorCode::InvalidQuery,
            format!("`{what}` is at most 200 characters of text."),
        )),
    }
}

impl AuditFilterParams {
    fn filter(&self) -> AppResult<Filter> {
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            return Err(AppError::bad_request(
                ErrorCode::InvalidQuery,
                "`from` must not be after `to`.",
            ));
        }
        Ok(Filter {
            actor: self.actor,
            action: short(&self.action, "action")?,
            subject_type: short(&self.subject_type, "subject_type")?,
            subject_id: short(&self.subject_id, "subject_id")?,
            from: self.from,
            to: self.to,
        })
    }
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The audit log, newest first, filtered (admins).
#[utoipa::path(
    tag = "reports",
    params(AuditParams),
    responses(
        (status = 200, body = AuditPage),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/audit")]
pub async fn audit(
    db: web::Data<DbPool>,
    staff: StaffUser,
    params: web::Query<AuditParams>,
) -> AppResult<web::Json<AuditPage>> {
    staff.scope.ensure_admin()?;
    let paging = Paging::parse(params.page, params.per_page, 50)?;
    let filter = params.filter()?;
    let conn = db.get().await?;
    let (rows, total) = audit_log::page(&conn, &filter, paging.per_page, paging.offset()).await?;
    Ok(web::Json(AuditPage {
        items: rows.into_iter().map(AuditEvent::from).collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// The audit log as CSV, oldest first, with the same filters (admins).
#[utoipa::path(
    tag = "reports",
    params(AuditFilterParams),
    responses(
        (status = 200, description = "text/csv (UTF-8 with a byte-order mark), streamed", content_type = "text/csv", body = String),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 503, description = "`server_busy`: too many exports running", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/audit/export.csv")]
pub async fn audit_export(
    db: web::Data<DbPool>,
    exports: web::Data<Exports>,
    staff: StaffUser,
    params: web::Query<AuditFilterParams>,
) -> AppResult<HttpResponse> {
    staff.scope.ensure_admin()?;
    let filter = params.filter()?;
    let permit = exports.try_start()?;
    Ok(exports::respond::<audit_log::AuditRow>(
        db.get_ref().clone(),
        permit,
        "audit-log.csv",
        audit_log::export(&filter),
    ))
}
