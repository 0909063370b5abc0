//! Questions as drawn into attempts, read and parsed once per process: an attempt's rows name
//! their questions by ID and `revision` (which the database sets afresh whenever the row
//! changes, by an import or anyone else: migration 2026-12-08-000001), so the hot routes
//! (autosave, submit, the attempt view) select the revision only and take the question with
//! its parsed answer key ([`Spec`]) from here. A miss (first use, or a change to the question)
//! costs one keyed read for all the missing questions.
//!
//! Beside them it keeps which enrolment each attempt seen belongs to, which never changes: an
//! attempt route that knows it opens the enrolment in the same round trip as it reads the
//! attempt. And for the open attempts this process started or showed, their draw (each
//! position's question and layout, fixed at start): an autosave into one of them checks its
//! answers here and saves in one statement that checks the rest (access, state, deadline,
//! the questions' revisions) itself.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::Value;
use uuid::Uuid;

use super::grading::{Layout, Spec};
use super::store::{self, PositionRow, QuestionRow};
use super::texts::{inline_html, plain_text};
use crate::http::{AppError, AppResult};
use crate::learning::cache::Raw;

/// Questions kept at most; past it the cache starts over (a question is a few KB: a catalogue's
/// question banks fit several times over).
const MAX_QUESTIONS: usize = 16_384;

/// Attempts whose enrolment is kept at most (32 bytes each and the map's own); past it that map
/// starts over.
const MAX_ATTEMPTS: usize = 65_536;

/// Open attempts whose draw is kept at most (about 150 bytes a position, so 8 KB for 50
/// questions: 16 MB in all); past it that map starts over, and an autosave into an attempt no
/// longer held takes the checked path (it reads the positions it saves).
const MAX_DRAWS: usize = 2_048;

/// One position of an open attempt as drawn: what an autosave checks an answer against.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub position: i32,
    /// The attempt's layout of the question, fitted to `question`'s answer key.
    pub layout: Layout,
    /// The question at the revision the layout was fitted to.
    pub question: Arc<CachedQuestion>,
}

/// An open attempt's positions, in order.
pub type Draw = Arc<Vec<Drawn>>;

/// A question as stored, with its answer key parsed and its texts as shown.
#[derive(Debug)]
pub struct CachedQuestion {
    /// The `revision` this was read at.
    pub revision: i64,
    pub row: QuestionRow,
    pub spec: Spec,
    pub shown: Shown,
}

/// What an attempt shows of a question, each text already a JSON string, by its index in the
/// answer key (the attempt's layout picks and orders them).
#[derive(Debug, Default)]
pub struct Shown {
    pub prompt_html: Raw,
    /// single and multiple: each choice's inline HTML.
    pub choices: Vec<Raw>,
    /// matching: the left entries, and the right ones (the pairs', then the distractors).
    pub left: Vec<Raw>,
    pub right: Vec<Raw>,
    /// ordering: the items.
    pub items: Vec<Raw>,
    /// numeric: the unit.
    pub unit: Option<String>,
}

impl Shown {
    fn of(spec: &Value, prompt_html: &str) -> Shown {
        let texts = |field: &str, key: Option<&str>, show: fn(&str) -> String| -> Vec<Raw> {
            let list = spec.get(field).and_then(Value::as_array);
            list.into_iter()
                .flatten()
                .map(|v| key.map_or(v, |k| &v[k]))
                .map(|v| Raw::of(&show(v.as_str().unwrap_or_default())))
                .collect()
        };
        let mut right = texts("pairs", Some("right"), plain_text);
        right.extend(texts("distractors", None, plain_text));
        Shown {
            prompt_html: Raw::of(prompt_html),
            choices: texts("choices", Some("html"), inline_html),
            left: texts("pairs", Some("left"), plain_text),
            right,
            items: texts("items", None, plain_text),
            unit: spec.get("unit").and_then(Value::as_str).map(str::to_string),
        }
    }
}

impl CachedQuestion {
    pub fn parse(revision: i64, row: QuestionRow) -> AppResult<CachedQuestion> {
        let spec = Spec::parse(&row.kind, &row.spec).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "question {} has an unreadable spec",
                row.id
            ))
        })?;
        let shown = Shown::of(&row.spec, &row.prompt_html);
        Ok(CachedQuestion {
            revision,
            row,
            spec,
            shown,
        })
    }
}

/// One position of an attempt with its question.
#[derive(Debug, Clone)]
pub struct AttemptQuestionRow {
    pub position: i32,
    pub layout: Value,
    pub answer: Option<Value>,
    pub credit: Option<f64>,
    /// The question was must-pass when drawn: getting it wrong fails the attempt.
    pub must_pass: bool,
    pub question: Arc<CachedQuestion>,
}

impl AttemptQuestionRow {
    pub fn new(question: Arc<CachedQuestion>, row: PositionRow) -> AttemptQuestionRow {
        AttemptQuestionRow {
            position: row.position,
            layout: row.layout,
            answer: row.answer,
            credit: row.credit,
            must_pass: row.must_pass,
            question,
        }
    }
}

#[derive(Default)]
pub struct QuestionCache {
    questions: RwLock<HashMap<Uuid, Arc<CachedQuestion>>>,
    /// Attempt ID to its `enrolment_id` (set when the attempt is created, never changed).
    enrolments: RwLock<HashMap<Uuid, Uuid>>,
    /// Open attempt ID to its draw.
    draws: RwLock<HashMap<Uuid, Draw>>,
}

impl QuestionCache {
    /// An attempt's positions with their questions, in order.
    pub async fn positions(
        &self,
        conn: &diesel_async::AsyncPgConnection,
        rows: Vec<PositionRow>,
    ) -> AppResult<Vec<AttemptQuestionRow>> {
        let wanted: Vec<(Uuid, i64)> = rows.iter().map(|r| (r.question_id, r.revision)).collect();
        let questions = self.questions(conn, &wanted).await?;
        Ok(rows
            .into_iter()
            .zip(questions)
            .map(|(row, question)| AttemptQuestionRow::new(question, row))
            .collect())
    }

    /// The questions `wanted` names (ID and revision), in its order: from the cache, the
    /// missing ones read in one query and kept.
    async fn questions(
        &self,
        conn: &diesel_async::AsyncPgConnection,
        wanted: &[(Uuid, i64)],
    ) -> AppResult<Vec<Arc<CachedQuestion>>> {
        let mut found = self.held(wanted);
        let missing: Vec<Uuid> = wanted
            .iter()
            .filter(|(id, _)| !found.contains_key(id))
            .map(|(id, _)| *id)
            .collect();
        if !missing.is_empty() {
            for (revision, row) in store::questions_by_id(conn, &missing).await? {
                let question = Arc::new(CachedQuestion::parse(revision, row)?);
                self.put(question.clone());
                found.insert(question.row.id, question);
            }
        }
        // A question changed between the two reads is served as read (the newer one).
        wanted
            .iter()
            .map(|(id, _)| {
                found.get(id).cloned().ok_or_else(|| {
                    AppError::internal(anyhow::anyhow!("question {id} of an attempt is gone"))
                })
            })
            .collect()
    }

    fn held(&self, wanted: &[(Uuid, i64)]) -> HashMap<Uuid, Arc<CachedQuestion>> {
        let map = self.questions.read().unwrap_or_else(|e| e.into_inner());
        wanted
            .iter()
            .filter_map(|(id, revision)| {
                map.get(id)
                    .filter(|q| q.revision == *revision)
                    .map(|q| (*id, q.clone()))
            })
            .collect()
    }

    /// The enrolment of `attempt`, when this process has seen the attempt.
    pub fn enrolment_of(&self, attempt: Uuid) -> Option<Uuid> {
        let map = self.enrolments.read().unwrap_or_else(|e| e.into_inner());
        map.get(&attempt).copied()
    }

    /// Keeps the enrolment an attempt was read with.
    pub fn remember_enrolment(&self, attempt: Uuid, enrolment: Uuid) {
        let mut map = self.enrolments.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ATTEMPTS {
            map.clear();
        }
        map.insert(attempt, enrolment);
    }

    /// The draw of open attempt `attempt`, when this process holds it.
    pub fn draw(&self, attempt: Uuid) -> Option<Draw> {
        let map = self.draws.read().unwrap_or_else(|e| e.into_inner());
        map.get(&attempt).cloned()
    }

    /// Keeps the whole draw of an open attempt (every position, in order).
    pub fn remember_draw(&self, attempt: Uuid, draw: Vec<Drawn>) {
        let mut map = self.draws.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_DRAWS && !map.contains_key(&attempt) {
            map.clear();
        }
        map.insert(attempt, Arc::new(draw));
    }

    /// Replaces the held positions of `attempt` found in `fresh` (read again, a question may
    /// have changed); an attempt not held stays so.
    pub fn refresh_draw(&self, attempt: Uuid, fresh: &[Drawn]) {
        let mut map = self.draws.write().unwrap_or_else(|e| e.into_inner());
        let Some(held) = map.get_mut(&attempt) else {
            return;
        };
        let positions = Arc::make_mut(held);
        for f in fresh {
            if let Some(d) = positions.iter_mut().find(|d| d.position == f.position) {
                *d = f.clone();
            }
        }
    }

    /// Drops the draw of an attempt that is no longer open.
    pub fn forget_draw(&self, attempt: Uuid) {
        let mut map = self.draws.write().unwrap_or_else(|e| e.into_inner());
        map.remove(&attempt);
    }

    fn put(&self, question: Arc<CachedQuestion>) {
        let mut map = self.questions.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_QUESTIONS && !map.contains_key(&question.row.id) {
            map.clear();
        }
        map.insert(question.row.id, question);
    }
}
