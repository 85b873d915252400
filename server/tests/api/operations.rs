//! Running Tessera in production, through the real binary: the config file and where each
//! setting comes from, JSON logs with request ids, backup and restore.

use std::{
    io::Read as _,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use super::startup::{
    Logs, assert_clear_failure, cli_token, http_get, info_path, send, serve, serve_with,
    sign_in_request, site_dir, sqlite_with_password, sqlite_with_user, stderr, tessera,
};

fn write_config(dir: &std::path::Path, text: &str) -> String {
    let path = dir.join("tessera.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The line of `tessera config check` for `key`.
fn line_of<'a>(printed: &'a str, key: &str) -> &'a str {
    printed
        .lines()
        .find(|line| line.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("no line for {key} in:\n{printed}"))
}

#[test]
fn config_check_says_where_each_setting_came_from_flag_environment_file_default() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        r#"
addr = "127.0.0.1:4100"
database_url = "postgres://tessera:file-secret@db.internal/tessera"
log_format = "json"
log = "warn"
trusted_proxies = ["10.0.0.7", "::1"]
"#,
    );
    let checked = tessera(
        &[
            "config",
            "check",
            "--config",
            &config,
            "--addr",
            "127.0.0.1:4200",
        ],
        &[("TESSERA_LOG", "debug")],
    );
    assert!(checked.status.success(), "{}", stderr(&checked));
    let printed = stdout(&checked);

    let addr = line_of(&printed, "addr");
    assert!(
        addr.contains("127.0.0.1:4200") && addr.ends_with("flag"),
        "{addr}"
    );
    let log = line_of(&printed, "log");
    assert!(
        log.contains("debug") && log.ends_with("environment TESSERA_LOG"),
        "{log}"
    );
    let database = line_of(&printed, "database_url");
    assert!(
        database.contains("postgres://tessera:***@db.internal/tessera")
            && database.ends_with(&format!("file {config}")),
        "{database}"
    );
    let proxies = line_of(&printed, "trusted_proxies");
    assert!(proxies.contains("10.0.0.7, ::1"), "{proxies}");
    assert!(line_of(&printed, "log_format").contains("json"));
    let metrics = line_of(&printed, "metrics_addr");
    assert!(
        metrics.contains("off") && metrics.ends_with("default"),
        "{metrics}"
    );
    assert!(!printed.contains("file-secret"), "{printed}");
}

#[test]
fn a_config_file_with_an_unknown_key_or_a_bad_value_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let site = site_dir();
    let serve_with_file = |text: &str| {
        let config = write_config(dir.path(), text);
        tessera(
            &[
                "serve",
                "--config",
                &config,
                "--site-root",
                &site.path().display().to_string(),
            ],
            &[],
        )
    };

    assert_clear_failure(
        &serve_with_file("adr = \"127.0.0.1:0\"\n"),
        "unknown field `adr`",
    );
    assert_clear_failure(&serve_with_file("addr = \"nope\"\n"), "addr: invalid");
    assert_clear_failure(
        &serve_with_file("log_format = \"xml\"\n"),
        "log_format: `xml` is not a log format",
    );
    assert_clear_failure(
        &serve_with_file("\n\ntrusted_proxies = \"10.0.0.7\"\n"),
        "line 3, key trusted_proxies",
    );
    let secret_line = serve_with_file("database_url = postgres://u:hunter2@h/db\n");
    assert_clear_failure(&secret_line, "line 1, key database_url");
    assert!(!stderr(&secret_line).contains("hunter2"));
    assert_clear_failure(
        &tessera(
            &["config", "check", "--config", "/nonexistent/tessera.toml"],
            &[],
        ),
        "cannot read the config file /nonexistent/tessera.toml",
    );
}

/// `log_format = "json"` from the file: every line the server writes is one JSON object,
/// and a request's lines carry the id it was answered with in `X-Request-Id`, the trusted
/// proxy's own when it sent one.
#[test]
fn json_logs_carry_the_request_id_the_response_names() {
    let (dir, url) = sqlite_with_user("olga");
    let site = site_dir();
    let config = write_config(
        dir.path(),
        "log_format = \"json\"\ntrusted_proxies = [\"127.0.0.1\"]\n",
    );
    let mut served = serve_with(&url, site.path(), Logs::Captured, &["--config", &config]);

    let generated = http_get(&served.addr, "/healthz");
    let generated_id = generated
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("a request id in the answer")
        .trim()
        .to_owned();
    let relayed = send(
        &served.addr,
        "GET /healthz HTTP/1.1\r\nX-Request-Id: nginx-5f2b6c0e\r\n\r\n",
    );
    assert!(
        relayed.contains("x-request-id: nginx-5f2b6c0e"),
        "{relayed}"
    );
    let login_id = http_get(&served.addr, "/login")
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("a request id in the answer")
        .trim()
        .to_owned();
    let forged = send(
        &served.addr,
        "GET /healthz HTTP/1.1\r\nX-Request-Id: has spaces\r\n\r\n",
    );
    assert!(!forged.contains("has spaces"), "{forged}");

    served.child.kill().unwrap();
    served.child.wait().unwrap();
    let mut logs = String::new();
    served
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let served_with = |id: &str| {
        lines
            .iter()
            .find(|line| {
                line["message"] == "served"
                    && line["spans"]
                        .as_array()
                        .is_some_and(|spans| spans.iter().any(|span| span["request_id"] == id))
            })
            .unwrap_or_else(|| panic!("no line for {id} in {logs}"))
    };
    // Healthy health checks, polled every few seconds by load balancers, log at debug only.
    assert_eq!(served_with(&generated_id)["level"], "DEBUG");
    assert_eq!(served_with("nginx-5f2b6c0e")["level"], "DEBUG");
    assert_eq!(served_with(&login_id)["level"], "INFO");
}

/// Only a trusted proxy may name the request id: a client could otherwise pick ids that
/// collide with other requests' in the logs.
#[test]
fn a_request_id_from_an_untrusted_peer_is_replaced() {
    let (_dir, url) = sqlite_with_user("olga");
    let site = site_dir();
    let mut served = serve(&url, site.path(), Logs::Discarded);
    let answer = send(
        &served.addr,
        "GET /healthz HTTP/1.1\r\nX-Request-Id: nginx-5f2b6c0e\r\n\r\n",
    );
    let id = answer
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("a request id in the answer")
        .trim();
    assert_ne!(id, "nginx-5f2b6c0e", "{answer}");
    assert!(!id.is_empty());
    served.child.kill().unwrap();
    served.child.wait().unwrap();
}

/// A backup taken while tokens are being made and used holds every token acknowledged before
/// it began; restored into a new file, a server on it accepts each of them.
#[test]
fn a_backup_under_load_restores_every_token_acknowledged_before_it() {
    let (dir, url) = sqlite_with_user("bart");
    let site = site_dir();
    let served = serve(&url, site.path(), Logs::Discarded);
    let made: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = std::thread::spawn({
        let (made, stop, url) = (made.clone(), stop.clone(), url.clone());
        move || {
            while !stop.load(Ordering::Relaxed) {
                let value = cli_token(&url, "bart");
                made.lock().unwrap().push(value);
            }
        }
    });
    let reader = std::thread::spawn({
        let (made, stop, addr) = (made.clone(), stop.clone(), served.addr.clone());
        move || {
            let mut calls = 0;
            while !stop.load(Ordering::Relaxed) {
                let last = made.lock().unwrap().last().cloned();
                if let Some(value) = last {
                    assert!(http_get(&addr, &info_path(&value)).contains(r#""result":0"#));
                    calls += 1;
                }
            }
            calls
        }
    });
    while made.lock().unwrap().len() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    let acknowledged = made.lock().unwrap().clone();
    let backup_file = dir.path().join("backup.db");
    let backup_path = backup_file.display().to_string();
    let backed_up = tessera(&["backup", "--to", &backup_path], &[("DATABASE_URL", &url)]);
    assert!(backed_up.status.success(), "{}", stderr(&backed_up));
    assert!(stdout(&backed_up).contains("Integrity check: ok"));
    let refused = tessera(
        &["restore", "--from", &backup_path],
        &[("DATABASE_URL", &url)],
    );
    assert_clear_failure(&refused, "is in use by a running server");
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let calls = reader.join().unwrap();
    drop(served);
    assert!(calls > 0);

    let restored_dir = tempfile::tempdir().unwrap();
    let restored_url = format!("sqlite://{}/restored.db", restored_dir.path().display());
    let restored = tessera(
        &["restore", "--from", &backup_path],
        &[("DATABASE_URL", &restored_url)],
    );
    assert!(restored.status.success(), "{}", stderr(&restored));
    let on_restored = serve(&restored_url, site.path(), Logs::Discarded);
    for value in &acknowledged {
        let answer = http_get(&on_restored.addr, &info_path(value));
        assert!(answer.contains(r#""result":0"#), "{answer}");
    }
    eprintln!(
        "{} tokens acknowledged before the backup, all restored; {calls} reads during it",
        acknowledged.len()
    );
}

#[test]
fn restore_checks_the_file_and_keeps_the_database_it_replaces() {
    let (dir, url) = sqlite_with_user("cleo");
    let kept_value = cli_token(&url, "cleo");
    let backup_path = dir.path().join("backup.db").display().to_string();
    let env = [("DATABASE_URL", url.as_str())];
    assert!(
        tessera(&["backup", "--to", &backup_path], &env)
            .status
            .success()
    );
    assert_clear_failure(
        &tessera(&["backup", "--to", &backup_path], &env),
        "already exists",
    );
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&backup_path)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "a backup holds digests: only its owner reads it"
    );
    let database_path = url.strip_prefix("sqlite://").unwrap();
    assert_clear_failure(
        &tessera(&["restore", "--from", database_path], &env),
        "it is the database being restored",
    );
    let not_a_database = dir.path().join("notes.txt");
    std::fs::write(&not_a_database, "not a database").unwrap();
    assert_clear_failure(
        &tessera(
            &["restore", "--from", &not_a_database.display().to_string()],
            &env,
        ),
        "is not a Tessera database",
    );

    let later_value = cli_token(&url, "cleo");
    let restored = tessera(&["restore", "--from", &backup_path], &env);
    assert!(restored.status.success(), "{}", stderr(&restored));
    let printed = stdout(&restored);
    let kept_as = printed
        .lines()
        .find_map(|line| line.strip_prefix("The database it replaced is kept as "))
        .expect("the replaced database's new name")
        .trim_end_matches('.');
    assert!(std::path::Path::new(kept_as).is_file(), "{printed}");

    let site = site_dir();
    let on_restored = serve(&url, site.path(), Logs::Discarded);
    assert!(http_get(&on_restored.addr, &info_path(&kept_value)).contains(r#""result":0"#));
    assert!(
        !http_get(&on_restored.addr, &info_path(&later_value)).contains(r#""result":0"#),
        "a token made after the backup is not in it"
    );
}

#[test]
fn backup_of_a_postgres_database_points_to_pg_dump() {
    let output = tessera(
        &["backup", "--to", "/tmp/never-written.db"],
        &[(
            "DATABASE_URL",
            "postgres://tessera:hunter2@127.0.0.1:1/tessera",
        )],
    );
    assert_clear_failure(&output, "pg_dump");
    assert!(!stderr(&output).contains("hunter2"));
}

/// The sample in `deploy/` stays a file the binary accepts, and names every key.
#[test]
fn the_sample_config_file_is_accepted_and_names_every_setting() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/tessera.toml");
    let checked = tessera(&["config", "check", "--config", sample], &[]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let text = std::fs::read_to_string(sample).unwrap();
    for line in stdout(&checked).lines() {
        let key = line.split_whitespace().next().unwrap();
        assert!(
            text.contains(&format!("{key} = ")),
            "the sample lacks {key}"
        );
    }
}

/// `/metrics` on its own address: token checks by outcome and transport, sign-ins by outcome,
/// requests by route template; a token value or login never appears in it, and the public
/// address does not serve it.
#[test]
fn metrics_count_checks_sign_ins_and_requests_without_naming_tokens() {
    let (_dir, url) = sqlite_with_password("carol", "carol's long password");
    let value = cli_token(&url, "carol");
    let site = site_dir();
    let served = serve_with(
        &url,
        site.path(),
        Logs::Discarded,
        &["--metrics-addr", "127.0.0.1:0"],
    );
    let metrics_addr = served
        .printed
        .lines()
        .find_map(|line| line.strip_prefix("metrics on http://"))
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .expect("the metrics address is printed")
        .to_owned();

    for _ in 0..3 {
        assert!(http_get(&served.addr, &info_path(&value)).contains(r#""result":0"#));
    }
    let bearer = send(
        &served.addr,
        &format!(
            "GET /1.0/users/account/rest/getuserinfo HTTP/1.1\r\nAuthorization: Bearer {value}\r\n\r\n"
        ),
    );
    assert!(bearer.contains(r#""result":0"#), "{bearer}");
    http_get(&served.addr, &info_path("tsr_not_a_token"));
    send(&served.addr, &sign_in_request("carol's long password"));
    send(&served.addr, &sign_in_request("a wrong password"));
    assert!(http_get(&served.addr, "/metrics").starts_with("HTTP/1.1 404"));

    let metrics = http_get(&metrics_addr, "/metrics");
    let sample = |series: &str| -> f64 {
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in:\n{metrics}"))
    };
    assert_eq!(
        sample(r#"tessera_token_checks_total{outcome="success",transport="session"}"#),
        3.0
    );
    assert_eq!(
        sample(r#"tessera_token_checks_total{outcome="success",transport="bearer"}"#),
        1.0
    );
    assert_eq!(
        sample(r#"tessera_token_checks_total{outcome="token_malformed",transport="session"}"#),
        1.0
    );
    assert_eq!(sample(r#"tessera_sign_ins_total{outcome="success"}"#), 1.0);
    assert_eq!(
        sample(r#"tessera_sign_ins_total{outcome="invalid_credentials"}"#),
        1.0
    );
    assert_eq!(sample("tessera_token_check_duration_seconds_count"), 5.0);
    assert_eq!(
        sample(
            r#"tessera_http_requests_total{route="/1.0/{service}/{group}/rest/{method}",status="200"}"#
        ),
        4.0
    );
    assert_eq!(
        sample(r#"tessera_http_requests_total{route="/login",status="303"}"#),
        2.0,
        "both sign-ins answer 303 (the wrong one back to the form)"
    );
    assert!(sample(r#"tessera_db_pool_connections{state="idle"}"#) >= 0.0);
    assert!(sample("tessera_usage_backlog_records") >= 0.0);
    assert!(
        !metrics.contains(&value) && !metrics.contains("carol") && !metrics.contains("127.0.0.1")
    );
}
