//! The completion engine: the one place a course becomes complete.
//!
//! Every change that can complete a course (a lesson completed, a quiz passed, an admin's
//! re-activation, an approved externship record) calls [`complete_if_met`] inside its own
//! transaction, after its own writes (or pipelined ahead of them: [`complete_after`]); a
//! lesson completion that provably cannot complete the course skips it ([`complete_lesson`],
//! the proof read under the same row lock). The engine locks the enrolment's row, reading with
//! it the completed-item counts the triggers keep there (`progress::Counts`): when they show a
//! requirement missing, as on all but the last steps of a course, it stops. Otherwise it
//! re-reads the progress facts under that lock (so the read sees whatever a concurrent trigger
//! committed before it), and when every requirement is met and the enrolment is active, marks
//! it completed, records the `enrolment.completed` audit event and enqueues the
//! `enrolment.completed` job, all in the caller's transaction. Triggers of
//! one enrolment take turns on the row lock, so whichever commits second sees the other's
//! work and a course completes exactly once.
//!
//! The job ([`JOB_KIND`], payload `{"enrolment_id"}`, dedupe key `enrolment.completed:<id>`)
//! is where work after completion goes. Under the enrolment's lock it runs the
//! [`AfterCompletion`] step a higher layer registers (credentials issues the certificate and
//! mails it), or else mails the learner their congratulations; either way once, checked and
//! recorded (the `enrolment.completion_mailed` audit event) in the same transaction.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::{OptionalExtension, QueryResult};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use url::Url;
use uuid::Uuid;

use super::fact_store;
use super::progress::{self, Facts, Outline};
use super::state::EnrolmentState;
use super::{progress_store, store};
use crate::audit::{self, Actor, Event, Origin};
use crate::db::DbPool;
use crate::jobs::{self, JobContext, JobError, KindSettings, NewJob, Registry};
use crate::mail::{self, templates};

/// The job enqueued when a course is completed.
pub const JOB_KIND: &str = "enrolment.completed";

/// The audit action that records the completion notice was queued (at most once).
const NOTICE_ACTION: &str = "enrolment.completion_mailed";

crate::text_enum! {
    /// What asked the engine to look (recorded in the audit event).
    pub enum Trigger {
        LessonCompleted = "lesson_completed",
        QuizPassed = "quiz_passed",
        Reactivated = "reactivated",
        ExternshipApproved = "externship_approved",
        CompetencyRated = "competency_rated",
    }
}

/// What the engine found.
#[derive(Debug, Clone)]
pub struct Completion {
    /// This call completed the course.
    pub completed: bool,
    /// The facts read under the lock (fresher than anything read before it), or `None` when
    /// the counts on the locked row already showed a requirement missing (no facts read).
    pub facts: Option<Facts>,
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
    let ((), done) = complete_after(
        shared,
        async { Ok(()) },
        enrolment,
        outline,
        origin,
        actor,
        trigger,
    )
    .await?;
    Ok(done)
}

/// [`complete_if_met`] with the trigger's own `writes` pipelined ahead of the lock: one round
/// trip for both (and one more for the facts when the counts allow completion). `tx` must be
/// in the caller's transaction (a shared reference to it, so that `writes` can use it too).
/// The statements go out in the order polled, `writes` first, so the lock's counts and the
/// facts read under it see them.
pub async fn complete_after<T>(
    tx: &AsyncPgConnection,
    writes: impl Future<Output = QueryResult<T>>,
    enrolment: Uuid,
    outline: &Outline,
    origin: &Origin,
    actor: Actor,
    trigger: Trigger,
) -> QueryResult<(T, Completion)> {
    let (written, locked) = futures_util::try_join!(writes, store::lock_standing(tx, enrolment))?;
    let not_yet = Completion {
        completed: false,
        facts: None,
    };
    let counts = progress::Counts {
        lessons_completed: locked.lessons_completed,
        quizzes_passed: locked.quizzes_passed,
        externship_met: locked.externship.met,
    };
    if locked.state != EnrolmentState::Active || counts.show_missing(outline) {
        return Ok((written, not_yet));
    }
    // The counts allow it: the facts decide (read under the lock, so they see every trigger
    // committed before it).
    let mut facts = fact_store::facts_of(tx, enrolment)
        .await?
        .facts(outline, None);
    facts.externship = locked.externship;
    if !progress::missing(outline, &facts).is_empty() {
        let done = Completion {
            completed: false,
            facts: Some(facts),
        };
        return Ok((written, done));
    }
    let completed = store::mark_completed(tx, enrolment).await?;
    if completed {
        let event = Event {
            actor,
            action: "enrolment.completed",
            subject: Some(("enrolment", enrolment.to_string())),
            details: json!({ "trigger": trigger }),
        };
        let job = NewJob::new(JOB_KIND, json!({ "enrolment_id": enrolment }))
            .dedupe_key(format!("{JOB_KIND}:{enrolment}"));
        futures_util::try_join!(
            audit::record_shared(tx, origin, event),
            jobs::enqueue_shared(tx, &job),
        )?;
    }
    let facts = Some(facts);
    Ok((written, Completion { completed, facts }))
}

/// The bounds under which one more completed lesson cannot complete `outline`'s course: the
/// counts of [`progress::Counts::show_missing`] with that lesson added still show a
/// requirement missing.
pub fn lesson_headroom(outline: &Outline) -> progress_store::Headroom {
    let rules = &outline.completion;
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    progress_store::Headroom {
        // No count is below 0: when lessons are not all required, they never show one missing.
        lessons_below: if rules.all_lessons {
            count(outline.lessons().count()) - 1
        } else {
            0
        },
        quizzes_below: count(outline.required_quizzes().len()),
        externship: rules.externship,
    }
}

/// A learner's completion of `lesson` (the lesson rows' trigger makes it the enrolment's resume
/// point when it is the first): one statement when the counts on the locked row show the
/// course cannot be complete after it (all but a course's last steps:
/// [`progress_store::complete_within_headroom`]), else a transaction of the completion and the
/// engine ([`complete_after`]). Returns the recorded completion time.
pub async fn complete_lesson(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    lesson: Uuid,
    outline: &Outline,
    origin: &Origin,
    actor: Actor,
) -> QueryResult<(DateTime<Utc>, Completion)> {
    let headroom = lesson_headroom(outline);
    if let Some(at) =
        progress_store::complete_within_headroom(conn, enrolment, lesson, headroom).await?
    {
        let not_yet = Completion {
            completed: false,
            facts: None,
        };
        return Ok((at, not_yet));
    }
    conn.transaction(async |tx| {
        let shared: &AsyncPgConnection = tx;
        complete_after(
            shared,
            progress_store::record_completion(shared, enrolment, lesson),
            enrolment,
            outline,
            origin,
            actor,
            Trigger::LessonCompleted,
        )
        .await
    })
    .await
}

/// What a completed enrolment's job tells the step that follows completion.
#[derive(Debug, Clone)]
pub struct Completed {
    pub enrolment: Uuid,
    pub course_title: String,
    pub email: String,
    pub name: String,
}

/// Work that follows a completion, registered by a higher layer (credentials). It runs in the
/// job's transaction with the enrolment locked and completed, at most once per enrolment, and
/// queues the learner's mail itself (in place of the plain congratulations).
pub trait AfterCompletion: Send + Sync + 'static {
    fn run<'a>(
        &'a self,
        tx: &'a mut AsyncPgConnection,
        completed: &'a Completed,
    ) -> BoxFuture<'a, Result<(), JobError>>;
}

/// Registers the `enrolment.completed` handler; links in its mail start at `public_url`.
/// With `after`, that step replaces the plain congratulations mail.
pub fn register(registry: &mut Registry, public_url: Url, after: Option<Arc<dyn AfterCompletion>>) {
    registry.register(JOB_KIND, KindSettings::default(), move |payload, ctx| {
        let public_url = public_url.clone();
        let after = after.clone();
        async move { on_completed(&ctx, &public_url, after.as_deref(), &payload).await }
    });
}

/// The `enrolment.completed` job: runs the step after completion (or queues the learner's
/// "you completed the course" mail), once per enrolment (the enrolment is locked, and the
/// notice recorded in the audit log in the same transaction, so a job run again after a lost
/// lease does nothing more).
async fn on_completed(
    ctx: &JobContext,
    public_url: &Url,
    after: Option<&dyn AfterCompletion>,
    payload: &Value,
) -> Result<(), JobError> {
    let id = payload
        .get("enrolment_id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Uuid>().ok())
        .ok_or_else(|| {
            JobError::permanent(format!("payload without an enrolment_id: {payload}"))
        })?;
    let db: &DbPool = &ctx.db;
    let mut conn = db.get().await?;
    conn.transaction::<_, JobError, _>(async |tx| {
        // The lock first: two runs of this job take turns, and the second sees the notice.
        if store::lock_state(tx, id).await.optional()?.is_none() {
            return Err(JobError::permanent(format!(
                "enrolment {id} does not exist"
            )));
        }
        let Some((state, title, email, name)) = store::completion_notice(tx, id).await? else {
            return Err(JobError::permanent(format!(
                "enrolment {id} does not exist"
            )));
        };
        let subject = ("enrolment", id.to_string());
        if state != EnrolmentState::Completed
            || audit::has_event(tx, NOTICE_ACTION, (subject.0, &subject.1)).await?
        {
            return Ok(());
        }
        match after {
            Some(step) => {
                let completed = Completed {
                    enrolment: id,
                    course_title: title,
                    email,
                    name,
                };
                step.run(tx, &completed).await?;
            }
            None => {
                let mail = templates::course_completed(public_url, &email, &name, &title, id);
                mail::enqueue(tx, &mail).await?;
            }
        }
        let event = Event {
            actor: Actor::System,
            action: NOTICE_ACTION,
            subject: Some(subject),
            details: json!({ "job": ctx.id }),
        };
        audit::record(tx, &Origin::default(), event).await?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::progress::Counts;

    fn outline(all_lessons: bool) -> Outline {
        Outline::parse(
            &json!({
                "sequential": false,
                "modules": [
                    {"slug": "m1", "title": "One", "lessons": [
                        {"slug": "a", "title": "A", "estimated_minutes": 5, "free_preview": false},
                        {"slug": "b", "title": "B", "estimated_minutes": 5, "free_preview": false},
                        {"slug": "c", "title": "C", "estimated_minutes": 5, "free_preview": false}],
                     "quiz": {"slug": "q1", "title": "Quiz one", "required": true, "pass_percent": 80}}
                ],
                "quizzes": [{"slug": "final", "title": "Final", "required": true, "pass_percent": 70}],
                "completion": {"all_lessons": all_lessons, "required_quizzes": ["q1", "final"], "externship": false},
                "externship": null
            })
            .to_string(),
        )
        .unwrap()
    }

    /// The single-statement completion may skip the engine only when the counts with that
    /// lesson added still show something missing, and it should skip it whenever they do.
    #[test]
    fn the_headroom_admits_exactly_the_counts_that_stay_incomplete_after_one_more_lesson() {
        for all_lessons in [true, false] {
            let o = outline(all_lessons);
            let h = lesson_headroom(&o);
            for lessons in 0..6 {
                for quizzes in 0..4 {
                    let admitted = lessons < h.lessons_below || quizzes < h.quizzes_below;
                    let after = Counts {
                        lessons_completed: lessons + 1,
                        quizzes_passed: quizzes,
                        externship_met: false,
                    };
                    assert_eq!(
                        admitted,
                        after.show_missing(&o),
                        "all_lessons {all_lessons}, {lessons} lessons, {quizzes} quizzes"
                    );
                }
            }
        }
        assert_eq!(lesson_headroom(&outline(true)).lessons_below, 2);
        assert_eq!(lesson_headroom(&outline(false)).lessons_below, 0);
    }
}
