//! Accounts: users, signing in and out, sessions, and confirming a password.

mod administration;
mod passwords;
mod signing_in;
mod throttle;
mod turns;

use std::{fmt, sync::Arc};

use domain::{
    account::{
        self, Login, LoginError, NewPersonForm, PEOPLE_PER_PAGE, Password, PasswordError,
        PeoplePage, PeopleQuery, PersonSummary, Role, UserView,
    },
    client::ClientInfo,
    paging::Paging,
};

use super::{
    audit::{self, Action, Actor, Event},
    tokens::CheckCache,
};
use crate::{
    auth::{
        password::{HashError, PasswordHasher},
        secret,
    },
    clock,
    storage::{self, Database, StorageError, sessions, users},
};

/// A session ends after this long without a request...
pub const SESSION_IDLE_SECS: i64 = 60 * 60;
/// ...and after this long in any case.
pub const SESSION_ABSOLUTE_SECS: i64 = 12 * 60 * 60;
/// `last_seen_at` is written at most this often per session.
const SESSION_TOUCH_SECS: i64 = 60;
const SESSION_TOKEN_BYTES: usize = 32;
const GENERATED_PASSWORD_BYTES: usize = 18;
pub const INITIAL_ADMIN_LOGIN: &str = "admin";

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{}", account::INVALID_CREDENTIALS)]
    InvalidCredentials,
    #[error("{}", account::WRONG_PASSWORD)]
    WrongPassword,
    #[error("{}", account::throttled_message(*retry_after_secs))]
    Throttled { retry_after_secs: i64 },
    #[error("The login {0} is already taken.")]
    LoginTaken(String),
    #[error("There is no user with the login {0}.")]
    UnknownUser(String),
    #[error("{}", account::ADMINS_ONLY)]
    NotAdmin,
    #[error("{0}")]
    InvalidLogin(#[from] LoginError),
    #[error("{0}")]
    InvalidPassword(#[from] PasswordError),
    #[error("You cannot disable your own account.")]
    DisablingSelf,
    #[error("{}", account::PASSWORDS_DIFFER)]
    PasswordsDiffer,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

pub type Result<T, E = AccountError> = std::result::Result<T, E>;

/// A session cookie's value, as issued at sign-in. Shown in no `Debug` output.
pub struct SessionToken(String);

impl SessionToken {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

#[derive(Debug)]
pub struct SignedIn {
    pub token: SessionToken,
    pub user: UserView,
}

/// The user behind a valid session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub session_id: i64,
    pub user_id: i64,
    pub user: UserView,
}

/// Proof that the acting user was an admin when this request was checked. Services that act
/// on another user's tokens take one (through [`TokenOwner::for_admin`]), so a handler that
/// forgets the check does not compile. Made only by [`AdminProof::of_role`].
///
/// [`TokenOwner::for_admin`]: crate::services::tokens::TokenOwner::for_admin
#[derive(Debug)]
pub struct AdminProof(());

impl AdminProof {
    /// The one admin check: the role as read with the session or token on this request (a
    /// demoted admin loses the rights at their next request).
    pub fn of_role(role: Role) -> Result<Self> {
        match role {
            Role::Admin => Ok(Self(())),
            Role::User => Err(AccountError::NotAdmin),
        }
    }
}

impl SessionUser {
    pub fn require_admin(&self) -> Result<AdminProof> {
        AdminProof::of_role(self.user.role)
    }

    pub fn actor(&self) -> Actor {
        Actor::User {
            user_id: self.user_id,
            login: self.user.login.clone(),
        }
    }
}

/// Proof that the acting user's password was checked in this request, or that the operator
/// acts at the command line. Every token change takes one.
#[derive(Debug, Clone)]
pub struct Confirmed {
    actor: Actor,
}

impl Confirmed {
    /// The operator at the command line: they hold the server's database already.
    pub fn by_operator() -> Self {
        Self {
            actor: Actor::Operator,
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

pub struct NewAccount {
    pub login: Login,
    pub display_name: String,
    pub email: String,
    pub password: Password,
    pub role: Role,
}

impl NewAccount {
    /// The admin's New person form, parsed.
    pub fn from_form(form: NewPersonForm) -> Result<Self> {
        Ok(Self {
            login: Login::parse(&form.login)?,
            display_name: form.display_name,
            email: form.email,
            password: Password::new(form.password)?,
            role: form.role,
        })
    }
}

/// The first admin, made at first start. `generated_password` is set when the operator gave
/// none: it must be shown to them once.
#[derive(Debug)]
pub struct InitialAdmin {
    pub login: &'static str,
    pub generated_password: Option<Password>,
}

#[derive(Clone, Debug)]
pub struct AccountService {
    database: Database,
    hasher: PasswordHasher,
    turns: turns::Turns,
    /// Disabling an owner alters the checks of their tokens.
    token_checks: Arc<CheckCache>,
}

impl AccountService {
    pub fn new(database: Database, token_checks: Arc<CheckCache>) -> Self {
        let hasher = PasswordHasher::default();
        hasher.warm_up();
        Self {
            database,
            hasher,
            turns: turns::Turns::default(),
            token_checks,
        }
    }
}

fn user_view(row: &users::UserRow) -> UserView {
    UserView {
        login: row.login.clone(),
        display_name: row.display_name.clone(),
        email: row.email.clone(),
        role: row.role,
    }
}

/// A random password for accounts made without one, to be shown to the operator once.
pub fn generate_password() -> Password {
    Password::new(secret::random_token(GENERATED_PASSWORD_BYTES))
        .expect("a generated password meets the length rules")
}
