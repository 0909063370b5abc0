//! The supervisor's side, without an account: the page behind an emailed link (a GET that only
//! shows, because mail scanners open links) and the decision (a POST that consumes the token
//! in one conditional UPDATE). A refused use (unknown, used, voided or expired link; entries
//! not on the request; unknown competencies) changes nothing and is audited.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use url::Url;
use uuid::Uuid;

use super::errors::{self, invalid};
use super::input::{self, AttestationDecision};
use super::standing;
use super::state::{AttestationStatus, Decision, EntryState};
use super::store::attestations::{self, AttestationRow, RatingRow};
use super::store::{entries, sites};
use super::views::{self, Competency, Department, SupervisorPage};
use crate::accounts::ClientInfo;
use crate::accounts::tokens::token_hash;
use crate::audit::{self, Actor, Event};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::access::{self, EnrolmentBrief};
use crate::learning::cache::ContentCache;
use crate::learning::{self, Trigger};
use crate::mail::{self, templates};

/// A request opened by its link, with the enrolment it belongs to.
struct Opened {
    row: AttestationRow,
    link_replaced: bool,
    enrolment: EnrolmentBrief,
}

async fn open(
    conn: &mut AsyncPgConnection,
    content: &ContentCache,
    token: &str,
) -> AppResult<Option<Opened>> {
    let Some((row, link_replaced)) = attestations::by_token(conn, &token_hash(token)).await? else {
        return Ok(None);
    };
    let Some(enrolment) = access::open_as_system(conn, content, row.enrolment_id).await? else {
        return Ok(None);
    };
    Ok(Some(Opened {
        row,
        link_replaced,
        enrolment,
    }))
}

fn status(o: &Opened) -> AttestationStatus {
    match o.row.status(Utc::now()) {
        AttestationStatus::Pending if o.link_replaced => AttestationStatus::Voided,
        s => s,
    }
}

/// The page behind link `token`.
pub async fn page(
    conn: &mut AsyncPgConnection,
    content: &ContentCache,
    token: &str,
) -> AppResult<SupervisorPage> {
    let o = open(conn, content, token)
        .await?
        .ok_or_else(errors::attestation_not_found)?;
    build_page(conn, &o).await
}

async fn build_page(conn: &mut AsyncPgConnection, o: &Opened) -> AppResult<SupervisorPage> {
    let shared: &AsyncPgConnection = conn;
    let ids = [o.row.id];
    let (placement, rows, ratings) = futures_util::try_join!(
        sites::placement(shared, o.row.placement_id),
        entries::of_attestation(shared, o.row.id),
        attestations::ratings_of(shared, &ids),
    )?;
    let (placement, site_name) = placement.ok_or_else(errors::attestation_not_found)?;
    let rules = o.enrolment.outline.externship.as_ref();
    Ok(SupervisorPage {
        status: status(o),
        link_replaced: o.link_replaced,
        learner_name: o.row.learner_name.clone(),
        course_title: o.row.course_title.clone(),
        site_name,
        supervisor_name: o.row.supervisor_name.clone(),
        placement_starts_on: placement.starts_on,
        placement_ends_on: placement.ends_on,
        sent_at: o.row.created_at,
        expires_at: o.row.expires_at,
        decided_at: o.row.decided_at,
        signature_name: o.row.signature_name.clone(),
        departments: rules
            .map(|r| {
                r.departments
                    .iter()
                    .map(|d| Department {
                        slug: d.slug.clone(),
                        name: d.name.clone(),
                        min_hours: d.min_hours,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        entries: rows.iter().map(views::entry).collect(),
        competencies: rules.map(competencies).unwrap_or_default(),
        ratings: ratings.iter().map(views::rating).collect(),
    })
}

pub fn competencies(r: &crate::learning::progress::ExternshipRules) -> Vec<Competency> {
    r.competencies
        .iter()
        .map(|c| Competency {
            slug: c.slug.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            observations: c.observations,
        })
        .collect()
}

/// The checked decision: attested IDs, rejected (ID, reason), ratings.
struct Checked {
    signature: String,
    attest: Vec<Uuid>,
    reject: Vec<(Uuid, String)>,
    ratings: Vec<input::CompetencyRating>,
}

fn check_body(body: &AttestationDecision) -> AppResult<Checked> {
    let signature = input::name("signature", &body.signature, 200)?;
    let mut seen = HashSet::new();
    let (mut attest, mut reject) = (Vec::new(), Vec::new());
    if body.decisions.len() > super::submit::MAX_BATCH {
        return Err(invalid("decisions", "Too many decisions."));
    }
    for d in &body.decisions {
        if !seen.insert(d.entry_id) {
            return Err(invalid("decisions", "Each entry may be decided once."));
        }
        match d.decision {
            Decision::Attest => attest.push(d.entry_id),
            Decision::Reject => {
                reject.push((
                    d.entry_id,
                    input::required_text("reason", d.reason.as_deref())?,
                ));
            }
        }
    }
    let mut slugs = HashSet::new();
    let mut ratings = Vec::new();
    for r in &body.competencies {
        if !slugs.insert(r.competency.clone()) {
            return Err(invalid(
                "competencies",
                "Each competency may be rated once.",
            ));
        }
        let mut r = r.clone();
        r.comment = input::text("comment", r.comment.as_deref())?;
        ratings.push(r);
    }
    if attest.is_empty() && reject.is_empty() && ratings.is_empty() {
        return Err(invalid(
            "decisions",
            "Decide at least one entry or rate a competency.",
        ));
    }
    Ok(Checked {
        signature,
        attest,
        reject,
        ratings,
    })
}

/// Records a refused use (in its own statement: the refusal changes nothing else) and
/// returns the error.
async fn refuse(
    conn: &mut AsyncPgConnection,
    client: &ClientInfo,
    request: Option<Uuid>,
    error: AppError,
    reason: &str,
) -> AppError {
    let event = Event {
        actor: Actor::Anonymous,
        action: "externship.attestation_refused",
        subject: request.map(|id| ("attestation", id.to_string())),
        details: json!({ "reason": reason, "user_agent": client.user_agent }),
    };
    match audit::record(conn, &client.origin, event).await {
        Ok(()) => error,
        Err(e) => e.into(),
    }
}

fn gone(code: ErrorCode, message: &'static str) -> AppError {
    AppError::new(StatusCode::GONE, code, message)
}

fn refusal(status: AttestationStatus) -> Option<(AppError, &'static str)> {
    match status {
        AttestationStatus::Pending => None,
        AttestationStatus::Decided => Some((
            AppError::conflict(
                ErrorCode::AttestationUsed,
                "This link has been used: the decision it carried is recorded.",
            ),
            "used",
        )),
        AttestationStatus::Voided => Some((
            gone(
                ErrorCode::AttestationVoided,
                "This link was replaced by a newer one: use the link in the latest email.",
            ),
            "voided",
        )),
        AttestationStatus::Expired => Some((
            gone(
                ErrorCode::AttestationExpired,
                "This link has expired. The learner can send you a new one.",
            ),
            "expired",
        )),
    }
}

/// Applies the supervisor's decision made through link `token`.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    content: &ContentCache,
    public_url: &Url,
    client: &ClientInfo,
    token: &str,
    body: &AttestationDecision,
) -> AppResult<SupervisorPage> {
    let Some(o) = open(conn, content, token).await? else {
        let e = errors::attestation_not_found();
        return Err(refuse(conn, client, None, e, "unknown_link").await);
    };
    if let Some((e, why)) = refusal(status(&o)) {
        return Err(refuse(conn, client, Some(o.row.id), e, why).await);
    }
    let checked = check_body(body)?;
    if let Err((e, why)) = check_against(conn, &o, &checked).await? {
        // A decision that landed meanwhile explains the mismatch better.
        let now = open(conn, content, token).await?;
        let (e, why) = now
            .as_ref()
            .and_then(|n| refusal(status(n)))
            .unwrap_or((e, why));
        return Err(refuse(conn, client, Some(o.row.id), e, why).await);
    }
    let hash = token_hash(token);
    let applied = apply(conn, content, public_url, client, &o, &hash, &checked).await;
    match applied {
        Err(e) if e.has_code(ErrorCode::AttestationUsed) => {
            Err(refuse(conn, client, Some(o.row.id), e, "used").await)
        }
        Err(e) => Err(e),
        Ok(()) => {
            let o = open(conn, content, token)
                .await?
                .ok_or_else(errors::attestation_not_found)?;
            build_page(conn, &o).await
        }
    }
}

type Refusal = (AppError, &'static str);

/// Every decided entry must be on this request and waiting; every rated competency must be
/// the course's.
async fn check_against(
    conn: &mut AsyncPgConnection,
    o: &Opened,
    c: &Checked,
) -> AppResult<Result<(), Refusal>> {
    let rows = entries::of_attestation(conn, o.row.id).await?;
    let waiting: HashSet<Uuid> = rows
        .iter()
        .filter(|r| r.state == EntryState::Submitted)
        .map(|r| r.id)
        .collect();
    let decided = c.attest.iter().chain(c.reject.iter().map(|r| &r.0));
    let foreign: Vec<Uuid> = decided
        .filter(|id| !waiting.contains(id))
        .copied()
        .collect();
    if !foreign.is_empty() {
        let e = AppError::unprocessable(
            ErrorCode::EntryNotInRequest,
            "Some entries are not on this request: nothing was recorded.",
        )
        .with_details(json!({ "entry_ids": foreign }));
        return Ok(Err((e, "entry_not_in_request")));
    }
    let known: HashSet<&str> = o
        .enrolment
        .outline
        .externship
        .as_ref()
        .map(|r| r.competencies.iter().map(|c| c.slug.as_str()).collect())
        .unwrap_or_default();
    if let Some(r) = c
        .ratings
        .iter()
        .find(|r| !known.contains(r.competency.as_str()))
    {
        let e = AppError::unprocessable(
            ErrorCode::UnknownCompetency,
            "This course has no competency with that name.",
        )
        .with_details(json!({ "competency": r.competency }));
        return Ok(Err((e, "unknown_competency")));
    }
    Ok(Ok(()))
}

/// The decision's writes, in one transaction that starts by consuming the link.
async fn apply(
    conn: &mut AsyncPgConnection,
    content: &ContentCache,
    public_url: &Url,
    client: &ClientInfo,
    o: &Opened,
    hash: &[u8],
    c: &Checked,
) -> AppResult<()> {
    let id = o.row.id;
    let enrolment = o.row.enrolment_id;
    conn.transaction::<_, AppError, _>(async |tx| {
        let ip = client.origin.client_addr.as_deref();
        let ua: Option<String> = client
            .user_agent
            .as_ref()
            .map(|u| u.chars().take(500).collect());
        if !attestations::consume(tx, id, hash, &c.signature, ip, ua.as_deref()).await? {
            return Err(AppError::conflict(
                ErrorCode::AttestationUsed,
                "This link has just been used: the decision it carried is recorded.",
            ));
        }
        entries::decide(tx, id, &c.attest, &c.reject).await?;
        let released = entries::release(tx, id).await?;
        let ratings: Vec<RatingRow> = c
            .ratings
            .iter()
            .map(|r| RatingRow {
                attestation_id: id,
                enrolment_id: enrolment,
                competency: r.competency.clone(),
                rating: r.rating,
                comment: r.comment.clone(),
            })
            .collect();
        attestations::insert_ratings(tx, &ratings).await?;
        let event = Event {
            actor: Actor::Anonymous,
            action: "externship.attested",
            subject: Some(("attestation", id.to_string())),
            details: json!({
                "enrolment_id": enrolment, "signature": c.signature,
                "attested": c.attest.len(), "rejected": c.reject.len(),
                "released": released, "ratings": ratings.len(),
                "user_agent": ua,
            }),
        };
        audit::record(tx, &client.origin, event).await?;
        let labels = learning::labels(tx, &[enrolment]).await?;
        if let Some(l) = labels.first() {
            let m = templates::attestation_decided(
                public_url,
                &l.learner_email,
                &l.learner_name,
                &c.signature,
                c.attest.len(),
                c.reject.len(),
                enrolment,
            );
            mail::enqueue(tx, &m).await?;
        }
        if !ratings.is_empty() {
            standing::refresh(
                tx,
                content,
                &client.origin,
                Actor::Anonymous,
                &[enrolment],
                Trigger::CompetencyRated,
            )
            .await?;
        }
        Ok(())
    })
    .await
}
