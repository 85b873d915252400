//! REST API errors: the API's own (no credential, no password, bad JSON) and the service
//! layer's, by kind, in one table of codes and statuses.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::{
    http::error::{internal, json_error, refusal_status},
    services::{
        accounts::AccountError,
        error::{Classify, ErrorKind},
        tokens::{CheckError, Refusal, TokenError},
        webhooks::WebhookError,
    },
    storage::StorageError,
};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Sign in, or send an access token that may manage tokens.")]
    Unauthenticated,
    #[error("This change needs your account password in the password field.")]
    PasswordRequired,
    #[error("The request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("{0}")]
    InvalidQuery(String),
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
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
    /// Status and code; `None` for internal failures.
    fn classify(&self) -> Option<(StatusCode, &'static str)> {
        let kind = match self {
            Self::Unauthenticated => return Some((StatusCode::UNAUTHORIZED, "unauthenticated")),
            Self::PasswordRequired => {
                return Some((StatusCode::UNPROCESSABLE_ENTITY, "password_required"));
            }
            Self::InvalidJson(_) => return Some((StatusCode::BAD_REQUEST, "invalid_json")),
            Self::InvalidQuery(_) => return Some((StatusCode::BAD_REQUEST, "invalid_query")),
            Self::Refused(refusal) => ErrorKind::Refused(refusal),
            Self::Token(error) => error.kind(),
            Self::Account(error) => error.kind(),
            Self::Webhook(error) => error.kind(),
            Self::Storage(error) => error.kind(),
        };
        rest_answer(kind)
    }
}

/// The REST API's table: what each kind of failure answers.
fn rest_answer(kind: ErrorKind<'_>) -> Option<(StatusCode, &'static str)> {
    Some(match kind {
        ErrorKind::Invalid => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ErrorKind::InvalidToken(errors) if errors.by_policy => {
            (StatusCode::UNPROCESSABLE_ENTITY, "policy_violation")
        }
        ErrorKind::InvalidToken(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        ErrorKind::UnknownUser(_) => (StatusCode::NOT_FOUND, "unknown_user"),
        ErrorKind::AlreadyExists => (StatusCode::CONFLICT, "already_exists"),
        ErrorKind::LoginTaken => (StatusCode::CONFLICT, "login_taken"),
        ErrorKind::Conflict => (StatusCode::CONFLICT, "conflict"),
        ErrorKind::QuotaExceeded => (StatusCode::FORBIDDEN, "quota_exceeded"),
        ErrorKind::UnknownMethod => (StatusCode::NOT_FOUND, "not_found"),
        ErrorKind::InvalidCredentials | ErrorKind::WrongPassword => {
            (StatusCode::FORBIDDEN, "wrong_password")
        }
        ErrorKind::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "throttled"),
        ErrorKind::NotAdmin => (StatusCode::FORBIDDEN, "forbidden"),
        ErrorKind::Refused(refusal) => (refusal_status(refusal), refusal.code()),
        ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "database_unavailable"),
        ErrorKind::Internal => return None,
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.classify() {
            Some((status, "database_unavailable")) => json_error(
                status,
                "database_unavailable",
                "The database is not answering. Try again in a moment.",
            ),
            Some((status, code)) => {
                let mut response = json_error(status, code, &self.to_string());
                if let Some(secs) = self.retry_after_secs() {
                    response
                        .headers_mut()
                        .insert(http::header::RETRY_AFTER, secs.into());
                }
                response
            }
            None => internal(&self),
        }
    }
}

impl ApiError {
    fn retry_after_secs(&self) -> Option<i64> {
        match self {
            Self::Account(AccountError::Throttled { retry_after_secs })
            | Self::Token(TokenError::Account(AccountError::Throttled { retry_after_secs })) => {
                Some(*retry_after_secs)
            }
            Self::Refused(Refusal::RateLimited { retry_after_secs }) => {
                i64::try_from(*retry_after_secs).ok()
            }
            _ => None,
        }
    }
}
