//! users.authentication: the caller's tokens. Changes need the account password (the
//! `password` parameter), as in the dashboard.

use domain::token::{DecidedToken, RotationGrace};
use serde_json::{Value, json};

use super::{Answer, Call, PlatformError, PlatformService, answer};
use crate::services::{
    accounts::Confirmed,
    tokens::{IssuedToken, TokenError, TokenOwner, TokenRequest, TokenTarget},
};

fn owner(call: &Call<'_>) -> TokenOwner {
    TokenOwner::of_grant(call.grant)
}

fn token_id(raw: &str) -> Result<i64, PlatformError> {
    raw.trim()
        .parse()
        .map_err(|_| PlatformError::InvalidParameter(format!("“{raw}” is not a token id.")))
}

fn list(raw: Option<&str>) -> Vec<String> {
    raw.into_iter()
        .flat_map(|r| r.split([',', ' ']))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The token settings among a call's parameters.
fn request(call: &Call<'_>) -> Result<TokenRequest, PlatformError> {
    let p = call.params;
    let never = match p.optional("neverExpires") {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(PlatformError::InvalidParameter(format!(
                "neverExpires is true or false, not “{other}”."
            )));
        }
    };
    Ok(TokenRequest {
        description: p.optional("description").map(str::to_owned),
        api_set: p.optional("apiSet").map(str::to_owned),
        methods: p.optional("methods").map(|raw| list(Some(raw))),
        expires_at: p.optional("expiresAt").map(str::to_owned),
        expires_in: p.optional("expiresIn").map(str::to_owned),
        auto_refresh: p.optional("autoRefresh").map(str::to_owned),
        not_after: p.optional("notAfter").map(str::to_owned),
        never_expires: never,
        // One entry as typed: the token rules split it and refuse empty parts.
        scopes: p.optional("scopes").map(|raw| vec![raw.to_owned()]),
        // The catalog's token methods take no limits: those are set in the dashboard, REST
        // and the CLI, and kept as they are by an edit here.
        ..TokenRequest::default()
    })
}

fn issued(issued: IssuedToken) -> Answer {
    answer([
        ("token", json!(issued.token)),
        ("value", json!(issued.secret.expose())),
    ])
}

impl PlatformService {
    async fn confirm(&self, call: &Call<'_>) -> Result<Confirmed, PlatformError> {
        let password = call.params.required("password")?;
        Ok(self
            .accounts
            .confirm_password(call.grant.user_id, password, call.client)
            .await?)
    }

    pub(super) async fn get_tokens(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let tokens = self.tokens.list(&owner(&call), false).await?;
        Ok(answer([("tokens", json!(tokens))]))
    }

    /// The call's token settings, decided for `target`.
    async fn decide(
        &self,
        call: &Call<'_>,
        target: TokenTarget,
    ) -> Result<DecidedToken, PlatformError> {
        let input = request(call)?.into_input().map_err(TokenError::Input)?;
        Ok(self.tokens.decide(&owner(call), target, &input).await?)
    }

    pub(super) async fn create_token(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let settings = self.decide(&call, TokenTarget::New).await?;
        let confirmed = self.confirm(&call).await?;
        let token = self
            .tokens
            .generate(&owner(&call), &settings, &confirmed, call.client)
            .await?;
        Ok(issued(token))
    }

    pub(super) async fn edit_token(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let id = token_id(call.params.required("id")?)?;
        let settings = self.decide(&call, TokenTarget::Edit(id)).await?;
        let confirmed = self.confirm(&call).await?;
        let token = self
            .tokens
            .edit(&owner(&call), id, &settings, &confirmed, call.client)
            .await?;
        Ok(answer([("token", json!(token))]))
    }

    pub(super) async fn regenerate_token(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let id = token_id(call.params.required("id")?)?;
        let grace = RotationGrace::parse(call.params.optional("grace").unwrap_or_default())
            .map_err(|error| PlatformError::InvalidParameter(error.to_string()))?;
        let grace = self.tokens.allowed_grace(grace).await?;
        let confirmed = self.confirm(&call).await?;
        let token = self
            .tokens
            .regenerate(&owner(&call), id, grace, &confirmed, call.client)
            .await?;
        Ok(issued(token))
    }

    pub(super) async fn delete_tokens(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let ids = list(Some(call.params.required("ids")?))
            .iter()
            .map(|raw| token_id(raw))
            .collect::<Result<Vec<_>, _>>()?;
        let confirmed = self.confirm(&call).await?;
        let removed = self
            .tokens
            .remove(&owner(&call), &ids, &confirmed, call.client)
            .await?;
        Ok(answer([("removed", Value::from(removed))]))
    }
}
