//! Logging shifts and collection attempts: create (idempotent by client ID), edit or delete a
//! draft, amend a decided entry. Every write locks the enrolment first (learning's lock), so a
//! learner's concurrent writes take turns and the overlap, daily-maximum and count rules hold;
//! the exclusion constraint on shifts is the last word.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::errors::{self, invalid};
use super::input::{self, CollectionFields, EntryFields, NewCollections, NewShift, ShiftFields};
use super::rules::{self, RuleError};
use super::standing;
use super::state::{CollectionType, EntryKind, EntryState};
use super::store::entries::{self, EntryBody, EntryRow, NewEntry};
use super::store::{self, sites};
use crate::audit::{Actor, Origin};
use crate::http::{AppError, AppResult, ErrorCode};
use crate::learning::access::EnrolmentBrief;
use crate::learning::cache::ContentCache;
use crate::learning::progress::ExternshipRules;
use crate::learning::{self, Trigger};

/// The enrolment being logged in, with its course's externship rules.
pub struct Scope<'a> {
    pub enrolment: &'a EnrolmentBrief,
    pub rules: &'a ExternshipRules,
    pub now: DateTime<Utc>,
}

impl<'a> Scope<'a> {
    /// The scope of `enrolment`; a course without an externship is 404 `no_externship`.
    pub fn of(enrolment: &'a EnrolmentBrief, now: DateTime<Utc>) -> AppResult<Scope<'a>> {
        let rules = enrolment
            .outline
            .externship
            .as_ref()
            .ok_or_else(errors::no_externship)?;
        Ok(Scope {
            enrolment,
            rules,
            now,
        })
    }

    fn id(&self) -> Uuid {
        self.enrolment.row.id
    }

    fn max_minutes(&self) -> i64 {
        (self.rules.max_hours_per_day * 60.0).round() as i64
    }
}

/// A shift's checked values, ready to store.
struct ShiftValues {
    placement: Uuid,
    date: NaiveDate,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    department: Option<String>,
    activities: Option<String>,
    notes: Option<String>,
}

/// A collection's checked values.
struct CollectionValues {
    f: CollectionFields,
    notes: Option<String>,
}

fn rule(e: RuleError) -> AppError {
    errors::rule(&e)
}

/// The placement `id` of this enrolment, open for logging on `date`.
async fn placement_for(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    id: Uuid,
    date: NaiveDate,
) -> AppResult<sites::PlacementRow> {
    let (p, _) = sites::placement(conn, id)
        .await?
        .filter(|(p, _)| p.enrolment_id == scope.id())
        .ok_or_else(errors::placement_not_found)?;
    if p.cancelled_at.is_some() {
        return Err(errors::placement_cancelled());
    }
    rules::check_date(date, scope.now, (p.starts_on, p.ends_on)).map_err(rule)?;
    Ok(p)
}

fn department(
    scope: &Scope<'_>,
    placement: &sites::PlacementRow,
    given: Option<&str>,
) -> AppResult<Option<String>> {
    let given = given.map(str::trim).filter(|d| !d.is_empty());
    if scope.rules.departments.is_empty() {
        return match given {
            None => Ok(None),
            Some(_) => Err(AppError::unprocessable(
                ErrorCode::UnknownDepartment,
                "This course does not log departments; leave `department` out.",
            )),
        };
    }
    let placed = store::texts(placement.departments.clone());
    let known: Vec<&str> = scope
        .rules
        .departments
        .iter()
        .map(|d| d.slug.as_str())
        .collect();
    match given {
        Some(d) if known.contains(&d) && (placed.is_empty() || placed.iter().any(|p| p == d)) => {
            Ok(Some(d.to_string()))
        }
        _ => Err(AppError::unprocessable(
            ErrorCode::UnknownDepartment,
            "Choose one of the placement's departments.",
        )
        .with_details(serde_json::json!({ "departments": if placed.is_empty() {
            known.iter().map(|s| s.to_string()).collect()
        } else {
            placed
        } }))),
    }
}

/// Checks a shift against the rules; `except` is the entry it replaces (edit or amendment).
async fn check_shift(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    f: &ShiftFields,
    except: Option<Uuid>,
) -> AppResult<ShiftValues> {
    let activities = input::text("activities", f.activities.as_deref())?;
    let notes = input::text("notes", f.notes.as_deref())?;
    let start = input::time("start", &f.start)?;
    let end = input::time("end", &f.end)?;
    let (starts_at, ends_at) = rules::shift_span(f.date, start, end).map_err(rule)?;
    let placement = placement_for(conn, scope, f.placement_id, f.date).await?;
    let department = department(scope, &placement, f.department.as_deref())?;
    let near = entries::shifts_near(conn, scope.id(), f.date, except).await?;
    rules::check_shift(starts_at, ends_at, &near, scope.max_minutes()).map_err(rule)?;
    Ok(ShiftValues {
        placement: placement.id,
        date: f.date,
        starts_at,
        ends_at,
        department,
        activities,
        notes,
    })
}

/// Checks `adding` collection attempts against the rules; `except` as for shifts.
async fn check_collections(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    f: &CollectionFields,
    adding: i64,
    except: Option<Uuid>,
) -> AppResult<CollectionValues> {
    let notes = input::text("notes", f.notes.as_deref())?;
    allowed_type(scope, f.collection_type)?;
    let placement = placement_for(conn, scope, f.placement_id, f.date).await?;
    let limit = match f.shift_id {
        Some(shift) => shift_minutes(conn, scope, shift, &placement, f.date).await?,
        None => scope.max_minutes(),
    };
    let logged = entries::collections_count(conn, scope.id(), f.shift_id, f.date, except).await?;
    rules::check_collections(adding, logged, limit).map_err(rule)?;
    Ok(CollectionValues {
        f: f.clone(),
        notes,
    })
}

fn allowed_type(scope: &Scope<'_>, t: CollectionType) -> AppResult<()> {
    if scope.rules.procedures.iter().any(|p| p.slug == t.as_str()) {
        return Ok(());
    }
    let types: Vec<&str> = scope
        .rules
        .procedures
        .iter()
        .map(|p| p.slug.as_str())
        .collect();
    Err(AppError::unprocessable(
        ErrorCode::CollectionTypeNotInCourse,
        "This course does not log that type of collection.",
    )
    .with_details(serde_json::json!({ "types": types })))
}

/// The minutes of the learner's counted shift `id`, which must be at `placement` on `date`.
async fn shift_minutes(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    id: Uuid,
    placement: &sites::PlacementRow,
    date: NaiveDate,
) -> AppResult<i64> {
    let shift = entries::entry(conn, scope.id(), id)
        .await?
        .filter(|s| s.kind == EntryKind::Shift && s.superseded_at.is_none());
    let Some(s) = shift else {
        return Err(invalid("shift_id", "No shift of your log has this ID."));
    };
    let days = (s.starts_at.map(|a| a.date()), s.ends_at.map(|b| b.date()));
    let on_day = days.0 == Some(date) || days.1 == Some(date);
    if s.placement_id != placement.id || !on_day || !s.state.holds_time() {
        return Err(AppError::unprocessable(
            ErrorCode::ShiftMismatch,
            "The collection must be on the shift's date and placement, and the shift must \
             still count.",
        ));
    }
    Ok(i64::from(s.minutes.unwrap_or(0)))
}

fn shift_body(v: ShiftValues) -> EntryBody {
    EntryBody {
        placement_id: v.placement,
        occurred_on: v.date,
        starts_at: Some(v.starts_at),
        ends_at: Some(v.ends_at),
        department: v.department,
        activities: v.activities,
        shift_id: None,
        collection_type: None,
        method: None,
        age_group: None,
        successful: None,
        unaided: None,
        notes: v.notes,
    }
}

fn collection_body(v: &CollectionValues) -> EntryBody {
    EntryBody {
        placement_id: v.f.placement_id,
        occurred_on: v.f.date,
        starts_at: None,
        ends_at: None,
        department: None,
        activities: None,
        shift_id: v.f.shift_id,
        collection_type: Some(v.f.collection_type),
        method: Some(v.f.method),
        age_group: Some(v.f.age_group),
        successful: Some(v.f.successful),
        unaided: Some(v.f.unaided),
        notes: v.notes.clone(),
    }
}

fn new_entry(scope: &Scope<'_>, kind: EntryKind, client: (Uuid, i32), body: EntryBody) -> NewEntry {
    NewEntry {
        enrolment_id: scope.id(),
        kind,
        client_id: client.0,
        client_seq: client.1,
        body,
        amends_id: None,
        amend_reason: None,
    }
}

/// What a create returned: the stored entries, and whether this request stored them (false:
/// a replay of the same client ID).
pub struct Created {
    pub entries: Vec<EntryRow>,
    pub created: bool,
}

/// The stored entries of an earlier request with this client ID, when they are of `kind`.
async fn replay(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    client_id: Uuid,
    kind: EntryKind,
) -> AppResult<Option<Created>> {
    let found = entries::by_client(conn, scope.id(), client_id).await?;
    if found.is_empty() {
        return Ok(None);
    }
    if found.iter().any(|e| e.kind != kind) {
        return Err(errors::client_id_reused());
    }
    Ok(Some(Created {
        entries: found,
        created: false,
    }))
}

fn map_insert(e: diesel::result::Error) -> AppError {
    if store::violates(&e, entries::NO_OVERLAP) {
        errors::overlaps(None)
    } else {
        e.into()
    }
}

/// Logs a shift (or answers the stored one for a client ID seen before).
pub async fn create_shift(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    body: &NewShift,
) -> AppResult<Created> {
    input::no_unknown(&body.unknown)?;
    let result = conn
        .transaction::<_, AppError, _>(async |tx| {
            learning::lock_enrolment(tx, scope.id()).await?;
            if let Some(r) = replay(tx, scope, body.client_id, EntryKind::Shift).await? {
                return Ok(r);
            }
            let v = check_shift(tx, scope, &body.fields, None).await?;
            let row = new_entry(scope, EntryKind::Shift, (body.client_id, 0), shift_body(v));
            let entries = entries::insert(tx, &[row]).await.map_err(map_insert)?;
            Ok(Created {
                entries,
                created: true,
            })
        })
        .await?;
    Ok(result)
}

/// Logs `count` identical collection attempts (or answers the stored ones for a client ID).
pub async fn create_collections(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    body: &NewCollections,
) -> AppResult<Created> {
    let count = body.checked_count()?;
    conn.transaction::<_, AppError, _>(async |tx| {
        learning::lock_enrolment(tx, scope.id()).await?;
        if let Some(r) = replay(tx, scope, body.client_id, EntryKind::Collection).await? {
            return Ok(r);
        }
        let v = check_collections(tx, scope, &body.fields, count, None).await?;
        let rows: Vec<NewEntry> = (0..count as i32)
            .map(|seq| {
                let client = (body.client_id, seq);
                new_entry(scope, EntryKind::Collection, client, collection_body(&v))
            })
            .collect();
        let entries = entries::insert(tx, &rows).await?;
        Ok(Created {
            entries,
            created: true,
        })
    })
    .await
}

/// The fields for `kind` in `fields`, or 422.
fn part_for<'f>(
    kind: EntryKind,
    shift: &'f Option<ShiftFields>,
    collection: &'f Option<CollectionFields>,
) -> AppResult<Part<'f>> {
    match (kind, shift, collection) {
        (EntryKind::Shift, Some(s), None) => Ok(Part::Shift(s)),
        (EntryKind::Collection, None, Some(c)) => Ok(Part::Collection(c)),
        _ => Err(invalid(
            kind.as_str(),
            format!("Give the `{kind}` fields (and only those): this entry is a {kind}."),
        )),
    }
}

enum Part<'f> {
    Shift(&'f ShiftFields),
    Collection(&'f CollectionFields),
}

/// Replaces a draft's fields.
pub async fn edit_draft(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    id: Uuid,
    fields: &EntryFields,
) -> AppResult<EntryRow> {
    conn.transaction::<_, AppError, _>(async |tx| {
        learning::lock_enrolment(tx, scope.id()).await?;
        let current = entries::lock_entry(tx, scope.id(), id)
            .await?
            .ok_or_else(errors::entry_not_found)?;
        if !current.state.is_editable() {
            return Err(errors::locked(current.state));
        }
        let changes = match part_for(current.kind, &fields.shift, &fields.collection)? {
            Part::Shift(f) => shift_body(check_shift(tx, scope, f, Some(id)).await?),
            Part::Collection(f) => {
                collection_body(&check_collections(tx, scope, f, 1, Some(id)).await?)
            }
        };
        entries::update_draft(tx, id, &changes)
            .await
            .map_err(map_insert)?
            .ok_or_else(|| errors::locked(current.state))
    })
    .await
}

/// Deletes a draft.
pub async fn delete_draft(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    id: Uuid,
) -> AppResult<()> {
    conn.transaction::<_, AppError, _>(async |tx| {
        learning::lock_enrolment(tx, scope.id()).await?;
        let current = entries::lock_entry(tx, scope.id(), id)
            .await?
            .ok_or_else(errors::entry_not_found)?;
        if !current.state.is_editable() || !entries::delete_draft(tx, id).await? {
            return Err(errors::locked(current.state));
        }
        Ok(())
    })
    .await
}

/// Corrects a decided entry: the original is kept and superseded, the amendment starts as a
/// draft that goes through attestation again.
pub async fn amend(
    conn: &mut AsyncPgConnection,
    scope: &Scope<'_>,
    id: Uuid,
    body: &input::Amendment,
    by: &Amender<'_>,
) -> AppResult<EntryRow> {
    let reason = input::required_text("reason", Some(&body.reason))?;
    conn.transaction::<_, AppError, _>(async |tx| {
        learning::lock_enrolment(tx, scope.id()).await?;
        let original = entries::lock_entry(tx, scope.id(), id)
            .await?
            .ok_or_else(errors::entry_not_found)?;
        if original.superseded_at.is_some() {
            return Err(errors::already_amended());
        }
        if !original.state.is_amendable() {
            return Err(errors::not_amendable(original.state));
        }
        let client = (Uuid::new_v4(), 0);
        let fields = match part_for(original.kind, &body.shift, &body.collection)? {
            Part::Shift(f) => shift_body(check_shift(tx, scope, f, Some(id)).await?),
            Part::Collection(f) => {
                collection_body(&check_collections(tx, scope, f, 1, Some(id)).await?)
            }
        };
        let mut row = new_entry(scope, original.kind, client, fields);
        row.amends_id = Some(id);
        row.amend_reason = Some(reason.clone());
        entries::supersede(tx, id).await?;
        let mut stored = entries::insert(tx, &[row]).await.map_err(|e| {
            if store::violates(&e, entries::AMENDS_KEY) {
                errors::already_amended()
            } else {
                map_insert(e)
            }
        })?;
        if original.state == EntryState::Approved {
            // The approved original stopped counting.
            let actor = Actor::User(by.user);
            let trigger = Trigger::ExternshipApproved;
            standing::refresh(tx, by.content, by.origin, actor, &[scope.id()], trigger).await?;
        }
        Ok(stored.remove(0))
    })
    .await
}

/// Who amends, for the standing refresh an amended approval needs.
pub struct Amender<'a> {
    pub content: &'a ContentCache,
    pub origin: &'a Origin,
    pub user: Uuid,
}
