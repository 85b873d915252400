//! The `users` table. Rows carry the password hash and never leave the server.

use domain::account::Role;
use sqlx::{AnyExecutor, FromRow};

use super::Result;

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub email: String,
    pub password_hash: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

pub struct NewUser<'a> {
    pub login: &'a str,
    pub login_key: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub now: i64,
}

const COLUMNS: &str =
    "user_id, login, display_name, email, password_hash, role, disabled_at, created_at";

pub async fn insert<'c>(executor: impl AnyExecutor<'c>, user: NewUser<'_>) -> Result<i64> {
    let id = sqlx::query_scalar(
        "insert into users (login, login_key, display_name, email, password_hash, role, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) returning user_id",
    )
    .bind(user.login)
    .bind(user.login_key)
    .bind(user.display_name)
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.role)
    .bind(user.now)
    .fetch_one(executor)
    .await?;
    Ok(id)
}

pub async fn find_by_login_key<'c>(
    executor: impl AnyExecutor<'c>,
    login_key: &str,
) -> Result<Option<UserRow>> {
    let sql = format!("select {COLUMNS} from users where login_key = $1");
    Ok(sqlx::query_as(&sql)
        .bind(login_key)
        .fetch_optional(executor)
        .await?)
}

pub async fn find_by_id<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
) -> Result<Option<UserRow>> {
    let sql = format!("select {COLUMNS} from users where user_id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_optional(executor)
        .await?)
}

/// The user's password hash if the account is enabled, locked until `tx` ends: a session
/// opened in `tx` then rests on the password as it is, not as it was when it was checked.
pub async fn lock_live_password_hash(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    engine: domain::status::StorageEngine,
    user_id: i64,
) -> Result<Option<String>> {
    // SQLite's write transactions (`begin immediate`) already exclude every other writer.
    let sql = match engine {
        domain::status::StorageEngine::Sqlite => {
            "select password_hash from users where user_id = $1 and disabled_at is null"
        }
        domain::status::StorageEngine::Postgres => {
            "select password_hash from users where user_id = $1 and disabled_at is null \
             for update"
        }
    };
    Ok(sqlx::query_scalar(sql)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?)
}

pub async fn list<'c>(executor: impl AnyExecutor<'c>) -> Result<Vec<UserRow>> {
    let sql = format!("select {COLUMNS} from users order by login_key");
    Ok(sqlx::query_as(&sql).fetch_all(executor).await?)
}

pub async fn count_admins<'c>(executor: impl AnyExecutor<'c>) -> Result<i64> {
    Ok(
        sqlx::query_scalar("select count(*) from users where role = 'admin'")
            .fetch_one(executor)
            .await?,
    )
}

pub async fn set_disabled_at<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    disabled_at: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query("update users set disabled_at = $1, updated_at = $2 where user_id = $3")
        .bind(disabled_at)
        .bind(now)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

pub async fn set_password_hash<'c>(
    executor: impl AnyExecutor<'c>,
    user_id: i64,
    password_hash: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("update users set password_hash = $1, updated_at = $2 where user_id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// A user with the number of their tokens not removed, for the People list.
#[derive(Debug, Clone, FromRow)]
pub struct PersonRow {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub tokens: i64,
}

/// Columns of `u`, a page of users, with the number of their tokens not removed: counted for
/// that page only (PostgreSQL would count for every row an offset skips).
const PERSON_COLUMNS: &str = "u.user_id, u.login, u.display_name, u.email, u.role, \
     u.disabled_at, u.created_at, \
     (select count(*) from access_tokens t where t.user_id = u.user_id \
      and t.removed_at is null) as tokens";

/// `search` matches login, name or email anywhere, ignoring case; empty matches everyone.
const PERSON_FILTER: &str = "where $1 = '' or u.login_key like $2 escape '\\' \
     or lower(u.display_name) like $2 escape '\\' or lower(u.email) like $2 escape '\\'";

fn like_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub async fn people<'c>(
    executor: impl AnyExecutor<'c>,
    search: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<PersonRow>> {
    let sql = format!(
        "select {PERSON_COLUMNS} from (select * from users u {PERSON_FILTER} \
         order by u.login_key limit $3 offset $4) u order by u.login_key"
    );
    Ok(sqlx::query_as(&sql)
        .bind(search)
        .bind(like_pattern(search))
        .bind(limit)
        .bind(offset)
        .fetch_all(executor)
        .await?)
}

pub async fn count_people<'c>(executor: impl AnyExecutor<'c>, search: &str) -> Result<i64> {
    let sql = format!("select count(*) from users u {PERSON_FILTER}");
    Ok(sqlx::query_scalar(&sql)
        .bind(search)
        .bind(like_pattern(search))
        .fetch_one(executor)
        .await?)
}

pub async fn person<'c>(
    executor: impl AnyExecutor<'c>,
    login_key: &str,
) -> Result<Option<PersonRow>> {
    let sql = format!("select {PERSON_COLUMNS} from users u where u.login_key = $1");
    Ok(sqlx::query_as(&sql)
        .bind(login_key)
        .fetch_optional(executor)
        .await?)
}
