//! `tessera backup` and `tessera restore`: adapters over `storage::backup` that say what was
//! copied.

use std::path::Path;

pub use crate::storage::backup::BackupError;
use crate::{settings::Settings, storage::backup};

pub async fn backup(settings: &Settings, to: &Path) -> Result<(), BackupError> {
    let url = &settings.database_url.value;
    let copied = backup::backup(url, to).await?;
    println!(
        "Backed up {url} to {} ({} bytes: {} users, {} tokens). Integrity check: ok.",
        to.display(),
        copied.bytes,
        copied.users,
        copied.tokens
    );
    Ok(())
}

pub async fn restore(settings: &Settings, from: &Path) -> Result<(), BackupError> {
    let url = &settings.database_url.value;
    let (copied, replaced) = backup::restore(url, from).await?;
    println!(
        "Restored {url} from {} ({} users, {} tokens).",
        from.display(),
        copied.users,
        copied.tokens
    );
    if let Some(replaced) = replaced {
        println!(
            "The database it replaced is kept as {}.",
            replaced.display()
        );
    }
    Ok(())
}
