//! The one application error type and its mapping to HTTP.
//!
//! Every error leaves the service as
//! `{"error": {"code": "stable_snake_case", "message": "human sentence", "details": {...}}}`.
//! A 5xx never shows its cause: the cause goes to the log, under the request's ID, and the
//! client gets a generic sentence and the `X-Request-Id` header to quote.

use std::borrow::Cow;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Every error code the API answers with: stable, snake_case, listed in the OpenAPI document
/// (`components.schemas.ErrorCode`), so clients can switch on them and the web app can hold a
/// sentence for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // generic (framework and HTTP)
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    RequestTimeout,
    LengthRequired,
    PayloadTooLarge,
    UriTooLong,
    UnsupportedMediaType,
    RateLimited,
    HeadersTooLarge,
    ServiceUnavailable,
    InternalError,
    ClientError,
    ServerBusy,
    DatabaseUnavailable,
    DatabaseTimeout,
    InvalidJson,
    InvalidBody,
    InvalidQuery,
    InvalidInput,
    // accounts and sessions
    InvalidToken,
    TokenExpired,
    TokenUsed,
    SessionRevoked,
    InvalidCredentials,
    EmailNotVerified,
    AccountDisabled,
    EmailTaken,
    InvalidEmail,
    InvalidName,
    PasswordTooShort,
    PasswordTooLong,
    PasswordTooCommon,
    PasswordRequired,
    WrongPassword,
    NothingToChange,
    CannotChangeOwnAccount,
    InvalidRefreshToken,
    MissingRefreshToken,
    RefreshTokenReused,
    // learning
    CodeNotFound,
    CodeExpired,
    CodeUsedUp,
    EnrolmentInactive,
    EnrolmentCompleted,
    EnrolmentNotInactive,
    LessonLocked,
    InvalidHeartbeat,
    // quizzes
    QuizLocked,
    AttemptsExhausted,
    QuizCooldown,
    AttemptClosed,
    UnknownQuestion,
    InvalidAnswer,
    // externship
    NoExternship,
    PhiSuspected,
    ShiftOverlaps,
    DateInFuture,
    OutsidePlacement,
    DailyLimitExceeded,
    TooManyCollections,
    UnknownDepartment,
    CollectionTypeNotInCourse,
    ShiftMismatch,
    PlacementCancelled,
    ClientIdReused,
    EntryLocked,
    EntryNotAmendable,
    AlreadyAmended,
    NothingToSubmit,
    SiteNameTaken,
    SiteArchived,
    AttestationUsed,
    AttestationExpired,
    AttestationVoided,
    AttestationNotPending,
    EntryNotInRequest,
    UnknownCompetency,
    NotAttested,
    // credentials
    CertificateRevoked,
    CertificateSuperseded,
    AlreadyCertified,
    EnrolmentNotCompleted,
    KeyNotFound,
    StatusListNotFound,
    // cohorts
    UnknownCourse,
    TargetBeforeStart,
    InvalidStaff,
    CapacityBelowMembers,
    CodeTaken,
    CohortArchived,
    CohortFull,
    CohortCourseMismatch,
    AccountNotFound,
    AlreadyEnrolled,
    CsvTooManyRows,
    CsvHeader,
    CsvEncoding,
    CsvMalformed,
    ImportRejected,
    /// An address of an import got an account while the import ran: check the file again.
    ImportStale,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::BadRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::NotAcceptable,
        ErrorCode::RequestTimeout,
        ErrorCode::LengthRequired,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UriTooLong,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RateLimited,
        ErrorCode::HeadersTooLarge,
        ErrorCode::ServiceUnavailable,
        ErrorCode::InternalError,
        ErrorCode::ClientError,
        ErrorCode::ServerBusy,
        ErrorCode::DatabaseUnavailable,
        ErrorCode::DatabaseTimeout,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidBody,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidInput,
        ErrorCode::InvalidToken,
        ErrorCode::TokenExpired,
        ErrorCode::TokenUsed,
        ErrorCode::SessionRevoked,
        ErrorCode::InvalidCredentials,
        ErrorCode::EmailNotVerified,
        ErrorCode::AccountDisabled,
        ErrorCode::EmailTaken,
        ErrorCode::InvalidEmail,
        ErrorCode::InvalidName,
        ErrorCode::PasswordTooShort,
        ErrorCode::PasswordTooLong,
        ErrorCode::PasswordTooCommon,
        ErrorCode::PasswordRequired,
        ErrorCode::WrongPassword,
        ErrorCode::NothingToChange,
        ErrorCode::CannotChangeOwnAccount,
        ErrorCode::InvalidRefreshToken,
        ErrorCode::MissingRefreshToken,
        ErrorCode::RefreshTokenReused,
        ErrorCode::CodeNotFound,
        ErrorCode::CodeExpired,
        ErrorCode::CodeUsedUp,
        ErrorCode::EnrolmentInactive,
        ErrorCode::EnrolmentCompleted,
        ErrorCode::EnrolmentNotInactive,
        ErrorCode::LessonLocked,
        ErrorCode::InvalidHeartbeat,
        ErrorCode::QuizLocked,
        ErrorCode::AttemptsExhausted,
        ErrorCode::QuizCooldown,
        ErrorCode::AttemptClosed,
        ErrorCode::UnknownQuestion,
        ErrorCode::InvalidAnswer,
        ErrorCode::NoExternship,
        ErrorCode::PhiSuspected,
        ErrorCode::ShiftOverlaps,
        ErrorCode::DateInFuture,
        ErrorCode::OutsidePlacement,
        ErrorCode::DailyLimitExceeded,
        ErrorCode::TooManyCollections,
        ErrorCode::UnknownDepartment,
        ErrorCode::CollectionTypeNotInCourse,
        ErrorCode::ShiftMismatch,
        ErrorCode::PlacementCancelled,
        ErrorCode::ClientIdReused,
        ErrorCode::EntryLocked,
        ErrorCode::EntryNotAmendable,
        ErrorCode::AlreadyAmended,
        ErrorCode::NothingToSubmit,
        ErrorCode::SiteNameTaken,
        ErrorCode::SiteArchived,
        ErrorCode::AttestationUsed,
        ErrorCode::AttestationExpired,
        ErrorCode::AttestationVoided,
        ErrorCode::AttestationNotPending,
        ErrorCode::EntryNotInRequest,
        ErrorCode::UnknownCompetency,
        ErrorCode::NotAttested,
        ErrorCode::CertificateRevoked,
        ErrorCode::CertificateSuperseded,
        ErrorCode::AlreadyCertified,
        ErrorCode::EnrolmentNotCompleted,
        ErrorCode::KeyNotFound,
        ErrorCode::StatusListNotFound,
        ErrorCode::UnknownCourse,
        ErrorCode::TargetBeforeStart,
        ErrorCode::InvalidStaff,
        ErrorCode::CapacityBelowMembers,
        ErrorCode::CodeTaken,
        ErrorCode::CohortArchived,
        ErrorCode::CohortFull,
        ErrorCode::CohortCourseMismatch,
        ErrorCode::AccountNotFound,
        ErrorCode::AlreadyEnrolled,
        ErrorCode::CsvTooManyRows,
        ErrorCode::CsvHeader,
        ErrorCode::CsvEncoding,
        ErrorCode::CsvMalformed,
        ErrorCode::ImportRejected,
        ErrorCode::ImportStale,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::NotAcceptable => "not_acceptable",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::LengthRequired => "length_required",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::ClientError => "client_error",
            ErrorCode::ServerBusy => "server_busy",
            ErrorCode::DatabaseUnavailable => "database_unavailable",
            ErrorCode::DatabaseTimeout => "database_timeout",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenUsed => "token_used",
            ErrorCode::SessionRevoked => "session_revoked",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::EmailNotVerified => "email_not_verified",
            ErrorCode::AccountDisabled => "account_disabled",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidName => "invalid_name",
            ErrorCode::PasswordTooShort => "password_too_short",
            ErrorCode::PasswordTooLong => "password_too_long",
            ErrorCode::PasswordTooCommon => "password_too_common",
            ErrorCode::PasswordRequired => "password_required",
            ErrorCode::WrongPassword => "wrong_password",
            ErrorCode::NothingToChange => "nothing_to_change",
            ErrorCode::CannotChangeOwnAccount => "cannot_change_own_account",
            ErrorCode::InvalidRefreshToken => "invalid_refresh_token",
            ErrorCode::MissingRefreshToken => "missing_refresh_token",
            ErrorCode::RefreshTokenReused => "refresh_token_reused",
            ErrorCode::CodeNotFound => "code_not_found",
            ErrorCode::CodeExpired => "code_expired",
            ErrorCode::CodeUsedUp => "code_used_up",
            ErrorCode::EnrolmentInactive => "enrolment_inactive",
            ErrorCode::EnrolmentCompleted => "enrolment_completed",
            ErrorCode::EnrolmentNotInactive => "enrolment_not_inactive",
            ErrorCode::LessonLocked => "lesson_locked",
            ErrorCode::InvalidHeartbeat => "invalid_heartbeat",
            ErrorCode::QuizLocked => "quiz_locked",
            ErrorCode::AttemptsExhausted => "attempts_exhausted",
            ErrorCode::QuizCooldown => "quiz_cooldown",
            ErrorCode::AttemptClosed => "attempt_closed",
            ErrorCode::UnknownQuestion => "unknown_question",
            ErrorCode::InvalidAnswer => "invalid_answer",
            ErrorCode::NoExternship => "no_externship",
            ErrorCode::PhiSuspected => "phi_suspected",
            ErrorCode::ShiftOverlaps => "shift_overlaps",
            ErrorCode::DateInFuture => "date_in_future",
            ErrorCode::OutsidePlacement => "outside_placement",
            ErrorCode::DailyLimitExceeded => "daily_limit_exceeded",
            ErrorCode::TooManyCollections => "too_many_collections",
            ErrorCode::UnknownDepartment => "unknown_department",
            ErrorCode::CollectionTypeNotInCourse => "collection_type_not_in_course",
            ErrorCode::ShiftMismatch => "shift_mismatch",
            ErrorCode::PlacementCancelled => "placement_cancelled",
            ErrorCode::ClientIdReused => "client_id_reused",
            ErrorCode::EntryLocked => "entry_locked",
            ErrorCode::EntryNotAmendable => "entry_not_amendable",
            ErrorCode::AlreadyAmended => "already_amended",
            ErrorCode::NothingToSubmit => "nothing_to_submit",
            ErrorCode::SiteNameTaken => "site_name_taken",
            ErrorCode::SiteArchived => "site_archived",
            ErrorCode::AttestationUsed => "attestation_used",
            ErrorCode::AttestationExpired => "attestation_expired",
            ErrorCode::AttestationVoided => "attestation_voided",
            ErrorCode::AttestationNotPending => "attestation_not_pending",
            ErrorCode::EntryNotInRequest => "entry_not_in_request",
            ErrorCode::UnknownCompetency => "unknown_competency",
            ErrorCode::NotAttested => "not_attested",
            ErrorCode::CertificateRevoked => "certificate_revoked",
            ErrorCode::CertificateSuperseded => "certificate_superseded",
            ErrorCode::AlreadyCertified => "already_certified",
            ErrorCode::EnrolmentNotCompleted => "enrolment_not_completed",
            ErrorCode::KeyNotFound => "key_not_found",
            ErrorCode::StatusListNotFound => "status_list_not_found",
            ErrorCode::UnknownCourse => "unknown_course",
            ErrorCode::TargetBeforeStart => "target_before_start",
            ErrorCode::InvalidStaff => "invalid_staff",
            ErrorCode::CapacityBelowMembers => "capacity_below_members",
            ErrorCode::CodeTaken => "code_taken",
            ErrorCode::CohortArchived => "cohort_archived",
            ErrorCode::CohortFull => "cohort_full",
            ErrorCode::CohortCourseMismatch => "cohort_course_mismatch",
            ErrorCode::AccountNotFound => "account_not_found",
            ErrorCode::AlreadyEnrolled => "already_enrolled",
            ErrorCode::CsvTooManyRows => "csv_too_many_rows",
            ErrorCode::CsvHeader => "csv_header",
            ErrorCode::CsvEncoding => "csv_encoding",
            ErrorCode::CsvMalformed => "csv_malformed",
            ErrorCode::ImportRejected => "import_rejected",
            ErrorCode::ImportStale => "import_stale",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `not_found`, `invalid_json`.
    #[schema(example = "not_found")]
    pub code: ErrorCode,
    /// A sentence for people.
    pub message: String,
    /// Structured details, e.g. which field was wrong. Always an object.
    #[schema(value_type = Object)]
    pub details: Value,
}

/// An error a handler returns. Build one with the constructors below. Boxed, so `Result`s
/// carrying it stay one pointer wide.
pub struct AppError(Box<Inner>);

struct Inner {
    status: StatusCode,
    code: ErrorCode,
    message: Cow<'static, str>,
    details: Value,
    retry_after_secs: Option<u32>,
    headers: Vec<(header::HeaderName, HeaderValue)>,
    /// The cause, logged for 5xx and never sent.
    source: Option<anyhow::Error>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        AppError(Box::new(Inner {
            status,
            code,
            message: message.into(),
            details: Value::Object(Default::default()),
            retry_after_secs: None,
            headers: Vec::new(),
            source: None,
        }))
    }

    /// Adds a response header (e.g. `WWW-Authenticate` on 401).
    pub fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.0.headers.push((name, value));
        self
    }

    /// Adds structured details (must serialize to a JSON object).
    pub fn with_details(mut self, details: Value) -> Self {
        if details.is_object() {
            self.0.details = details;
        }
        self
    }

    /// Sets a `Retry-After` header (for 429 and 503).
    pub fn with_retry_after(mut self, secs: u32) -> Self {
        self.0.retry_after_secs = Some(secs);
        self
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    pub fn unprocessable(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn conflict(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// The database cannot be reached or is overloaded: 503 with `Retry-After`.
    pub fn database_unavailable(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::DatabaseUnavailable,
            "The service is temporarily unavailable. Please try again shortly.",
        )
        .with_retry_after(5);
        e.0.source = Some(cause.into());
        e
    }

    /// Every connection (or hasher) is busy: 503 with a short `Retry-After`.
    pub fn server_busy(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServerBusy,
            "The service is busy. Please try again in a moment.",
        )
        .with_retry_after(1);
        e.0.source = Some(cause.into());
        e
    }

    /// Anything unexpected: 500, cause logged, never sent.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on our side. It has been logged; please try again.",
        );
        e.0.source = Some(cause.into());
        e
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// Whether this error carries `code`.
    pub fn has_code(&self, code: ErrorCode) -> bool {
        self.0.code == code
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The envelope for a status without a specific error (used for framework errors).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message): (ErrorCode, &'static str) = match status.as_u16() {
            400 => (
                ErrorCode::BadRequest,
                "The request could not be understood.",
            ),
            401 => (ErrorCode::Unauthenticated, "Sign in to continue."),
            403 => (
                ErrorCode::Forbidden,
                "You do not have permission to do this.",
            ),
            404 => (ErrorCode::NotFound, "Nothing exists at this address."),
            405 => (
                ErrorCode::MethodNotAllowed,
                "This address does not accept that HTTP method.",
            ),
            406 => (
                ErrorCode::NotAcceptable,
                "The requested representation is not available.",
            ),
            408 => (
                ErrorCode::RequestTimeout,
                "The request took too long to arrive.",
            ),
            411 => (
                ErrorCode::LengthRequired,
                "The request needs a Content-Length header.",
            ),
            413 => (ErrorCode::PayloadTooLarge, "The request body is too large."),
            414 => (ErrorCode::UriTooLong, "The address is too long."),
            415 => (
                ErrorCode::UnsupportedMediaType,
                "The request body has an unsupported content type.",
            ),
            429 => (
                ErrorCode::RateLimited,
                "Too many requests. Please slow down.",
            ),
            431 => (
                ErrorCode::HeadersTooLarge,
                "The request headers are too large.",
            ),
            503 => (
                ErrorCode::ServiceUnavailable,
                "The service is temporarily unavailable. Please try again shortly.",
            ),
            s if s >= 500 => (
                ErrorCode::InternalError,
                "Something went wrong on our side. It has been logged; please try again.",
            ),
            _ => (ErrorCode::ClientError, "The request was not accepted."),
        };
        Self::new(status, code, message)
    }

    fn envelope(&self) -> ErrorEnvelope {
        ErrorEnvelope {
            error: ErrorBody {
                code: self.0.code,
                message: self.0.message.to_string(),
                details: self.0.details.clone(),
            },
        }
    }
}

impl fmt::Debug for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppError")
            .field("status", &self.0.status.as_u16())
            .field("code", &self.0.code)
            .field("message", &self.0.message)
            .field("source", &self.0.source)
            .finish()
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0;
        write!(f, "{} {}: {}", e.status.as_u16(), e.code, e.message)?;
        if let Some(s) = &e.source {
            write!(f, " ({s:#})")?;
        }
        Ok(())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let e = &self.0;
        if e.status.is_server_error() {
            match &e.source {
                Some(cause) => {
                    tracing::error!(code = %e.code, error = %format!("{cause:#}"), "request failed")
                }
                None => tracing::error!(code = %e.code, "request failed"),
            }
        }
        let mut res = HttpResponse::build(e.status);
        if let Some(secs) = e.retry_after_secs {
            res.insert_header((header::RETRY_AFTER, HeaderValue::from(secs)));
        }
        res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        for (name, value) in &e.headers {
            res.insert_header((name.clone(), value.clone()));
        }
        res.json(self.envelope())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::NotFound => AppError::not_found("The requested record does not exist."),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                AppError::database_unavailable(e)
            }
            Error::DatabaseError(_, info) if info.message().contains("statement timeout") => {
                let mut err = AppError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::DatabaseTimeout,
                    "The request took too long to process. Please try again shortly.",
                )
                .with_retry_after(2);
                err.0.source = Some(e.into());
                err
            }
            // Text PostgreSQL cannot store (a NUL byte) that slipped past a handler's own
            // checks: the client's input is at fault, not the server.
            Error::DatabaseError(_, info) if info.message().contains("invalid byte sequence") => {
                AppError::bad_request(
                    ErrorCode::InvalidInput,
                    "The request contains characters that are not allowed (such as NUL).",
                )
            }
            _ if connection_lost(&e) => AppError::database_unavailable(e),
            _ => AppError::internal(e),
        }
    }
}

/// Whether a diesel error means the connection to PostgreSQL went away (the server stopped,
/// restarted or dropped us mid-query) rather than that the query was wrong: those answer 503.
///
/// diesel-async reports a transport failure without an SQLSTATE as `UnableToSendCommand` with
/// tokio-postgres's sentence ("connection closed", "error communicating with the server", ...);
/// the server's own goodbyes (57P01..57P03, class 08) carry their message. Parameter and
/// column (de)serialisation errors come as `UnableToSendCommand` too, and stay 500: they are
/// bugs.
fn connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    const TRANSPORT: &[&str] = &[
        "connection closed",
        "error communicating with the server",
        "unexpected message from server",
        "error connecting to server",
        "error performing TLS handshake",
        "timeout waiting for server",
    ];
    const SERVER: &[&str] = &[
        "terminating connection",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "the database system is not yet accepting connections",
        "connection to client lost",
        "server closed the connection",
    ];
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
            let m = info.message();
            TRANSPORT.iter().chain(SERVER).any(|t| m.contains(t))
        }
        Error::DatabaseError(_, info) => SERVER.iter().any(|t| info.message().contains(t)),
        // A COMMIT that failed because the connection went, whose ROLLBACK then failed too.
        Error::RollbackErrorOnCommit {
            commit_error,
            rollback_error,
        } => connection_lost(commit_error) || connection_lost(rollback_error),
        // The connection's transaction state was lost with the connection.
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        use deadpool::managed::{PoolError, TimeoutType};
        match &e {
            PoolError::Timeout(TimeoutType::Wait) => AppError::server_busy(e),
            _ => AppError::database_unavailable(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body(e: &AppError) -> Value {
        let res = e.error_response();
        let bytes = res.into_body().try_into_bytes().unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn internal_errors_never_show_their_cause() {
        let e = AppError::internal(anyhow::anyhow!("password=hunter2 at db.internal:5432"));
        let res = e.error_response();
        assert_eq!(res.status(), 500);
        let text = body(&e).to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("db.internal"), "{text}");
        assert_eq!(body(&e)["error"]["code"], "internal_error");
    }

    #[test]
    fn unavailable_sets_retry_after() {
        let e = AppError::database_unavailable(anyhow::anyhow!("connection refused"));
        let res = e.error_response();
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers().get("retry-after").unwrap(), "5");
        assert!(!body(&e).to_string().contains("refused"));
    }

    fn db_error(kind: diesel::result::DatabaseErrorKind, message: &str) -> diesel::result::Error {
        diesel::result::Error::DatabaseError(kind, Box::new(message.to_string()))
    }

    /// The values diesel-async returns when PostgreSQL goes away mid-request (tokio-postgres's
    /// sentences, as `UnableToSendCommand` without an SQLSTATE) and the server's goodbyes.
    #[test]
    fn a_lost_connection_is_503_not_500() {
        use diesel::result::DatabaseErrorKind::{ClosedConnection, UnableToSendCommand, Unknown};
        let lost = [
            db_error(UnableToSendCommand, "connection closed"),
            db_error(
                UnableToSendCommand,
                "error communicating with the server: Broken pipe (os error 32)",
            ),
            db_error(UnableToSendCommand, "unexpected message from server"),
            db_error(
                UnableToSendCommand,
                "error connecting to server: Connection refused (os error 111)",
            ),
            db_error(
                ClosedConnection,
                "server closed the connection unexpectedly",
            ),
            db_error(
                Unknown,
                "terminating connection due to administrator command",
            ),
            db_error(Unknown, "the database system is shutting down"),
            diesel::result::Error::BrokenTransactionManager,
            diesel::result::Error::RollbackErrorOnCommit {
                rollback_error: Box::new(db_error(UnableToSendCommand, "connection closed")),
                commit_error: Box::new(db_error(UnableToSendCommand, "connection closed")),
            },
        ];
        for e in lost {
            let shown = format!("{e:?}");
            let app = AppError::from(e);
            assert_eq!(app.status(), 503, "{shown}");
            assert_eq!(app.code(), ErrorCode::DatabaseUnavailable, "{shown}");
            let res = app.error_response();
            assert_eq!(res.headers().get("retry-after").unwrap(), "5");
            assert!(!body(&app).to_string().contains("connection"), "{shown}");
        }
    }

    #[test]
    fn query_bugs_stay_500() {
        use diesel::result::DatabaseErrorKind::{UnableToSendCommand, Unknown};
        for e in [
            db_error(UnableToSendCommand, "error serializing parameter 0"),
            db_error(UnableToSendCommand, "error deserializing column 2"),
            db_error(Unknown, "column \"nope\" does not exist"),
        ] {
            assert_eq!(AppError::from(e).status(), 500);
        }
    }

    #[test]
    fn details_are_always_an_object() {
        let e = AppError::bad_request(ErrorCode::BadRequest, "y")
            .with_details(serde_json::json!([1, 2]));
        assert_eq!(body(&e)["error"]["details"], serde_json::json!({}));
        let e = AppError::bad_request(ErrorCode::BadRequest, "y")
            .with_details(serde_json::json!({"field": "a"}));
        assert_eq!(body(&e)["error"]["details"]["field"], "a");
    }
}
