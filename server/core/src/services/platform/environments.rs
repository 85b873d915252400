//! environment.control: list, inspect, create, start, stop, restart, delete.

use serde_json::{Value, json};

use super::{Answer, Call, MAX_ENVIRONMENTS, PlatformError, PlatformService, answer};
use crate::{
    clock,
    storage::{StorageError, platform},
};

const MAX_DISPLAY_NAME_CHARS: usize = 80;

pub(super) fn env_json(env: &platform::EnvRow) -> Value {
    json!({
        "name": env.name,
        "displayName": env.display_name,
        "status": env.status,
        "created": env.created_at,
        "updated": env.updated_at,
    })
}

impl PlatformService {
    pub(super) async fn get_envs(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let envs = platform::list_envs(self.database.pool(), call.grant.user_id).await?;
        let visible: Vec<Value> = envs
            .iter()
            .filter(|env| {
                domain::token::EnvName::parse(&env.name).is_ok_and(|name| call.grant.can_see(&name))
            })
            .map(env_json)
            .collect();
        Ok(answer([("envs", Value::Array(visible))]))
    }

    pub(super) async fn get_env_info(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let env = self.env(&call).await?;
        let pool = self.database.pool();
        let files = platform::count_files(pool, env.env_id).await?;
        let deployments = platform::list_deployments(pool, env.env_id).await?;
        let apps = platform::list_installs(pool, env.env_id).await?;
        let mut info = env_json(&env);
        info["files"] = json!(files);
        info["deployments"] = json!(deployments.len());
        info["apps"] = json!(apps);
        Ok(answer([("env", info)]))
    }

    pub(super) async fn create_environment(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let name = call.checked_env()?.clone();
        let display_name = call
            .params
            .optional("displayName")
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .unwrap_or(name.as_str());
        if display_name.chars().count() > MAX_DISPLAY_NAME_CHARS
            || display_name.chars().any(char::is_control)
        {
            return Err(PlatformError::InvalidParameter(format!(
                "displayName is one line of at most {MAX_DISPLAY_NAME_CHARS} characters."
            )));
        }
        let user_id = call.grant.user_id;
        let mut tx = self.database.begin_write().await?;
        if platform::count_envs(&mut *tx, user_id).await? >= MAX_ENVIRONMENTS {
            return Err(PlatformError::QuotaExceeded(format!(
                "An account has at most {MAX_ENVIRONMENTS} environments."
            )));
        }
        match platform::insert_env(&mut *tx, user_id, name.as_str(), display_name, clock::now())
            .await
        {
            Err(error) if error.is_unique_violation() => {
                return Err(PlatformError::AlreadyExists(format!(
                    "You already have an environment named {name}."
                )));
            }
            other => other?,
        };
        let env = platform::find_env(&mut *tx, user_id, name.as_str())
            .await?
            .ok_or_else(|| PlatformError::NotFound(name.to_string()))?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(answer([("env", env_json(&env))]))
    }

    pub(super) async fn set_status(
        &self,
        call: Call<'_>,
        status: &'static str,
    ) -> Result<Answer, PlatformError> {
        let env = self.env(&call).await?;
        platform::set_env_status(self.database.pool(), env.env_id, status, clock::now()).await?;
        let env = self.env(&call).await?;
        Ok(answer([("env", env_json(&env))]))
    }

    pub(super) async fn delete_env(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let env = self.env(&call).await?;
        platform::delete_env(self.database.pool(), env.env_id).await?;
        Ok(answer([("deleted", json!(env.name))]))
    }
}
