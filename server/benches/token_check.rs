//! `cargo bench -p server --bench token_check`: the cost of the token check on an API call's
//! path, per call: parsing alone (shape and checksum), parse + SHA-256, and the whole check
//! (parse, digest, owner, expiry, method; the use buffered in memory) for a token the server
//! keeps in memory and for a token's first use (one indexed read), with 1,000 and with
//! 1,000,000 tokens stored, against a SQLite file and, when one answers, PostgreSQL
//! (TESSERA_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres).

use std::time::{Duration, Instant};

use app::{
    account::{Login, Password, Role},
    catalog::MethodName,
    request::ClientInfo,
    token::{ApiInput, TokenInput, TokenSecret},
};
use server::{
    auth::secret,
    services::{
        Services,
        accounts::{Confirmed, NewAccount},
        audit::Actor,
        tokens::{Presented, TokenOwner, TokenTarget, Transport},
    },
    storage::{Database, DatabaseUrl},
};
use sqlx::{Connection as _, Executor as _};

const PURE_CALLS: usize = 200_000;
const CHECKS: usize = 20_000;
/// Tokens each checked once: the first use reads the database. Twice as many are made (one
/// half measured before the table grows, the other after), plus one.
const FIRST_USES: usize = 500;
/// Checks of a token with limited uses: each writes, so fewer.
const LIMITED_CHECKS: usize = 2_000;
/// Rows in the token table for the second measure of first uses.
const MANY_STORED: i64 = 1_000_000;

fn main() {
    let token = secret::new_access_token();
    let value = token.expose().to_owned();
    measure("parse (shape + CRC32)", PURE_CALLS, || {
        std::hint::black_box(TokenSecret::parse(std::hint::black_box(&value)).unwrap());
    });
    measure("parse + SHA-256 digest", PURE_CALLS, || {
        let parsed = TokenSecret::parse(std::hint::black_box(&value)).unwrap();
        std::hint::black_box(secret::digest(parsed.expose()));
    });

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!("sqlite://{}/bench.db", dir.path().display());
        full_check("SQLite", &sqlite).await;

        let admin = std::env::var("TESSERA_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match sqlx::PgConnection::connect(&admin).await {
            Ok(mut connection) => {
                connection
                    .execute("drop database if exists tessera_bench_check with (force)")
                    .await
                    .unwrap();
                connection
                    .execute("create database tessera_bench_check")
                    .await
                    .unwrap();
                let url = format!(
                    "{}/tessera_bench_check",
                    admin
                        .rsplit_once('/')
                        .map_or(admin.as_str(), |(base, _)| base)
                );
                full_check("PostgreSQL", &url).await;
                connection
                    .execute("drop database if exists tessera_bench_check with (force)")
                    .await
                    .unwrap();
            }
            Err(error) => println!("PostgreSQL skipped: {error}"),
        }
    });
}

async fn full_check(engine: &str, url: &str) {
    let url: DatabaseUrl = url.parse().unwrap();
    let database = Database::connect(&url).await.unwrap();
    database.migrate().await.unwrap();
    let services = Services::new(database.clone(), server::catalog::shipped());
    let watcher = tokio::spawn({
        let tokens = services.tokens.clone();
        async move { tokens.watch_changes().await }
    });
    // Loopback, as a client behind no proxy: inside the allow-list's ranges.
    let client = ClientInfo {
        ip: Some("127.0.0.1".into()),
        user_agent: None,
    };
    let login = Login::parse("bench").unwrap();
    services
        .accounts
        .create_user(
            NewAccount {
                login: login.clone(),
                display_name: "Bench".into(),
                email: String::new(),
                password: Password::new("bench password 1".into()).unwrap(),
                role: Role::User,
            },
            &Actor::Operator,
            &client,
        )
        .await
        .unwrap();
    let (user_id, login) = services.accounts.find_user(&login).await.unwrap();
    let owner = TokenOwner::by_operator(user_id, login);
    let mut before = Vec::with_capacity(FIRST_USES);
    let mut after = Vec::with_capacity(FIRST_USES);
    for _ in 0..FIRST_USES {
        before.push(issue(&services, &owner, "marketplace").await);
        after.push(issue(&services, &owner, "marketplace").await);
    }
    let value = issue(&services, &owner, "extended_access").await;
    let method = MethodName::parse("marketplace.app.GetList").unwrap();
    let check = async |value: &str| {
        let presented = Presented::new(value.to_owned(), None, Transport::Bearer);
        let started = Instant::now();
        services
            .tokens
            .authenticate(&presented, Some(&method), &client)
            .await
            .unwrap();
        started.elapsed()
    };
    let first_uses = async |values: &[String], stored: i64| {
        let mut samples = Vec::with_capacity(values.len());
        for value in values {
            samples.push(check(value).await);
        }
        report(
            &format!("first use (database read), {engine}, {stored} tokens stored"),
            &mut samples,
        );
    };
    first_uses(&before, 2 * FIRST_USES as i64 + 1).await;
    fill_to(&database, engine, user_id, MANY_STORED).await;
    first_uses(&after, MANY_STORED).await;
    while !services.tokens.answers_from_memory() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut samples = Vec::with_capacity(CHECKS);
    for _ in 0..CHECKS {
        samples.push(check(&value).await);
    }
    report(&format!("kept in memory, {engine}"), &mut samples);

    // Each limit alone, on a token kept in memory: what setting it costs a call.
    let limits: [(&str, usize, Limit); 3] = [
        ("rate limit 1000000/s", CHECKS, |input| {
            input.rate_limit = Some("1000000/s".into());
        }),
        ("allow-list of 3 ranges", CHECKS, |input| {
            input.allowed_ips = Some(vec!["10.0.0.0/8 2001:db8::/32 127.0.0.0/8".into()]);
        }),
        ("1000000000 uses (a write each)", LIMITED_CHECKS, |input| {
            input.max_uses = Some("1000000000".into());
        }),
    ];
    for (label, calls, limit) in limits {
        let value = issue_with(&services, &owner, "extended_access", limit).await;
        check(&value).await;
        while !services.tokens.answers_from_memory() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut samples = Vec::with_capacity(calls);
        for _ in 0..calls {
            samples.push(check(&value).await);
        }
        report(&format!("kept in memory, {label}, {engine}"), &mut samples);
    }
    watcher.abort();
    database.close().await;
}

/// Adds rows until the token table holds `rows`, with digests no value has.
async fn fill_to(database: &Database, engine: &str, user_id: i64, rows: i64) {
    let (series, digest) = if engine == "SQLite" {
        (
            "(with recursive n(i) as (select 1 union all select i + 1 from n where i < $2) \
             select i from n)",
            "printf('%064x', i)",
        )
    } else {
        ("generate_series(1, $2) as i", "lpad(to_hex(i), 64, '0')")
    };
    let present: i64 = sqlx::query_scalar("select count(*) from access_tokens")
        .fetch_one(database.pool())
        .await
        .unwrap();
    let started = Instant::now();
    sqlx::query(&format!(
        "insert into access_tokens (user_id, token_digest, hint, description, api_set, \
         methods, scopes, expiration, created_at, created_by_login, updated_at) \
         select $1, {digest}, 'FILL', 'filler', 'marketplace', '', '', 'never', 0, 'bench', 0 \
         from {series}"
    ))
    .bind(user_id)
    .bind(rows - present)
    .execute(database.pool())
    .await
    .unwrap();
    if engine != "SQLite" {
        sqlx::query("analyze access_tokens")
            .execute(database.pool())
            .await
            .unwrap();
    }
    println!(
        "({engine}: {} rows added in {:.1} s)",
        rows - present,
        started.elapsed().as_secs_f64()
    );
}

/// Sets one limit on a token's input.
type Limit = fn(&mut TokenInput);

async fn issue(services: &Services, owner: &TokenOwner, set: &str) -> String {
    issue_with(services, owner, set, |_| ()).await
}

async fn issue_with(services: &Services, owner: &TokenOwner, set: &str, limit: Limit) -> String {
    let mut input = TokenInput {
        description: Some("bench".into()),
        api: Some(ApiInput::Set(set.into())),
        ..TokenInput::default()
    };
    limit(&mut input);
    let settings = services
        .tokens
        .decide(owner, TokenTarget::New, &input)
        .await
        .unwrap();
    services
        .tokens
        .generate(
            owner,
            &settings,
            &Confirmed::by_operator(),
            &ClientInfo::default(),
        )
        .await
        .unwrap()
        .secret
        .expose()
        .to_owned()
}

fn measure(label: &str, calls: usize, mut body: impl FnMut()) {
    for _ in 0..calls / 10 {
        body();
    }
    let started = Instant::now();
    for _ in 0..calls {
        body();
    }
    let per_call = started.elapsed() / calls as u32;
    println!(
        "{label}: {} ns per call ({calls} calls)",
        per_call.as_nanos()
    );
}

fn report(label: &str, samples: &mut [Duration]) {
    samples.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{label}: median {:.1} µs, p99 {:.1} µs, min {:.1} µs ({} calls)",
        us(samples[samples.len() / 2]),
        us(samples[samples.len() * 99 / 100]),
        us(samples[0]),
        samples.len()
    );
}
