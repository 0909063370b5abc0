//! The cohort routes' request bodies and their checks: each bad field is a 422 naming it.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::{AppError, AppResult, ErrorCode};

/// The most staff owners one cohort has.
pub const MAX_STAFF: usize = 50;

/// A present field, `null` included: `Some(None)` is "set to null", a missing field `None`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn invalid(code: ErrorCode, field: &str, message: String) -> AppError {
    AppError::unprocessable(code, message).with_details(json!({ "field": field }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCohort {
    /// The course's slug.
    pub course: String,
    /// 1 to 200 characters of text (no control characters) after trimming.
    pub name: String,
    pub starts_on: NaiveDate,
    pub target_on: Option<NaiveDate>,
    /// 1 to 100000, or null for no limit.
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: Option<i32>,
    /// The owners' user IDs (accounts with the role staff or admin).
    #[serde(default)]
    pub staff: Vec<Uuid>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCohort {
    /// 1 to 200 characters of text (no control characters) after trimming.
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub target_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    /// 1 to 100000, or null for no limit.
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 100000)]
    pub capacity: Option<Option<i32>>,
    /// The complete new list of owners.
    pub staff: Option<Vec<Uuid>>,
}

impl UpdateCohort {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.starts_on.is_none()
            && self.target_on.is_none()
            && self.capacity.is_none()
            && self.staff.is_none()
    }
}

/// A cohort name: trimmed, 1 to 200 characters, no control characters.
pub fn name(raw: &str) -> AppResult<String> {
    let n = raw.trim();
    let len = n.chars().count();
    if len == 0 || len > 200 || n.chars().any(char::is_control) {
        return Err(invalid(
            ErrorCode::InvalidName,
            "name",
            "A cohort's name is 1 to 200 characters of text.".into(),
        ));
    }
    Ok(n.to_string())
}

/// A capacity: `null` (no limit) or 1 to 100000.
pub fn capacity(c: Option<i32>) -> AppResult<Option<i32>> {
    match c {
        Some(n) if !(1..=100_000).contains(&n) => Err(invalid(
            ErrorCode::InvalidInput,
            "capacity",
            "`capacity` is from 1 to 100000, or null for no limit.".into(),
        )),
        _ => Ok(c),
    }
}

/// The target date is not before the start.
pub fn dates(starts_on: NaiveDate, target_on: Option<NaiveDate>) -> AppResult<()> {
    match target_on {
        Some(t) if t < starts_on => Err(invalid(
            ErrorCode::TargetBeforeStart,
            "target_on",
            format!("The target date ({t}) is before the start date ({starts_on})."),
        )),
        _ => Ok(()),
    }
}

/// The owners, each once, at most [`MAX_STAFF`].
pub fn staff(ids: &[Uuid]) -> AppResult<Vec<Uuid>> {
    let mut out = ids.to_vec();
    out.sort();
    out.dedup();
    if out.len() > MAX_STAFF {
        return Err(invalid(
            ErrorCode::InvalidInput,
            "staff",
            format!("A cohort has at most {MAX_STAFF} staff owners."),
        ));
    }
    Ok(out)
}

/// The 422 for owners that are not staff or admin accounts.
/// A withdrawal's reason: trimmed, blank as none, at most 500 characters of text.
pub fn reason(raw: Option<String>) -> AppResult<Option<String>> {
    let reason = raw.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > 500 || r.chars().any(|c| c.is_control() && c != '\n'))
    {
        return Err(invalid(
            ErrorCode::InvalidInput,
            "reason",
            "`reason` is at most 500 characters of text.".into(),
        ));
    }
    Ok(reason)
}

pub fn not_staff(ids: Vec<Uuid>) -> AppError {
    AppError::unprocessable(
        ErrorCode::InvalidStaff,
        "Every owner must be an account with the role staff or admin.",
    )
    .with_details(json!({ "field": "staff", "ids": ids }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("  Spring 2027 ").unwrap(), "Spring 2027");
        for bad in ["", "   ", "a\nb", &"x".repeat(201)] {
            assert_eq!(
                name(bad).unwrap_err().code(),
                ErrorCode::InvalidName,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_target_before_the_start_names_the_field() {
        assert!(dates(d("2027-01-10"), Some(d("2027-01-10"))).is_ok());
        assert!(dates(d("2027-01-10"), None).is_ok());
        let e = dates(d("2027-01-10"), Some(d("2027-01-09"))).unwrap_err();
        assert_eq!(e.code(), ErrorCode::TargetBeforeStart);
    }

    #[test]
    fn capacity_and_staff_are_bounded() {
        assert_eq!(capacity(None).unwrap(), None);
        assert_eq!(capacity(Some(1)).unwrap(), Some(1));
        assert!(capacity(Some(0)).is_err() && capacity(Some(100_001)).is_err());
        let a = Uuid::new_v4();
        assert_eq!(staff(&[a, a]).unwrap(), vec![a]);
        let many: Vec<Uuid> = (0..51).map(|_| Uuid::new_v4()).collect();
        assert!(staff(&many).is_err());
    }

    #[test]
    fn a_patch_tells_null_from_missing() {
        let p: UpdateCohort = serde_json::from_str(r#"{"capacity": null}"#).unwrap();
        assert_eq!(p.capacity, Some(None));
        assert_eq!(p.target_on, None);
        let p: UpdateCohort = serde_json::from_str(r#"{"target_on": "2027-02-01"}"#).unwrap();
        assert_eq!(p.target_on, Some(Some(d("2027-02-01"))));
        assert!(
            serde_json::from_str::<UpdateCohort>("{}")
                .unwrap()
                .is_empty()
        );
    }
}
