//! Accounts as both sides see them: parsed credentials and the user DTO.

mod login;
mod password;
mod people;

pub use login::{Login, LoginError};
pub use password::{Password, PasswordError};
pub use people::{
    NewPersonForm, PEOPLE_PER_PAGE, PeoplePage, PeopleQuery, PersonPage, PersonSummary,
};

use serde::{Deserialize, Serialize};

// Worded once: the services' errors and the browser's error type both say these.
pub const PASSWORDS_DIFFER: &str = "The new password and its confirmation differ.";
pub const INVALID_CREDENTIALS: &str = "Wrong login or password.";
pub const WRONG_PASSWORD: &str = "Wrong password.";
pub const ADMINS_ONLY: &str = "Only administrators can do this.";
/// Who the audit log and a token's "created by" name when the operator acted at the command
/// line (never a login: logins cannot hold parentheses).
pub const OPERATOR: &str = "(command line)";

pub fn throttled_message(retry_after_secs: i64) -> String {
    let unit = if retry_after_secs == 1 {
        "second"
    } else {
        "seconds"
    };
    format!("Too many failed attempts. Try again in {retry_after_secs} {unit}.")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "user" => Some(Self::User),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("\"{0}\" is not a role (user or admin)")]
pub struct UnknownRole(String);

/// How storage reads the role column.
impl TryFrom<String> for Role {
    type Error = UnknownRole;

    fn try_from(value: String) -> Result<Self, UnknownRole> {
        Self::parse(&value).ok_or(UnknownRole(value))
    }
}

/// The signed-in user as the browser sees it: no hash, no counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
}
