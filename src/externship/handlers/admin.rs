//! `/api/v1/admin/externship/...`: the site directory, placements and the review queue.
//! Admins do everything; staff (`accounts::staff`) read the directory and place, list and
//! review only the members of the cohorts they own (anything else: the same 404, or for a
//! review the same 409, as a record that does not exist). Writing the directory is admins'.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::super::directory::{self, PlacementInput, SiteInput};
use super::super::errors;
use super::super::input::Review;
use super::super::review;
use super::super::store::sites;
use super::super::views::{self, Placement, ReviewQueue, ReviewResult, Site};
use crate::accounts::{AdminUser, ClientInfo, StaffUser};
use crate::db::DbPool;
use crate::http::AppResult;
use crate::http::error::ErrorEnvelope;
use crate::http::paging::{Paging, search_text};
use crate::learning::access;
use crate::learning::cache::ContentCache;
use crate::learning::{self, Access, EnrolmentLabel};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_sites)
        .service(create_site)
        .service(get_site)
        .service(update_site)
        .service(list_placements)
        .service(create_placement)
        .service(update_placement)
        .service(enrolments)
        .service(review_queue)
        .service(review_entries);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SiteQuery {
    /// Include archived sites.
    #[serde(default)]
    pub archived: bool,
}

/// The clinical sites, by name.
#[utoipa::path(
    tag = "externship-admin",
    params(SiteQuery),
    responses(
        (status = 200, body = Vec<Site>),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/externship/sites")]
pub async fn list_sites(
    db: web::Data<DbPool>,
    _staff: StaffUser,
    query: web::Query<SiteQuery>,
) -> AppResult<web::Json<Vec<Site>>> {
    let mut conn = db.get().await?;
    let rows = sites::list_sites(&mut conn, query.archived).await?;
    Ok(web::Json(rows.into_iter().map(views::site).collect()))
}

/// Add a clinical site to the directory.
#[utoipa::path(
    tag = "externship-admin",
    request_body = SiteInput,
    responses(
        (status = 201, body = Site),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 409, description = "`site_name_taken`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/admin/externship/sites")]
pub async fn create_site(
    db: web::Data<DbPool>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    body: web::Json<SiteInput>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let row = directory::create_site(&mut conn, &client.origin, admin.id, &body).await?;
    Ok(HttpResponse::Created().json(views::site(row)))
}

/// One clinical site.
#[utoipa::path(
    tag = "externship-admin",
    params(("id" = Uuid, Path, description = "The site's ID")),
    responses(
        (status = 200, body = Site),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/externship/sites/{id}")]
pub async fn get_site(
    db: web::Data<DbPool>,
    _staff: StaffUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Site>> {
    let mut conn = db.get().await?;
    let row = sites::site(&mut conn, *id)
        .await?
        .ok_or_else(errors::site_not_found)?;
    Ok(web::Json(views::site(row)))
}

/// Change a site's details, archive it or restore it.
#[utoipa::path(
    tag = "externship-admin",
    params(("id" = Uuid, Path, description = "The site's ID")),
    request_body = SiteInput,
    responses(
        (status = 200, body = Site),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`site_name_taken`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[patch("/admin/externship/sites/{id}")]
pub async fn update_site(
    db: web::Data<DbPool>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<SiteInput>,
) -> AppResult<web::Json<Site>> {
    let mut conn = db.get().await?;
    let row = directory::update_site(&mut conn, &client.origin, admin.id, *id, &body).await?;
    Ok(web::Json(views::site(row)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlacementQuery {
    pub enrolment_id: Option<Uuid>,
    pub site_id: Option<Uuid>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Placements, newest first: of one enrolment, of one site, or all (staff: of their
/// cohorts' members only).
#[utoipa::path(
    tag = "externship-admin",
    params(PlacementQuery),
    responses(
        (status = 200, body = Vec<Placement>),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/externship/placements")]
pub async fn list_placements(
    db: web::Data<DbPool>,
    staff: StaffUser,
    query: web::Query<PlacementQuery>,
) -> AppResult<web::Json<Vec<Placement>>> {
    let paging = Paging::parse(query.page, query.per_page, 50)?;
    let mut conn = db.get().await?;
    let rows = sites::list_placements(
        &mut conn,
        staff.scope,
        query.enrolment_id,
        query.site_id,
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(web::Json(rows.into_iter().map(views::placement).collect()))
}

/// A new placement: an enrolment at a site, with a supervisor, dates and departments.
#[derive(Debug, Deserialize)]
pub struct NewPlacementBody {
    pub enrolment_id: Uuid,
    #[serde(flatten)]
    pub placement: PlacementInput,
}

/// `PlacementInput`'s object with `enrolment_id` added. The derived schema would be an `allOf`
/// of the two, which no body satisfies: `PlacementInput` admits no other field (found by
/// schemathesis, which could not make a body).
impl utoipa::PartialSchema for NewPlacementBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
        let mut schema = <PlacementInput as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(o)) = &mut schema {
            o.description = Some(
                "A new placement: an enrolment at a site, with a supervisor, dates and \
                 departments."
                    .into(),
            );
            let uuid = ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
            o.properties.insert(
                "enrolment_id".into(),
                RefOr::T(Schema::Object(uuid.build())),
            );
            o.required.insert(0, "enrolment_id".into());
        }
        schema
    }
}

impl ToSchema for NewPlacementBody {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <PlacementInput as ToSchema>::schemas(schemas);
    }
}

/// Place an enrolment at a site (a learner may have several placements: rotations). Staff
/// place members of their own cohorts.
#[utoipa::path(
    tag = "externship-admin",
    request_body = NewPlacementBody,
    responses(
        (status = 201, body = Placement),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (no such enrolment, or staff: not in a cohort of theirs) or `no_externship`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`, `unknown_department`, `site_archived`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/admin/externship/placements")]
pub async fn create_placement(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    staff: StaffUser,
    client: ClientInfo,
    body: web::Json<NewPlacementBody>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let access = Access::Staff(staff.scope);
    let e = access::open_brief(&conn, &content, &staff.user, body.enrolment_id, access).await?;
    let by = staff.user.id;
    let row =
        directory::create_placement(&mut conn, &client.origin, by, &e, &body.placement).await?;
    Ok(HttpResponse::Created().json(views::placement(row)))
}

/// Change a placement (supervisor, dates, departments, site) or cancel it.
#[utoipa::path(
    tag = "externship-admin",
    params(("id" = Uuid, Path, description = "The placement's ID")),
    request_body = PlacementInput,
    responses(
        (status = 200, body = Placement),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such placement, or (staff) not of a member of their cohorts", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`, `unknown_department`, `site_archived`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[patch("/admin/externship/placements/{id}")]
pub async fn update_placement(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    staff: StaffUser,
    client: ClientInfo,
    id: web::Path<Uuid>,
    body: web::Json<PlacementInput>,
) -> AppResult<web::Json<Placement>> {
    let mut conn = db.get().await?;
    let (current, _) = sites::placement(&conn, *id)
        .await?
        .ok_or_else(errors::placement_not_found)?;
    let access = Access::Staff(staff.scope);
    // A placement of someone outside the caller's cohorts is one that does not exist.
    let e = access::open_brief(&conn, &content, &staff.user, current.enrolment_id, access)
        .await
        .map_err(|e| match e.status() {
            StatusCode::NOT_FOUND => errors::placement_not_found(),
            _ => e,
        })?;
    let by = staff.user.id;
    let row = directory::update_placement(&mut conn, &client.origin, by, &e, *id, &body).await?;
    Ok(web::Json(views::placement(row)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentQuery {
    /// Part of the learner's name or email.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Enrolments in courses with an externship (to place), newest first (staff: their cohorts'
/// members only).
#[utoipa::path(
    tag = "externship-admin",
    params(EnrolmentQuery),
    responses(
        (status = 200, body = Vec<EnrolmentLabel>),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/externship/enrolments")]
pub async fn enrolments(
    db: web::Data<DbPool>,
    staff: StaffUser,
    query: web::Query<EnrolmentQuery>,
) -> AppResult<web::Json<Vec<EnrolmentLabel>>> {
    let paging = Paging::parse(query.page, query.per_page, 50)?;
    let q = search_text(query.q.as_deref())?;
    let mut conn = db.get().await?;
    let (limit, offset) = (paging.per_page, paging.offset());
    let rows = learning::externship_enrolments(&mut conn, staff.scope, q, limit, offset).await?;
    Ok(web::Json(rows))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this enrolment's entries.
    pub enrolment_id: Option<Uuid>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Attested entries waiting for the program's approval, oldest attestation first (staff:
/// their cohorts' members' only).
#[utoipa::path(
    tag = "externship-admin",
    params(QueueQuery),
    responses(
        (status = 200, body = ReviewQueue),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/admin/externship/review")]
pub async fn review_queue(
    db: web::Data<DbPool>,
    staff: StaffUser,
    query: web::Query<QueueQuery>,
) -> AppResult<web::Json<ReviewQueue>> {
    let paging = Paging::parse(query.page, query.per_page, 50)?;
    let mut conn = db.get().await?;
    let (items, total) = review::queue(
        &mut conn,
        staff.scope,
        query.enrolment_id,
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(web::Json(ReviewQueue {
        items,
        total,
        page: paging.page,
        per_page: paging.per_page,
    }))
}

/// Approve attested entries or return them with a note, one or many at once (all or
/// nothing). Approving the last needed record completes the course. Staff review only their
/// cohorts' members' entries; another's entry counts as one not waiting for review.
#[utoipa::path(
    tag = "externship-admin",
    request_body = Review,
    responses(
        (status = 200, body = ReviewResult),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: neither an admin nor staff", body = ErrorEnvelope),
        (status = 409, description = "`not_attested`: some entries are not waiting for review (or, for staff, not of their cohorts' members)", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`, `phi_suspected`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/admin/externship/review")]
pub async fn review_entries(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    staff: StaffUser,
    client: ClientInfo,
    body: web::Json<Review>,
) -> AppResult<web::Json<ReviewResult>> {
    let mut conn = db.get().await?;
    let (origin, by) = (&client.origin, staff.user.id);
    let result = review::decide(&mut conn, &content, origin, by, staff.scope, &body).await?;
    Ok(web::Json(result))
}
