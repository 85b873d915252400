//! People as admins see them: the paged list, one person with their tokens, a new account.

use serde::{Deserialize, Serialize};

use super::Role;
use crate::{
    catalog::Catalog,
    paging::Paging,
    token::{TokenPolicy, TokenView},
};

/// Rows per page in the People list.
pub const PEOPLE_PER_PAGE: u32 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    /// Tokens not removed (active or expired).
    pub tokens: i64,
    pub created_at: i64,
}

/// What the People list asks for: a search over login, name and email, and a page (from 1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleQuery {
    pub search: String,
    pub page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub people: Vec<PersonSummary>,
    /// `total` counts the people matching the search.
    #[serde(flatten)]
    pub paging: Paging,
}

/// One person, for the admin's edit page: a page of their tokens (removed ones too), and
/// what a new token for them may be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonPage {
    pub person: PersonSummary,
    pub tokens: Vec<TokenView>,
    pub paging: Paging,
    pub catalog: Catalog,
    pub policy: TokenPolicy,
    /// Their live tokens whose end is near or just past, the soonest first.
    pub ending: Vec<TokenView>,
    /// Unix seconds.
    pub now: i64,
}

/// A new account as the admin types it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPersonForm {
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub role: Role,
}

impl std::fmt::Debug for NewPersonForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPersonForm")
            .field("login", &self.login)
            .field("display_name", &self.display_name)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("role", &self.role)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_persons_password_stays_out_of_debug_output() {
        let form = NewPersonForm {
            login: "ann".into(),
            display_name: String::new(),
            email: String::new(),
            password: "hunter2 hunter2".into(),
            role: Role::User,
        };
        assert!(!format!("{form:?}").contains("hunter2"));
    }
}
