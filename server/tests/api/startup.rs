//! The real binary: how it starts, and how it refuses to start.

use std::{
    net::TcpListener,
    process::{Command, Output},
};

fn tessera(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tessera"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("TESSERA_ADDR");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run tessera")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn site_dir() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/frontend.js"), "").unwrap();
    site
}

/// The last line (the logger may have written before it) names the problem; no panic.
fn assert_clear_failure(output: &Output, expected: &str) {
    let err = stderr(output);
    assert!(!output.status.success(), "should fail: {err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains(expected),
        "unclear message: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn migrate_creates_the_sqlite_file_and_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested/dir/tessera.db");
    let url = format!("sqlite://{}", file.display());

    let output = tessera(&["migrate"], &[("DATABASE_URL", &url)]);

    assert!(output.status.success(), "{}", stderr(&output));
    assert!(file.is_file());
}

#[test]
fn unreachable_postgres_is_one_clear_line_without_the_password() {
    let output = tessera(
        &[
            "migrate",
            "--database-url",
            "postgres://tessera:hunter2@127.0.0.1:1/tessera",
        ],
        &[],
    );

    assert_clear_failure(
        &output,
        "cannot connect to the database at postgres://tessera:***@127.0.0.1:1/tessera",
    );
    assert!(!stderr(&output).contains("hunter2"));
}

#[test]
fn unparseable_database_url_is_refused_without_echoing_secrets() {
    let output = tessera(
        &["migrate"],
        &[("DATABASE_URL", "mysql://root:hunter2@db/x")],
    );

    assert_clear_failure(
        &output,
        "DATABASE_URL must start with sqlite:// or postgres://",
    );
    assert!(!stderr(&output).contains("hunter2"));
}

#[test]
fn occupied_port_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/tessera.db", data.path().display());
    let site = site_dir();

    let output = tessera(
        &[
            "serve",
            "--addr",
            &addr,
            "--site-root",
            site.path().to_str().unwrap(),
        ],
        &[("DATABASE_URL", &url)],
    );

    assert_clear_failure(&output, &format!("cannot listen on {addr}"));
    assert!(stderr(&output).contains("another process uses this port"));
}

#[test]
fn missing_site_files_are_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();

    let output = tessera(
        &["serve", "--site-root", empty.path().to_str().unwrap()],
        &[],
    );

    assert_clear_failure(&output, "WASM bundle was not found");
}
