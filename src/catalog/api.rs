//! The public catalog: `GET /api/v1/courses`, `GET /api/v1/courses/{slug}` and the images
//! beside the lessons. Published courses only; no account needed. Responses carry ETags and
//! answer 304 to a matching `If-None-Match`.

use std::collections::HashMap;
use std::sync::RwLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::store;
pub use super::store::CourseSummary;
use crate::db::DbPool;
use crate::http::error::ErrorEnvelope;
use crate::http::paging::{Paging, search_text};
use crate::http::{AppError, AppResult};
use crate::slug::is_slug;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_courses)
        .service(get_course)
        .service(get_asset);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CoursePage {
    pub items: Vec<CourseSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CourseQuery {
    /// Words to look for in the title and summary.
    pub q: Option<String>,
    /// 1-based page (default 1).
    pub page: Option<i64>,
    /// Courses per page, 1 to 100 (default 20).
    pub per_page: Option<i64>,
}

/// Published outlines as served, by course slug, each with the content hash it was read at:
/// an outline is about 25 KB of stored text, so a read that finds the hash unchanged costs
/// the hash's lookup and a reference count instead of reading and decompressing the text.
#[derive(Default)]
pub struct OutlineBodies(RwLock<HashMap<String, (String, Bytes)>>);

/// Slugs kept at most; past it the cache starts over (a catalogue has far fewer courses).
const MAX_OUTLINES: usize = 1024;

impl OutlineBodies {
    fn get(&self, slug: &str, hash: &str) -> Option<Bytes> {
        let map = self.0.read().unwrap_or_else(|e| e.into_inner());
        map.get(slug)
            .filter(|(h, _)| h == hash)
            .map(|(_, body)| body.clone())
    }

    fn put(&self, slug: &str, hash: &str, body: Bytes) {
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_OUTLINES && !map.contains_key(slug) {
            map.clear();
        }
        map.insert(slug.to_string(), (hash.to_string(), body));
    }
}

/// A weak ETag from a body's hash.
fn etag_of(bytes: &[u8]) -> String {
    let h = Sha256::digest(bytes);
    format!(
        "W/\"{}\"",
        h[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// A JSON body with an ETag computed from it, or 304 when the client has it.
fn cached_json(req: &HttpRequest, body: Vec<u8>, max_age: u32) -> HttpResponse {
    with_etag(req, etag_of(&body), body, max_age)
}

/// A JSON body with the given ETag, or 304 when the client has it.
fn with_etag(
    req: &HttpRequest,
    etag: String,
    body: impl Into<Bytes>,
    max_age: u32,
) -> HttpResponse {
    let cache = format!("public, max-age={max_age}, must-revalidate");
    if not_modified(req, &etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .content_type("application/json")
        .body(body.into())
}

/// Published courses, by title; search with `q`.
#[utoipa::path(
    tag = "catalog",
    params(CourseQuery),
    responses(
        (status = 200, body = CoursePage, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 400, description = "`invalid_query`", body = ErrorEnvelope),
    )
)]
#[get("/courses")]
pub async fn list_courses(
    db: web::Data<DbPool>,
    req: HttpRequest,
    query: web::Query<CourseQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::parse(q.page, q.per_page, 20)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let text = search_text(q.q.as_deref())?;
    let mut conn = db.get().await?;
    let (items, total) = store::list_published(&mut conn, text, per_page, paging.offset()).await?;
    let body = serde_json::to_vec(&CoursePage {
        items,
        total,
        page,
        per_page,
    })
    .map_err(AppError::internal)?;
    Ok(cached_json(&req, body, 60))
}

/// The outline of a course: modules, lessons (titles, minutes, free previews), quizzes and
/// their rules, completion rules, and the externship: its requirements (hours, the daily cap,
/// procedures, competencies a supervisor observes) and certifying bodies' published thresholds
/// with their sources (readiness information, not completion requirements).
/// `certificate_validity_months` is how long the course's certificates stay valid, in whole
/// months (1 to 600), or null when they do not expire.
#[utoipa::path(
    tag = "catalog",
    params(("slug" = String, Path, description = "The course's slug")),
    responses(
        (status = 200, body = Object, description = "The outline, including \
            `certificate_validity_months` (integer 1-600, or null: certificates do not expire)",
            headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match matched)"),
        (status = 404, description = "`not_found`: no published course has this slug", body = ErrorEnvelope),
    )
)]
#[get("/courses/{slug}")]
pub async fn get_course(
    db: web::Data<DbPool>,
    bodies: web::Data<OutlineBodies>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let missing = || AppError::not_found("No published course has this address.");
    if !is_slug(&slug) {
        return Err(missing());
    }
    let mut conn = db.get().await?;
    let hash = store::published_hash(&mut conn, &slug)
        .await?
        .ok_or_else(missing)?;
    let (body, hash) = match bodies.get(&slug, &hash) {
        Some(body) => (body, hash),
        None => {
            // Served as read with its own hash: the course may have moved on since.
            let found = store::published_outline(&mut conn, &slug).await?;
            let (outline, hash) = found.ok_or_else(missing)?;
            let body = Bytes::from(outline);
            bodies.put(&slug, &hash, body.clone());
            (body, hash)
        }
    };
    // The content hash changes whenever the outline can: no need to hash the body.
    let etag = format!("\"{}\"", &hash[..hash.len().min(24)]);
    Ok(with_etag(&req, etag, body, 60))
}

/// An image or diagram used by a course's lessons.
#[utoipa::path(
    tag = "catalog",
    params(
        ("slug" = String, Path, description = "The course's slug"),
        ("path" = String, Path, description = "`<module>/images/<file>`"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "image/*"),
        (status = 304, description = "Not modified"),
        (status = 404, body = ErrorEnvelope),
    )
)]
#[get("/courses/{slug}/assets/{path:.*}")]
pub async fn get_asset(
    db: web::Data<DbPool>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, file) = path.into_inner();
    let plausible = file.len() <= 300
        && !file.contains("..")
        && file
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._/-".contains(c));
    if !is_slug(&slug) || !plausible {
        return Err(AppError::not_found("No such image."));
    }
    let mut conn = db.get().await?;
    let found = store::published_asset(&mut conn, &slug, &file).await?;
    let store::Asset {
        content_type,
        bytes,
        sha256: sha,
    } = found.ok_or_else(|| AppError::not_found("No such image."))?;
    let etag = format!("\"{}\"", &sha[..24]);
    let cache = "public, max-age=3600";
    if not_modified(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        // An SVG opened on its own may not run anything.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        ))
        .content_type(content_type)
        .body(bytes))
}
