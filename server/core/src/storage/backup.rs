//! Online backup and offline restore of a SQLite database. A backup is `VACUUM INTO`: one
//! read transaction, so a consistent copy while the server keeps writing. A restore replaces
//! the file only while nobody uses it: every process that opens the database holds a shared
//! lock on `<db>.lock` (see [`UseLock`]), and restore needs it exclusively.

use std::{
    fs::{File, OpenOptions},
    path::{Path, PathBuf},
};

use domain::status::StorageEngine;
use sqlx::{Connection as _, SqliteConnection, sqlite::SqliteConnectOptions};

use super::{DatabaseUrl, SQLITE_MIGRATIONS};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "tessera backup and restore copy SQLite databases. For PostgreSQL use its own tools: \
         pg_dump --format=custom --file=tessera.dump DATABASE_URL, and pg_restore \
         --clean --dbname=DATABASE_URL tessera.dump with the servers stopped"
    )]
    Postgres,
    #[error("there is no database at {0}")]
    NoDatabase(PathBuf),
    #[error("{0} already exists; choose a new file name")]
    TargetExists(PathBuf),
    #[error("{0} is not a Tessera database: {1}")]
    NotTessera(PathBuf, String),
    #[error(
        "{path} was made by a newer Tessera (schema version {found}; this one knows up to \
         {known}); restore it with that version"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{0} is in use by a running server or another tessera command; stop it, then restore")]
    InUse(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Sqlite { path: PathBuf, source: sqlx::Error },
}

/// What a backup or restore copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub bytes: u64,
    pub users: i64,
    pub tokens: i64,
}

/// A shared lock on `<db>.lock` held while a process uses the database. A separate file,
/// because closing any descriptor of the database file itself would drop SQLite's own
/// (POSIX) locks held by the same process.
#[derive(Debug)]
pub struct UseLock {
    _file: File,
}

impl UseLock {
    pub fn shared(database: &Path) -> std::io::Result<Option<Self>> {
        let file = open_lock_file(database)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(error)) => Err(error),
        }
    }
}

fn open_lock_file(database: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(database))
}

pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

pub async fn backup(url: &DatabaseUrl, to: &Path) -> Result<Copied, BackupError> {
    let database = sqlite_path(url)?;
    if !database.exists() {
        return Err(BackupError::NoDatabase(database));
    }
    if to.exists() {
        return Err(BackupError::TargetExists(to.to_owned()));
    }
    let mut connection = connect(&database, false).await?;
    sqlx::query("vacuum into $1")
        .bind(to.to_string_lossy().into_owned())
        .execute(&mut connection)
        .await
        .map_err(|source| sqlite_error(&database, source))?;
    connection.close().await.ok();
    sync_file(to)?;
    inspect(to).await
}

/// Replaces the database at `url` with `from` after checking that `from` is a sound Tessera
/// database this version can open. The replaced file is kept beside it, named in the result.
pub async fn restore(
    url: &DatabaseUrl,
    from: &Path,
) -> Result<(Copied, Option<PathBuf>), BackupError> {
    let database = sqlite_path(url)?;
    let copied = inspect(from).await?;
    if let Some(parent) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| io_error(parent, source))?;
    }
    let lock = open_lock_file(&database).map_err(|source| io_error(&database, source))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(BackupError::InUse(database)),
        Err(std::fs::TryLockError::Error(source)) => return Err(io_error(&database, source)),
    }

    let incoming = sibling(&database, "restoring");
    std::fs::copy(from, &incoming).map_err(|source| io_error(&incoming, source))?;
    sync_file(&incoming)?;
    let replaced = if database.exists() {
        // Fold a crashed server's write-ahead log into the file before moving it aside.
        let mut connection = connect(&database, false).await?;
        sqlx::query("pragma wal_checkpoint(truncate)")
            .execute(&mut connection)
            .await
            .map_err(|source| sqlite_error(&database, source))?;
        connection.close().await.ok();
        let aside = sibling(&database, &format!("replaced-{}", crate::clock::now()));
        std::fs::rename(&database, &aside).map_err(|source| io_error(&database, source))?;
        Some(aside)
    } else {
        None
    };
    for suffix in ["-wal", "-shm"] {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
    std::fs::rename(&incoming, &database).map_err(|source| io_error(&database, source))?;
    if let Some(parent) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(parent)
            .and_then(|dir| dir.sync_all())
            .map_err(|source| io_error(parent, source))?;
    }
    drop(lock);
    Ok((copied, replaced))
}

/// Checks a database file read-only: SQLite's integrity check, Tessera's schema, a version
/// this binary knows; and counts what it holds.
pub async fn inspect(path: &Path) -> Result<Copied, BackupError> {
    if !path.is_file() {
        return Err(BackupError::NoDatabase(path.to_owned()));
    }
    let not_tessera = |why: &str| BackupError::NotTessera(path.to_owned(), why.to_owned());
    let mut connection = connect(path, true)
        .await
        .map_err(|_| not_tessera("SQLite cannot open it"))?;
    let integrity: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&mut connection)
        .await
        .map_err(|_| not_tessera("SQLite cannot read it"))?;
    if integrity != "ok" {
        return Err(not_tessera(&format!("integrity check: {integrity}")));
    }
    let found: Option<i64> =
        sqlx::query_scalar("select max(version) from _sqlx_migrations where success")
            .fetch_one(&mut connection)
            .await
            .map_err(|_| not_tessera("it has no migration history"))?;
    let found = found.ok_or_else(|| not_tessera("no migration was applied to it"))?;
    let known = SQLITE_MIGRATIONS
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or_default();
    if found > known {
        return Err(BackupError::Newer {
            path: path.to_owned(),
            found,
            known,
        });
    }
    let (users, tokens): (i64, i64) = sqlx::query_as(
        "select (select count(*) from users), \
                (select count(*) from access_tokens where removed_at is null)",
    )
    .fetch_one(&mut connection)
    .await
    .map_err(|source| sqlite_error(path, source))?;
    connection.close().await.ok();
    let bytes = std::fs::metadata(path)
        .map_err(|source| io_error(path, source))?
        .len();
    Ok(Copied {
        bytes,
        users,
        tokens,
    })
}

fn sqlite_path(url: &DatabaseUrl) -> Result<PathBuf, BackupError> {
    match url.engine() {
        StorageEngine::Postgres => Err(BackupError::Postgres),
        StorageEngine::Sqlite => Ok(url.sqlite_path().unwrap_or_default()),
    }
}

async fn connect(path: &Path, read_only: bool) -> Result<SqliteConnection, BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .busy_timeout(std::time::Duration::from_secs(5));
    SqliteConnection::connect_with(&options)
        .await
        .map_err(|source| sqlite_error(path, source))
}

fn sync_file(path: &Path) -> Result<(), BackupError> {
    File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|source| io_error(path, source))
}

fn sibling(database: &Path, label: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(format!(".{label}"));
    PathBuf::from(name)
}

fn io_error(path: &Path, source: std::io::Error) -> BackupError {
    BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

fn sqlite_error(path: &Path, source: sqlx::Error) -> BackupError {
    BackupError::Sqlite {
        path: path.to_owned(),
        source,
    }
}
