//! What the server knows about itself: version, storage engine, database health.

use std::time::{Duration, Instant};

use domain::status::{DatabaseReport, StorageEngine};
use serde::Serialize;

use crate::storage::{Database, Result};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
const PING_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

#[derive(Clone, Debug)]
pub struct SystemService {
    database: Database,
}

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: HealthStatus,
    pub version: &'static str,
    pub storage: StorageEngine,
    pub database: DatabaseHealth,
}

#[derive(Debug, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
    Unavailable,
}

#[derive(Debug, Serialize)]
pub struct DatabaseHealth {
    pub reachable: bool,
    pub latency_ms: f64,
}

impl SystemService {
    pub fn new(database: Database) -> Self {
        Self { database }
    }

    /// The database pool's connections now: open (idle or in use) and the limit.
    pub fn pool_usage(&self) -> PoolUsage {
        let pool = self.database.pool();
        PoolUsage {
            open: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        }
    }

    pub async fn health(&self) -> Health {
        let started = Instant::now();
        let reachable = matches!(
            tokio::time::timeout(PING_TIMEOUT, self.ping()).await,
            Ok(Ok(()))
        );
        Health {
            status: if reachable {
                HealthStatus::Ok
            } else {
                HealthStatus::Unavailable
            },
            version: VERSION,
            storage: self.database.engine(),
            database: DatabaseHealth {
                reachable,
                latency_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            },
        }
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("select 1")
            .execute(self.database.pool())
            .await?;
        Ok(())
    }

    /// Reads the database's own version and the applied migrations.
    pub async fn database_report(&self) -> Result<DatabaseReport> {
        let started = Instant::now();
        let version_sql = match self.database.engine() {
            StorageEngine::Sqlite => "select sqlite_version()",
            StorageEngine::Postgres => "select current_setting('server_version')",
        };
        let pool = self.database.pool();
        let server_version: String = sqlx::query_scalar(version_sql).fetch_one(pool).await?;
        let migrations_applied: i64 =
            sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
                .fetch_one(pool)
                .await?;
        Ok(DatabaseReport {
            engine: self.database.engine(),
            server_version,
            migrations_applied,
            query_micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        })
    }
}
