//! `tessera admin user ...`: the operator's commands, on the same services as the web.

use std::io::{IsTerminal, Read};

use app::{
    account::{Login, Password, Role},
    calendar::format_dmy,
    request::ClientInfo,
    token::{
        ApiInput, ExpirationModel, ExpiryInput, Lifetime, RateLimit, RotationGrace, TokenInput,
        TokenPolicy,
    },
};

use crate::{
    cli::{AdminArgs, AdminCommand, PolicyArgs, PolicyCommand, TokenArgs, UserCommand},
    serve::StartError,
    services::{
        Options, Services,
        accounts::{Confirmed, NewAccount, generate_password},
        audit::Actor,
        error::{Classify, ErrorKind},
        tokens::{TokenOwner, TokenTarget},
    },
    settings::Settings,
    storage::Database,
};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Account(#[from] crate::services::accounts::AccountError),
    #[error("cannot read the password from standard input: {0}")]
    Stdin(std::io::Error),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Token(#[from] crate::services::tokens::TokenError),
    #[error(
        "there is no database at {0}: `tessera serve` (or `tessera migrate`) creates it; to manage \
         another, pass --database-url or set DATABASE_URL"
    )]
    NoDatabase(std::path::PathBuf),
}

impl AdminError {
    /// The command line's table: the exit status of each kind of failure, after the
    /// conventions of `sysexits.h`, so scripts can tell a typo from an outage.
    pub fn exit_code(&self) -> u8 {
        const DATA_ERROR: u8 = 65;
        const NO_INPUT: u8 = 66;
        const NO_USER: u8 = 67;
        const UNAVAILABLE: u8 = 69;
        const SOFTWARE: u8 = 70;
        const IO_ERROR: u8 = 74;
        let kind = match self {
            Self::Start(_) => return 1,
            Self::Stdin(_) => return IO_ERROR,
            Self::Invalid(_) => return DATA_ERROR,
            Self::NoDatabase(_) => return NO_INPUT,
            Self::Account(error) => error.kind(),
            Self::Token(error) => error.kind(),
        };
        match kind {
            ErrorKind::NotFound | ErrorKind::UnknownUser(_) => NO_USER,
            ErrorKind::Unavailable => UNAVAILABLE,
            ErrorKind::Internal => SOFTWARE,
            _ => DATA_ERROR,
        }
    }
}

impl From<app::account::LoginError> for AdminError {
    fn from(error: app::account::LoginError) -> Self {
        Self::Account(error.into())
    }
}

impl From<app::account::PasswordError> for AdminError {
    fn from(error: app::account::PasswordError) -> Self {
        Self::Account(error.into())
    }
}

impl From<crate::storage::StorageError> for AdminError {
    fn from(error: crate::storage::StorageError) -> Self {
        Self::Start(error.into())
    }
}

pub async fn run(args: AdminArgs, settings: &Settings) -> Result<(), AdminError> {
    let url = &settings.database_url.value;
    // An admin command on a mistyped path would otherwise create an empty database and report
    // that it holds nobody.
    if let Some(path) = url.sqlite_path()
        && !path.exists()
    {
        return Err(AdminError::NoDatabase(path));
    }
    let database = Database::connect(url).await?;
    database.migrate().await?;
    let api = crate::catalog::load_with_routes(
        settings.catalog.value.as_deref(),
        settings.routes.value.as_deref(),
    )
    .map_err(StartError::from)?;
    let options = Options {
        routes: Some(api.routes),
        ..Options::default()
    };
    let services = Services::with_options(database.clone(), api.catalog, options);
    let outcome = match args.command {
        AdminCommand::User(command) => user(&services, command).await,
        AdminCommand::Policy(command) => policy(&services, command).await,
    };
    database.close().await;
    outcome
}

async fn user(services: &Services, command: UserCommand) -> Result<(), AdminError> {
    let accounts = &services.accounts;
    let operator = Actor::Operator;
    let client = ClientInfo {
        ip: None,
        user_agent: Some("tessera admin".into()),
    };
    match command {
        UserCommand::Create {
            login,
            name,
            email,
            admin,
            password_stdin,
        } => {
            let login = Login::parse(&login)?;
            let (password, generated) = if password_stdin {
                (Password::new(read_password()?)?, false)
            } else {
                (generate_password(), true)
            };
            let role = if admin { Role::Admin } else { Role::User };
            let account = NewAccount {
                login,
                display_name: name,
                email,
                password: password.clone(),
                role,
            };
            let user = accounts.create_user(account, &operator, &client).await?;
            println!("Created {} {}.", user.role.as_str(), user.login);
            if generated {
                println!("Password (shown only now): {}", password.expose());
            }
        }
        UserCommand::List => {
            let users = accounts.list_users().await?;
            println!(
                "{:<24} {:<24} {:<6} {:<9} {:>6} CREATED",
                "LOGIN", "NAME", "ROLE", "STATUS", "TOKENS"
            );
            for user in users {
                let status = if user.disabled { "disabled" } else { "active" };
                println!(
                    "{:<24} {:<24} {:<6} {:<9} {:>6} {}",
                    user.login,
                    user.display_name,
                    user.role.as_str(),
                    status,
                    user.tokens,
                    format_dmy(user.created_at)
                );
            }
        }
        UserCommand::Disable { login } => {
            let login = Login::parse(&login)?;
            accounts
                .set_disabled(&login, true, &operator, &client)
                .await?;
            println!("Disabled {login}; their sessions have ended.");
        }
        UserCommand::Enable { login } => {
            let login = Login::parse(&login)?;
            accounts
                .set_disabled(&login, false, &operator, &client)
                .await?;
            println!("Enabled {login}.");
        }
        UserCommand::Token(args) => token(services, args, &client).await?,
        UserCommand::SuspendToken { user, id } => {
            suspend(services, &user, id, true, &client).await?;
        }
        UserCommand::ResumeToken { user, id } => {
            suspend(services, &user, id, false, &client).await?;
        }
        UserCommand::SetPassword { login, .. } => {
            let login = Login::parse(&login)?;
            let password = Password::new(read_password()?)?;
            accounts
                .set_password(&login, &password, &operator, &client)
                .await?;
            println!("Password of {login} changed.");
        }
    }
    Ok(())
}

/// `admin policy show|set`.
async fn policy(services: &Services, command: PolicyCommand) -> Result<(), AdminError> {
    let tokens = &services.tokens;
    let current = tokens.policy().await?;
    let policy = match command {
        PolicyCommand::Show => current,
        PolicyCommand::Set(args) => {
            let changed = changed_policy(current, args, tokens.catalog())?;
            let client = ClientInfo {
                ip: None,
                user_agent: Some("tessera admin".into()),
            };
            let saved = tokens
                .set_policy(changed, &Confirmed::by_operator(), &client)
                .await?;
            println!("The token policy is saved.");
            saved
        }
    };
    for line in policy.summary(tokens.catalog()) {
        println!("{line}");
    }
    Ok(())
}

fn changed_policy(
    mut policy: TokenPolicy,
    args: PolicyArgs,
    catalog: &app::catalog::Catalog,
) -> Result<TokenPolicy, AdminError> {
    if let Some(raw) = args.max_lifetime {
        policy.max_lifetime_secs = match raw.trim() {
            "none" => None,
            raw => Some(
                Lifetime::parse(raw)
                    .map_err(|e| AdminError::Invalid(format!("--max-lifetime: {e}")))?
                    .as_secs(),
            ),
        };
    }
    if let Some(required) = args.require_expiry {
        policy.expiry_required = required;
    }
    if let Some(raw) = args.api_sets {
        policy.api_sets = match raw.trim() {
            "all" => None,
            "none" | "" => Some(Vec::new()),
            list => Some(set_ids(list, catalog, "--api-sets")?),
        };
    }
    if let Some(custom) = args.custom {
        policy.custom_allowed = custom;
    }
    if let Some(raw) = args.owner_rate_limit {
        policy.owner_rate_limit = RateLimit::parse_optional(&raw)
            .map_err(|e| AdminError::Invalid(format!("--owner-rate-limit: {e}")))?;
    }
    if let Some(raw) = args.require_allowed_ips_for {
        policy.allowed_ips_required_for = match raw.trim() {
            "none" | "" => Vec::new(),
            list => set_ids(list, catalog, "--require-allowed-ips-for")?,
        };
    }
    if let Some(raw) = args.max_grace {
        policy.max_rotation_grace_secs = match raw.trim() {
            "default" => None,
            raw => Some(
                RotationGrace::parse(raw)
                    .map_err(|e| AdminError::Invalid(format!("--max-grace: {e}")))?
                    .as_secs(),
            ),
        };
    }
    Ok(policy)
}

/// A comma-separated list of API set ids, each known to the catalog.
fn set_ids(
    list: &str,
    catalog: &app::catalog::Catalog,
    flag: &str,
) -> Result<Vec<String>, AdminError> {
    list.split(',')
        .map(|id| {
            let id = id.trim();
            catalog.set(id).map(|set| set.id.clone()).ok_or_else(|| {
                AdminError::Invalid(format!(
                    "{flag}: there is no API set “{id}”; the sets are {}",
                    catalog
                        .sets()
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
        })
        .collect()
}

/// `admin user suspend-token|resume-token`.
async fn suspend(
    services: &Services,
    user: &str,
    id: i64,
    suspend: bool,
    client: &ClientInfo,
) -> Result<(), AdminError> {
    let login = Login::parse(user)?;
    let (user_id, login) = services.accounts.find_user(&login).await?;
    let owner = TokenOwner::by_operator(user_id, login);
    let token = services
        .tokens
        .set_suspended(&owner, id, suspend, &Confirmed::by_operator(), client)
        .await?;
    let done = if suspend { "Suspended" } else { "Resumed" };
    println!("{done} token {} of {}.", token.id, token.owner);
    Ok(())
}

/// `admin user token`: a token made by the operator, printed once.
async fn token(
    services: &Services,
    args: TokenArgs,
    client: &ClientInfo,
) -> Result<(), AdminError> {
    let login = Login::parse(&args.user)?;
    let input = TokenInput {
        description: Some(
            args.description
                .unwrap_or_else(|| "Command line token".to_owned()),
        ),
        api: match (args.api, args.method) {
            (Some(set), _) => Some(ApiInput::Set(set)),
            (None, methods) if methods.is_empty() => None,
            (None, methods) => Some(ApiInput::Methods(methods)),
        },
        scopes: (!args.scope.is_empty()).then_some(args.scope),
        expiry: match (args.expire, args.auto) {
            (Some(lifetime), _) => Some(ExpiryInput::Lasting(lifetime)),
            (None, Some(window)) => Some(ExpiryInput::AutoRefresh {
                window,
                not_after: args.not_after,
            }),
            (None, None) => None,
        },
        max_uses: args.max_uses,
        rate_limit: args.rate_limit,
        allowed_ips: (!args.allow_ip.is_empty()).then_some(args.allow_ip),
    };
    let (user_id, login) = services.accounts.find_user(&login).await?;
    let owner = TokenOwner::by_operator(user_id, login);
    let settings = services
        .tokens
        .decide(&owner, TokenTarget::New, &input)
        .await?;
    let issued = services
        .tokens
        .generate(&owner, &settings, &Confirmed::by_operator(), client)
        .await?;
    if args.quiet {
        println!("{}", issued.secret.expose());
        return Ok(());
    }
    let token = &issued.token;
    let expiry = match (token.expiration, token.expires_at) {
        (ExpirationModel::AutoRefresh, Some(at)) => format!(
            "auto refresh every {}s (now until {}{})",
            token.refresh_window_secs.unwrap_or_default(),
            format_instant(at),
            token
                .not_after
                .map(|end| format!(", at the latest {}", format_instant(end)))
                .unwrap_or_default()
        ),
        (_, Some(at)) => format!("hard limit, until {}", format_instant(at)),
        (_, None) => "never".to_owned(),
    };
    println!("Created token {} for {}.", token.id, token.owner);
    println!("  description: {}", token.description);
    println!("  API:         {}", token.api_label);
    if !token.scopes.is_empty() {
        println!("  scopes:      {}", token.scopes.join(" "));
    }
    println!("  expires:     {expiry}");
    if let Some(uses) = token.max_uses {
        println!("  uses:        {uses}");
    }
    if let Some(limit) = token.rate_limit {
        println!("  rate limit:  {limit}");
    }
    if !token.allowed_ips.is_empty() {
        let ranges: Vec<String> = token.allowed_ips.iter().map(ToString::to_string).collect();
        println!("  addresses:   {}", ranges.join(" "));
    }
    println!("  value:       {}", issued.secret.expose());
    println!("This value is shown only now; store it safely.");
    Ok(())
}

fn format_instant(unix: i64) -> String {
    let (hours, minutes) = (unix.rem_euclid(86_400) / 3600, unix.rem_euclid(3600) / 60);
    format!("{} {hours:02}:{minutes:02} UTC", format_dmy(unix))
}

/// One line from standard input, without its line ending; nothing else is trimmed.
fn read_password() -> Result<String, AdminError> {
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Password (then Enter, then Ctrl-D):");
    }
    let mut input = String::new();
    stdin
        .read_to_string(&mut input)
        .map_err(AdminError::Stdin)?;
    let line = input.strip_suffix('\n').unwrap_or(&input);
    let line = line.strip_suffix('\r').unwrap_or(line);
    Ok(line.to_owned())
}
