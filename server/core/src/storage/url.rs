//! `DATABASE_URL`, parsed: which engine, and a form safe to print (no password).

use std::{fmt, path::PathBuf, str::FromStr};

use domain::status::StorageEngine;

#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    engine: StorageEngine,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatabaseUrlError {
    #[error("the database URL (--database-url or DATABASE_URL) is empty")]
    Empty,
    #[error(
        "the database URL (--database-url or DATABASE_URL) must start with sqlite:// or \
         postgres:// (got `{0}`)"
    )]
    UnsupportedScheme(String),
    #[error("the database URL `{0}` names no database file")]
    MissingSqlitePath(String),
}

impl DatabaseUrl {
    pub const DEFAULT: &'static str = "sqlite://data/tessera.db";

    pub fn engine(&self) -> StorageEngine {
        self.engine
    }

    /// The URL as sqlx needs it, password included. Never log this; log `self` instead.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// For SQLite, the database file's path (`None` for in-memory databases).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.engine != StorageEngine::Sqlite {
            return None;
        }
        let rest = strip_sqlite_scheme(&self.raw)?;
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

fn strip_sqlite_scheme(raw: &str) -> Option<&str> {
    raw.strip_prefix("sqlite://")
        .or_else(|| raw.strip_prefix("sqlite:"))
}

impl FromStr for DatabaseUrl {
    type Err = DatabaseUrlError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DatabaseUrlError::Empty);
        }
        let engine = if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            StorageEngine::Postgres
        } else if let Some(rest) = strip_sqlite_scheme(raw) {
            if rest.split('?').next().unwrap_or_default().is_empty() {
                return Err(DatabaseUrlError::MissingSqlitePath(raw.to_owned()));
            }
            StorageEngine::Sqlite
        } else {
            return Err(DatabaseUrlError::UnsupportedScheme(scheme_of(raw)));
        };
        Ok(Self {
            raw: raw.to_owned(),
            engine,
        })
    }
}

/// Only what can be a scheme (letters first, then letters, digits, `+-.`) before the first
/// `:`: a mistyped URL (`postgres:/user:pw@host`) must not be echoed, password and all.
fn scheme_of(raw: &str) -> String {
    let candidate = raw.split(':').next().unwrap_or_default();
    let is_scheme = candidate.starts_with(|c: char| c.is_ascii_alphabetic())
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if is_scheme && candidate.len() < raw.len() {
        candidate.to_owned()
    } else {
        "(not a URL)".to_owned()
    }
}

/// Prints the URL with any password replaced by `***`.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.raw))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Replaces the password in `scheme://user:password@host...` (and any `password=` query
/// parameter) with `***`.
fn redact(raw: &str) -> String {
    let mut out = raw.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end = out[authority_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| authority_start + i);
        if let Some(at) = out[authority_start..authority_end].rfind('@') {
            let userinfo = &out[authority_start..authority_start + at];
            if let Some(colon) = userinfo.find(':') {
                let start = authority_start + colon + 1;
                out.replace_range(start..authority_start + at, "***");
            }
        }
    }
    if let Some(query_start) = out.find('?') {
        let (head, query) = out.split_at(query_start + 1);
        let query = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&");
        out = format!("{head}{query}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_engines() {
        let sqlite: DatabaseUrl = "sqlite://data/tessera.db".parse().unwrap();
        assert_eq!(sqlite.engine(), StorageEngine::Sqlite);
        assert_eq!(sqlite.sqlite_path(), Some(PathBuf::from("data/tessera.db")));
        let pg: DatabaseUrl = "postgresql://u@h/db".parse().unwrap();
        assert_eq!(pg.engine(), StorageEngine::Postgres);
        assert_eq!(pg.sqlite_path(), None);
    }

    #[test]
    fn rejects_unknown_schemes_and_empty_paths() {
        assert_eq!(
            "mysql://root:hunter2@db/x".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::UnsupportedScheme("mysql".into()))
        );
        assert_eq!(
            "postgres:/tessera:hunter2@db/x".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::UnsupportedScheme("postgres".into()))
        );
        assert_eq!(
            "tessera:hunter2@db/x".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::UnsupportedScheme("tessera".into()))
        );
        assert_eq!(
            "/srv/hunter2".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::UnsupportedScheme("(not a URL)".into()))
        );
        assert_eq!("".parse::<DatabaseUrl>(), Err(DatabaseUrlError::Empty));
        assert!(matches!(
            "sqlite://".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::MissingSqlitePath(_))
        ));
    }

    #[test]
    fn never_displays_the_password() {
        let url: DatabaseUrl = "postgres://tessera:s3cret@db:5432/app?password=other&x=1"
            .parse()
            .unwrap();
        let shown = format!("{url} {url:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("other"),
            "{shown}"
        );
        assert!(shown.contains("postgres://tessera:***@db:5432/app?password=***&x=1"));
    }

    #[test]
    fn sqlite_query_parameters_are_not_part_of_the_path() {
        let url: DatabaseUrl = "sqlite:/var/lib/tessera.db?mode=rwc".parse().unwrap();
        assert_eq!(
            url.sqlite_path(),
            Some(PathBuf::from("/var/lib/tessera.db"))
        );
    }
}
