//! Attestation requests and the competency ratings given on them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::super::state::{AttestationStatus, Rating};
use crate::db::schema::{externship_attestations as a, externship_competency_ratings as r};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AttestationRow {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub placement_id: Uuid,
    pub supervisor_name: String,
    pub supervisor_email: String,
    pub learner_name: String,
    pub course_title: String,
    pub entry_count: i32,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
    pub replaced_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub signature_name: Option<String>,
    pub decided_ip: Option<String>,
    pub decided_user_agent: Option<String>,
}

impl AttestationRow {
    pub fn status(&self, now: DateTime<Utc>) -> AttestationStatus {
        if self.decided_at.is_some() {
            AttestationStatus::Decided
        } else if self.voided_at.is_some() {
            AttestationStatus::Voided
        } else if self.expires_at <= now {
            AttestationStatus::Expired
        } else {
            AttestationStatus::Pending
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = a)]
pub struct NewAttestation {
    pub enrolment_id: Uuid,
    pub placement_id: Uuid,
    pub token_hash: Vec<u8>,
    pub supervisor_name: String,
    pub supervisor_email: String,
    pub learner_name: String,
    pub course_title: String,
    pub entry_count: i32,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    n: &NewAttestation,
) -> QueryResult<AttestationRow> {
    diesel::insert_into(a::table)
        .values(n)
        .returning(AttestationRow::as_returning())
        .get_result(conn)
        .await
}

/// The request a link's token hash opens, and whether it is the link a reminder replaced.
pub async fn by_token(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<(AttestationRow, bool)>> {
    let row: Option<(AttestationRow, Vec<u8>)> = a::table
        .filter(a::token_hash.eq(hash).or(a::previous_token_hash.eq(hash)))
        .select((AttestationRow::as_select(), a::token_hash))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(row, current)| (row, current != hash)))
}

/// An enrolment's request, locked.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    id: Uuid,
) -> QueryResult<Option<AttestationRow>> {
    a::table
        .filter(a::enrolment_id.eq(enrolment).and(a::id.eq(id)))
        .select(AttestationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<AttestationRow>> {
    a::table
        .find(id)
        .select(AttestationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Some requests (one query).
pub async fn by_ids(conn: &AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<AttestationRow>> {
    a::table
        .filter(a::id.eq_any(ids))
        .select(AttestationRow::as_select())
        .load(&mut &*conn)
        .await
}

/// An enrolment's requests, newest first.
pub async fn of_enrolment(
    conn: &AsyncPgConnection,
    enrolment: Uuid,
) -> QueryResult<Vec<AttestationRow>> {
    a::table
        .filter(a::enrolment_id.eq(enrolment))
        .select(AttestationRow::as_select())
        .order(a::created_at.desc())
        .load(&mut &*conn)
        .await
}

/// Consumes the link: the one statement that decides whether this use counts. Only a request
/// that is still pending (not decided, voided or expired) and opened by its current token is
/// marked decided; false otherwise.
pub async fn consume(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    hash: &[u8],
    signature: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> QueryResult<bool> {
    diesel::update(a::table.find(id))
        .filter(a::token_hash.eq(hash))
        .filter(a::decided_at.is_null())
        .filter(a::voided_at.is_null())
        .filter(a::expires_at.gt(diesel::dsl::now))
        .set((
            a::decided_at.eq(Utc::now()),
            a::signature_name.eq(signature),
            a::decided_ip.eq(ip),
            a::decided_user_agent.eq(user_agent),
        ))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// Voids a pending request (a resent link replaces it).
pub async fn void(conn: &mut AsyncPgConnection, id: Uuid, replaced_by: Uuid) -> QueryResult<bool> {
    diesel::update(a::table.find(id))
        .filter(a::decided_at.is_null())
        .filter(a::voided_at.is_null())
        .set((a::voided_at.eq(Utc::now()), a::replaced_by.eq(replaced_by)))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// A reminder's fresh link: the old token becomes the previous one. Only a pending request
/// not reminded yet; false otherwise.
pub async fn remind(conn: &mut AsyncPgConnection, id: Uuid, hash: &[u8]) -> QueryResult<bool> {
    diesel::update(a::table.find(id))
        .filter(a::decided_at.is_null())
        .filter(a::voided_at.is_null())
        .filter(a::reminded_at.is_null())
        .filter(a::expires_at.gt(diesel::dsl::now))
        .set((
            a::previous_token_hash.eq(a::token_hash.nullable()),
            a::token_hash.eq(hash),
            a::reminded_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = r)]
pub struct RatingRow {
    pub attestation_id: Uuid,
    pub enrolment_id: Uuid,
    pub competency: String,
    pub rating: Rating,
    pub comment: Option<String>,
}

pub async fn insert_ratings(conn: &mut AsyncPgConnection, rows: &[RatingRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(r::table)
        .values(rows)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The ratings given on some requests.
pub async fn ratings_of(
    conn: &AsyncPgConnection,
    attestations: &[Uuid],
) -> QueryResult<Vec<RatingRow>> {
    r::table
        .filter(r::attestation_id.eq_any(attestations))
        .select(RatingRow::as_select())
        .order((r::attestation_id.asc(), r::competency.asc()))
        .load(&mut &*conn)
        .await
}

/// Every rating of an enrolment's (for the export).
pub async fn ratings_of_enrolment(
    conn: &AsyncPgConnection,
    enrolment: Uuid,
) -> QueryResult<Vec<RatingRow>> {
    r::table
        .filter(r::enrolment_id.eq(enrolment))
        .select(RatingRow::as_select())
        .order((r::created_at.asc(), r::competency.asc()))
        .load(&mut &*conn)
        .await
}
