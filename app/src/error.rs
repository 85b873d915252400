//! The error every server function returns: typed, serializable, and free of internals.

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ServerError {
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("{}", crate::account::INVALID_CREDENTIALS)]
    InvalidCredentials,
    #[error("{}", crate::account::WRONG_PASSWORD)]
    WrongPassword,
    #[error("{}", crate::account::throttled_message(*retry_after_secs))]
    Throttled { retry_after_secs: i64 },
    /// Input that cannot be accepted; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// A token form with fields that cannot be accepted, each explained.
    #[error("{}", .0.summary())]
    InvalidFields(Box<crate::token::TokenInputErrors>),
    #[error("There is no such token: it may have been removed in another tab. Refresh the list.")]
    NotFound,
    #[error("{}", crate::account::ADMINS_ONLY)]
    Forbidden,
    #[error("There is no user with the login {0}.")]
    UnknownUser(String),
    #[error("The database is not answering. Try again in a moment.")]
    DatabaseUnavailable,
    #[error("Something went wrong on the server. It has been logged.")]
    Internal,
    /// The server function's input could not be read (a client's mistake, not the server's).
    #[error("The request could not be read: {0}")]
    Malformed(String),
    /// The request did not reach the server function or its answer could not be read
    /// (network down, server restarting). Raised by the server-function machinery.
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl FromServerFnError for ServerError {
    type Encoder = crate::server_fns::codec::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) => Self::Malformed(message),
            // On the server, what fails to deserialize is the client's input.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(message) => Self::Malformed(message),
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl ServerError {
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::WrongPassword => StatusCode::FORBIDDEN,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Invalid(_) | Self::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::NotFound | Self::UnknownUser(_) => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal | Self::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}
