//! How account errors answer over HTTP: each feature error becomes an [`AppError`] with its
//! status, code and sentence here, and nowhere else.

use actix_web::http::StatusCode;

use super::cli::CreateAdminError;
use super::domain::Invalid;
use super::password::HashError;
use super::store::AccountError;
use crate::http::{AppError, ErrorCode};

/// 422 with the rule's own code, sentence and field.
impl From<Invalid> for AppError {
    fn from(e: Invalid) -> AppError {
        AppError::unprocessable(e.code, e.message).with_details(e.details)
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> AppError {
        match e {
            AccountError::EmailTaken => AppError::conflict(
                ErrorCode::EmailTaken,
                "An account with this email address already exists. Sign in, or reset your password if you forgot it.",
            )
            .with_details(serde_json::json!({ "field": "email" })),
            AccountError::UnknownToken => AppError::bad_request(
                ErrorCode::InvalidToken,
                "This link is not valid. Check that you copied all of it, or ask for a new one.",
            ),
            AccountError::TokenUsed => AppError::new(
                StatusCode::GONE,
                ErrorCode::TokenUsed,
                "This link has already been used. Ask for a new one if you still need it.",
            ),
            AccountError::TokenExpired => AppError::new(
                StatusCode::GONE,
                ErrorCode::TokenExpired,
                "This link has expired. Ask for a new one.",
            ),
            AccountError::Db(e) => e.into(),
        }
    }
}

/// A full hasher queue is 503 `server_busy` (retry shortly); anything else is a 500.
impl From<HashError> for AppError {
    fn from(e: HashError) -> AppError {
        match e {
            HashError::Busy => AppError::server_busy(e),
            HashError::Failed(_) => AppError::internal(e),
        }
    }
}

impl From<CreateAdminError> for AppError {
    fn from(e: CreateAdminError) -> AppError {
        match e {
            CreateAdminError::Invalid(e) => e.into(),
            CreateAdminError::PasswordRequired => AppError::unprocessable(
                ErrorCode::PasswordRequired,
                "A new admin account needs a password.",
            ),
            CreateAdminError::Account(e) => e.into(),
            CreateAdminError::Hash(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::domain::{Email, NewPassword};

    fn status_and_code(e: impl Into<AppError>) -> (u16, String) {
        let e = e.into();
        (e.status().as_u16(), e.code().to_string())
    }

    #[test]
    fn invalid_inputs_are_422_with_their_own_code_and_field() {
        let e = AppError::from(Email::parse("ana").unwrap_err());
        assert_eq!(
            (e.status().as_u16(), e.code()),
            (422, ErrorCode::InvalidEmail)
        );
        assert!(e.message().starts_with("The email address is not valid"));
        let e = AppError::from(NewPassword::parse("short", None).err().unwrap());
        assert_eq!(
            (e.status().as_u16(), e.code()),
            (422, ErrorCode::PasswordTooShort)
        );
    }

    #[test]
    fn account_errors_answer_with_their_status_and_code() {
        let cases = [
            (AccountError::EmailTaken, 409, ErrorCode::EmailTaken),
            (AccountError::UnknownToken, 400, ErrorCode::InvalidToken),
            (AccountError::TokenUsed, 410, ErrorCode::TokenUsed),
            (AccountError::TokenExpired, 410, ErrorCode::TokenExpired),
            (
                AccountError::Db(diesel::result::Error::NotFound),
                404,
                ErrorCode::NotFound,
            ),
        ];
        for (e, status, code) in cases {
            assert_eq!(status_and_code(e), (status, code.as_str().to_string()));
        }
    }

    #[test]
    fn hasher_errors_are_busy_or_internal() {
        assert_eq!(
            status_and_code(HashError::Busy),
            (503, "server_busy".into())
        );
        assert_eq!(
            status_and_code(HashError::Failed("boom".into())),
            (500, "internal_error".into())
        );
    }

    #[test]
    fn create_admin_errors_keep_their_sentences() {
        let e = AppError::from(CreateAdminError::PasswordRequired);
        assert_eq!(
            (e.status().as_u16(), e.code()),
            (422, ErrorCode::PasswordRequired)
        );
        assert_eq!(
            CreateAdminError::PasswordRequired.message(),
            "A new admin account needs a password."
        );
    }
}
