//! What the server reports about itself and its storage (wire type, shared with the browser).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageEngine {
    Sqlite,
    Postgres,
}

impl StorageEngine {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// The answer of a live round trip to the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseReport {
    pub engine: StorageEngine,
    /// The version string the database server itself reports.
    pub server_version: String,
    /// How many schema migrations have been applied.
    pub migrations_applied: i64,
    /// How long the queries took on the server, in microseconds.
    pub query_micros: u64,
}
