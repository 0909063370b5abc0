//! What the externship routes answer, and the pure builders from stored rows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::state::{
    AgeGroup, AttestationStatus, CollectionMethod, CollectionType, EntryKind, EntryState, Rating,
};
use super::store::attestations::{AttestationRow, RatingRow};
use super::store::entries::EntryRow;
use super::store::sites::{PlacementRow, SiteRow};
use super::store::texts;

/// A clinical site in the directory.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Site {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    /// Departments the site offers, as people name them.
    pub departments: Vec<String>,
    #[schema(required = true)]
    pub contact_name: Option<String>,
    #[schema(required = true)]
    pub contact_email: Option<String>,
    #[schema(required = true)]
    pub contact_phone: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn site(r: SiteRow) -> Site {
    Site {
        id: r.id,
        name: r.name,
        address: r.address,
        departments: texts(r.departments),
        contact_name: r.contact_name,
        contact_email: r.contact_email,
        contact_phone: r.contact_phone,
        archived: r.archived_at.is_some(),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// The supervisor of a placement: a contact, not an account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Supervisor {
    pub name: String,
    pub email: String,
    /// For example `MLS(ASCP)` or `PBT`.
    #[schema(required = true)]
    pub credential: Option<String>,
}

/// An enrolment placed at a site, with a supervisor, dates and departments (a rotation).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Placement {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub site_id: Uuid,
    pub site_name: String,
    pub supervisor: Supervisor,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Department slugs from the course's list (empty when the course has none).
    pub departments: Vec<String>,
    pub cancelled: bool,
    pub created_at: DateTime<Utc>,
}

pub fn placement((r, site_name): (PlacementRow, String)) -> Placement {
    Placement {
        id: r.id,
        enrolment_id: r.enrolment_id,
        site_id: r.site_id,
        site_name,
        supervisor: Supervisor {
            name: r.supervisor_name,
            email: r.supervisor_email,
            credential: r.supervisor_credential,
        },
        starts_on: r.starts_on,
        ends_on: r.ends_on,
        departments: texts(r.departments),
        cancelled: r.cancelled_at.is_some(),
        created_at: r.created_at,
    }
}

/// A shift's part of an entry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShiftPart {
    /// `HH:MM`, wall-clock time at the site.
    pub start: String,
    /// `HH:MM`; earlier than `start` for a shift that ends the next day.
    pub end: String,
    pub minutes: i32,
    #[schema(required = true)]
    pub department: Option<String>,
    #[schema(required = true)]
    pub activities: Option<String>,
}

/// A collection attempt's part of an entry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionPart {
    #[schema(required = true)]
    pub shift_id: Option<Uuid>,
    #[serde(rename = "type")]
    pub collection_type: CollectionType,
    pub method: CollectionMethod,
    pub age_group: AgeGroup,
    pub successful: bool,
    pub unaided: bool,
}

/// One entry of the log: a shift or a collection attempt, with where it stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Entry {
    pub id: Uuid,
    pub kind: EntryKind,
    /// The idempotency key the client sent (a quick entry's records share it).
    pub client_id: Uuid,
    pub placement_id: Uuid,
    pub date: NaiveDate,
    pub state: EntryState,
    #[schema(required = true)]
    pub shift: Option<ShiftPart>,
    #[schema(required = true)]
    pub collection: Option<CollectionPart>,
    #[schema(required = true)]
    pub notes: Option<String>,
    /// The attestation request it was sent on.
    #[schema(required = true)]
    pub attestation_id: Option<Uuid>,
    /// When the supervisor decided.
    #[schema(required = true)]
    pub decided_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub rejected_reason: Option<String>,
    #[schema(required = true)]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The program's note when it returned the entry.
    #[schema(required = true)]
    pub review_note: Option<String>,
    /// The entry this one corrects, and why.
    #[schema(required = true)]
    pub amends_id: Option<Uuid>,
    #[schema(required = true)]
    pub amend_reason: Option<String>,
    /// An amendment replaced this entry: it is kept, and no longer counts.
    pub superseded: bool,
    pub created_at: DateTime<Utc>,
}

pub fn entry(r: &EntryRow) -> Entry {
    let shift = match (r.kind, r.starts_at, r.ends_at) {
        (EntryKind::Shift, Some(a), Some(b)) => Some(ShiftPart {
            start: a.format("%H:%M").to_string(),
            end: b.format("%H:%M").to_string(),
            minutes: r.minutes.unwrap_or(0),
            department: r.department.clone(),
            activities: r.activities.clone(),
        }),
        _ => None,
    };
    let collection = match (r.collection_type, r.method, r.age_group) {
        (Some(t), Some(m), Some(g)) => Some(CollectionPart {
            shift_id: r.shift_id,
            collection_type: t,
            method: m,
            age_group: g,
            successful: r.successful.unwrap_or(false),
            unaided: r.unaided.unwrap_or(false),
        }),
        _ => None,
    };
    Entry {
        id: r.id,
        kind: r.kind,
        client_id: r.client_id,
        placement_id: r.placement_id,
        date: r.occurred_on,
        state: r.state,
        shift,
        collection,
        notes: r.notes.clone(),
        attestation_id: r.attestation_id,
        decided_at: r.decided_at,
        rejected_reason: r.rejected_reason.clone(),
        reviewed_at: r.reviewed_at,
        review_note: r.review_note.clone(),
        amends_id: r.amends_id,
        amend_reason: r.amend_reason.clone(),
        superseded: r.superseded_at.is_some(),
        created_at: r.created_at,
    }
}

/// Collection attempts recorded by one request.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Collections {
    pub entries: Vec<Entry>,
}

/// An attestation request, as the learner sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Attestation {
    pub id: Uuid,
    pub placement_id: Uuid,
    pub supervisor_name: String,
    pub supervisor_email: String,
    pub status: AttestationStatus,
    pub entry_count: i32,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[schema(required = true)]
    pub reminded_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub decided_at: Option<DateTime<Utc>>,
    /// The name the supervisor typed as a signature.
    #[schema(required = true)]
    pub signature_name: Option<String>,
    /// The request that replaced this one (a resent link).
    #[schema(required = true)]
    pub replaced_by: Option<Uuid>,
}

pub fn attestation(r: &AttestationRow, now: DateTime<Utc>) -> Attestation {
    Attestation {
        id: r.id,
        placement_id: r.placement_id,
        supervisor_name: r.supervisor_name.clone(),
        supervisor_email: r.supervisor_email.clone(),
        status: r.status(now),
        entry_count: r.entry_count,
        created_at: r.created_at,
        expires_at: r.expires_at,
        reminded_at: r.reminded_at,
        decided_at: r.decided_at,
        signature_name: r.signature_name.clone(),
        replaced_by: r.replaced_by,
    }
}

/// A competency to rate, with what the course asks for.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Competency {
    pub slug: String,
    pub name: String,
    #[schema(required = true)]
    pub description: Option<String>,
    /// Satisfactory observations needed.
    pub observations: i64,
}

/// A rating given on an attestation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RatingView {
    pub competency: String,
    pub rating: Rating,
    #[schema(required = true)]
    pub comment: Option<String>,
}

pub fn rating(r: &RatingRow) -> RatingView {
    RatingView {
        competency: r.competency.clone(),
        rating: r.rating,
        comment: r.comment.clone(),
    }
}

/// The supervisor's page behind an attestation link (no account).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SupervisorPage {
    pub status: AttestationStatus,
    /// The link was replaced by a reminder's fresh one (sent to the same address).
    pub link_replaced: bool,
    pub learner_name: String,
    pub course_title: String,
    pub site_name: String,
    pub supervisor_name: String,
    pub placement_starts_on: NaiveDate,
    pub placement_ends_on: NaiveDate,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[schema(required = true)]
    pub decided_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub signature_name: Option<String>,
    /// Department slugs and names of the course, to show shifts' departments.
    pub departments: Vec<Department>,
    pub entries: Vec<Entry>,
    pub competencies: Vec<Competency>,
    /// The ratings given (once decided).
    pub ratings: Vec<RatingView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Department {
    pub slug: String,
    pub name: String,
    pub min_hours: f64,
}

/// What the learner's externship screens start from.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Overview {
    pub enrolment_id: Uuid,
    /// Completion needs the externship.
    pub required: bool,
    pub total_hours: f64,
    pub max_hours_per_day: f64,
    pub departments: Vec<Department>,
    /// The collection types this course logs (its procedure requirements' slugs).
    pub collection_types: Vec<CollectionType>,
    pub competencies: Vec<Competency>,
    pub placements: Vec<Placement>,
    /// How many entries stand in each state (superseded ones not counted).
    pub counts: Vec<StateCount>,
    /// The enrolment accepts new entries (it is active).
    pub can_log: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StateCount {
    pub state: EntryState,
    pub count: i64,
}

/// One attested entry waiting for the program, with whose it is.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewItem {
    pub entry: Entry,
    pub enrolment_id: Uuid,
    pub learner_name: String,
    pub course_title: String,
    pub site_name: String,
    pub supervisor_name: String,
    /// The name the supervisor signed with.
    #[schema(required = true)]
    pub signature_name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewQueue {
    pub items: Vec<ReviewItem>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// What a review did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewResult {
    pub approved: usize,
    pub returned: usize,
    /// Enrolments this review completed.
    pub completed: Vec<Uuid>,
}
