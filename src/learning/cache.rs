//! Course content cached per process: parsed outlines and lessons as served.
//!
//! Every learning route needs the course's outline (modules, lessons, quizzes, completion
//! rules), stored as JSON text in `courses.outline`, and a lesson read needs the lesson's
//! title, objectives, estimated time and rendered HTML. Both change only through an import:
//! the outline with the course's content `version` (an import that changes anything writes a
//! new version). A lesson is checked by its `revision`, which the database sets afresh
//! whenever the row changes, by an import or anyone else (migration 2026-12-08-000001). So the
//! hot routes select the version and the revision only, and the content is read, parsed or
//! JSON-escaped once per process: a miss (first use, or a change since) costs one keyed read.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::fact_store::FactCache;
use super::progress::{Facts, Outline};
pub use super::raw::Raw;
use crate::db::schema::{courses, lessons, quizzes};
use crate::http::{AppError, AppResult};

/// Lessons kept at most; past it the cache starts over (a course catalogue's lessons fit many
/// times over: a body is about 10 KB).
const MAX_BODIES: usize = 4096;

/// Enrolment details kept at most; past it the cache starts over (a detail's progress part is
/// about 20 KB for a course of 60 lessons: 20 MB at most).
const MAX_DETAILS: usize = 1024;

#[derive(Default)]
pub struct ContentCache {
    outlines: RwLock<HashMap<Uuid, (i32, Arc<Outline>)>>,
    lessons: RwLock<HashMap<Uuid, Arc<LessonContent>>>,
    /// The learners' progress facts per enrolment, by version ([`super::fact_store`]).
    facts: FactCache,
    details: DetailBodies,
}

/// The progress part of each enrolment's detail (`views::DetailProgress`) as JSON, with the
/// outline and facts it was built from: a function of those two alone, so it is served again
/// while both are the same (the outline the same parsed one, the facts equal).
#[derive(Default)]
pub struct DetailBodies(RwLock<HashMap<Uuid, Arc<KeptDetail>>>);

struct KeptDetail {
    outline: Arc<Outline>,
    facts: Facts,
    json: Arc<str>,
}

impl DetailBodies {
    /// Enrolment `id`'s progress part as JSON: kept, or written by `write` (from `outline` and
    /// `facts` only) and kept.
    pub fn progress(
        &self,
        id: Uuid,
        outline: &Arc<Outline>,
        facts: &Facts,
        write: impl FnOnce() -> AppResult<String>,
    ) -> AppResult<Arc<str>> {
        {
            let map = self.0.read().unwrap_or_else(|e| e.into_inner());
            if let Some(kept) = map.get(&id)
                && Arc::ptr_eq(&kept.outline, outline)
                && kept.facts == *facts
            {
                return Ok(kept.json.clone());
            }
        }
        let json: Arc<str> = write()?.into();
        let kept = KeptDetail {
            outline: outline.clone(),
            facts: facts.clone(),
            json: json.clone(),
        };
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_DETAILS && !map.contains_key(&id) {
            map.clear();
        }
        map.insert(id, Arc::new(kept));
        Ok(json)
    }
}

/// A lesson's content as served, each part already in its JSON form: sending it costs copies.
#[derive(Debug)]
pub struct LessonContent {
    /// The `revision` this was read at.
    pub revision: i64,
    pub title: Raw,
    pub objectives: Raw,
    pub estimated_minutes: i32,
    pub body_html: Raw,
}

impl ContentCache {
    pub(super) fn facts(&self) -> &FactCache {
        &self.facts
    }

    pub(super) fn details(&self) -> &DetailBodies {
        &self.details
    }

    /// The outline of `course` at `version`: from the cache, or read and parsed.
    pub async fn outline(
        &self,
        conn: &AsyncPgConnection,
        course: Uuid,
        version: i32,
    ) -> AppResult<Arc<Outline>> {
        {
            let map = self.outlines.read().unwrap_or_else(|e| e.into_inner());
            if let Some((v, o)) = map.get(&course)
                && *v == version
            {
                return Ok(o.clone());
            }
        }
        // The course may have moved on since the caller's read: cache what is there now,
        // and serve it (the newer outline is the better answer).
        let (found_version, text): (i32, String) = courses::table
            .find(course)
            .select((courses::version, courses::outline))
            .first(&mut &*conn)
            .await?;
        let mut outline = Outline::parse(&text).map_err(|e| {
            AppError::internal(anyhow::anyhow!(
                "outline of course {course} unreadable: {e}"
            ))
        })?;
        // Every lesson and quiz the course has had (the progress facts name them by ID); a
        // newer import only adds to these, so reading them after the outline is safe.
        let lesson_ids = lessons::table
            .filter(lessons::course_id.eq(course))
            .select((lessons::id, lessons::slug));
        let quiz_ids = quizzes::table
            .filter(quizzes::course_id.eq(course))
            .select((quizzes::id, quizzes::slug));
        let items: Vec<(Uuid, String)> = lesson_ids.union_all(quiz_ids).load(&mut &*conn).await?;
        outline.name_items(items);
        let outline = Arc::new(outline);
        let mut map = self.outlines.write().unwrap_or_else(|e| e.into_inner());
        if let Some((v, newer)) = map.get(&course)
            && *v > found_version
        {
            return Ok(newer.clone());
        }
        map.insert(course, (found_version, outline.clone()));
        Ok(outline)
    }

    /// The content of `lesson` at `revision`: from the cache, or read.
    pub async fn lesson(
        &self,
        conn: &AsyncPgConnection,
        lesson: Uuid,
        revision: i64,
    ) -> AppResult<Arc<LessonContent>> {
        {
            let map = self.lessons.read().unwrap_or_else(|e| e.into_inner());
            if let Some(content) = map.get(&lesson)
                && content.revision == revision
            {
                return Ok(content.clone());
            }
        }
        let (revision, title, objectives, estimated_minutes, html): (
            i64,
            String,
            serde_json::Value,
            i32,
            String,
        ) = lessons::table
            .find(lesson)
            .select((
                lessons::revision,
                lessons::title,
                lessons::objectives,
                lessons::estimated_minutes,
                lessons::body_html,
            ))
            .first(&mut &*conn)
            .await?;
        let content = Arc::new(LessonContent {
            revision,
            title: Raw::of(&title),
            objectives: Raw::of(&objectives),
            estimated_minutes,
            body_html: Raw::of(&html),
        });
        let mut map = self.lessons.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_BODIES {
            map.clear();
        }
        map.insert(lesson, content.clone());
        Ok(content)
    }
}
