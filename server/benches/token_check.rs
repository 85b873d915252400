//! `cargo bench -p server --bench token_check`: the cost of the token check on an API call's
//! path, per call: parsing alone (shape and checksum), parse + SHA-256, and the whole check
//! (parse, digest, owner, expiry, method; the use buffered in memory) for a token the server
//! keeps in memory and for a token's first use (one indexed read), against a SQLite file and,
//! when one answers, PostgreSQL (TESSERA_TEST_POSTGRES_URL or
//! postgres://postgres@127.0.0.1:5432/postgres).

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
        tokens::{Presented, TokenOwner, TokenTarget},
    },
    storage::{Database, DatabaseUrl},
};
use sqlx::{Connection as _, Executor as _};

const PURE_CALLS: usize = 200_000;
const CHECKS: usize = 20_000;
/// Tokens each checked once: the first use reads the database.
const FIRST_USES: usize = 2_000;

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
    let client = ClientInfo::default();
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
    // Other tokens in the table, so the look-up is an index seek among many.
    let mut fresh = Vec::with_capacity(FIRST_USES);
    for _ in 0..FIRST_USES {
        fresh.push(issue(&services, &owner, "marketplace").await);
    }
    let value = issue(&services, &owner, "extended_access").await;
    let method = MethodName::parse("marketplace.app.GetList").unwrap();
    let check = async |value: &str| {
        let presented = Presented::new(value.to_owned(), None);
        let started = Instant::now();
        services
            .tokens
            .authenticate(&presented, Some(&method), &client)
            .await
            .unwrap();
        started.elapsed()
    };
    let mut samples = Vec::with_capacity(FIRST_USES);
    for value in &fresh {
        samples.push(check(value).await);
    }
    report(
        &format!("first use (database read), {engine}"),
        &mut samples,
    );
    while !services.tokens.answers_from_memory() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut samples = Vec::with_capacity(CHECKS);
    for _ in 0..CHECKS {
        samples.push(check(&value).await);
    }
    report(&format!("kept in memory, {engine}"), &mut samples);
    watcher.abort();
    database.close().await;
}

async fn issue(services: &Services, owner: &TokenOwner, set: &str) -> String {
    let input = TokenInput {
        description: Some("bench".into()),
        api: Some(ApiInput::Set(set.into())),
        ..TokenInput::default()
    };
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
