//! Creating, listing, disabling and resetting users.

use super::*;

impl AccountService {
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
    /// Creates `admin` when there is no admin at all; a no-op afterwards.
    pub async fn ensure_initial_admin(
        &self,
        password: Option<Password>,
    ) -> Result<Option<InitialAdmin>> {
        // Not "no users": people made at the command line before the first start would
        // otherwise leave the server without anyone who can administer it.
        if users::count_admins(self.database.pool()).await? > 0 {
            return Ok(None);
        }
        let (password, generated) = match password {
            Some(password) => (password, false),
            None => (generate_password(), true),
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
    /// The id and login of the user with this login (any case).
    pub async fn find_user(&self, login: &Login) -> Result<(i64, String)> {
        users::find_by_login_key(self.database.pool(), &login.key())
            .await?
            .map(|user| (user.user_id, user.login))
            .ok_or_else(|| AccountError::UnknownUser(login.to_string()))
    }

    /// Everyone, by login (the command line's list).
    pub async fn list_users(&self) -> Result<Vec<PersonSummary>> {
        let rows = users::people(self.database.pool(), "", i64::MAX, 0).await?;
        Ok(rows.into_iter().map(person_summary).collect())
    }

    /// One page of the People list; a page past the end shows the last one.
    pub async fn people(&self, query: &PeopleQuery) -> Result<PeoplePage> {
        let search = query.search.trim();
        let pool = self.database.pool();
        let total = users::count_people(pool, search).await?;
        let paging = Paging::new(query.page, PEOPLE_PER_PAGE, total);
        let rows = users::people(pool, search, i64::from(paging.per_page), paging.offset()).await?;
        Ok(PeoplePage {
            people: rows.into_iter().map(person_summary).collect(),
            paging,
        })
    }

    /// The user with this login (any case), with their id.
    pub async fn person(&self, login: &str) -> Result<(i64, PersonSummary)> {
        let login = Login::parse(login)?;
        users::person(self.database.pool(), &login.key())
            .await?
            .map(|row| (row.user_id, person_summary(row)))
            .ok_or_else(|| AccountError::UnknownUser(login.to_string()))
    }

    /// Disabling ends every session of the user at once. Nobody disables themselves: an admin
    /// could lock the last admin out.
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
        if disabled && actor.user_id() == Some(user.user_id) {
            return Err(AccountError::DisablingSelf);
        }
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
        let invalidate = self.token_checks.invalidate_on_drop();
        tx.commit().await.map_err(StorageError::from)?;
        drop(invalidate);
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
        self.replace_password(user.user_id, &user.login, password, actor, client, None)
            .await
    }
}

fn person_summary(row: users::PersonRow) -> PersonSummary {
    PersonSummary {
        role: row.role,
        disabled: row.disabled_at.is_some(),
        login: row.login,
        display_name: row.display_name,
        email: row.email,
        tokens: row.tokens,
        created_at: row.created_at,
    }
}
