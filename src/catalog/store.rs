//! Catalog queries: published courses, their outlines and their images.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::{
    self,
    schema::{course_assets, courses},
};

#[derive(Debug, Serialize, Deserialize, ToSchema, Queryable)]
pub struct CourseSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// `beginner`, `intermediate` or `advanced`.
    pub level: String,
    pub estimated_hours: i32,
    pub contact_hours: f64,
    pub module_count: i32,
    pub lesson_count: i32,
    /// Whether the program includes a clinical externship.
    pub has_externship: bool,
}

/// One page of published courses by title whose title or summary contains every word of
/// `text` (case-insensitive, at most 8 words), and how many match in all.
pub async fn list_published(
    conn: &mut AsyncPgConnection,
    text: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<CourseSummary>, i64)> {
    let words: Vec<String> = text
        .map(|t| t.split_whitespace().take(8).map(db::like_pattern).collect())
        .unwrap_or_default();
    let filtered = || {
        let mut f = courses::table
            .filter(courses::published.eq(true))
            .into_boxed();
        for w in &words {
            f = f.filter(
                courses::title
                    .ilike(w.clone())
                    .or(courses::summary.ilike(w.clone())),
            );
        }
        f
    };
    // Two cached prepared statements: the page and the count.
    let items: Vec<CourseSummary> = filtered()
        .select((
            courses::slug,
            courses::title,
            courses::summary,
            courses::level,
            courses::estimated_hours,
            courses::contact_hours,
            courses::module_count,
            courses::lesson_count,
            courses::externship_total_hours.is_not_null(),
        ))
        .order((courses::title.asc(), courses::id.asc()))
        .limit(limit)
        .offset(offset)
        .load(conn)
        .await?;
    let total: i64 = if offset == 0 && (items.len() as i64) < limit {
        items.len() as i64
    } else {
        filtered().count().get_result(conn).await?
    };
    Ok((items, total))
}

/// A published course's content hash (which changes whenever its outline can).
pub async fn published_hash(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<String>> {
    courses::table
        .filter(courses::slug.eq(slug))
        .filter(courses::published.eq(true))
        .select(courses::content_hash)
        .first(conn)
        .await
        .optional()
}

/// A published course's stored outline (JSON text) and content hash.
pub async fn published_outline(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<(String, String)>> {
    courses::table
        .filter(courses::slug.eq(slug))
        .filter(courses::published.eq(true))
        .select((courses::outline, courses::content_hash))
        .first(conn)
        .await
        .optional()
}

/// An image of a published course.
#[derive(Debug, Queryable)]
pub struct Asset {
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

pub async fn published_asset(
    conn: &mut AsyncPgConnection,
    slug: &str,
    path: &str,
) -> QueryResult<Option<Asset>> {
    course_assets::table
        .inner_join(courses::table)
        .filter(courses::slug.eq(slug))
        .filter(courses::published.eq(true))
        .filter(course_assets::path.eq(path))
        .select((
            course_assets::content_type,
            course_assets::bytes,
            course_assets::sha256,
        ))
        .first(conn)
        .await
        .optional()
}
