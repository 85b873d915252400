//! `tessera admin user ...` through the real binary.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

struct Cli {
    _dir: tempfile::TempDir,
    url: String,
}

impl Cli {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/tessera.db", dir.path().display());
        Self { _dir: dir, url }
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["admin", "user"])
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

    let disabled = cli.run(&["disable", "bob"], None);
    assert!(disabled.status.success(), "{}", stderr(&disabled));

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
    assert!(
        stdout(&cli.run(&["list"], None))
            .lines()
            .any(|l| l.starts_with("Bob ") && l.contains("active"))
    );

    let reset = cli.run(
        &["set-password", "bob", "--password-stdin"],
        Some("another long password\r\n"),
    );
    assert!(reset.status.success(), "{}", stderr(&reset));
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
