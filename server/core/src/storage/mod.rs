//! The database: one `sqlx::Any` pool over SQLite or PostgreSQL, and the schema migrations.
//!
//! Queries use `$1`-style placeholders, which both engines accept, so one set of SQL serves
//! both. Engine-specific DDL lives in `migrations/sqlite` and `migrations/postgres`.

pub mod audit;
pub mod backup;
pub mod platform;
pub mod policy;
pub mod sessions;
pub mod throttle;
pub mod tokens;
mod url;
pub mod usage;
pub mod users;
pub mod webhooks;

use std::time::Duration;

use domain::status::StorageEngine;
use sqlx::{
    Any, AnyPool, Executor, Transaction,
    any::AnyPoolOptions,
    migrate::{MigrateError, Migrator},
};

pub use url::{DatabaseUrl, DatabaseUrlError};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create the directory for the SQLite database {path}: {source}")]
    CreateDirectory {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open {path}, which marks the database as in use: {source}")]
    LockFile {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} is being restored from a backup (tessera restore); start when it has finished")]
    BeingRestored(String),
    #[error("cannot connect to the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("database migration failed: {0}")]
    Migrate(#[from] MigrateError),
    #[error("the database is not answering: {0}")]
    Unavailable(sqlx::Error),
    #[error("database error: {0}")]
    Query(sqlx::Error),
}

impl StorageError {
    /// True when a unique constraint refused the write (a duplicate login, say).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Query(sqlx::Error::Database(db)) if db.is_unique_violation())
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut => {
                crate::metrics::pool_timed_out();
                Self::Unavailable(error)
            }
            sqlx::Error::PoolClosed | sqlx::Error::Io(_) => Self::Unavailable(error),
            other => Self::Query(other),
        }
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[derive(Clone, Debug)]
pub struct Database {
    pool: AnyPool,
    engine: StorageEngine,
    /// For connections outside the pool (PostgreSQL's LISTEN).
    url: DatabaseUrl,
    /// SQLite: held while the pool lives, so that `tessera restore` cannot replace the file.
    _in_use: Option<std::sync::Arc<backup::UseLock>>,
}

impl Database {
    /// Opens a pool. A SQLite file (and its directory) is created on first use and put in
    /// WAL mode; every connection enforces foreign keys.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let engine = url.engine();
        let connect_url = match engine {
            StorageEngine::Sqlite => prepare_sqlite_file(url)?,
            StorageEngine::Postgres => url.expose().to_owned(),
        };
        let in_use = match url.sqlite_path() {
            Some(path) => Some(std::sync::Arc::new(
                backup::UseLock::shared(&path)
                    .map_err(|source| StorageError::LockFile {
                        path: backup::lock_path(&path).display().to_string(),
                        source,
                    })?
                    .ok_or_else(|| StorageError::BeingRestored(path.display().to_string()))?,
            )),
            None => None,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match engine {
                StorageEngine::Sqlite => 8,
                StorageEngine::Postgres => 16,
            })
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(move |connection, _meta| {
                Box::pin(async move {
                    if engine == StorageEngine::Sqlite {
                        connection
                            .execute(sqlx::raw_sql(SQLITE_CONNECTION_PRAGMAS))
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&connect_url)
            .await
            .map_err(|error| StorageError::Connect {
                url: url.to_string(),
                reason: connect_failure_reason(&error),
            })?;
        if engine == StorageEngine::Sqlite {
            // Persistent in the file: readers never block the writer, nor it them.
            sqlx::query("pragma journal_mode = wal")
                .execute(&pool)
                .await?;
        }
        Ok(Self {
            pool,
            engine,
            url: url.clone(),
            _in_use: in_use,
        })
    }

    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.engine {
            StorageEngine::Sqlite => &SQLITE_MIGRATIONS,
            StorageEngine::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// A transaction for work that writes. On SQLite it takes the write lock up front
    /// (`begin immediate`): a transaction that reads first and then upgrades could fail with
    /// "database is locked" when another writer got in between, which busy_timeout does not
    /// cover.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.engine {
            StorageEngine::Sqlite => self.pool.begin_with("begin immediate").await?,
            StorageEngine::Postgres => self.pool.begin().await?,
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn engine(&self) -> StorageEngine {
        self.engine
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Per connection: enforce foreign keys, wait up to 5 s for a lock instead of failing, and
/// fsync at checkpoints only (safe with WAL).
const SQLITE_CONNECTION_PRAGMAS: &str =
    "pragma foreign_keys = on; pragma busy_timeout = 5000; pragma synchronous = normal;";

/// Creates the database file's directory and asks sqlx to create the file if missing.
fn prepare_sqlite_file(url: &DatabaseUrl) -> Result<String> {
    if let Some(parent) = url
        .sqlite_path()
        .as_deref()
        .and_then(std::path::Path::parent)
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|source| StorageError::CreateDirectory {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let raw = url.expose();
    Ok(if raw.contains("mode=") {
        raw.to_owned()
    } else if raw.contains('?') {
        format!("{raw}&mode=rwc")
    } else {
        format!("{raw}?mode=rwc")
    })
}

/// The root cause in words, without the URL (which may hold a password).
fn connect_failure_reason(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::PoolTimedOut => {
            format!("no answer within {} seconds", ACQUIRE_TIMEOUT.as_secs())
        }
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::Configuration(config) => format!("invalid URL: {config}"),
        sqlx::Error::Tls(tls) => format!("TLS: {tls}"),
        other => other.to_string(),
    }
}
