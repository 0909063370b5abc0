//! The learner's externship: overview, log (shifts and collections), drafts, amendments,
//! submissions, attestation requests, the summary and the exports.
//!
//! Ownership: the enrolment is opened through `learning::access`; reads allow its learner
//! and admins (and keep working after the enrolment ends: the learner owns the record);
//! writes allow only its learner, on an active enrolment. Entries and requests are looked up
//! within the enrolment, so another learner's IDs are 404.

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::Utc;
use uuid::Uuid;

use super::super::input::{Amendment, EntryFields, NewCollections, NewShift, Submission};
use super::super::log::{self, Scope};
use super::super::state::CollectionType;
use super::super::store::{attestations, entries, sites};
use super::super::submit::{self, Sending};
use super::super::views::{
    self, Attestation, Collections, Department, Entry, Overview, StateCount,
};
use super::super::{attest, export, logbook, requirements::Summary, standing};
use crate::accounts::{ClientInfo, CurrentUser};
use crate::db::DbPool;
use crate::http::AppResult;
use crate::http::error::ErrorEnvelope;
use crate::learning::Access;
use crate::learning::access::{self, EnrolmentBrief};
use crate::learning::cache::ContentCache;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(overview)
        .service(list_entries)
        .service(log_shift)
        .service(log_collections)
        .service(edit_entry)
        .service(delete_entry)
        .service(amend_entry)
        .service(submit_entries)
        .service(list_attestations)
        .service(resend_attestation)
        .service(summary)
        .service(export_csv)
        .service(logbook_pdf);
}

async fn read(
    conn: &diesel_async::AsyncPgConnection,
    content: &ContentCache,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<EnrolmentBrief> {
    access::open_brief(conn, content, user, id, Access::LearnerOrAdmin).await
}

async fn write(
    conn: &diesel_async::AsyncPgConnection,
    content: &ContentCache,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<EnrolmentBrief> {
    let e = access::open_brief(conn, content, user, id, Access::Learner).await?;
    e.ensure_active(Utc::now())?;
    Ok(e)
}

/// What the externship screens start from: the course's rules, the placements and counts.
#[utoipa::path(
    tag = "externship",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    responses(
        (status = 200, body = Overview),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`, or `no_externship`: the course has none", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}/externship")]
pub async fn overview(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Overview>> {
    let conn = db.get().await?;
    let e = read(&conn, &content, &user, *id).await?;
    let scope = Scope::of(&e, Utc::now())?;
    let (placements, counts) = futures_util::try_join!(
        sites::placements_of(&conn, e.row.id),
        entries::state_counts(&conn, e.row.id),
    )?;
    let r = scope.rules;
    Ok(web::Json(Overview {
        enrolment_id: e.row.id,
        required: e.outline.completion.externship,
        total_hours: r.total_hours,
        max_hours_per_day: r.max_hours_per_day,
        departments: r
            .departments
            .iter()
            .map(|d| Department {
                slug: d.slug.clone(),
                name: d.name.clone(),
                min_hours: d.min_hours,
            })
            .collect(),
        collection_types: r
            .procedures
            .iter()
            .filter_map(|p| CollectionType::parse(&p.slug))
            .collect(),
        competencies: attest::competencies(r),
        placements: placements.into_iter().map(views::placement).collect(),
        counts: counts
            .into_iter()
            .map(|(state, count)| StateCount { state, count })
            .collect(),
        can_log: !e.state(Utc::now()).is_inactive(),
    }))
}

/// Every entry of the log (shifts and collections), in the order they happened.
#[utoipa::path(
    tag = "externship",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    responses(
        (status = 200, body = Vec<Entry>),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` or `no_externship`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}/externship/entries")]
pub async fn list_entries(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Vec<Entry>>> {
    let conn = db.get().await?;
    let e = read(&conn, &content, &user, *id).await?;
    Scope::of(&e, Utc::now())?;
    let rows = entries::entries_of(&conn, e.row.id).await?;
    Ok(web::Json(rows.iter().map(views::entry).collect()))
}

/// Log a shift. The same `client_id` again answers 200 with the stored shift.
#[utoipa::path(
    tag = "externship",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    request_body = NewShift,
    responses(
        (status = 201, body = Entry, description = "Logged"),
        (status = 200, body = Entry, description = "Already logged with this client_id"),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (enrolment or placement) or `no_externship`", body = ErrorEnvelope),
        (status = 409, description = "`shift_overlaps` or `client_id_reused`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`, `phi_suspected`, `date_in_future`, `outside_placement`, `daily_limit_exceeded`, `unknown_department`, `placement_cancelled`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/{id}/externship/shifts")]
pub async fn log_shift(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: web::Json<NewShift>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let e = write(&conn, &content, &user, *id).await?;
    let scope = Scope::of(&e, Utc::now())?;
    let done = log::create_shift(&mut conn, &scope, &body).await?;
    let view = views::entry(&done.entries[0]);
    Ok(created_or_ok(done.created).json(view))
}

fn created_or_ok(created: bool) -> actix_web::HttpResponseBuilder {
    if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
}

/// Log collection attempts: `count` identical ones at once (a quick entry), stored as that
/// many records. The same `client_id` again answers 200 with the stored records.
#[utoipa::path(
    tag = "externship",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    request_body = NewCollections,
    responses(
        (status = 201, body = Collections, description = "Logged"),
        (status = 200, body = Collections, description = "Already logged with this client_id"),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` or `no_externship`", body = ErrorEnvelope),
        (status = 409, description = "`client_id_reused`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_input`, `phi_suspected`, `date_in_future`, `outside_placement`, `too_many_collections`, `collection_type_not_in_course`, `shift_mismatch`, `placement_cancelled`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/{id}/externship/collections")]
pub async fn log_collections(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: web::Json<NewCollections>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let e = write(&conn, &content, &user, *id).await?;
    let scope = Scope::of(&e, Utc::now())?;
    let done = log::create_collections(&mut conn, &scope, &body).await?;
    let view = Collections {
        entries: done.entries.iter().map(views::entry).collect(),
    };
    Ok(created_or_ok(done.created).json(view))
}

/// Replace a draft's fields (`shift` or `collection`, as the entry is).
#[utoipa::path(
    tag = "externship",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        ("entry" = Uuid, Path, description = "The entry's ID"),
    ),
    request_body = EntryFields,
    responses(
        (status = 200, body = Entry),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`entry_locked`: not a draft; `shift_overlaps`", body = ErrorEnvelope),
        (status = 422, description = "as for logging", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[put("/enrolments/{id}/externship/entries/{entry}")]
pub async fn edit_entry(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<EntryFields>,
) -> AppResult<web::Json<Entry>> {
    let (id, entry) = path.into_inner();
    let mut conn = db.get().await?;
    let e = write(&conn, &content, &user, id).await?;
    let scope = Scope::of(&e, Utc::now())?;
    let row = log::edit_draft(&mut conn, &scope, entry, &body).await?;
    Ok(web::Json(views::entry(&row)))
}

/// Delete a draft.
#[utoipa::path(
    tag = "externship",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        ("entry" = Uuid, Path, description = "The entry's ID"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`entry_locked`: not a draft", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[delete("/enrolments/{id}/externship/entries/{entry}")]
pub async fn delete_entry(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (id, entry) = path.into_inner();
    let mut conn = db.get().await?;
    let e = write(&conn, &content, &user, id).await?;
    let scope = Scope::of(&e, Utc::now())?;
    log::delete_draft(&mut conn, &scope, entry).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Correct a decided entry: the original is kept (superseded) and the amendment, a draft,
/// goes through attestation again.
#[utoipa::path(
    tag = "externship",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        ("entry" = Uuid, Path, description = "The entry's ID"),
    ),
    request_body = Amendment,
    responses(
        (status = 201, body = Entry),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`entry_not_amendable`, `already_amended`, `shift_overlaps`", body = ErrorEnvelope),
        (status = 422, description = "as for logging", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/{id}/externship/entries/{entry}/amendments")]
pub async fn amend_entry(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    client: ClientInfo,
    user: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<Amendment>,
) -> AppResult<HttpResponse> {
    let (id, entry) = path.into_inner();
    let mut conn = db.get().await?;
    let e = write(&conn, &content, &user, id).await?;
    let scope = Scope::of(&e, Utc::now())?;
    let by = log::Amender {
        content: &content,
        origin: &client.origin,
        user: user.id,
    };
    let row = log::amend(&mut conn, &scope, entry, &body, &by).await?;
    Ok(HttpResponse::Created().json(views::entry(&row)))
}

/// Send drafts at a placement to its supervisor: one request, one emailed single-use link.
#[utoipa::path(
    tag = "externship",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    request_body = Submission,
    responses(
        (status = 201, body = Attestation),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (enrolment or placement)", body = ErrorEnvelope),
        (status = 422, description = "`nothing_to_submit`, `placement_cancelled`, `invalid_input`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/{id}/externship/submissions")]
pub async fn submit_entries(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    sending: web::Data<Sending>,
    client: ClientInfo,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: web::Json<Submission>,
) -> AppResult<HttpResponse> {
    let mut conn = db.get().await?;
    let e = write(&conn, &content, &user, *id).await?;
    Scope::of(&e, Utc::now())?;
    let row = submit::submit(&mut conn, &sending, &e, &client.origin, user.id, &body).await?;
    Ok(HttpResponse::Created().json(views::attestation(&row, Utc::now())))
}

/// The enrolment's attestation requests, newest first.
#[utoipa::path(
    tag = "externship",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    responses(
        (status = 200, body = Vec<Attestation>),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` or `no_externship`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}/externship/attestations")]
pub async fn list_attestations(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Vec<Attestation>>> {
    let conn = db.get().await?;
    let e = read(&conn, &content, &user, *id).await?;
    Scope::of(&e, Utc::now())?;
    let rows = attestations::of_enrolment(&conn, e.row.id).await?;
    let now = Utc::now();
    Ok(web::Json(
        rows.iter().map(|r| views::attestation(r, now)).collect(),
    ))
}

/// Send a waiting (or expired) request again: the old link stops working.
#[utoipa::path(
    tag = "externship",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        ("attestation" = Uuid, Path, description = "The request's ID"),
    ),
    responses(
        (status = 201, body = Attestation, description = "The new request"),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`enrolment_inactive`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`attestation_not_pending`: decided or replaced already", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[post("/enrolments/{id}/externship/attestations/{attestation}/resend")]
pub async fn resend_attestation(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    sending: web::Data<Sending>,
    client: ClientInfo,
    user: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (id, request) = path.into_inner();
    let mut conn = db.get().await?;
    let e = write(&conn, &content, &user, id).await?;
    let row = submit::resend(&mut conn, &sending, &e, &client.origin, user.id, request).await?;
    Ok(HttpResponse::Created().json(views::attestation(&row, Utc::now())))
}

/// Progress against the course's requirements from approved records, with certifying
/// bodies' published thresholds as readiness information.
#[utoipa::path(
    tag = "externship",
    params(("id" = Uuid, Path, description = "The enrolment's ID")),
    responses(
        (status = 200, body = Summary),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` or `no_externship`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}/externship/summary")]
pub async fn summary(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Summary>> {
    let conn = db.get().await?;
    let e = read(&conn, &content, &user, *id).await?;
    let s = standing::summary(&conn, &e)
        .await?
        .ok_or_else(super::super::errors::no_externship)?;
    Ok(web::Json(s))
}

/// The learner's record as CSV: every approved shift and collection with who attested it and
/// when (`scope=all`: every entry, including drafts, rejected and superseded ones).
#[utoipa::path(
    tag = "externship",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        export::ExportQuery,
    ),
    responses(
        (status = 200, description = "text/csv", content_type = "text/csv", body = String),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` or `no_externship`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}/externship/export.csv")]
pub async fn export_csv(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    query: web::Query<export::ExportQuery>,
) -> AppResult<HttpResponse> {
    let conn = db.get().await?;
    let e = read(&conn, &content, &user, *id).await?;
    Scope::of(&e, Utc::now())?;
    let record = export::Record::read(&conn, &e, query.scope).await?;
    let body = export::csv(&record)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"externship-{}.csv\"", e.course.slug),
        ))
        .body(body))
}

/// The learner's logbook as a PDF: the approved totals and every approved shift, collection,
/// competency rating and attestation request, with who attested what and when (`scope=all`:
/// every entry). A4 or US Letter, landscape.
#[utoipa::path(
    tag = "externship",
    params(
        ("id" = Uuid, Path, description = "The enrolment's ID"),
        logbook::LogbookQuery,
    ),
    responses(
        (status = 200, description = "application/pdf", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` or `no_externship`", body = ErrorEnvelope),
    ),
    security(("bearer" = []))
)]
#[get("/enrolments/{id}/externship/logbook.pdf")]
pub async fn logbook_pdf(
    db: web::Data<DbPool>,
    content: web::Data<ContentCache>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    query: web::Query<logbook::LogbookQuery>,
) -> AppResult<HttpResponse> {
    let conn = db.get().await?;
    let e = read(&conn, &content, &user, *id).await?;
    let (record, totals, labels) = futures_util::try_join!(
        export::Record::read(&conn, &e, query.scope),
        standing::summary(&conn, &e),
        async { Ok(crate::learning::labels(&conn, &[e.row.id]).await?) },
    )?;
    drop(conn);
    let totals = totals.ok_or_else(super::super::errors::no_externship)?;
    let learner = labels
        .into_iter()
        .next()
        .map(|l| l.learner_name)
        .unwrap_or_default();
    let (scope, paper, title) = (query.scope, query.paper, e.course.title.clone());
    let bytes = web::block(move || {
        let cover = logbook::Cover {
            learner_name: &learner,
            course_title: &title,
            scope,
            generated_at: Utc::now(),
        };
        logbook::render(&cover, &totals, &record, paper)
    })
    .await
    .map_err(crate::http::AppError::internal)?
    .map_err(crate::http::AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"externship-logbook-{}.pdf\"",
                e.course.slug
            ),
        ))
        .body(bytes))
}
