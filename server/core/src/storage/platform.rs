//! The platform API's tables: environments, their files and deployments, marketplace apps.

use sqlx::{AnyExecutor, FromRow};

use super::Result;

#[derive(Debug, Clone, FromRow)]
pub struct EnvRow {
    pub env_id: i64,
    pub name: String,
    pub display_name: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const ENV_COLUMNS: &str = "env_id, name, display_name, status, created_at, updated_at";

pub async fn list_envs<'c>(executor: impl AnyExecutor<'c>, user_id: i64) -> Result<Vec<EnvRow>> {
    let sql = format!("select {ENV_COLUMNS} from environments where user_id = $1 order by name");
    Ok(sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_all(executor)
        .await?)
}

pub async fn find_env<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    name: &str,
) -> Result<Option<EnvRow>> {
    let sql = format!("select {ENV_COLUMNS} from environments where user_id = $1 and name = $2");
    Ok(sqlx::query_as(&sql)
        .bind(user_id)
        .bind(name)
        .fetch_optional(executor)
        .await?)
}

pub async fn count_envs<'c>(executor: impl AnyExecutor<'c>, user_id: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("select count(*) from environments where user_id = $1")
            .bind(user_id)
            .fetch_one(executor)
            .await?,
    )
}

pub async fn insert_env<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    name: &str,
    display_name: &str,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "insert into environments (user_id, name, display_name, status, created_at, updated_at) \
         values ($1, $2, $3, 'running', $4, $4) returning env_id",
    )
    .bind(user_id)
    .bind(name)
    .bind(display_name)
    .bind(now)
    .fetch_one(executor)
    .await?)
}

pub async fn set_env_status<'c>(
    executor: impl AnyExecutor<'c>,
    env_id: i64,
    status: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("update environments set status = $2, updated_at = $3 where env_id = $1")
        .bind(env_id)
        .bind(status)
        .bind(now)
        .execute(executor)
        .await?;
    Ok(())
}

pub async fn delete_env<'c>(executor: impl AnyExecutor<'c>, env_id: i64) -> Result<()> {
    sqlx::query("delete from environments where env_id = $1")
        .bind(env_id)
        .execute(executor)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct FileRow {
    pub path: String,
    pub size: i64,
    pub updated_at: i64,
}

pub async fn list_files<'c>(
    executor: impl AnyExecutor<'c>,
    env_id: i64,
    under: &str,
) -> Result<Vec<FileRow>> {
    Ok(sqlx::query_as(
        "select path, cast(length(content) as bigint) as size, updated_at from env_files \
         where env_id = $1 and substr(path, 1, length($2)) = $2 order by path",
    )
    .bind(env_id)
    .bind(under)
    .fetch_all(executor)
    .await?)
}

pub async fn count_files<'c>(executor: impl AnyExecutor<'c>, env_id: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("select count(*) from env_files where env_id = $1")
            .bind(env_id)
            .fetch_one(executor)
            .await?,
    )
}

pub async fn read_file<'c>(
    executor: impl AnyExecutor<'c>,
    env_id: i64,
    path: &str,
) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("select content from env_files where env_id = $1 and path = $2")
            .bind(env_id)
            .bind(path)
            .fetch_optional(executor)
            .await?,
    )
}

pub async fn write_file<'c>(
    executor: impl AnyExecutor<'c>,
    env_id: i64,
    path: &str,
    content: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "insert into env_files (env_id, path, content, updated_at) values ($1, $2, $3, $4) \
         on conflict (env_id, path) do update set content = $3, updated_at = $4",
    )
    .bind(env_id)
    .bind(path)
    .bind(content)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct DeploymentRow {
    pub deployment_id: i64,
    pub archive: String,
    pub version: Option<String>,
    pub deployed_at: i64,
}

pub async fn insert_deployment<'c>(
    executor: impl AnyExecutor<'c>,
    env_id: i64,
    archive: &str,
    version: Option<&str>,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "insert into deployments (env_id, archive, version, deployed_at) \
         values ($1, $2, $3, $4) returning deployment_id",
    )
    .bind(env_id)
    .bind(archive)
    .bind(version)
    .bind(now)
    .fetch_one(executor)
    .await?)
}

pub async fn list_deployments<'c>(
    executor: impl AnyExecutor<'c>,
    env_id: i64,
) -> Result<Vec<DeploymentRow>> {
    Ok(sqlx::query_as(
        "select deployment_id, archive, version, deployed_at from deployments \
         where env_id = $1 order by deployment_id desc",
    )
    .bind(env_id)
    .fetch_all(executor)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct AppRow {
    pub app_id: String,
    pub title: String,
    pub description: String,
    pub version: String,
}

pub async fn list_apps<'c>(executor: impl AnyExecutor<'c>) -> Result<Vec<AppRow>> {
    Ok(sqlx::query_as(
        "select app_id, title, description, version from marketplace_apps order by title",
    )
    .fetch_all(executor)
    .await?)
}

pub async fn find_app<'c>(executor: impl AnyExecutor<'c>, app_id: &str) -> Result<Option<AppRow>> {
    Ok(sqlx::query_as(
        "select app_id, title, description, version from marketplace_apps where app_id = $1",
    )
    .bind(app_id)
    .fetch_optional(executor)
    .await?)
}

/// Installs an app into an environment; false when it was installed already.
pub async fn insert_install<'c>(
    executor: impl AnyExecutor<'c>,
    env_id: i64,
    app_id: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "insert into app_installs (env_id, app_id, installed_at) values ($1, $2, $3) \
         on conflict (env_id, app_id) do nothing",
    )
    .bind(env_id)
    .bind(app_id)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn list_installs<'c>(executor: impl AnyExecutor<'c>, env_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "select app_id from app_installs where env_id = $1 order by installed_at, app_id",
    )
    .bind(env_id)
    .fetch_all(executor)
    .await?)
}
