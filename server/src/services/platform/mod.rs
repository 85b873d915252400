//! The platform API's operations (environments, files, deployments, marketplace, account,
//! tokens), each called with a checked token. Every catalog method is one of them.

mod account;
mod deployments;
mod environments;
mod files;
mod marketplace;
mod token_management;

use std::collections::BTreeMap;

use app::{
    catalog::{ApiMethod, Catalog},
    request::ClientInfo,
    token::EnvName,
};
use http::StatusCode;
use serde_json::{Map, Value};

use super::{
    accounts::{AccountError, AccountService},
    tokens::{CheckError, Presented, Refusal, TokenError, TokenGrant, TokenService},
};
use crate::storage::{Database, StorageError, platform};

/// Every method this server implements; a catalog naming another is refused at start-up.
pub const IMPLEMENTED: &[&str] = &[
    "environment.control.GetEnvs",
    "environment.control.GetEnvInfo",
    "environment.control.CreateEnvironment",
    "environment.control.StartEnv",
    "environment.control.StopEnv",
    "environment.control.RestartEnv",
    "environment.control.DeleteEnv",
    "environment.file.GetList",
    "environment.file.Read",
    "environment.file.Write",
    "environment.deployment.Deploy",
    "environment.deployment.GetDeployments",
    "marketplace.app.GetList",
    "marketplace.app.GetAppInfo",
    "marketplace.app.Install",
    "users.account.GetUserInfo",
    "users.account.GetQuotas",
    "users.authentication.GetTokens",
    "users.authentication.CreateToken",
    "users.authentication.EditToken",
    "users.authentication.RegenerateToken",
    "users.authentication.DeleteTokens",
];

/// Checks that every method of a catalog is implemented, naming the first that is not.
pub fn check_catalog(catalog: &Catalog) -> Result<(), app::catalog::CatalogError> {
    match catalog
        .methods()
        .iter()
        .find(|m| !IMPLEMENTED.contains(&m.name.as_str()))
    {
        Some(method) => Err(app::catalog::CatalogError {
            entry: method.name.to_string(),
            problem: "this server does not implement this method".into(),
        }),
        None => Ok(()),
    }
}

pub const MAX_ENVIRONMENTS: i64 = 20;
pub const MAX_FILES_PER_ENVIRONMENT: i64 = 200;
pub const MAX_FILE_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("There is no API method at this address.")]
    UnknownMethod,
    #[error(transparent)]
    Refused(Refusal),
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    QuotaExceeded(String),
    #[error(transparent)]
    Account(AccountError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl PlatformError {
    /// The `result` number of the answer (0 is success).
    pub fn result(&self) -> i64 {
        match self {
            Self::InvalidParameter(_) => 2,
            Self::NotFound(_) => 3,
            Self::AlreadyExists(_) => 4,
            Self::Conflict(_) => 5,
            Self::QuotaExceeded(_) => 6,
            Self::UnknownMethod => 8,
            Self::Account(AccountError::Throttled { .. }) => 12,
            Self::Account(AccountError::WrongPassword | AccountError::InvalidCredentials) => 11,
            Self::Storage(StorageError::Unavailable(_)) => 9,
            Self::Account(_) | Self::Storage(_) => 1,
            Self::Refused(refusal) => refusal.result(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidParameter(_) => "invalid_parameter",
            Self::NotFound(_) => "not_found",
            Self::AlreadyExists(_) => "already_exists",
            Self::Conflict(_) => "conflict",
            Self::QuotaExceeded(_) => "quota_exceeded",
            Self::UnknownMethod => "unknown_method",
            Self::Account(AccountError::Throttled { .. }) => "throttled",
            Self::Account(AccountError::WrongPassword | AccountError::InvalidCredentials) => {
                "wrong_password"
            }
            Self::Storage(StorageError::Unavailable(_)) => "database_unavailable",
            Self::Account(_) | Self::Storage(_) => "internal",
            Self::Refused(refusal) => refusal.code(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidParameter(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) | Self::UnknownMethod => StatusCode::NOT_FOUND,
            Self::AlreadyExists(_) | Self::Conflict(_) => StatusCode::CONFLICT,
            Self::QuotaExceeded(_) => StatusCode::FORBIDDEN,
            Self::Account(AccountError::Throttled { .. }) => StatusCode::TOO_MANY_REQUESTS,
            Self::Account(AccountError::WrongPassword | AccountError::InvalidCredentials) => {
                StatusCode::FORBIDDEN
            }
            Self::Storage(StorageError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Account(_) | Self::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Refused(refusal) => refusal.status(),
        }
    }

    /// Internal failures are logged and answered without detail.
    pub fn is_internal(&self) -> bool {
        self.status() == StatusCode::INTERNAL_SERVER_ERROR
    }
}

impl From<CheckError> for PlatformError {
    fn from(error: CheckError) -> Self {
        match error {
            CheckError::Refused(refusal) => Self::Refused(refusal),
            CheckError::Storage(storage) => Self::Storage(storage),
        }
    }
}

impl From<TokenError> for PlatformError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::NotFound => Self::NotFound(error.to_string()),
            TokenError::Invalid(message) => Self::InvalidParameter(message),
            TokenError::Policy(violation) => Self::InvalidParameter(violation.to_string()),
            TokenError::Account(account) => Self::Account(account),
            TokenError::Storage(storage) => Self::Storage(storage),
        }
    }
}

impl From<AccountError> for PlatformError {
    fn from(error: AccountError) -> Self {
        Self::Account(error)
    }
}

/// A call's parameters, from the query string and the form body.
#[derive(Debug, Default, Clone)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    pub fn optional(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn required(&self, name: &str) -> Result<&str, PlatformError> {
        self.optional(name)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                PlatformError::InvalidParameter(format!("The parameter {name} is required."))
            })
    }

    pub fn env_name(&self, name: &str) -> Result<EnvName, PlatformError> {
        EnvName::parse(self.required(name)?)
            .map_err(|e| PlatformError::InvalidParameter(e.to_string()))
    }
}

/// One call, after the token check: who, what, with which parameters.
pub struct Call<'a> {
    pub grant: &'a TokenGrant,
    pub method: &'a ApiMethod,
    pub params: &'a Params,
    pub client: &'a ClientInfo,
}

pub type Answer = Map<String, Value>;

#[derive(Clone, Debug)]
pub struct PlatformService {
    database: Database,
    tokens: TokenService,
    accounts: AccountService,
}

impl PlatformService {
    pub fn new(database: Database, tokens: TokenService, accounts: AccountService) -> Self {
        Self {
            database,
            tokens,
            accounts,
        }
    }

    /// Runs the method at `/1.0/<service>/<group>/rest/<method>` for the presented token.
    pub async fn call(
        &self,
        (service, group, method): (&str, &str, &str),
        presented: Option<Presented>,
        params: &Params,
        client: &ClientInfo,
    ) -> Result<Answer, PlatformError> {
        let catalog = self.tokens.catalog();
        let method = catalog
            .method_at(service, group, method)
            .ok_or(PlatformError::UnknownMethod)?;
        let presented = presented.ok_or(PlatformError::Refused(Refusal::NoCredential))?;
        let grant = self
            .tokens
            .authenticate(&presented, Some(&method.name), client)
            .await?;
        drop(presented);
        if let Some(resource) = &method.resource {
            let env = params.env_name(resource)?;
            self.tokens
                .check_scope(&grant, &env, method.access, &method.name, client)
                .map_err(PlatformError::Refused)?;
        }
        let call = Call {
            grant: &grant,
            method,
            params,
            client,
        };
        self.dispatch(call).await
    }

    async fn dispatch(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        match call.method.name.as_str() {
            "environment.control.GetEnvs" => self.get_envs(call).await,
            "environment.control.GetEnvInfo" => self.get_env_info(call).await,
            "environment.control.CreateEnvironment" => self.create_environment(call).await,
            "environment.control.StartEnv" => self.set_status(call, "running").await,
            "environment.control.StopEnv" => self.set_status(call, "stopped").await,
            "environment.control.RestartEnv" => self.set_status(call, "running").await,
            "environment.control.DeleteEnv" => self.delete_env(call).await,
            "environment.file.GetList" => self.list_files(call).await,
            "environment.file.Read" => self.read_file(call).await,
            "environment.file.Write" => self.write_file(call).await,
            "environment.deployment.Deploy" => self.deploy(call).await,
            "environment.deployment.GetDeployments" => self.get_deployments(call).await,
            "marketplace.app.GetList" => self.list_apps().await,
            "marketplace.app.GetAppInfo" => self.app_info(call).await,
            "marketplace.app.Install" => self.install(call).await,
            "users.account.GetUserInfo" => self.user_info(call).await,
            "users.account.GetQuotas" => self.quotas(call).await,
            "users.authentication.GetTokens" => self.get_tokens(call).await,
            "users.authentication.CreateToken" => self.create_token(call).await,
            "users.authentication.EditToken" => self.edit_token(call).await,
            "users.authentication.RegenerateToken" => self.regenerate_token(call).await,
            "users.authentication.DeleteTokens" => self.delete_tokens(call).await,
            _ => Err(PlatformError::UnknownMethod),
        }
    }

    /// The caller's environment by the name in `param` (scopes were checked already).
    async fn env(&self, call: &Call<'_>, param: &str) -> Result<platform::EnvRow, PlatformError> {
        let name = call.params.env_name(param)?;
        platform::find_env(self.database.pool(), call.grant.user_id, name.as_str())
            .await?
            .ok_or_else(|| PlatformError::NotFound(format!("There is no environment {name}.")))
    }

    /// The public marketplace listing, for callers without a token.
    pub async fn public_apps(&self) -> Result<Answer, PlatformError> {
        self.list_apps().await
    }
}

fn answer(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Answer {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}
