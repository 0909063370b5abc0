//! Request bodies and their checks: free text bounded and free of patient information, times
//! as `HH:MM`, quick-entry counts within bounds. Pure: the handlers and services call these
//! before touching the database.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::errors::{invalid, phi};
use super::phi as phi_rules;
use super::rules::MAX_QUICK_ENTRY;
use super::state::{AgeGroup, CollectionMethod, CollectionType, Decision, Rating, ReviewDecision};
use crate::http::AppResult;

/// The most characters of any free-text field in the log.
pub const MAX_TEXT: usize = 500;

/// A trimmed free-text field: at most [`MAX_TEXT`] characters, no control characters other
/// than line breaks, nothing that looks like patient information. Empty means `None`.
pub fn text(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > MAX_TEXT {
        return Err(invalid(
            field,
            format!("`{field}` is at most {MAX_TEXT} characters."),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(invalid(
            field,
            format!("`{field}` contains control characters."),
        ));
    }
    if let Some(f) = phi_rules::find(v) {
        return Err(phi(field, &f));
    }
    Ok(Some(v.to_string()))
}

/// A required free-text field (a reason, a note).
pub fn required_text(field: &str, value: Option<&str>) -> AppResult<String> {
    text(field, value)?.ok_or_else(|| invalid(field, format!("`{field}` is required.")))
}

/// A short single-line name (a site, a person, a credential): 1..=`max` characters.
pub fn name(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("`{field}` is 1 to {max} characters on one line."),
        ));
    }
    Ok(v.to_string())
}

/// An optional short name.
pub fn optional_name(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => name(field, v, max).map(Some),
        None => Ok(None),
    }
}

/// An email address, lower-cased (the shape only: `local@domain.tld`, at most 254).
pub fn email(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim().to_lowercase();
    let ok = v.len() <= 254
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && v.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        });
    if !ok {
        return Err(invalid(
            field,
            format!("`{field}` must be an email address."),
        ));
    }
    Ok(v)
}

/// `HH:MM` (24-hour).
pub fn time(field: &str, value: &str) -> AppResult<NaiveTime> {
    NaiveTime::parse_from_str(value.trim(), "%H:%M")
        .map_err(|_| invalid(field, format!("`{field}` is a time as HH:MM (24-hour).")))
}

/// A shift's fields (create, edit, amend).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ShiftFields {
    pub placement_id: Uuid,
    /// The day the shift started.
    pub date: NaiveDate,
    /// `HH:MM`, wall-clock time at the site.
    #[schema(example = "07:00")]
    pub start: String,
    /// `HH:MM`; at or before `start` means the next day (a night shift).
    #[schema(example = "15:30")]
    pub end: String,
    /// A department slug of the course (required when the course lists departments).
    pub department: Option<String>,
    /// What was done (at most 500 characters; no patient information).
    #[schema(max_length = 500)]
    pub activities: Option<String>,
    #[schema(max_length = 500)]
    pub notes: Option<String>,
}

/// A new shift. `client_id` is the client's idempotency key: the same one again answers 200
/// with the stored shift.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewShift {
    pub client_id: Uuid,
    #[serde(flatten)]
    pub fields: ShiftFields,
    /// Anything else sent (refused: there is no field for a patient, or for anything else).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// A collection attempt's fields (create, edit, amend).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CollectionFields {
    pub placement_id: Uuid,
    /// The shift it happened in, when logged.
    pub shift_id: Option<Uuid>,
    pub date: NaiveDate,
    #[serde(rename = "type")]
    pub collection_type: CollectionType,
    pub method: CollectionMethod,
    pub age_group: AgeGroup,
    pub successful: bool,
    pub unaided: bool,
    #[schema(max_length = 500)]
    pub notes: Option<String>,
}

/// New collection attempts: `count` identical ones (a quick entry, 1 to 100), stored as that
/// many records under one `client_id`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewCollections {
    pub client_id: Uuid,
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 100, default = 1)]
    pub count: i64,
    #[serde(flatten)]
    pub fields: CollectionFields,
    /// Anything else sent (refused).
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

fn one() -> i64 {
    1
}

/// Refuses fields the body does not define (422 `invalid_input` naming the first).
pub fn no_unknown(unknown: &BTreeMap<String, serde_json::Value>) -> AppResult<()> {
    match unknown.keys().next() {
        Some(k) => Err(invalid(k, format!("`{k}` is not a field of this entry."))),
        None => Ok(()),
    }
}

impl NewCollections {
    pub fn checked_count(&self) -> AppResult<i64> {
        no_unknown(&self.unknown)?;
        if (1..=MAX_QUICK_ENTRY).contains(&self.count) {
            Ok(self.count)
        } else {
            Err(invalid(
                "count",
                format!("`count` is from 1 to {MAX_QUICK_ENTRY} attempts."),
            ))
        }
    }
}

/// A draft's new fields, or an amendment's: the entry's kind's part.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryFields {
    pub shift: Option<ShiftFields>,
    pub collection: Option<CollectionFields>,
}

/// A correction of a decided entry: the corrected fields and why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    /// Why the entry is corrected (at most 500 characters).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
    pub shift: Option<ShiftFields>,
    pub collection: Option<CollectionFields>,
}

/// Send drafts at a placement to its supervisor for attestation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub placement_id: Uuid,
    /// Only these drafts (default: every draft at the placement).
    #[schema(max_items = 500)]
    pub entry_ids: Option<Vec<Uuid>>,
}

/// The supervisor's decision on one entry.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryDecision {
    pub entry_id: Uuid,
    pub decision: Decision,
    /// Required to reject.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// The supervisor's rating of one competency.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetencyRating {
    pub competency: String,
    pub rating: Rating,
    #[schema(max_length = 500)]
    pub comment: Option<String>,
}

/// What the supervisor decided on the page. Entries left out go back to the learner's drafts.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestationDecision {
    /// The supervisor's name, typed as a signature.
    #[schema(min_length = 1, max_length = 200)]
    pub signature: String,
    pub decisions: Vec<EntryDecision>,
    #[serde(default)]
    pub competencies: Vec<CompetencyRating>,
}

/// The program's decision on one attested entry.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewItemDecision {
    pub entry_id: Uuid,
    pub decision: ReviewDecision,
    /// Required to return an entry: what the learner should correct.
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Approve or return attested entries, up to 500 at once.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[schema(min_items = 1, max_items = 500)]
    pub decisions: Vec<ReviewItemDecision>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_is_trimmed_bounded_and_free_of_patient_information() {
        assert_eq!(text("notes", Some("  ")).unwrap(), None);
        assert_eq!(text("notes", Some(" ok ")).unwrap().as_deref(), Some("ok"));
        assert!(text("notes", Some(&"x".repeat(501))).is_err());
        let e = text("notes", Some("MRN 1234567")).unwrap_err();
        assert!(e.has_code(crate::http::ErrorCode::PhiSuspected));
        assert!(text("notes", Some("a\u{0}b")).is_err());
    }

    #[test]
    fn times_and_emails() {
        assert_eq!(time("start", "07:30").unwrap().to_string(), "07:30:00");
        assert!(time("start", "7.30").is_err());
        assert!(time("start", "24:00").is_err());
        assert_eq!(
            email("email", " Ana@Example.org ").unwrap(),
            "ana@example.org"
        );
        assert!(email("email", "ana@example").is_err());
    }
}
