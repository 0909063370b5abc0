//! The completion engine: the one place a course becomes complete.
//!
//! Every change that can complete a course (a lesson completed, a quiz passed, an admin's
//! re-activation, later an approved externship) calls [`complete_if_met`] inside its own
//! transaction, after its own writes. The engine locks the enrolment's row, re-reads the
//! progress facts under that lock (two statements pipelined: the lock first, so the read sees
//! whatever a concurrent trigger committed before it), and when every requirement is met and
//! the enrolment is active, marks it completed, records the `enrolment.completed` audit event
//! and enqueues the `enrolment.completed` job, all in the caller's transaction. Triggers of
//! one enrolment take turns on the row lock, so whichever commits second sees the other's
//! work and a course completes exactly once.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use serde_json::json;
use uuid::Uuid;

use super::progress::{self, Facts, Outline};
use super::state::EnrolmentState;
use super::store;
use crate::audit::{self, Actor, Event, Origin};

crate::text_enum! {
    /// What asked the engine to look (recorded in the audit event).
    pub enum Trigger {
        LessonCompleted = "lesson_completed",
        QuizPassed = "quiz_passed",
        Reactivated = "reactivated",
        ExternshipApproved = "externship_approved",
    }
}

/// What the engine found.
#[derive(Debug, Clone)]
pub struct Completion {
    /// This call completed the course.
    pub completed: bool,
    /// The facts read under the lock (fresher than anything read before it).
    pub facts: Facts,
}

/// In the caller's transaction: locks enrolment `enrolment`, re-reads its facts and completes
/// it when `outline`'s requirements are all met and it is active. Safe to call whenever in
/// doubt: it completes at most once.
pub async fn complete_if_met(
    tx: &mut AsyncPgConnection,
    enrolment: Uuid,
    outline: &Outline,
    origin: &Origin,
    actor: Actor,
    trigger: Trigger,
) -> QueryResult<Completion> {
    let shared: &AsyncPgConnection = tx;
    let ids = [enrolment];
    let (state, rows) = futures_util::try_join!(
        store::lock_state(shared, enrolment),
        store::facts_of(shared, &ids),
    )?;
    let facts = store::facts_for(&rows, enrolment, None);
    if state != EnrolmentState::Active || !progress::missing(outline, &facts).is_empty() {
        return Ok(Completion {
            completed: false,
            facts,
        });
    }
    let completed = store::mark_completed(shared, enrolment).await?;
    if completed {
        audit::record(
            tx,
            origin,
            Event {
                actor,
                action: "enrolment.completed",
                subject: Some(("enrolment", enrolment.to_string())),
                details: json!({ "trigger": trigger }),
            },
        )
        .await?;
    }
    Ok(Completion { completed, facts })
}
