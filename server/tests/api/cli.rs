//! `tessera admin user ...` and `tessera admin policy ...` through the real binary.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

struct Cli {
    _dir: tempfile::TempDir,
    url: String,
}

impl Cli {
    /// A migrated database, as the server leaves it on first start.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/tessera.db", dir.path().display());
        let migrated = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .arg("migrate")
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        assert!(migrated.status.success(), "{}", stderr(&migrated));
        Self { _dir: dir, url }
    }

    fn sql(&self, statement: &str) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let database = server::storage::Database::connect(&self.url.parse().unwrap())
                .await
                .unwrap();
            sqlx::query(statement)
                .execute(database.pool())
                .await
                .unwrap();
            database.close().await;
        });
    }

    /// Signs in through the account service, on the database the commands changed.
    fn sign_in(&self, login: &str, password: &str) -> Result<(), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let url = self.url.parse().unwrap();
            let database = server::storage::Database::connect(&url).await.unwrap();
            let accounts = server::services::accounts::AccountService::new(
                database,
                std::sync::Arc::new(server::services::tokens::CheckCache::new()),
            );
            accounts
                .sign_in(login, password, None, &Default::default())
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.run_in("user", args, stdin)
    }

    /// `tessera admin GROUP ARGS...`.
    fn run_in(&self, group: &str, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["admin", group])
            .args(args)
            .env("DATABASE_URL", &self.url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input
            .write_all(stdin.unwrap_or_default().as_bytes())
            .unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn create_list_disable_enable_and_reset() {
    let cli = Cli::new();

    let created = cli.run(
        &[
            "create",
            "--login",
            "Bob",
            "--name",
            "Bob Builder",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).contains("Created user Bob."));
    assert!(!stdout(&created).contains("a long enough password"));

    let admin = cli.run(&["create", "--login", "root2", "--admin"], None);
    assert!(admin.status.success(), "{}", stderr(&admin));
    assert!(stdout(&admin).contains("Password (shown only now): "));

    assert_eq!(cli.sign_in("bob", "a long enough password"), Ok(()));
    let disabled = cli.run(&["disable", "bob"], None);
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    assert!(
        cli.sign_in("bob", "a long enough password").is_err(),
        "disabled: no sign-in"
    );

    let list = stdout(&cli.run(&["list"], None));
    let bob = list
        .lines()
        .find(|line| line.starts_with("Bob "))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(
        bob.contains("Bob Builder") && bob.contains("user") && bob.contains("disabled"),
        "{bob}"
    );
    let root = list
        .lines()
        .find(|line| line.starts_with("root2 "))
        .unwrap();
    assert!(root.contains("admin") && root.contains("active"), "{root}");

    assert!(cli.run(&["enable", "BOB"], None).status.success());
    assert_eq!(cli.sign_in("bob", "a long enough password"), Ok(()));
    assert!(
        stdout(&cli.run(&["list"], None))
            .lines()
            .any(|l| l.starts_with("Bob ") && l.contains("active"))
    );

    // Locked out by twenty wrong passwords: the operator's reset is the way back in.
    cli.sql(&format!(
        "insert into sign_in_throttle (throttle_key, failures, last_failure_at) \
         values ('account:bob', 20, {})",
        server::clock::now()
    ));
    assert!(
        cli.sign_in("bob", "a long enough password").is_err(),
        "locked out"
    );
    let reset = cli.run(
        &["set-password", "bob", "--password-stdin"],
        Some("another long password\r\n"),
    );
    assert!(reset.status.success(), "{}", stderr(&reset));
    assert_eq!(cli.sign_in("bob", "another long password"), Ok(()));
    assert!(
        cli.sign_in("bob", "a long enough password").is_err(),
        "the old password is gone"
    );
}

#[test]
fn a_missing_database_is_refused_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mistyped.db");
    let output = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["admin", "user", "list"])
        .env("DATABASE_URL", format!("sqlite://{}", path.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(66), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("there is no database at"),
        "{}",
        stderr(&output)
    );
    assert!(!path.exists(), "nothing was created");
}

#[test]
fn errors_are_clear_and_change_nothing() {
    let cli = Cli::new();
    assert!(
        cli.run(
            &["create", "--login", "bob", "--password-stdin"],
            Some("a long enough password")
        )
        .status
        .success()
    );

    let cases: [(&[&str], Option<&str>, &str); 5] = [
        (
            &["create", "--login", "BOB", "--password-stdin"],
            Some("a long enough password"),
            "The login BOB is already taken.",
        ),
        (
            &["create", "--login", "eve", "--password-stdin"],
            Some("short"),
            "at least 8 characters",
        ),
        (
            &["create", "--login", "bad login", "--password-stdin"],
            Some("a long enough password"),
            "letters, digits",
        ),
        (
            &["disable", "nobody"],
            None,
            "There is no user with the login nobody.",
        ),
        (
            &["set-password", "nobody", "--password-stdin"],
            Some("a long enough password"),
            "no user with the login nobody",
        ),
    ];
    for (args, stdin, expected) in cases {
        let output = cli.run(args, stdin);
        assert!(!output.status.success(), "{args:?} should fail");
        let err = stderr(&output);
        assert!(
            err.lines().last().unwrap_or_default().contains(expected),
            "{args:?}: {err}"
        );
    }
    let list = stdout(&cli.run(&["list"], None));
    assert_eq!(list.lines().count(), 2, "only the header and bob: {list}");
}

fn token_count(cli: &Cli) -> i64 {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection as _;
        let mut connection = sqlx::SqliteConnection::connect(&cli.url).await.unwrap();
        sqlx::query_scalar("select count(*) from access_tokens")
            .fetch_one(&mut connection)
            .await
            .unwrap()
    })
}

#[test]
fn token_command_options() {
    let cli = Cli::new();
    let created = cli.run(&["create", "--login", "alice"], None);
    assert!(created.status.success(), "{}", stderr(&created));

    let quiet = cli.run(&["token", "-u", "alice", "-q", "-e", "20m"], None);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    let value = stdout(&quiet);
    let value = value.strip_suffix('\n').unwrap();
    assert!(
        app::token::TokenSecret::parse(value).is_ok() && !value.contains(char::is_whitespace),
        "only the value: {value:?}"
    );

    let summary = cli.run(
        &[
            "token",
            "--user",
            "Alice",
            "--expire",
            "30d",
            "-s",
            "env:my-project:rw",
            "-s",
            "env:docs:r",
            "--api",
            "ide_plugins",
            "--description",
            "IDE on my laptop",
        ],
        None,
    );
    assert!(summary.status.success(), "{}", stderr(&summary));
    let text = stdout(&summary);
    for expected in [
        "for alice",
        "IDE on my laptop",
        "IDE Plugins",
        "env:my-project:rw env:docs:r",
        "hard limit, until",
        "value:       tsr_",
        "shown only now",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }

    let auto = cli.run(
        &[
            "token",
            "-u",
            "alice",
            "-a",
            "3600",
            "--method",
            "environment.control.StopEnv",
        ],
        None,
    );
    let text = stdout(&auto);
    assert!(text.contains("auto refresh every 3600s"), "{text}");
    assert!(text.contains("Custom (1 method)"), "{text}");

    // No API chosen: the narrowest predefined set the policy allows, as on every other path.
    let default = stdout(&cli.run(&["token", "-u", "alice"], None));
    assert!(default.contains("API:         Maven Plugin"), "{default}");
    assert!(default.contains("expires:     never"), "{default}");
    assert_eq!(token_count(&cli), 4);

    let help = cli.run(&["token", "-h"], None);
    let usage = stdout(&help);
    for flag in [
        "-u, --user",
        "-e, --expire",
        "-a, --auto",
        "-s, --scope",
        "-q, --quiet",
    ] {
        assert!(usage.contains(flag), "{flag} in {usage}");
    }
}

#[test]
fn token_command_errors_create_nothing() {
    let cli = Cli::new();
    cli.run(&["create", "--login", "alice"], None);
    let cases: [(&[&str], &str); 10] = [
        (
            &["token", "-u", "nobody"],
            "There is no user with the login nobody",
        ),
        (&["token", "-u", "alice", "-s", ",,,"], "A scope is empty"),
        (
            &["token", "-u", "alice", "--description", "x\u{202E}y"],
            "invisible formatting",
        ),
        (&["token", "-u", "alice", "-e", "30x"], "unknown unit"),
        (&["token", "-u", "alice", "-e", "soon"], "is not a duration"),
        (&["token", "-u", "alice", "-a", "0"], "longer than zero"),
        (
            &["token", "-u", "alice", "-e", "1d", "-a", "60"],
            "cannot be used with",
        ),
        (
            &["token", "-u", "alice", "-s", "node:x:rw"],
            "is not a scope",
        ),
        (
            &[
                "token",
                "-u",
                "alice",
                "--method",
                "environment.control.Fly",
            ],
            "environment.control.Fly",
        ),
        (&["token", "-e", "1d"], "--user"),
    ];
    for (args, expected) in cases {
        let output = cli.run(args, None);
        assert!(!output.status.success(), "{args:?} should fail");
        let expected_status = match args {
            ["token", "-u", "nobody", ..] => Some(67),
            // clap's own usage errors.
            _ if expected.contains("--user") || expected.contains("cannot be used with") => Some(2),
            _ => Some(65),
        };
        assert_eq!(output.status.code(), expected_status, "{args:?}");
        let err = stderr(&output);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(
            stdout(&output).is_empty(),
            "{args:?} printed {}",
            stdout(&output)
        );
    }
    assert_eq!(token_count(&cli), 0);
}

#[test]
fn global_options_may_follow_the_subcommand() {
    let cli = Cli::new();
    let other = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/elsewhere.db", other.path().display());
    let migrated = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["migrate", "--database-url", &url])
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    let created = cli.run(&["create", "--login", "bob", "--database-url", &url], None);
    assert!(created.status.success(), "{}", stderr(&created));
    let there = cli.run(&["list", "--database-url", &url], None);
    assert!(stdout(&there).contains("bob"), "{}", stdout(&there));
    let here = cli.run(&["list"], None);
    assert!(
        !stdout(&here).contains("bob"),
        "the flag chose the database"
    );
}

#[test]
fn policy_show_and_set_with_every_option() {
    let cli = Cli::new();
    let shown = cli.run_in("policy", &["show"], None);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(stdout(&shown).contains("Tokens may live without an expiry."));
    assert!(stdout(&shown).contains("Every predefined API set may be chosen."));

    let set = cli.run_in(
        "policy",
        &[
            "set",
            "--max-lifetime",
            "30d",
            "--api-sets",
            "ide_plugins,marketplace",
            "--custom",
            "false",
        ],
        None,
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let text = stdout(&set);
    for expected in [
        "Tokens live at most 30d.",
        "API sets allowed: IDE Plugins, Marketplace.",
        "Custom) are not allowed.",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }

    // Options not given keep their value.
    let set = cli.run_in(
        "policy",
        &["set", "--max-lifetime", "none", "--require-expiry", "true"],
        None,
    );
    let text = stdout(&set);
    assert!(text.contains("Tokens must have an expiry."), "{text}");
    assert!(text.contains("IDE Plugins, Marketplace"), "{text}");

    let reset = cli.run_in(
        "policy",
        &["set", "--api-sets", "all", "--custom", "true"],
        None,
    );
    assert!(stdout(&reset).contains("Every predefined API set may be chosen."));

    for (args, expected) in [
        (&["set", "--max-lifetime", "forever"][..], "--max-lifetime"),
        (
            &["set", "--api-sets", "gold"][..],
            "there is no API set “gold”",
        ),
        (&["set", "--custom", "maybe"][..], "invalid value"),
    ] {
        let output = cli.run_in("policy", args, None);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let shown = stdout(&cli.run_in("policy", &["show"], None));
    assert!(
        shown.contains("Tokens must have an expiry."),
        "unchanged by errors: {shown}"
    );
}

#[test]
fn the_policy_binds_the_token_command() {
    let cli = Cli::new();
    cli.run(&["create", "--login", "alice"], None);
    let set = cli.run_in(
        "policy",
        &["set", "--max-lifetime", "1d", "--api-sets", "marketplace"],
        None,
    );
    assert!(set.status.success(), "{}", stderr(&set));

    let cases: [(&[&str], &str); 5] = [
        (
            &["token", "-u", "alice", "--api", "marketplace"],
            "Choose an expiry: this server's policy does not allow tokens that never expire.",
        ),
        (
            &["token", "-u", "alice", "--api", "marketplace", "-e", "2d"],
            "at most 1d",
        ),
        (
            &[
                "token",
                "-u",
                "alice",
                "--api",
                "marketplace",
                "-a",
                "90000",
            ],
            "at most 1d",
        ),
        (
            &["token", "-u", "alice", "--api", "ide_plugins", "-e", "1h"],
            "does not allow the API set “IDE Plugins”",
        ),
        (
            &[
                "token",
                "-u",
                "alice",
                "--api",
                "marketplace",
                "-e",
                "1d",
                "-a",
                "60",
            ],
            "cannot be used with",
        ),
    ];
    for (args, expected) in cases {
        let output = cli.run(args, None);
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
    assert_eq!(token_count(&cli), 0, "nothing was created");

    let made = cli.run(
        &[
            "token",
            "-u",
            "alice",
            "--api",
            "marketplace",
            "-a",
            "3600",
            "-q",
        ],
        None,
    );
    assert!(made.status.success(), "{}", stderr(&made));
    assert_eq!(token_count(&cli), 1);

    let help = cli.run(&["token", "-h"], None);
    assert!(help.status.success());
    for flag in [
        "--user", "--expire", "--auto", "--scope", "--quiet", "--api", "--method",
    ] {
        assert!(stdout(&help).contains(flag), "{flag} in the usage");
    }
}

#[test]
fn token_limits_and_suspension_from_the_command_line() {
    let cli = Cli::new();
    assert!(
        cli.run(&["create", "--login", "alice"], None)
            .status
            .success()
    );
    let made = cli.run(
        &[
            "token",
            "-u",
            "alice",
            "--max-uses",
            "3",
            "--rate-limit",
            "10/s",
            "--allow-ip",
            "10.0.0.0/8",
            "--allow-ip",
            "2001:db8::/32",
        ],
        None,
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let text = stdout(&made);
    for expected in [
        "uses:        3",
        "rate limit:  10/s",
        "addresses:   10.0.0.0/8 2001:db8::/32",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let id = text
        .split_whitespace()
        .skip_while(|word| *word != "token")
        .nth(1)
        .unwrap()
        .to_owned();

    let suspended = cli.run(&["suspend-token", "-u", "alice", &id], None);
    assert_eq!(
        stdout(&suspended),
        format!("Suspended token {id} of alice.\n")
    );
    let resumed = cli.run(&["resume-token", "-u", "alice", &id], None);
    assert_eq!(stdout(&resumed), format!("Resumed token {id} of alice.\n"));
    let missing = cli.run(&["suspend-token", "-u", "alice", "999"], None);
    assert_eq!(missing.status.code(), Some(67), "{}", stderr(&missing));

    let bad = cli.run(&["token", "-u", "alice", "--rate-limit", "often"], None);
    assert_eq!(bad.status.code(), Some(65), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("600/min"), "{}", stderr(&bad));
    assert_eq!(token_count(&cli), 1, "a refused token makes nothing");
}
