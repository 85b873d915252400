use std::process::ExitCode;

use clap::Parser;
use server::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    server::telemetry::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&error),
    };
    let outcome: Result<(), (Box<dyn std::error::Error>, u8)> = runtime.block_on(async {
        let start_failure = |error: server::serve::StartError| (Box::from(error), 1);
        match cli.command {
            Command::Serve(args) => server::serve::run(args).await.map_err(start_failure),
            Command::Migrate(args) => server::serve::migrate(args).await.map_err(start_failure),
            Command::Admin(args) => server::admin_cli::run(args).await.map_err(|error| {
                let code = error.exit_code();
                (Box::from(error), code)
            }),
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
