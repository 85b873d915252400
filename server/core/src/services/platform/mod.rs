//! The platform API's operations (environments, files, deployments, marketplace, account,
//! tokens), each called with a checked token. Every catalog method is one of them.

mod account;
mod deployments;
mod environments;
mod files;
mod marketplace;
mod token_management;

use std::collections::BTreeMap;

use domain::{
    catalog::{Access, ApiMethod, Catalog},
    client::ClientInfo,
    token::EnvName,
};
use serde_json::{Map, Value};

use super::{
    accounts::{AccountError, AccountService},
    tokens::{CheckError, Presented, Refusal, TokenError, TokenGrant, TokenService},
};
use crate::storage::{Database, StorageError, platform};

/// What a method of this server does with its call: whether it writes, and whether it acts
/// on one environment (then the catalog must name the parameter holding it, as `resource`).
pub struct Implemented {
    pub name: &'static str,
    pub access: Access,
    pub acts_on_env: bool,
}

const fn method(name: &'static str, access: Access, acts_on_env: bool) -> Implemented {
    Implemented {
        name,
        access,
        acts_on_env,
    }
}

/// Every method this server implements. A catalog that names another, or describes one with
/// another access or without the environment it acts on, is refused at start-up: the scope
/// check reads the catalog, so the catalog must say what the handler does.
pub const IMPLEMENTED: &[Implemented] = &[
    method("environment.control.GetEnvs", Access::Read, false),
    method("environment.control.GetEnvInfo", Access::Read, true),
    method("environment.control.CreateEnvironment", Access::Write, true),
    method("environment.control.StartEnv", Access::Write, true),
    method("environment.control.StopEnv", Access::Write, true),
    method("environment.control.RestartEnv", Access::Write, true),
    method("environment.control.DeleteEnv", Access::Write, true),
    method("environment.file.GetList", Access::Read, true),
    method("environment.file.Read", Access::Read, true),
    method("environment.file.Write", Access::Write, true),
    method("environment.deployment.Deploy", Access::Write, true),
    method("environment.deployment.GetDeployments", Access::Read, true),
    method("marketplace.app.GetList", Access::Read, false),
    method("marketplace.app.GetAppInfo", Access::Read, false),
    method("marketplace.app.Install", Access::Write, true),
    method("users.account.GetUserInfo", Access::Read, false),
    method("users.account.GetQuotas", Access::Read, false),
    method("users.authentication.GetTokens", Access::Read, false),
    method("users.authentication.CreateToken", Access::Write, false),
    method("users.authentication.EditToken", Access::Write, false),
    method("users.authentication.RegenerateToken", Access::Write, false),
    method("users.authentication.DeleteTokens", Access::Write, false),
];

/// Checks that every method of a catalog is implemented and described as it is implemented,
/// naming the first that is not.
pub fn check_catalog(catalog: &Catalog) -> Result<(), domain::catalog::CatalogError> {
    for entry in catalog.methods() {
        let problem = match IMPLEMENTED.iter().find(|m| m.name == entry.name.as_str()) {
            None => "this server does not implement this method".to_owned(),
            Some(method) if method.access != entry.access => format!(
                "this method {}s: its access must be \"{}\"",
                method.access.as_str(),
                method.access.as_str()
            ),
            Some(method) if method.acts_on_env && entry.resource.is_none() => {
                "this method acts on an environment: name the parameter holding it as \
                 resource (resource = \"envName\"), or scopes could not be checked"
                    .to_owned()
            }
            Some(method) if !method.acts_on_env && entry.resource.is_some() => {
                "this method acts on no single environment: remove its resource".to_owned()
            }
            Some(_) => continue,
        };
        return Err(domain::catalog::CatalogError {
            entry: entry.name.to_string(),
            problem,
        });
    }
    Ok(())
}

pub const MAX_ENVIRONMENTS: i64 = 20;
pub const MAX_FILES_PER_ENVIRONMENT: i64 = 200;
pub const MAX_FILE_BYTES: usize = 256 * 1024;

/// A platform call's failure; what each means to a client is decided by its kind
/// ([`crate::services::error::Classify`]) where the platform API answers.
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
    Token(#[from] TokenError),
    #[error(transparent)]
    Account(AccountError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<CheckError> for PlatformError {
    fn from(error: CheckError) -> Self {
        match error {
            CheckError::Refused(refusal) => Self::Refused(refusal),
            CheckError::Storage(storage) => Self::Storage(storage),
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

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
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
    /// The environment the call acts on, read from the catalog's `resource` parameter and
    /// checked against the token's scopes: handlers take it from here and nowhere else.
    pub env: Option<EnvName>,
}

impl Call<'_> {
    /// The scope-checked environment; every method that acts on one has it (the catalog is
    /// refused at start-up otherwise).
    pub fn checked_env(&self) -> Result<&EnvName, PlatformError> {
        self.env.as_ref().ok_or_else(|| {
            PlatformError::InvalidParameter(format!(
                "{} names no environment parameter in this server's catalog.",
                self.method.name
            ))
        })
    }
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
    /// `admitted` hears of the token once the call may use it (whatever the method answers
    /// next), so that the answer can say when the token expires.
    pub async fn call(
        &self,
        (service, group, method): (&str, &str, &str),
        presented: Option<Presented>,
        params: &Params,
        client: &ClientInfo,
        admitted: impl FnOnce(&TokenGrant),
    ) -> Result<Answer, PlatformError> {
        let catalog = self.tokens.catalog();
        let method = catalog
            .method_at(service, group, method)
            .ok_or(PlatformError::UnknownMethod)?;
        let presented = presented.ok_or(PlatformError::Refused(Refusal::NoCredential))?;
        let mut admission = self
            .tokens
            .verify(&presented, Some(&method.name), client)
            .await?;
        drop(presented);
        if let Some(unknown) = params
            .names()
            .find(|name| !method.params.contains_key(*name))
        {
            return Err(PlatformError::InvalidParameter(format!(
                "{} takes no parameter {unknown}: it takes {}.",
                method.name,
                describe_params(method)
            )));
        }
        let env = match &method.resource {
            Some(resource) => {
                let env = params.env_name(resource)?;
                self.tokens
                    .check_scope(&mut admission, &env, method.access, &method.name, client)
                    .map_err(PlatformError::Refused)?;
                Some(env)
            }
            None => None,
        };
        let grant = self.tokens.admit(admission, client).await?;
        admitted(&grant);
        let call = Call {
            grant: &grant,
            method,
            params,
            client,
            env,
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

    /// The caller's environment the call acts on (its scopes were checked already).
    async fn env(&self, call: &Call<'_>) -> Result<platform::EnvRow, PlatformError> {
        let name = call.checked_env()?;
        platform::find_env(self.database.pool(), call.grant.user_id, name.as_str())
            .await?
            .ok_or_else(|| PlatformError::NotFound(format!("There is no environment {name}.")))
    }

    /// The public marketplace listing, for callers without a token.
    pub async fn public_apps(&self) -> Result<Answer, PlatformError> {
        self.list_apps().await
    }
}

/// A method's parameters, for a message: `envName, path`, or "none".
fn describe_params(method: &ApiMethod) -> String {
    if method.params.is_empty() {
        return "none".to_owned();
    }
    method
        .params
        .keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn answer(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Answer {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}
