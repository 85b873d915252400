use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};
use server::{
    cli::{Cli, Command},
    settings::Settings,
};

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    let mut innermost = &matches;
    while let Some((_, sub)) = innermost.subcommand() {
        innermost = sub;
    }
    let settings = match Settings::resolve(&cli, innermost) {
        Ok(settings) => settings,
        Err(error) => return fail(&error),
    };
    server::telemetry::init(&settings.log.value, settings.log_format.value);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&error),
    };
    let outcome: Result<(), (Box<dyn std::error::Error>, u8)> = runtime.block_on(async {
        let start_failure = |error: server::serve::StartError| (Box::from(error), 1);
        let backup_failure = |error: server::backup::BackupError| (Box::from(error), 1);
        match cli.command {
            Command::Serve(_) => server::serve::run(settings).await.map_err(start_failure),
            Command::Migrate(_) => server::serve::migrate(&settings)
                .await
                .map_err(start_failure),
            Command::Config(_) => {
                print!("{}", settings.describe());
                server::catalog::load_with_routes(
                    settings.catalog.value.as_deref(),
                    settings.routes.value.as_deref(),
                )
                .map(drop)
                .map_err(|error| (Box::from(error), 1))
            }
            Command::Backup(args) => server::backup::backup(&settings, &args.to)
                .await
                .map_err(backup_failure),
            Command::Restore(args) => server::backup::restore(&settings, &args.from)
                .await
                .map_err(backup_failure),
            Command::Admin(args) => {
                server::admin_cli::run(args, &settings)
                    .await
                    .map_err(|error| {
                        let code = error.exit_code();
                        (Box::from(error), code)
                    })
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err((error, code)) => {
            eprintln!("error: {error}");
            ExitCode::from(code)
        }
    }
}

/// One line naming the problem, not a panic trace.
fn fail(error: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}
