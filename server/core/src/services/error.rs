//! What kind of failure an error is. Every error of the service layer names its kind; every
//! surface (the REST API, the platform API, server functions, the command line) maps kinds to
//! its own answers once, in one table. No HTTP status is chosen here.

use domain::token::TokenInputErrors;

use super::{
    accounts::AccountError,
    platform::PlatformError,
    tokens::{CheckError, Refusal, TokenError},
};
use crate::storage::StorageError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind<'a> {
    /// Input that cannot be accepted; the message says why.
    Invalid,
    /// A token's settings refused field by field (by the rules or the server's policy).
    InvalidToken(&'a TokenInputErrors),
    NotFound,
    UnknownUser(&'a str),
    AlreadyExists,
    LoginTaken,
    /// What is there forbids it (deploying to a stopped environment).
    Conflict,
    QuotaExceeded,
    UnknownMethod,
    /// A wrong login or password at sign-in (one answer for both).
    InvalidCredentials,
    /// The acting account's password, confirming a change, is wrong.
    WrongPassword,
    Throttled {
        retry_after_secs: i64,
    },
    NotAdmin,
    /// A presented access token was refused.
    Refused(&'a Refusal),
    /// The database does not answer; trying again later may work.
    Unavailable,
    /// A fault of the server's: logged, answered without detail.
    Internal,
}

/// An error that knows its kind; its `Display` is the message a person may read.
pub trait Classify: std::error::Error {
    fn kind(&self) -> ErrorKind<'_>;
}

impl Classify for StorageError {
    fn kind(&self) -> ErrorKind<'_> {
        match self {
            Self::Unavailable(_) => ErrorKind::Unavailable,
            _ => ErrorKind::Internal,
        }
    }
}

impl Classify for AccountError {
    fn kind(&self) -> ErrorKind<'_> {
        match self {
            Self::InvalidCredentials => ErrorKind::InvalidCredentials,
            Self::WrongPassword => ErrorKind::WrongPassword,
            Self::Throttled { retry_after_secs } => ErrorKind::Throttled {
                retry_after_secs: *retry_after_secs,
            },
            Self::LoginTaken(_) => ErrorKind::LoginTaken,
            Self::UnknownUser(login) => ErrorKind::UnknownUser(login),
            Self::NotAdmin => ErrorKind::NotAdmin,
            Self::InvalidLogin(_)
            | Self::InvalidPassword(_)
            | Self::PasswordsDiffer
            | Self::DisablingSelf => ErrorKind::Invalid,
            Self::Storage(error) => error.kind(),
            Self::Hash(_) => ErrorKind::Internal,
        }
    }
}

impl Classify for TokenError {
    fn kind(&self) -> ErrorKind<'_> {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::Invalid(_) => ErrorKind::Invalid,
            Self::ReplacedValue => ErrorKind::Conflict,
            Self::Input(errors) => ErrorKind::InvalidToken(errors),
            Self::Account(error) => error.kind(),
            Self::Storage(error) => error.kind(),
        }
    }
}

impl Classify for super::webhooks::WebhookError {
    fn kind(&self) -> ErrorKind<'_> {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::Input(_) | Self::Address(_) => ErrorKind::Invalid,
            Self::NotAdmin => ErrorKind::NotAdmin,
            Self::Account(error) => error.kind(),
            Self::Storage(error) => error.kind(),
        }
    }
}

impl Classify for CheckError {
    fn kind(&self) -> ErrorKind<'_> {
        match self {
            Self::Refused(refusal) => ErrorKind::Refused(refusal),
            Self::Storage(error) => error.kind(),
        }
    }
}

impl Classify for PlatformError {
    fn kind(&self) -> ErrorKind<'_> {
        match self {
            Self::UnknownMethod => ErrorKind::UnknownMethod,
            Self::Refused(refusal) => ErrorKind::Refused(refusal),
            Self::InvalidParameter(_) => ErrorKind::Invalid,
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::AlreadyExists(_) => ErrorKind::AlreadyExists,
            Self::Conflict(_) => ErrorKind::Conflict,
            Self::QuotaExceeded(_) => ErrorKind::QuotaExceeded,
            Self::Token(error) => error.kind(),
            Self::Account(error) => error.kind(),
            Self::Storage(error) => error.kind(),
        }
    }
}
