//! Accounts: users, signing in and out, sessions, and confirming a password.

mod throttle;

use std::fmt;

use app::{
    account::{Login, LoginError, Password, PasswordError, Role, UserView},
    request::ClientInfo,
};

use super::audit::{self, Action, Actor, Event};
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
    #[error("Wrong login or password.")]
    InvalidCredentials,
    #[error("Wrong password.")]
    WrongPassword,
    #[error("Too many failed attempts. Try again in {retry_after_secs} seconds.")]
    Throttled { retry_after_secs: i64 },
    #[error("The login {0} is already taken.")]
    LoginTaken(String),
    #[error("There is no user with the login {0}.")]
    UnknownUser(String),
    #[error("{0}")]
    InvalidLogin(#[from] LoginError),
    #[error("{0}")]
    InvalidPassword(#[from] PasswordError),
    #[error("{}", app::account::PASSWORDS_DIFFER)]
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

impl SessionUser {
    pub fn actor(&self) -> Actor {
        Actor::User {
            user_id: self.user_id,
            login: self.user.login.clone(),
        }
    }
}

pub struct NewAccount {
    pub login: Login,
    pub display_name: String,
    pub email: String,
    pub password: Password,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct UserSummary {
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
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
}

impl AccountService {
    pub fn new(database: Database) -> Self {
        let hasher = PasswordHasher::default();
        hasher.warm_up();
        Self { database, hasher }
    }

    pub async fn create_user(
        &self,
        account: NewAccount,
        actor: &Actor,
        client: &ClientInfo,
    ) -> Result<UserView> {
        let hash = self.hasher.hash(&account.password).await?;
        let display_name = match account.display_name.trim() {
            "" => account.login.as_str().to_owned(),
            name => name.to_owned(),
        };
        let email = account.email.trim().to_owned();
        let mut tx = self.database.begin_write().await?;
        users::insert(
            &mut *tx,
            users::NewUser {
                login: account.login.as_str(),
                login_key: &account.login.key(),
                display_name: &display_name,
                email: &email,
                password_hash: &hash,
                role: account.role.as_str(),
                now: clock::now(),
            },
        )
        .await
        .map_err(|error| {
            if error.is_unique_violation() {
                AccountError::LoginTaken(account.login.to_string())
            } else {
                error.into()
            }
        })?;
        audit::record(
            &mut *tx,
            Event {
                action: Action::UserCreated,
                actor: Some(actor),
                subject_login: Some(account.login.as_str()),
                client,
                detail: Some(account.role.as_str()),
            },
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(UserView {
            login: account.login.to_string(),
            display_name,
            email,
            role: account.role,
        })
    }

    /// Creates `admin` when there are no users at all; a no-op afterwards.
    pub async fn ensure_initial_admin(
        &self,
        password: Option<Password>,
    ) -> Result<Option<InitialAdmin>> {
        if users::count(self.database.pool()).await? > 0 {
            return Ok(None);
        }
        let (password, generated) = match password {
            Some(password) => (password, false),
            None => (
                Password::new(secret::random_token(GENERATED_PASSWORD_BYTES))?,
                true,
            ),
        };
        let account = NewAccount {
            login: Login::parse(INITIAL_ADMIN_LOGIN)?,
            display_name: "Administrator".into(),
            email: String::new(),
            password: password.clone(),
            role: Role::Admin,
        };
        match self
            .create_user(account, &Actor::Operator, &ClientInfo::default())
            .await
        {
            // Another replica made it first.
            Err(AccountError::LoginTaken(_)) => Ok(None),
            Err(error) => Err(error),
            Ok(_) => Ok(Some(InitialAdmin {
                login: INITIAL_ADMIN_LOGIN,
                generated_password: generated.then_some(password),
            })),
        }
    }

    pub async fn list_users(&self) -> Result<Vec<UserSummary>> {
        let rows = users::list(self.database.pool()).await?;
        Ok(rows
            .into_iter()
            .map(|row| UserSummary {
                role: Role::parse(&row.role).unwrap_or(Role::User),
                disabled: row.disabled_at.is_some(),
                login: row.login,
                display_name: row.display_name,
                email: row.email,
                created_at: row.created_at,
            })
            .collect())
    }

    /// Disabling ends every session of the user at once.
    pub async fn set_disabled(
        &self,
        login: &Login,
        disabled: bool,
        actor: &Actor,
        client: &ClientInfo,
    ) -> Result<()> {
        let mut tx = self.database.begin_write().await?;
        let user = users::find_by_login_key(&mut *tx, &login.key())
            .await?
            .ok_or_else(|| AccountError::UnknownUser(login.to_string()))?;
        let now = clock::now();
        let disabled_at = if disabled {
            user.disabled_at.or(Some(now))
        } else {
            None
        };
        users::set_disabled_at(&mut *tx, user.user_id, disabled_at, now).await?;
        if disabled {
            sessions::delete_for_user(&mut *tx, user.user_id).await?;
        }
        let action = if disabled {
            Action::UserDisabled
        } else {
            Action::UserEnabled
        };
        audit::record(
            &mut *tx,
            Event {
                action,
                actor: Some(actor),
                subject_login: Some(&user.login),
                client,
                detail: None,
            },
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }

    /// Sets a password without knowing the old one (the operator's reset).
    pub async fn set_password(
        &self,
        login: &Login,
        password: &Password,
        actor: &Actor,
        client: &ClientInfo,
    ) -> Result<()> {
        let user = users::find_by_login_key(self.database.pool(), &login.key())
            .await?
            .ok_or_else(|| AccountError::UnknownUser(login.to_string()))?;
        self.replace_password(
            user.user_id,
            &user.login,
            password,
            actor,
            client,
            Some("reset"),
        )
        .await
    }

    /// Checks the credentials and opens a new session; `replacing` (the session cookie the
    /// browser already held, if any) is ended, so a session id never survives a sign-in.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        replacing: Option<&str>,
        client: &ClientInfo,
    ) -> Result<SignedIn> {
        // Malformed input is answered like a wrong password, after the same work.
        let login_key = Login::parse(login)
            .map(|login| login.key())
            .unwrap_or_else(|_| login.trim().to_lowercase());
        let password = Password::candidate(password.to_owned())
            .map_err(|_| AccountError::InvalidCredentials)?;
        let user = users::find_by_login_key(self.database.pool(), &login_key).await?;
        let active_user = user.filter(|user| user.disabled_at.is_none());
        let verified = self
            .verify_throttled(
                &login_key,
                active_user.as_ref().map(|u| u.password_hash.as_str()),
                &password,
                client,
            )
            .await;
        let subject = active_user
            .as_ref()
            .map_or_else(|| login_key.clone(), |user| user.login.clone());
        let user = match (verified, active_user) {
            (Ok(()), Some(user)) => user,
            (Err(AccountError::Throttled { retry_after_secs }), _) => {
                return Err(AccountError::Throttled { retry_after_secs });
            }
            (Err(error @ (AccountError::Storage(_) | AccountError::Hash(_))), _) => {
                return Err(error);
            }
            _ => {
                audit::record(
                    self.database.pool(),
                    Event {
                        action: Action::SignInFailed,
                        actor: None,
                        subject_login: Some(&subject),
                        client,
                        detail: None,
                    },
                )
                .await?;
                return Err(AccountError::InvalidCredentials);
            }
        };

        let token = SessionToken(secret::random_token(SESSION_TOKEN_BYTES));
        let now = clock::now();
        let mut tx = self.database.begin_write().await?;
        if let Some(previous) = replacing {
            sessions::delete_by_digest(&mut *tx, &secret::digest(previous)).await?;
        }
        sessions::insert(
            &mut *tx,
            sessions::NewSession {
                token_digest: &secret::digest(token.expose()),
                user_id: user.user_id,
                now,
                expires_at: now + SESSION_ABSOLUTE_SECS,
                ip: client.ip.as_deref(),
                user_agent: client.user_agent.as_deref(),
            },
        )
        .await?;
        let actor = Actor::User {
            user_id: user.user_id,
            login: user.login.clone(),
        };
        audit::record(
            &mut *tx,
            Event {
                action: Action::SignIn,
                actor: Some(&actor),
                subject_login: Some(&user.login),
                client,
                detail: None,
            },
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(SignedIn {
            token,
            user: user_view(&user),
        })
    }

    /// The user of a live session, or `None` for an unknown, expired or idle session or a
    /// disabled user (such sessions are deleted on sight).
    pub async fn session_user(&self, token: &str) -> Result<Option<SessionUser>> {
        let pool = self.database.pool();
        let Some(row) = sessions::find_by_digest(pool, &secret::digest(token)).await? else {
            return Ok(None);
        };
        let now = clock::now();
        let expired = now >= row.expires_at || now - row.last_seen_at >= SESSION_IDLE_SECS;
        if expired || row.disabled_at.is_some() {
            sessions::delete(pool, row.session_id).await?;
            return Ok(None);
        }
        if now - row.last_seen_at >= SESSION_TOUCH_SECS {
            sessions::touch(pool, row.session_id, now).await?;
        }
        Ok(Some(SessionUser {
            session_id: row.session_id,
            user_id: row.user_id,
            user: UserView {
                role: Role::parse(&row.role).unwrap_or(Role::User),
                login: row.login,
                display_name: row.display_name,
                email: row.email,
            },
        }))
    }

    pub async fn sign_out(&self, session: &SessionUser, client: &ClientInfo) -> Result<()> {
        let mut tx = self.database.begin_write().await?;
        sessions::delete(&mut *tx, session.session_id).await?;
        audit::record(
            &mut *tx,
            Event {
                action: Action::SignOut,
                actor: Some(&session.actor()),
                subject_login: Some(&session.user.login),
                client,
                detail: None,
            },
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }

    /// The check every sensitive change makes: the acting user's password, verified in the
    /// same request, counted by the same throttle as sign-in.
    pub async fn confirm_password(
        &self,
        session: &SessionUser,
        password: &str,
        client: &ClientInfo,
    ) -> Result<()> {
        let password =
            Password::candidate(password.to_owned()).map_err(|_| AccountError::WrongPassword)?;
        let user = users::find_by_id(self.database.pool(), session.user_id)
            .await?
            .ok_or(AccountError::WrongPassword)?;
        let login_key = user.login.to_lowercase();
        match self
            .verify_throttled(&login_key, Some(&user.password_hash), &password, client)
            .await
        {
            Err(AccountError::InvalidCredentials) => {
                audit::record(
                    self.database.pool(),
                    Event {
                        action: Action::PasswordConfirmFailed,
                        actor: Some(&session.actor()),
                        subject_login: Some(&user.login),
                        client,
                        detail: None,
                    },
                )
                .await?;
                Err(AccountError::WrongPassword)
            }
            other => other,
        }
    }

    pub async fn change_password(
        &self,
        session: &SessionUser,
        current: &str,
        new: &str,
        confirm: &str,
        client: &ClientInfo,
    ) -> Result<()> {
        if new != confirm {
            return Err(AccountError::PasswordsDiffer);
        }
        let new = Password::new(new.to_owned())?;
        self.confirm_password(session, current, client).await?;
        self.replace_password(
            session.user_id,
            &session.user.login,
            &new,
            &session.actor(),
            client,
            None,
        )
        .await
    }

    async fn replace_password(
        &self,
        user_id: i64,
        login: &str,
        password: &Password,
        actor: &Actor,
        client: &ClientInfo,
        detail: Option<&str>,
    ) -> Result<()> {
        let hash = self.hasher.hash(password).await?;
        let mut tx = self.database.begin_write().await?;
        users::set_password_hash(&mut *tx, user_id, &hash, clock::now()).await?;
        audit::record(
            &mut *tx,
            Event {
                action: Action::PasswordChanged,
                actor: Some(actor),
                subject_login: Some(login),
                client,
                detail,
            },
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }

    /// Verifies `password` against `stored` (a dummy hash when `None`) unless the account or
    /// client must wait; counts a failure against both, clears the account's count on success.
    async fn verify_throttled(
        &self,
        login_key: &str,
        stored: Option<&str>,
        password: &Password,
        client: &ClientInfo,
    ) -> Result<()> {
        let pool = self.database.pool();
        let account_key = throttle::account_key(login_key);
        let client_key = throttle::client_key(client.ip.as_deref());
        let now = clock::now();
        let rows = storage::throttle::find(pool, [&account_key, &client_key]).await?;
        let retry_after_secs = throttle::wait_secs(&rows, now);
        if retry_after_secs > 0 {
            return Err(AccountError::Throttled { retry_after_secs });
        }
        if self.hasher.verify(password, stored).await? {
            storage::throttle::clear(pool, &account_key).await?;
            return Ok(());
        }
        let forget_before = now - throttle::FORGET_AFTER_SECS;
        let mut tx = self.database.begin_write().await?;
        storage::throttle::record_failure(&mut *tx, &account_key, now, forget_before).await?;
        storage::throttle::record_failure(&mut *tx, &client_key, now, forget_before).await?;
        tx.commit().await.map_err(StorageError::from)?;
        Err(AccountError::InvalidCredentials)
    }
}

fn user_view(row: &users::UserRow) -> UserView {
    UserView {
        login: row.login.clone(),
        display_name: row.display_name.clone(),
        email: row.email.clone(),
        role: Role::parse(&row.role).unwrap_or(Role::User),
    }
}
