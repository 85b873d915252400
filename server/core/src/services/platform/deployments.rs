//! environment.deployment: deploy an archive, list what was deployed.

use serde_json::{Value, json};

use super::{Answer, Call, PlatformError, PlatformService, answer};
use crate::{clock, storage::platform};

const MAX_ARCHIVE_CHARS: usize = 128;

fn archive_name(raw: &str) -> Result<&str, PlatformError> {
    let name = raw.trim();
    let valid = !name.is_empty()
        && name.chars().count() <= MAX_ARCHIVE_CHARS
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(name)
    } else {
        Err(PlatformError::InvalidParameter(format!(
            "“{raw}” is not an archive name: use letters, digits, . _ and -, such as app.war."
        )))
    }
}

impl PlatformService {
    pub(super) async fn deploy(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let env = self.env(&call).await?;
        let archive = archive_name(call.params.required("archive")?)?;
        let version = call
            .params
            .optional("version")
            .map(str::trim)
            .filter(|v| !v.is_empty());
        if env.status != "running" {
            return Err(PlatformError::Conflict(format!(
                "{} is stopped: start it before deploying.",
                env.name
            )));
        }
        let id = platform::insert_deployment(
            self.database.pool(),
            env.env_id,
            archive,
            version,
            clock::now(),
        )
        .await?;
        Ok(answer([(
            "deployment",
            json!({ "id": id, "archive": archive, "version": version }),
        )]))
    }

    pub(super) async fn get_deployments(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let env = self.env(&call).await?;
        let rows = platform::list_deployments(self.database.pool(), env.env_id).await?;
        let deployments: Vec<Value> = rows
            .iter()
            .map(|d| {
                json!({
                    "id": d.deployment_id,
                    "archive": d.archive,
                    "version": d.version,
                    "deployed": d.deployed_at,
                })
            })
            .collect();
        Ok(answer([("deployments", Value::Array(deployments))]))
    }
}
