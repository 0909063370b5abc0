//! The autosave (`PUT /attempts/{id}/answers`): the answers are checked against their
//! questions and merged into what is saved, all of them or none.
//!
//! Two paths to the same statement ([`store::save_answers`]):
//! - **Drawn**: the process holds the attempt's draw (it started or showed the attempt: the
//!   question cache keeps each open attempt's positions, which never change). The answers are
//!   checked in memory, and the one statement checks everything else itself: the enrolment is
//!   open to the learner (learning's rule, [`crate::learning::enrolments_open_to`]), the
//!   attempt is open and within its deadline, and the questions saved into are at the revisions
//!   checked against. One round trip.
//! - **Checked**: anything else, and whenever the drawn path does not save (a refusal, a
//!   question changed, the deadline passed): the attempt, its enrolment and the positions saved
//!   into are read (`load_attempt_at`), every rule is applied with its own answer, then the
//!   statement runs. Two round trips. The drawn path never refuses on its own, so a refusal
//!   is always the checked path's.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::attempt::{Caches, drawn_positions, finish, load_attempt, load_attempt_at};
use super::{attempt_closed, expired, grace, key_index};
use crate::accounts::extract::CurrentUser;
use crate::audit::{Actor, Origin};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::Access;
use crate::quizzes::grading::{self, Layout, Spec};
use crate::quizzes::state::{AttemptState, ClosedReason};
use crate::quizzes::store::{self, AnswersChange, SaveGuard};
use crate::quizzes::views::{SaveResult, seconds_until};

/// One autosave request.
pub(super) struct Save<'a> {
    pub(super) attempt: Uuid,
    pub(super) entries: &'a Map<String, Value>,
    pub(super) now: DateTime<Utc>,
}

/// Saves `save`'s answers, by the drawn path when it can, else by the checked one.
pub(super) async fn save(
    caches: Caches<'_>,
    conn: &mut AsyncPgConnection,
    user: &CurrentUser,
    save: Save<'_>,
    origin: &Origin,
) -> AppResult<SaveResult> {
    if let Some(saved) = save_drawn(caches, conn, user, &save).await? {
        return Ok(saved);
    }
    save_checked(caches, conn, user, &save, origin).await
}

/// The position a canonical question key names (`"q3"` -> 3).
fn position(key: &str) -> Option<i32> {
    key_index(key, 'q', usize::MAX).and_then(|i| i32::try_from(i + 1).ok())
}

/// The drawn path: `None` when the process does not hold the draw, an answer does not check
/// out against it, or the statement saved nothing (the checked path answers those).
async fn save_drawn(
    caches: Caches<'_>,
    conn: &mut AsyncPgConnection,
    user: &CurrentUser,
    save: &Save<'_>,
) -> AppResult<Option<SaveResult>> {
    let Some(draw) = caches.questions.draw(save.attempt) else {
        return Ok(None);
    };
    let positions: Vec<i32> = save.entries.keys().filter_map(|k| position(k)).collect();
    let (Some(&low), Some(&high)) = (positions.iter().min(), positions.iter().max()) else {
        return Ok(None);
    };
    let question = |at: i32| {
        let d = draw.iter().find(|d| d.position == at)?;
        Some((&d.question.spec, &d.layout))
    };
    let Ok((patch, cleared)) = merge(save.entries, question) else {
        return Ok(None);
    };
    let in_range = draw.iter().filter(|d| (low..=high).contains(&d.position));
    let guard = SaveGuard {
        user: user.id,
        low,
        high,
        revisions: Some(in_range.map(|d| d.question.revision).sum()),
    };
    let patch = Value::Object(patch);
    let saved = store::save_answers(conn, change(save, &patch, cleared), &guard).await?;
    Ok(saved.and_then(|(saved_at, deadline)| {
        Some(SaveResult {
            saved: save.entries.len(),
            saved_at: saved_at?,
            deadline,
            seconds_left: seconds_until(deadline, save.now),
        })
    }))
}

/// The checked path: every rule applied from what is read, each refusal with its own answer.
async fn save_checked(
    caches: Caches<'_>,
    conn: &mut AsyncPgConnection,
    user: &CurrentUser,
    save: &Save<'_>,
    origin: &Origin,
) -> AppResult<SaveResult> {
    let (id, now) = (save.attempt, save.now);
    // Only the questions answered are read (a key naming no question finds no row).
    let positions: Vec<i32> = save.entries.keys().filter_map(|k| position(k)).collect();
    let loaded = load_attempt_at(caches, conn, user, id, Access::Learner, Some(&positions)).await?;
    if loaded.attempt.state != AttemptState::Open {
        return Err(attempt_closed(ClosedReason::Submitted));
    }
    loaded.enrolment.ensure_active(now)?;
    if expired(&loaded.attempt, now) {
        // Graded as of the deadline, on every question.
        let all = load_attempt(caches, conn, user, id, Access::Learner).await?;
        finish(caches, conn, all, now, origin, Actor::System).await?;
        return Err(attempt_closed(ClosedReason::Deadline));
    }
    // The positions read again replace those a drawn path holds (a question may have changed).
    caches
        .questions
        .refresh_draw(id, &drawn_positions(&loaded.questions));
    let question = |at: i32| {
        let p = loaded.questions.iter().find(|p| p.row.position == at)?;
        Some((&p.spec, &p.layout))
    };
    let (patch, cleared) = merge(save.entries, question)?;
    let guard = SaveGuard {
        user: user.id,
        low: 0,
        high: 0,
        revisions: None,
    };
    let patch = Value::Object(patch);
    let (saved_at, _) = store::save_answers(conn, change(save, &patch, cleared), &guard)
        .await?
        .ok_or_else(|| attempt_closed(ClosedReason::Submitted))?;
    Ok(SaveResult {
        saved: save.entries.len(),
        saved_at: saved_at.ok_or_else(|| attempt_closed(ClosedReason::Submitted))?,
        deadline: loaded.attempt.deadline,
        seconds_left: seconds_until(loaded.attempt.deadline, now),
    })
}

fn change<'a>(save: &Save<'_>, patch: &'a Value, cleared: Vec<String>) -> AnswersChange<'a> {
    AnswersChange {
        attempt: save.attempt,
        patch,
        cleared,
        at: save.now,
        cutoff: save.now - grace(),
    }
}

/// Checks every entry against its question (`question` finds a position's answer key and
/// layout): the answers to save in their stored form and the keys to clear, or the first
/// entry's refusal (422 `unknown_question` or `invalid_answer`).
fn merge<'q>(
    entries: &Map<String, Value>,
    question: impl Fn(i32) -> Option<(&'q Spec, &'q Layout)>,
) -> AppResult<(Map<String, Value>, Vec<String>)> {
    let mut patch = Map::new();
    let mut cleared = Vec::new();
    for (key, answer) in entries {
        let (spec, layout) = position(key).and_then(&question).ok_or_else(|| {
            AppError::unprocessable(
                ErrorCode::UnknownQuestion,
                format!("This attempt has no question {key:?}."),
            )
            .with_details(json!({ "question": key }))
        })?;
        if answer.is_null() {
            cleared.push(key.clone());
            continue;
        }
        let answer = grading::validate(spec, layout, answer).map_err(|reason| {
            AppError::unprocessable(
                ErrorCode::InvalidAnswer,
                format!(
                    "The answer to {key} does not fit a {} question: {reason}.",
                    spec.kind().replace('_', "/")
                ),
            )
            .with_details(json!({ "question": key, "reason": reason }))
        })?;
        patch.insert(key.clone(), answer);
    }
    Ok((patch, cleared))
}
