//! Signing in and out, and the user behind a session.

use super::*;

impl AccountService {
    /// Checks the credentials and opens a new session; `replacing` (the session cookie the
    /// browser already held, if any) is ended, so a session id never survives a sign-in.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        replacing: Option<&str>,
        client: &ClientInfo,
    ) -> Result<SignedIn> {
        let signed_in = self.try_sign_in(login, password, replacing, client).await;
        crate::metrics::signed_in(match &signed_in {
            Ok(_) => "success",
            Err(AccountError::InvalidCredentials) => "invalid_credentials",
            Err(AccountError::Throttled { .. }) => "throttled",
            Err(_) => "error",
        });
        signed_in
    }

    async fn try_sign_in(
        &self,
        login: &str,
        password: &str,
        replacing: Option<&str>,
        client: &ClientInfo,
    ) -> Result<SignedIn> {
        // Malformed input is answered like a wrong password, after the same work.
        let login_key = Login::parse(login)
            .map(|login| login.key())
            .unwrap_or_else(|_| unparsable_login_key(login));
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
        // The password may have changed (or the account been disabled) while it was being
        // verified; a session must never outlive the change that should have ended it.
        let current =
            users::lock_live_password_hash(&mut tx, self.database.engine(), user.user_id).await?;
        if current.as_deref() != Some(user.password_hash.as_str()) {
            return Err(AccountError::InvalidCredentials);
        }
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
                role: row.role,
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
}

/// The throttle key of a login that cannot exist: bounded, so that a huge one is neither
/// stored nor echoed whole.
fn unparsable_login_key(login: &str) -> String {
    login
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_LOGIN_KEY_CHARS)
        .collect()
}

const MAX_LOGIN_KEY_CHARS: usize = 128;
