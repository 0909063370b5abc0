//! Extractor settings: every way a request can fail to parse becomes the JSON envelope with a
//! stable code and a message that says what was wrong. JSON bodies are also held to a stricter
//! reading than serde's (no duplicate keys, an object at the top level): see
//! [`strict_json_bodies`].

use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::{self, BytesMut};
use futures_util::StreamExt;
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
        // A literal route beside a parameter one (`POST /enrolments/join` beside
        // `GET /enrolments/{id}`): another method on the literal path is a 405, not a 404 for
        // an ID that does not parse.
        if let Some(allow) = super::allowed_methods(req, req.path()) {
            return super::method_not_allowed(req, Some(allow)).into();
        }
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

/// Whether a request's `Content-Type` is one the JSON extractor reads (`*/json`, `*/*+json`).
fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .and_then(|essence| essence.trim().split_once('/'))
        .is_some_and(|(_, sub)| {
            let sub = sub.to_ascii_lowercase();
            sub == "json" || sub.ends_with("+json")
        })
}

/// The middleware in front of every JSON body: serde (and so `web::Json`) is lenient where the
/// API is not, so a JSON body is read once here and refused with 422 `invalid_body` when
///
/// - an object has the same key twice, at any depth (serde keeps the last one silently for
///   maps and `Value`s, e.g. quiz answers), or
/// - the top level is not an object: every request body of the API is an object, and serde's
///   derive would otherwise accept an array for a struct, field by field in order (a login
///   body `["email", "password"]`).
///
/// Bodies that are not valid JSON pass through untouched, so the extractor answers them with
/// its usual 400 `invalid_json` and position. Requests with another content type are not read.
pub async fn strict_json_bodies<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
    limit: usize,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if !is_json(&req) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let err = json_error(JsonPayloadError::Payload(e), limit);
                return Ok(req.error_response(err).map_into_right_body());
            }
        };
        if body.len() + chunk.len() > limit {
            let err = json_error(JsonPayloadError::Payload(PayloadError::Overflow), limit);
            return Ok(req.error_response(err).map_into_right_body());
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    if let Err(err) = strict_json(&body) {
        return Ok(req.error_response(err).map_into_right_body());
    }
    req.set_payload(Payload::from(body));
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The check [`strict_json_bodies`] makes: `Err` for valid JSON that the API refuses, `Ok` for
/// an acceptable body and for one that is not JSON at all (the extractor reports that).
pub fn strict_json(body: &[u8]) -> Result<(), AppError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde::de::DeserializeSeed::deserialize(UniqueKeys, &mut de).and_then(|()| de.end()) {
        Ok(()) => {}
        Err(e) if e.is_data() => {
            return Err(AppError::unprocessable(
                ErrorCode::InvalidBody,
                format!("The request body does not have the expected fields: {e}."),
            )
            .with_details(json!({ "line": e.line(), "column": e.column() })));
        }
        Err(_) => return Ok(()),
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(AppError::unprocessable(
            ErrorCode::InvalidBody,
            "The request body must be a JSON object.",
        ));
    }
    Ok(())
}

/// Walks any JSON value and fails on the first object with a repeated key.
#[derive(Clone, Copy)]
struct UniqueKeys;

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            map.next_value_seed(self)?;
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate key `{key}`"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_and_non_objects_are_refused_and_bad_json_passes_through() {
        for ok in [
            &br#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 1}]}"#[..],
            br#" {}"#,
            br#"{"a": "\u00e9", "\u00e9": 1}"#,
            // not JSON: the extractor answers these
            br#"{"a": "#,
            b"",
            br#"[1,"#,
        ] {
            assert!(strict_json(ok).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &br#"{"a": 1, "a": 2}"#[..],
            br#"{"x": {"q1": [1], "q1": [2]}}"#,
            br#"{"x": [{"k": 1, "k": 1}]}"#,
            // the same key written with an escape
            br#"{"a": 1, "\u0061": 2}"#,
            br#"["email", "password"]"#,
            b"1",
            b"\"text\"",
            b"null",
        ] {
            let err = strict_json(bad).expect_err(&String::from_utf8_lossy(bad));
            assert_eq!(err.status(), 422);
            assert_eq!(err.code(), ErrorCode::InvalidBody);
        }
    }
}
