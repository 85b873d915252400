//! The test harness: a fresh database per test (a SQLite file in a temporary directory, or a
//! new PostgreSQL database), the real router over it, and helpers to send requests.

use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicU32, Ordering},
};

use app::{
    account::{Login, Password, Role},
    request::ClientInfo,
    token::TokenInput,
};
use axum::{
    Router,
    body::{Body, Bytes},
    http::{HeaderMap, Request, StatusCode},
};
use leptos::config::LeptosOptions;
use server::{
    http::{client_address::TrustedProxies, router},
    services::{
        Options, Services,
        accounts::{Confirmed, NewAccount},
        audit::Actor,
        tokens::{LeakPolicy, TokenOwner, TokenTarget},
    },
    state::AppState,
    storage::{Database, DatabaseUrl},
};
use sqlx::{Connection, Executor, PgConnection};
use tower::ServiceExt;

/// Runs each named `async fn(&TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_engines {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            // Two worker threads: joined requests really run at the same time.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::sqlite().await;
                super::$test(&app).await;
                app.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::support::TestApp::postgres().await;
                super::$test(&app).await;
                app.teardown().await;
            }
        }
    )+};
}

/// As [`on_both_engines`], on servers started with a routes file (`tessera serve --routes`).
#[macro_export]
macro_rules! on_both_engines_with_routes {
    ($routes:ident; $($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::sqlite_with_routes(super::$routes).await;
                super::$test(&app).await;
                app.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::support::TestApp::postgres_with_routes(super::$routes).await;
                super::$test(&app).await;
                app.teardown().await;
            }
        }
    )+};
}

const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
static DATABASE_COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestApp {
    pub router: Router,
    pub database: Database,
    pub services: Services,
    _site: tempfile::TempDir,
    scratch: Scratch,
}

enum Scratch {
    Sqlite(tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another server's database (see [`TestApp::replica`]): not this one's to remove.
    Shared,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("response body is UTF-8")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("response is not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> &str {
        self.header("location").expect("a Location header")
    }

    /// The value the response sets the session cookie to (empty when it clears it).
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("tessera_session="))
            .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
    }
}

impl TestApp {
    pub async fn sqlite() -> Self {
        Self::sqlite_on(None).await
    }

    pub async fn sqlite_with_routes(routes: &str) -> Self {
        Self::sqlite_on(Some(routes)).await
    }

    /// On SQLite, handling leaked-token reports by `policy`.
    pub async fn sqlite_with_leak_policy(policy: LeakPolicy) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}/tessera.db", dir.path().display());
        Self::start_with(&url, Scratch::Sqlite(dir), None, policy).await
    }

    async fn sqlite_on(routes: Option<&str>) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}/tessera.db", dir.path().display());
        Self::start(&url, Scratch::Sqlite(dir), routes).await
    }

    pub async fn postgres() -> Self {
        Self::postgres_on(None).await
    }

    pub async fn postgres_with_routes(routes: &str) -> Self {
        Self::postgres_on(Some(routes)).await
    }

    async fn postgres_on(routes: Option<&str>) -> Self {
        let admin_url = postgres_admin_url();
        let mut admin = connect_admin(&admin_url).await;
        drop_abandoned_databases(&mut admin).await;
        let name = format!(
            "tessera_test_{}_{}",
            std::process::id(),
            DATABASE_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        admin
            .execute(format!(r#"create database "{name}""#).as_str())
            .await
            .expect("create the test database");
        admin.close().await.ok();
        let url = with_database_name(&admin_url, &name);
        Self::start(&url, Scratch::Postgres { admin_url, name }, routes).await
    }

    /// Another server on the same database, as a second replica is: services, kept tokens and
    /// change watcher of its own. Tear it down before the app it copies.
    pub async fn replica(&self) -> Self {
        Self::start(&self.url(), Scratch::Shared, None).await
    }

    async fn start(url: &str, scratch: Scratch, routes: Option<&str>) -> Self {
        Self::start_with(url, scratch, routes, LeakPolicy::default()).await
    }

    /// `routes`: a routes file, relative to the repository.
    async fn start_with(
        url: &str,
        scratch: Scratch,
        routes: Option<&str>,
        leak_policy: LeakPolicy,
    ) -> Self {
        let url: DatabaseUrl = url.parse().expect("test database URL");
        let database = Database::connect(&url)
            .await
            .expect("connect to the test database");
        database.migrate().await.expect("migrate the test database");
        let site = fake_site();
        let leptos_options = LeptosOptions::builder()
            .output_name("frontend")
            .site_root(site.path().to_string_lossy().as_ref())
            .site_pkg_dir(server::http::assets::versioned_pkg_dir(site.path()).unwrap())
            .build();
        // As TESSERA_WEBHOOK_ALLOW_PRIVATE=true: the webhook tests' receivers are on loopback.
        let routes = routes.map(|path| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path));
        let api = server::catalog::load_with_routes(None, routes.as_deref())
            .expect("the routes file loads");
        let options = Options {
            routes: Some(api.routes),
            leak_policy,
        };
        let services = Services::with_options(database.clone(), api.catalog, options)
            .allowing_private_webhooks(true);
        // As the server does: kept tokens are answered only while this watcher works.
        tokio::spawn({
            let tokens = services.tokens.clone();
            async move { tokens.watch_changes().await }
        });
        let state = AppState {
            leptos_options,
            services: services.clone(),
            // The loopback "proxy" of tests/api/accounts.rs.
            trusted_proxies: TrustedProxies::new(vec!["127.0.0.9".parse().unwrap()]),
            in_flight: Default::default(),
        };
        let router = router(state, site.path());
        Self {
            router,
            database,
            services,
            _site: site,
            scratch,
        }
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        // A request that never finishes fails its test, naming itself, instead of stalling the
        // whole run.
        let asked = format!("{} {}", request.method(), request.uri().path());
        let response = tokio::time::timeout(ANSWER_WITHIN, self.router.clone().oneshot(request))
            .await
            .unwrap_or_else(|_| panic!("{asked}: no answer in {ANSWER_WITHIN:?}"))
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = tokio::time::timeout(
            ANSWER_WITHIN,
            axum::body::to_bytes(response.into_body(), usize::MAX),
        )
        .await
        .unwrap_or_else(|_| panic!("{asked}: no answer in {ANSWER_WITHIN:?}"))
        .expect("read the response body");
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.request(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// Creates a user through the service the CLI and the admin pages use.
    pub async fn create_user(&self, login: &str, password: &str, role: Role) {
        let account = NewAccount {
            login: Login::parse(login).unwrap(),
            display_name: format!("{login} display"),
            email: format!("{login}@example.com"),
            password: Password::new(password.to_owned()).unwrap(),
            role,
        };
        self.services
            .accounts
            .create_user(account, &Actor::Operator, &ClientInfo::default())
            .await
            .expect("create the test user");
    }

    /// A same-origin form post, as the browser sends it.
    pub async fn post_form(
        &self,
        uri: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> TestResponse {
        let body = serde_urlencoded::to_string(form).unwrap();
        let mut request = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = cookie {
            request = request.header("cookie", format!("tessera_session={cookie}"));
        }
        self.request(request.body(Body::from(body)).unwrap()).await
    }

    /// Signs in through `POST /login`; the session cookie's value.
    pub async fn sign_in(&self, login: &str, password: &str) -> String {
        let response = self
            .post_form("/login", &[("login", login), ("password", password)], None)
            .await;
        assert_eq!(
            response.status,
            303,
            "sign-in should redirect: {}",
            response.text()
        );
        response
            .session_cookie()
            .expect("sign-in sets the session cookie")
    }

    pub async fn get_with_session(&self, uri: &str, cookie: &str) -> TestResponse {
        let request = Request::get(uri).header("cookie", format!("tessera_session={cookie}"));
        self.request(request.body(Body::empty()).unwrap()).await
    }

    /// A token for `login` made by the operator (no password round), and its value.
    pub async fn token_for(&self, login: &str, input: TokenInput) -> (String, i64) {
        let (user_id, login) = self
            .services
            .accounts
            .find_user(&Login::parse(login).unwrap())
            .await
            .expect("the token's owner exists");
        let owner = TokenOwner::by_operator(user_id, login);
        let settings = self
            .services
            .tokens
            .decide(&owner, TokenTarget::New, &input)
            .await
            .expect("valid token settings");
        let issued = self
            .services
            .tokens
            .generate(
                &owner,
                &settings,
                &Confirmed::by_operator(),
                &ClientInfo::default(),
            )
            .await
            .expect("generate a token");
        (issued.secret.expose().to_owned(), issued.token.id)
    }

    pub async fn user_id(&self, login: &str) -> i64 {
        self.services
            .accounts
            .find_user(&Login::parse(login).unwrap())
            .await
            .expect("user exists")
            .0
    }

    pub async fn exec(&self, sql: &str) {
        sqlx::query(sql)
            .execute(self.database.pool())
            .await
            .expect(sql);
    }

    /// The database's URL, for servers started as processes of their own.
    pub fn url(&self) -> String {
        self.database.url().expose().to_owned()
    }

    pub fn sqlite_dir(&self) -> Option<&Path> {
        match &self.scratch {
            Scratch::Sqlite(dir) => Some(dir.path()),
            Scratch::Postgres { .. } | Scratch::Shared => None,
        }
    }

    pub async fn teardown(self) {
        self.database.close().await;
        if let Scratch::Postgres { admin_url, name } = &self.scratch {
            let mut admin = connect_admin(admin_url).await;
            admin
                .execute(format!(r#"drop database if exists "{name}" with (force)"#).as_str())
                .await
                .expect("drop the test database");
        }
    }
}

/// A site directory holding stand-ins for the bundle, so the router can be driven without a
/// WASM build. Browser tests (end2end/) use the real bundle.
fn fake_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("temporary site directory");
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("frontend.js"), "export function hydrate() {}\n").unwrap();
    std::fs::write(pkg.join("tessera.css"), "body { margin: 0 }\n").unwrap();
    std::fs::write(pkg.join("tessera.css.br"), b"brotli stand-in").unwrap();
    std::fs::write(pkg.join("tessera.css.gz"), b"gzip stand-in").unwrap();
    site
}

pub fn postgres_admin_url() -> String {
    std::env::var("TESSERA_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

async fn connect_admin(admin_url: &str) -> PgConnection {
    PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|error| {
            let shown: DatabaseUrl = admin_url.parse().expect("TESSERA_TEST_POSTGRES_URL parses");
            panic!(
                "\n\nThe integration tests need PostgreSQL and none answers at {shown}: {error}\n\
             Start one there or set TESSERA_TEST_POSTGRES_URL (./dev.sh test does both).\n\n"
            )
        })
}

/// Drops databases left by test processes that died before their teardown.
async fn drop_abandoned_databases(admin: &mut PgConnection) {
    let names: Vec<String> = sqlx::query_scalar(
        "select datname from pg_database where datname like 'tessera\\_test\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    for name in names {
        let owner_alive = name
            .split('_')
            .nth(2)
            .is_some_and(|pid| PathBuf::from(format!("/proc/{pid}")).exists());
        if !owner_alive {
            let _ = admin
                .execute(format!(r#"drop database if exists "{name}" with (force)"#).as_str())
                .await;
        }
    }
}

pub fn with_database_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// A token input: `methods` (catalog names, comma-separated) or a set id, never expiring,
/// no scopes.
pub fn spec(api: &str) -> TokenInput {
    use app::token::{ApiInput, ExpiryInput};
    let api = if api.contains('.') {
        ApiInput::Methods(api.split(',').map(str::to_owned).collect())
    } else {
        ApiInput::Set(api.to_owned())
    };
    TokenInput {
        description: Some("test token".to_owned()),
        api: Some(api),
        scopes: None,
        expiry: Some(ExpiryInput::Never),
        ..TokenInput::default()
    }
}

/// A same-origin JSON request, with a session cookie or a bearer token.
pub async fn json_request(
    app: &TestApp,
    method: &str,
    uri: &str,
    auth: Auth<'_>,
    body: Option<Value>,
) -> TestResponse {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin");
    request = match auth {
        Auth::Session(cookie) => request.header("cookie", format!("tessera_session={cookie}")),
        Auth::Token(token) => request.header("authorization", format!("Bearer {token}")),
        Auth::None => request,
    };
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    app.request(request.body(body).unwrap()).await
}

#[derive(Clone, Copy)]
pub enum Auth<'a> {
    Session(&'a str),
    Token(&'a str),
    None,
}
