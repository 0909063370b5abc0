//! After anything that changes what counts (an approval, an amendment of an approved entry,
//! competency ratings), the learner's standing is recomputed from the aggregate, recorded on
//! the enrolment through learning, and the completion engine is asked to look: approving the
//! last needed record completes the course.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::requirements::{self, Summary};
use super::store::totals;
use crate::audit::{Actor, Origin};
use crate::http::AppResult;
use crate::learning::access::{self, EnrolmentBrief};
use crate::learning::cache::ContentCache;
use crate::learning::{self, Trigger};

/// The summary of an opened enrolment (two aggregate queries, pipelined). `None`: the course
/// has no externship.
pub async fn summary(
    conn: &AsyncPgConnection,
    enrolment: &EnrolmentBrief,
) -> AppResult<Option<Summary>> {
    let Some(rules) = enrolment.outline.externship.as_ref() else {
        return Ok(None);
    };
    let t = totals::totals(conn, enrolment.row.id).await?;
    Ok(Some(requirements::evaluate(rules, &t)))
}

/// In the caller's transaction: recomputes and records each enrolment's standing (in ID
/// order, so concurrent refreshes lock alike) and runs the completion engine. Returns the
/// enrolments this completed.
pub async fn refresh(
    tx: &mut AsyncPgConnection,
    content: &ContentCache,
    origin: &Origin,
    actor: Actor,
    enrolments: &[Uuid],
    trigger: Trigger,
) -> AppResult<Vec<Uuid>> {
    let mut ids = enrolments.to_vec();
    ids.sort();
    ids.dedup();
    let mut completed = Vec::new();
    for id in ids {
        let Some(enrolment) = access::open_as_system(tx, content, id).await? else {
            continue;
        };
        let Some(rules) = enrolment.outline.externship.as_ref() else {
            continue;
        };
        learning::lock_enrolment(tx, id).await?;
        let t = totals::totals(tx, id).await?;
        let s = requirements::evaluate(rules, &t);
        learning::record_externship(tx, id, &requirements::standing(&s, &t)).await?;
        let done =
            learning::complete_if_met(tx, id, &enrolment.outline, origin, actor, trigger).await?;
        if done.completed {
            completed.push(id);
        }
    }
    Ok(completed)
}
