//! The admin pages' side of the backend: the session's user must be an admin, changes take
//! the admin's own password, and the services record the admin as actor, the user as subject.

use app::{
    account::{Login, NewPersonForm, Password, PeoplePage, PeopleQuery, PersonPage, PersonSummary},
    backend::AdminBackend,
    error::ServerError,
    request::RequestContext,
    token::{IssuedTokenView, PolicyPage, TokenInput, TokenPolicy},
};

use super::{server_error, tokens::issued};
use crate::{
    clock,
    services::{
        Services,
        accounts::{AdminProof, NewAccount, SessionUser},
        tokens::{TokenOwner, TokenTarget},
    },
};

impl Services {
    async fn admin_session(
        &self,
        request: &RequestContext,
    ) -> Result<(SessionUser, AdminProof), ServerError> {
        let session = self.session(request).await?;
        let proof = session.require_admin().map_err(server_error)?;
        Ok((session, proof))
    }

    async fn token_owner(
        &self,
        proof: &AdminProof,
        login: &str,
    ) -> Result<(TokenOwner, PersonSummary), ServerError> {
        let (user_id, person) = self.accounts.person(login).await.map_err(server_error)?;
        let owner = TokenOwner::for_admin(proof, user_id, person.login.clone());
        Ok((owner, person))
    }
}

#[async_trait::async_trait]
impl AdminBackend for Services {
    async fn people(
        &self,
        request: &RequestContext,
        query: PeopleQuery,
    ) -> Result<PeoplePage, ServerError> {
        self.admin_session(request).await?;
        self.accounts.people(&query).await.map_err(server_error)
    }

    async fn create_person(
        &self,
        request: &RequestContext,
        form: NewPersonForm,
        password: &str,
    ) -> Result<PersonSummary, ServerError> {
        let (session, _) = self.admin_session(request).await?;
        let account = NewAccount {
            login: Login::parse(&form.login).map_err(|e| ServerError::Invalid(e.to_string()))?,
            display_name: form.display_name,
            email: form.email,
            password: Password::new(form.password)
                .map_err(|e| ServerError::Invalid(e.to_string()))?,
            role: form.role,
        };
        let login = account.login.to_string();
        let confirmed = self.confirm(&session, password, request).await?;
        self.accounts
            .create_user(account, confirmed.actor(), &request.client)
            .await
            .map_err(server_error)?;
        Ok(self.accounts.person(&login).await.map_err(server_error)?.1)
    }

    async fn set_person_disabled(
        &self,
        request: &RequestContext,
        login: &str,
        disabled: bool,
        password: &str,
    ) -> Result<PersonSummary, ServerError> {
        let (session, _) = self.admin_session(request).await?;
        let (user_id, person) = self.accounts.person(login).await.map_err(server_error)?;
        if disabled && user_id == session.user_id {
            return Err(ServerError::Invalid(
                "You cannot disable your own account.".into(),
            ));
        }
        let login = Login::parse(&person.login).map_err(|e| ServerError::Invalid(e.to_string()))?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.accounts
            .set_disabled(&login, disabled, confirmed.actor(), &request.client)
            .await
            .map_err(server_error)?;
        Ok(self
            .accounts
            .person(login.as_str())
            .await
            .map_err(server_error)?
            .1)
    }

    async fn person_page(
        &self,
        request: &RequestContext,
        login: &str,
    ) -> Result<PersonPage, ServerError> {
        let (_, proof) = self.admin_session(request).await?;
        let (owner, person) = self.token_owner(&proof, login).await?;
        let tokens = self.tokens.list(&owner, true).await.map_err(server_error)?;
        Ok(PersonPage {
            person,
            tokens,
            catalog: self.tokens.catalog().clone(),
            policy: self.tokens.policy().await.map_err(server_error)?,
            now: clock::now(),
        })
    }

    async fn create_token_for(
        &self,
        request: &RequestContext,
        login: &str,
        input: TokenInput,
        password: &str,
    ) -> Result<IssuedTokenView, ServerError> {
        let (session, proof) = self.admin_session(request).await?;
        let (owner, _) = self.token_owner(&proof, login).await?;
        let settings = self
            .tokens
            .decide(&owner, TokenTarget::New, &input)
            .await
            .map_err(server_error)?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .generate(&owner, &settings, &confirmed, &request.client)
            .await
            .map(issued)
            .map_err(server_error)
    }

    async fn remove_tokens_of(
        &self,
        request: &RequestContext,
        login: &str,
        ids: Vec<i64>,
        password: &str,
    ) -> Result<usize, ServerError> {
        let (session, proof) = self.admin_session(request).await?;
        let (owner, _) = self.token_owner(&proof, login).await?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .remove(&owner, &ids, &confirmed, &request.client)
            .await
            .map_err(server_error)
    }

    async fn policy_page(&self, request: &RequestContext) -> Result<PolicyPage, ServerError> {
        self.admin_session(request).await?;
        Ok(PolicyPage {
            policy: self.tokens.policy().await.map_err(server_error)?,
            catalog: self.tokens.catalog().clone(),
        })
    }

    async fn set_policy(
        &self,
        request: &RequestContext,
        policy: TokenPolicy,
        password: &str,
    ) -> Result<TokenPolicy, ServerError> {
        let (session, _) = self.admin_session(request).await?;
        let confirmed = self.confirm(&session, password, request).await?;
        self.tokens
            .set_policy(policy, &confirmed, &request.client)
            .await
            .map_err(server_error)
    }
}
