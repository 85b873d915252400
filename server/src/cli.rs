//! The command line. Settings shared with the environment and the config file are optional
//! here, without defaults: `settings` decides between flag, environment, file and default.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    about = "Personal access tokens for your platform's API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// A TOML file with settings (keys named like the long flags: addr, database_url, ...).
    /// Flags and environment variables take precedence over it.
    #[arg(long, env = "TESSERA_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    /// Log filter, such as `info` or `info,tessera=debug` [default: info,sqlx=warn].
    #[arg(long, env = "TESSERA_LOG", global = true)]
    pub log: Option<String>,

    /// `text` (for people) or `json` (one object per line, for log collectors) [default: text].
    #[arg(long, env = "TESSERA_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server; applies pending migrations first.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Administer users.
    Admin(AdminArgs),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Copy a SQLite database to a file while the server runs (PostgreSQL: use pg_dump).
    Backup(BackupArgs),
    /// Replace a SQLite database with a backup; refused while a server uses the database.
    Restore(RestoreArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the settings `tessera serve` would use with these flags, environment and file,
    /// each with where it came from; secrets are redacted.
    Check(ServeArgs),
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write; it must not exist yet.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,

    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `tessera backup`.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,

    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub command: AdminCommand,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub catalog: CatalogArgs,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create, list, disable and enable users, and reset their passwords.
    #[command(subcommand)]
    User(UserCommand),
    /// Show or change the token policy (lifetime, required expiry, allowed API sets).
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the token policy in force.
    Show,
    /// Change the token policy; options not given keep their value.
    Set(PolicyArgs),
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Longest a token may live (or auto-refresh window), such as 90d; `none` for no limit.
    #[arg(long)]
    pub max_lifetime: Option<String>,
    /// Whether every token must have an expiry.
    #[arg(long, value_name = "true|false")]
    pub require_expiry: Option<bool>,
    /// The predefined API sets people may choose, comma-separated; `all` for every one,
    /// `none` for none.
    #[arg(long, value_name = "SETS")]
    pub api_sets: Option<String>,
    /// Whether hand-picked method lists (Custom) are allowed.
    #[arg(long, value_name = "true|false")]
    pub custom: Option<bool>,
    /// Calls per period shared by all of one person's tokens, such as 600/min; `none` for
    /// no limit.
    #[arg(long, value_name = "RATE")]
    pub owner_rate_limit: Option<String>,
    /// The API sets whose tokens must list the addresses they may be used from,
    /// comma-separated; `none` for none.
    #[arg(long, value_name = "SETS")]
    pub require_allowed_ips_for: Option<String>,
    /// The longest a regenerated token's old value may keep working, such as 1d (at most
    /// 7d); 0 to end old values at once; `default` for 7 days.
    #[arg(long, value_name = "DURATION")]
    pub max_grace: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. Without --password-stdin a password is generated and printed once.
    Create {
        #[arg(long)]
        login: String,
        /// Display name (default: the login).
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, default_value = "")]
        email: String,
        /// Make the user an admin.
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Disable a user: their sessions end at once and they cannot sign in.
    Disable { login: String },
    /// Enable a disabled user.
    Enable { login: String },
    /// Generate a personal access token for a user. Without --api or --method it gets the
    /// narrowest predefined API set the token policy allows.
    Token(TokenArgs),
    /// Suspend a user's token: it is refused until resumed, and keeps its value.
    SuspendToken {
        #[arg(short = 'u', long = "user")]
        user: String,
        /// The token's id (the dashboard and the REST API show it).
        id: i64,
    },
    /// Resume a user's suspended token.
    ResumeToken {
        #[arg(short = 'u', long = "user")]
        user: String,
        id: i64,
    },
    /// Set a user's password, read from standard input (one line).
    SetPassword {
        login: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// User login (mandatory).
    #[arg(short = 'u', long = "user")]
    pub user: String,
    /// Hard limit: expire after a duration such as 20m, 12h or 30d (units s, m, h, d).
    #[arg(short = 'e', long = "expire", conflicts_with = "auto")]
    pub expire: Option<String>,
    /// Auto refresh: each use before expiry renews it for this many seconds.
    #[arg(short = 'a', long = "auto")]
    pub auto: Option<String>,
    /// With --auto: the last date the token may be valid through, however often it is used
    /// (yyyy-mm-dd or dd-mm-yyyy).
    #[arg(long = "not-after", requires = "auto", value_name = "DATE")]
    pub not_after: Option<String>,
    /// A resource scope, env:NAME:r, env:NAME:w or env:NAME:rw; repeat for several.
    #[arg(short = 's', long = "scope")]
    pub scope: Vec<String>,
    /// Print only the token value (for scripts).
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// A predefined API set: extended_access, ide_plugins, marketplace or maven_plugin.
    #[arg(long, conflicts_with = "method")]
    pub api: Option<String>,
    /// An API method the token may call, such as environment.control.StopEnv; repeat for
    /// several.
    #[arg(long = "method")]
    pub method: Vec<String>,
    /// What the token is for (default: "Command line token").
    #[arg(long)]
    pub description: Option<String>,
    /// How many calls the token may make (1 makes a single-use token).
    #[arg(long, value_name = "N")]
    pub max_uses: Option<String>,
    /// Calls per period, such as 600/min, 10/s or 5000/h.
    #[arg(long, value_name = "RATE")]
    pub rate_limit: Option<String>,
    /// An address or CIDR range the token may be used from; repeat for several.
    #[arg(long = "allow-ip", value_name = "CIDR")]
    pub allow_ip: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// The API catalog file to use instead of the one built in.
    #[arg(long, env = "TESSERA_CATALOG", global = true)]
    pub catalog: Option<PathBuf>,
    /// Routes of services behind a reverse proxy that `/auth/verify` checks: their methods
    /// join the catalog (deploy/forward-auth/routes.toml is an example).
    #[arg(long, env = "TESSERA_ROUTES", global = true)]
    pub routes: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` (created on first use) or `postgres://USER@HOST:PORT/DB`.
    // Parsed by `url()`, not by clap: clap would echo a rejected value, password and all.
    // Global: `tessera admin user create --login x --database-url URL` works as well as
    // `tessera admin --database-url URL user create --login x`.
    /// [default: sqlite://data/tessera.db]
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the chosen one is printed)
    /// [default: 127.0.0.1:3000].
    #[arg(long, env = "TESSERA_ADDR")]
    pub addr: Option<SocketAddr>,

    /// Directory holding `pkg/` with the WASM bundle and CSS. Default: `site/` beside the
    /// binary or beside its parent directory (where the build puts it).
    #[arg(long, env = "TESSERA_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub catalog: CatalogArgs,

    /// Addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` names the client
    /// (comma-separated). Without them, the peer address is the client.
    #[arg(long, env = "TESSERA_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<app::token::AddressRange>>,

    /// Serve Prometheus metrics at /metrics on this address (keep it private) [default: off].
    #[arg(long, env = "TESSERA_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Let webhook endpoints point at loopback, private and link-local addresses (receivers
    /// inside your network) [default: false].
    #[arg(long, env = "TESSERA_WEBHOOK_ALLOW_PRIVATE", value_name = "true|false")]
    pub webhook_allow_private: Option<bool>,

    /// What a secret scanner's report of a known token does: revoke it (refused as
    /// token_leaked) or only tell its owner [default: revoke].
    #[arg(long, env = "TESSERA_LEAKED_TOKENS", value_name = "revoke|notify")]
    pub leaked_tokens: Option<String>,

    /// The secret scanners sign leak reports with (X-Hub-Signature-256); when set, unsigned
    /// reports are refused. Prefer the environment or the config file to a flag.
    #[arg(long, env = "TESSERA_LEAK_REPORT_SECRET", hide_env_values = true)]
    pub leak_report_secret: Option<String>,
}
