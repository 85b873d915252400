//! Checking passwords (with the sign-in throttle) and changing them.

use super::*;

impl AccountService {
    /// The check every sensitive change makes: the acting user's password, verified in the
    /// same request, counted by the same throttle as sign-in.
    pub async fn confirm_password(
        &self,
        user_id: i64,
        password: &str,
        client: &ClientInfo,
    ) -> Result<Confirmed> {
        let password =
            Password::candidate(password.to_owned()).map_err(|_| AccountError::WrongPassword)?;
        let user = users::find_by_id(self.database.pool(), user_id)
            .await?
            .filter(|user| user.disabled_at.is_none())
            .ok_or(AccountError::WrongPassword)?;
        let actor = Actor::User {
            user_id,
            login: user.login.clone(),
        };
        let login_key = user.login.to_lowercase();
        match self
            .verify_throttled(&login_key, Some(&user.password_hash), &password, client)
            .await
        {
            Ok(()) => Ok(Confirmed { actor }),
            Err(AccountError::InvalidCredentials) => {
                audit::record(
                    self.database.pool(),
                    Event {
                        action: Action::PasswordConfirmFailed,
                        actor: Some(&actor),
                        subject_login: Some(&user.login),
                        client,
                        detail: None,
                    },
                )
                .await?;
                Err(AccountError::WrongPassword)
            }
            Err(other) => Err(other),
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
        self.confirm_password(session.user_id, current, client)
            .await?;
        self.replace_password(
            session.user_id,
            &session.user.login,
            &new,
            &session.actor(),
            client,
            Some(session.session_id),
        )
        .await
    }
    /// Sets a new password hash and ends every session of the user but `keep_session` (the
    /// browser that changed its own password stays signed in; a reset keeps none).
    pub(super) async fn replace_password(
        &self,
        user_id: i64,
        login: &str,
        password: &Password,
        actor: &Actor,
        client: &ClientInfo,
        keep_session: Option<i64>,
    ) -> Result<()> {
        let hash = self.hasher.hash(password).await?;
        let mut tx = self.database.begin_write().await?;
        users::set_password_hash(&mut *tx, user_id, &hash, clock::now()).await?;
        let ended = sessions::delete_for_user_except(&mut *tx, user_id, keep_session).await?;
        // A new password ends any wait the old one's failures earned (the operator's reset is
        // how a locked-out admin gets back in).
        let login_key = Login::parse(login)?.key();
        storage::throttle::clear(&mut *tx, &throttle::account_key(&login_key)).await?;
        let kind = if keep_session.is_some() {
            "changed"
        } else {
            "reset"
        };
        let detail = format!("{kind}; {ended} other session(s) ended");
        let detail = Some(detail.as_str());
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
    /// client must wait; clears the account's count on success.
    ///
    /// The attempt is counted as a failure *before* the password is verified, in one write
    /// transaction with the check that it may go ahead: concurrent attempts each see the ones
    /// before them, so the limits hold exactly however many arrive at once. A success takes
    /// its reservation back.
    pub(super) async fn verify_throttled(
        &self,
        login_key: &str,
        stored: Option<&str>,
        password: &Password,
        client: &ClientInfo,
    ) -> Result<()> {
        let account_key = throttle::account_key(login_key);
        let client_key = throttle::client_key(client.ip.as_deref());
        let _turn = self.turns.take(&account_key).await;
        let now = clock::now();
        let mut tx = self.database.begin_write().await?;
        let rows =
            storage::throttle::lock(&mut tx, self.database.engine(), [&account_key, &client_key])
                .await?;
        let retry_after_secs = throttle::wait_secs(&rows, now);
        if retry_after_secs > 0 {
            tx.rollback().await.map_err(StorageError::from)?;
            return Err(AccountError::Throttled { retry_after_secs });
        }
        let forget_before = now - throttle::FORGET_AFTER_SECS;
        storage::throttle::record_failure(&mut *tx, &account_key, now, forget_before).await?;
        storage::throttle::record_failure(&mut *tx, &client_key, now, forget_before).await?;
        tx.commit().await.map_err(StorageError::from)?;

        if !self.hasher.verify(password, stored).await? {
            return Err(AccountError::InvalidCredentials);
        }
        let mut tx = self.database.begin_write().await?;
        storage::throttle::clear(&mut *tx, &account_key).await?;
        storage::throttle::take_back_failure(&mut *tx, &client_key).await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }
}
