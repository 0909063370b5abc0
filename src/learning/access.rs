//! The one way into an enrolment. Every route that acts on an enrolment (in learning, quizzes
//! and the features above them) opens it here: the row and its course, the course's cached
//! outline and the learner's progress facts, read in one round trip, after checking that the
//! caller may see it in the [`Access`] mode the route asks for. [`ensure_active`] is the one
//! "withdrawn or expired" check.

use std::future::Future;
use std::sync::Arc;

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use serde_json::json;
use uuid::Uuid;

use super::cache::ContentCache;
use super::fact_store::{self, FactArrays};
use super::progress::{Facts, Outline};
use super::state::EnrolmentState;
use super::store::{self, CourseBrief, EnrolmentRow, LessonRow};
use crate::accounts::{CurrentUser, Role, Scope};
use crate::http::{AppError, AppResult, ErrorCode};

/// Who may open an enrolment on a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only its learner: anything that changes the learner's record.
    Learner,
    /// Its learner, or an admin reading it.
    LearnerOrAdmin,
    /// Admins only (administration routes).
    Admin,
    /// The admin area's one rule (`accounts::staff`), with the caller's [`Scope`]: an admin
    /// (`Scope::All`), or a staff account that owns the enrolment's cohort. Whether a staff
    /// account owns it is one indexed read, pipelined with the enrolment's by [`open`],
    /// [`open_with`] and [`open_brief`]; a route that reads the row itself asks [`Access::permits`].
    Staff(Scope),
    /// Reading a learner's record: its learner, or the caller's admin-area scope (`None` for a
    /// learner account) under the same rule as [`Access::Staff`]: an admin, or a staff account
    /// that owns the enrolment's cohort.
    LearnerOrStaff(Option<Scope>),
}

impl Access {
    /// Whether `user` may open `row` this way, decided from the row alone. A staff account's
    /// `Staff` mode needs the database, so here it is always refused: use [`Access::permits`]
    /// (or [`open`], which reads it).
    pub fn allows(self, row: &EnrolmentRow, user: &CurrentUser) -> bool {
        self.decide(row, user, false)
    }

    /// Whether `user` may open `row` this way, reading the staff account's cohorts when the
    /// mode needs them (one indexed read; none for the other modes).
    pub async fn permits(
        self,
        conn: &AsyncPgConnection,
        row: &EnrolmentRow,
        user: &CurrentUser,
    ) -> QueryResult<bool> {
        let in_scope = self.in_scope(conn, row.id).await?;
        Ok(self.decide(row, user, in_scope))
    }

    /// `in_scope`: whether enrolment `row` is in a cohort the staff account of a `Staff`
    /// mode owns (as read by [`Access::in_scope`]).
    fn decide(self, row: &EnrolmentRow, user: &CurrentUser, in_scope: bool) -> bool {
        let own = row.user_id == user.id;
        match self {
            Access::Learner => own,
            Access::LearnerOrAdmin => own || user.role.is_admin(),
            Access::Admin => user.role.is_admin(),
            Access::Staff(scope) => Self::staff_decides(scope, user, in_scope),
            Access::LearnerOrStaff(scope) => {
                own || scope.is_some_and(|s| Self::staff_decides(s, user, in_scope))
            }
        }
    }

    /// The admin area's rule for `scope`: an admin, or the staff account itself when the
    /// enrolment is in one of its cohorts (`in_scope`).
    fn staff_decides(scope: Scope, user: &CurrentUser, in_scope: bool) -> bool {
        match scope {
            Scope::All => user.role.is_admin(),
            Scope::Cohorts { staff } => in_scope && staff == user.id && user.role == Role::Staff,
        }
    }

    /// For a staff account's `Staff` mode, whether enrolment `id` is in one of its cohorts;
    /// `false` without a read for every other mode.
    async fn in_scope(self, conn: &AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
        match self {
            Access::Staff(Scope::Cohorts { staff })
            | Access::LearnerOrStaff(Some(Scope::Cohorts { staff })) => {
                store::in_cohorts_of(conn, id, staff).await
            }
            _ => Ok(false),
        }
    }
}

/// An opened enrolment: everything a route needs to decide what the learner may do.
#[derive(Debug, Clone)]
pub struct EnrolmentContext {
    pub row: EnrolmentRow,
    pub course: CourseBrief,
    pub outline: Arc<Outline>,
    pub facts: Facts,
}

impl EnrolmentContext {
    /// The state as shown at `now` (an active enrolment past its access period is expired).
    pub fn state(&self, now: DateTime<Utc>) -> EnrolmentState {
        self.row.effective_state(now)
    }

    /// Refuses a withdrawn or expired enrolment (403 `enrolment_inactive`).
    pub fn ensure_active(&self, now: DateTime<Utc>) -> AppResult<()> {
        ensure_active(&self.row, now)
    }
}

/// An opened enrolment without the learner's progress facts: for routes that act on something
/// of the enrolment's (an attempt) and need only its state, course and outline.
#[derive(Debug, Clone)]
pub struct EnrolmentBrief {
    pub row: EnrolmentRow,
    pub course: CourseBrief,
    pub outline: Arc<Outline>,
}

impl EnrolmentBrief {
    /// The state as shown at `now` (an active enrolment past its access period is expired).
    pub fn state(&self, now: DateTime<Utc>) -> EnrolmentState {
        self.row.effective_state(now)
    }

    /// Refuses a withdrawn or expired enrolment (403 `enrolment_inactive`).
    pub fn ensure_active(&self, now: DateTime<Utc>) -> AppResult<()> {
        ensure_active(&self.row, now)
    }
}

impl From<EnrolmentContext> for EnrolmentBrief {
    fn from(ctx: EnrolmentContext) -> Self {
        EnrolmentBrief {
            row: ctx.row,
            course: ctx.course,
            outline: ctx.outline,
        }
    }
}

/// The 404 for an enrolment that does not exist or that the caller may not see (the same
/// answer, so IDs cannot be probed).
pub fn not_found() -> AppError {
    AppError::not_found("No enrolment of yours has this ID.")
}

/// Refuses a withdrawn or expired enrolment (403 `enrolment_inactive`, `details.state`).
pub fn ensure_active(row: &EnrolmentRow, now: DateTime<Utc>) -> AppResult<()> {
    let state = row.effective_state(now);
    if !state.is_inactive() {
        return Ok(());
    }
    let message = match state {
        EnrolmentState::Withdrawn => {
            "You withdrew from this course. Ask your program coordinator to re-activate it."
        }
        _ => {
            "Your access to this course has expired. Ask your program coordinator to re-activate it."
        }
    };
    Err(
        AppError::new(StatusCode::FORBIDDEN, ErrorCode::EnrolmentInactive, message)
            .with_details(json!({ "state": state })),
    )
}

/// Opens enrolment `id` for `user` (one statement: the enrolment with its course and its
/// progress facts). Not found, or not allowed by `access`: 404.
pub async fn open(
    conn: &AsyncPgConnection,
    content: &ContentCache,
    user: &CurrentUser,
    id: Uuid,
    access: Access,
) -> AppResult<EnrolmentContext> {
    let (ctx, ()) = open_with(conn, content, user, id, access, async { Ok(()) }).await?;
    Ok(ctx)
}

/// Opens enrolment `id` for `user` without its facts: one read (the enrolment with its
/// course). Not found, or not allowed by `access`: 404.
pub async fn open_brief(
    conn: &AsyncPgConnection,
    content: &ContentCache,
    user: &CurrentUser,
    id: Uuid,
    access: Access,
) -> AppResult<EnrolmentBrief> {
    let (brief, ()) = open_brief_with(conn, content, user, id, access, async { Ok(()) }).await?;
    Ok(brief)
}

/// [`open_brief`], with the caller's own read `extra` pipelined into the same round trip, on
/// the terms of [`open_with`]: it runs before access is decided and is returned only when
/// access is granted, so it must not change anything.
pub async fn open_brief_with<T>(
    conn: &AsyncPgConnection,
    content: &ContentCache,
    user: &CurrentUser,
    id: Uuid,
    access: Access,
    extra: impl Future<Output = QueryResult<T>>,
) -> AppResult<(EnrolmentBrief, T)> {
    let (found, extra, in_scope) = futures_util::try_join!(
        store::enrolment_with_course(conn, id),
        extra,
        access.in_scope(conn, id),
    )?;
    let (row, course) = authorise(found, user, access, in_scope)?;
    let outline = content.outline(conn, course.id, course.version).await?;
    let brief = EnrolmentBrief {
        row,
        course,
        outline,
    };
    Ok((brief, extra))
}

/// Opens enrolment `id` without an account's access check, for a route authorised by
/// something else: a supervisor's single-use attestation link, or a job. One read; `None` when
/// it does not exist.
pub async fn open_as_system(
    conn: &AsyncPgConnection,
    content: &ContentCache,
    id: Uuid,
) -> AppResult<Option<EnrolmentBrief>> {
    let Some((row, course)) = store::enrolment_with_course(conn, id).await? else {
        return Ok(None);
    };
    let outline = content.outline(conn, course.id, course.version).await?;
    Ok(Some(EnrolmentBrief {
        row,
        course,
        outline,
    }))
}

/// [`open`], with the caller's own read `extra` pipelined into the same round trip. `extra`
/// cannot depend on the enrolment, and it runs before access is decided: its result is only
/// returned when access is granted, so it must not change anything.
pub async fn open_with<T>(
    conn: &AsyncPgConnection,
    content: &ContentCache,
    user: &CurrentUser,
    id: Uuid,
    access: Access,
    extra: impl Future<Output = QueryResult<T>>,
) -> AppResult<(EnrolmentContext, T)> {
    let (found, extra, in_scope) = futures_util::try_join!(
        fact_store::enrolment_with_facts(conn, content.facts(), id, None),
        extra,
        access.in_scope(conn, id),
    )?;
    let (ctx, _) = assemble(conn, content, user, access, in_scope, found).await?;
    Ok((ctx, extra))
}

/// [`open`] with one live lesson of the course, in the same statement as the enrolment and
/// its facts (the lesson routes' hot path). `None`: the course has no live lesson with that
/// slug.
pub(super) async fn open_with_lesson(
    conn: &AsyncPgConnection,
    content: &ContentCache,
    user: &CurrentUser,
    id: Uuid,
    access: Access,
    lesson: &str,
) -> AppResult<(EnrolmentContext, Option<LessonRow>)> {
    let (found, in_scope) = futures_util::try_join!(
        fact_store::enrolment_with_facts(conn, content.facts(), id, Some(lesson)),
        access.in_scope(conn, id),
    )?;
    assemble(conn, content, user, access, in_scope, found).await
}

/// The opened enrolment from its row, if `user` may open it (else 404), with the outline
/// from the cache naming its facts.
async fn assemble(
    conn: &AsyncPgConnection,
    content: &ContentCache,
    user: &CurrentUser,
    access: Access,
    in_scope: bool,
    found: Option<(
        EnrolmentRow,
        CourseBrief,
        Option<LessonRow>,
        Arc<FactArrays>,
    )>,
) -> AppResult<(EnrolmentContext, Option<LessonRow>)> {
    let (row, course, lesson, arrays) = found
        .filter(|(row, ..)| access.decide(row, user, in_scope))
        .ok_or_else(not_found)?;
    let outline = content.outline(conn, course.id, course.version).await?;
    let mut facts = arrays.facts(&outline, row.last_lesson_id);
    facts.externship = row.externship_standing();
    let ctx = EnrolmentContext {
        row,
        course,
        outline,
        facts,
    };
    Ok((ctx, lesson))
}

/// The enrolment found, if `user` may open it this way (else the same 404 as a missing one);
/// `in_scope` as [`Access::in_scope`] read it.
fn authorise(
    found: Option<(EnrolmentRow, CourseBrief)>,
    user: &CurrentUser,
    access: Access,
    in_scope: bool,
) -> AppResult<(EnrolmentRow, CourseBrief)> {
    found
        .filter(|(row, _)| access.decide(row, user, in_scope))
        .ok_or_else(not_found)
}
