//! Extractor settings: every way a request can fail to parse becomes the JSON envelope with a
//! stable code and a message that says what was wrong.

use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::json;

use super::error::{AppError, ErrorCode};

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| json_error(err, limit).into())
}

pub fn payload_config(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req| {
        let reason = match err {
            PathError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        AppError::not_found(format!("No resource exists at {}.", req.path()))
            .with_details(json!({ "reason": reason }))
            .into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let QueryPayloadError::Deserialize(e) = err else {
            return AppError::bad_request(
                ErrorCode::InvalidQuery,
                "The query string is not valid.",
            )
            .into();
        };
        AppError::bad_request(
            ErrorCode::InvalidQuery,
            format!("The query string is not valid: {e}."),
        )
        .into()
    })
}

/// Maps a JSON body error to the envelope.
pub fn json_error(err: JsonPayloadError, limit: usize) -> AppError {
    match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            AppError::for_status(StatusCode::PAYLOAD_TOO_LARGE)
                .with_details(json!({ "max_bytes": limit }))
        }
        JsonPayloadError::ContentType => AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "The request body must be JSON, sent with `Content-Type: application/json`.",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => AppError::unprocessable(
            ErrorCode::InvalidBody,
            format!("The request body does not have the expected fields: {e}."),
        )
        .with_details(json!({ "line": e.line(), "column": e.column() })),
        JsonPayloadError::Deserialize(e) => AppError::bad_request(
            ErrorCode::InvalidJson,
            format!("The request body is not valid JSON: {e}."),
        )
        .with_details(json!({ "line": e.line(), "column": e.column() })),
        JsonPayloadError::Payload(PayloadError::Overflow) => {
            AppError::for_status(StatusCode::PAYLOAD_TOO_LARGE)
                .with_details(json!({ "max_bytes": limit }))
        }
        JsonPayloadError::Payload(e) => AppError::bad_request(
            ErrorCode::InvalidBody,
            format!("The request body could not be read: {e}."),
        ),
        other => AppError::bad_request(
            ErrorCode::InvalidBody,
            format!("The request body is not valid: {other}."),
        ),
    }
}
