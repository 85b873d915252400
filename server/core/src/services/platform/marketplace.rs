//! marketplace.app: the applications on offer, and installing one into an environment.

use serde_json::{Value, json};

use super::{Answer, Call, PlatformError, PlatformService, answer};
use crate::{clock, storage::platform};

fn app_json(app: &platform::AppRow) -> Value {
    json!({
        "id": app.app_id,
        "title": app.title,
        "description": app.description,
        "version": app.version,
    })
}

impl PlatformService {
    pub(super) async fn list_apps(&self) -> Result<Answer, PlatformError> {
        let apps = platform::list_apps(self.database.pool()).await?;
        Ok(answer([(
            "apps",
            Value::Array(apps.iter().map(app_json).collect()),
        )]))
    }

    async fn find_app(&self, call: &Call<'_>) -> Result<platform::AppRow, PlatformError> {
        let app_id = call.params.required("appId")?.trim();
        platform::find_app(self.database.pool(), app_id)
            .await?
            .ok_or_else(|| {
                PlatformError::NotFound(format!("The marketplace has no application “{app_id}”."))
            })
    }

    pub(super) async fn app_info(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let app = self.find_app(&call).await?;
        Ok(answer([("app", app_json(&app))]))
    }

    pub(super) async fn install(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let env = self.env(&call).await?;
        let app = self.find_app(&call).await?;
        let installed =
            platform::insert_install(self.database.pool(), env.env_id, &app.app_id, clock::now())
                .await?;
        Ok(answer([
            ("app", app_json(&app)),
            ("envName", json!(env.name)),
            ("alreadyInstalled", json!(!installed)),
        ]))
    }
}
