//! Course content cached per process: parsed outlines and lesson bodies.
//!
//! Every learning route needs the course's outline (modules, lessons, quizzes, completion
//! rules), stored as JSON text in `courses.outline`, and a lesson read needs the lesson's
//! rendered HTML. Both change only through an import: the outline with the course's content
//! `version` (an import that changes anything writes a new version), a lesson's body with its
//! `content_hash`. So the hot routes select the version and the hash only, and the content is
//! read, parsed or JSON-escaped once per process: a miss (first use, or a re-import since)
//! costs one keyed read.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::progress::Outline;
use crate::db::schema::{courses, lessons};
use crate::http::{AppError, AppResult};

/// Lesson bodies kept at most; past it the cache starts over (a course catalogue's lessons
/// fit many times over: a body is about 10 KB).
const MAX_BODIES: usize = 4096;

#[derive(Default)]
pub struct ContentCache {
    outlines: RwLock<HashMap<Uuid, (i32, Arc<Outline>)>>,
    bodies: RwLock<HashMap<Uuid, (String, Html)>>,
}

impl ContentCache {
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
        let outline = Arc::new(Outline::parse(&text).map_err(|e| {
            AppError::internal(anyhow::anyhow!(
                "outline of course {course} unreadable: {e}"
            ))
        })?);
        let mut map = self.outlines.write().unwrap_or_else(|e| e.into_inner());
        if let Some((v, newer)) = map.get(&course)
            && *v > found_version
        {
            return Ok(newer.clone());
        }
        map.insert(course, (found_version, outline.clone()));
        Ok(outline)
    }

    /// The body of `lesson` whose content hash is `hash`: from the cache, or read.
    pub async fn lesson_body(
        &self,
        conn: &AsyncPgConnection,
        lesson: Uuid,
        hash: &str,
    ) -> AppResult<Html> {
        {
            let map = self.bodies.read().unwrap_or_else(|e| e.into_inner());
            if let Some((h, body)) = map.get(&lesson)
                && h == hash
            {
                return Ok(body.clone());
            }
        }
        let (found_hash, html): (String, String) = lessons::table
            .find(lesson)
            .select((lessons::content_hash, lessons::body_html))
            .first(&mut &*conn)
            .await?;
        let body = Html::new(&html);
        let mut map = self.bodies.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_BODIES {
            map.clear();
        }
        map.insert(lesson, (found_hash, body.clone()));
        Ok(body)
    }
}

/// Rendered HTML held as an already-escaped JSON string, so sending it costs a copy.
#[derive(Debug, Clone)]
pub struct Html(Arc<RawValue>);

impl Html {
    pub fn new(html: &str) -> Html {
        let raw = serde_json::value::to_raw_value(html).expect("a string always serializes");
        Html(Arc::from(raw))
    }

    /// The HTML itself (unescaped).
    #[cfg(test)]
    pub fn to_html(&self) -> String {
        serde_json::from_str(self.0.get()).expect("holds a JSON string")
    }
}

impl Serialize for Html {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Html {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Html::new(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_sent_as_the_json_string_it_stands_for() {
        let html = "<p class=\"x\">Tubes: 1 &amp; 2\n\u{2028}</p>";
        let body = Html::new(html);
        let sent = serde_json::to_string(&body).unwrap();
        assert_eq!(sent, serde_json::to_string(html).unwrap());
        assert_eq!(body.to_html(), html);
        let back: Html = serde_json::from_str(&sent).unwrap();
        assert_eq!(back.to_html(), html);
    }
}
