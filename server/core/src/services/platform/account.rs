//! users.account: who the token acts for, and the account's quotas.

use serde_json::json;

use super::{
    Answer, Call, MAX_ENVIRONMENTS, MAX_FILE_BYTES, MAX_FILES_PER_ENVIRONMENT, PlatformError,
    PlatformService, answer,
};
use crate::storage::{platform, users};

impl PlatformService {
    pub(super) async fn user_info(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let user = users::find_by_id(self.database.pool(), call.grant.user_id)
            .await?
            .ok_or_else(|| PlatformError::NotFound("The account no longer exists.".into()))?;
        Ok(answer([(
            "user",
            json!({
                "login": user.login,
                "displayName": user.display_name,
                "email": user.email,
                "role": call.grant.role.as_str(),
                "created": user.created_at,
            }),
        )]))
    }

    /// A token scoped to some environments is not told how many others exist: its answer
    /// leaves out how many environments are used.
    pub(super) async fn quotas(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let mut environments = json!({ "name": "environments", "limit": MAX_ENVIRONMENTS });
        if call.grant.scopes.is_empty() {
            let used = platform::count_envs(self.database.pool(), call.grant.user_id).await?;
            environments["used"] = json!(used);
        }
        Ok(answer([(
            "quotas",
            json!([
                environments,
                { "name": "files_per_environment", "limit": MAX_FILES_PER_ENVIRONMENT },
                { "name": "file_bytes", "limit": MAX_FILE_BYTES },
            ]),
        )]))
    }
}
