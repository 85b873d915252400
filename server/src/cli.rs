//! The command line: `tessera serve`, `tessera migrate`.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::storage::{DatabaseUrl, DatabaseUrlError};

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    about = "Personal access tokens for your platform's API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (pages, REST API, platform API); applies pending migrations first.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` (created on first use) or `postgres://USER@HOST:PORT/DB`.
    // Parsed by `url()`, not by clap: clap would echo a rejected value, password and all.
    #[arg(long, env = "DATABASE_URL", default_value = DatabaseUrl::DEFAULT, hide_env_values = true)]
    pub database_url: String,
}

impl DatabaseArgs {
    pub fn url(&self) -> Result<DatabaseUrl, DatabaseUrlError> {
        self.database_url.parse()
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the chosen one is printed).
    #[arg(long, env = "TESSERA_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Directory holding `pkg/` with the WASM bundle and CSS. Default: `site/` beside the
    /// binary or beside its parent directory (where the build puts it).
    #[arg(long, env = "TESSERA_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    #[command(flatten)]
    pub database: DatabaseArgs,
}
