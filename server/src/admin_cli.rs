//! `tessera admin user ...`: the operator's commands, on the same services as the web.

use std::io::{IsTerminal, Read};

use app::{
    account::{Login, Password, Role},
    calendar::format_dmy,
    request::ClientInfo,
};

use crate::{
    cli::{AdminArgs, AdminCommand, UserCommand},
    serve::StartError,
    services::{
        Services,
        accounts::{NewAccount, generate_password},
        audit::Actor,
    },
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

pub async fn run(args: AdminArgs) -> Result<(), AdminError> {
    let url = args.database.url().map_err(StartError::from)?;
    let database = Database::connect(&url).await?;
    database.migrate().await?;
    let services = Services::new(database.clone());
    let outcome = match args.command {
        AdminCommand::User(command) => user(&services, command).await,
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
                "{:<24} {:<24} {:<6} {:<9} CREATED",
                "LOGIN", "NAME", "ROLE", "STATUS"
            );
            for user in users {
                let status = if user.disabled { "disabled" } else { "active" };
                println!(
                    "{:<24} {:<24} {:<6} {:<9} {}",
                    user.login,
                    user.display_name,
                    user.role.as_str(),
                    status,
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
