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
    #[error("{0} is being restored from a backup; try again when that has finished")]
    BeingRestored(PathBuf),
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

/// Read access is enough for `flock`: a lock file another user created (root running a
/// command before the service's first start) still opens.
fn open_lock_file(database: &Path) -> std::io::Result<File> {
    let path = lock_path(database);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .or_else(|_| File::open(&path))
}

pub fn lock_path(database: &Path) -> PathBuf {
    with_suffix(database, ".lock")
}

pub async fn backup(url: &DatabaseUrl, to: &Path) -> Result<Copied, BackupError> {
    let database = sqlite_path(url)?;
    if !database.exists() {
        return Err(BackupError::NoDatabase(database));
    }
    // Like a server, a backup holds the database in use: a restore cannot start under it.
    let _in_use = UseLock::shared(&database)
        .map_err(|source| io_error(&lock_path(&database), source))?
        .ok_or_else(|| BackupError::BeingRestored(database.clone()))?;
    // Made here, empty and private (it will hold password and token digests): nobody can
    // slip a file or a link in between a check and SQLite's write, which fills an empty file.
    create_private(to)?;
    let mut connection = connect(&database, true).await?;
    let copied = sqlx::query("vacuum into $1")
        .bind(to.to_string_lossy().into_owned())
        .execute(&mut connection)
        .await
        .map_err(|source| sqlite_error(&database, source));
    connection.close().await.ok();
    if let Err(error) = copied {
        let _ = std::fs::remove_file(to);
        return Err(error);
    }
    sync_file(to)?;
    inspect(to).await
}

/// Replaces the database at `url` with `from` after checking that `from` is a sound Tessera
/// database this version can open. The replaced file is kept beside it, named in the result.
/// At every moment a complete database is in place: the old one until a single rename puts
/// the checked copy there.
pub async fn restore(
    url: &DatabaseUrl,
    from: &Path,
) -> Result<(Copied, Option<PathBuf>), BackupError> {
    let database = sqlite_path(url)?;
    if !from.is_file() {
        return Err(BackupError::NoDatabase(from.to_owned()));
    }
    if let Some(parent) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| io_error(parent, source))?;
    }
    let incoming = sibling(&database, "restoring");
    let source = from.canonicalize().map_err(|error| io_error(from, error))?;
    for own in [&database, &incoming] {
        if own.canonicalize().is_ok_and(|own| own == source) {
            return Err(BackupError::NotTessera(
                from.to_owned(),
                "it is the database being restored, or its copy in progress".to_owned(),
            ));
        }
    }
    if std::fs::metadata(with_suffix(from, "-wal")).is_ok_and(|wal| wal.len() > 0) {
        return Err(BackupError::NotTessera(
            from.to_owned(),
            "it has a write-ahead log beside it (-wal), so the file alone is not all of it; \
             use a file made by tessera backup"
                .to_owned(),
        ));
    }
    let lock = open_lock_file(&database).map_err(|source| io_error(&database, source))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(BackupError::InUse(database)),
        Err(std::fs::TryLockError::Error(source)) => return Err(io_error(&database, source)),
    }

    std::fs::copy(from, &incoming).map_err(|source| io_error(&incoming, source))?;
    sync_file(&incoming)?;
    let copied = match inspect(&incoming).await {
        Ok(copied) => copied,
        Err(error) => {
            let _ = std::fs::remove_file(&incoming);
            return Err(error);
        }
    };
    let replaced = if database.exists() {
        checkpoint_fully(&database).await?;
        keep_owner_and_mode(&database, &incoming)?;
        let aside = sibling(&database, &format!("replaced-{}", crate::clock::now()));
        // A second name for the old file, not a move: the database path is never empty.
        std::fs::hard_link(&database, &aside).map_err(|source| io_error(&aside, source))?;
        Some(aside)
    } else {
        None
    };
    // Checkpointed and truncated above: these hold nothing of the old database.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&database, suffix));
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

/// Folds a crashed server's write-ahead log into the file, refusing to go on unless all of
/// it was written back.
async fn checkpoint_fully(database: &Path) -> Result<(), BackupError> {
    let mut connection = connect(database, false).await?;
    let (busy, log, written): (i64, i64, i64) = sqlx::query_as("pragma wal_checkpoint(truncate)")
        .fetch_one(&mut connection)
        .await
        .map_err(|source| sqlite_error(database, source))?;
    connection.close().await.ok();
    if busy != 0 || (log >= 0 && log != written) {
        return Err(BackupError::InUse(database.to_owned()));
    }
    Ok(())
}

/// The restored file gets the replaced one's owner and permissions, so that a restore run as
/// root leaves a database the service's user can still open.
fn keep_owner_and_mode(database: &Path, incoming: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let old = std::fs::metadata(database).map_err(|source| io_error(database, source))?;
    std::fs::set_permissions(
        incoming,
        std::fs::Permissions::from_mode(old.mode() & 0o7777),
    )
    .map_err(|source| io_error(incoming, source))?;
    let same_owner = std::fs::metadata(incoming)
        .is_ok_and(|new| new.uid() == old.uid() && new.gid() == old.gid());
    if !same_owner {
        std::os::unix::fs::chown(incoming, Some(old.uid()), Some(old.gid()))
            .map_err(|source| io_error(incoming, source))?;
    }
    Ok(())
}

fn create_private(path: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => BackupError::TargetExists(path.to_owned()),
            _ => io_error(path, source),
        })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
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
    with_suffix(database, &format!(".{label}"))
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
