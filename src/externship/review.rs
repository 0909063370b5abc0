//! The program's review: a queue of attested entries to approve or return with a note, one at
//! a time or in bulk. One transaction per review; every decision audited; approvals refresh
//! the learners' standing (and may complete their courses).

use std::collections::{HashMap, HashSet};

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use super::errors::invalid;
use super::input::{self, Review};
use super::standing;
use super::state::ReviewDecision;
use super::store::{attestations, entries, sites};
use super::views::{self, ReviewItem, ReviewResult};
use crate::accounts::Scope;
use crate::audit::{self, Actor, Event, Origin};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::cache::ContentCache;
use crate::learning::{self, Trigger};

/// The most decisions one review may carry.
pub const MAX_REVIEW: usize = 500;

/// One page of the queue within `scope` (a staff account: its cohorts' members), with whose
/// entries they are.
pub async fn queue(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    enrolment: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<ReviewItem>, i64)> {
    let (rows, total) = entries::review_queue(conn, scope, enrolment, limit, offset).await?;
    let enrolments: Vec<Uuid> = unique(rows.iter().map(|r| r.enrolment_id));
    let placements: Vec<Uuid> = unique(rows.iter().map(|r| r.placement_id));
    let requests: Vec<Uuid> = unique(rows.iter().filter_map(|r| r.attestation_id));
    let shared: &AsyncPgConnection = conn;
    let (labels, places, signed) = futures_util::try_join!(
        learning::labels(shared, &enrolments),
        sites::placements_by_ids(shared, &placements),
        attestations::by_ids(shared, &requests),
    )?;
    let labels: HashMap<Uuid, _> = labels.into_iter().map(|l| (l.enrolment_id, l)).collect();
    let places: HashMap<Uuid, _> = places.into_iter().map(|(p, s)| (p.id, (p, s))).collect();
    let signed: HashMap<Uuid, _> = signed.into_iter().map(|a| (a.id, a)).collect();
    let items = rows
        .iter()
        .map(|r| {
            let label = labels.get(&r.enrolment_id);
            let place = places.get(&r.placement_id);
            let request = r.attestation_id.and_then(|a| signed.get(&a));
            ReviewItem {
                entry: views::entry(r),
                enrolment_id: r.enrolment_id,
                learner_name: label.map(|l| l.learner_name.clone()).unwrap_or_default(),
                course_title: label.map(|l| l.course_title.clone()).unwrap_or_default(),
                site_name: place.map(|p| p.1.clone()).unwrap_or_default(),
                supervisor_name: place
                    .map(|p| p.0.supervisor_name.clone())
                    .unwrap_or_default(),
                signature_name: request.and_then(|a| a.signature_name.clone()),
            }
        })
        .collect();
    Ok((items, total))
}

fn unique(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.filter(|i| seen.insert(*i)).collect()
}

/// Checks the decisions: at most [`MAX_REVIEW`], each entry once, a note to return.
fn checked(body: &Review) -> AppResult<Vec<(Uuid, Option<String>)>> {
    if body.decisions.is_empty() || body.decisions.len() > MAX_REVIEW {
        return Err(invalid(
            "decisions",
            format!("Give 1 to {MAX_REVIEW} decisions."),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(body.decisions.len());
    for d in &body.decisions {
        if !seen.insert(d.entry_id) {
            return Err(invalid("decisions", "Each entry may be decided once."));
        }
        let note = match d.decision {
            ReviewDecision::Approve => None,
            ReviewDecision::Return => Some(input::required_text("note", d.note.as_deref())?),
        };
        out.push((d.entry_id, note));
    }
    Ok(out)
}

/// Applies a review by `reviewer` within `scope`: all or nothing (an entry not attested any
/// more, or outside the scope, refuses the whole review with 409 `not_attested`).
pub async fn decide(
    conn: &mut AsyncPgConnection,
    content: &ContentCache,
    origin: &Origin,
    reviewer: Uuid,
    scope: Scope,
    body: &Review,
) -> AppResult<ReviewResult> {
    let decisions = checked(body)?;
    let ids: Vec<Uuid> = decisions.iter().map(|d| d.0).collect();
    conn.transaction::<_, AppError, _>(async |tx| {
        let locked = entries::lock_attested(tx, scope, &ids).await?;
        if locked.len() != ids.len() {
            let found: HashSet<Uuid> = locked.iter().map(|r| r.id).collect();
            let missing: Vec<Uuid> = ids.iter().copied().filter(|i| !found.contains(i)).collect();
            return Err(AppError::conflict(
                ErrorCode::NotAttested,
                "Some entries are not waiting for review (not attested, already decided or \
                 amended): nothing was changed.",
            )
            .with_details(json!({ "entry_ids": missing })));
        }
        entries::review(tx, reviewer, &decisions).await?;
        let approved = decisions.iter().filter(|d| d.1.is_none()).count();
        let enrolment_of: HashMap<Uuid, Uuid> =
            locked.iter().map(|r| (r.id, r.enrolment_id)).collect();
        let touched: Vec<Uuid> = unique(
            decisions
                .iter()
                .filter(|d| d.1.is_none())
                .filter_map(|d| enrolment_of.get(&d.0).copied()),
        );
        let event = Event {
            actor: Actor::User(reviewer),
            action: "externship.reviewed",
            subject: None,
            details: json!({
                "approved": decisions.iter().filter(|d| d.1.is_none()).map(|d| d.0).collect::<Vec<_>>(),
                "returned": decisions.iter().filter(|d| d.1.is_some()).map(|d| d.0).collect::<Vec<_>>(),
            }),
        };
        audit::record(tx, origin, event).await?;
        let completed = standing::refresh(
            tx,
            content,
            origin,
            Actor::User(reviewer),
            &touched,
            Trigger::ExternshipApproved,
        )
        .await?;
        Ok(ReviewResult {
            approved,
            returned: decisions.len() - approved,
            completed,
        })
    })
    .await
}
