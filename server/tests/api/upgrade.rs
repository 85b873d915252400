//! Forward-only upgrades: every database kept in `tests/fixtures/upgrade` (made by an earlier
//! binary with `make.sh`) is upgraded by this one, with every user, token, session and
//! setting still working.

use std::{collections::HashMap, path::PathBuf};

use sqlx::{Connection as _, Executor as _, PgConnection};

use super::{
    startup::{Logs, http_get, info_path, send, serve, site_dir, tessera},
    support::{postgres_admin_url, with_database_name},
};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade")
}

/// Every fixture's name (`2026-11-25`), oldest first.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().ok()?;
            name.strip_suffix(".values").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no upgrade fixtures");
    names
}

/// The secrets of fixture `name` for `engine` (`SQLITE` or `POSTGRES`), and its password.
fn values(name: &str, engine: &str) -> HashMap<String, String> {
    let text = std::fs::read_to_string(fixtures().join(format!("{name}.values"))).unwrap();
    text.lines()
        .filter_map(|line| line.split_once('='))
        .filter_map(|(key, value)| {
            let key = key.strip_prefix(&format!("{engine}_")).unwrap_or(key);
            (!key.starts_with("SQLITE_") && !key.starts_with("POSTGRES_"))
                .then(|| (key.to_owned(), value.to_owned()))
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The fixture's session was current when it was made; make it current again, as if its
/// owner had just used it, so that the upgraded server has a live session to recognise.
async fn renew_sessions(url: &str) {
    let database = server::storage::Database::connect(&url.parse().unwrap())
        .await
        .unwrap();
    let now = server::clock::now();
    sqlx::query("update sessions set created_at = $1, last_seen_at = $1, expires_at = $2")
        .bind(now)
        .bind(now + 3600)
        .execute(database.pool())
        .await
        .unwrap();
    database.close().await;
}

fn assert_everything_works(url: &str, values: &HashMap<String, String>) {
    let site = site_dir();
    let served = serve(url, site.path(), Logs::Discarded);
    let info = |key: &str| http_get(&served.addr, &info_path(&values[key]));
    assert!(info("WIDE_TOKEN").contains(r#""result":0"#));
    assert!(info("SCOPED_TOKEN").contains(r#""result":0"#));
    assert!(info("REMOVED_TOKEN").contains("token_removed"));
    assert!(info("BOB_TOKEN").contains("owner_disabled"));

    let page = send(
        &served.addr,
        &format!(
            "GET /settings/tokens HTTP/1.1\r\nCookie: tessera_session={}\r\n\r\n",
            values["SESSION_COOKIE"]
        ),
    );
    assert!(page.starts_with("HTTP/1.1 200"), "{}", &page[..200]);
    assert!(page.contains("Fixture: deploys") && page.contains("Fixture: docs reader"));

    let body =
        serde_urlencoded::to_string([("login", "ann"), ("password", &values["PASSWORD"])]).unwrap();
    let signed_in = send(
        &served.addr,
        &format!(
            "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Sec-Fetch-Site: same-origin\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(
        signed_in.contains("set-cookie: tessera_session="),
        "{signed_in}"
    );
    drop(served);

    let policy = tessera(&["admin", "policy", "show"], &[("DATABASE_URL", url)]);
    let policy = String::from_utf8_lossy(&policy.stdout);
    assert!(policy.contains("Tokens live at most 3650d."), "{policy}");
    assert!(
        policy.contains("API sets allowed: Extended Access, IDE Plugins."),
        "{policy}"
    );
}

#[test]
fn sqlite_databases_of_earlier_releases_upgrade_with_everything_working() {
    for name in fixture_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tessera.db");
        std::fs::copy(fixtures().join(format!("{name}.sqlite")), &path).unwrap();
        let url = format!("sqlite://{}", path.display());
        runtime().block_on(renew_sessions(&url));
        assert_everything_works(&url, &values(&name, "SQLITE"));
    }
}

#[test]
fn postgres_databases_of_earlier_releases_upgrade_with_everything_working() {
    let admin_url = postgres_admin_url();
    for name in fixture_names() {
        let database = format!(
            "tessera_test_{}_upgrade_{}",
            std::process::id(),
            name.replace('-', "_")
        );
        let url = with_database_name(&admin_url, &database);
        let dump =
            std::fs::read_to_string(fixtures().join(format!("{name}.postgres.sql"))).unwrap();
        as_admin(&admin_url, &format!(r#"create database "{database}""#));
        runtime().block_on(async {
            let mut restoring = PgConnection::connect(&url).await.unwrap();
            restoring.execute(sqlx::raw_sql(&dump)).await.unwrap();
            restoring.close().await.unwrap();
            renew_sessions(&url).await;
        });

        assert_everything_works(&url, &values(&name, "POSTGRES"));

        as_admin(
            &admin_url,
            &format!(r#"drop database "{database}" with (force)"#),
        );
    }
}

fn as_admin(admin_url: &str, sql: &str) {
    runtime().block_on(async {
        let mut admin = PgConnection::connect(admin_url).await.unwrap();
        admin.execute(sql).await.unwrap();
        admin.close().await.unwrap();
    });
}
