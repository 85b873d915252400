//! The settings a command runs with, each taken from the first place that has it: a flag, the
//! environment, the config file (`--config`), the default. Each remembers where it came from,
//! for `tessera config check`.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    str::FromStr,
};

use app::token::AddressRange;
use clap::{ArgMatches, parser::ValueSource};
use serde::Deserialize;

use crate::{
    cli::{CatalogArgs, Cli, Command, ConfigCommand, DatabaseArgs, ServeArgs},
    services::tokens::LeakAction,
    storage::DatabaseUrl,
    telemetry::LogFormat,
};

const DEFAULT_ADDR: &str = "127.0.0.1:3000";
const DEFAULT_LOG: &str = "info,sqlx=warn";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment(&'static str),
    File,
    Default,
}

#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

#[derive(Debug)]
pub struct Settings {
    pub config_file: Option<PathBuf>,
    pub addr: Setting<SocketAddr>,
    pub database_url: Setting<DatabaseUrl>,
    pub site_root: Setting<Option<PathBuf>>,
    pub trusted_proxies: Setting<Vec<AddressRange>>,
    pub log: Setting<String>,
    pub log_format: Setting<LogFormat>,
    pub catalog: Setting<Option<PathBuf>>,
    pub routes: Setting<Option<PathBuf>>,
    pub metrics_addr: Setting<Option<SocketAddr>>,
    pub webhook_allow_private: Setting<bool>,
    pub leaked_tokens: Setting<LeakAction>,
    pub leak_report_secret: Setting<Option<SecretText>>,
}

/// A setting's secret text: `Debug` and `tessera config check` show only that it is set.
#[derive(Clone)]
pub struct SecretText(pub std::sync::Arc<str>);

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<set>")
    }
}

impl FromStr for SecretText {
    type Err = &'static str;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if raw.trim().len() < 16 {
            return Err("a signing secret has at least 16 characters");
        }
        Ok(Self(raw.trim().into()))
    }
}

/// One line naming the setting and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the config file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}{line}: {message}")]
    Syntax {
        path: PathBuf,
        line: String,
        message: String,
    },
    #[error("{origin}: {key}: {message}")]
    Invalid {
        origin: String,
        key: &'static str,
        message: String,
    },
}

/// The config file: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    addr: Option<String>,
    database_url: Option<String>,
    site_root: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    log: Option<String>,
    log_format: Option<String>,
    catalog: Option<String>,
    routes: Option<String>,
    metrics_addr: Option<String>,
    webhook_allow_private: Option<bool>,
    leaked_tokens: Option<String>,
    leak_report_secret: Option<String>,
}

/// What the command line (flags and environment, as clap read them) gave.
#[derive(Default)]
struct Given<'a> {
    database: Option<&'a DatabaseArgs>,
    serve: Option<&'a ServeArgs>,
    catalog: Option<&'a CatalogArgs>,
}

impl Settings {
    /// `matches` are those of the innermost subcommand, where global flags are visible too.
    pub fn resolve(cli: &Cli, matches: &ArgMatches) -> Result<Self, SettingsError> {
        let given = Given::of(&cli.command);
        let config_file = cli.global.config.clone();
        let file = match &config_file {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let resolver = Resolver {
            matches,
            file_origin: config_file
                .as_deref()
                .map(|path| path.display().to_string())
                .unwrap_or_default(),
        };
        let serve = given.serve;
        Ok(Self {
            addr: resolver.pick(
                "addr",
                "TESSERA_ADDR",
                serve.and_then(|s| s.addr),
                file.addr.as_deref(),
                || DEFAULT_ADDR.parse().expect("a valid default address"),
            )?,
            database_url: resolver.pick(
                "database_url",
                "DATABASE_URL",
                given
                    .database
                    .and_then(|d| d.database_url.as_deref())
                    .map(parse_database_url)
                    .transpose()
                    .map_err(|message| resolver.invalid_given("database_url", message))?,
                file.database_url.as_deref(),
                || DatabaseUrl::DEFAULT.parse().expect("a valid default URL"),
            )?,
            site_root: resolver.pick_optional(
                "site_root",
                "TESSERA_SITE_ROOT",
                serve.and_then(|s| s.site_root.clone()),
                file.site_root.as_deref(),
            )?,
            trusted_proxies: resolver.pick_list(
                "trusted_proxies",
                "TESSERA_TRUSTED_PROXIES",
                serve.and_then(|s| s.trusted_proxies.clone()),
                file.trusted_proxies,
            )?,
            log: resolver.pick_log(cli.global.log.clone(), file.log),
            log_format: resolver.pick(
                "log_format",
                "TESSERA_LOG_FORMAT",
                cli.global
                    .log_format
                    .as_deref()
                    .map(LogFormat::from_str)
                    .transpose()
                    .map_err(|message| resolver.invalid_given("log_format", message))?,
                file.log_format.as_deref(),
                || LogFormat::Text,
            )?,
            catalog: resolver.pick_optional(
                "catalog",
                "TESSERA_CATALOG",
                given.catalog.and_then(|c| c.catalog.clone()),
                file.catalog.as_deref(),
            )?,
            routes: resolver.pick_optional(
                "routes",
                "TESSERA_ROUTES",
                given.catalog.and_then(|c| c.routes.clone()),
                file.routes.as_deref(),
            )?,
            metrics_addr: resolver.pick_optional(
                "metrics_addr",
                "TESSERA_METRICS_ADDR",
                serve.and_then(|s| s.metrics_addr),
                file.metrics_addr.as_deref(),
            )?,
            webhook_allow_private: resolver.pick(
                "webhook_allow_private",
                "TESSERA_WEBHOOK_ALLOW_PRIVATE",
                serve.and_then(|s| s.webhook_allow_private),
                file.webhook_allow_private
                    .map(|allow| allow.to_string())
                    .as_deref(),
                || false,
            )?,
            leaked_tokens: resolver.pick(
                "leaked_tokens",
                "TESSERA_LEAKED_TOKENS",
                serve
                    .and_then(|s| s.leaked_tokens.as_deref())
                    .map(LeakAction::from_str)
                    .transpose()
                    .map_err(|message| resolver.invalid_given("leaked_tokens", message))?,
                file.leaked_tokens.as_deref(),
                LeakAction::default,
            )?,
            leak_report_secret: resolver.pick_optional(
                "leak_report_secret",
                "TESSERA_LEAK_REPORT_SECRET",
                serve
                    .and_then(|s| s.leak_report_secret.as_deref())
                    .map(SecretText::from_str)
                    .transpose()
                    .map_err(|message| {
                        resolver.invalid_given("leak_report_secret", message.to_owned())
                    })?,
                file.leak_report_secret.as_deref(),
            )?,
            config_file,
        })
    }

    /// Every setting as a line `key  value  source`, for `tessera config check`. The database
    /// URL prints without its password.
    pub fn describe(&self) -> String {
        let path_or = |path: &Option<PathBuf>, none: &str| {
            path.as_deref()
                .map_or_else(|| none.to_owned(), |p| p.display().to_string())
        };
        let rows = [
            ("addr", self.addr.value.to_string(), &self.addr.source),
            (
                "database_url",
                self.database_url.value.to_string(),
                &self.database_url.source,
            ),
            (
                "site_root",
                path_or(&self.site_root.value, "site/ beside the binary"),
                &self.site_root.source,
            ),
            (
                "trusted_proxies",
                if self.trusted_proxies.value.is_empty() {
                    "none".to_owned()
                } else {
                    self.trusted_proxies
                        .value
                        .iter()
                        .map(AddressRange::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                &self.trusted_proxies.source,
            ),
            ("log", self.log.value.clone(), &self.log.source),
            (
                "log_format",
                self.log_format.value.to_string(),
                &self.log_format.source,
            ),
            (
                "catalog",
                path_or(&self.catalog.value, "built in"),
                &self.catalog.source,
            ),
            (
                "routes",
                path_or(&self.routes.value, "the platform API's only"),
                &self.routes.source,
            ),
            (
                "metrics_addr",
                self.metrics_addr
                    .value
                    .map_or_else(|| "off".to_owned(), |addr| addr.to_string()),
                &self.metrics_addr.source,
            ),
            (
                "webhook_allow_private",
                self.webhook_allow_private.value.to_string(),
                &self.webhook_allow_private.source,
            ),
            (
                "leaked_tokens",
                self.leaked_tokens.value.as_str().to_owned(),
                &self.leaked_tokens.source,
            ),
            (
                "leak_report_secret",
                if self.leak_report_secret.value.is_some() {
                    "set".to_owned()
                } else {
                    "none (unsigned reports taken)".to_owned()
                },
                &self.leak_report_secret.source,
            ),
        ];
        let file = self.config_file.as_deref();
        rows.iter()
            .map(|(key, value, source)| {
                format!("{key:<22} {value:<40} {}\n", describe_source(source, file))
            })
            .collect()
    }
}

fn describe_source(source: &Source, file: Option<&Path>) -> String {
    match (source, file) {
        (Source::Flag, _) => "flag".to_owned(),
        (Source::Environment(name), _) => format!("environment {name}"),
        (Source::File, Some(file)) => format!("file {}", file.display()),
        (Source::File, None) => "file".to_owned(),
        (Source::Default, _) => "default".to_owned(),
    }
}

impl Given<'_> {
    fn of(command: &Command) -> Given<'_> {
        match command {
            Command::Serve(serve) | Command::Config(ConfigCommand::Check(serve)) => Given {
                database: Some(&serve.database),
                serve: Some(serve),
                catalog: Some(&serve.catalog),
            },
            Command::Migrate(database) => Given {
                database: Some(database),
                ..Given::default()
            },
            Command::Backup(args) => Given {
                database: Some(&args.database),
                ..Given::default()
            },
            Command::Restore(args) => Given {
                database: Some(&args.database),
                ..Given::default()
            },
            Command::Admin(admin) => Given {
                database: Some(&admin.database),
                catalog: Some(&admin.catalog),
                ..Given::default()
            },
        }
    }
}

struct Resolver<'a> {
    matches: &'a ArgMatches,
    file_origin: String,
}

impl Resolver<'_> {
    /// Where clap found the value it gave for `id`: on the command line or in `env`.
    fn given_source(&self, id: &str, env: &'static str) -> Source {
        match self.matches.value_source(id) {
            Some(ValueSource::CommandLine) => Source::Flag,
            _ => Source::Environment(env),
        }
    }

    fn invalid_given(&self, id: &'static str, message: String) -> SettingsError {
        let origin = match self.matches.value_source(id) {
            Some(ValueSource::CommandLine) => format!("--{}", id.replace('_', "-")),
            _ => "environment".to_owned(),
        };
        SettingsError::Invalid {
            origin,
            key: id,
            message,
        }
    }

    fn invalid_in_file(&self, key: &'static str, message: impl fmt::Display) -> SettingsError {
        SettingsError::Invalid {
            origin: self.file_origin.clone(),
            key,
            message: message.to_string(),
        }
    }

    fn pick<T: FromStr>(
        &self,
        key: &'static str,
        env: &'static str,
        given: Option<T>,
        in_file: Option<&str>,
        default: impl FnOnce() -> T,
    ) -> Result<Setting<T>, SettingsError>
    where
        T::Err: fmt::Display,
    {
        let setting = self.pick_optional(key, env, given, in_file)?;
        Ok(Setting {
            value: setting.value.unwrap_or_else(default),
            source: setting.source,
        })
    }

    fn pick_optional<T: FromStr>(
        &self,
        key: &'static str,
        env: &'static str,
        given: Option<T>,
        in_file: Option<&str>,
    ) -> Result<Setting<Option<T>>, SettingsError>
    where
        T::Err: fmt::Display,
    {
        if let Some(value) = given {
            return Ok(Setting {
                value: Some(value),
                source: self.given_source(key, env),
            });
        }
        if let Some(raw) = in_file {
            let value = raw
                .parse()
                .map_err(|error| self.invalid_in_file(key, error))?;
            return Ok(Setting {
                value: Some(value),
                source: Source::File,
            });
        }
        Ok(Setting {
            value: None,
            source: Source::Default,
        })
    }

    fn pick_list(
        &self,
        key: &'static str,
        env: &'static str,
        given: Option<Vec<AddressRange>>,
        in_file: Option<Vec<String>>,
    ) -> Result<Setting<Vec<AddressRange>>, SettingsError> {
        if let Some(value) = given {
            return Ok(Setting {
                value,
                source: self.given_source(key, env),
            });
        }
        match in_file {
            Some(raw) => Ok(Setting {
                value: raw
                    .iter()
                    .map(|item| {
                        item.parse().map_err(|error| {
                            self.invalid_in_file(key, format!("`{item}`: {error}"))
                        })
                    })
                    .collect::<Result<_, _>>()?,
                source: Source::File,
            }),
            None => Ok(Setting {
                value: Vec::new(),
                source: Source::Default,
            }),
        }
    }

    /// The log filter also honours `RUST_LOG`, after `TESSERA_LOG`.
    fn pick_log(&self, given: Option<String>, in_file: Option<String>) -> Setting<String> {
        if let Some(value) = given {
            return Setting {
                value,
                source: self.given_source("log", "TESSERA_LOG"),
            };
        }
        if let Ok(value) = std::env::var("RUST_LOG") {
            return Setting {
                value,
                source: Source::Environment("RUST_LOG"),
            };
        }
        match in_file {
            Some(value) => Setting {
                value,
                source: Source::File,
            },
            None => Setting {
                value: DEFAULT_LOG.to_owned(),
                source: Source::Default,
            },
        }
    }
}

fn parse_database_url(raw: &str) -> Result<DatabaseUrl, String> {
    raw.parse()
        .map_err(|error: crate::storage::DatabaseUrlError| error.to_string())
}

fn read_file(path: &Path) -> Result<FileSettings, SettingsError> {
    let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|error| SettingsError::Syntax {
        path: path.to_owned(),
        line: error
            .span()
            .map(|span| where_in(&text, span.start))
            .unwrap_or_default(),
        message: error.message().trim_end().to_owned(),
    })
}

/// ` line N, key K`: the key, even when the message does not name it; never the value, which
/// may hold a password.
fn where_in(text: &str, offset: usize) -> String {
    let number = text[..offset].matches('\n').count() + 1;
    let line = text.lines().nth(number - 1).unwrap_or_default();
    let key = line.split_once('=').map(|(key, _)| key.trim());
    match key {
        Some(key)
            if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            format!(" line {number}, key {key}")
        }
        _ => format!(" line {number}"),
    }
}
