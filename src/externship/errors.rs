//! The externship's 4xx answers, each with its stable code, built in one place.

use actix_web::http::StatusCode;
use serde_json::json;

use super::phi::PhiFinding;
use super::rules::RuleError;
use crate::http::{AppError, ErrorCode};

pub fn no_externship() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NoExternship,
        "This course has no clinical externship.",
    )
}

pub fn entry_not_found() -> AppError {
    AppError::not_found("No entry of this enrolment's log has this ID.")
}

pub fn placement_not_found() -> AppError {
    AppError::not_found("No placement of this enrolment has this ID.")
}

pub fn site_not_found() -> AppError {
    AppError::not_found("No clinical site has this ID.")
}

pub fn attestation_not_found() -> AppError {
    AppError::not_found("This attestation link is not valid. Check that you copied all of it.")
}

pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::unprocessable(ErrorCode::InvalidInput, message.into())
        .with_details(json!({ "field": field }))
}

/// A free-text field that looks like it holds patient information.
pub fn phi(field: &str, f: &PhiFinding) -> AppError {
    AppError::unprocessable(
        ErrorCode::PhiSuspected,
        format!(
            "`{field}` looks like it contains {} (\u{201c}{}\u{201d}). Patient information is \
             never recorded here: remove it and try again.",
            f.kind.noun(),
            f.matched
        ),
    )
    .with_details(json!({ "field": field, "kind": f.kind, "match": f.matched, "index": f.index }))
}

pub fn rule(e: &RuleError) -> AppError {
    match e {
        RuleError::EmptyShift => invalid("end", "A shift must end after it starts."),
        RuleError::InFuture { latest } => AppError::unprocessable(
            ErrorCode::DateInFuture,
            "Log what has happened: the date is in the future.",
        )
        .with_details(json!({ "latest": latest })),
        RuleError::OutsidePlacement { starts_on, ends_on } => AppError::unprocessable(
            ErrorCode::OutsidePlacement,
            format!("The date is outside the placement, which runs from {starts_on} to {ends_on}."),
        )
        .with_details(json!({ "starts_on": starts_on, "ends_on": ends_on })),
        RuleError::Overlaps { other } => overlaps(Some(*other)),
        RuleError::DailyLimit {
            limit_minutes,
            logged_minutes,
        } => AppError::unprocessable(
            ErrorCode::DailyLimitExceeded,
            format!(
                "At most {} hours can be logged on one day; {} are logged on this day already.",
                limit_minutes / 60,
                hours(*logged_minutes)
            ),
        )
        .with_details(json!({ "limit_minutes": limit_minutes, "logged_minutes": logged_minutes })),
        RuleError::TooManyCollections { limit, logged } => AppError::unprocessable(
            ErrorCode::TooManyCollections,
            format!(
                "That is more attempts than minutes: at most {limit} fit, and {logged} are \
                 logged already."
            ),
        )
        .with_details(json!({ "limit": limit, "logged": logged })),
    }
}

fn hours(minutes: i64) -> String {
    let h = minutes as f64 / 60.0;
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h:.1}")
    }
}

pub fn overlaps(other: Option<uuid::Uuid>) -> AppError {
    AppError::conflict(
        ErrorCode::ShiftOverlaps,
        "This shift overlaps another shift in your log.",
    )
    .with_details(json!({ "other": other }))
}

pub fn locked(state: super::state::EntryState) -> AppError {
    AppError::conflict(
        ErrorCode::EntryLocked,
        "Only a draft can be changed. Correct a decided entry with an amendment.",
    )
    .with_details(json!({ "state": state }))
}

pub fn not_amendable(state: super::state::EntryState) -> AppError {
    AppError::conflict(
        ErrorCode::EntryNotAmendable,
        "Only an attested, rejected, approved or returned entry is amended (a draft is edited, \
         and a submitted one waits for its supervisor).",
    )
    .with_details(json!({ "state": state }))
}

pub fn already_amended() -> AppError {
    AppError::conflict(
        ErrorCode::AlreadyAmended,
        "This entry has already been amended; amend the newer entry instead.",
    )
}

pub fn placement_cancelled() -> AppError {
    AppError::unprocessable(
        ErrorCode::PlacementCancelled,
        "This placement was cancelled; nothing more can be logged at it.",
    )
}

pub fn client_id_reused() -> AppError {
    AppError::conflict(
        ErrorCode::ClientIdReused,
        "This client_id was already used for a different entry.",
    )
}
