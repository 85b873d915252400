//! REST API errors: one enum, one table of codes and statuses.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::{
    http::error::{internal, json_error},
    services::{
        accounts::AccountError,
        tokens::{CheckError, Refusal, TokenError},
    },
    storage::StorageError,
};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Refused(Refusal),
    #[error("Sign in, or send an access token that may manage tokens.")]
    Unauthenticated,
    #[error("This change needs your account password in the password field.")]
    PasswordRequired,
    #[error("The request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<CheckError> for ApiError {
    fn from(error: CheckError) -> Self {
        match error {
            CheckError::Refused(refusal) => Self::Refused(refusal),
            CheckError::Storage(storage) => Self::Storage(storage),
        }
    }
}

impl ApiError {
    fn account(error: &AccountError) -> Option<(StatusCode, &'static str)> {
        Some(match error {
            AccountError::WrongPassword | AccountError::InvalidCredentials => {
                (StatusCode::FORBIDDEN, "wrong_password")
            }
            AccountError::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "throttled"),
            AccountError::NotAdmin => (StatusCode::FORBIDDEN, "forbidden"),
            AccountError::UnknownUser(_) => (StatusCode::NOT_FOUND, "unknown_user"),
            AccountError::LoginTaken(_) => (StatusCode::CONFLICT, "login_taken"),
            AccountError::InvalidLogin(_) | AccountError::InvalidPassword(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            }
            _ => return None,
        })
    }

    fn storage(error: &StorageError) -> Option<(StatusCode, &'static str)> {
        matches!(error, StorageError::Unavailable(_))
            .then_some((StatusCode::SERVICE_UNAVAILABLE, "database_unavailable"))
    }

    /// Status and code; `None` for internal failures.
    fn classify(&self) -> Option<(StatusCode, &'static str)> {
        match self {
            Self::Refused(refusal) => Some((refusal.status(), refusal.code())),
            Self::Unauthenticated => Some((StatusCode::UNAUTHORIZED, "unauthenticated")),
            Self::PasswordRequired => Some((StatusCode::UNPROCESSABLE_ENTITY, "password_required")),
            Self::InvalidJson(_) => Some((StatusCode::BAD_REQUEST, "invalid_json")),
            Self::Token(TokenError::NotFound) => Some((StatusCode::NOT_FOUND, "not_found")),
            Self::Token(TokenError::Invalid(_)) => {
                Some((StatusCode::UNPROCESSABLE_ENTITY, "invalid"))
            }
            Self::Token(TokenError::Input(errors)) if errors.by_policy => {
                Some((StatusCode::UNPROCESSABLE_ENTITY, "policy_violation"))
            }
            Self::Token(TokenError::Input(_)) => {
                Some((StatusCode::UNPROCESSABLE_ENTITY, "invalid"))
            }
            Self::Token(TokenError::Account(error)) | Self::Account(error) => Self::account(error),
            Self::Token(TokenError::Storage(error)) | Self::Storage(error) => Self::storage(error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.classify() {
            Some((status, "database_unavailable")) => json_error(
                status,
                "database_unavailable",
                "The database is not answering. Try again in a moment.",
            ),
            Some((status, code)) => json_error(status, code, &self.to_string()),
            None => internal(&self),
        }
    }
}
