//! Log entries: shifts and collection attempts, one table and one state machine.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::super::rules::NearbyShift;
use super::super::state::{AgeGroup, CollectionMethod, CollectionType, EntryKind, EntryState};
use crate::accounts::Scope;
use crate::accounts::staff::owned_enrolments;
use crate::db::schema::externship_entries as e;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = e)]
pub struct EntryRow {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub placement_id: Uuid,
    pub kind: EntryKind,
    pub client_id: Uuid,
    pub client_seq: i32,
    pub occurred_on: NaiveDate,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub minutes: Option<i32>,
    pub department: Option<String>,
    pub activities: Option<String>,
    pub shift_id: Option<Uuid>,
    pub collection_type: Option<CollectionType>,
    pub method: Option<CollectionMethod>,
    pub age_group: Option<AgeGroup>,
    pub successful: Option<bool>,
    pub unaided: Option<bool>,
    pub notes: Option<String>,
    pub state: EntryState,
    pub attestation_id: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub rejected_reason: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<Uuid>,
    pub review_note: Option<String>,
    pub amends_id: Option<Uuid>,
    pub amend_reason: Option<String>,
    pub superseded_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an entry says: a shift's or a collection's columns (the other kind's `None`). It is
/// both what an insert writes and what a draft's edit replaces (`None` clears a column).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = e, treat_none_as_null = true)]
pub struct EntryBody {
    pub placement_id: Uuid,
    pub occurred_on: NaiveDate,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub department: Option<String>,
    pub activities: Option<String>,
    pub shift_id: Option<Uuid>,
    pub collection_type: Option<CollectionType>,
    pub method: Option<CollectionMethod>,
    pub age_group: Option<AgeGroup>,
    pub successful: Option<bool>,
    pub unaided: Option<bool>,
    pub notes: Option<String>,
}

/// A new entry: whose, which kind, its client key, what it says and what it amends.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = e)]
pub struct NewEntry {
    pub enrolment_id: Uuid,
    pub kind: EntryKind,
    pub client_id: Uuid,
    pub client_seq: i32,
    #[diesel(embed)]
    pub body: EntryBody,
    pub amends_id: Option<Uuid>,
    pub amend_reason: Option<String>,
}

/// Constraint names the handlers map to their codes.
pub const NO_OVERLAP: &str = "externship_entries_no_overlap";
pub const CLIENT_KEY: &str = "externship_entries_enrolment_id_client_id_client_seq_key";
pub const AMENDS_KEY: &str = "externship_entries_amends_id_key";

/// Every entry of an enrolment, in the order they happened.
pub async fn entries_of(conn: &AsyncPgConnection, enrolment: Uuid) -> QueryResult<Vec<EntryRow>> {
    e::table
        .filter(e::enrolment_id.eq(enrolment))
        .select(EntryRow::as_select())
        .order((
            e::occurred_on.asc(),
            e::starts_at.asc().nulls_last(),
            e::created_at.asc(),
            e::client_seq.asc(),
        ))
        .load(&mut &*conn)
        .await
}

/// How many current (not superseded) entries stand in each state.
pub async fn state_counts(
    conn: &AsyncPgConnection,
    enrolment: Uuid,
) -> QueryResult<Vec<(EntryState, i64)>> {
    e::table
        .filter(e::enrolment_id.eq(enrolment))
        .filter(e::superseded_at.is_null())
        .group_by(e::state)
        .select((e::state, count_star()))
        .load(&mut &*conn)
        .await
}

/// One entry of an enrolment (another enrolment's is not found).
pub async fn entry(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    id: Uuid,
) -> QueryResult<Option<EntryRow>> {
    e::table
        .filter(e::enrolment_id.eq(enrolment).and(e::id.eq(id)))
        .select(EntryRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// One entry, locked for the rest of the transaction.
pub async fn lock_entry(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    id: Uuid,
) -> QueryResult<Option<EntryRow>> {
    e::table
        .filter(e::enrolment_id.eq(enrolment).and(e::id.eq(id)))
        .select(EntryRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The entries an earlier request with this client ID stored (a replay).
pub async fn by_client(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    client_id: Uuid,
) -> QueryResult<Vec<EntryRow>> {
    e::table
        .filter(
            e::enrolment_id
                .eq(enrolment)
                .and(e::client_id.eq(client_id)),
        )
        .select(EntryRow::as_select())
        .order(e::client_seq.asc())
        .load(conn)
        .await
}

/// The learner's counted shifts starting within a day of `date` (for overlap and the daily
/// maximum), without `except` (the draft being edited or the entry being amended).
pub async fn shifts_near(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    date: NaiveDate,
    except: Option<Uuid>,
) -> QueryResult<Vec<NearbyShift>> {
    let rows: Vec<(Uuid, Option<NaiveDateTime>, Option<NaiveDateTime>)> = e::table
        .filter(e::enrolment_id.eq(enrolment))
        .filter(e::kind.eq(EntryKind::Shift))
        .filter(e::superseded_at.is_null())
        .filter(e::state.ne_all([EntryState::Rejected, EntryState::Returned]))
        .filter(e::occurred_on.between(date - Duration::days(1), date + Duration::days(1)))
        .select((e::id, e::starts_at, e::ends_at))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(id, _, _)| Some(*id) != except)
        .filter_map(|(id, a, b)| {
            Some(NearbyShift {
                id,
                starts_at: a?,
                ends_at: b?,
            })
        })
        .collect())
}

/// Counted collection attempts in a shift, or (without one) on a day outside any shift.
pub async fn collections_count(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    shift: Option<Uuid>,
    date: NaiveDate,
    except: Option<Uuid>,
) -> QueryResult<i64> {
    let mut q = e::table
        .filter(e::enrolment_id.eq(enrolment))
        .filter(e::kind.eq(EntryKind::Collection))
        .filter(e::superseded_at.is_null())
        .filter(e::state.ne_all([EntryState::Rejected, EntryState::Returned]))
        .select(count_star())
        .into_boxed();
    q = match shift {
        Some(s) => q.filter(e::shift_id.eq(s)),
        None => q.filter(e::shift_id.is_null().and(e::occurred_on.eq(date))),
    };
    if let Some(x) = except {
        q = q.filter(e::id.ne(x));
    }
    q.first(conn).await
}

/// Inserts entries in one statement, returning them in `client_seq` order.
pub async fn insert(conn: &mut AsyncPgConnection, rows: &[NewEntry]) -> QueryResult<Vec<EntryRow>> {
    let mut out: Vec<EntryRow> = diesel::insert_into(e::table)
        .values(rows)
        .returning(EntryRow::as_returning())
        .get_results(conn)
        .await?;
    out.sort_by_key(|r| r.client_seq);
    Ok(out)
}

/// Replaces what a draft says (nothing when it is no longer one).
pub async fn update_draft(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &EntryBody,
) -> QueryResult<Option<EntryRow>> {
    diesel::update(e::table.find(id))
        .filter(e::state.eq(EntryState::Draft))
        .set((changes, e::updated_at.eq(Utc::now())))
        .returning(EntryRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Deletes a draft (and collections of a draft shift go with their link cleared).
pub async fn delete_draft(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::update(e::table.filter(e::shift_id.eq(id)))
        .set(e::shift_id.eq(None::<Uuid>))
        .execute(conn)
        .await?;
    diesel::delete(e::table.find(id).filter(e::state.eq(EntryState::Draft)))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// Marks an entry superseded by an amendment (once).
pub async fn supersede(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::update(e::table.find(id).filter(e::superseded_at.is_null()))
        .set(e::superseded_at.eq(Utc::now()))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// The learner's drafts at a placement (all of them, or those among `only`), locked.
pub async fn lock_drafts(
    conn: &mut AsyncPgConnection,
    enrolment: Uuid,
    placement: Uuid,
    only: Option<&[Uuid]>,
) -> QueryResult<Vec<EntryRow>> {
    let all = only.is_none();
    let ids: Vec<Uuid> = only.map(<[Uuid]>::to_vec).unwrap_or_default();
    e::table
        .filter(e::enrolment_id.eq(enrolment))
        .filter(e::placement_id.eq(placement))
        .filter(e::state.eq(EntryState::Draft))
        .filter(e::superseded_at.is_null())
        .filter(all.into_sql::<Bool>().or(e::id.eq_any(ids)))
        .select(EntryRow::as_select())
        .order((e::occurred_on.asc(), e::created_at.asc()))
        .for_update()
        .load(conn)
        .await
}

/// Drafts -> submitted on attestation request `attestation` (one statement).
pub async fn mark_submitted(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    attestation: Uuid,
) -> QueryResult<usize> {
    diesel::update(
        e::table
            .filter(e::id.eq_any(ids))
            .filter(e::state.eq(EntryState::Draft)),
    )
    .set((
        e::state.eq(EntryState::Submitted),
        e::attestation_id.eq(attestation),
        e::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .await
}

/// Moves the submitted entries of one request to its replacement (a resent link).
pub async fn move_to(conn: &mut AsyncPgConnection, from: Uuid, to: Uuid) -> QueryResult<usize> {
    diesel::update(
        e::table
            .filter(e::attestation_id.eq(from))
            .filter(e::state.eq(EntryState::Submitted)),
    )
    .set(e::attestation_id.eq(to))
    .execute(conn)
    .await
}

/// The entries of one attestation request.
pub async fn of_attestation(
    conn: &AsyncPgConnection,
    attestation: Uuid,
) -> QueryResult<Vec<EntryRow>> {
    e::table
        .filter(e::attestation_id.eq(attestation))
        .select(EntryRow::as_select())
        .order((
            e::occurred_on.asc(),
            e::starts_at.asc().nulls_last(),
            e::created_at.asc(),
        ))
        .load(&mut &*conn)
        .await
}

/// The supervisor's decisions, in one statement: `attest` -> attested, `reject` (id, reason)
/// -> rejected. Only entries still submitted on `attestation` change; returns how many did.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    attestation: Uuid,
    attest: &[Uuid],
    reject: &[(Uuid, String)],
) -> QueryResult<usize> {
    let ids: Vec<Uuid> = attest
        .iter()
        .copied()
        .chain(reject.iter().map(|r| r.0))
        .collect();
    let reasons: Vec<Option<String>> = attest
        .iter()
        .map(|_| None)
        .chain(reject.iter().map(|r| Some(r.1.clone())))
        .collect();
    diesel::sql_query(
        "UPDATE externship_entries AS x
            SET state = CASE WHEN d.reason IS NULL THEN 'attested' ELSE 'rejected' END,
                rejected_reason = d.reason, decided_at = now(), updated_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS d(id, reason)
          WHERE x.id = d.id AND x.attestation_id = $3 AND x.state = 'submitted'",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<diesel::sql_types::Nullable<Text>>, _>(reasons)
    .bind::<SqlUuid, _>(attestation)
    .execute(conn)
    .await
}

/// Entries of a request the supervisor left undecided go back to the learner's drafts.
pub async fn release(conn: &mut AsyncPgConnection, attestation: Uuid) -> QueryResult<usize> {
    diesel::update(
        e::table
            .filter(e::attestation_id.eq(attestation))
            .filter(e::state.eq(EntryState::Submitted)),
    )
    .set((
        e::state.eq(EntryState::Draft),
        e::attestation_id.eq(None::<Uuid>),
        e::updated_at.eq(Utc::now()),
    ))
    .execute(conn)
    .await
}

/// The attested entries waiting for the program's review, oldest decision first.
pub async fn review_queue(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    enrolment: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<EntryRow>, i64)> {
    let base = || {
        let mut q = e::table
            .filter(e::state.eq(EntryState::Attested))
            .filter(e::superseded_at.is_null())
            .into_boxed();
        if let Some(staff) = scope.staff() {
            q = q.filter(e::enrolment_id.eq_any(owned_enrolments(staff)));
        }
        if let Some(x) = enrolment {
            q = q.filter(e::enrolment_id.eq(x));
        }
        q
    };
    let rows = base()
        .select(EntryRow::as_select())
        .order((e::decided_at.asc(), e::occurred_on.asc(), e::id.asc()))
        .limit(limit)
        .offset(offset)
        .load(conn)
        .await?;
    let total = base().select(count_star()).first(conn).await?;
    Ok((rows, total))
}

/// Locks attested, current entries among `ids` within `scope` (others are left out: an
/// entry of another cohort's member is treated as one that is not waiting).
pub async fn lock_attested(
    conn: &mut AsyncPgConnection,
    scope: Scope,
    ids: &[Uuid],
) -> QueryResult<Vec<EntryRow>> {
    let waiting = e::table
        .filter(e::id.eq_any(ids))
        .filter(e::state.eq(EntryState::Attested))
        .filter(e::superseded_at.is_null())
        .select(EntryRow::as_select())
        .order(e::id.asc());
    // Row locks cannot be boxed, hence the two statements.
    match scope.staff() {
        None => waiting.for_update().load(conn).await,
        Some(staff) => {
            waiting
                .filter(e::enrolment_id.eq_any(owned_enrolments(staff)))
                .for_update()
                .load(conn)
                .await
        }
    }
}

/// The program's decisions in one statement: approve (note None) or return (with a note).
pub async fn review(
    conn: &mut AsyncPgConnection,
    reviewer: Uuid,
    decisions: &[(Uuid, Option<String>)],
) -> QueryResult<usize> {
    let ids: Vec<Uuid> = decisions.iter().map(|d| d.0).collect();
    let notes: Vec<Option<String>> = decisions.iter().map(|d| d.1.clone()).collect();
    diesel::sql_query(
        "UPDATE externship_entries AS x
            SET state = CASE WHEN d.note IS NULL THEN 'approved' ELSE 'returned' END,
                review_note = d.note, reviewed_at = now(), reviewed_by = $3, updated_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS d(id, note)
          WHERE x.id = d.id AND x.state = 'attested' AND x.superseded_at IS NULL",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<diesel::sql_types::Nullable<Text>>, _>(notes)
    .bind::<SqlUuid, _>(reviewer)
    .execute(conn)
    .await
}
