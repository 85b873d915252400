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
    let outcome: Result<(), Box<dyn std::error::Error>> = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => server::serve::run(args).await.map_err(Box::from),
            Command::Migrate(args) => server::serve::migrate(args).await.map_err(Box::from),
            Command::Admin(args) => server::admin_cli::run(args).await.map_err(Box::from),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(error.as_ref()),
    }
}

/// One line naming the problem, not a panic trace.
fn fail(error: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}
